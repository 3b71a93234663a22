package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"forum/internal/forum"
	"forum/internal/session"
)

const (
	ctxRequestID = "request_id"
	ctxUser      = "user"
	ctxSession   = "session"
)

// MaxBodyBytes bounds every request body. A post's 20,000 characters, percent-encoded,
// fit well inside it.
const MaxBodyBytes = 1 << 20

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// requestID gives each request an id for the logs and the X-Request-ID header.
func requestID(c *gin.Context) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// logRequests writes one slog line per request.
func logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	slog.Log(c.Request.Context(), level, "request",
		"method", c.Request.Method, "path", loggedPath(c.Request.URL.Path), "status", c.Writer.Status(),
		"duration_ms", float64(time.Since(start).Microseconds())/1000, "request_id", c.GetString(ctxRequestID),
		"bytes", c.Writer.Size(), "client_ip", c.ClientIP())
}

// recovery turns a panic into the plain 500 page; the stack goes to the log only.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if rec := recover(); rec != nil {
			if err, ok := rec.(error); ok && err == http.ErrAbortHandler {
				panic(rec)
			}
			slog.ErrorContext(c.Request.Context(), "panic", "panic", fmt.Sprint(rec),
				"stack", string(debug.Stack()), "request_id", c.GetString(ctxRequestID))
			if !c.Writer.Written() {
				s.error(c, fmt.Errorf("panic: %v", rec)) // the plain 500 page, or JSON in the API
			}
			c.Abort()
		}
	}()
	c.Next()
}

// securityHeaders sets the headers every response carries.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Next()
}

// limitBody refuses bodies over MaxBodyBytes: at once when the length is declared, and
// by a MaxBytesReader when it is not.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > MaxBodyBytes {
		s.error(c, errBodyTooLarge)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, MaxBodyBytes)
	c.Next()
}

// loadSession attaches the session and its user, if any, to the request.
func (s *Server) loadSession(c *gin.Context) {
	sess, err := s.sessions.Get(c.Request, session.CookieName)
	if err != nil {
		s.error(c, err)
		return
	}
	c.Set(ctxSession, sess)
	if u := session.User(sess); u != nil {
		c.Set(ctxUser, u)
		s.touchSession(c, sess) // account.go: the sessions list's "last seen"
		// Whatever answers a logged-in user is theirs alone: no shared cache may keep it.
		c.Header("Cache-Control", privateNoStore)
	}
	c.Next()
}

func currentUser(c *gin.Context) *forum.User {
	u, _ := c.Get(ctxUser)
	user, _ := u.(*forum.User)
	return user
}

type ginKey struct{}

// csrfCheck runs gorilla/csrf inside the gin chain: it checks the token on every
// unsafe method and puts the token for forms into the request. It runs after
// loadSession, whose session binds the token (csrfbind.go).
func (s *Server) csrfCheck(baseURLIsHTTP bool) gin.HandlerFunc {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(ginKey{}).(*gin.Context)
		c.Request = r
		holdCSRFCookie(c) // set again only with a form that needs it (csrflazy.go)
		c.Next()
	})
	failed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(ginKey{}).(*gin.Context)
		slog.InfoContext(r.Context(), "csrf rejected", "reason", csrf.FailureReason(r), "path", loggedPath(r.URL.Path))
		s.error(c, errCSRF)
	})
	protect := csrf.Protect(s.sessionKey,
		csrf.FieldName("csrf_token"), csrf.RequestHeader("X-CSRF-Token"),
		csrf.CookieName(csrfCookieName), csrf.Path("/"), csrf.Secure(!baseURLIsHTTP),
		csrf.SameSite(csrf.SameSiteLaxMode), csrf.HttpOnly(true), csrf.ErrorHandler(failed),
	)(next)
	return func(c *gin.Context) {
		// A logged-in session's token secret is the session's, not the csrf cookie's.
		r, err := s.csrf.bind(c.Request, s.session(c))
		if err != nil {
			s.error(c, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ginKey{}, c))
		if baseURLIsHTTP {
			// Over plain HTTP there is no Referer to insist on; the token still decides.
			r = csrf.PlaintextHTTPRequest(r)
		}
		protect.ServeHTTP(c.Writer, r)
		c.Abort() // the chain already ran inside next, or was refused
	}
}

// requireUser sends visitors to the login page (or 401 for the API and non-GETs).
func (s *Server) requireUser(c *gin.Context) {
	if currentUser(c) != nil {
		c.Next()
		return
	}
	if c.Request.Method == http.MethodGet && !wantsJSON(c) {
		c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request.URL.RequestURI()))
		c.Abort()
		return
	}
	s.error(c, forum.ErrLoginRequired)
}

// requireModerator refuses members (403) and suspended moderators after requireUser
// has refused visitors. The store asks forum.MayModerate again inside each act.
func (s *Server) requireModerator(c *gin.Context) {
	if err := forum.MayModerate(currentUser(c), time.Now()); err != nil {
		s.error(c, err)
		return
	}
	c.Next()
}

// errCSRF is the answer to a state-changing request without a valid token.
var errCSRF = forum.Errorf(forum.EForbidden, "This form has expired or did not come from this site. Reload the page and try again.").T("error.csrf")
