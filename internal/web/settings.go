package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/secret"
	"forum/internal/store"
)

// Settings routes. GET /settings is in DESIGN.md's contract, and so are
// POST /settings/email and /settings/password (account.go, with the account's others).
const (
	RouteSettings              = "/settings"
	RouteSettingsNotifications = "/settings/notifications"
	RouteSettingsFeedToken     = "/settings/feed-token"
	RouteSettingsAPIToken      = "/settings/api-token"
)

func (s *Server) settingsRoutes(app *gin.RouterGroup) {
	app.GET(RouteSettings, s.requireUser, s.settings)
	app.POST(RouteSettingsNotifications, s.requireUser, s.saveNotificationSettings)
	app.POST(RouteSettingsFeedToken, s.requireUser, s.newFeedToken)
	app.POST(RouteSettingsAPIToken, s.requireUser, s.newAPIToken)
	s.accountRoutes(app)     // account.go: email, password, sessions, bio, reset
	s.accountMailRoutes(app) // accountmail.go: notification mail, unsubscribe, export, deletion
}

// settingsView is the settings page. A new token exists in clear only in the answer to
// the POST that made it: the database keeps its hash, so the page shows it this once.
type settingsView struct {
	AutoWatch bool
	Tokens    store.TokenState
	Muted     []string
	Saved     bool   // the notification setting was just saved
	APIURL    string // the notifications API, for the token's example

	NewFeedRSS, NewFeedAtom string // the private feed's URLs, just made
	NewAPIToken             string // the API token, just made

	Account accountSection // email, password, sessions, bio (account.go)
	Mail    mailSection    // notification mail, export, deletion (accountmail.go)
}

func (s *Server) settings(c *gin.Context) {
	v, err := s.settingsData(c)
	if err != nil {
		s.error(c, err)
		return
	}
	v.Saved = c.Query("saved") != ""
	s.html(c, http.StatusOK, "settings", s.T(c, "nav.settings"), v)
}

func (s *Server) settingsData(c *gin.Context) (*settingsView, error) {
	ctx := c.Request.Context()
	u := currentUser(c)
	tokens, err := s.store.Tokens(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	muted, err := s.store.MutedUsers(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	v := &settingsView{AutoWatch: u.AutoWatch, Tokens: tokens, Muted: muted,
		APIURL: s.cfg.BaseURL + RouteAPINotifications}
	if err := s.accountData(c, v); err != nil {
		return nil, err
	}
	if err := s.mailData(c, v); err != nil {
		return nil, err
	}
	return v, nil
}

// saveNotificationSettings stores the "watch threads I start or reply to" checkbox: a
// checked box sends auto_watch, an unchecked one sends nothing.
func (s *Server) saveNotificationSettings(c *gin.Context) {
	on, err := checkbox(c.PostForm("auto_watch"), "auto_watch")
	if err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.SetAutoWatch(c.Request.Context(), currentUser(c).ID, on); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, RouteSettings+"?saved=notifications#notifications")
}

// checkbox reads a checkbox field: absent or empty is off.
func checkbox(v, name string) (bool, error) {
	switch v {
	case "", "0", "off", "false":
		return false, nil
	case "1", "on", "true":
		return true, nil
	}
	return false, forum.Errorf(forum.EInvalid, "%s is a checkbox: send 1 for on, or nothing for off.", name).T("error.checkbox", "Name", name)
}

// newFeedToken makes (or remakes) the private feed's token and shows its URLs once. The
// new hash replaces the old in one statement, so the old URL answers 404 at once.
func (s *Server) newFeedToken(c *gin.Context) {
	token := secret.New()
	if err := s.store.SetFeedToken(c.Request.Context(), currentUser(c).ID, secret.Hash(token)); err != nil {
		s.error(c, err)
		return
	}
	s.showNewToken(c, func(v *settingsView) {
		base := s.cfg.BaseURL + privateFeedPrefix + token + "/notifications"
		v.NewFeedRSS, v.NewFeedAtom = base+".rss", base+".atom"
	})
}

// newAPIToken makes (or remakes) the API token and shows it once; the old one stops
// working at once.
func (s *Server) newAPIToken(c *gin.Context) {
	token := secret.New()
	if err := s.store.SetAPIToken(c.Request.Context(), currentUser(c).ID, secret.Hash(token)); err != nil {
		s.error(c, err)
		return
	}
	s.showNewToken(c, func(v *settingsView) { v.NewAPIToken = token })
}

// showNewToken answers a token's POST with the settings page carrying it. The page is
// the person's alone and not to be kept (s.html marks it private, no-store), and the
// secret must not leave in a Referer.
func (s *Server) showNewToken(c *gin.Context, set func(*settingsView)) {
	v, err := s.settingsData(c)
	if err != nil {
		s.error(c, err)
		return
	}
	set(v)
	c.Header("Referrer-Policy", "no-referrer")
	s.html(c, http.StatusOK, "settings", s.T(c, "nav.settings"), v)
}
