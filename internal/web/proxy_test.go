package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/webtest"
)

// TestClientAddressBehindProxies: the login throttle's per-address budget belongs to
// the visitor behind a trusted proxy, and to the connection's peer otherwise, where a
// made-up X-Forwarded-For changes nothing.
func TestClientAddressBehindProxies(t *testing.T) {
	t.Parallel()
	// failFrom sends one failed login claiming to come from xff, for an account nobody
	// has (so only the address's budget is spent, never an account's).
	failFrom := func(c *client, xff string, n int) (*http.Response, string) {
		c.e.t.Helper()
		if c.csrf == "" {
			c.get("/login")
		}
		form := url.Values{"username": {fmt.Sprintf("nobody%03d", n)}, "password": {"not the password"},
			"csrf_token": {c.csrf}}
		req, _ := http.NewRequest(http.MethodPost, c.e.http.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", xff)
		return c.do(req)
	}
	// exhaust fails logins, each claiming the address from(i), until one is refused
	// with 429, and returns how many were let through.
	exhaust := func(t *testing.T, c *client, from func(i int) string) int {
		t.Helper()
		for i := range 200 {
			resp, body := failFrom(c, from(i), i)
			switch resp.StatusCode {
			case http.StatusTooManyRequests:
				if resp.Header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				return i
			case http.StatusUnauthorized:
			default:
				wantStatus(t, resp, body, http.StatusUnauthorized)
			}
		}
		t.Fatal("200 failed logins from one address and none refused")
		return 0
	}

	t.Run("TrustedProxyGivesEachVisitorTheirOwnBudget", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, webtest.Options{TrustedProxies: []string{"127.0.0.0/8"}})
		c := e.client()
		// The test's requests come from 127.0.0.1, the trusted proxy: the visitor is the
		// address it adds last.
		allowed := exhaust(t, c, func(int) string { return "198.51.100.1, 203.0.113.7" })
		resp, body := failFrom(c, "203.0.113.8", 1000)
		wantStatus(t, resp, body, http.StatusUnauthorized) // another visitor: a budget of their own
		resp, body = failFrom(c, "203.0.113.7", 1001)
		wantStatus(t, resp, body, http.StatusTooManyRequests) // the first is still refused
		t.Logf("%d failed logins allowed per address", allowed)
	})

	t.Run("WithoutTrustedProxiesTheHeaderIsIgnored", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, webtest.Options{})
		c := e.client()
		// A new made-up address on every attempt: all of them are 127.0.0.1's.
		exhaust(t, c, func(i int) string { return fmt.Sprintf("203.0.113.%d", i%250+1) })
		resp, body := failFrom(c, "198.51.100.77", 1000)
		wantStatus(t, resp, body, http.StatusTooManyRequests)
	})
}
