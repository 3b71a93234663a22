package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	build "forum/internal/fixture" // aliased: "fixture" is this package's thread type
	"forum/internal/forum"
	"forum/internal/live"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/internal/web"
	"forum/internal/webtest"
)

// env is one test's forum: a real database, the real handler, a real HTTP server.
type env struct {
	t      testing.TB
	db     *testdb.DB
	store  *store.Store
	server *web.Server
	http   *httptest.Server
	fx     *build.Builder // users, threads and replies written through the store
	hub    *live.Hub      // this instance's; sync awaits what others wrote (fastpath_test.go)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, testdb.New(t))
}

// newEnvOn builds another server instance on an existing database, as a second
// instance behind a load balancer would be.
func newEnvOn(t testing.TB, db *testdb.DB) *env {
	t.Helper()
	in := webtest.Start(t, db, webtest.Options{
		BaseURL:   "http://forum.test", // not the listener's: links must come from FORUM_BASE_URL
		Heartbeat: 100 * time.Millisecond, MaxStreamsPerIP: 3,
		Config: webtest.Roomy, // limits_test.go tests the limits
	})
	fx := build.New(t, in.Store, in.Markup)
	// Bodies are stored as "<p>source</p>", unsanitised, not through the renderer: the
	// feed and search tests store HTML no renderer of ours would write, to prove the
	// output side copes with whatever the database holds.
	fx.Render = func(source string) (string, error) { return "<p>" + source + "</p>", nil }
	return &env{t: t, db: db, store: in.Store, server: in.Server, http: in.HTTP, fx: fx, hub: in.Hub}
}

// newEnvWith builds a server on a fresh database with the given options (a bounded
// pool, trusted proxies, ...).
func newEnvWith(t testing.TB, opts webtest.Options) *env {
	t.Helper()
	db := testdb.New(t)
	if opts.Config == nil {
		opts.Config = webtest.Roomy // limits_test.go tests the limits
	}
	in := webtest.Start(t, db, opts)
	return &env{t: t, db: db, store: in.Store, server: in.Server, http: in.HTTP, fx: build.New(t, in.Store, in.Markup)}
}

// user creates an account directly in the store (password: name+"-password").
func (e *env) user(name string, role forum.Role) *forum.User {
	e.t.Helper()
	return e.fx.User(name, role)
}

// client is one browser: a cookie jar that does not follow redirects.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs in as name (whose password is name+"-password") and fails the test if refused.
func (e *env) login(name string) *client {
	e.t.Helper()
	c := e.client()
	resp, body := c.post("/login", url.Values{"username": {name}, "password": {name + "-password"}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d: %s", name, resp.StatusCode, body)
	}
	c.get("/") // follow the redirect, as a browser would: the session's CSRF token
	return c
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.e.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	// Login, registration and logout expire the csrf cookie: the token held is dead, and
	// post fetches a new one, as a browser following the redirect would load a page.
	for _, ck := range resp.Cookies() {
		if ck.Name == "forum_csrf" && ck.MaxAge < 0 {
			c.csrf = ""
		}
	}
	if m := csrfRE.FindStringSubmatch(body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return resp, body
}

func (c *client) get(path string) (*http.Response, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.http.URL+path, nil)
	return c.do(req)
}

// post sends a form with the CSRF token of the last page seen (fetching / first if none).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if _, ok := f["csrf_token"]; !ok {
		f.Set("csrf_token", c.csrf)
	}
	return c.postRaw(path, f)
}

// postRaw sends the form exactly as given.
func (c *client) postRaw(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.http.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func wantStatus(t *testing.T, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		if len(body) > 2000 {
			body = body[:2000]
		}
		t.Fatalf("status %d, want %d; body:\n%s", resp.StatusCode, want, body)
	}
}

func wantContains(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			if len(body) > 3000 {
				body = body[:3000]
			}
			t.Fatalf("body lacks %q:\n%s", s, body)
		}
	}
}
