package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Announcing a reply after its commit.
//
// PostgreSQL takes one database-wide lock when a transaction that ran NOTIFY commits,
// and holds it until the commit record is flushed to disk: two such transactions never
// share an fsync. With fsync on, every write that NOTIFYs from inside its transaction
// commits one fsync at a time (measured on the dev cluster with pgbench, 32 clients:
// ~550 commits/s for insert+NOTIFY against ~1,800 for the same insert alone). So a
// reply writes its event row and its notifications in its transaction, and announces
// them with one statement right after the commit; that statement writes nothing, so it
// waits for no flush and holds the lock only for a moment.
//
// The rows are the record, the announcement only a wake-up: a listener that misses one
// (the process dying between commit and announce) is no worse off than one that missed
// it while reconnecting: a live stream reads thread_events after its last id at its next
// wake-up, and unread counts are read from unread_counts.

// announceWait bounds the announcement when the request that made the write has ended.
const announceWait = 2 * time.Second

// announcement is what a committed write tells every instance: the thread event's and
// the recipients' payloads ("" for none).
type announcement struct {
	Event string // on live.Channel ("thread_events")
	Users string // on UserChannel
}

// recordEvent is addEvent without its NOTIFY: it records the event in tx and returns
// the payload to announce once tx has committed. In the same statement it auto-watches
// the thread for watcher (autoWatch; 0 for nobody): a reply's writer.
func recordEvent(ctx context.Context, tx *sqlxTx, threadID, postID int64, kind string, watcher int64) (string, error) {
	var payload string
	if err := tx.GetContext(ctx, &payload, `
		WITH watch AS (
			INSERT INTO thread_watches (user_id, thread_id, level)
			SELECT id, $1, 'watch' FROM users WHERE id = $4 AND auto_watch
			ON CONFLICT DO NOTHING
		), ev AS (INSERT INTO thread_events (thread_id, post_id, kind) VALUES ($1, $2, $3) RETURNING id)
		SELECT json_build_object('thread_id', $1::bigint, 'event_id', ev.id)::text FROM ev`,
		threadID, postID, kind, watcher); err != nil {
		return "", fmt.Errorf("record %s event: %w", kind, err)
	}
	return payload, nil
}

// fanOutNewPost is notifyNewPost without its NOTIFY: it writes the notifications and
// unread counts in tx and returns the payload to announce once tx has committed ("" when
// nobody was notified).
func fanOutNewPost(ctx context.Context, tx *sqlxTx, n newPost) (string, error) {
	q, args := fanOutSQL(n)
	var payloads []string
	if err := tx.SelectContext(ctx, &payloads, q+`
		SELECT `+sqlUsersPayload()+` FROM counted HAVING count(*) > 0`, args...); err != nil {
		return "", fmt.Errorf("notify of post %d: %w", n.PostID, err)
	}
	if len(payloads) == 0 {
		return "", nil
	}
	return payloads[0], nil
}

// recordReply is fanOutNewPost and recordEvent of a reply in one statement (one round
// trip, under the thread's lock, instead of two): the notifications and unread counts
// (when notify: none in an unlisted thread), the writer's watch and the event row. The
// fan-out reads thread_watches as they were before the statement, so the writer's new
// watch is no more seen by it than when the watch came second; the writer is never
// notified anyway.
func recordReply(ctx context.Context, tx *sqlxTx, n newPost, notify bool) (announcement, error) {
	if !notify {
		ev, err := recordEvent(ctx, tx, n.ThreadID, n.PostID, "reply", n.AuthorID)
		return announcement{Event: ev}, err
	}
	q, args := fanOutSQL(n)
	var a announcement
	if err := tx.QueryRowxContext(ctx, q+`, watch AS (
			INSERT INTO thread_watches (user_id, thread_id, level)
			SELECT id, $1, 'watch' FROM users WHERE id = $3 AND auto_watch
			ON CONFLICT DO NOTHING
		), ev AS (INSERT INTO thread_events (thread_id, post_id, kind) VALUES ($1, $2, 'reply') RETURNING id)
		SELECT json_build_object('thread_id', $1::bigint, 'event_id', ev.id)::text,
			COALESCE((SELECT `+sqlUsersPayload()+` FROM counted HAVING count(*) > 0), '')
		FROM ev`, args...).Scan(&a.Event, &a.Users); err != nil {
		return announcement{}, fmt.Errorf("notify of and record reply %d: %w", n.PostID, err)
	}
	return a, nil
}

// announce sends a committed write's announcement in one statement. The write stands
// whatever happens here, so a failure is logged, not returned, and the announcement
// goes out even when the request has just ended.
func (s *Store) announce(ctx context.Context, a announcement) {
	if a.Event == "" && a.Users == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), announceWait)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, `
		SELECT CASE WHEN $1 <> '' THEN pg_notify('thread_events', $1) END,
			CASE WHEN $2 <> '' THEN pg_notify('`+UserChannel+`', $2) END`, a.Event, a.Users); err != nil {
		slog.WarnContext(ctx, "announce a committed write", "event", a.Event, "err", err)
	}
}
