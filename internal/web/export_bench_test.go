package web_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/web"
)

// BenchmarkExport downloads the export of an account with 10,000 and 50,000 posts over
// loopback. The export streams in batches, so the heap it needs should not grow with
// the account: heap-MB is the most the live heap rose above where it started during a
// download, and should read about the same for both sizes.
func BenchmarkExport(b *testing.B) {
	for _, posts := range []int{10000, 50000} {
		b.Run(fmt.Sprintf("posts=%d", posts), func(b *testing.B) {
			e := newEnv(b)
			u := e.user("writer", forum.RoleMember)
			th, op := e.fx.Thread(u, "A thread for the export benchmark", "opening")
			e.db.MustExec(`
				INSERT INTO posts (id, thread_id, parent_id, author_id, path, depth, top_id, body_source, body_html)
				SELECT n.id, $1, $2, $3, ARRAY[$2::bigint, n.id], 1, n.id, repeat('Words of a reply. ', 20),
					'<p>' || repeat('Words of a reply. ', 20) || '</p>'
				FROM (SELECT nextval(pg_get_serial_sequence('posts', 'id')) AS id FROM generate_series(1, $4::int)) n`,
				th.ID, op.ID, u.ID, posts)
			e.db.MustExec(`ANALYZE posts`) // as a live database's statistics would know them
			c := e.login("writer")
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			heap := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
			var peak uint64
			for b.Loop() {
				runtime.GC()
				base := heap()
				done := make(chan struct{})
				go func() { // the live heap's high-water mark while the download runs
					for {
						select {
						case <-done:
							return
						case <-time.After(time.Millisecond):
							if h := heap(); h > base && h-base > peak {
								peak = h - base
							}
						}
					}
				}()
				req, _ := http.NewRequest(http.MethodGet, e.http.URL+web.RouteSettingsExport, nil)
				resp, err := c.http.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("export: %v, %v", resp, err)
				}
				n, err := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				close(done)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(n)
			}
			b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
		})
	}
}
