package web

import (
	"strconv"

	"forum/internal/forum"

	"github.com/gin-gonic/gin"
)

// Forum routes from DESIGN.md's public contract, plus the pages that serve them.
const (
	RouteCategory     = "/c/:slug"
	RouteThread       = "/t/:id"
	RouteThreadSlug   = "/t/:id/:slug"
	RouteNewThread    = "/new"
	RouteCreateThread = "/t"
	RouteReply        = "/t/:id/reply"
	RoutePost         = "/p/:id"
	RouteEditPost     = "/p/:id/edit"
	RouteDeletePost   = "/p/:id/delete"
	RoutePostHistory  = "/p/:id/history"
	RouteUser         = "/u/:name"
	RouteAbout        = "/about"
	RouteModLock      = "/mod/threads/:id/lock"
	RouteModUnlock    = "/mod/threads/:id/unlock"
	RouteModPin       = "/mod/threads/:id/pin"
	RouteModUnpin     = "/mod/threads/:id/unpin"
)

// A reader's own watch and mute settings (handlers in watch.go).
const (
	RouteWatchThread   = "/t/:id/watch"   // level: watch, track, none, mute
	RouteWatchCategory = "/c/:slug/watch" // level: watch, none
	RouteMuteUser      = "/u/:name/mute"
	RouteUnmuteUser    = "/u/:name/unmute"
)

func (s *Server) forumRoutes(app *gin.RouterGroup) {
	app.GET(RouteCategories, s.categories)
	app.GET(RouteCategory, s.category)
	app.GET(RouteThread, s.thread)
	app.GET(RouteThreadSlug, s.thread)
	app.GET(RouteNewThread, s.requireUser, s.newThreadForm)
	app.POST(RouteCreateThread, s.requireUser, s.createThread)
	app.POST(RouteReply, s.requireUser, s.reply)
	app.POST(RoutePreview, previewJSON, s.requireUser, s.preview)
	app.POST(RouteInsightful, previewJSON, s.requireUser, s.insightful)
	app.GET(RoutePost, s.post)
	app.GET(RouteEditPost, s.requireUser, s.editForm)
	app.POST(RouteEditPost, s.requireUser, s.edit)
	app.POST(RouteDeletePost, s.requireUser, s.deletePost)
	s.deleteRoutes(app) // the confirmation page and undo (deletes.go)
	app.GET(RoutePostHistory, s.history)
	app.GET(RouteUser, s.userPage)
	app.POST(RouteWatchThread, s.requireUser, s.watchThread)
	app.POST(RouteWatchCategory, s.requireUser, s.watchCategory)
	app.POST(RouteMuteUser, s.requireUser, s.setMute(true))
	app.POST(RouteUnmuteUser, s.requireUser, s.setMute(false))
	app.GET(RouteAbout, s.about)
	s.moderationRoutes(app)
	app.GET(RouteSearch, s.search)
	s.settingsRoutes(app)
	app.GET(RouteNotifications, s.requireUser, s.notifications)
	app.POST(RouteNotificationsRead, s.requireUser, s.markAllRead)
	app.GET(RouteEvents, s.events)
	app.HEAD(RouteEvents, s.events) // why a stream would be refused: see RouteEvents
	app.GET(RouteUnreadEvents, s.unreadEvents)
	app.HEAD(RouteUnreadEvents, s.unreadEvents)
}

// idParam parses the positive id in the path; anything else is a 404 for what it names.
func idParam(c *gin.Context, what string) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(what)
	}
	return id, nil
}

// postParam loads the post the path names; on any error it has already answered.
func (s *Server) postParam(c *gin.Context) (*forum.Post, bool) {
	id, err := idParam(c, "post")
	if err == nil {
		var p *forum.Post
		if p, err = s.store.PostByID(c.Request.Context(), id); err == nil {
			return p, true
		}
	}
	s.error(c, err)
	return nil, false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
