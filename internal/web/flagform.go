package web

import (
	"slices"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
)

// flagPage is a refused flag's page: the post flagged, for context, and the form with the
// user's choice and note kept and the message beside the field it concerns.
type flagPage struct {
	Thread  *forum.Thread
	PostID  int64
	Author  string // "" when the flagger may not read the post
	Excerpt string
	Form    flagForm
}

// flagExcerptRunes bounds the flagged post's excerpt on the flag page.
const flagExcerptRunes = 280

// rejectFlag re-renders the flag form for a refused flag (forum.ValidateFlag's error),
// through rejectForm, so the choice and the note survive.
func (s *Server) rejectFlag(c *gin.Context, id int64, refused error) {
	ctx := c.Request.Context()
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	u := currentUser(c)
	reason := forum.FlagReason(c.PostForm("reason"))
	v := flagPage{Thread: forum.ThreadFor(u, t), PostID: p.ID, Form: flagForm{
		PostID: p.ID, CSRF: s.csrfToken(c), Reason: reason, Note: c.PostForm("note"),
		Error: forum.ErrorMessage(refused), Field: forum.ErrorField(refused),
	}}
	if !slices.Contains(forum.FlagReasons, reason) {
		v.Form.Reason = "" // nothing to keep checked
	}
	if forum.CanRead(u, p) {
		v.Author, v.Excerpt = p.AuthorName, feed.Excerpt(p.BodyHTML, flagExcerptRunes)
	} else {
		v.Excerpt = p.Placeholder()
	}
	s.rejectForm(c, refused, "flag", "Flag a post", v)
}
