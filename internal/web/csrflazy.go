package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// A visitor's CSRF cookie is set only with a page that needs it.
//
// gorilla/csrf mints and signs a cookie for every request that comes without one, before
// the handler runs. For a visitor's GET of a page without a form (a thread, a listing, a
// feed) that cookie is useless, and it makes the answer personal: no shared cache may
// keep it, and the page cache could not serve it. So on safe methods the cookie gorilla
// wrote is held back here, and given to the response only when the page rendered
// carries a form with the token (render.go). Tokens are still minted from the same
// secret, so a form rendered with the cookie works exactly as before; unsafe methods
// are untouched and still checked as before.

const ctxHeldCSRFCookie = "held_csrf_cookie"

// holdCSRFCookie takes the csrf cookie gorilla/csrf just set off a safe request's
// response and keeps it in c.
func holdCSRFCookie(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead:
	default:
		return
	}
	h := c.Writer.Header()
	cookies := h.Values("Set-Cookie")
	if len(cookies) == 0 {
		return
	}
	var keep []string
	for _, v := range cookies {
		if strings.HasPrefix(v, csrfCookieName+"=") {
			c.Set(ctxHeldCSRFCookie, v)
			continue
		}
		keep = append(keep, v)
	}
	h.Del("Set-Cookie")
	for _, v := range keep {
		h.Add("Set-Cookie", v)
	}
}

// releaseCSRFCookie sets the held cookie: the response carries a form that needs it.
func releaseCSRFCookie(c *gin.Context) {
	if v := c.GetString(ctxHeldCSRFCookie); v != "" {
		c.Writer.Header().Add("Set-Cookie", v)
		c.Set(ctxHeldCSRFCookie, "")
	}
}
