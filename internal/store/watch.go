package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// ThreadWatch is userID's level for a thread (forum.WatchNone without a row).
func (s *Store) ThreadWatch(ctx context.Context, userID, threadID int64) (forum.WatchLevel, error) {
	var level forum.WatchLevel
	err := s.db.GetContext(ctx, &level, `
		SELECT COALESCE((SELECT level FROM thread_watches WHERE user_id = $1 AND thread_id = $2), $3)`,
		userID, threadID, forum.WatchNone)
	if err != nil {
		return "", fmt.Errorf("watch level of user %d in thread %d: %w", userID, threadID, err)
	}
	return level, nil
}

// SetThreadWatch sets userID's level for a thread; forum.WatchNone removes their choice.
// Muting or unmuting a thread changes which notifications they are shown, so their count
// is recounted in the same transaction.
func (s *Store) SetThreadWatch(ctx context.Context, userID, threadID int64, level forum.WatchLevel) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		if _, err := actor(ctx, tx, userID); err != nil {
			return err
		}
		var err error
		if level == forum.WatchNone {
			_, err = tx.ExecContext(ctx, `DELETE FROM thread_watches WHERE user_id = $1 AND thread_id = $2`, userID, threadID)
		} else {
			_, err = tx.ExecContext(ctx, `
				INSERT INTO thread_watches (user_id, thread_id, level) VALUES ($1, $2, $3)
				ON CONFLICT (user_id, thread_id) DO UPDATE SET level = EXCLUDED.level, updated_at = now()`,
				userID, threadID, level)
		}
		if isForeignKeyViolation(err) {
			return forum.Errorf(forum.ENotFound, "Thread not found.").T("error.not_found.thread")
		}
		if err != nil {
			return fmt.Errorf("set watch level of thread %d: %w", threadID, err)
		}
		return recountUnread(ctx, tx, []int64{userID})
	})
}

// CategoryWatched reports whether userID watches a category for new threads.
func (s *Store) CategoryWatched(ctx context.Context, userID int64, categoryID int) (bool, error) {
	var on bool
	err := s.db.GetContext(ctx, &on, `SELECT EXISTS (SELECT 1 FROM category_watches WHERE user_id = $1 AND category_id = $2)`,
		userID, categoryID)
	if err != nil {
		return false, fmt.Errorf("category watch of user %d: %w", userID, err)
	}
	return on, nil
}

// SetCategoryWatch starts or stops userID's watch of a category's new threads.
func (s *Store) SetCategoryWatch(ctx context.Context, userID int64, categoryID int, on bool) error {
	var err error
	if on {
		_, err = s.db.ExecContext(ctx, `INSERT INTO category_watches (user_id, category_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, userID, categoryID)
	} else {
		_, err = s.db.ExecContext(ctx, `DELETE FROM category_watches WHERE user_id = $1 AND category_id = $2`, userID, categoryID)
	}
	if err != nil {
		return fmt.Errorf("set watch of category %d: %w", categoryID, err)
	}
	return nil
}

// MaxMutes bounds the people one user can mute: every thread page they read loads the list.
const MaxMutes = 500

// SetMute mutes (or unmutes) target for userID under forum.CanMute, and recounts
// userID's unread notifications: a muted person's notifications leave the list at once.
func (s *Store) SetMute(ctx context.Context, userID int64, target *forum.User, mute bool) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := forum.CanMute(u, target); err != nil {
			return err
		}
		if mute {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM user_mutes WHERE user_id = $1`, userID); err != nil {
				return fmt.Errorf("count mutes: %w", err)
			}
			if n >= MaxMutes {
				return forum.Errorf(forum.EConflict, "You have muted %d people, the most one account can. Unmute someone first.", n).T("error.mutes_full", "Count", n)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO user_mutes (user_id, muted_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				userID, target.ID)
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM user_mutes WHERE user_id = $1 AND muted_id = $2`, userID, target.ID)
		}
		if err != nil {
			return fmt.Errorf("mute user %d: %w", target.ID, err)
		}
		return recountUnread(ctx, tx, []int64{userID})
	})
}

// MutedIDs is the set of people userID muted (at most MaxMutes).
func (s *Store) MutedIDs(ctx context.Context, userID int64) (map[int64]bool, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT muted_id FROM user_mutes WHERE user_id = $1 LIMIT $2`, userID, MaxMutes); err != nil {
		return nil, fmt.Errorf("muted users of %d: %w", userID, err)
	}
	set := make(map[int64]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// MutedUsers lists the names userID muted, alphabetically.
func (s *Store) MutedUsers(ctx context.Context, userID int64) ([]string, error) {
	var names []string
	if err := s.db.SelectContext(ctx, &names, `
		SELECT u.username FROM user_mutes m JOIN users u ON u.id = m.muted_id
		WHERE m.user_id = $1 ORDER BY u.username LIMIT $2`, userID, MaxMutes); err != nil {
		return nil, fmt.Errorf("muted users of %d: %w", userID, err)
	}
	return names, nil
}

// ReadPosition is where a reader left a thread on their previous visit.
type ReadPosition struct {
	ThreadID   int64 `db:"thread_id"`
	LastPostID int64 `db:"last_post_id"` // the thread's newest post then
	ReplyCount int   `db:"reply_count"`  // its public reply count then (forum.NewReplies)
	// FirstUnread is the oldest visible post since then by someone else whom the reader
	// has not muted (0 if none); VisitThread fills it.
	FirstUnread int64 `db:"first_unread"`
}

// VisitThread records that userID opened a thread now, in one statement, and returns
// their previous position (nil on a first visit) with the first post they have not seen.
func (s *Store) VisitThread(ctx context.Context, userID, threadID int64) (*ReadPosition, error) {
	var rows []ReadPosition
	err := s.db.SelectContext(ctx, &rows, `
		WITH old AS (
			SELECT thread_id, last_post_id, reply_count FROM read_positions WHERE user_id = $1 AND thread_id = $2
		), saved AS (
			INSERT INTO read_positions (user_id, thread_id, last_post_id, reply_count)
			SELECT $1, t.id, t.last_post_id, t.public_reply_count FROM threads t WHERE t.id = $2
			ON CONFLICT (user_id, thread_id) DO UPDATE SET
				last_post_id = GREATEST(read_positions.last_post_id, EXCLUDED.last_post_id),
				reply_count = EXCLUDED.reply_count, visited_at = now()
		)
		SELECT o.thread_id, o.last_post_id, o.reply_count, COALESCE((
			SELECT min(p.id) FROM posts p
			WHERE p.thread_id = $2 AND p.id > o.last_post_id AND p.author_id <> $1 AND `+sqlPublicPost+`
				AND NOT EXISTS (SELECT 1 FROM user_mutes m WHERE m.user_id = $1 AND m.muted_id = p.author_id)), 0) AS first_unread
		FROM old o`, userID, threadID)
	if err != nil {
		return nil, fmt.Errorf("record visit of user %d to thread %d: %w", userID, threadID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// ReadPositions is userID's positions in the listed threads, by thread id (threads never
// visited are absent): a listing's "n new" is the thread's reply count minus the one
// kept here.
func (s *Store) ReadPositions(ctx context.Context, userID int64, threadIDs []int64) (map[int64]ReadPosition, error) {
	var rows []ReadPosition
	if err := s.db.SelectContext(ctx, &rows, `
		SELECT thread_id, last_post_id, reply_count FROM read_positions
		WHERE user_id = $1 AND thread_id = ANY($2)`, userID, pq.Int64Array(threadIDs)); err != nil {
		return nil, fmt.Errorf("read positions of user %d: %w", userID, err)
	}
	out := make(map[int64]ReadPosition, len(rows))
	for _, r := range rows {
		out[r.ThreadID] = r
	}
	return out, nil
}

// SetAutoWatch turns watching threads one starts or replies to on or off.
func (s *Store) SetAutoWatch(ctx context.Context, userID int64, on bool) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET auto_watch = $2 WHERE id = $1`, userID, on); err != nil {
		return fmt.Errorf("set auto-watch of user %d: %w", userID, err)
	}
	return nil
}
