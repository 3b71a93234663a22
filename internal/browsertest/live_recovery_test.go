package browsertest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/lib/pq"

	build "forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/internal/webtest"
)

// refusals are what a tab reports while its stream is refused or cut: the failed loads of
// the stream and of the script's HEAD probe. The recovery tests expect them.
var refusals = regexp.MustCompile(`status of (429|503)|EventSource|net::ERR_`)

// TestLiveStreamSurvivesDatabaseOutage: a reader has a thread open; the database goes
// away (new connections refused, existing ones cut, the server's LISTEN among them) and
// comes back; a reply written after it is back appears on the reader's page without a
// reload, caught up by the reopened stream.
func TestLiveStreamSurvivesDatabaseOutage(t *testing.T) {
	s, db := newSiteOn(t, webtest.Options{})
	author := s.user("outage_ola", forum.RoleMember)
	th, op := s.thread(author, "reopening", "A thread through an outage", "Will the stream come back?")
	path := "/t/" + strconv.FormatInt(th.ID, 10)

	reader := newBrowser(t, s)
	reader.open(path)
	reader.do("wait for the live stream", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`)))
	reader.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))

	name := databaseName(t, db)
	admin := adminDB(t)
	allow := func(on bool) {
		t.Helper()
		if _, err := admin.Exec(`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` ALLOW_CONNECTIONS ` + strconv.FormatBool(on)); err != nil {
			t.Fatal(err)
		}
	}
	allow(false) // refuses new connections, even a superuser's
	t.Cleanup(func() { allow(true) })
	if _, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name); err != nil {
		t.Fatal(err)
	}
	reader.do("wait for the page to notice", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="reconnecting"]`)))
	// The page tries again and is refused with a 503 before the database is back.
	reader.awaitProblem(refusals, `status of 503`, 20*time.Second)
	allow(true)
	back := time.Now()

	text := "Written after the database came back"
	reply := createReplyRetrying(t, s, th, author, op.ID, text)
	sel := fmt.Sprintf("#p%d", reply.ID)
	reader.do("wait for the caught-up reply", chromedp.WaitVisible(chromedp.CSS(sel)))
	t.Logf("the reply showed %s after the database came back", time.Since(back))
	reader.do("wait for the stream to be live again", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`)))
	if !eval[bool](reader, `window.__noReload === true`) {
		t.Fatal("the reader's page was reloaded")
	}
	reader.forgive(refusals)
}

// TestLiveStreamRetriesWhenTheCapFrees: with the per-address cap at 1 and a stream
// already open from the same address, a tab's stream is refused with 429; it shows
// "reconnecting", and goes live by itself once the other stream closes.
func TestLiveStreamRetriesWhenTheCapFrees(t *testing.T) {
	s, _ := newSiteOn(t, webtest.Options{MaxStreamsPerIP: 1})
	author := s.user("capped_cai", forum.RoleMember)
	th, _ := s.thread(author, "reopening", "A thread open in too many tabs", "One stream at a time")
	path := "/t/" + strconv.FormatInt(th.ID, 10)

	// The first "tab": a stream held open from the same loopback address.
	ctx, closeFirst := context.WithCancel(t.Context())
	defer closeFirst()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("first stream: status %d", resp.StatusCode)
	}
	if line, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatalf("first stream: %q, %v", line, err)
	}

	b := newBrowser(t, s)
	b.open(path)
	b.awaitProblem(refusals, `status of 429`, 20*time.Second)
	b.do("wait for the page to say it is reconnecting", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="reconnecting"]`)))
	closeFirst() // the other tab closes
	freed := time.Now()
	b.do("wait for the stream once the cap frees", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`)))
	t.Logf("live %s after the cap freed", time.Since(freed))
	b.forgive(refusals)
}

// newSiteOn is newSite with server options, also returning the database.
func newSiteOn(t *testing.T, opts webtest.Options) (*site, *testdb.DB) {
	t.Helper()
	db := testdb.New(t)
	in := webtest.Start(t, db, opts)
	return &site{t: t, URL: in.URL, store: in.Store, md: in.Markup, fx: build.New(t, in.Store, in.Markup)}, db
}

func databaseName(t *testing.T, db *testdb.DB) string {
	t.Helper()
	var name string
	if err := db.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	return name
}

// adminDB is a connection to the server's default database, from which a test database
// can be closed to connections (a database cannot close itself).
func adminDB(t *testing.T) *sql.DB {
	t.Helper()
	admin, err := sql.Open("postgres", testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	return admin
}

// createReplyRetrying writes a reply through the store, retrying while the database is
// still coming back (a pooled connection cut by the outage fails once).
func createReplyRetrying(t *testing.T, s *site, th *forum.Thread, author *forum.User, parent int64, body string) *forum.Post {
	t.Helper()
	html, err := s.md.Render(body)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		p, err := s.store.CreateReply(t.Context(), store.NewReply{ThreadID: th.ID, ParentID: parent,
			AuthorID: author.ID, BodySource: body, BodyHTML: html})
		if err == nil {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("reply after the outage: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitProblem waits until the tab has reported a problem matching want, keeping any
// report that is not an expected one (matching allowed) for the final check.
func (b *browser) awaitProblem(allowed *regexp.Regexp, want string, within time.Duration) {
	b.t.Helper()
	wantRe := regexp.MustCompile(want)
	deadline := time.Now().Add(within)
	for {
		found := false
		for _, p := range b.takeProblems() {
			found = found || wantRe.MatchString(p)
			if !allowed.MatchString(p) {
				b.problem("%s", p)
			}
		}
		if found {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the tab reported no %q within %s (at %s)", want, within, b.location())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// forgive drops the reports so far that match allowed (expected refusals).
func (b *browser) forgive(allowed *regexp.Regexp) {
	for _, p := range b.takeProblems() {
		if !allowed.MatchString(p) {
			b.problem("%s", p)
		}
	}
}
