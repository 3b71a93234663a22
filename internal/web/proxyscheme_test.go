package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/web"
	"forum/internal/webtest"
)

// headerTransport adds proxy headers to every request, as a reverse proxy in front would.
type headerTransport struct {
	h    map[string]string
	next http.RoundTripper
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.h {
		r.Header.Set(k, v)
	}
	next := h.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// TestBehindAProxy: behind a trusted proxy the address a session records (the device
// list) is the visitor's, the one the proxy added last; without one, made-up headers
// change nothing. Whether cookies are Secure follows FORUM_BASE_URL alone, never a
// proxy's X-Forwarded-Proto. (The login throttle's side is TestClientAddressBehindProxies.)
func TestBehindAProxy(t *testing.T) {
	t.Parallel()
	viaProxy := func(e *env, proto string) *client {
		c := e.client()
		c.http.Transport = headerTransport{h: map[string]string{
			"X-Forwarded-For": "198.51.100.4, 203.0.113.9", "X-Forwarded-Proto": proto}}
		return c
	}
	login := func(t *testing.T, c *client) *http.Response {
		t.Helper()
		resp, body := c.post(web.RouteLogin, url.Values{"username": {"ann"}, "password": {"ann-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		return resp
	}
	devices := func(t *testing.T, c *client) string {
		t.Helper()
		body := signedIn(t, c, "ann")
		rows, current := sessionRows(body)
		if current == "" {
			t.Fatalf("no current session listed:\n%.2000s", body)
		}
		return rows[current]
	}

	t.Run("TrustedProxy", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, webtest.Options{TrustedProxies: []string{"127.0.0.0/8"}})
		e.user("ann", forum.RoleMember)
		c := viaProxy(e, "https")
		resp := login(t, c)
		row := devices(t, c)
		wantContains(t, row, "203.0.113.9")
		wantAbsent(t, "the session's row", row, "127.0.0.1", "198.51.100.4")
		// The base URL is http://: a proxy saying https does not make cookies Secure,
		// which a browser reaching the forum over http would then never send back.
		for _, ck := range resp.Cookies() {
			if ck.Secure {
				t.Errorf("cookie %s is Secure with an http:// FORUM_BASE_URL (X-Forwarded-Proto: https)", ck.Name)
			}
		}
	})

	t.Run("UntrustedPeer", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, webtest.Options{})
		e.user("ann", forum.RoleMember)
		c := viaProxy(e, "https")
		login(t, c)
		row := devices(t, c)
		wantContains(t, row, "127.0.0.1")
		wantAbsent(t, "the session's row", row, "203.0.113.9", "198.51.100.4")
	})

	t.Run("HTTPSBaseURL", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, webtest.Options{BaseURL: "https://forum.test", TrustedProxies: []string{"127.0.0.0/8"}})
		// The proxy says the visitor came over http: the cookie is Secure all the same.
		resp, body := viaProxy(e, "http").get(web.RouteLogin)
		wantStatus(t, resp, body, http.StatusOK)
		var names []string
		for _, ck := range resp.Cookies() {
			names = append(names, ck.Name)
			if !ck.Secure {
				t.Errorf("cookie %s is not Secure with an https:// FORUM_BASE_URL", ck.Name)
			}
		}
		if len(names) == 0 {
			t.Fatal("the login form set no cookie to check")
		}
		t.Logf("cookies: %s", strings.Join(names, ", "))
	})
}
