package store

import (
	"context"
	"fmt"
)

// OpenFlagCount is how many posts await review: the number in moderators' headers.
func (s *Store) OpenFlagCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n,
		`SELECT count(DISTINCT post_id) FROM flags WHERE resolved_at IS NULL`); err != nil {
		return 0, fmt.Errorf("count open flags: %w", err)
	}
	return n, nil
}
