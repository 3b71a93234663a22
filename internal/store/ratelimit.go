package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Hit counts one event against key in a fixed window and returns the count so far in
// the current window and when that window ends. The counter lives in PostgreSQL so
// every instance shares it.
func (s *Store) Hit(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	var r struct {
		Hits        int       `db:"hits"`
		WindowStart time.Time `db:"window_start"`
	}
	err := s.db.GetContext(ctx, &r, `
		INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN r.window_start + $2 * interval '1 second' <= now() THEN 1 ELSE r.hits + 1 END,
			window_start = CASE WHEN r.window_start + $2 * interval '1 second' <= now() THEN now() ELSE r.window_start END
		RETURNING hits, window_start`, key, window.Seconds())
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("rate limit %q: %w", key, err)
	}
	return r.Hits, r.WindowStart.Add(window), nil
}

// Peek returns the count in key's current window without adding to it.
func (s *Store) Peek(ctx context.Context, key string, window time.Duration) (int, time.Time, error) {
	var r struct {
		Hits        int       `db:"hits"`
		WindowStart time.Time `db:"window_start"`
	}
	err := s.db.GetContext(ctx, &r, `
		SELECT hits, window_start FROM rate_limits
		WHERE key = $1 AND window_start + $2 * interval '1 second' > now()`, key, window.Seconds())
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, time.Time{}, nil
		}
		return 0, time.Time{}, fmt.Errorf("rate limit %q: %w", key, err)
	}
	return r.Hits, r.WindowStart.Add(window), nil
}

// ClearHits forgets key's counter (a successful login clears its account's failures).
func (s *Store) ClearHits(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear rate limit %q: %w", key, err)
	}
	return nil
}
