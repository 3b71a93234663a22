package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/store"
)

type userView struct {
	Person     *forum.User
	Counts     store.UserCounts // by the lists' own rules, so the numbers match them
	Threads    []threadRow
	Posts      []userPostLine
	Next       string
	CanSuspend bool // the viewer may suspend this person (forum.CanSuspend)
	CanMute    bool // the viewer may mute this person (forum.CanMute)
	Muted      bool // the viewer has muted them
	Bio        template.HTML
}

const userPostsPerPage = 30

func (s *Server) userPage(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.store.UserByName(ctx, c.Param("name"))
	if err != nil {
		s.error(c, err)
		return
	}
	before := c.Query("before")
	posts, err := s.store.UserPosts(ctx, u.ID, before, userPostsPerPage)
	if err != nil {
		s.error(c, err)
		return
	}
	counts, err := s.store.CountUserPosts(ctx, u.ID)
	if err != nil {
		s.error(c, err)
		return
	}
	viewer := currentUser(c)
	v := userView{Person: u, Counts: counts, Posts: userPostLines(viewer, posts.Posts), Next: posts.Next,
		CanSuspend: forum.CanSuspend(viewer, u, time.Now()) == nil, CanMute: forum.CanMute(viewer, u) == nil}
	if v.CanMute {
		muted, err := s.store.MutedIDs(ctx, viewer.ID)
		if err != nil {
			s.error(c, err)
			return
		}
		v.Muted = muted[u.ID]
	}
	if before == "" {
		if v.Bio, err = s.userBio(c, u.ID); err != nil {
			s.error(c, err)
			return
		}
		page, err := s.store.FindThreads(ctx, store.ThreadFilter{AuthorID: u.ID, Limit: 10})
		if err != nil {
			s.error(c, err)
			return
		}
		if v.Threads, err = s.threadRows(ctx, viewer, page.Threads); err != nil {
			s.error(c, err)
			return
		}
	}
	s.html(c, http.StatusOK, "user", u.Username, v, feedLink{Title: s.T(c, "feed.user_posts", map[string]any{"Name": u.Username}), Base: "/u/" + u.Username + "/feed"})
}
