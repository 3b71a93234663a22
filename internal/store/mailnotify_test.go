package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/store"
)

// TestMailDueMatchesRule holds the claim's SQL (sqlMailDue) equal to forum.MailDue over
// every combination of mode, address, last mail and age of the pending notifications.
func TestMailDueMatchesRule(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Millisecond)
	batch := 10 * time.Minute
	at := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	replier := w.fx.User("replier", forum.RoleMember)
	th, _ := w.fx.Thread(w.fx.User("opener", forum.RoleMember), "Mail due cases", "Where every case is replied to.")
	var want []int64
	i := 0
	for _, mode := range forum.MailModes {
		for _, address := range []bool{false, true} {
			for _, last := range []*time.Time{nil, at(time.Minute), at(batch)} {
				for _, pending := range []*time.Time{nil, at(time.Minute), at(forum.DigestPeriod + time.Minute)} {
					i++
					u := w.fx.User(fmt.Sprintf("case%02d", i), forum.RoleMember)
					// Not watching: each case's one notification is the reply to its post.
					w.db.MustExec(`UPDATE users SET auto_watch = false WHERE id = $1`, u.ID)
					w.fx.Reply(th, replier, w.fx.Reply(th, u, nil, "A post to reply to.", forum.StanceNone), "A reply.", forum.StanceNone)
					var email any
					if address {
						email = fmt.Sprintf("case%02d@example.org", i)
					}
					w.db.MustExec(`UPDATE users SET email = $2, mail_mode = $3, mail_sent_at = $4 WHERE id = $1`, u.ID, email, mode, last)
					created, read := now, any(now) // no pending notification: it was read
					if pending != nil {
						created, read = *pending, nil
					}
					w.db.MustExec(`UPDATE notifications SET created_at = $2, read_at = $3 WHERE user_id = $1`, u.ID, created, read)
					s := forum.MailState{Mode: mode, HasAddress: address, LastSent: last, OldestPending: pending}
					if forum.MailDue(s, batch, now) {
						want = append(want, u.ID)
					}
				}
			}
		}
	}
	got, err := w.st.WithClock(func() time.Time { return now }).MailDueUsers(ctx, batch, 1000)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("due by SQL %v, by forum.MailDue %v", got, want)
	}
	if len(want) == 0 || len(want) == i {
		t.Fatalf("%d of %d cases due: the cases do not tell the rule apart", len(want), i)
	}
}

// TestMailNotificationsOnce: two instances claiming the same person at once queue one
// mail between them; it lists only unread notifications the person is shown, newest
// first, bounded, and the next claim finds nothing new.
func TestMailNotificationsOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	alice := w.fx.User("alice", forum.RoleMember)
	bob := w.fx.User("bob", forum.RoleMember)
	troll := w.fx.User("troll", forum.RoleMember)
	w.db.MustExec(`UPDATE users SET email = 'alice@example.org' WHERE id = $1`, alice.ID)
	th, op := w.fx.Thread(alice, "Alice's thread", "Opening words.")
	read := w.fx.Reply(th, bob, op, "Read on the site.", forum.StanceNone)
	if err := w.st.MarkNotificationsRead(ctx, alice.ID, nil); err != nil {
		t.Fatal(err)
	}
	muted := w.fx.Reply(th, troll, op, "From someone muted.", forum.StanceNone)
	if err := w.st.SetMute(ctx, alice.ID, troll, true); err != nil {
		t.Fatal(err)
	}
	first := w.fx.Reply(th, bob, op, "First unread.", forum.StanceNone)
	second := w.fx.Reply(th, bob, op, "Second unread.", forum.StanceNone)

	r := store.MailRound{Batch: time.Hour, PerMail: 1, Users: 10}
	var mu sync.Mutex
	var batches []*store.MailBatch
	compose := func(b *store.MailBatch) (store.OutMail, error) {
		mu.Lock()
		batches = append(batches, b)
		mu.Unlock()
		return store.OutMail{Kind: "notifications", Subject: "s", Text: "t", HTML: "h"}, nil
	}
	var wg sync.WaitGroup
	for range 2 { // two instances, one person
		wg.Go(func() {
			if _, err := w.st.MailNotifications(ctx, alice.ID, r, compose); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var queued []string
	w.db.Select(&queued, `SELECT to_addr FROM mail_outbox WHERE user_id = $1`, alice.ID)
	if len(batches) != 1 || len(queued) != 1 || queued[0] != "alice@example.org" {
		t.Fatalf("%d mails composed, queued to %q; want one, to alice's address", len(batches), queued)
	}
	b := batches[0]
	if len(b.Notifications) != 1 || b.Notifications[0].Post.ID != second.ID || b.More != 1 {
		var ids []int64
		for _, n := range b.Notifications {
			ids = append(ids, n.Post.ID)
		}
		t.Fatalf("mail lists posts %v and %d more; want post %d (the newest) and 1 more (%d); never %d (read) or %d (muted)",
			ids, b.More, second.ID, first.ID, read.ID, muted.ID)
	}
	var through int64
	w.db.Get(&through, `SELECT mail_through FROM users WHERE id = $1`, alice.ID)
	if through != b.Notifications[0].ID {
		t.Errorf("mail_through %d, want the newest mailed notification %d", through, b.Notifications[0].ID)
	}
	if due, err := w.st.MailDueUsers(ctx, 0, 10); err != nil || len(due) != 0 {
		t.Errorf("due after the mail, with no batch wait: %v, %v", due, err)
	}
}
