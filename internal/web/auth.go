package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"

	"forum/internal/forum"
)

// Login throttling: failures per account and per client address in a fixed window.
const (
	loginWindow         = 15 * time.Minute
	loginFailuresPerKey = 5
	loginFailuresPerIP  = 20
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
		s.html(c, status(forum.ErrorCode(err)), "register", "Create an account", f)
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
		s.fail(c, err)
		return
	}
	user, err := s.store.CreateUser(c.Request.Context(), f.Username, hash, forum.RoleMember)
	if forum.ErrorCode(err) == forum.EConflict {
		reject(err)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.sessions.Login(c.Request, c.Writer, s.session(c), user); err != nil {
		s.fail(c, err)
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
	accountKey, ipKey := "login:user:"+f.Username, "login:ip:"+c.ClientIP()

	// Refuse before checking the password while either counter is over its limit.
	for _, k := range []struct {
		key   string
		limit int
	}{{accountKey, loginFailuresPerKey}, {ipKey, loginFailuresPerIP}} {
		n, until, err := s.store.Peek(ctx, k.key, loginWindow)
		if err != nil {
			s.fail(c, err)
			return
		}
		if n >= k.limit {
			retryAfter(c, until)
			f.Error = fmt.Sprintf("Too many failed logins. Try again in %s.", humanDuration(time.Until(until)))
			s.html(c, http.StatusTooManyRequests, "login", "Log in", f)
			return
		}
	}

	user, err := s.store.UserByName(ctx, f.Username)
	hash := ""
	if err == nil {
		hash = user.PasswordHash
	} else if forum.ErrorCode(err) != forum.ENotFound {
		s.fail(c, err)
		return
	}
	// Check always runs, against a dummy hash for unknown users, so both failures take
	// the same time and say the same thing.
	if !s.hasher.Check(pw, hash) {
		for _, key := range []string{accountKey, ipKey} {
			if _, _, err := s.store.Hit(ctx, key, loginWindow); err != nil {
				s.fail(c, err)
				return
			}
		}
		f.Error = "That username and password do not match. Check them and try again."
		s.html(c, http.StatusUnauthorized, "login", "Log in", f)
		return
	}
	if err := s.store.ClearHits(ctx, accountKey); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.sessions.Login(c.Request, c.Writer, s.session(c), user); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, orHome(f.Next))
}

func (s *Server) logout(c *gin.Context) {
	if err := s.sessions.Logout(c.Request, c.Writer, s.session(c)); err != nil {
		s.fail(c, err)
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

func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return plural(max(int(d.Seconds()), 1), "second")
	}
	return plural(int(d.Minutes()+0.5), "minute")
}
