package web

import (
	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/store"
)

// userPostExcerpt and parentExcerpt are how many runes of text a person's page shows of
// each of their posts and of the post it answers.
const (
	userPostExcerpt = 280
	parentExcerpt   = 120
)

// userPostLine is one post on its author's page: an excerpt, its thread, and for a
// reply the post it answers.
type userPostLine struct {
	forum.Post
	Excerpt     string
	ThreadTitle string
	ThreadSlug  string
	ReplyTo     *parentLine // nil for an opening post
}

// parentLine is the post a listed reply answers, as the viewer may see it.
type parentLine struct {
	ID          int64
	Readable    bool // forum.CanRead: its author and excerpt are shown, else its placeholder
	Author      string
	Excerpt     string
	Placeholder string
}

// userPostLines turns a page of store.UserPost into what the page shows; the store read
// them with their threads and parents in one query.
func userPostLines(u *forum.User, posts []store.UserPost) []userPostLine {
	out := make([]userPostLine, len(posts))
	for i := range posts {
		p := &posts[i]
		out[i] = userPostLine{Post: p.Post, Excerpt: feed.Excerpt(p.BodyHTML, userPostExcerpt),
			ThreadTitle: p.ThreadTitle, ThreadSlug: p.ThreadSlug}
		if p.ParentID == nil || p.Parent.ID == 0 {
			continue
		}
		pl := &parentLine{ID: p.Parent.ID, Readable: forum.CanRead(u, &p.Parent)}
		if pl.Readable {
			pl.Author, pl.Excerpt = p.Parent.AuthorName, feed.Excerpt(p.Parent.BodyHTML, parentExcerpt)
		} else {
			pl.Placeholder = p.Parent.Placeholder()
		}
		out[i].ReplyTo = pl
	}
	return out
}
