package multitest

import (
	"bufio"
	"context"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/markup"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/migrations"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Close()
	os.Exit(code)
}

// world is one test's forum: a migrated database with fixtures written through the
// store, and two instances on it.
type world struct {
	t  *testing.T
	db *testdb.DB
	fx *fixture.Builder
	*Pair
}

func newWorld(t *testing.T, opts Options) *world {
	t.Helper()
	e := Shared(t)
	db := testdb.New(t)
	w := &world{t: t, db: db, fx: fixture.New(t, store.New(db.DB), markup.New())}
	w.Pair = e.Start(t, DBName(db.URL), opts)
	return w
}

// thread writes a thread by a new author and returns its path.
func (w *world) thread(author string) (*forum.User, string) {
	w.t.Helper()
	u := w.fx.User(author, forum.RoleMember)
	th, _ := w.fx.Thread(u, "Which of the two water stations ran dry first?", "Runners at kilometre 30 said both did.")
	return u, "/t/" + strconv.FormatInt(th.ID, 10)
}

// client is one browser: a cookie jar (cookies ignore the port, so one jar holds the
// same session for A and B, as one browser would behind a proxy) and its CSRF token.
type client struct {
	t    *testing.T
	http *http.Client
	csrf string
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, http: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == "forum_csrf" && ck.MaxAge < 0 {
			c.csrf = ""
		}
	}
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = html.UnescapeString(string(m[1]))
	}
	return resp, string(b)
}

func (c *client) get(base, path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	return c.do(req)
}

// post sends a form with the token of the last page seen (fetching base's login page
// first when there is none).
func (c *client) post(base, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if c.csrf == "" {
		c.get(base, "/login")
	}
	form.Set("csrf_token", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(base, name string) {
	c.t.Helper()
	resp, body := c.post(base, "/login", url.Values{"username": {name}, "password": {fixture.Password(name)}})
	wantStatus(c.t, resp, body, http.StatusSeeOther)
	c.get(base, "/") // as a browser follows the redirect: the session's CSRF token
}

func (c *client) reply(base, thread, body string) (*http.Response, string) {
	c.t.Helper()
	return c.post(base, thread+"/reply", url.Values{"body": {body}})
}

func wantStatus(t *testing.T, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%.2000s", resp.Request.Method, resp.Request.URL, resp.StatusCode, want, body)
	}
}

func signedInAs(body, name string) bool {
	return strings.Contains(body, `action="/logout"`) && strings.Contains(body, `href="/u/`+name+`"`)
}

// stream is an open live-event stream, read line by line.
type stream struct {
	t     *testing.T
	lines chan string
}

// openStream opens base+path's event stream and waits for its first bytes: they came
// through whatever sits in front unbuffered.
func openStream(t *testing.T, base, path string, header http.Header) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("open %s: status %d", path, resp.StatusCode)
	}
	s := &stream{t: t, lines: make(chan string, 256)}
	go func() {
		defer resp.Body.Close()
		defer close(s.lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	s.wait("the stream's opening", func(l string) bool { return strings.HasPrefix(l, ": connected") || strings.HasPrefix(l, "retry:") })
	return s
}

// wait reads until a line matches, failing after 10 s or when the stream ends.
func (s *stream) wait(what string, match func(string) bool) {
	s.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("the stream ended before %s", what)
			}
			if match(l) {
				return
			}
		case <-deadline:
			s.t.Fatalf("no %s on the stream within 10 s", what)
		}
	}
}

// TestSessionsAcrossInstances: a login on A is a login on B; a logout on A ends the
// session on B too.
func TestSessionsAcrossInstances(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{})
	w.fx.User("kim_su_ryon", forum.RoleMember)
	c := newClient(t)
	c.login(w.A.URL, "kim_su_ryon")

	resp, body := c.get(w.B.URL, "/")
	wantStatus(t, resp, body, http.StatusOK)
	if !signedInAs(body, "kim_su_ryon") {
		t.Fatal("logged in on A, but B's home page shows no signed-in header")
	}
	resp, body = c.get(w.B.URL, "/new") // a page for signed-in people only
	wantStatus(t, resp, body, http.StatusOK)

	resp, body = c.post(w.A.URL, "/logout", url.Values{})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = c.get(w.B.URL, "/new")
	if resp.StatusCode == http.StatusOK {
		t.Fatal("logged out on A, but B still serves the new-thread form")
	}
	resp, body = c.get(w.B.URL, "/")
	wantStatus(t, resp, body, http.StatusOK)
	if signedInAs(body, "kim_su_ryon") {
		t.Fatal("logged out on A, but B's home page still shows the signed-in header")
	}
}

// TestReplyReachesTheOtherInstance: a reply posted on A is on B's thread page at once
// and arrives on a live stream open on B, with reads going to the replica and writes
// through PgBouncer.
func TestReplyReachesTheOtherInstance(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{Replica: true})
	author, thread := w.thread("pak_yong_il")
	live := openStream(t, w.B.URL, thread+"/events", nil)

	c := newClient(t)
	c.login(w.A.URL, author.Username)
	const text = "The one at kilometre 30 ran dry first; volunteers refilled it from a lorry."
	resp, body := c.reply(w.A.URL, thread, text)
	wantStatus(t, resp, body, http.StatusSeeOther)

	resp, body = c.get(w.B.URL, thread)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, "volunteers refilled it from a lorry") {
		t.Fatal("the reply posted on A is not on B's thread page for its author")
	}
	live.wait("event carrying the reply", func(l string) bool {
		return strings.HasPrefix(l, "data:") && strings.Contains(l, "volunteers refilled it from a lorry")
	})
	if !Shared(t).Bouncer.Served(DBName(w.db.URL)) {
		t.Error("PgBouncer let no client in to the test database: the instances bypassed it")
	}
}

// TestOwnWritesWhileTheReplicaLags: with the replica's replay paused, the author's own
// next read (on the other instance) shows the reply, while a visitor, whose reads the
// replica serves, does not yet; once replay resumes the visitor sees it too.
func TestOwnWritesWhileTheReplicaLags(t *testing.T) {
	// Not parallel: it pauses the package's one replica.
	e := Shared(t)
	// A generous lag bound keeps the paused replica in use, so the visitor's read shows
	// the replica is really read.
	w := newWorld(t, Options{Replica: true, Env: []string{"FORUM_READ_MAX_LAG=10m", "FORUM_READ_YOUR_WRITES=11m"}})
	author, thread := w.thread("choe_un_hui")
	c := newClient(t)
	c.login(w.A.URL, author.Username)

	r := e.Replica(t)
	ctx := t.Context()
	// The replica must hold the thread before replay pauses, or the visitor's read below
	// is a 404 (a CI run met exactly that): await the visitor's page, bounded.
	visitor := newClient(t)
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, body := visitor.get(w.B.URL, thread)
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			wantStatus(t, resp, body, http.StatusOK)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := r.PauseReplay(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.ResumeReplay(context.Background()) })

	const text = "Both stations were refilled by noon, according to the organisers' log."
	resp, body := c.reply(w.A.URL, thread, text)
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = c.get(w.B.URL, thread)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, "refilled by noon") {
		t.Fatal("with the replica paused, the author's own next read on B lacks the reply")
	}
	resp, body = visitor.get(w.B.URL, thread)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "refilled by noon") {
		t.Fatal("a visitor saw the reply while replay was paused: visitors' reads do not go to the replica")
	}

	if err := r.ResumeReplay(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := r.WaitReplayed(wctx, e.Primary); err != nil {
		t.Fatal(err)
	}
	// The page cache may hold the lagging page until the instance learns of the reply.
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, body = visitor.get(w.B.URL, thread)
		wantStatus(t, resp, body, http.StatusOK)
		if strings.Contains(body, "refilled by noon") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("replay resumed and caught up, but a visitor on B still does not see the reply after 5 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRateLimitAcrossInstances: a reply limit reached on A holds on B.
func TestRateLimitAcrossInstances(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{Env: []string{"FORUM_LIMIT_REPLIES=2/1m", "FORUM_LIMIT_REPLIES_NEW=2/1m"}})
	author, thread := w.thread("ri_chol_min")
	c := newClient(t)
	c.login(w.A.URL, author.Username)
	for i := range 2 {
		resp, body := c.reply(w.A.URL, thread, "Reply number "+strconv.Itoa(i+1)+" about the water stations.")
		wantStatus(t, resp, body, http.StatusSeeOther)
	}
	c.get(w.B.URL, thread) // a fresh token from B's page, as a browser there would have
	resp, body := c.reply(w.B.URL, thread, "A third reply, sent to the other instance.")
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Fatal("the refused reply on B carries no Retry-After")
	}
}

// TestStartTogetherOnEmptyDatabase: two instances started at the same moment on an
// empty database both migrate (one applies the migrations, the other waits for it)
// and serve, without an error logged.
func TestStartTogetherOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	e := Shared(t)
	name := e.CreateEmpty(t)
	p := e.Start(t, name, Options{})
	want, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for i, in := range []*Instance{p.A, p.B} {
		c := newClient(t)
		resp, body := c.get(in.URL, "/")
		wantStatus(t, resp, body, http.StatusOK)
		for _, l := range in.Lines() {
			if l["level"] == "ERROR" {
				t.Errorf("instance %c logged an error: %v", 'a'+i, l)
			}
			if l["msg"] == "migrated" {
				n, _ := l["applied"].(float64)
				applied += int(n)
			}
		}
	}
	if applied != len(want) {
		t.Fatalf("the two instances applied %d migrations between them, want each of the %d once", applied, len(want))
	}
}

// TestThroughCaddy: behind deploy/Caddyfile, an event reaches a client through Caddy
// while its stream stays open (nothing buffers it), the instances see the client's
// address and not Caddy's, and an address the client makes up is not believed.
func TestThroughCaddy(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Options{Caddy: true})
	author, thread := w.thread("han_song_i")
	spoof := http.Header{"X-Forwarded-For": {"203.0.113.9"}}
	live := openStream(t, w.Base, thread+"/events", spoof)

	c := newClient(t)
	c.login(w.A.URL, author.Username)
	resp, body := c.reply(w.A.URL, thread, "Seen through the proxy: the stations were refilled twice.")
	wantStatus(t, resp, body, http.StatusSeeOther)
	live.wait("event carrying the reply through Caddy", func(l string) bool {
		return strings.HasPrefix(l, "data:") && strings.Contains(l, "refilled twice")
	})

	// Both instances answer through Caddy (round robin); each logs the client as ::1.
	for range 4 {
		req, _ := http.NewRequest(http.MethodGet, w.Base+thread, nil)
		req.Header = spoof.Clone()
		resp, body := newClient(t).do(req)
		wantStatus(t, resp, body, http.StatusOK)
	}
	for i, in := range []*Instance{w.A, w.B} {
		seen := 0
		for _, l := range in.Lines() {
			if l["msg"] != "request" || l["path"] == "/readyz" || l["path"] == "/healthz" ||
				!strings.HasPrefix(l["path"].(string), thread) {
				continue
			}
			if l["method"] == "POST" { // the reply went to A directly, not through Caddy
				continue
			}
			seen++
			if l["client_ip"] != "::1" {
				t.Errorf("instance %c logged client %v for %v, want ::1 (the client's, not Caddy's 127.0.0.1 or a made-up one)",
					'a'+i, l["client_ip"], l["path"])
			}
		}
		if seen == 0 {
			t.Errorf("instance %c served no request through Caddy", 'a'+i)
		}
	}
}
