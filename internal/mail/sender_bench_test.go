package mail_test

import (
	"context"
	"fmt"
	"testing"

	"forum/internal/mailtest"
	"forum/internal/store"
	"forum/internal/testdb"
)

// BenchmarkSenderDrain is one sender draining 100 queued mails over SMTP (STARTTLS, AUTH)
// to the in-process server, in rounds of the default batch: the outbox's throughput per
// instance, database marks included.
func BenchmarkSenderDrain(b *testing.B) {
	db := testdb.New(b)
	st := store.New(db.DB)
	srv := mailtest.Start(b)
	s, _ := newSender(b, st, srv, nil)
	const n = 100
	ctx := context.Background()
	sent := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for i := range n {
			enqueue(b, st, store.OutMail{To: fmt.Sprintf("user%d@example.org", i), Subject: "bench"})
		}
		b.StartTimer()
		for {
			full, err := s.Round(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if !full {
				break
			}
		}
		sent += n
	}
	b.StopTimer()
	if got := len(srv.Received()); got != sent {
		b.Fatalf("%d received, want %d", got, sent)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(sent), "µs/mail")
}
