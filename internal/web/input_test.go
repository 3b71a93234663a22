package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

// TestInputRefusedBeforeHandlers: text no person types, anywhere in a request, is a 400
// that names where it was, before any handler (or PostgreSQL) sees it.
func TestInputRefusedBeforeHandlers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("inputauthor", forum.RoleMember)
	f := e.thread(author, "Input thread")
	reply := "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/reply"

	t.Run("PathParametersNameTheirPart", func(t *testing.T) {
		for path, part := range map[string]string{
			"/c/%00": "slug", "/c/%ff": "slug", "/c/the-race%00/feed.rss": "slug",
			"/u/%ff": "name", "/u/x%00/feed.atom": "name", "/t/1/%ff": "slug",
		} {
			resp, body := e.client().get(path)
			wantStatus(t, resp, body, http.StatusBadRequest)
			wantContains(t, body, "address part “"+part+"”")
		}
	})
	t.Run("APIRefusesInJSON", func(t *testing.T) {
		resp, body := e.client().get("/api/v1/posts/%ff")
		wantStatus(t, resp, body, http.StatusBadRequest)
		var v struct{ Error string }
		if err := json.Unmarshal([]byte(body), &v); err != nil || !strings.Contains(v.Error, "“id”") {
			t.Fatalf("want a JSON error naming id, got %q", body)
		}
	})
	t.Run("QueryValuesNameTheirParameter", func(t *testing.T) {
		resp, body := e.client().get("/search?q=%ff")
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "query parameter “q” is not valid UTF-8")
		resp, body = e.client().get("/?before=%00")
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "query parameter “before” contains a NUL")
	})
	t.Run("FormFieldsNameTheirField", func(t *testing.T) {
		c := e.login("inputauthor")
		resp, body := c.post(reply, url.Values{"body": {"fine"}, "note": {"bell \a"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "form field “note” contains the control character 0x07")
		resp, body = c.post("/login", url.Values{"username": {"x\x00"}, "password": {"y"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "form field “username” contains a NUL")
	})
	t.Run("TabsAndLineBreaksInABodyPass", func(t *testing.T) {
		resp, body := e.login("inputauthor").post(reply, url.Values{"body": {"line one\r\n\tindented"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	})
	t.Run("AnOverlongIdempotencyKeyWritesNothing", func(t *testing.T) {
		before := e.countPosts(author.ID)
		resp, body := e.login("inputauthor").post(reply, url.Values{"body": {"with a forged key"},
			"idem": {strings.Repeat("k", forum.MaxIdemKeyLen+1)}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "Reload the page")
		if after := e.countPosts(author.ID); after != before {
			t.Fatalf("%d posts after, %d before", after, before)
		}
	})
}

func (e *env) countPosts(authorID int64) int {
	e.t.Helper()
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM posts WHERE author_id = $1`, authorID); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestTrailingSlashRedirect: an address with a trailing slash goes to the one without,
// built from the request's own path: no header moves it to another host or path.
func TestTrailingSlashRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	get := func(path, prefix string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
		if prefix != "" {
			req.Header.Set("X-Forwarded-Prefix", prefix)
		}
		resp, _ := e.client().do(req)
		return resp
	}
	for _, prefix := range []string{"", "//evil.example", `/\evil.example`, "/forum"} {
		resp := get("/c/general/?x=1", prefix)
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/c/general?x=1" {
			t.Errorf("prefix %q: status %d, Location %q; want 301 to /c/general?x=1",
				prefix, resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("prefix %q: the redirect has no security headers", prefix)
		}
	}
	for path, want := range map[string]string{"/about//": "/about", "//": "/"} {
		if resp := get(path, ""); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: status %d, Location %q; want 301 to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// No route by that name, or a path that would leave the site: not found, not moved.
	for _, path := range []string{"/no-such-page/", "//evil.example/", "/%2f%2fevil.example/"} {
		if resp := get(path, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, Location %q; want 404", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestPersonalPagesAreNotCached: a page for a logged-in user or with a CSRF token says
// private, no-store; public feeds keep their shared caching for everyone.
func TestPersonalPagesAreNotCached(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("cachemember", forum.RoleMember)
	member := e.login("cachemember")
	for _, tc := range []struct {
		who     string
		c       *client
		path    string
		private bool
	}{
		{"visitor", e.client(), "/login", true},    // a form with a CSRF token
		{"visitor", e.client(), "/register", true}, // likewise
		{"visitor", e.client(), "/about", false},
		{"member", member, "/about", true},
		{"member", member, "/", true},
		{"member", member, "/feed.rss", false},
	} {
		resp, body := tc.c.get(tc.path)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: status %d", tc.who, tc.path, resp.StatusCode)
		}
		cc := resp.Header.Get("Cache-Control")
		if got := cc == "private, no-store"; got != tc.private {
			t.Errorf("%s %s: Cache-Control %q, want private: %v (%.80s)", tc.who, tc.path, cc, tc.private, body)
		}
	}
}
