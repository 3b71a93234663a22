package forum_test

import (
	"testing"

	"forum/internal/forum"
)

func TestIsNewTo(t *testing.T) {
	byOther := func(id int64, s forum.PostStatus) *forum.Post {
		return &forum.Post{ID: id, AuthorID: author.ID, Status: s}
	}
	for _, tc := range []struct {
		name  string
		u     *forum.User
		p     *forum.Post
		since int64
		want  bool
	}{
		{"ReplyByOtherAfterVisit", member, byOther(11, forum.StatusVisible), 10, true},
		{"PostSeenAtVisit", member, byOther(10, forum.StatusVisible), 10, false},
		{"OlderPost", member, byOther(9, forum.StatusVisible), 10, false},
		{"FirstVisitMarksNothing", member, byOther(11, forum.StatusVisible), 0, false},
		{"OwnPost", author, byOther(11, forum.StatusVisible), 10, false},
		{"Visitor", nil, byOther(11, forum.StatusVisible), 10, false},
		{"HiddenPostEvenToModerator", moderator, byOther(11, forum.StatusHidden), 10, false},
		{"PendingPost", member, byOther(11, forum.StatusPending), 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.IsNewTo(tc.u, tc.p, tc.since); got != tc.want {
				t.Errorf("IsNewTo = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewReplies(t *testing.T) {
	for _, tc := range []struct{ count, kept, want int }{
		{5, 3, 2}, {3, 3, 0}, {2, 3, 0} /* replies hidden since */, {0, 0, 0},
	} {
		if got := forum.NewReplies(tc.count, tc.kept); got != tc.want {
			t.Errorf("NewReplies(%d, %d) = %d, want %d", tc.count, tc.kept, got, tc.want)
		}
	}
}

func TestCollapsedFor(t *testing.T) {
	muted := map[int64]bool{author.ID: true}
	visible := &forum.Post{ID: 1, AuthorID: author.ID, Status: forum.StatusVisible}
	hidden := &forum.Post{ID: 2, AuthorID: author.ID, Status: forum.StatusHidden}
	other := &forum.Post{ID: 3, AuthorID: admin.ID, Status: forum.StatusVisible}
	for _, tc := range []struct {
		name string
		u    *forum.User
		p    *forum.Post
		want bool
	}{
		{"MutedAuthor", member, visible, true},
		{"SomeoneElse", member, other, false},
		{"Visitor", nil, visible, false},
		{"UnreadableShowsPlaceholder", member, hidden, false},
		{"ModeratorReadsHiddenCollapsed", moderator, hidden, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.CollapsedFor(tc.u, tc.p, muted); got != tc.want {
				t.Errorf("CollapsedFor = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseCategoryWatch(t *testing.T) {
	for in, want := range map[string]bool{"watch": true, " none ": false} {
		if got, err := forum.ParseCategoryWatch(in); err != nil || got != want {
			t.Errorf("ParseCategoryWatch(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "track", "mute", "WATCH", "yes"} {
		if _, err := forum.ParseCategoryWatch(in); forum.ErrorCode(err) != forum.EInvalid {
			t.Errorf("ParseCategoryWatch(%q): error %v, want EInvalid", in, err)
		}
	}
}
