package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"forum/internal/forum"
)

// Take counts one event against every key in a fixed window and returns each key's
// count in its current window (this event included) and when that window ends, in the
// order of keys. It is one statement, so concurrent callers each see a distinct count
// and the caller can decide (forum.CheckLimits) without a check-then-increment race.
// The counters live in PostgreSQL so every instance shares them.
//
// Rows are locked in the order of keys: callers must always pass keys of the same kinds
// in the same order (forum.LoginKeys), or concurrent statements may deadlock. Keys must
// be distinct.
func (s *Store) Take(ctx context.Context, keys []string, window time.Duration) ([]forum.Count, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(keys)+1)
	args = append(args, window.Seconds())
	rows := make([]string, len(keys))
	at := make(map[string]int, len(keys))
	for i, k := range keys {
		if _, dup := at[k]; dup {
			return nil, fmt.Errorf("rate limit: key %q given twice", k)
		}
		at[k] = i
		args = append(args, k)
		rows[i] = "($" + strconv.Itoa(i+2) + ", now(), 1)"
	}
	var got []struct {
		Key         string    `db:"key"`
		Hits        int       `db:"hits"`
		WindowStart time.Time `db:"window_start"`
	}
	err := s.db.SelectContext(ctx, &got, `
		INSERT INTO rate_limits AS r (key, window_start, hits) VALUES `+strings.Join(rows, ", ")+`
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN r.window_start + $1 * interval '1 second' <= now() THEN 1 ELSE r.hits + 1 END,
			window_start = CASE WHEN r.window_start + $1 * interval '1 second' <= now() THEN now() ELSE r.window_start END
		RETURNING key, hits, window_start`, args...)
	if err != nil {
		return nil, fmt.Errorf("rate limit %q: %w", keys, err)
	}
	if len(got) != len(keys) {
		return nil, fmt.Errorf("rate limit %q: %d rows returned", keys, len(got))
	}
	counts := make([]forum.Count, len(keys))
	for _, r := range got {
		counts[at[r.Key]] = forum.Count{Hits: r.Hits, Until: r.WindowStart.Add(window)}
	}
	return counts, nil
}

// Release gives back one event taken from key (a successful login returns the slot it
// reserved against its address), never going below zero.
func (s *Store) Release(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx,
		`UPDATE rate_limits SET hits = GREATEST(hits - 1, 0) WHERE key = $1`, key); err != nil {
		return fmt.Errorf("release rate limit %q: %w", key, err)
	}
	return nil
}

// ClearHits forgets key's counter (a successful login clears its account's failures).
func (s *Store) ClearHits(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear rate limit %q: %w", key, err)
	}
	return nil
}
