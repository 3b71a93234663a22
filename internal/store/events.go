package store

import (
	"context"
	"fmt"
	"time"

	"forum/internal/forum"
)

// addEvent records a thread event and notifies every instance, inside the writing
// transaction: the NOTIFY is delivered only if the write commits.
func addEvent(ctx context.Context, tx *sqlxTx, threadID, postID int64, kind string) error {
	if _, err := tx.ExecContext(ctx, `
		WITH ev AS (INSERT INTO thread_events (thread_id, post_id, kind) VALUES ($1, $2, $3) RETURNING id)
		SELECT pg_notify('thread_events', json_build_object('thread_id', $1::bigint, 'event_id', ev.id)::text) FROM ev`,
		threadID, postID, kind); err != nil {
		return fmt.Errorf("record %s event: %w", kind, err)
	}
	return nil
}

// ThreadEvent is a new reply or an edit, with the post as it is now.
type ThreadEvent struct {
	EventID   int64     `db:"event_id"`
	Kind      string    `db:"kind"`
	EventTime time.Time `db:"event_time"`
	forum.Post
	// Parent is the post's parent as far as naming it needs (id, author, status; no
	// body), so a live reply can say "in reply to NAME" without a query of its own.
	// Nil for the opening post.
	Parent *forum.Post
}

// LastEventID is the newest event of a thread (0 if none): where a new stream starts.
func (s *Store) LastEventID(ctx context.Context, threadID int64) (int64, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT COALESCE(max(id), 0) FROM thread_events WHERE thread_id = $1`, threadID); err != nil {
		return 0, fmt.Errorf("last event of thread %d: %w", threadID, err)
	}
	return id, nil
}

// EventsSince returns a thread's events after afterID, oldest first, at most limit.
func (s *Store) EventsSince(ctx context.Context, threadID, afterID int64, limit int) ([]ThreadEvent, error) {
	var rows []struct {
		EventID   int64     `db:"event_id"`
		Kind      string    `db:"kind"`
		EventTime time.Time `db:"event_time"`
		postRow
		ParentAuthorID *int64            `db:"parent_author_id"`
		ParentAuthor   *string           `db:"parent_author"`
		ParentStatus   *forum.PostStatus `db:"parent_status"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT e.id AS event_id, e.kind, e.created_at AS event_time, `+postColumns+`,
			pp.author_id AS parent_author_id, `+sqlDisplayName("pu")+` AS parent_author, pp.status AS parent_status
		FROM thread_events e JOIN posts p ON p.id = e.post_id JOIN users u ON u.id = p.author_id
			LEFT JOIN posts pp ON pp.id = p.parent_id LEFT JOIN users pu ON pu.id = pp.author_id
		WHERE e.thread_id = $1 AND e.id > $2
		ORDER BY e.id LIMIT $3`, threadID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("events of thread %d: %w", threadID, err)
	}
	out := make([]ThreadEvent, len(rows))
	for i, r := range rows {
		out[i] = ThreadEvent{EventID: r.EventID, Kind: r.Kind, EventTime: r.EventTime, Post: r.post()}
		if r.ParentID != nil && r.ParentAuthorID != nil {
			out[i].Parent = &forum.Post{ID: *r.ParentID, ThreadID: r.ThreadID, AuthorID: *r.ParentAuthorID,
				AuthorName: *r.ParentAuthor, Status: *r.ParentStatus}
		}
	}
	return out, nil
}
