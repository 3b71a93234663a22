package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// sqlStanceJoin and sqlStanceCurrent mark, in a query over posts p, whether each post's
// stance is still what its author holds in the thread (an earlier post saying the same
// as the newest is not "was"): one join on the stances primary key, no query per post.
const (
	sqlStanceJoin    = `LEFT JOIN stances st ON st.thread_id = p.thread_id AND st.user_id = p.author_id`
	sqlStanceCurrent = `COALESCE(st.stance = p.stance, false) AS stance_current`
)

// CurrentStance is the user's counted stance in the thread (forum.StanceNone without
// one): one read of the stances primary key.
func (s *Store) CurrentStance(ctx context.Context, threadID, userID int64) (forum.Stance, error) {
	var st forum.Stance
	err := s.db.GetContext(ctx, &st, `
		SELECT COALESCE((SELECT stance FROM stances WHERE thread_id = $1 AND user_id = $2), '')`, threadID, userID)
	if err != nil {
		return "", fmt.Errorf("read stance of user %d in thread %d: %w", userID, threadID, err)
	}
	return st, nil
}

// withdrawStance takes back a user's counted stance in a thread and moves the thread's
// tally; without one it does nothing. Called under the thread's lock.
func withdrawStance(ctx context.Context, tx *sqlxTx, threadID, userID int64) error {
	var old []forum.Stance
	if err := tx.SelectContext(ctx, &old, `
		DELETE FROM stances WHERE thread_id = $1 AND user_id = $2 RETURNING stance`, threadID, userID); err != nil {
		return fmt.Errorf("withdraw stance: %w", err)
	}
	if len(old) == 0 {
		return nil
	}
	// The column name comes from the fixed stance list, never from input.
	col := "stance_" + string(old[0])
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET `+col+` = `+col+` - 1 WHERE id = $1`, threadID); err != nil {
		return fmt.Errorf("untally stance: %w", err)
	}
	return moveForumStance(ctx, tx, userID) // back to their newest remaining stance, or none
}
