package store_test

import (
	"fmt"
	"testing"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// BenchmarkReplyWatchers writes replies into a thread watched by 0 to 1,000 people: the
// reply and its whole fan-out are one transaction whose notifications and counters are
// written by one statement each, so the cost per reply should stay nearly flat as the
// watchers grow (make bench prints the four side by side).
func BenchmarkReplyWatchers(b *testing.B) {
	for _, watchers := range []int{0, 10, 100, 1000} {
		b.Run(fmt.Sprintf("watchers=%d", watchers), func(b *testing.B) {
			db := testdb.New(b)
			st := store.New(db.DB)
			fx := fixture.New(b, st, nil)
			writer := fx.User("writer", forum.RoleMember)
			th, op := fx.Thread(writer, "A thread many people watch", "opening")
			// The watchers are written in bulk: their accounts need no password.
			if _, err := db.Exec(`
				WITH u AS (
					INSERT INTO users (username, password_hash)
					SELECT 'watcher' || g, '!' FROM generate_series(1, $1) g RETURNING id
				)
				INSERT INTO thread_watches (user_id, thread_id, level) SELECT id, $2, 'watch' FROM u`, watchers, th.ID); err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			b.ResetTimer()
			for b.Loop() {
				if _, err := st.CreateReply(ctx, store.NewReply{ThreadID: th.ID, ParentID: op.ID, AuthorID: writer.ID,
					BodySource: "news", BodyHTML: "<p>news</p>"}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var rows int
			if err := db.Get(&rows, `SELECT count(*) FROM notifications`); err != nil {
				b.Fatal(err)
			}
			if rows != watchers*b.N {
				b.Fatalf("%d notifications for %d replies to %d watchers", rows, b.N, watchers)
			}
		})
	}
}
