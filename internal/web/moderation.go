package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/store"
)

// Moderation routes (DESIGN.md), plus the flagger's own page.
const (
	RouteFlag       = "/p/:id/flag"
	RouteMyFlags    = "/me/flags"
	RouteModQueue   = "/mod/flags"
	RouteModDecide  = "/mod/posts/:id/decide"
	RouteModSuspend = "/mod/users/:name/suspend"
	RouteModLog     = "/modlog"
)

func (s *Server) moderationRoutes(app *gin.RouterGroup) {
	app.GET(RouteFlag, s.requireUser, s.flagFormPage) // flagpage.go: Flag without JavaScript
	app.POST(RouteFlag, s.requireUser, s.flag)
	app.GET(RouteMyFlags, s.requireUser, s.myFlags)
	app.GET(RouteModLog, s.modLog)

	// Every /mod route passes requireUser then requireModerator: visitors are sent to log
	// in, members get 403. The route-table test walks these to prove it.
	mod := app.Group("/mod", s.requireUser, s.requireModerator)
	mod.GET(strings.TrimPrefix(RouteModQueue, "/mod"), s.queue)
	mod.POST(strings.TrimPrefix(RouteModDecide, "/mod"), s.decide)
	mod.POST(strings.TrimPrefix(RouteModSuspend, "/mod"), s.suspend)
	for route, setting := range map[string]forum.ThreadSetting{
		RouteModLock: forum.SettingLock, RouteModUnlock: forum.SettingUnlock,
		RouteModPin: forum.SettingPin, RouteModUnpin: forum.SettingUnpin,
	} {
		mod.POST(strings.TrimPrefix(route, "/mod"), s.setThread(setting))
	}
}

func (s *Server) flag(c *gin.Context) {
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
		return
	}
	reason, err := forum.ValidateFlag(c.PostForm("reason"), strings.TrimSpace(c.PostForm("note")))
	if err != nil {
		s.rejectFlag(c, id, err)
		return
	}
	if err := s.limiter.take(c.Request.Context(), s.limits.Flag(currentUser(c))); err != nil {
		s.error(c, err)
		return
	}
	// The store asks forum.CanFlag under the lock.
	if _, err := s.store.FlagPost(c.Request.Context(), id, currentUser(c).ID, reason,
		strings.TrimSpace(c.PostForm("note")), s.cfg.FlagThreshold); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, RouteMyFlags+"?flagged="+strconv.FormatInt(id, 10))
}

type myFlagsView struct {
	Flags   []forum.Flag
	Flagged int64
}

func (s *Server) myFlags(c *gin.Context) {
	flags, err := s.store.MyFlags(c.Request.Context(), currentUser(c).ID, 100)
	if err != nil {
		s.error(c, err)
		return
	}
	flagged, _ := strconv.ParseInt(c.Query("flagged"), 10, 64)
	s.html(c, http.StatusOK, "myflags", s.T(c, "myflags.heading"), myFlagsView{Flags: flags, Flagged: flagged})
}

type queueView struct {
	Items []queueCard
	Next  string
	Error string
}

const queuePerPage = 25

func (s *Server) queue(c *gin.Context) {
	page, err := s.store.Queue(c.Request.Context(), c.Query("before"), queuePerPage)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "queue", s.T(c, "nav.queue"), queueView{Items: queueCards(currentUser(c), page.Items), Next: page.Next})
}

func (s *Server) decide(c *gin.Context) {
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
		return
	}
	action, err := forum.ParseDecision(c.PostForm("action"))
	if err != nil {
		s.error(c, err)
		return
	}
	d := store.Decision{PostID: id, ModeratorID: currentUser(c).ID, Action: action, Note: strings.TrimSpace(c.PostForm("note"))}
	if err := forum.ValidateModNote(d.Note); err != nil {
		s.error(c, err)
		return
	}
	if raw := c.PostForm("version"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil {
			s.error(c, forum.Errorf(forum.EInvalid, "version must be a number.").T("error.version_number"))
			return
		}
		d.SeenVersion = &v
	}
	// The store asks forum.CanDecide and forum.StatusAfter under the lock.
	if err := s.store.Decide(c.Request.Context(), d); err != nil {
		s.error(c, err)
		return
	}
	back := safeNext(c.PostForm("next"))
	if back == "" {
		back = RouteModQueue
	}
	c.Redirect(http.StatusSeeOther, back)
}

func (s *Server) suspend(c *gin.Context) {
	ctx := c.Request.Context()
	target, err := s.store.UserByName(ctx, c.Param("name"))
	if err != nil {
		s.error(c, err)
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(c.PostForm("days")))
	if err != nil {
		days = 0 // ValidateSuspension says what a valid number is
	}
	note := strings.TrimSpace(c.PostForm("note"))
	if err := forum.ValidateSuspension(days, note); err != nil {
		s.error(c, err)
		return
	}
	// The store asks forum.CanSuspend on the target's locked row.
	until := time.Now().Add(time.Duration(days) * 24 * time.Hour)
	if err := s.store.Suspend(ctx, target.ID, currentUser(c).ID, until, note); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/u/"+target.Username)
}

type modLogView struct {
	Entries   []logLine
	Action    string
	Moderator string
	Actions   []forum.LogAction
	Next      string
}

const modLogPerPage = 50

func (s *Server) modLog(c *gin.Context) {
	v := modLogView{Action: c.Query("action"), Moderator: c.Query("moderator"), Actions: forum.LogActions}
	page, err := s.store.ModLog(c.Request.Context(), store.LogFilter{
		Action: v.Action, Moderator: v.Moderator, Before: c.Query("before"), Limit: modLogPerPage})
	if err != nil {
		s.error(c, err)
		return
	}
	v.Entries, v.Next = logLines(loc(c), currentUser(c), page.Entries), page.Next
	s.html(c, http.StatusOK, "modlog", s.T(c, "nav.modlog"), v, feedLink{Title: s.T(c, "nav.modlog"), Base: "/modlog/feed"})
}
