package store_test

import (
	"testing"
	"time"

	"forum/internal/forum"
)

// TestDeletedNameHeld: a deleted account's name, and names that read like it, are refused
// at registration for forum.NameHold after the deletion, and free after it.
func TestDeletedNameHeld(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name    string
		ago     time.Duration // when the account was deleted
		again   string        // the name asked for afterwards
		refused bool
	}{
		{"SameNameWithinHold", forum.NameHold - time.Hour, "alice", true},
		{"LookAlikeWithinHold", forum.NameHold - time.Hour, "a1ice", true},
		{"SameNameAfterHold", forum.NameHold + time.Hour, "alice", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := w.fx.User("alice", forum.RoleMember)
			then := time.Now().Add(-tc.ago)
			if err := w.st.WithClock(func() time.Time { return then }).DeleteAccount(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			_, err := w.st.CreateUser(ctx, tc.again, "hash", forum.RoleMember)
			if got := forum.ErrorCode(err) == forum.EConflict; got != tc.refused || (!tc.refused && err != nil) {
				t.Fatalf("register %q %v after the deletion: %v", tc.again, tc.ago, err)
			}
			if !tc.refused { // the next case starts from a fresh alice
				w.db.MustExec(`UPDATE users SET username = 'gone-' || id, skeleton = NULL WHERE username = $1`, tc.again)
			}
			w.db.MustExec(`DELETE FROM released_names`)
		})
	}
}

// TestDisplayNameMatchesRule holds sqlDisplayName equal to forum.DisplayName: the name a
// post shows for a live account and for a deleted one.
func TestDisplayNameMatchesRule(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	live := w.fx.User("living", forum.RoleMember)
	gone := w.fx.User("leaving", forum.RoleMember)
	_, p1 := w.fx.Thread(live, "A live author's thread", "Words.")
	_, p2 := w.fx.Thread(gone, "A leaving author's thread", "Words.")
	if err := w.st.DeleteAccount(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		postID   int64
		username string
		deleted  bool
	}{{p1.ID, "living", false}, {p2.ID, "leaving", true}} {
		p, err := w.st.PostByID(ctx, tc.postID)
		if err != nil {
			t.Fatal(err)
		}
		if want := forum.DisplayName(tc.username, tc.deleted); p.AuthorName != want {
			t.Errorf("post %d shows %q, want %q", tc.postID, p.AuthorName, want)
		}
	}
	if err := w.st.DeleteAccount(ctx, gone.ID); forum.ErrorCode(err) != forum.ENotFound {
		t.Errorf("deleting twice: %v, want not found", err)
	}
}
