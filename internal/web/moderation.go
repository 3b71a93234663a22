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
	app.POST(RouteFlag, s.requireUser, s.flag)
	app.GET(RouteMyFlags, s.requireUser, s.myFlags)
	app.GET(RouteModLog, s.modLog)

	// Every /mod route passes requireUser then requireModerator: visitors are sent to log
	// in, members get 403. The route-table test walks these to prove it.
	mod := app.Group("/mod", s.requireUser, s.requireModerator)
	mod.GET(strings.TrimPrefix(RouteModQueue, "/mod"), s.queue)
	mod.POST(strings.TrimPrefix(RouteModDecide, "/mod"), s.decide)
	mod.POST(strings.TrimPrefix(RouteModSuspend, "/mod"), s.suspend)
	for route, setting := range map[string]store.ThreadSetting{
		RouteModLock: store.SettingLock, RouteModUnlock: store.SettingUnlock,
		RouteModPin: store.SettingPin, RouteModUnpin: store.SettingUnpin,
	} {
		mod.POST(strings.TrimPrefix(route, "/mod"), s.setThread(setting))
	}
}

func (s *Server) flag(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such post.")
		return
	}
	user := currentUser(c)
	if err := writable(user); err != nil {
		s.error(c, err)
		return
	}
	reason, note := c.PostForm("reason"), strings.TrimSpace(c.PostForm("note"))
	if err := forum.ValidateFlag(reason, note); err != nil {
		s.error(c, err)
		return
	}
	if _, err := s.store.FlagPost(c.Request.Context(), id, user.ID, reason, note, s.cfg.FlagThreshold); err != nil {
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
	s.html(c, http.StatusOK, "myflags", "My flags", myFlagsView{Flags: flags, Flagged: flagged})
}

type queueView struct {
	Items []forum.QueueItem
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
	s.html(c, http.StatusOK, "queue", "Review queue", queueView{Items: page.Items, Next: page.Next})
}

func (s *Server) decide(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such post.")
		return
	}
	action := c.PostForm("action")
	if err := forum.ValidateDecision(action); err != nil {
		s.error(c, err)
		return
	}
	d := store.Decision{PostID: id, ModeratorID: currentUser(c).ID, Action: action, Note: strings.TrimSpace(c.PostForm("note"))}
	if raw := c.PostForm("version"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil {
			s.errorPage(c, http.StatusBadRequest, "version must be a number.")
			return
		}
		d.SeenVersion = &v
	}
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
	mod := currentUser(c)
	target, err := s.store.UserByName(ctx, c.Param("name"))
	if err != nil {
		s.error(c, err)
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(c.PostForm("days")))
	if err != nil || days < 1 || days > 3650 {
		s.errorPage(c, http.StatusBadRequest, "days must be a whole number from 1 to 3650.")
		return
	}
	note := strings.TrimSpace(c.PostForm("note"))
	switch {
	case target.ID == mod.ID:
		s.errorPage(c, http.StatusBadRequest, "You cannot suspend yourself.")
		return
	case target.IsModerator() && mod.Role != forum.RoleAdmin:
		s.errorPage(c, http.StatusForbidden, "Only an admin can suspend a moderator.")
		return
	case note == "":
		s.errorPage(c, http.StatusBadRequest, "Give the reason in the note: the user sees it.")
		return
	}
	if err := s.store.Suspend(ctx, target.ID, mod.ID, time.Now().Add(time.Duration(days)*24*time.Hour), note); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/u/"+target.Username)
}

type modLogView struct {
	Entries   []forum.LogEntry
	Action    string
	Moderator string
	Actions   []string
	Next      int64
}

const modLogPerPage = 50

var logActions = []string{"hide_post", "restore_post", "delete_post", "dismiss_post", "edit_post",
	"lock_thread", "unlock_thread", "pin_thread", "unpin_thread", "suspend_user"}

func (s *Server) modLog(c *gin.Context) {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	v := modLogView{Action: c.Query("action"), Moderator: c.Query("moderator"), Actions: logActions}
	entries, err := s.store.ModLog(c.Request.Context(), store.LogFilter{
		Action: v.Action, Moderator: v.Moderator, Before: before, Limit: modLogPerPage + 1})
	if err != nil {
		s.error(c, err)
		return
	}
	if len(entries) > modLogPerPage {
		entries = entries[:modLogPerPage]
		v.Next = entries[modLogPerPage-1].ID
	}
	v.Entries = entries
	s.html(c, http.StatusOK, "modlog", "Moderation log", v, feedLink{Title: "Moderation log", Base: "/modlog/feed"})
}
