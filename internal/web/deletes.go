package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
)

// Safe deleting: the Delete control is a link to a confirmation page (confirm.js opens
// the same form in a dialog where JavaScript runs), and the author may undo a deletion
// for forum.UndoWindow. POST /p/:id/delete itself still needs no confirmation: the
// confirmation is the UI's, not the contract's.
const (
	RouteConfirmDelete = "/p/:id/delete" // GET: the confirmation page for RouteDeletePost
	RouteUndeletePost  = "/p/:id/undelete"
)

// confirmExcerpt is how much of the post the confirmation quotes.
const confirmExcerpt = 200

func (s *Server) deleteRoutes(app *gin.RouterGroup) {
	app.GET(RouteConfirmDelete, s.requireUser, s.confirmDelete)
	app.POST(RouteUndeletePost, s.requireUser, s.undeletePost)
}

// confirmDeleteView is the confirmation page's data.
type confirmDeleteView struct {
	Post    *forum.Post
	Thread  *forum.Thread
	Excerpt string
	Back    string // Cancel: the post in its thread
	Own     bool   // the viewer's own post: undoable (a moderator's removal is a logged act instead)
}

func (s *Server) confirmDelete(c *gin.Context) {
	ctx := c.Request.Context()
	p, ok := s.postParam(c)
	if !ok {
		return
	}
	user := currentUser(c)
	// The store asks the same rule again under the lock when the form is sent.
	if err := forum.CanDelete(user, p, time.Now()); err != nil {
		s.error(c, err)
		return
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "confirm_delete", s.T(c, "delete.heading"), confirmDeleteView{
		Post: p, Thread: forum.ThreadFor(user, t), Excerpt: feed.Excerpt(p.BodyHTML, confirmExcerpt),
		Back: postInThread(p), Own: user.ID == p.AuthorID,
	})
}

func (s *Server) undeletePost(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
		return
	}
	// The store asks forum.CanUndoDelete under the lock.
	if err := s.store.UndeletePost(ctx, id, currentUser(c).ID); err != nil {
		s.error(c, err)
		return
	}
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, postInThread(p))
}

// postInThread is the post's place in its thread's page.
func postInThread(p *forum.Post) string {
	return threadURL(p.ThreadID, "") + "#p" + strconv.FormatInt(p.ID, 10)
}
