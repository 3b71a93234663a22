package forum_test

import (
	"slices"
	"testing"

	"forum/internal/forum"
)

func TestCanMarkInsightful(t *testing.T) {
	post := func(s forum.PostStatus) *forum.Post {
		return &forum.Post{ID: 42, ThreadID: threadID, AuthorID: author.ID, Depth: 1, Status: s}
	}
	cases := []struct {
		name string
		user *forum.User
		post *forum.Post
		want error
	}{
		{"MemberMarksVisiblePost", member, post(forum.StatusVisible), nil},
		{"ModeratorMarksVisiblePost", moderator, post(forum.StatusVisible), nil},
		{"ExpiredSuspensionMarks", expiredMember, post(forum.StatusVisible), nil},
		{"VisitorMustLogIn", nil, post(forum.StatusVisible), forum.ErrLoginRequired},
		{"SuspendedMemberRefused", suspendedMember, post(forum.StatusVisible), errSuspended},
		{"OwnPostRefused", author, post(forum.StatusVisible), forum.ErrOwnInsightful},
		{"OwnPostRefusedEvenAsModerator", moderatorAuthor, post(forum.StatusVisible), forum.ErrOwnInsightful},
		{"PendingPostRefused", member, post(forum.StatusPending), forum.ErrNotMarkable},
		{"HiddenPostRefused", member, post(forum.StatusHidden), forum.ErrNotMarkable},
		{"HiddenPostRefusedForModerator", moderator, post(forum.StatusHidden), forum.ErrNotMarkable},
		{"DeletedPostRefused", member, post(forum.StatusDeleted), forum.ErrNotMarkable},
		{"RemovedPostRefused", member, post(forum.StatusRemoved), forum.ErrNotMarkable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := forum.CanMarkInsightful(c.user, c.post, now)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if got, want := forum.ErrorCode(err), forum.ErrorCode(c.want); got != want {
				t.Fatalf("code %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestSortTop(t *testing.T) {
	posts := []*forum.Post{{ID: 1, InsightfulCount: 0}, {ID: 2, InsightfulCount: 3}, {ID: 3, InsightfulCount: 3},
		{ID: 4, InsightfulCount: 5}, {ID: 5, InsightfulCount: 0}}
	slices.SortFunc(posts, forum.SortTop)
	var ids []int64
	for _, p := range posts {
		ids = append(ids, p.ID)
	}
	if want := []int64{4, 2, 3, 1, 5}; !slices.Equal(ids, want) {
		t.Fatalf("order %v, want %v (most marked first, then oldest)", ids, want)
	}
}

func TestInsightfulReason(t *testing.T) {
	if got, want := forum.ReasonInsightful.Describe("bob", ""), "bob found your post insightful"; got != want {
		t.Fatalf("Describe = %q, want %q", got, want)
	}
	if slices.Contains(forum.MailedReasons, forum.ReasonInsightful) {
		t.Fatal("insightful marks are mailed; they should stay on the site")
	}
	// Muting the marker or the thread hides it, like any notification about a post.
	if forum.NotificationShown(forum.ReasonInsightful, forum.StatusVisible, true, true, false) {
		t.Fatal("shown although its marker is muted")
	}
	if !forum.NotificationShown(forum.ReasonInsightful, forum.StatusVisible, true, false, false) {
		t.Fatal("not shown")
	}
}
