package store_test

import (
	"fmt"
	"testing"

	"forum/internal/forum"
	"forum/internal/store"
)

// notified is every notification row of a user: post id → reason.
func notified(t *testing.T, w *world, userID int64) map[int64]forum.NotifyReason {
	t.Helper()
	var rows []struct {
		PostID int64              `db:"post_id"`
		Reason forum.NotifyReason `db:"reason"`
	}
	if err := w.db.Select(&rows, `SELECT post_id, reason FROM notifications WHERE user_id = $1`, userID); err != nil {
		t.Fatal(err)
	}
	out := map[int64]forum.NotifyReason{}
	for _, r := range rows {
		if _, twice := out[r.PostID]; twice {
			t.Errorf("user %d has two notifications of post %d", userID, r.PostID)
		}
		out[r.PostID] = r.Reason
	}
	return out
}

// checkUnreadCounts holds every kept unread count equal to a recount of the rows it
// summarises through the Go rule (forum.NotificationShown), so the SQL that keeps the
// counter and the rule cannot drift apart.
func checkUnreadCounts(t *testing.T, w *world) {
	t.Helper()
	var rows []struct {
		UserID       int64              `db:"user_id"`
		Reason       forum.NotifyReason `db:"reason"`
		Status       forum.PostStatus   `db:"status"`
		Listed       bool               `db:"listed"`
		ActorMuted   bool               `db:"actor_muted"`
		ThreadMuted  bool               `db:"thread_muted"`
		Unread       bool               `db:"unread"`
		KeptUnread   int                `db:"kept"`
		Notification int64              `db:"id"`
	}
	if err := w.db.Select(&rows, `
		SELECT n.id, n.user_id, n.reason, p.status, t.visible AS listed, n.read_at IS NULL AS unread,
			EXISTS (SELECT 1 FROM user_mutes m WHERE m.user_id = n.user_id AND m.muted_id = n.actor_id) AS actor_muted,
			EXISTS (SELECT 1 FROM thread_watches x WHERE x.user_id = n.user_id AND x.thread_id = n.thread_id AND x.level = 'mute') AS thread_muted,
			COALESCE((SELECT c.notifications FROM unread_counts c WHERE c.user_id = n.user_id), 0) AS kept
		FROM notifications n JOIN posts p ON p.id = n.post_id JOIN threads t ON t.id = n.thread_id`); err != nil {
		t.Fatal(err)
	}
	want, kept := map[int64]int{}, map[int64]int{}
	for _, r := range rows {
		kept[r.UserID] = r.KeptUnread
		if r.Unread && forum.NotificationShown(r.Reason, r.Status, r.Listed, r.ActorMuted, r.ThreadMuted) {
			want[r.UserID]++
		}
	}
	for u, k := range kept {
		if k != want[u] {
			t.Errorf("user %d: kept unread count %d, recount by forum.NotificationShown %d", u, k, want[u])
		}
	}
	// And the list a user reads shows exactly those rows.
	for u := range kept {
		page, err := w.st.Notifications(t.Context(), u, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[int64]bool{}
		for _, n := range page.Notifications {
			shown[n.ID] = true
		}
		for _, r := range rows {
			if r.UserID == u && shown[r.Notification] != forum.NotificationShown(r.Reason, r.Status, r.Listed, r.ActorMuted, r.ThreadMuted) {
				t.Errorf("user %d, notification %d (%s): listed %v, rule says %v", u, r.Notification, r.Reason, shown[r.Notification], !shown[r.Notification])
			}
		}
	}
}

// TestFanOutIsTheRule writes a reply for every combination of what forum.NotifyFor asks
// about one candidate — replied to, mentioned, watch level, muted the author — and a new
// thread for every category watcher, and holds the rows the store's one-statement
// fan-out wrote equal to the rule: exactly the right people, once, with the strongest
// reason, and no one else.
func TestFanOutIsTheRule(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	writer := w.fx.User("writer", forum.RoleMember)
	opener := w.fx.User("bystander", forum.RoleMember)
	if err := w.st.SetAutoWatch(ctx, opener.ID, false); err != nil { // replied, watches nothing: notified of nothing
		t.Fatal(err)
	}
	levels := []forum.WatchLevel{forum.WatchNone, forum.WatchWatch, forum.WatchTrack, forum.WatchMute}
	i := 0
	for _, repliedTo := range []bool{false, true} {
		for _, mentioned := range []bool{false, true} {
			for _, level := range levels {
				for _, muted := range []bool{false, true} {
					i++
					c := forum.Candidate{RepliedTo: repliedTo, Mentioned: mentioned, Level: level, MutedAuthor: muted}
					t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
						r := w.fx.User(fmt.Sprintf("reader%02d", i), forum.RoleMember)
						if err := w.st.SetAutoWatch(ctx, r.ID, false); err != nil {
							t.Fatal(err)
						}
						// The writer's own thread: replying to its opening post replies to no one else.
						th, op := w.fx.Thread(writer, fmt.Sprintf("Thread number %d", i), "opening")
						w.fx.Reply(th, opener, op, "a bystander's reply", forum.StanceNone)
						parent := op
						if repliedTo {
							parent = w.fx.Reply(th, r, op, "the candidate's post", forum.StanceNone)
						}
						if level != forum.WatchNone {
							if err := w.st.SetThreadWatch(ctx, r.ID, th.ID, level); err != nil {
								t.Fatal(err)
							}
						}
						if muted {
							if err := w.st.SetMute(ctx, r.ID, writer, true); err != nil {
								t.Fatal(err)
							}
						}
						var mentions []string
						if mentioned {
							mentions = []string{r.Username}
						}
						p, err := w.st.CreateReply(ctx, store.NewReply{ThreadID: th.ID, ParentID: parent.ID, AuthorID: writer.ID,
							BodySource: "@" + r.Username, BodyHTML: "<p>x</p>", Mentions: mentions})
						if err != nil {
							t.Fatal(err)
						}
						got := notified(t, w, r.ID)[p.ID]
						if want := forum.NotifyFor(c); got != want {
							t.Errorf("notified with %q, the rule says %q", got, want)
						}
						if n := notified(t, w, writer.ID)[p.ID]; n != "" {
							t.Errorf("the author was notified of their own post (%s)", n)
						}
						if n := notified(t, w, opener.ID)[p.ID]; n != "" {
							t.Errorf("a bystander was notified (%s)", n)
						}
					})
				}
			}
		}
	}

	t.Run("CategoryWatchers", func(t *testing.T) {
		cat := w.fx.Category("announcements")
		for _, tc := range []struct {
			name      string
			mentioned bool
			muted     bool
		}{{"watcher", false, false}, {"mentionedwatcher", true, false}, {"mutingwatcher", false, true}} {
			r := w.fx.User(tc.name, forum.RoleMember)
			if err := w.st.SetCategoryWatch(ctx, r.ID, cat.ID, true); err != nil {
				t.Fatal(err)
			}
			if tc.muted {
				if err := w.st.SetMute(ctx, r.ID, writer, true); err != nil {
					t.Fatal(err)
				}
			}
			var mentions []string
			if tc.mentioned {
				mentions = []string{r.Username}
			}
			th, err := w.st.CreateThread(ctx, store.NewThread{CategoryID: cat.ID, AuthorID: writer.ID,
				Title: "A new thread for " + tc.name, BodySource: "x", BodyHTML: "<p>x</p>", Mentions: mentions})
			if err != nil {
				t.Fatal(err)
			}
			var opID int64
			if err := w.db.Get(&opID, `SELECT id FROM posts WHERE thread_id = $1 AND depth = 0`, th.ID); err != nil {
				t.Fatal(err)
			}
			want := forum.NotifyFor(forum.Candidate{Mentioned: tc.mentioned, WatchesCategory: true, MutedAuthor: tc.muted})
			if got := notified(t, w, r.ID)[opID]; got != want {
				t.Errorf("%s: notified with %q, the rule says %q", tc.name, got, want)
			}
		}
		// Someone who does not watch the category hears nothing of a new thread.
		if n := len(notified(t, w, opener.ID)); n != 0 {
			t.Errorf("the bystander has %d notifications", n)
		}
	})
	checkUnreadCounts(t, w)
}

// TestTenMentionsNotify: a post naming eleven people notifies the first ten named, once
// each; naming the same person again and replying to yourself notify nobody twice.
func TestTenMentionsNotify(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	writer := w.fx.User("writer", forum.RoleMember)
	th, op := w.fx.Thread(writer, "Who is running this year", "opening")
	var names []string
	for i := range forum.MaxMentions + 1 {
		names = append(names, w.fx.User(fmt.Sprintf("runner%02d", i), forum.RoleMember).Username)
	}
	p, err := w.st.CreateReply(ctx, store.NewReply{ThreadID: th.ID, ParentID: op.ID, AuthorID: writer.ID,
		BodySource: "many", BodyHTML: "<p>many</p>", Mentions: append(names, names[0])})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		got := notified(t, w, w.fx.UserByName(name).ID)[p.ID]
		want := forum.ReasonMention
		if i >= forum.MaxMentions {
			want = ""
		}
		if got != want {
			t.Errorf("%s (mention %d): notified with %q, want %q", name, i+1, got, want)
		}
	}
	// The writer replies to their own post, mentioning themselves: nothing.
	self := w.fx.Reply(th, writer, p, "talking to myself", forum.StanceNone)
	if n := len(notified(t, w, writer.ID)); n != 0 {
		t.Errorf("replying to yourself notified you %d times (post %d)", n, self.ID)
	}
	// An edit that names someone new notifies them as a mention; those already notified
	// of the post are not notified again.
	late := w.fx.User("latecomer", forum.RoleMember)
	if err := w.st.EditPost(ctx, p.ID, writer.ID, "many more", "<p>many more</p>", []string{names[0], late.Username}); err != nil {
		t.Fatal(err)
	}
	if got := notified(t, w, late.ID)[p.ID]; got != forum.ReasonMention {
		t.Errorf("a person newly mentioned by an edit: %q, want mention", got)
	}
	var rows int
	if err := w.db.Get(&rows, `SELECT count(*) FROM notifications WHERE user_id = $1`, w.fx.UserByName(names[0]).ID); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("the first person mentioned has %d notifications after the edit, want 1", rows)
	}
	checkUnreadCounts(t, w)
}

// TestHidingAndMutingLeaveTheCountRight: a hide takes a post's notifications out of the
// list and the kept count, a restore brings them back, muting the author or the thread
// takes theirs out, and a moderator's decision notifies the author and the flaggers.
func TestHidingAndMutingLeaveTheCountRight(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	mod := w.fx.User("moderator", forum.RoleModerator)
	alice := w.fx.User("alice", forum.RoleMember)
	bob := w.fx.User("bob", forum.RoleMember)
	carol := w.fx.User("carol", forum.RoleMember)
	th, op := w.fx.Thread(alice, "Did the reopening help", "opening")
	r1 := w.fx.Reply(th, bob, op, "first", forum.StanceNone)
	w.fx.Reply(th, carol, op, "second", forum.StanceNone)
	unread := func(u *forum.User) int {
		t.Helper()
		n, err := w.st.UnreadCount(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := unread(alice); n != 2 {
		t.Fatalf("alice's unread after two replies: %d, want 2", n)
	}
	if _, err := w.st.FlagPost(ctx, r1.ID, carol.ID, forum.ReasonSpam, "", threshold); err != nil {
		t.Fatal(err)
	}
	if err := w.st.Decide(ctx, store.Decision{PostID: r1.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}
	if n := unread(alice); n != 1 {
		t.Errorf("alice's unread after a reply was hidden: %d, want 1", n)
	}
	if got := notified(t, w, bob.ID)[r1.ID]; got != forum.ReasonModeration {
		t.Errorf("the hidden post's author: %q, want moderation", got)
	}
	if got := notified(t, w, carol.ID)[r1.ID]; got != forum.ReasonFlag {
		t.Errorf("the flagger: %q, want flag", got)
	}
	if n := len(notified(t, w, mod.ID)); n != 0 {
		t.Errorf("the moderator was notified of their own decision %d times", n)
	}
	checkUnreadCounts(t, w)
	if err := w.st.Decide(ctx, store.Decision{PostID: r1.ID, ModeratorID: mod.ID, Action: forum.DecideRestore}); err != nil {
		t.Fatal(err)
	}
	if n := unread(alice); n != 2 {
		t.Errorf("alice's unread after the restore: %d, want 2", n)
	}
	if err := w.st.SetMute(ctx, alice.ID, carol, true); err != nil {
		t.Fatal(err)
	}
	if n := unread(alice); n != 1 {
		t.Errorf("alice's unread after muting carol: %d, want 1", n)
	}
	if err := w.st.SetThreadWatch(ctx, alice.ID, th.ID, forum.WatchMute); err != nil {
		t.Fatal(err)
	}
	if n := unread(alice); n != 0 {
		t.Errorf("alice's unread after muting the thread: %d, want 0", n)
	}
	checkUnreadCounts(t, w)
	if err := w.st.SetThreadWatch(ctx, alice.ID, th.ID, forum.WatchNone); err != nil {
		t.Fatal(err)
	}
	if err := w.st.MarkNotificationsRead(ctx, alice.ID, nil); err != nil {
		t.Fatal(err)
	}
	if n := unread(alice); n != 0 {
		t.Errorf("alice's unread after mark all read: %d, want 0", n)
	}
	checkUnreadCounts(t, w)
}
