package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/forum"
)

// TestCSRFBoundToSession: a CSRF token works only with the session it was minted for,
// and a change of identity (login, logout) ends the tokens of the one before.
func TestCSRFBoundToSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("victim", forum.RoleMember)
	base, _ := url.Parse(e.http.URL)
	cookie := func(t *testing.T, c *client, name string) *http.Cookie {
		t.Helper()
		for _, ck := range c.http.Jar.Cookies(base) {
			if ck.Name == name {
				return ck
			}
		}
		t.Fatalf("no %s cookie", name)
		return nil
	}
	// logout posts /logout with exactly these cookies and token: a state change the
	// victim notices, since an accepted one ends their session.
	logout := func(token string, cookies ...*http.Cookie) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/logout",
			strings.NewReader(url.Values{"csrf_token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, ck := range cookies {
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
		return e.client().do(req) // a bare client: only the cookies given are sent
	}
	stillLoggedIn := func(t *testing.T, c *client) {
		t.Helper()
		resp, body := c.get("/")
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `href="/u/victim"`)
	}
	// visitor is A: a token and the csrf cookie it was masked from.
	visitor := func(t *testing.T) (string, *http.Cookie) {
		a := e.client()
		a.get("/login")
		return a.csrf, cookie(t, a, "forum_csrf")
	}

	t.Run("ForeignCookieAndTokenWithVictimSessionIs403", func(t *testing.T) {
		// What a planted cookie makes possible: A's cookie and A's matching token,
		// sent with victim B's session.
		tokenA, cookieA := visitor(t)
		b := e.login("victim")
		resp, body := logout(tokenA, cookie(t, b, "forum_session"), cookieA)
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "Reload the page and try again")
		stillLoggedIn(t, b)
	})

	t.Run("ForeignTokenWithVictimCookiesIs403", func(t *testing.T) {
		tokenA, _ := visitor(t)
		b := e.login("victim")
		resp, body := logout(tokenA, b.http.Jar.Cookies(base)...)
		wantStatus(t, resp, body, http.StatusForbidden)
		stillLoggedIn(t, b)
	})

	t.Run("PreLoginTokenDiesAtLogin", func(t *testing.T) {
		c := e.client()
		c.get("/login")
		before := c.csrf
		resp, body := c.post("/login", url.Values{"username": {"victim"}, "password": {"victim-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = c.postRaw("/logout", url.Values{"csrf_token": {before}})
		wantStatus(t, resp, body, http.StatusForbidden)
		stillLoggedIn(t, c)
	})

	t.Run("PreLoginTokenStaysDeadAfterLogout", func(t *testing.T) {
		// The visitor's own csrf cookie is replaced at login and logout, so a token from
		// before the login does not come back to life once the session is gone.
		c := e.client()
		c.get("/login")
		before := c.csrf
		resp, body := c.post("/login", url.Values{"username": {"victim"}, "password": {"victim-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		stillLoggedIn(t, c)
		resp, body = c.post("/logout", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = c.postRaw("/login", url.Values{"username": {"victim"}, "password": {"victim-password"}, "csrf_token": {before}})
		wantStatus(t, resp, body, http.StatusForbidden)
	})

	t.Run("OldTokenDiesAtLogoutAndLoginAgain", func(t *testing.T) {
		b := e.login("victim")
		tokenB := b.csrf
		// B's own token works ...
		resp, body := b.postRaw("/logout", url.Values{"csrf_token": {tokenB}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		// ... until B logs out and in again.
		resp, body = b.post("/login", url.Values{"username": {"victim"}, "password": {"victim-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		stillLoggedIn(t, b) // loads a page, so b.csrf is the new session's token
		resp, body = b.postRaw("/logout", url.Values{"csrf_token": {tokenB}})
		wantStatus(t, resp, body, http.StatusForbidden)
		stillLoggedIn(t, b)
		resp, body = b.postRaw("/logout", url.Values{"csrf_token": {b.csrf}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	})
}
