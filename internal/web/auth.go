package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"

	"forum/internal/forum"
)

// authForm is the register and login forms' data; the username survives a rejection.
type authForm struct {
	Username string
	Email    string // registration's optional address, as typed
	Next     string
	Error    string
	ErrField string // the field Error concerns (forum.Error.Field)
}

func (s *Server) registerForm(c *gin.Context) {
	s.html(c, http.StatusOK, "register", s.T(c, "register.heading"), authForm{Next: safeNext(c.Query("next"))})
}

func (s *Server) register(c *gin.Context) {
	f := authForm{
		Username: forum.NormalizeUsername(c.PostForm("username")),
		Next:     safeNext(c.PostForm("next")),
		Email:    c.PostForm("email"),
	}
	pw := c.PostForm("password")
	reject := func(err error) {
		f.Error, f.ErrField = errText(c, err), forum.ErrorField(err)
		s.rejectForm(c, err, "register", s.T(c, "register.heading"), f)
	}
	addr := ""
	if strings.TrimSpace(f.Email) != "" {
		var err error
		if addr, err = forum.NormalizeEmail(f.Email); err != nil {
			reject(err)
			return
		}
	}
	if err := forum.ValidateNewUsername(f.Username); err != nil {
		reject(err)
		return
	}
	if err := forum.ValidatePassword(f.Username, pw); err != nil {
		reject(err)
		return
	}
	// Counted before the hash (the expensive part): a taken name still counts.
	if err := s.limiter.take(c.Request.Context(), s.limits.Registration(c.ClientIP())); err != nil {
		reject(err)
		return
	}
	hash, err := s.hasher.Hash(c.Request.Context(), pw)
	if err != nil {
		reject(err) // a busy server (503, Retry-After) keeps the form filled in
		return
	}
	user, err := s.createUser(c.Request.Context(), f.Username, hash, addr)
	if err != nil {
		reject(err) // a taken or look-alike name is a conflict shown on the form
		return
	}
	if err := s.sessions.Login(c.Request, c.Writer, s.session(c), user); err != nil {
		s.error(c, err)
		return
	}
	s.csrf.expireCSRFCookie(c)
	slog.InfoContext(c.Request.Context(), "registered", "user", user.Username)
	c.Redirect(http.StatusSeeOther, orHome(f.Next))
}

func (s *Server) loginForm(c *gin.Context) {
	s.html(c, http.StatusOK, "login", s.T(c, "login.heading"), authForm{Next: safeNext(c.Query("next"))})
}

func (s *Server) login(c *gin.Context) {
	ctx := c.Request.Context()
	f := authForm{
		// Normalised as at registration, so a full-width spelling is the same account
		// and counts against the same failure limit.
		Username: forum.NormalizeUsername(c.PostForm("username")),
		Next:     safeNext(c.PostForm("next")),
	}
	pw := c.PostForm("password")
	if len(pw) > forum.MaxPasswordLen*4 {
		pw = pw[:forum.MaxPasswordLen*4] // bound hashing work; no real password is longer
	}
	reject := func(err error) {
		f.Error = errText(c, err)
		s.rejectForm(c, err, "login", s.T(c, "login.heading"), f)
	}
	attempt := s.limits.Login(f.Username, c.ClientIP())
	pairKey, ipKey := attempt.Keys[0], attempt.Keys[1]
	accountKey := s.limits.LoginAccountKey(f.Username)

	// Count this attempt as a failure before checking the password, so concurrent
	// attempts cannot all slip under the limits; a correct password gives the counts back
	// below. First per (account, address) and per address, in one statement: a stranger's
	// failures elsewhere never refuse this address. Then the account's pace across all
	// addresses: past its free failures each attempt waits a little longer, up to a cap —
	// slowed, never locked out.
	if err := s.limiter.take(ctx, attempt); err != nil {
		reject(err)
		return
	}
	if err := s.limiter.pace(ctx, accountKey); err != nil {
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
	ok, err := s.hasher.Check(ctx, pw, hash)
	if err != nil {
		// Too busy to check: no password was tried, so the attempt gives its slots back.
		for _, key := range []string{pairKey, ipKey, accountKey} {
			if rerr := s.store.Release(ctx, key); rerr != nil {
				slog.WarnContext(ctx, "release login slot", "err", rerr)
			}
		}
		reject(err)
		return
	}
	if !ok { // the failure is already counted
		reject(forum.ErrBadLogin)
		return
	}
	// The right password forgets the failures on this account, from here and elsewhere.
	for _, key := range []string{pairKey, accountKey} {
		if err := s.store.ClearHits(ctx, key); err != nil {
			s.error(c, err)
			return
		}
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
	s.csrf.expireCSRFCookie(c) // the pre-login token dies; the session's takes over
	c.Redirect(http.StatusSeeOther, orHome(f.Next))
}

func (s *Server) logout(c *gin.Context) {
	if err := s.sessions.Logout(c.Request, c.Writer, s.session(c)); err != nil {
		s.error(c, err)
		return
	}
	s.csrf.expireCSRFCookie(c)
	c.Redirect(http.StatusSeeOther, RouteHome)
}

func (s *Server) session(c *gin.Context) *sessions.Session {
	v, _ := c.Get(ctxSession)
	sess, _ := v.(*sessions.Session)
	return sess
}

// safeNext keeps only a plain local path (forum.LocalRedirect), so ?next= cannot send
// anyone to another site however it is spelled; "" means the caller's default.
func safeNext(next string) string {
	local, _ := forum.LocalRedirect(next)
	return local
}

func orHome(next string) string {
	if next == "" {
		return RouteHome
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
