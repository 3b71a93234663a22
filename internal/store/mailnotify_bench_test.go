package store_test

import (
	"fmt"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// BenchmarkMailDueUsers is one poll of the notification mail job (every instance runs it
// every FORUM_MAIL_POLL) over 1,000 and 10,000 people who all have an address, mail on
// and an unread notification, but were mailed a minute ago: nobody is due, so the query
// looks at every one of them — its worst case while the forum is busy.
func BenchmarkMailDueUsers(b *testing.B) {
	for _, people := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			db := testdb.New(b)
			st := store.New(db.DB)
			fx := fixture.New(b, st, nil)
			writer := fx.User("writer", forum.RoleMember)
			th, op := fx.Thread(writer, "A thread that notified everyone", "opening")
			if _, err := db.Exec(`
				WITH u AS (
					INSERT INTO users (username, password_hash, email, mail_sent_at)
					SELECT 'reader' || g, '!', 'reader' || g || '@example.org', now() - interval '1 minute'
					FROM generate_series(1, $1) g RETURNING id
				)
				INSERT INTO notifications (user_id, post_id, thread_id, actor_id, reason)
				SELECT id, $2, $3, $4, 'watching' FROM u`, people, op.ID, th.ID, writer.ID); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Exec(`ANALYZE users; ANALYZE notifications`); err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			for b.Loop() {
				due, err := st.MailDueUsers(ctx, 10*time.Minute, 100)
				if err != nil || len(due) != 0 {
					b.Fatalf("due %v, %v", due, err)
				}
			}
		})
	}
}
