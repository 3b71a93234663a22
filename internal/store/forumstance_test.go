package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/store"
)

func (w *world) forumStance(t *testing.T) forum.StanceCounts {
	t.Helper()
	fs, err := w.st.ForumStance(t.Context(), forum.ChartSince(time.Now(), forum.StanceChartWeeks))
	if err != nil {
		t.Fatal(err)
	}
	return fs.Now
}

// TestForumStance: a person counts once forum-wide, with their newest stance in any
// thread; changing moves the totals; withdrawing falls back to their newest remaining
// stance, then to none; the current week's history row follows.
func TestForumStance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.fx.User("alice", forum.RoleMember)
	bob := w.fx.User("bob", forum.RoleMember)
	a, _ := w.fx.Thread(alice, "Thread A", "Opening A")
	b, _ := w.fx.Thread(alice, "Thread B", "Opening B")
	want := func(step string, helps, hinders, mixed int) {
		t.Helper()
		if got, exp := w.forumStance(t), (forum.StanceCounts{Helps: helps, Hinders: hinders, Mixed: mixed}); got != exp {
			t.Fatalf("%s: forum-wide %+v, want %+v", step, got, exp)
		}
		checkCounters(t, w.db)
	}
	withdraw := func(th *forum.Thread, u *forum.User) {
		t.Helper()
		if _, err := w.st.CreateReply(t.Context(), store.NewReply{ThreadID: th.ID, AuthorID: u.ID,
			BodySource: "I take it back", BodyHTML: "<p>I take it back</p>", WithdrawStance: true}); err != nil {
			t.Fatal(err)
		}
	}

	want("nobody yet", 0, 0, 0)
	w.fx.Reply(a, alice, nil, "helps", forum.StanceHelps)
	want("alice helps in A", 1, 0, 0)
	w.fx.Reply(b, alice, nil, "hinders", forum.StanceHinders)
	want("alice hinders in B: once, with her newest", 0, 1, 0)
	w.fx.Reply(a, bob, nil, "mixed", forum.StanceMixed)
	want("bob mixed in A", 0, 1, 1)
	w.fx.Reply(a, alice, nil, "helps again", forum.StanceHelps)
	want("alice repeats helps in A: newest again", 1, 0, 1)
	w.fx.Reply(a, bob, nil, "changed my mind", forum.StanceHinders)
	want("bob changes to hinders", 1, 1, 0)
	withdraw(a, alice)
	want("alice withdraws in A: back to hinders in B", 0, 2, 0)
	withdraw(b, alice)
	want("alice withdraws in B: none", 0, 1, 0)

	var weekRows int
	if err := w.db.Get(&weekRows, `SELECT count(*) FROM forum_stance_weeks WHERE week = $1`,
		forum.WeekStart(time.Now()).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	if weekRows != len(forum.Stances) {
		t.Fatalf("%d history rows for this week, want one per stance", weekRows)
	}
}

// TestForumStanceConcurrentReplies: each person replies with a stance in every thread at
// once (their replies run side by side: one thread lock each), some withdrawing; nothing
// deadlocks and the totals equal a recount from the per-person rows.
func TestForumStanceConcurrentReplies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	opener := w.fx.User("opener", forum.RoleMember)
	threads := make([]*forum.Thread, 8)
	for i := range threads {
		threads[i], _ = w.fx.Thread(opener, fmt.Sprintf("Busy thread %d", i), "Opening")
	}
	people := make([]*forum.User, 4)
	for i := range people {
		people[i] = w.fx.User(fmt.Sprintf("person%d", i), forum.RoleMember)
	}
	for round := range 2 { // the second round changes and withdraws what the first took
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, len(people)*len(threads))
		for i, u := range people {
			for j, th := range threads {
				wg.Go(func() {
					<-start
					n := store.NewReply{ThreadID: th.ID, AuthorID: u.ID, BodySource: "stance", BodyHTML: "<p>stance</p>",
						Stance: forum.Stances[(i+j+round)%len(forum.Stances)]}
					if round == 1 && (i+j)%3 == 0 {
						n.Stance, n.WithdrawStance = forum.StanceNone, true
					}
					if _, err := w.st.CreateReply(t.Context(), n); err != nil {
						errs <- err
					}
				})
			}
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d reply: %v", round, err)
		}
		checkCounters(t, w.db)
	}
	if got := w.forumStance(t).Total(); got != len(people) {
		t.Fatalf("%d people counted forum-wide, want %d", got, len(people))
	}
}
