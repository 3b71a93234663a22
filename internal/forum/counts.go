package forum

// ReplyCount is a thread's reply count as one viewer is told it: Shown replies, of which
// Hidden are hidden, pending, deleted or removed (counted separately for moderators,
// who see those posts on the page; always 0 for everyone else).
type ReplyCount struct {
	Shown  int
	Hidden int
}

// ReplyCountFor is the reply count u sees for t, so that the count agrees with the page:
// visitors and members count only the replies anyone may read (a reply hidden from
// everyone but its author is not counted even for them: listings are shared pages);
// moderators, who see every reply on the page, count them all with the hidden ones named.
func ReplyCountFor(u *User, t *Thread) ReplyCount {
	if u.IsModerator() {
		return ReplyCount{Shown: t.ReplyCount, Hidden: max(t.ReplyCount-t.PublicReplyCount, 0)}
	}
	return ReplyCount{Shown: t.PublicReplyCount}
}

// PublicReplyDelta is how a post's status change moves its thread's count of public
// replies: +1 when a reply becomes readable by everyone, -1 when it stops, else 0. The
// opening post is not a reply.
func PublicReplyDelta(p *Post, next PostStatus) int {
	if p.Depth == 0 {
		return 0
	}
	was, is := p.Status == StatusVisible, next == StatusVisible
	switch {
	case is && !was:
		return 1
	case was && !is:
		return -1
	}
	return 0
}

// CountsAsReply reports whether p counts among the replies u is told of: by the same rule
// as ReplyCountFor, so a page's range and the thread's count agree.
func CountsAsReply(u *User, p *Post) bool {
	return p.Depth > 0 && (u.IsModerator() || p.Status == StatusVisible)
}

// PageRange is a paged thread's "showing replies From–To of Of". Replies are counted
// in reading order across all levels of the tree, as the viewer counts them
// (CountsAsReply): placeholders of replies the viewer may not read take no number.
type PageRange struct {
	From, To, Of int
}

// PageRangeFor counts the range of a page that shows posts after before replies (all of
// them) or beforePublic (the public ones) on the pages ahead of it. Empty (To 0) when the
// page shows no reply u counts.
func PageRangeFor(u *User, t *Thread, before, beforePublic int, posts []Post) PageRange {
	if !u.IsModerator() {
		before = beforePublic
	}
	n := 0
	for i := range posts {
		if CountsAsReply(u, &posts[i]) {
			n++
		}
	}
	if n == 0 {
		return PageRange{Of: ReplyCountFor(u, t).Shown}
	}
	return PageRange{From: before + 1, To: before + n, Of: ReplyCountFor(u, t).Shown}
}
