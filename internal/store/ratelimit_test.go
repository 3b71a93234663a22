package store_test

import (
	"sync"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

func TestRateLimits(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	ctx := t.Context()

	t.Run("EachKeyCountsInItsOwnWindow", func(t *testing.T) {
		counters := []forum.Counter{{Key: "b:1m", Window: time.Minute}, {Key: "a:1h", Window: time.Hour}}
		for want := 1; want <= 3; want++ {
			counts, err := st.Take(ctx, counters)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range counts {
				left := time.Until(c.Until)
				if c.Hits != want || left <= counters[i].Window-time.Minute/2 || left > counters[i].Window {
					t.Fatalf("take %d, %s: %d hits, %v left; want %d hits and about %v left",
						want, counters[i].Key, c.Hits, left, want, counters[i].Window)
				}
			}
		}
		// An ended window starts again at one; the other keeps counting.
		if _, err := db.Exec(`UPDATE rate_limits SET window_start = now() - interval '61 seconds' WHERE key = 'b:1m'`); err != nil {
			t.Fatal(err)
		}
		counts, err := st.Take(ctx, counters)
		if err != nil {
			t.Fatal(err)
		}
		if counts[0].Hits != 1 || counts[1].Hits != 4 {
			t.Fatalf("after the minute: %d and %d hits, want 1 and 4", counts[0].Hits, counts[1].Hits)
		}
	})

	t.Run("ConcurrentTakesSeeDistinctCounts", func(t *testing.T) {
		const n = 30
		seen := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Opposite key orders: the store locks in key order, so no deadlock.
				cs := []forum.Counter{{Key: "x", Window: time.Hour}, {Key: "y", Window: time.Hour}}
				if i%2 == 1 {
					cs[0], cs[1] = cs[1], cs[0]
				}
				counts, err := st.Take(ctx, cs)
				if err != nil {
					t.Error(err)
					return
				}
				seen[i] = counts[0].Hits
			}()
		}
		wg.Wait()
		distinct := map[int]bool{}
		for _, h := range seen {
			distinct[h] = true
		}
		// Rows are locked in key order, so each take sees the same count for x and y:
		// the thirty takes saw 1 to 30, each once.
		if len(distinct) != n {
			t.Fatalf("counts %v: concurrent takes saw the same count", seen)
		}
		var x int
		if err := db.Get(&x, `SELECT hits FROM rate_limits WHERE key = 'x'`); err != nil || x != n {
			t.Fatalf("x counted %d times (%v), want %d", x, err, n)
		}
	})

	t.Run("PacedRefusalsAreNotCounted", func(t *testing.T) {
		pace := forum.Pace{Limit: forum.Limit{Name: "p", Max: 1, Window: time.Hour}, MaxDelay: time.Minute}
		if err := st.TakePaced(ctx, "paced", pace); err != nil {
			t.Fatalf("first event: %v", err)
		}
		for range 3 {
			err := st.TakePaced(ctx, "paced", pace)
			if forum.ErrorCode(err) != forum.ERateLimited {
				t.Fatalf("second event within a second: %v, want a refusal", err)
			}
		}
		var hits int
		if err := db.Get(&hits, `SELECT hits FROM rate_limits WHERE key = 'paced'`); err != nil || hits != 1 {
			t.Fatalf("hits %d (%v) after refusals, want 1", hits, err)
		}
	})

	t.Run("SweepForgetsOnlyExpiredCounters", func(t *testing.T) {
		if _, err := db.Exec(`INSERT INTO rate_limits (key, window_start, hits) VALUES ('old', now() - interval '2 days', 5)`); err != nil {
			t.Fatal(err)
		}
		n, err := st.SweepRateLimits(ctx, 24*time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("swept %d (%v), want 1", n, err)
		}
		var left int
		if err := db.Get(&left, `SELECT count(*) FROM rate_limits`); err != nil || left == 0 {
			t.Fatalf("%d counters left (%v): the sweep took current ones", left, err)
		}
	})
}
