package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
)

// flagFormPage is GET /p/:id/flag: the post's flag form on a page of its own, where a
// post's Flag leads without JavaScript (a thread page carries one flag form, which
// inlineforms.js copies under the post whose Flag is opened).
func (s *Server) flagFormPage(c *gin.Context) {
	p, ok := s.postParam(c)
	if !ok {
		return
	}
	u := currentUser(c)
	if err := forum.CanFlag(u, p, time.Now()); err != nil {
		s.error(c, err)
		return
	}
	t, err := s.store.ThreadByID(c.Request.Context(), p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	v := newFlagPage(u, p, t, flagForm{PostID: p.ID, CSRF: s.csrfToken(c)})
	s.html(c, http.StatusOK, "flag", s.T(c, "flag.heading"), v)
}

// newFlagPage is the flag page of p in t as u may see it, with form.
func newFlagPage(u *forum.User, p *forum.Post, t *forum.Thread, form flagForm) flagPage {
	v := flagPage{Thread: forum.ThreadFor(u, t), PostID: p.ID, Form: form}
	if forum.CanRead(u, p) {
		v.Author, v.Excerpt = p.AuthorName, feed.Excerpt(p.BodyHTML, flagExcerptRunes)
	} else {
		v.Excerpt = p.Placeholder()
	}
	return v
}
