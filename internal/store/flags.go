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
	Hidden   bool // this flag hid the post pending review
}

// FlagPost records userID's flag on a post (updating their open flag if they have one),
// and hides the post pending review when distinct flaggers reach threshold — all in one
// transaction, with the post row locked so concurrent flags count exactly.
func (s *Store) FlagPost(ctx context.Context, postID, userID int64, reason, note string, threshold int) (*FlagResult, error) {
	res := &FlagResult{}
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		var p struct {
			AuthorID int64  `db:"author_id"`
			ThreadID int64  `db:"thread_id"`
			Status   string `db:"status"`
			Depth    int    `db:"depth"`
		}
		if err := tx.GetContext(ctx, &p, `SELECT author_id, thread_id, status, depth FROM posts WHERE id = $1 FOR UPDATE`, postID); err != nil {
			return notFound(err, "Post")
		}
		if p.AuthorID == userID {
			return forum.Errorf(forum.EForbidden, "You cannot flag your own post. You can edit or delete it instead.")
		}
		if p.Status != forum.StatusVisible && p.Status != forum.StatusPending {
			return forum.Errorf(forum.ENotFound, "That post is not visible.")
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO flags (post_id, user_id, reason, note) VALUES ($1, $2, $3, $4)
			ON CONFLICT (post_id, user_id) WHERE resolved_at IS NULL
			DO UPDATE SET reason = EXCLUDED.reason, note = EXCLUDED.note, updated_at = now()`,
			postID, userID, reason, note); err != nil {
			return fmt.Errorf("save flag: %w", err)
		}
		if err := tx.GetContext(ctx, &res.Flaggers, `
			SELECT count(*) FROM flags WHERE post_id = $1 AND resolved_at IS NULL`, postID); err != nil {
			return fmt.Errorf("count flaggers: %w", err)
		}
		if res.Flaggers >= threshold && p.Status == forum.StatusVisible {
			res.Hidden = true
			return setPostStatus(ctx, tx, postID, p.ThreadID, p.Depth, forum.StatusPending)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("flag post %d: %w", postID, err)
	}
	return res, nil
}

// setPostStatus changes a post's status and everything that follows from it: the
// thread's version (caches and feeds see the change) and, for an opening post, whether
// the thread is listed.
func setPostStatus(ctx context.Context, tx *sqlxTx, postID, threadID int64, depth int, status string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET status = $2, mod_version = mod_version + 1 WHERE id = $1`, postID, status); err != nil {
		return fmt.Errorf("set status of post %d: %w", postID, err)
	}
	listed := status == forum.StatusVisible || status == forum.StatusDeleted
	if _, err := tx.ExecContext(ctx, `
		UPDATE threads SET version = version + 1, visible = CASE WHEN $2 THEN $3 ELSE visible END
		WHERE id = $1`, threadID, depth == 0, listed); err != nil {
		return fmt.Errorf("bump thread %d: %w", threadID, err)
	}
	return nil
}

// Decision is a moderator's ruling on a post.
type Decision struct {
	PostID      int64
	ModeratorID int64
	Action      string
	Note        string
	SeenVersion *int // the post's mod_version the moderator decided on; nil = don't check
}

// Decide applies a decision: sets the post's status, resolves every open flag with the
// outcome, updates the author's record and logs the act, in one transaction. When the
// post changed since the moderator looked (another moderator decided first), it returns a
// conflict naming what was decided.
func (s *Store) Decide(ctx context.Context, d Decision) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		var p struct {
			AuthorID   int64  `db:"author_id"`
			ThreadID   int64  `db:"thread_id"`
			Status     string `db:"status"`
			Depth      int    `db:"depth"`
			ModVersion int    `db:"mod_version"`
		}
		if err := tx.GetContext(ctx, &p, `SELECT author_id, thread_id, status, depth, mod_version FROM posts WHERE id = $1 FOR UPDATE`, d.PostID); err != nil {
			return notFound(err, "Post")
		}
		if d.SeenVersion != nil && *d.SeenVersion != p.ModVersion {
			var last struct {
				Moderator string `db:"moderator"`
				Action    string `db:"action"`
			}
			err := tx.GetContext(ctx, &last, `
				SELECT u.username AS moderator, l.action FROM mod_log l JOIN users u ON u.id = l.moderator_id
				WHERE l.target_type = 'post' AND l.target_id = $1 ORDER BY l.id DESC LIMIT 1`, d.PostID)
			if err != nil && !isNoRows(err) {
				return fmt.Errorf("load last decision: %w", err)
			}
			if last.Action == "" {
				return forum.Errorf(forum.EConflict, "This post changed while you were looking at it (its status is now %s). Review it again.", p.Status)
			}
			return forum.Errorf(forum.EConflict, "Another moderator got there first: %s chose %q (the post is now %s).",
				last.Moderator, strings.TrimSuffix(last.Action, "_post"), p.Status)
		}
		next := forum.StatusAfter(d.Action, p.Status)
		if next != p.Status {
			if err := setPostStatus(ctx, tx, d.PostID, p.ThreadID, p.Depth, next); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE posts SET mod_version = mod_version + 1 WHERE id = $1`, d.PostID); err != nil {
			return fmt.Errorf("bump post %d: %w", d.PostID, err)
		}
		var reasons []string
		if err := tx.SelectContext(ctx, &reasons, `
			UPDATE flags SET resolved_at = now(), resolved_by = $2, outcome = $3
			WHERE post_id = $1 AND resolved_at IS NULL RETURNING reason`, d.PostID, d.ModeratorID, d.Action); err != nil {
			return fmt.Errorf("resolve flags: %w", err)
		}
		if d.Action == forum.DecideHide || d.Action == forum.DecideDelete {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET hidden_count = hidden_count + 1 WHERE id = $1`, p.AuthorID); err != nil {
				return fmt.Errorf("count hide: %w", err)
			}
		}
		return logAct(ctx, tx, d.ModeratorID, d.Action+"_post", "post", d.PostID, summarise(reasons), d.Note)
	})
}

// summarise turns the flags' reasons into the log's reason column, e.g. "spam ×2, abuse".
func summarise(reasons []string) string {
	counts := map[string]int{}
	for _, r := range reasons {
		counts[r]++
	}
	var parts []string
	for _, r := range forum.FlagReasons {
		switch n := counts[r]; {
		case n == 1:
			parts = append(parts, r)
		case n > 1:
			parts = append(parts, r+" ×"+strconv.Itoa(n))
		}
	}
	return strings.Join(parts, ", ")
}

// Suspend bars a user from writing for days, revokes their sessions and logs the act.
func (s *Store) Suspend(ctx context.Context, userID, moderatorID int64, until time.Time, note string) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		if err := suspendTx(ctx, tx, userID, until, note); err != nil {
			return err
		}
		return logAct(ctx, tx, moderatorID, "suspend_user", "user", userID, "until "+until.UTC().Format("2006-01-02 15:04 UTC"), note)
	})
}

// MyFlags lists a user's flags, newest first, with how each was decided.
func (s *Store) MyFlags(ctx context.Context, userID int64, limit int) ([]forum.Flag, error) {
	var out []forum.Flag
	err := s.db.SelectContext(ctx, &out, `
		SELECT f.id, f.post_id, p.thread_id, u.username, f.reason, f.note, f.created_at, f.updated_at,
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

// Queue lists posts with open flags: auto-hidden first, then most flagged, then oldest,
// keyset paged. Only open flags are read, through the partial index flags_open_idx.
func (s *Store) Queue(ctx context.Context, before string, limit int) (*QueuePage, error) {
	var args []any
	keyset := ""
	if before != "" {
		parts := strings.Split(before, ".")
		if len(parts) != 4 {
			return nil, forum.Errorf(forum.EInvalid, "That page link is not valid; start again from the first page.")
		}
		nums := make([]int64, 4)
		for i, part := range parts {
			n, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				return nil, forum.Errorf(forum.EInvalid, "That page link is not valid; start again from the first page.")
			}
			nums[i] = n
		}
		keyset = `WHERE (q.not_pending, -q.n, q.first_at, q.post_id) > ($2, $3, $4, $5)`
		args = append(args, nums[0], -nums[1], time.UnixMicro(nums[2]), nums[3])
	}
	var rows []struct {
		postRow
		NotPending  int             `db:"not_pending"`
		N           int64           `db:"n"`
		FirstAt     time.Time       `db:"first_at"`
		Flags       json.RawMessage `db:"flags"`
		ThreadTitle string          `db:"thread_title"`
		AuthorPosts int             `db:"author_posts"`
		AuthorHides int             `db:"author_hides"`
		AuthorSusp  int             `db:"author_suspensions"`
		AuthorUntil *time.Time      `db:"author_suspended_until"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		WITH open AS (
			SELECT f.post_id, count(*) AS n, min(f.created_at) AS first_at,
				json_agg(json_build_object('id', f.id, 'post_id', f.post_id, 'user', fu.username,
					'reason', f.reason, 'note', f.note, 'created_at', f.created_at, 'updated_at', f.updated_at)
					ORDER BY f.id) AS flags
			FROM flags f JOIN users fu ON fu.id = f.user_id
			WHERE f.resolved_at IS NULL GROUP BY f.post_id
		), q AS (
			SELECT open.*, CASE WHEN p.status = 'pending' THEN 0 ELSE 1 END AS not_pending
			FROM open JOIN posts p ON p.id = open.post_id
		)
		SELECT `+postColumns+`, q.not_pending, q.n, q.first_at, q.flags, t.title AS thread_title,
			u.post_count AS author_posts, u.hidden_count AS author_hides,
			u.suspension_count AS author_suspensions, u.suspended_until AS author_suspended_until
		FROM q JOIN posts p ON p.id = q.post_id JOIN users u ON u.id = p.author_id
			JOIN threads t ON t.id = p.thread_id
		`+keyset+`
		ORDER BY q.not_pending, q.n DESC, q.first_at, q.post_id
		LIMIT $1`, append([]any{limit + 1}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("load review queue: %w", err)
	}
	page := &QueuePage{}
	for i, r := range rows {
		if i == limit {
			last := rows[i-1]
			page.Next = fmt.Sprintf("%d.%d.%d.%d", last.NotPending, last.N, last.FirstAt.UnixMicro(), last.ID)
			break
		}
		item := forum.QueueItem{Post: r.post(), ThreadTitle: r.ThreadTitle, FirstFlaggedAt: r.FirstAt,
			ReasonCounts: map[string]int{},
			Author: forum.User{ID: r.AuthorID, Username: r.AuthorName, PostCount: r.AuthorPosts,
				HiddenCount: r.AuthorHides, SuspensionCount: r.AuthorSusp, SuspendedUntil: r.AuthorUntil}}
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
	Before    int64
	Limit     int
}

// ModLog lists the moderation log, newest first, keyset paged by id.
func (s *Store) ModLog(ctx context.Context, f LogFilter) ([]forum.LogEntry, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []forum.LogEntry
	err := s.db.SelectContext(ctx, &out, `
		SELECT l.id, m.username AS moderator, l.action, l.target_type, l.target_id,
			COALESCE(tu.username, '') AS target_label, l.reason, l.note, l.created_at
		FROM mod_log l JOIN users m ON m.id = l.moderator_id
			LEFT JOIN users tu ON l.target_type = 'user' AND tu.id = l.target_id
		WHERE ($1 = '' OR l.action = $1) AND ($2 = '' OR m.username = $2) AND ($3 = 0 OR l.id < $3)
		ORDER BY l.id DESC LIMIT $4`, f.Action, f.Moderator, f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("load moderation log: %w", err)
	}
	return out, nil
}
