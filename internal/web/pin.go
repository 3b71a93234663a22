package web

import (
	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// pinThread pins a thread in the form's optional scope ("site" or "category", the
// default): POST /mod/threads/:id/pin.
func (s *Server) pinThread(c *gin.Context, threadID int64, note string) error {
	scope, err := forum.ParsePinScope(c.PostForm("scope"))
	if err != nil {
		return err
	}
	return s.store.PinThread(c.Request.Context(), threadID, currentUser(c).ID, scope, note)
}

// pinnedHere marks the rows a listing shows pinned (forum.PinnedIn): the front page's
// site-wide pins, a category's every pin.
func pinnedHere(rows []threadRow, inCategory bool) {
	for i := range rows {
		rows[i].PinnedHere = forum.PinnedIn(&rows[i].Thread, inCategory)
	}
}
