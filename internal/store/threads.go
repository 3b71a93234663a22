package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"forum/internal/forum"
)

const threadColumns = `t.id, t.category_id, c.slug AS category_slug, c.name AS category_name,
	t.author_id, u.username AS author_name, t.title, t.slug, t.created_at, t.last_activity_at,
	t.reply_count, t.pinned, t.locked, t.version, t.stance_helps, t.stance_hinders, t.stance_mixed, t.visible`

const threadFrom = ` FROM threads t JOIN categories c ON c.id = t.category_id JOIN users u ON u.id = t.author_id `

// ThreadByID loads a thread with its category and author.
func (s *Store) ThreadByID(ctx context.Context, id int64) (*forum.Thread, error) {
	t := &forum.Thread{}
	if err := s.db.GetContext(ctx, t, `SELECT `+threadColumns+threadFrom+`WHERE t.id = $1`, id); err != nil {
		return nil, notFound(err, "Thread")
	}
	return t, nil
}

// ThreadFilter selects a listing: all threads, a category's (pinned first) or a
// person's, newest activity first, after a keyset cursor.
type ThreadFilter struct {
	CategoryID int
	AuthorID   int64
	Before     string // cursor from a previous page's Next
	Limit      int
}

// ThreadPage is one page of a listing.
type ThreadPage struct {
	Threads []forum.Thread
	Next    string // cursor for the following page; "" on the last page
}

// cursor is a position in a listing: (pinned, last activity, id), compared in that order.
type cursor struct {
	pinned bool
	at     time.Time
	id     int64
}

func (c cursor) String() string {
	p := "0"
	if c.pinned {
		p = "1"
	}
	return p + "." + strconv.FormatInt(c.at.UnixMicro(), 10) + "." + strconv.FormatInt(c.id, 10)
}

func parseCursor(s string) (cursor, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || (parts[0] != "0" && parts[0] != "1") {
		return cursor{}, forum.Errorf(forum.EInvalid, "That page link is not valid; start again from the first page.")
	}
	micros, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return cursor{}, forum.Errorf(forum.EInvalid, "That page link is not valid; start again from the first page.")
	}
	return cursor{pinned: parts[0] == "1", at: time.UnixMicro(micros), id: id}, nil
}

// FindThreads returns one page of a listing. Each filter's order has an index that
// serves it (threads_activity_idx, threads_category_idx, threads_author_idx), so a page
// costs the same however many threads there are.
func (s *Store) FindThreads(ctx context.Context, f ThreadFilter) (*ThreadPage, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 30
	}
	where := []string{"t.visible"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	order := "t.last_activity_at DESC, t.id DESC"
	if f.CategoryID != 0 {
		where = append(where, "t.category_id = "+arg(f.CategoryID))
		order = "t.pinned DESC, t.last_activity_at DESC, t.id DESC"
	}
	if f.AuthorID != 0 {
		where = append(where, "t.author_id = "+arg(f.AuthorID))
		order = "t.id DESC"
	}
	if f.Before != "" {
		c, err := parseCursor(f.Before)
		if err != nil {
			return nil, err
		}
		switch {
		case f.AuthorID != 0:
			where = append(where, "t.id < "+arg(c.id))
		case f.CategoryID != 0:
			where = append(where, fmt.Sprintf("(t.pinned, t.last_activity_at, t.id) < (%s, %s, %s)",
				arg(c.pinned), arg(c.at), arg(c.id)))
		default:
			where = append(where, fmt.Sprintf("(t.last_activity_at, t.id) < (%s, %s)", arg(c.at), arg(c.id)))
		}
	}
	q := `SELECT ` + threadColumns + threadFrom + "WHERE " + strings.Join(where, " AND ")
	q += " ORDER BY " + order + " LIMIT " + arg(f.Limit+1)
	page := &ThreadPage{}
	if err := s.db.SelectContext(ctx, &page.Threads, q, args...); err != nil {
		return nil, fmt.Errorf("find threads: %w", err)
	}
	if len(page.Threads) > f.Limit {
		page.Threads = page.Threads[:f.Limit]
		last := page.Threads[f.Limit-1]
		page.Next = cursor{pinned: last.Pinned && f.CategoryID != 0, at: last.LastActivityAt, id: last.ID}.String()
	}
	return page, nil
}

// NewThread is a thread about to be written.
type NewThread struct {
	CategoryID     int
	AuthorID       int64
	Title          string
	BodySource     string
	BodyHTML       string
	IdempotencyKey string
}

// CreateThread writes a thread and its opening post in one transaction, and updates the
// kept counters. A repeated idempotency key returns the thread written the first time.
func (s *Store) CreateThread(ctx context.Context, n NewThread) (*forum.Thread, error) {
	var threadID int64
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		if n.IdempotencyKey != "" {
			err := tx.GetContext(ctx, &threadID, `
				SELECT thread_id FROM posts WHERE author_id = $1 AND idempotency_key = $2`,
				n.AuthorID, n.IdempotencyKey)
			if err == nil {
				return nil
			}
			if !isNoRows(err) {
				return fmt.Errorf("check idempotency key: %w", err)
			}
		}
		err := tx.GetContext(ctx, &threadID, `
			INSERT INTO threads (category_id, author_id, title, slug) VALUES ($1, $2, $3, $4)
			RETURNING id`, n.CategoryID, n.AuthorID, n.Title, forum.Slugify(n.Title))
		if err != nil {
			if isForeignKeyViolation(err) {
				return forum.Errorf(forum.EInvalid, "Choose one of the listed categories.")
			}
			return fmt.Errorf("insert thread: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			WITH id AS (SELECT nextval(pg_get_serial_sequence('posts', 'id')) AS id)
			INSERT INTO posts (id, thread_id, author_id, path, depth, body_source, body_html, idempotency_key, title)
			SELECT id.id, $1, $2, ARRAY[id.id], 0, $3, $4, NULLIF($5, ''), $6 FROM id`,
			threadID, n.AuthorID, n.BodySource, n.BodyHTML, n.IdempotencyKey, n.Title); err != nil {
			return fmt.Errorf("insert opening post: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET thread_count = thread_count + 1 WHERE id = $1`, n.CategoryID); err != nil {
			return fmt.Errorf("count thread: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET post_count = post_count + 1 WHERE id = $1`, n.AuthorID); err != nil {
			return fmt.Errorf("count post: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create thread: %w", err)
	}
	return s.ThreadByID(ctx, threadID)
}

// ThreadIDByTitle finds a thread by its author and exact title (the seed uses it to stay
// idempotent).
func (s *Store) ThreadIDByTitle(ctx context.Context, authorID int64, title string) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT id FROM threads WHERE author_id = $1 AND title = $2 LIMIT 1`, authorID, title)
	if err != nil {
		return 0, notFound(err, "Thread")
	}
	return id, nil
}

// ThreadSetting is a moderator's switch on a thread.
type ThreadSetting string

// The thread switches.
const (
	SettingLock   ThreadSetting = "lock"
	SettingUnlock ThreadSetting = "unlock"
	SettingPin    ThreadSetting = "pin"
	SettingUnpin  ThreadSetting = "unpin"
)

// SetThread locks, unlocks, pins or unpins a thread and logs the act, in one transaction.
func (s *Store) SetThread(ctx context.Context, threadID, moderatorID int64, setting ThreadSetting, note string) error {
	set := map[ThreadSetting]string{
		SettingLock: "locked = true", SettingUnlock: "locked = false",
		SettingPin: "pinned = true", SettingUnpin: "pinned = false",
	}[setting]
	if set == "" {
		return forum.Errorf(forum.EInvalid, "Unknown thread action.")
	}
	return s.inTx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE threads SET `+set+`, version = version + 1 WHERE id = $1`, threadID)
		if err != nil {
			return fmt.Errorf("%s thread %d: %w", setting, threadID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return forum.Errorf(forum.ENotFound, "Thread not found.")
		}
		return logAct(ctx, tx, moderatorID, string(setting)+"_thread", "thread", threadID, "", note)
	})
}

// logAct appends one row to the public moderation log inside the act's transaction.
func logAct(ctx context.Context, tx *sqlxTx, moderatorID int64, action, targetType string, targetID int64, reason, note string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO mod_log (moderator_id, action, target_type, target_id, reason, note)
		VALUES ($1, $2, $3, $4, $5, $6)`, moderatorID, action, targetType, targetID, reason, note)
	if err != nil {
		return fmt.Errorf("log %s: %w", action, err)
	}
	return nil
}
