package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// noRoute answers an address no route matches. One that differs from a route's only by
// trailing slashes is redirected to that route, query kept. Gin's own redirect for this
// is off (see New): it builds the target from X-Forwarded-Prefix, a header any client
// can send, and writes its answer outside the middleware, without the security headers.
// This one builds the target from the request's own path and nothing else.
func (s *Server) noRoute(c *gin.Context) {
	if target, ok := s.withoutTrailingSlash(c.Request); ok {
		code := http.StatusMovedPermanently
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			code = http.StatusPermanentRedirect // keeps the method and body, as 301 may not
		}
		c.Redirect(code, target)
		return
	}
	s.error(c, errNoPage)
}

// errNoPage is the answer to an address that names nothing. A private feed's unknown
// token gets the very same answer, so it tells nobody whether a token ever existed.
var errNoPage = forum.Errorf(forum.ENotFound, "There is no page at this address.").T("error.no_page")

// withoutTrailingSlash is r's address without its trailing slashes, if a route of r's
// method serves that, and if it is a plain local path (forum.LocalRedirect).
func (s *Server) withoutTrailingSlash(r *http.Request) (string, bool) {
	p := r.URL.Path
	if len(p) < 2 || !strings.HasSuffix(p, "/") {
		return "", false
	}
	trimmed := strings.TrimRight(p, "/")
	target := strings.TrimRight(r.URL.EscapedPath(), "/")
	if trimmed == "" {
		trimmed, target = "/", "/"
	}
	found := false
	for _, rt := range s.engine.Routes() { // a few dozen; only trailing-slash misses get here
		if rt.Method == r.Method && routeMatches(rt.Path, trimmed) {
			found = true
			break
		}
	}
	if !found {
		return "", false
	}
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	return forum.LocalRedirect(target)
}

// routeMatches reports whether Gin's pattern (":name" one segment, "*name" the rest)
// matches path.
func routeMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, seg := range ps {
		switch {
		case strings.HasPrefix(seg, "*"):
			return true
		case i >= len(xs):
			return false
		case strings.HasPrefix(seg, ":"):
			if xs[i] == "" {
				return false
			}
		case seg != xs[i]:
			return false
		}
	}
	return len(ps) == len(xs)
}
