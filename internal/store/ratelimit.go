package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// Take counts one event against every counter, each in its own fixed window, and
// returns each counter's count in its current window (this event included) and when that
// window ends, in the order of counters. It is one statement, so concurrent callers each
// see a distinct count and the caller can decide (forum.Attempt.Check) without a
// check-then-increment race. The counters live in PostgreSQL so every instance shares
// them.
//
// Rows are locked in key order whatever the order given, so concurrent statements over
// overlapping keys cannot deadlock. Keys must be distinct.
func (s *Store) Take(ctx context.Context, counters []forum.Counter) ([]forum.Count, error) {
	return take(ctx, s.db.SelectContext, counters)
}

// take is Take on sel: the pool (a statement of its own) or a write's transaction, where
// the count commits with the write and a refused write rolls its count back (store.NewReply.Limit).
func take(ctx context.Context, sel func(ctx context.Context, dest any, q string, args ...any) error,
	counters []forum.Counter) ([]forum.Count, error) {
	if len(counters) == 0 {
		return nil, nil
	}
	keys := make([]string, len(counters))
	secs := make([]float64, len(counters))
	at := make(map[string]int, len(counters))
	for i, c := range counters {
		if _, dup := at[c.Key]; dup {
			return nil, fmt.Errorf("rate limit: key %q given twice", c.Key)
		}
		if c.Window <= 0 {
			return nil, fmt.Errorf("rate limit %q: window %v", c.Key, c.Window)
		}
		at[c.Key] = i
		keys[i], secs[i] = c.Key, c.Window.Seconds()
	}
	var got []struct {
		Key         string    `db:"key"`
		Hits        int       `db:"hits"`
		WindowStart time.Time `db:"window_start"`
		Now         time.Time `db:"now"`
	}
	// A window that has ended starts again at one. The ON CONFLICT branch finds the
	// row's window in the input by key: EXCLUDED holds only the table's columns.
	err := sel(ctx, &got, `
		WITH input AS (SELECT * FROM unnest($1::text[], $2::float8[]) AS i(key, secs))
		INSERT INTO rate_limits AS r (key, window_start, hits)
		SELECT key, now(), 1 FROM input ORDER BY key
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN r.window_start + (SELECT secs FROM input WHERE input.key = r.key) * interval '1 second' <= now()
				THEN 1 ELSE r.hits + 1 END,
			window_start = CASE WHEN r.window_start + (SELECT secs FROM input WHERE input.key = r.key) * interval '1 second' <= now()
				THEN now() ELSE r.window_start END
		RETURNING key, hits, window_start, now() AS now`, pq.Array(keys), pq.Array(secs))
	if err != nil {
		return nil, fmt.Errorf("rate limit %q: %w", keys, err)
	}
	if len(got) != len(keys) {
		return nil, fmt.Errorf("rate limit %q: %d rows returned", keys, len(got))
	}
	counts := make([]forum.Count, len(keys))
	appNow := time.Now()
	for _, r := range got {
		// Times on this process's clock, so the caller compares like with like.
		start := appNow.Add(r.WindowStart.Sub(r.Now))
		counts[at[r.Key]] = forum.Count{Hits: r.Hits, Start: start, Until: start.Add(counters[at[r.Key]].Window)}
	}
	return counts, nil
}

// TakePaced counts one event against key when pace allows it: the row is locked, pace
// decides from the run counted so far (forum.Pace.Next), and only an allowed event is
// counted and restarts the wait. Deciding under the lock paces concurrent attempts from
// many addresses one by one.
func (s *Store) TakePaced(ctx context.Context, key string, pace forum.Pace) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		var row struct {
			Hits int       `db:"hits"`
			Last time.Time `db:"window_start"` // for a paced key: the last counted event
			Now  time.Time `db:"now"`
		}
		// An upsert that changes nothing, to lock the row whether or not it existed. The
		// clock is clock_timestamp(), not now(): now() is when this transaction began,
		// which may be before the event it queued behind.
		if err := tx.GetContext(ctx, &row, `
			INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, clock_timestamp(), 0)
			ON CONFLICT (key) DO UPDATE SET hits = r.hits
			RETURNING hits, window_start, clock_timestamp() AS now`, key); err != nil {
			return fmt.Errorf("lock rate limit %q: %w", key, err)
		}
		appNow := time.Now()
		hits, err := pace.Next(appNow, forum.Count{Hits: row.Hits, Start: appNow.Add(row.Last.Sub(row.Now))})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE rate_limits SET hits = $2, window_start = clock_timestamp() WHERE key = $1`, key, hits); err != nil {
			return fmt.Errorf("count rate limit %q: %w", key, err)
		}
		return nil
	})
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

// SweepRateLimits forgets counters untouched for longer than olderThan (the longest
// window of any limit, forum.Limits.Longest): they have expired whatever they counted.
// It keeps the table the size of recent activity.
func (s *Store) SweepRateLimits(ctx context.Context, olderThan time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx,
		`DELETE FROM rate_limits WHERE window_start < now() - $1 * interval '1 second'`, olderThan.Seconds())
	if err != nil {
		return 0, fmt.Errorf("sweep rate limits: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
