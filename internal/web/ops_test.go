package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lib/pq"

	"forum/internal/testdb"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Gin's own answers too: a trailing-slash redirect, a static file, a feed, the API.
	for _, path := range []string{"/", "/login", "/no-such-page", "/healthz", "/about/", "/static/style.css",
		"/feed.rss", "/api/v1/threads", "/api/v1/posts/%00"} {
		resp, _ := e.client().get(path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", path, got)
		}
		if resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: no Referrer-Policy", path)
		}
	}
}

func TestOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()

	t.Run("Healthz", func(t *testing.T) {
		resp, body := c.get("/healthz")
		wantStatus(t, resp, body, http.StatusOK)
	})
	t.Run("MetricsAreNotPublicWithoutAToken", func(t *testing.T) {
		c.get("/")
		resp, body := c.get("/metrics") // no FORUM_METRICS_TOKEN: see TestMetricsNeedTheToken
		wantStatus(t, resp, body, http.StatusNotFound)
		if strings.Contains(body, "forum_http_requests_total") {
			t.Fatal("metrics shown without a token")
		}
	})
	t.Run("NotFoundPage", func(t *testing.T) {
		resp, body := c.get("/definitely/not/here")
		wantStatus(t, resp, body, http.StatusNotFound)
		wantContains(t, body, "There is no page at this address")
	})
	t.Run("OversizedBodyIs413", func(t *testing.T) {
		big := strings.Repeat("x", 2<<20)
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/login", strings.NewReader(big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, body := c.do(req)
		wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	})
	t.Run("ReadyzFailsWhenDatabaseIsDown", func(t *testing.T) {
		resp, body := c.get("/readyz")
		wantStatus(t, resp, body, http.StatusOK)
		// Take the database away under the running server.
		admin, err := sql.Open("postgres", testdb.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		u, _ := url.Parse(e.db.URL)
		name := strings.TrimPrefix(u.Path, "/")
		if _, err := admin.Exec(`DROP DATABASE ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`); err != nil {
			t.Fatal(err)
		}
		resp, body = c.get("/readyz")
		wantStatus(t, resp, body, http.StatusServiceUnavailable)
		wantContains(t, body, `"status":"unavailable"`, `"open":`)
		resp, body = c.get("/healthz")
		wantStatus(t, resp, body, http.StatusOK)
	})
}
