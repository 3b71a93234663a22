package forum_test

import (
	"testing"
	"time"

	"forum/internal/forum"
)

func TestCanUndoDelete(t *testing.T) {
	now := time.Date(2026, 4, 6, 12, 0, 0, 0, time.UTC)
	alice := &forum.User{ID: 1, Role: forum.RoleMember}
	bob := &forum.User{ID: 2, Role: forum.RoleModerator}
	at := func(ago time.Duration) *time.Time { t := now.Add(-ago); return &t }
	deleted := func(ago time.Duration, version int) *forum.Post {
		return &forum.Post{AuthorID: 1, Status: forum.StatusDeleted, AuthorDeleted: true, DeletedAt: at(ago),
			DeletedFrom: forum.StatusVisible, ModVersion: version, DeletedVersion: 3}
	}
	for _, tc := range []struct {
		name string
		u    *forum.User
		p    *forum.Post
		want error
	}{
		{"AuthorWithinTheWindow", alice, deleted(time.Minute, 3), nil},
		{"AtTheWindowsEnd", alice, deleted(forum.UndoWindow, 3), nil},
		{"AfterTheWindow", alice, deleted(forum.UndoWindow+time.Second, 3), forum.ErrUndoExpired},
		{"SomeoneElse", bob, deleted(time.Minute, 3), forum.ErrNotYours},
		{"Visitor", nil, deleted(time.Minute, 3), forum.ErrLoginRequired},
		{"AModeratorActedSince", alice, deleted(time.Minute, 4), forum.ErrUndoModerated},
		{"NotDeleted", alice, &forum.Post{AuthorID: 1, Status: forum.StatusVisible}, forum.ErrNotDeleted},
		{"RemovedByAModerator", alice, &forum.Post{AuthorID: 1, Status: forum.StatusRemoved}, forum.ErrNotDeleted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.CanUndoDelete(tc.u, tc.p, now); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPostModActions(t *testing.T) {
	now := time.Now()
	mod := &forum.User{ID: 9, Role: forum.RoleModerator}
	member := &forum.User{ID: 8, Role: forum.RoleMember}
	labels := func(as []forum.ModAction) string {
		s := ""
		for _, a := range as {
			if s != "" {
				s += ","
			}
			s += a.Label
			if a.Destructive {
				s += "!"
			}
		}
		return s
	}
	for _, tc := range []struct {
		name string
		u    *forum.User
		p    forum.Post
		want string
	}{
		{"Visible", mod, forum.Post{AuthorID: 1, Status: forum.StatusVisible}, "Hide post,Delete post!"},
		{"Pending", mod, forum.Post{AuthorID: 1, Status: forum.StatusPending}, "Restore post,Hide post,Delete post!"},
		{"Hidden", mod, forum.Post{AuthorID: 1, Status: forum.StatusHidden}, "Restore post,Delete post!"},
		{"Removed", mod, forum.Post{AuthorID: 1, Status: forum.StatusRemoved}, "Restore post"},
		{"DeletedByAuthor", mod, forum.Post{AuthorID: 1, Status: forum.StatusDeleted, AuthorDeleted: true}, ""},
		{"OwnPost", mod, forum.Post{AuthorID: 9, Status: forum.StatusVisible}, ""},
		{"Member", member, forum.Post{AuthorID: 1, Status: forum.StatusVisible}, ""},
		{"Visitor", nil, forum.Post{AuthorID: 1, Status: forum.StatusVisible}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := labels(forum.PostModActions(tc.u, &tc.p, now)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
