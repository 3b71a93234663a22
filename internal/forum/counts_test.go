package forum

import "testing"

func TestReplyCountFor(t *testing.T) {
	th := &Thread{ReplyCount: 230, PublicReplyCount: 227}
	member := &User{ID: 1, Role: RoleMember}
	mod := &User{ID: 2, Role: RoleModerator}
	for _, tc := range []struct {
		name string
		u    *User
		want ReplyCount
	}{
		{"VisitorCountsPublicReplies", nil, ReplyCount{Shown: 227}},
		{"MemberCountsPublicReplies", member, ReplyCount{Shown: 227}},
		{"ModeratorCountsAllWithTheHiddenApart", mod, ReplyCount{Shown: 230, Hidden: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReplyCountFor(tc.u, th); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPublicReplyDelta(t *testing.T) {
	for _, tc := range []struct {
		name     string
		depth    int
		from, to PostStatus
		want     int
	}{
		{"HideLeaves", 2, StatusVisible, StatusHidden, -1},
		{"FlagsHideLeave", 1, StatusVisible, StatusPending, -1},
		{"AuthorDeleteLeaves", 1, StatusVisible, StatusDeleted, -1},
		{"RestoreReturns", 3, StatusHidden, StatusVisible, 1},
		{"UndoDeleteReturns", 1, StatusDeleted, StatusVisible, 1},
		{"HiddenToRemovedStaysOut", 1, StatusHidden, StatusRemoved, 0},
		{"OpeningPostIsNoReply", 0, StatusVisible, StatusHidden, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PublicReplyDelta(&Post{Depth: tc.depth, Status: tc.from}, tc.to); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestPageRangeFor(t *testing.T) {
	th := &Thread{ReplyCount: 10, PublicReplyCount: 9}
	page := []Post{{Depth: 0, Status: StatusVisible}, {Depth: 1, Status: StatusVisible},
		{Depth: 2, Status: StatusHidden}, {Depth: 1, Status: StatusVisible}}
	mod := &User{ID: 2, Role: RoleModerator}
	if got, want := PageRangeFor(nil, th, 6, 5, page), (PageRange{From: 6, To: 7, Of: 9}); got != want {
		t.Errorf("visitor: got %+v, want %+v", got, want)
	}
	if got, want := PageRangeFor(mod, th, 6, 5, page), (PageRange{From: 7, To: 9, Of: 10}); got != want {
		t.Errorf("moderator: got %+v, want %+v", got, want)
	}
	if got := PageRangeFor(nil, th, 0, 0, page[:1]); got.To != 0 {
		t.Errorf("a page without replies has a range: %+v", got)
	}
}
