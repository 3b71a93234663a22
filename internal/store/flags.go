package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"forum/internal/forum"
)

// OpenFlagCount is how many posts await review: the number in moderators' headers. The
// partial index flags_open_idx holds only open flags, so this stays small and cheap.
func (s *Store) OpenFlagCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n,
		`SELECT count(DISTINCT post_id) FROM flags WHERE resolved_at IS NULL`); err != nil {
		return 0, fmt.Errorf("count open flags: %w", err)
	}
	return n, nil
}

// FlagResult says what a flag did.
type FlagResult struct {
	Flaggers int  // distinct users with an open flag on the post
	Trusted  int  // those of them forum.TrustedFlagger trusts
	Hidden   bool // this flag hid the post pending review
}

// FlagPost records userID's flag on a post (updating their open flag if they have one),
// and hides the post pending review when distinct trusted flaggers reach threshold
// (forum.AutoHides, forum.TrustedFlagger) — all in one transaction, with the thread and
// the post locked so concurrent flags count exactly.
func (s *Store) FlagPost(ctx context.Context, postID, userID int64, reason forum.FlagReason, note string, threshold int) (*FlagResult, error) {
	res := &FlagResult{}
	err := s.inPostTx(ctx, postID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, userID)
		if err != nil {
			return err
		}
		t, p, err := lockPost(ctx, tx, postID)
		if err != nil {
			return err
		}
		if err := forum.CanFlag(u, p, s.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO flags (post_id, user_id, reason, note) VALUES ($1, $2, $3, $4)
			ON CONFLICT (post_id, user_id) WHERE resolved_at IS NULL
			DO UPDATE SET reason = EXCLUDED.reason, note = EXCLUDED.note, updated_at = now()`,
			postID, userID, reason, note); err != nil {
			return fmt.Errorf("save flag: %w", err)
		}
		// The flaggers themselves, so the rule that decides whom to trust is forum's.
		var flaggers []forum.User
		if err := tx.SelectContext(ctx, &flaggers, `
			SELECT `+userColumns+` FROM flags f JOIN users u ON u.id = f.user_id
			WHERE f.post_id = $1 AND f.resolved_at IS NULL`, postID); err != nil {
			return fmt.Errorf("load flaggers: %w", err)
		}
		res.Flaggers = len(flaggers)
		for i := range flaggers {
			if forum.TrustedFlagger(&flaggers[i], s.now()) {
				res.Trusted++
			}
		}
		if forum.AutoHides(p, res.Trusted, threshold) {
			res.Hidden = true
			notified, err := setPostStatus(ctx, tx, p, t, forum.StatusPending)
			if err != nil {
				return err
			}
			return recountUnread(ctx, tx, notified)
		}
		// An open flag changes what moderators see of the thread.
		return bumpThread(ctx, tx, t.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("flag post %d: %w", postID, err)
	}
	return res, nil
}

// setPostStatus changes a post's status and everything that follows from it: the
// thread's version (caches and feeds see the change), its count of public replies and,
// for an opening post, the thread's opening status and whether it is listed
// (forum.Listed). It returns the people
// notified of the post, whose unread counts the caller recounts (recountUnread) once,
// with any other recipient of its transaction, so counters are always locked in order.
func setPostStatus(ctx context.Context, tx *sqlxTx, p *forum.Post, t *forum.Thread, status forum.PostStatus) ([]int64, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET status = $2, mod_version = mod_version + 1 WHERE id = $1`, p.ID, status); err != nil {
		return nil, fmt.Errorf("set status of post %d: %w", p.ID, err)
	}
	opening, listed := t.OpeningStatus, t.Visible
	if p.Depth == 0 {
		opening, listed = status, forum.Listed(status)
	}
	// The count of public replies moves here, the one place a status changes, under the
	// thread's lock the caller holds (forum.PublicReplyDelta).
	if _, err := tx.ExecContext(ctx, `
		UPDATE threads SET version = version + 1, opening_status = $2, visible = $3,
			public_reply_count = public_reply_count + $4
		WHERE id = $1`, t.ID, opening, listed, forum.PublicReplyDelta(p, status)); err != nil {
		return nil, fmt.Errorf("bump thread %d: %w", t.ID, err)
	}
	if err := notifyVersions(ctx, tx, t.ID); err != nil { // versionnotify.go
		return nil, err
	}
	return notifiedOf(ctx, tx, p)
}

// Decision is a moderator's ruling on a post.
type Decision struct {
	PostID      int64
	ModeratorID int64 // the acting user
	Action      forum.Decision
	Note        string
	SeenVersion *int // the post's mod_version the moderator decided on; nil = don't check
}

// Decide applies a decision: sets the post's status (forum.StatusAfter), resolves every
// open flag with the outcome, updates the author's record and logs the act, in one
// transaction under the thread's and the post's locks. When the post changed since the
// moderator looked (another moderator decided first), it returns a conflict naming what
// was decided.
func (s *Store) Decide(ctx context.Context, d Decision) error {
	return s.inPostTx(ctx, d.PostID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, d.ModeratorID)
		if err != nil {
			return err
		}
		if err := forum.MayModerate(u, s.now()); err != nil {
			return err // before the locks: a refused member does not queue behind writers
		}
		t, p, err := lockPost(ctx, tx, d.PostID)
		if err != nil {
			return err
		}
		if d.SeenVersion != nil && *d.SeenVersion != p.ModVersion {
			var last struct {
				Moderator string          `db:"moderator"`
				Action    forum.LogAction `db:"action"`
				At        time.Time       `db:"created_at"`
			}
			err := tx.GetContext(ctx, &last, `
				SELECT `+sqlAuthorName+` AS moderator, l.action, l.created_at FROM mod_log l JOIN users u ON u.id = l.moderator_id
				WHERE l.target_type = 'post' AND l.target_id = $1 ORDER BY l.id DESC LIMIT 1`, d.PostID)
			if err != nil && !isNoRows(err) {
				return fmt.Errorf("load last decision: %w", err)
			}
			switch {
			case p.EditedAt != nil && (last.Action == "" || p.EditedAt.After(last.At)):
				return forum.Errorf(forum.EConflict, "Its author edited this post while you were looking at it (it is now %s). Review the new text.", p.Status.Label()).T("error.review_edited", "Status", p.Status.Label())
			case last.Action == "":
				return forum.Errorf(forum.EConflict, "This post changed while you were looking at it (it is now %s). Review it again.", p.Status.Label()).T("error.review_changed", "Status", p.Status.Label())
			}
			return forum.Errorf(forum.EConflict, "Another moderator got there first: %s %s it (it is now %s).",
				last.Moderator, last.Action.Label(), p.Status.Label()).T("error.review_taken", "Moderator", last.Moderator, "Action", last.Action.Label(), "Status", p.Status.Label())
		}
		if err := forum.CanDecide(u, p, d.Action, s.now()); err != nil {
			return err
		}
		var recount []int64
		if next := forum.StatusAfter(d.Action, p); next != p.Status {
			if recount, err = setPostStatus(ctx, tx, p, t, next); err != nil {
				return err
			}
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET mod_version = mod_version + 1 WHERE id = $1`, d.PostID); err != nil {
				return fmt.Errorf("bump post %d: %w", d.PostID, err)
			}
			if err := bumpThread(ctx, tx, t.ID); err != nil {
				return err
			}
		}
		var resolved []struct {
			Reason forum.FlagReason `db:"reason"`
			UserID int64            `db:"user_id"`
		}
		if err := tx.SelectContext(ctx, &resolved, `
			UPDATE flags SET resolved_at = now(), resolved_by = $2, outcome = $3
			WHERE post_id = $1 AND resolved_at IS NULL RETURNING reason, user_id`, d.PostID, d.ModeratorID, d.Action); err != nil {
			return fmt.Errorf("resolve flags: %w", err)
		}
		reasons, flaggers := make([]forum.FlagReason, len(resolved)), make([]int64, len(resolved))
		for i, r := range resolved {
			reasons[i], flaggers[i] = r.Reason, r.UserID
		}
		told, err := notifyDecision(ctx, tx, p, d.ModeratorID, string(d.Action), flaggers)
		if err != nil {
			return err
		}
		if err := recountUnread(ctx, tx, append(recount, told...)); err != nil {
			return err
		}
		if forum.CountsAgainstAuthor(d.Action) {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET hidden_count = hidden_count + 1 WHERE id = $1`, p.AuthorID); err != nil {
				return fmt.Errorf("count hide: %w", err)
			}
		}
		return logAct(ctx, tx, d.ModeratorID, d.Action.LogAction(), "post", d.PostID, summarise(reasons), d.Note)
	})
}

// summarise turns the flags' reasons into the log's reason column, e.g. "spam ×2, abuse".
func summarise(reasons []forum.FlagReason) string {
	counts := map[forum.FlagReason]int{}
	for _, r := range reasons {
		counts[r]++
	}
	var parts []string
	for _, r := range forum.FlagReasons {
		switch n := counts[r]; {
		case n == 1:
			parts = append(parts, string(r))
		case n > 1:
			parts = append(parts, string(r)+" ×"+strconv.Itoa(n))
		}
	}
	return strings.Join(parts, ", ")
}

// Suspend bars a user from writing until until, revokes their sessions and logs the act,
// in one transaction: forum.CanSuspend decides on the target's locked row, as the acting
// moderator is now (a suspended moderator suspends nobody).
func (s *Store) Suspend(ctx context.Context, userID, moderatorID int64, until time.Time, note string) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		mod, err := actor(ctx, tx, moderatorID)
		if err != nil {
			return err
		}
		target := &forum.User{}
		if err := tx.GetContext(ctx, target, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 FOR UPDATE`, userID); err != nil {
			return notFound(err, "User")
		}
		if err := forum.CanSuspend(mod, target, s.now()); err != nil {
			return err
		}
		if err := suspendTx(ctx, tx, userID, until, note); err != nil {
			return err
		}
		return logAct(ctx, tx, moderatorID, forum.LogSuspendUser, "user", userID, "until "+until.UTC().Format(forum.SuspendReasonLayout), note)
	})
}

// MyFlags lists a user's flags, newest first, with how each was decided.
func (s *Store) MyFlags(ctx context.Context, userID int64, limit int) ([]forum.Flag, error) {
	var out []forum.Flag
	err := s.db.SelectContext(ctx, &out, `
		SELECT f.id, f.post_id, p.thread_id, `+sqlAuthorName+` AS username, f.reason, f.note, f.created_at, f.updated_at,
			f.resolved_at, f.outcome
		FROM flags f JOIN posts p ON p.id = f.post_id JOIN users u ON u.id = f.user_id
		WHERE f.user_id = $1 ORDER BY f.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("list flags of user %d: %w", userID, err)
	}
	return out, nil
}

// QueuePage is one page of the review queue.
type QueuePage struct {
	Items []forum.QueueItem
	Next  string
}

// parentHTMLChars bounds how much of a queued reply's parent the queue reads: enough
// for its excerpt.
const parentHTMLChars = 2000

// Queue lists posts with open flags: auto-hidden first, then most flagged, then oldest,
// keyset paged. Only open flags are read, through the partial index flags_open_idx.
func (s *Store) Queue(ctx context.Context, before string, limit int) (*QueuePage, error) {
	var args []any
	keyset := ""
	if before != "" {
		// The cursor is the order's key: (not pending, flag count, first flagged, post id).
		c, err := forum.ParseCursor(before, 4)
		if err != nil {
			return nil, err
		}
		notPending, err1 := c.Bool(0)
		firstAt, err2 := c.Time(2)
		if err1 != nil || err2 != nil {
			return nil, forum.ErrBadCursor
		}
		keyset = `WHERE (q.not_pending, -q.n, q.first_at, q.post_id) > ($2, $3, $4, $5)`
		args = append(args, forum.BoolField(notPending), -c.Int(1), firstAt, c.Int(3))
	}
	type queueRow struct {
		postRow
		NotPending  int             `db:"not_pending"`
		N           int64           `db:"n"`
		FirstAt     time.Time       `db:"first_at"`
		Flags       json.RawMessage `db:"flags"`
		ThreadTitle string          `db:"thread_title"`
		FlaggedHTML string          `db:"flagged_html"`
		AuthorPosts int             `db:"author_posts"`
		AuthorHides int             `db:"author_hides"`
		AuthorSusp  int             `db:"author_suspensions"`
		AuthorUntil *time.Time      `db:"author_suspended_until"`
		// The parent post, for a reply: context for the moderator (LEFT JOIN: none for
		// an opening post).
		ParentAuthorID   *int64            `db:"parent_author_id"`
		ParentAuthorName *string           `db:"parent_author_name"`
		ParentStatus     *forum.PostStatus `db:"parent_status"`
		ParentHTML       *string           `db:"parent_html"`
	}
	var rows []queueRow
	err := s.db.SelectContext(ctx, &rows, `
		WITH open AS (
			SELECT f.post_id, count(*) AS n, min(f.created_at) AS first_at,
				json_agg(json_build_object('id', f.id, 'post_id', f.post_id, 'user', `+sqlDisplayName("fu")+`,
					'reason', f.reason, 'note', f.note, 'created_at', f.created_at, 'updated_at', f.updated_at)
					ORDER BY f.id) AS flags
			FROM flags f JOIN users fu ON fu.id = f.user_id
			WHERE f.resolved_at IS NULL GROUP BY f.post_id
		), q AS (
			SELECT open.*, CASE WHEN p.status = '`+string(forum.StatusPending)+`' THEN 0 ELSE 1 END AS not_pending
			FROM open JOIN posts p ON p.id = open.post_id
		)
		SELECT `+postColumns+`, q.not_pending, q.n, q.first_at, q.flags, t.title AS thread_title,
			u.post_count AS author_posts, u.hidden_count AS author_hides,
			u.suspension_count AS author_suspensions, u.suspended_until AS author_suspended_until,
			-- The version the first open flag was about, when the author edited it since:
			-- the revision that stopped being current after that flag.
			COALESCE((SELECT r.body_html FROM post_revisions r
				WHERE r.post_id = p.id AND r.replaced_at > q.first_at ORDER BY r.id LIMIT 1), '') AS flagged_html,
			-- Enough of the parent's HTML for a short excerpt, bounded whatever its length.
			pp.author_id AS parent_author_id, `+sqlDisplayName("pu")+` AS parent_author_name,
			pp.status AS parent_status, left(pp.body_html, `+strconv.Itoa(parentHTMLChars)+`) AS parent_html
		FROM q JOIN posts p ON p.id = q.post_id JOIN users u ON u.id = p.author_id
			JOIN threads t ON t.id = p.thread_id
			LEFT JOIN posts pp ON pp.id = p.parent_id LEFT JOIN users pu ON pu.id = pp.author_id
		`+keyset+`
		ORDER BY q.not_pending, q.n DESC, q.first_at, q.post_id
		LIMIT $1`, append([]any{limit + 1}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("load review queue: %w", err)
	}
	page := &QueuePage{}
	rows, page.Next = forum.Paginate(rows, limit, func(r queueRow) forum.Cursor {
		return forum.NewCursor(int64(r.NotPending), r.N, forum.TimeField(r.FirstAt), r.ID)
	})
	for _, r := range rows {
		item := forum.QueueItem{Post: r.post(), ThreadTitle: r.ThreadTitle, FirstFlaggedAt: r.FirstAt,
			FlaggedHTML:  r.FlaggedHTML,
			ReasonCounts: map[forum.FlagReason]int{},
			Author: forum.User{ID: r.AuthorID, Username: r.AuthorName, PostCount: r.AuthorPosts,
				HiddenCount: r.AuthorHides, SuspensionCount: r.AuthorSusp, SuspendedUntil: r.AuthorUntil}}
		if r.ParentID != nil && r.ParentStatus != nil {
			item.Parent = &forum.Post{ID: *r.ParentID, ThreadID: r.ThreadID, AuthorID: *r.ParentAuthorID,
				AuthorName: *r.ParentAuthorName, Status: *r.ParentStatus, BodyHTML: *r.ParentHTML}
		}
		if err := json.Unmarshal(r.Flags, &item.Flags); err != nil {
			return nil, fmt.Errorf("decode flags of post %d: %w", r.ID, err)
		}
		for _, f := range item.Flags {
			item.ReasonCounts[f.Reason]++
		}
		page.Items = append(page.Items, item)
	}
	return page, nil
}

// LogFilter selects moderation log rows.
type LogFilter struct {
	Action    string
	Moderator string
	Before    string // cursor from a previous page's Next: the last entry's id
	Limit     int
}

// LogPage is one page of the moderation log.
type LogPage struct {
	Entries []forum.LogEntry
	Next    string // cursor for the following page; "" on the last page
}

// ModLog lists the moderation log, newest first, keyset paged by id.
func (s *Store) ModLog(ctx context.Context, f LogFilter) (*LogPage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	keyset, args, err := beforeID(f.Before, "l.id", f.Action, f.Moderator, f.Limit+1)
	if err != nil {
		return nil, err
	}
	page := &LogPage{}
	err = s.db.SelectContext(ctx, &page.Entries, `
		SELECT l.id, `+sqlDisplayName("m")+` AS moderator, l.action, l.target_type, l.target_id,
			COALESCE(`+sqlDisplayName("tu")+`, '') AS target_label, l.reason, l.note, l.created_at,
			COALESCE(t.id, 0) AS thread_id, COALESCE(t.title, '') AS thread_title,
			COALESCE(t.author_id, 0) AS thread_author_id, COALESCE(t.opening_status, '') AS thread_opening
		FROM mod_log l JOIN users m ON m.id = l.moderator_id
			LEFT JOIN users tu ON l.target_type = 'user' AND tu.id = l.target_id
			-- The target's thread, by primary keys: its title and whether a viewer may read
			-- it (forum.LogEntry.Sentence), in this one query.
			LEFT JOIN posts tp ON l.target_type = 'post' AND tp.id = l.target_id
			LEFT JOIN threads t ON t.id = CASE l.target_type WHEN 'thread' THEN l.target_id ELSE tp.thread_id END
		WHERE ($1 = '' OR l.action = $1) AND ($2 = '' OR m.username = $2) `+keyset+`
		ORDER BY l.id DESC LIMIT $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("load moderation log: %w", err)
	}
	page.Entries, page.Next = forum.Paginate(page.Entries, f.Limit, func(e forum.LogEntry) forum.Cursor {
		return forum.NewCursor(e.ID)
	})
	return page, nil
}
