package web

import (
	"time"

	"forum/internal/feed"
	"forum/internal/forum"
)

// ancestorExcerpt is how many runes of an ancestor's text its one-line summary shows.
const ancestorExcerpt = 90

// ancestorLine is one of a permalink page's collapsed ancestors: a one-line summary
// linking to the ancestor's own page, or its placeholder when the viewer may not read it.
type ancestorLine struct {
	ID          int64
	Depth       int
	Readable    bool // forum.CanRead: author and excerpt shown
	Author      string
	CreatedAt   time.Time
	Excerpt     string // plain text (feed.Excerpt of the stored HTML)
	Placeholder string
}

// splitAncestors cuts a permalink page's posts (in path order: the opening post, the
// focused post's ancestors, the focused post and its replies, as store.Subtree reads
// them) and returns the ancestors' one-line summaries, opening post first.
func ancestorLines(u *forum.User, posts []forum.Post, focus *forum.Post) []ancestorLine {
	var lines []ancestorLine
	i := 0
	for ; i < len(posts) && posts[i].Depth < focus.Depth; i++ {
		p := &posts[i]
		line := ancestorLine{ID: p.ID, Depth: p.Depth, Readable: forum.CanRead(u, p), CreatedAt: p.CreatedAt}
		if line.Readable {
			line.Author, line.Excerpt = p.AuthorName, feed.Excerpt(p.BodyHTML, ancestorExcerpt)
		} else {
			line.Placeholder = p.Placeholder()
		}
		lines = append(lines, line)
	}
	return lines
}

// findNode is the node of post id in a tree, or nil.
func findNode(n *node, id int64) *node {
	if n.Post.ID == id {
		return n
	}
	for _, c := range n.Children {
		if f := findNode(c, id); f != nil {
			return f
		}
	}
	return nil
}

// permalinkTitle names a post's author and its thread: "NAME’s post in “TITLE”".
func permalinkTitle(p *forum.Post, t *forum.Thread) string {
	return p.AuthorName + "’s post in “" + t.Title + "”"
}
