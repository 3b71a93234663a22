package web_test

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/config"
	build "forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/testdb"
	"forum/internal/webtest"
)

// metricsToken lets the limit tests read /metrics.
var metricsToken = strings.Repeat("7a", 16)

// smallLimits are limits a test reaches in a few requests. Windows are an hour, so no
// window ends during a test: every refusal says to wait about an hour.
func smallLimits(c *config.Config) {
	hour := func(name string, n int) []forum.Limit { return []forum.Limit{{Name: name, Max: n, Window: time.Hour}} }
	l := &c.Limits
	l.Replies, l.RepliesNew = hour("replies", 3), hour("replies", 2)
	l.Threads, l.ThreadsNew = hour("threads", 2), hour("threads", 1)
	l.Edits = hour("edits", 2)
	l.Flags = hour("flags", 2)
	l.Registrations = hour("registrations", 2)
	c.Metrics.Token = metricsToken
}

// newLimitedEnvOn is a server with smallLimits on db (a fresh one when nil).
func newLimitedEnvOn(t *testing.T, db *testdb.DB, tweak func(*config.Config)) *env {
	t.Helper()
	if db == nil {
		db = testdb.New(t)
	}
	in := webtest.Start(t, db, webtest.Options{Config: func(c *config.Config) {
		smallLimits(c)
		if tweak != nil {
			tweak(c)
		}
	}})
	return &env{t: t, db: db, store: in.Store, server: in.Server, http: in.HTTP, fx: build.New(t, in.Store, in.Markup)}
}

// wantRefused checks a rate-limit refusal as a person meets it: 429, a Retry-After
// header, a page saying what was too many and when to try again, and their words kept.
func wantRefused(t *testing.T, resp *http.Response, body, what, wait string, kept ...string) {
	t.Helper()
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || ra < 1 {
		t.Fatalf("Retry-After = %q, want whole seconds", resp.Header.Get("Retry-After"))
	}
	msg := html.UnescapeString(body)
	wantContains(t, msg, "Too many "+what, "Try again in "+wait+".")
	for _, k := range kept {
		wantContains(t, msg, k)
	}
}

// TestLimits: each kind of write has its own limit; past it the answer is 429 with
// Retry-After and the form again with what the person wrote.
func TestLimits(t *testing.T) {
	t.Parallel()
	e := newLimitedEnvOn(t, nil, nil)
	e.fx.Category("general")
	author := e.fx.Established("veteran", forum.RoleMember)
	f := e.thread(author, "A thread with a limit on replies")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	t.Run("Replies", func(t *testing.T) {
		c := e.login("veteran")
		c.get(tpath)
		// Bad input is not an attempt: it does not use the budget.
		resp, body := c.post(tpath+"/reply", url.Values{"body": {"   "}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		for i := range 3 {
			resp, body := c.post(tpath+"/reply", url.Values{"body": {fmt.Sprintf("reply number %d", i)}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		resp, body = c.post(tpath+"/reply", url.Values{"body": {"my fourth *careful* point"}, "stance": {"helps"}})
		wantRefused(t, resp, body, "replies in a short time", "60 minutes", "my fourth *careful* point")
		// A reply to a post comes back on that post's page, text and all.
		resp, body = c.post(tpath+"/reply", url.Values{"body": {"an answer to the opening"}, "parent_id": {strconv.FormatInt(f.root, 10)}})
		wantRefused(t, resp, body, "replies in a short time", "60 minutes", "an answer to the opening")
		if n := e.count(t, `SELECT count(*) FROM posts WHERE thread_id = $1 AND author_id = $2 AND depth > 0`, f.thread.ID, author.ID); n != 3 {
			t.Fatalf("%d replies stored, want 3", n)
		}
	})

	t.Run("NewAccountsStricter", func(t *testing.T) {
		e.user("newcomer", forum.RoleMember)
		c := e.login("newcomer")
		c.get(tpath)
		for i := range 2 {
			resp, body := c.post(tpath+"/reply", url.Values{"body": {fmt.Sprintf("first day reply %d", i)}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		resp, body := c.post(tpath+"/reply", url.Values{"body": {"a third on my first day"}})
		wantRefused(t, resp, body, "replies in a short time", "60 minutes", "a third on my first day")
	})

	t.Run("NewThreads", func(t *testing.T) {
		e.fx.Established("starter", forum.RoleMember)
		c := e.login("starter")
		c.get("/new")
		for i := range 2 {
			resp, body := c.post("/t", url.Values{"category": {"general"}, "title": {fmt.Sprintf("Opening number %d", i)}, "body": {"Words"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		resp, body := c.post("/t", url.Values{"category": {"general"}, "title": {"One thread too many"}, "body": {"My long opening argument"}})
		wantRefused(t, resp, body, "new threads in a short time", "60 minutes", `value="One thread too many"`, "My long opening argument")
	})

	t.Run("Edits", func(t *testing.T) {
		e.fx.Established("editor", forum.RoleMember)
		p := e.reply(f, e.fx.UserByName("editor"), 0, "first draft")
		c := e.login("editor")
		epath := "/p/" + strconv.FormatInt(p.ID, 10) + "/edit"
		c.get(epath)
		for i := range 2 {
			resp, body := c.post(epath, url.Values{"body": {fmt.Sprintf("draft %d", i+2)}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		resp, body := c.post(epath, url.Values{"body": {"the fourth draft, much better"}})
		wantRefused(t, resp, body, "edits in a short time", "60 minutes", "the fourth draft, much better")
	})

	t.Run("Flags", func(t *testing.T) {
		e.fx.Established("watcher", forum.RoleMember)
		c := e.login("watcher")
		c.get(tpath)
		for i := range 3 {
			p := e.reply(f, author, 0, fmt.Sprintf("flaggable %d", i))
			resp, body := c.post("/p/"+strconv.FormatInt(p.ID, 10)+"/flag", url.Values{"reason": {"spam"}})
			if i < 2 {
				wantStatus(t, resp, body, http.StatusSeeOther)
				continue
			}
			wantRefused(t, resp, body, "flags in a short time", "60 minutes")
		}
	})

	t.Run("RegistrationsPerAddress", func(t *testing.T) {
		c := e.client()
		for i := range 2 {
			resp, body := c.post("/register", url.Values{"username": {fmt.Sprintf("joiner%d", i)}, "password": {"plum cathedral orbit 49 lantern"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
			c = e.client() // a new browser, the same address
		}
		resp, body := c.post("/register", url.Values{"username": {"joiner2"}, "password": {"plum cathedral orbit 49 lantern"}})
		wantRefused(t, resp, body, "new accounts from your address in a short time", "60 minutes", `value="joiner2"`)
	})

	t.Run("Metrics", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+metricsToken)
		resp, body := e.client().do(req)
		wantStatus(t, resp, body, http.StatusOK)
		for _, name := range []string{"replies", "threads", "edits", "flags", "registrations"} {
			wantContains(t, body, `forum_rate_limit_checks_total{limit="`+name+`"}`,
				`forum_rate_limit_refusals_total{limit="`+name+`"}`)
		}
		wantContains(t, body, `forum_rate_limit_refusals_total{limit="replies"} 3`)
	})
}

// TestLimitsHoldAcrossInstances: the counts live in PostgreSQL, so a second instance
// behind the same load balancer refuses what the first has used up.
func TestLimitsHoldAcrossInstances(t *testing.T) {
	t.Parallel()
	a := newLimitedEnvOn(t, nil, nil)
	b := newLimitedEnvOn(t, a.db, nil)
	author := a.fx.Established("veteran", forum.RoleMember)
	f := a.thread(author, "Two instances, one limit")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	ca, cb := a.login("veteran"), b.login("veteran")
	ca.get(tpath)
	cb.get(tpath)
	for i, c := range []*client{ca, cb, ca} {
		resp, body := c.post(tpath+"/reply", url.Values{"body": {fmt.Sprintf("reply %d", i)}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	}
	resp, body := cb.post(tpath+"/reply", url.Values{"body": {"one more through the other door"}})
	wantRefused(t, resp, body, "replies in a short time", "60 minutes", "one more through the other door")
}

// clientFrom is a browser at another loopback address (all of 127.0.0.0/8 reaches the
// test server), so the server sees a different client address without trusting any
// header.
func (e *env) clientFrom(ip string) *client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	e.t.Cleanup(tr.CloseIdleConnections)
	return &client{e: e, http: &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// TestLoginCannotLockAPersonOut: a stranger's wrong passwords from other addresses never
// keep the right one out for long.
func TestLoginCannotLockAPersonOut(t *testing.T) {
	t.Parallel()

	t.Run("RightPasswordFromANewAddressAfterFiveFailuresElsewhere", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t) // production's login limits
		e.user("mod1", forum.RoleModerator)
		for i := range 5 {
			resp, body := e.clientFrom(fmt.Sprintf("127.0.0.%d", 2+i)).post("/login",
				url.Values{"username": {"mod1"}, "password": {"a wrong guess"}})
			wantStatus(t, resp, body, http.StatusUnauthorized)
		}
		resp, body := e.clientFrom("127.0.0.7").post("/login", url.Values{"username": {"mod1"}, "password": {"mod1-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	})

	t.Run("ManyFailuresSlowTheAccountButNeverLockIt", func(t *testing.T) {
		t.Parallel()
		// Two free failures, then waits of 1 s, 2 s, capped at 2 s.
		e := newLimitedEnvOn(t, nil, func(c *config.Config) {
			c.Limits.LoginAccount.Max, c.Limits.LoginAccount.MaxDelay = 2, 2*time.Second
		})
		e.user("mod1", forum.RoleModerator)
		login := func(ip, pw string) (*http.Response, string) {
			return e.clientFrom(ip).post("/login", url.Values{"username": {"mod1"}, "password": {pw}})
		}
		for i := range 2 {
			resp, body := login(fmt.Sprintf("127.0.1.%d", i+1), "a wrong guess")
			wantStatus(t, resp, body, http.StatusUnauthorized)
		}
		// The next attempt, even with the right password and from a fresh address, must
		// wait — seconds, not the window's quarter of an hour.
		resp, body := login("127.0.1.9", "mod1-password")
		wantRefused(t, resp, body, "failed logins for this account", "1 second")
		if ra := resp.Header.Get("Retry-After"); ra != "1" {
			t.Fatalf("Retry-After = %q, want 1", ra)
		}
		// Waiting as told lets it in.
		deadline := time.Now().Add(10 * time.Second)
		for {
			wait, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			time.Sleep(time.Duration(wait) * time.Second) // what the server asked for
			resp, body = login("127.0.1.9", "mod1-password")
			if resp.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
				break
			}
		}
		wantStatus(t, resp, body, http.StatusSeeOther)
	})
}

// TestFreshAccountsCannotHideAPost: accounts made a moment ago can flag, and moderators
// see the flags, but their flags do not hide the post; established members' do.
func TestFreshAccountsCannotHideAPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.fx.Established("speaker", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	f := e.thread(author, "An unpopular opinion")
	p := e.reply(f, author, 0, "a view some would rather silence")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	flag := func(names ...string) {
		t.Helper()
		for _, n := range names {
			resp, body := e.login(n).post("/p/"+strconv.FormatInt(p.ID, 10)+"/flag", url.Values{"reason": {"abuse"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
	}
	for _, n := range []string{"sock1", "sock2", "sock3", "sock4"} {
		e.user(n, forum.RoleMember)
	}
	flag("sock1", "sock2", "sock3", "sock4")

	resp, body := e.client().get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "a view some would rather silence")
	_, body = e.login("moddy").get("/mod/flags")
	wantContains(t, body, "a view some would rather silence", "sock1", "sock4")

	for _, n := range []string{"regular1", "regular2", "regular3"} {
		e.fx.Established(n, forum.RoleMember)
	}
	flag("regular1", "regular2", "regular3")
	resp, body = e.client().get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "a view some would rather silence") {
		t.Fatal("three established members flagged the post and it is still shown")
	}
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestResentFormIsNotCountedAgain: a form sent again after its write was acknowledged
// (a retry after a lost answer, a browser resubmitting) gets the first answer and does
// not use up the limit.
func TestResentFormIsNotCountedAgain(t *testing.T) {
	t.Parallel()
	e := newLimitedEnvOn(t, nil, nil) // 3 replies an hour for an established member
	e.fx.Category("general")
	author := e.fx.Established("resender", forum.RoleMember)
	f := e.thread(author, "A thread for resent forms")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	c := e.login("resender")
	c.get(tpath)
	send := func(idem string) (*http.Response, string) {
		return c.post(tpath+"/reply", url.Values{"body": {"the same words " + idem}, "idem": {idem}})
	}
	resp, body := send("first")
	wantStatus(t, resp, body, http.StatusSeeOther)
	first := resp.Header.Get("Location")
	for range 5 {
		resp, body = send("first")
		wantStatus(t, resp, body, http.StatusSeeOther)
		if got := resp.Header.Get("Location"); got != first {
			t.Fatalf("a resend was answered with %q, want the first answer %q", got, first)
		}
	}
	for _, idem := range []string{"second", "third"} { // the budget is still there
		resp, body = send(idem)
		wantStatus(t, resp, body, http.StatusSeeOther)
	}
	resp, body = send("fourth")
	wantRefused(t, resp, body, "replies", "60 minutes", "the same words fourth")
}
