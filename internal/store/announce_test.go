package store_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// listen subscribes to the channels a reply announces on, on a connection of its own.
func listen(t *testing.T, url string) *pq.Listener {
	t.Helper()
	l := pq.NewListener(url, 10*time.Millisecond, time.Second, nil)
	t.Cleanup(func() { l.Close() })
	for _, ch := range []string{"thread_events", store.UserChannel} {
		if err := l.Listen(ch); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// next is the listener's next notification on the channels of listen.
func next(t *testing.T, l *pq.Listener) *pq.Notification {
	t.Helper()
	for {
		select {
		case n := <-l.Notify:
			if n != nil { // nil: the connection was re-established
				return n
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no notification within 10s")
		}
	}
}

// TestReplyIsAnnouncedAfterCommit: a reply's transaction runs no NOTIFY (PostgreSQL
// would flush the commits of such transactions one at a time); its live event and its
// recipients are announced after the commit, with the payloads listeners read.
func TestReplyIsAnnouncedAfterCommit(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	s := store.New(db.DB)
	fx := fixture.New(t, s, nil)
	ctx := t.Context()
	writer := fx.User("writer", forum.RoleMember)
	watcher := fx.User("watcher", forum.RoleMember)
	th, op := fx.Thread(watcher, "A watched thread", "opening")
	l := listen(t, db.URL)

	t.Run("TransactionSendsNothing", func(t *testing.T) {
		// The reply's own helpers, in a transaction of their own: recording the event
		// and writing the notifications announce nothing at commit. A sentinel sent after
		// the commit must be the first thing heard (notifications arrive in commit order).
		event, users, err := s.RecordReplyNews(ctx, th.ID, op.ID, writer.ID, watcher.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`SELECT pg_notify('thread_events', 'sentinel')`); err != nil {
			t.Fatal(err)
		}
		if n := next(t, l); n.Extra != "sentinel" {
			t.Fatalf("heard %q on %s from the transaction itself; want nothing before the sentinel", n.Extra, n.Channel)
		}
		if event == "" || users == "" {
			t.Fatalf("payloads to announce: event %q, users %q", event, users)
		}
	})

	t.Run("AnnouncedOnceCommitted", func(t *testing.T) {
		p, err := s.CreateReply(ctx, store.NewReply{ThreadID: th.ID, AuthorID: writer.ID,
			BodySource: "news", BodyHTML: "<p>news</p>", IdempotencyKey: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		var eventID int64
		if err := db.Get(&eventID, `SELECT id FROM thread_events WHERE post_id = $1 AND kind = 'reply'`, p.ID); err != nil {
			t.Fatal(err)
		}
		heard := map[string]string{}
		for len(heard) < 2 {
			n := next(t, l)
			heard[n.Channel] = n.Extra
		}
		var ev struct {
			ThreadID int64 `json:"thread_id"`
			EventID  int64 `json:"event_id"`
		}
		if err := json.Unmarshal([]byte(heard["thread_events"]), &ev); err != nil || ev.ThreadID != th.ID || ev.EventID != eventID {
			t.Fatalf("thread_events payload %q (%v); want thread %d, event %d", heard["thread_events"], err, th.ID, eventID)
		}
		if want := fmt.Sprintf(`{"users" : [%d]}`, watcher.ID); heard[store.UserChannel] != want {
			t.Fatalf("%s payload %q; want %q", store.UserChannel, heard[store.UserChannel], want)
		}
	})

	t.Run("ResendAnnouncesNothing", func(t *testing.T) {
		// The same form again: the first write stands and nothing new is announced.
		if _, err := s.CreateReply(ctx, store.NewReply{ThreadID: th.ID, AuthorID: writer.ID,
			BodySource: "news", BodyHTML: "<p>news</p>", IdempotencyKey: "k1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`SELECT pg_notify('thread_events', 'sentinel')`); err != nil {
			t.Fatal(err)
		}
		if n := next(t, l); n.Extra != "sentinel" {
			t.Fatalf("heard %q on %s for a resend", n.Extra, n.Channel)
		}
	})
}
