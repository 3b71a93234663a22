package forum

import (
	"cmp"
	"time"
)

// Appreciation: one "insightful" mark per person per post, taken back by marking again.
// There is no opposite: disagreement is what a stance and a reply are for.

var (
	// ErrOwnInsightful: marking one's own post.
	ErrOwnInsightful = (&Error{Code: EForbidden, Message: "You cannot mark your own post insightful."}).T("error.insightful_own")
	// ErrNotMarkable: marking a post that is hidden, deleted or awaiting review.
	ErrNotMarkable = (&Error{Code: ENotFound, Message: "That post is not visible, so it cannot be marked insightful."}).T("error.insightful_hidden")
)

// CanMarkInsightful decides whether u may mark p insightful: an account that may write,
// on someone else's post that everyone can read. Taking one's mark back needs only
// MayWrite: a mark on a post hidden since can still be withdrawn.
func CanMarkInsightful(u *User, p *Post, now time.Time) error {
	if err := MayWrite(u, now); err != nil {
		return err
	}
	if p.Status != StatusVisible {
		return ErrNotMarkable
	}
	if p.AuthorID == u.ID {
		return ErrOwnInsightful
	}
	return nil
}

// SortTop is the "top" order of a thread's replies: most marked insightful first, then
// oldest. The store's keyset (insightful_count DESC, id) and the tree's sort of each
// level's children are this order.
func SortTop(a, b *Post) int {
	if c := cmp.Compare(b.InsightfulCount, a.InsightfulCount); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
