package forum_test

import (
	"testing"
	"time"

	"forum/internal/forum"
)

func TestLogEntrySentence(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	mod := &forum.User{ID: 9, Role: forum.RoleModerator}
	author := &forum.User{ID: 2, Role: forum.RoleMember}
	inThread := func(a forum.LogAction, kind string, opening forum.PostStatus) forum.LogEntry {
		return forum.LogEntry{Action: a, TargetType: kind, TargetID: 5, ThreadID: 3, ThreadTitle: "Route talk",
			ThreadAuthorID: 2, ThreadOpening: opening, CreatedAt: at}
	}
	for _, tc := range []struct {
		name   string
		entry  forum.LogEntry
		viewer *forum.User
		want   string
		href   string
	}{
		{"HidAPost", inThread(forum.LogHidePost, "post", forum.StatusVisible), nil, "hid a post in “Route talk”", "/p/5"},
		{"Restored", inThread(forum.LogRestorePost, "post", forum.StatusVisible), nil, "restored a post in “Route talk”", "/p/5"},
		{"Deleted", inThread(forum.LogDeletePost, "post", forum.StatusVisible), nil, "deleted a post in “Route talk”", "/p/5"},
		{"Dismissed", inThread(forum.LogDismissPost, "post", forum.StatusVisible), nil, "dismissed flags on a post in “Route talk”", "/p/5"},
		{"Edited", inThread(forum.LogEditPost, "post", forum.StatusVisible), nil, "edited a post in “Route talk”", "/p/5"},
		{"Locked", inThread(forum.LogLockThread, "thread", forum.StatusVisible), nil, "locked “Route talk”", "/t/5"},
		{"Unlocked", inThread(forum.LogUnlockThread, "thread", forum.StatusVisible), nil, "unlocked “Route talk”", "/t/5"},
		{"Pinned", inThread(forum.LogPinThread, "thread", forum.StatusVisible), nil, "pinned “Route talk”", "/t/5"},
		{"Unpinned", inThread(forum.LogUnpinThread, "thread", forum.StatusVisible), nil, "unpinned “Route talk”", "/t/5"},
		{"AuthorDeletedOpeningStillListed", inThread(forum.LogLockThread, "thread", forum.StatusDeleted), nil, "locked “Route talk”", "/t/5"},
		{"HiddenThreadForVisitor", inThread(forum.LogHidePost, "post", forum.StatusHidden), nil, "hid a post in a hidden thread", "/p/5"},
		{"HiddenThreadForModerator", inThread(forum.LogHidePost, "post", forum.StatusHidden), mod, "hid a post in “Route talk”", "/p/5"},
		{"PendingThreadForItsAuthor", inThread(forum.LogLockThread, "thread", forum.StatusPending), author, "locked “Route talk”", "/t/5"},
		{"RemovedThreadForVisitor", inThread(forum.LogLockThread, "thread", forum.StatusRemoved), nil, "locked a hidden thread", "/t/5"},
		{"PostWithoutThread", forum.LogEntry{Action: forum.LogHidePost, TargetType: "post", TargetID: 5}, nil, "hid a post", "/p/5"},
		{"Suspended7Days", forum.LogEntry{Action: forum.LogSuspendUser, TargetType: "user", TargetLabel: "troll",
			Reason: "until 2026-03-08 12:00 UTC", CreatedAt: at.Add(20 * time.Second)}, nil, "suspended troll for 7 days", "/u/troll"},
		{"Suspended1Day", forum.LogEntry{Action: forum.LogSuspendUser, TargetType: "user", TargetLabel: "troll",
			Reason: "until 2026-03-02 12:00 UTC", CreatedAt: at}, nil, "suspended troll for 1 day", "/u/troll"},
		{"SuspendedDeletedAccount", forum.LogEntry{Action: forum.LogSuspendUser, TargetType: "user", TargetLabel: forum.DeletedName,
			Reason: "odd", CreatedAt: at}, nil, "suspended " + forum.DeletedName, ""},
		{"DeletedOwnAccount", forum.LogEntry{Action: forum.LogDeleteAccount, TargetType: "user", TargetLabel: "gone"}, nil, "deleted their account", ""},
		{"UnknownAction", forum.LogEntry{Action: "merge_threads", TargetType: "thread", TargetID: 5}, nil, "merge threads", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.entry.Sentence(tc.viewer)
			if s.String() != tc.want || s.Href != tc.href {
				t.Fatalf("sentence %q (href %q), want %q (href %q)", s.String(), s.Href, tc.want, tc.href)
			}
		})
	}
}

// The filter's labels: every action the log offers reads as words, never its code.
func TestLogActionNames(t *testing.T) {
	want := map[forum.LogAction]string{
		forum.LogHidePost: "hid a post", forum.LogDismissPost: "dismissed flags on a post",
		forum.LogLockThread: "locked a thread", forum.LogSuspendUser: "suspended a user",
		forum.LogDeleteAccount: "deleted their account",
	}
	for _, a := range forum.LogActions {
		name := a.Name()
		if w, ok := want[a]; ok && name != w {
			t.Errorf("%s: %q, want %q", a, name, w)
		}
		if name == string(a) || name == "" {
			t.Errorf("%s reads as its code: %q", a, name)
		}
	}
}
