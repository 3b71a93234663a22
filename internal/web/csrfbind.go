package web

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"forum/internal/session"
)

// CSRF tokens bound to the session.
//
// gorilla/csrf keeps a per-visitor secret in its own signed cookie and accepts any token
// masked from the secret in the request's cookie. On its own that ties a token to the
// csrf cookie, not to the account: someone who can plant a cookie (a sibling subdomain,
// a plain-HTTP hop) could pair their own cookie and token with a victim's session.
//
// So for a logged-in session the secret is not the cookie's: it is
// HMAC(k, session id), with k derived from FORUM_SESSION_KEY, and gorilla/csrf is shown
// that secret in place of whatever csrf cookie the browser sent. A token therefore works
// only with the session it was minted for; login rotates the session id, so it rotates
// every token, and logout deletes the session, so its tokens die with it. Nothing is
// stored: the session id is already server-side state, and a second instance derives
// the same secret.
//
// Visitors without a session (the login and register forms) keep gorilla/csrf's own
// cookie secret. Login, registration and logout also expire that cookie, so a token
// minted before the change of identity does not come back after it.
//
// gorilla/csrf still does everything else: masking (a fresh one-time pad per page),
// reading the field or header, the Origin and Referer checks, the failure answer.

// csrfCookieName is gorilla/csrf's cookie.
const csrfCookieName = "forum_csrf"

// csrfBinding derives the session's CSRF secret and writes it in gorilla/csrf's cookie
// format: securecookie with its JSON serializer over the raw 32-byte secret, under the
// same key and cookie name the middleware is given.
type csrfBinding struct {
	key    []byte // HMAC key for session secrets, derived from the session key
	cookie *securecookie.SecureCookie
	secure bool // the Secure attribute of the cookie when it is expired
}

func newCSRFBinding(sessionKey []byte, secure bool) (*csrfBinding, error) {
	// A key of its own, so no MAC made for the session cookie can serve as a CSRF secret.
	key, err := hkdf.Key(sha256.New, sessionKey, nil, "forum csrf session binding v1", sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("derive csrf key: %w", err)
	}
	sc := securecookie.New(sessionKey, nil)
	sc.SetSerializer(securecookie.JSONEncoder{})
	return &csrfBinding{key: key, cookie: sc, secure: secure}, nil
}

// secret is the session's CSRF secret: 32 bytes, gorilla/csrf's token length.
func (b *csrfBinding) secret(sessionID string) []byte {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(sessionID))
	return m.Sum(nil)
}

// bind returns r as gorilla/csrf is to see it: for a logged-in session, with the csrf
// cookie replaced by one carrying the session's secret; otherwise unchanged.
func (b *csrfBinding) bind(r *http.Request, sess *sessions.Session) (*http.Request, error) {
	if sess == nil || sess.ID == "" || session.User(sess) == nil {
		return r, nil
	}
	return b.withSecretOf(r, sess.ID)
}

// withSecretOf returns a copy of r whose csrf cookie carries sessionID's secret.
func (b *csrfBinding) withSecretOf(r *http.Request, sessionID string) (*http.Request, error) {
	value, err := b.cookie.Encode(csrfCookieName, b.secret(sessionID))
	if err != nil {
		return nil, fmt.Errorf("encode session csrf secret: %w", err)
	}
	cookies := r.Cookies()
	r = r.Clone(r.Context())
	r.Header.Del("Cookie")
	for _, ck := range cookies {
		if ck.Name != csrfCookieName {
			r.AddCookie(ck)
		}
	}
	r.AddCookie(&http.Cookie{Name: csrfCookieName, Value: value})
	return r, nil
}

// expireCSRFCookie drops the visitor's csrf cookie when their identity changes (login,
// registration, logout): the next page mints a fresh secret for them.
func (b *csrfBinding) expireCSRFCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: csrfCookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: b.secure, SameSite: http.SameSiteLaxMode,
	})
}
