package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// BenchmarkReplyConcurrent writes replies as 32 people at once through the pool `forum
// serve` opens (its default size and write slots), spread over 64 threads or all into
// one: the store's half of make bench's posting scenarios, without HTTP. It reports
// replies/s; on a database with fsync on, the commits' flushes and the statements' round
// trips are most of the cost.
func BenchmarkReplyConcurrent(b *testing.B) {
	for _, threads := range []int{64, 1} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			db := testdb.New(b)
			opts := store.Options{MaxConns: 20, PoolWait: 2 * time.Second, WritersPerThread: 4}
			pool, err := store.Open(b.Context(), db.URL, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { pool.Close() })
			st := store.NewBounded(pool, opts)
			fx := fixture.New(b, st, nil)
			writers := make([]*forum.User, 32)
			for i := range writers {
				writers[i] = fx.User(fmt.Sprintf("writer%d", i), forum.RoleMember)
			}
			ths := make([]*forum.Thread, threads)
			for i := range ths {
				ths[i], _ = fx.Thread(writers[i%len(writers)], fmt.Sprintf("Thread %d", i), "opening")
			}
			var next atomic.Int64
			b.SetParallelism((32 + 1) / 2) // GOMAXPROCS is 2 here: 32 writers
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					th := ths[int(i)%len(ths)]
					w := writers[int(i)%len(writers)]
					if _, err := st.CreateReply(b.Context(), store.NewReply{ThreadID: th.ID, AuthorID: w.ID,
						BodySource: "news", BodyHTML: "<p>news</p>", IdempotencyKey: fmt.Sprintf("k%d", i)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "replies/s")
		})
	}
}
