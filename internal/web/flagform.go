package web

import (
	"slices"

	"github.com/gin-gonic/gin"

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
	v := newFlagPage(u, p, t, flagForm{
		PostID: p.ID, CSRF: s.csrfToken(c), Reason: reason, Note: c.PostForm("note"),
		Error: errText(c, refused), Field: forum.ErrorField(refused),
	})
	if !slices.Contains(forum.FlagReasons, reason) {
		v.Form.Reason = "" // nothing to keep checked
	}
	s.rejectForm(c, refused, "flag", s.T(c, "flag.heading"), v)
}
