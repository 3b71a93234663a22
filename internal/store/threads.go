package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"forum/internal/forum"
)

const threadColumns = `t.id, t.category_id, c.slug AS category_slug, c.name AS category_name,
	t.author_id, ` + sqlAuthorName + ` AS author_name, t.title, t.slug, t.created_at, t.last_activity_at,
	t.reply_count, t.public_reply_count, t.pinned, t.pinned_site, t.locked, t.version, t.stance_helps, t.stance_hinders, t.stance_mixed, t.visible,
	t.opening_status, t.last_post_id, c.meta AS category_meta, t.lock_reason`

const threadFrom = ` FROM threads t JOIN categories c ON c.id = t.category_id JOIN users u ON u.id = t.author_id `

// ThreadByID loads a thread with its category and author.
func (s *Store) ThreadByID(ctx context.Context, id int64) (*forum.Thread, error) {
	t := &forum.Thread{}
	// More index probes in the same query: where the page's live stream starts
	// (thread_events_thread_idx) and whether it has translations to load.
	if err := s.reader(ctx).GetContext(ctx, t, `SELECT `+threadColumns+`,
		(SELECT COALESCE(max(e.id), 0) FROM thread_events e WHERE e.thread_id = t.id) AS last_event_id,
		EXISTS (SELECT 1 FROM thread_translations x JOIN threads tt ON tt.id = x.translation_id AND tt.visible
			WHERE x.thread_id = t.id) AS has_translations`+
		threadFrom+`WHERE t.id = $1`, id); err != nil {
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

// FindThreads returns one page of a listing. Each filter's order has an index that
// serves it (threads_front_idx, threads_category_idx, threads_author_idx), so a page
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
	// The front page puts site-wide pins first (threads_front_idx), a category every pin.
	order := "t.pinned_site DESC, t.last_activity_at DESC, t.id DESC"
	if f.CategoryID != 0 {
		where = append(where, "t.category_id = "+arg(f.CategoryID))
		order = "t.pinned DESC, t.last_activity_at DESC, t.id DESC"
	}
	if f.AuthorID != 0 {
		where = append(where, "t.author_id = "+arg(f.AuthorID))
		order = "t.id DESC"
	}
	if f.Before != "" {
		// The cursor is (pinned here, last activity, id): forum.PinnedIn for the front
		// page and a category; a person's listing puts no pins first, so there it is 0.
		c, err := forum.ParseCursor(f.Before, 3)
		if err != nil {
			return nil, err
		}
		pinned, err1 := c.Bool(0)
		at, err2 := c.Time(1)
		if err1 != nil || err2 != nil || (pinned && f.AuthorID != 0) {
			return nil, forum.ErrBadCursor
		}
		switch id := c.Int(2); {
		case f.AuthorID != 0:
			where = append(where, "t.id < "+arg(id))
		case f.CategoryID != 0:
			where = append(where, fmt.Sprintf("(t.pinned, t.last_activity_at, t.id) < (%s, %s, %s)",
				arg(pinned), arg(at), arg(id)))
		default:
			where = append(where, fmt.Sprintf("(t.pinned_site, t.last_activity_at, t.id) < (%s, %s, %s)",
				arg(pinned), arg(at), arg(id)))
		}
	}
	q := `SELECT ` + threadColumns + threadFrom + "WHERE " + strings.Join(where, " AND ")
	q += " ORDER BY " + order + " LIMIT " + arg(f.Limit+1)
	page := &ThreadPage{}
	if err := s.reader(ctx).SelectContext(ctx, &page.Threads, q, args...); err != nil {
		return nil, fmt.Errorf("find threads: %w", err)
	}
	page.Threads, page.Next = forum.Paginate(page.Threads, f.Limit, func(t forum.Thread) forum.Cursor {
		pinned := f.AuthorID == 0 && forum.PinnedIn(&t, f.CategoryID != 0)
		return forum.NewCursor(forum.BoolField(pinned), forum.TimeField(t.LastActivityAt), t.ID)
	})
	return page, nil
}

// NewThread is a thread about to be written.
type NewThread struct {
	CategoryID     int
	AuthorID       int64
	Title          string
	BodySource     string
	BodyHTML       string
	Stance         forum.Stance // the opening post's; refused in a category that takes none (forum.CanTakeStance)
	IdempotencyKey string
	Mentions       []string // known @names in order of appearance; the first forum.MaxMentions notify
	Lang           string   // the opening post's, chosen or detected (forum.PostLang); "" unknown
}

// CreateThread writes a thread and its opening post in one transaction, and updates the
// kept counters. A repeated idempotency key returns the thread written the first time.
func (s *Store) CreateThread(ctx context.Context, n NewThread) (*forum.Thread, error) {
	var threadID int64
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, n.AuthorID)
		if err != nil {
			return err
		}
		if err := forum.CanStartThread(u, s.now()); err != nil {
			return err
		}
		if n.IdempotencyKey != "" {
			var postID int64
			found, err := postByIdempotencyKey(ctx, tx, n.AuthorID, n.IdempotencyKey, &postID)
			if err != nil {
				return err
			}
			if found {
				return tx.GetContext(ctx, &threadID, `SELECT thread_id FROM posts WHERE id = $1`, postID)
			}
		}
		err = tx.GetContext(ctx, &threadID, `
			INSERT INTO threads (category_id, author_id, title, slug) VALUES ($1, $2, $3, $4)
			RETURNING id`, n.CategoryID, n.AuthorID, n.Title, forum.Slugify(n.Title))
		if err != nil {
			if isForeignKeyViolation(err) {
				return forum.Errorf(forum.EInvalid, "Choose one of the listed categories.").T("error.category_choose")
			}
			return fmt.Errorf("insert thread: %w", err)
		}
		var postID int64
		if err := tx.GetContext(ctx, &postID, `
			WITH id AS (SELECT nextval(pg_get_serial_sequence('posts', 'id')) AS id),
			p AS (
				INSERT INTO posts (id, thread_id, author_id, path, depth, body_source, body_html, idempotency_key, title, stance, lang)
				SELECT id.id, $1, $2, ARRAY[id.id], 0, $3, $4, NULLIF($5, ''), $6, NULLIF($7, ''), NULLIF($8, '') FROM id RETURNING id
			)
			UPDATE threads SET last_post_id = (SELECT id FROM p) WHERE id = $1 RETURNING last_post_id`,
			threadID, n.AuthorID, n.BodySource, n.BodyHTML, n.IdempotencyKey, n.Title, n.Stance, n.Lang); err != nil {
			return fmt.Errorf("insert opening post: %w", err)
		}
		if n.Stance != forum.StanceNone {
			// The new thread, read back with its category, decides; a refusal rolls it back.
			t, err := lockThread(ctx, tx, threadID)
			if err != nil {
				return err
			}
			if err := forum.CanTakeStance(t, n.Stance); err != nil {
				return err
			}
			if err := setStance(ctx, tx, threadID, n.AuthorID, postID, n.Stance); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET thread_count = thread_count + 1 WHERE id = $1`, n.CategoryID); err != nil {
			return fmt.Errorf("count thread: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET post_count = post_count + 1 WHERE id = $1`, n.AuthorID); err != nil {
			return fmt.Errorf("count post: %w", err)
		}
		if err := autoWatch(ctx, tx, n.AuthorID, threadID); err != nil {
			return err
		}
		if err := notifyVersions(ctx, tx, threadID); err != nil { // listings change (versionnotify.go)
			return err
		}
		return notifyNewPost(ctx, tx, newPost{ThreadID: threadID, PostID: postID, AuthorID: n.AuthorID,
			Mentions: forum.MentionsToNotify(n.Mentions), CategoryID: n.CategoryID})
	})
	if err != nil {
		return nil, fmt.Errorf("create thread: %w", err)
	}
	s.threadsChanged(threadID) // versionnotify.go
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

// SetThread locks, unlocks, pins or unpins a thread and logs the act, in one transaction
// under the thread's lock, as the acting moderator is now.
func (s *Store) SetThread(ctx context.Context, threadID, moderatorID int64, setting forum.ThreadSetting, note string) error {
	set := map[forum.ThreadSetting]string{
		forum.SettingLock: "locked = true", forum.SettingUnlock: "locked = false",
		// A pin through here is a category pin (PinThread takes a scope).
		forum.SettingPin: "pinned = true, pinned_site = false", forum.SettingUnpin: "pinned = false, pinned_site = false",
	}[setting]
	if set == "" {
		return forum.Errorf(forum.EInvalid, "Unknown thread action.").T("error.thread_action")
	}
	return s.inThreadTx(ctx, threadID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, moderatorID)
		if err != nil {
			return err
		}
		if err := forum.CanSetThread(u, s.now()); err != nil {
			return err
		}
		if _, err := lockThread(ctx, tx, threadID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET `+set+`, version = version + 1 WHERE id = $1`, threadID); err != nil {
			return fmt.Errorf("%s thread %d: %w", setting, threadID, err)
		}
		if err := notifyVersions(ctx, tx, threadID); err != nil { // versionnotify.go
			return err
		}
		if setting == forum.SettingLock || setting == forum.SettingUnlock {
			// A lock's note is its reason, shown at the thread's top; unlocking clears it.
			reason := ""
			if setting == forum.SettingLock {
				reason = forum.LockReason(note)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE threads SET lock_reason = $2 WHERE id = $1`, threadID, reason); err != nil {
				return fmt.Errorf("keep lock reason of thread %d: %w", threadID, err)
			}
		}
		return logAct(ctx, tx, moderatorID, setting.LogAction(), "thread", threadID, "", note)
	})
}

// logAct appends one row to the public moderation log inside the act's transaction.
func logAct(ctx context.Context, tx *sqlxTx, moderatorID int64, action forum.LogAction, targetType string, targetID int64, reason, note string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO mod_log (moderator_id, action, target_type, target_id, reason, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())`, moderatorID, action, targetType, targetID, reason, note)
	if err != nil {
		return fmt.Errorf("log %s: %w", action, err)
	}
	return nil
}
