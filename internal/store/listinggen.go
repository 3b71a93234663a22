package store

import (
	"context"
	"fmt"
)

// ListingGeneration is a number that moves whenever any thread or category changes:
// the trigger of migration 00013 takes the next value of its sequence in the writing
// transaction. The visitor page cache keys listings on it, so a listing read after a
// write has committed never comes from before it. A sequence takes no row lock, so
// writers do not queue on it.
func (s *Store) ListingGeneration(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.GetContext(ctx, &n, `SELECT last_value FROM listing_generation`); err != nil {
		return 0, fmt.Errorf("listing generation: %w", err)
	}
	// Always the primary's: a standby's last_value runs up to 32 ahead of the primary's
	// (sequences log ahead), so it can stay put while threads change. And what the
	// listing shows must not be older than this number, or a replica's older listing
	// would be kept under the new key: the rest of the request reads the primary.
	primaryFromNow(ctx)
	return n, nil
}
