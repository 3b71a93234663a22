package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
			{"ShortPassword", "shorty", "short", "at least 12"},
			{"TenDigits", "shorty", "1234567890", "at least 12"},
			{"PasswordIsName", "samesame1234", "samesame1234", "must not be your username"},
			{"GuessablePassword", "alice", "alice2025alice", "too easy to guess: it is built from your username and numbers"},
			{"CommonPassword", "bobby", "password1234", "a commonly used password"},
			{"Spaces", "carol", strings.Repeat(" ", 12), "too easy to guess"},
			{"TabInPassword", "carol", "a long enough\tpassphrase", "control characters"},
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
	// Even the right password is refused from the address that failed five times for
	// this account (TestLoginElsewhere: not from another address).
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

// TestLoginThrottleUnderConcurrency fires bursts of simultaneous wrong passwords: the
// counters must count and decide in one step, so no more attempts reach the password
// check than the limits allow.
func TestLoginThrottleUnderConcurrency(t *testing.T) {
	t.Parallel()
	const burst = 64
	// The server's default limits: failures per (account, address) and per address.
	pairMax, addressMax := forum.DefaultLimits().LoginPair[0].Max, forum.DefaultLimits().LoginAddress[0].Max

	t.Run("OneAccount", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.user("besieged", forum.RoleMember)
		forms := make([]url.Values, burst)
		for i := range forms {
			forms[i] = url.Values{"username": {"besieged"}, "password": {fmt.Sprintf("wrong guess %d", i)}}
		}
		checkBurst(t, concurrentLogins(t, e, forms), pairMax)
	})

	t.Run("ManyAccountsOneAddress", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		forms := make([]url.Values, burst)
		for i := range forms {
			forms[i] = url.Values{"username": {fmt.Sprintf("nobody-%02d", i)}, "password": {"wrong password"}}
		}
		checkBurst(t, concurrentLogins(t, e, forms), addressMax)
	})

	t.Run("RightPasswordAfterFailuresLogsIn", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.user("forgetful", forum.RoleMember)
		forms := make([]url.Values, pairMax-1)
		for i := range forms {
			forms[i] = url.Values{"username": {"forgetful"}, "password": {fmt.Sprintf("wrong guess %d", i)}}
		}
		for i, r := range concurrentLogins(t, e, forms) {
			if r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d below the limit: status %d, want 401", i, r.status)
			}
		}
		e.login("forgetful")
		// The success cleared the account's failures: a full budget again.
		c := e.client()
		for i := range pairMax {
			resp, body := c.post("/login", url.Values{"username": {"forgetful"}, "password": {fmt.Sprintf("again wrong %d", i)}})
			wantStatus(t, resp, body, http.StatusUnauthorized)
		}
	})

	t.Run("SuccessesKeepAddressBudget", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.user("regular", forum.RoleMember)
		for range addressMax + 5 {
			e.login("regular") // all from one address; fails the test if refused
		}
		// The address still has its whole failure budget.
		c := e.client()
		for i := range addressMax {
			resp, body := c.post("/login", url.Values{"username": {fmt.Sprintf("stranger-%02d", i)}, "password": {"wrong password"}})
			wantStatus(t, resp, body, http.StatusUnauthorized)
		}
		resp, body := c.post("/login", url.Values{"username": {"stranger-xx"}, "password": {"wrong password"}})
		wantStatus(t, resp, body, http.StatusTooManyRequests)
	})
}

type loginResult struct {
	status     int
	retryAfter string
	body       string
	err        error
}

// concurrentLogins posts every form to /login at once from one browser (one cookie jar,
// one CSRF token, one address) and returns the answers in the order of forms.
func concurrentLogins(t *testing.T, e *env, forms []url.Values) []loginResult {
	t.Helper()
	c := e.client()
	c.get("/login") // the CSRF cookie and token, fetched once
	token := c.csrf
	if token == "" {
		t.Fatal("no CSRF token on /login")
	}
	start := make(chan struct{})
	results := make([]loginResult, len(forms))
	var wg sync.WaitGroup
	for i, form := range forms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := url.Values{"csrf_token": {token}}
			for k, v := range form {
				f[k] = v
			}
			req, err := http.NewRequest(http.MethodPost, e.http.URL+"/login", strings.NewReader(f.Encode()))
			if err != nil {
				results[i].err = err
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			<-start
			resp, err := c.http.Do(req)
			if err != nil {
				results[i].err = err
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			results[i] = loginResult{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(b), err: err}
		}()
	}
	close(start)
	wg.Wait()
	return results
}

// checkBurst wants at most limit answers of 401 (and at least one) and 429 with
// Retry-After and the login form's message for all the others.
func checkBurst(t *testing.T, results []loginResult, limit int) {
	t.Helper()
	checked := 0
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
		switch r.status {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			if r.retryAfter == "" || r.retryAfter == "0" {
				t.Errorf("request %d: 429 with Retry-After %q", i, r.retryAfter)
			}
			if !strings.Contains(r.body, "Too many failed logins") || !strings.Contains(r.body, `name="password"`) {
				t.Errorf("request %d: 429 without the login form's message", i)
			}
		default:
			t.Errorf("request %d: status %d, want 401 or 429", i, r.status)
		}
	}
	t.Logf("%d of %d concurrent wrong passwords checked (limit %d)", checked, len(results), limit)
	if checked == 0 || checked > limit {
		t.Fatalf("%d of %d concurrent wrong passwords were checked (401); want 1 to %d", checked, len(results), limit)
	}
}
