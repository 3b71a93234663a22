package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// Insightful is a post's marks after a toggle.
type Insightful struct {
	Marked   bool  // the acting user's mark is on the post now
	Count    int   // the post's kept insightful_count
	ThreadID int64 // where the post lives, for the redirect back
}

// ToggleInsightful adds userID's "insightful" mark to a post, or takes it back when they
// already marked it, in one transaction under the thread's and the post's locks (so
// concurrent marks count exactly): forum.CanMarkInsightful decides a new mark; the kept
// count moves with the row; the author gets one notification per marker, which taking
// the mark back removes while it is unread; the thread's version moves (its page shows
// the count).
func (s *Store) ToggleInsightful(ctx context.Context, postID, userID int64) (*Insightful, error) {
	res := &Insightful{}
	err := s.inPostTx(ctx, postID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := forum.MayWrite(u, s.now()); err != nil {
			return err // before the locks: a refused account does not queue behind writers
		}
		t, p, err := lockPost(ctx, tx, postID)
		if err != nil {
			return err
		}
		res.ThreadID = t.ID
		removed, err := tx.ExecContext(ctx, `DELETE FROM insightful WHERE post_id = $1 AND user_id = $2`, postID, userID)
		if err != nil {
			return fmt.Errorf("take back mark: %w", err)
		}
		if n, _ := removed.RowsAffected(); n > 0 {
			return unmarkInsightful(ctx, tx, p, userID, res)
		}
		if err := forum.CanMarkInsightful(u, p, s.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO insightful (post_id, user_id) VALUES ($1, $2)`, postID, userID); err != nil {
			return fmt.Errorf("save mark: %w", err)
		}
		if err := tx.GetContext(ctx, &res.Count, `
			UPDATE posts SET insightful_count = insightful_count + 1 WHERE id = $1 RETURNING insightful_count`, postID); err != nil {
			return fmt.Errorf("count mark: %w", err)
		}
		res.Marked = true
		// A notice that was read stays as it was: marking again does not notify twice.
		// Whether it shows (mutes, the post's status) is forum.NotificationShown, read
		// by the recount and the list alike.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO notifications (user_id, post_id, thread_id, actor_id, reason)
			SELECT u.id, $2, $3, $4, 'insightful' FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL
			ON CONFLICT (post_id, user_id, actor_id) WHERE reason = 'insightful' DO NOTHING`,
			p.AuthorID, p.ID, p.ThreadID, userID); err != nil {
			return fmt.Errorf("notify of mark: %w", err)
		}
		if err := recountUnread(ctx, tx, []int64{p.AuthorID}); err != nil {
			return err
		}
		return bumpThread(ctx, tx, t.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("toggle insightful on post %d: %w", postID, err)
	}
	return res, nil
}

// unmarkInsightful finishes taking a mark back: the kept count, the author's unread
// notice of it, their unread count and the thread's version.
func unmarkInsightful(ctx context.Context, tx *sqlxTx, p *forum.Post, userID int64, res *Insightful) error {
	if err := tx.GetContext(ctx, &res.Count, `
		UPDATE posts SET insightful_count = insightful_count - 1 WHERE id = $1 RETURNING insightful_count`, p.ID); err != nil {
		return fmt.Errorf("uncount mark: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM notifications
		WHERE post_id = $1 AND user_id = $2 AND actor_id = $3 AND reason = 'insightful' AND read_at IS NULL`,
		p.ID, p.AuthorID, userID); err != nil {
		return fmt.Errorf("withdraw notice of mark: %w", err)
	}
	if err := recountUnread(ctx, tx, []int64{p.AuthorID}); err != nil {
		return err
	}
	return bumpThread(ctx, tx, p.ThreadID)
}

// MarkedInsightful is the subset of postIDs that userID marked insightful: what a page's
// buttons show as pressed. One query by the primary key, however many posts the page has.
func (s *Store) MarkedInsightful(ctx context.Context, userID int64, postIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if userID == 0 || len(postIDs) == 0 {
		return out, nil
	}
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `
		SELECT post_id FROM insightful WHERE user_id = $1 AND post_id = ANY($2)`, userID, pq.Int64Array(postIDs)); err != nil {
		return nil, fmt.Errorf("marks of user %d: %w", userID, err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// lastTop is the last top-level reply of a "top" page in its order (forum.SortTop), with
// its insightful_count: the next page's cursor.
func lastTop(posts []forum.Post) (id, count int64) {
	var last *forum.Post
	for i := range posts {
		if p := &posts[i]; p.Depth == 1 && (last == nil || forum.SortTop(last, p) < 0) {
			last = p
		}
	}
	if last == nil {
		return 0, 0
	}
	return last.ID, int64(last.InsightfulCount)
}
