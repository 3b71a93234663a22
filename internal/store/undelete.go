package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// UndeletePost takes back userID's own deletion of a post (forum.CanUndoDelete, asked
// under the post's lock): the post returns to the status it had before, through
// setPostStatus as every status change does, so a pending or hidden post stays so and
// the notified people's unread counts follow.
func (s *Store) UndeletePost(ctx context.Context, postID, userID int64) error {
	return s.inPostTx(ctx, postID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, userID)
		if err != nil {
			return err
		}
		t, p, err := lockPost(ctx, tx, postID)
		if err != nil {
			return err
		}
		if err := forum.CanUndoDelete(u, p, s.now()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET author_deleted = false,
			deleted_at = NULL, deleted_from = NULL, deleted_version = NULL WHERE id = $1`, postID); err != nil {
			return fmt.Errorf("undelete post %d: %w", postID, err)
		}
		notified, err := setPostStatus(ctx, tx, p, t, p.DeletedFrom)
		if err != nil {
			return err
		}
		return recountUnread(ctx, tx, notified)
	})
}
