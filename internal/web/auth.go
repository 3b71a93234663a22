package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"

	"forum/internal/forum"
)

// authForm is the register and login forms' data; the username survives a rejection.
type authForm struct {
	Username string
	Next     string
	Error    string
}

func (s *Server) registerForm(c *gin.Context) {
	s.html(c, http.StatusOK, "register", "Create an account", authForm{Next: safeNext(c.Query("next"))})
}

func (s *Server) register(c *gin.Context) {
	f := authForm{
		Username: strings.TrimSpace(strings.ToLower(c.PostForm("username"))),
		Next:     safeNext(c.PostForm("next")),
	}
	pw := c.PostForm("password")
	reject := func(err error) {
		f.Error = forum.ErrorMessage(err)
		s.rejectForm(c, err, "register", "Create an account", f)
	}
	if err := forum.ValidateUsername(f.Username); err != nil {
		reject(err)
		return
	}
	if err := forum.ValidatePassword(f.Username, pw); err != nil {
		reject(err)
		return
	}
	hash, err := s.hasher.Hash(pw)
	if err != nil {
		s.error(c, err)
		return
	}
	user, err := s.store.CreateUser(c.Request.Context(), f.Username, hash, forum.RoleMember)
	if err != nil {
		reject(err) // a taken name is a conflict shown on the form
		return
	}
	if err := s.sessions.Login(c.Request, c.Writer, s.session(c), user); err != nil {
		s.error(c, err)
		return
	}
	slog.InfoContext(c.Request.Context(), "registered", "user", user.Username)
	c.Redirect(http.StatusSeeOther, orHome(f.Next))
}

func (s *Server) loginForm(c *gin.Context) {
	s.html(c, http.StatusOK, "login", "Log in", authForm{Next: safeNext(c.Query("next"))})
}

func (s *Server) login(c *gin.Context) {
	ctx := c.Request.Context()
	f := authForm{
		Username: strings.TrimSpace(strings.ToLower(c.PostForm("username"))),
		Next:     safeNext(c.PostForm("next")),
	}
	pw := c.PostForm("password")
	if len(pw) > forum.MaxPasswordLen*4 {
		pw = pw[:forum.MaxPasswordLen*4] // bound hashing work; no real password is longer
	}
	reject := func(err error) {
		f.Error = forum.ErrorMessage(err)
		s.rejectForm(c, err, "login", "Log in", f)
	}
	keys := forum.LoginKeys(f.Username, c.ClientIP())
	accountKey, ipKey := keys[0], keys[1]

	// Count this attempt as a failure before checking the password, in one statement for
	// both counters, so concurrent attempts cannot all slip under the limits; a correct
	// password gives the slots back below.
	counts, err := s.store.Take(ctx, keys, forum.LoginWindow)
	if err != nil {
		s.error(c, err)
		return
	}
	if err := forum.CheckLimits(time.Now(), "failed logins", forum.LoginLimits(), counts); err != nil {
		reject(err)
		return
	}

	user, err := s.store.UserByName(ctx, f.Username)
	hash := ""
	if err == nil {
		hash = user.PasswordHash
	} else if forum.ErrorCode(err) != forum.ENotFound {
		s.error(c, err)
		return
	}
	// Check always runs, against a dummy hash for unknown users, so both failures take
	// the same time and say the same thing.
	if !s.hasher.Check(pw, hash) { // the failure is already counted
		reject(forum.ErrBadLogin)
		return
	}
	if err := s.store.ClearHits(ctx, accountKey); err != nil {
		s.error(c, err)
		return
	}
	// A success must not use up the address's failure budget.
	if err := s.store.Release(ctx, ipKey); err != nil {
		s.error(c, err)
		return
	}
	if err := s.sessions.Login(c.Request, c.Writer, s.session(c), user); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, orHome(f.Next))
}

func (s *Server) logout(c *gin.Context) {
	if err := s.sessions.Logout(c.Request, c.Writer, s.session(c)); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, RouteHome)
}

func (s *Server) session(c *gin.Context) *sessions.Session {
	v, _ := c.Get(ctxSession)
	sess, _ := v.(*sessions.Session)
	return sess
}

// safeNext keeps only local paths, so ?next= cannot send people to another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return ""
	}
	return next
}

func orHome(next string) string {
	if next == "" {
		return RouteHome
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
