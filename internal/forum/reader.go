package forum

// What a logged-in reader's own view of the forum adds: posts new since their last
// visit, people they muted collapsed, and the categories they watch.

import "strings"

// IsNewTo reports whether p is new to u, who last left its thread at post since (their
// read position; 0 on a first visit, when nothing is new): a visible post written after
// it by someone else. The store's first-unread query (VisitThread) asks the same.
func IsNewTo(u *User, p *Post, since int64) bool {
	return u != nil && since > 0 && p.ID > since && p.AuthorID != u.ID && p.Public()
}

// NewReplies is how many replies a listing calls new: the thread's reply count minus the
// one kept at the reader's last visit. Hidden replies lower the count, never below 0.
func NewReplies(replyCount, keptCount int) int {
	return max(replyCount-keptCount, 0)
}

// CollapsedFor reports whether p shows collapsed to u: u muted its author. A post u may
// not read shows its placeholder anyway, so it is never collapsed.
func CollapsedFor(u *User, p *Post, muted map[int64]bool) bool {
	return u != nil && muted[p.AuthorID] && CanRead(u, p)
}

// ParseCategoryWatch reads a category's watch form: "watch" (notify me of new threads)
// or "none".
func ParseCategoryWatch(s string) (bool, error) {
	switch strings.TrimSpace(s) {
	case string(WatchWatch):
		return true, nil
	case string(WatchNone):
		return false, nil
	}
	return false, Errorf(EInvalid, "level must be watch or none.").T("error.category_watch")
}
