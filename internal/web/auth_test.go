package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/forum"
)

func TestAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("RegisterLogsIn", func(t *testing.T) {
		c := e.client()
		resp, body := c.post("/register", url.Values{"username": {"runner1"}, "password": {"long enough pw"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = c.get("/")
		wantContains(t, body, `href="/u/runner1"`, "Log out")
	})

	t.Run("DuplicateUsernameKeepsText", func(t *testing.T) {
		c := e.client()
		resp, body := c.post("/register", url.Values{"username": {"runner1"}, "password": {"another long pw"}})
		wantStatus(t, resp, body, http.StatusConflict)
		wantContains(t, body, "is taken", `value="runner1"`)
	})

	t.Run("RejectsBadRegistrations", func(t *testing.T) {
		for _, tc := range []struct{ name, user, pw, msg string }{
			{"ShortName", "ab", "long enough pw", "3–32 characters"},
			{"BadChars", "Bad Name!", "long enough pw", "3–32 characters"},
			{"ShortPassword", "shorty", "short", "at least 10"},
			{"PasswordIsName", "samesame12", "samesame12", "must not be your username"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := e.client().post("/register", url.Values{"username": {tc.user}, "password": {tc.pw}})
				wantStatus(t, resp, body, http.StatusBadRequest)
				wantContains(t, body, tc.msg)
			})
		}
	})

	t.Run("WrongPasswordAndUnknownUserSaySameThing", func(t *testing.T) {
		e.user("knownuser", forum.RoleMember)
		r1, b1 := e.client().post("/login", url.Values{"username": {"knownuser"}, "password": {"wrong password"}})
		r2, b2 := e.client().post("/login", url.Values{"username": {"nobody-here"}, "password": {"wrong password"}})
		wantStatus(t, r1, b1, http.StatusUnauthorized)
		wantStatus(t, r2, b2, http.StatusUnauthorized)
		msg := "That username and password do not match"
		wantContains(t, b1, msg, `value="knownuser"`)
		wantContains(t, b2, msg)
	})

	t.Run("LogoutRevokesTheOldCookie", func(t *testing.T) {
		e.user("leaver", forum.RoleMember)
		c := e.login("leaver")
		_, body := c.get("/")
		wantContains(t, body, `href="/u/leaver"`)
		// Keep a copy of the session cookie, as an attacker who stole it would.
		u, _ := url.Parse(e.http.URL)
		stolen := c.http.Jar.Cookies(u)
		resp, body := c.post("/logout", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)

		replay := e.client()
		replay.http.Jar.SetCookies(u, stolen)
		_, body = replay.get("/")
		if strings.Contains(body, `href="/u/leaver"`) {
			t.Fatal("the old session cookie still logs in after logout")
		}
		wantContains(t, body, "Log in")
	})

	t.Run("LoginRotatesSessionID", func(t *testing.T) {
		e.user("rotator", forum.RoleMember)
		c := e.login("rotator")
		u, _ := url.Parse(e.http.URL)
		before := sessionCookie(c, u)
		resp, body := c.post("/login", url.Values{"username": {"rotator"}, "password": {"rotator-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		after := sessionCookie(c, u)
		if before == "" || after == "" || before == after {
			t.Fatalf("session cookie not rotated at login: %q → %q", before, after)
		}
	})

	t.Run("NextStaysOnSite", func(t *testing.T) {
		e.user("traveller", forum.RoleMember)
		c := e.client()
		resp, _ := c.post("/login", url.Values{"username": {"traveller"}, "password": {"traveller-password"}, "next": {"//evil.example/x"}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Fatalf("redirected to %q, want /", loc)
		}
	})
}

func sessionCookie(c *client, u *url.URL) string {
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "forum_session" {
			return ck.Value
		}
	}
	return ""
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("member1", forum.RoleMember)

	t.Run("PostWithoutTokenIs403", func(t *testing.T) {
		c := e.client()
		c.get("/login")
		resp, body := c.postRaw("/login", url.Values{"username": {"member1"}, "password": {"member1-password"}})
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "Reload the page and try again")
	})

	t.Run("PostWithForeignTokenIs403", func(t *testing.T) {
		other := e.client()
		other.get("/login")
		c := e.client()
		c.get("/login")
		resp, body := c.postRaw("/login", url.Values{"username": {"member1"}, "password": {"member1-password"}, "csrf_token": {other.csrf}})
		wantStatus(t, resp, body, http.StatusForbidden)
	})

	t.Run("HeaderTokenWorks", func(t *testing.T) {
		c := e.login("member1")
		c.get("/")
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/logout", nil)
		req.Header.Set("X-CSRF-Token", c.csrf)
		resp, body := c.do(req)
		wantStatus(t, resp, body, http.StatusSeeOther)
	})

	t.Run("CrossOriginPostIs403", func(t *testing.T) {
		c := e.client()
		c.get("/login")
		form := url.Values{"username": {"member1"}, "password": {"member1-password"}, "csrf_token": {c.csrf}}
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		resp, body := c.do(req)
		wantStatus(t, resp, body, http.StatusForbidden)
	})
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("target", forum.RoleMember)
	c := e.client()
	for i := range 5 {
		resp, body := c.post("/login", url.Values{"username": {"target"}, "password": {"guess number " + string(rune('a'+i))}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
	}
	// Even the right password is refused while the account is throttled.
	resp, body := c.post("/login", url.Values{"username": {"target"}, "password": {"target-password"}})
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	wantContains(t, body, "Too many failed logins")

	t.Run("PerIP", func(t *testing.T) {
		// Spread failures over many accounts from one address: the per-IP limit catches it.
		c := e.client()
		var last int
		for i := range 25 {
			resp, _ := c.post("/login", url.Values{"username": {"spray" + string(rune('a'+i))}, "password": {"whatever-password"}})
			last = resp.StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Fatalf("after 25 failures from one address: status %d, want 429", last)
		}
	})
}
