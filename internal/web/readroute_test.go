package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	build "forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/markup"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/internal/webtest"
)

// TestReadsFromReplica: with DATABASE_READ_URL set, visitors' thread pages, their JSON,
// listings and feeds come from the replica; an author's reads after their write come from
// the primary (on a new connection, by the cookie alone); pages outside the list never
// read the replica; and a replica that fails sends reads back to the primary. A second
// test database stands in for the replica, with contents of its own: the same thread id
// under another title, so every page says which database it came from. (The real
// replica, with replay paused, is the many-instance tests' job.)
func TestReadsFromReplica(t *testing.T) {
	t.Parallel()
	primaryDB, standInDB := testdb.New(t), testdb.New(t)
	// The same writes in the same order give the same ids in both.
	stand := build.New(t, store.New(standInDB.DB), markup.New())
	sAnn := stand.User("ann", forum.RoleMember)
	sTh, _ := stand.Thread(sAnn, "The stand-in replica's title", "Read from the stand-in.")

	in := webtest.Start(t, primaryDB, webtest.Options{ReadURL: standInDB.URL, Config: webtest.Roomy})
	e := &env{t: t, db: primaryDB, store: in.Store, server: in.Server, http: in.HTTP, fx: build.New(t, in.Store, in.Markup)}
	ann := e.user("ann", forum.RoleMember)
	th, _ := e.fx.Thread(ann, "The primary's title", "Read from the primary.")
	if th.ID != sTh.ID {
		t.Fatalf("thread ids differ: primary %d, stand-in %d", th.ID, sTh.ID)
	}
	page := fmt.Sprintf("/t/%d", th.ID)
	from := func(t *testing.T, c *client, path string) string {
		t.Helper()
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		p, r := strings.Contains(body, "primary&#39;s title") || strings.Contains(body, "primary's title"),
			strings.Contains(body, "stand-in replica")
		switch {
		case p && !r:
			return "primary"
		case r && !p:
			return "replica"
		}
		t.Fatalf("GET %s shows neither or both databases' thread:\n%.2000s", path, body)
		return ""
	}

	visitor := e.client()
	for _, path := range []string{page, fmt.Sprintf("/api/v1/threads/%d", th.ID), "/api/v1/threads", page + "/feed.atom"} {
		if got := from(t, visitor, path); got != "replica" {
			t.Errorf("a visitor's GET %s read the %s; want the replica", path, got)
		}
	}
	// Pages outside the list never read the replica: a person's page.
	if got := from(t, visitor, "/u/ann"); got != "primary" {
		t.Errorf("GET /u/ann read the %s; want the primary", got)
	}

	// The author replies; their next page, on a fresh connection, shows it at once.
	author := e.login("ann")
	resp, body := author.post(page+"/reply", url.Values{"body": {"My own words, just written."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	author.http.CloseIdleConnections()
	resp, body = author.get(page)
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, "My own words, just written.") {
		t.Fatalf("the author's next page does not show their reply:\n%.2000s", body)
	}
	// A visitor still reads the replica, which has not got it.
	if got := from(t, e.client(), page); got != "replica" {
		t.Errorf("a visitor read the %s after someone else's write; want the replica", got)
	}
	// The window is the cookie's: one that has run out reads the replica again.
	expired := e.client()
	u, _ := url.Parse(e.http.URL)
	expired.http.Jar.SetCookies(u, []*http.Cookie{{Name: "forum_wrote", Value: "1"}})
	if got := from(t, expired, page); got != "replica" {
		t.Errorf("with the window over the page read the %s; want the replica", got)
	}

	// The replica goes away: the next visitor's page comes from the primary, not a 503.
	in.Store.ReplicaDB().Close()
	if got := from(t, e.client(), page); got != "primary" {
		t.Errorf("with the replica gone the page read the %s; want the primary", got)
	}
	if ok, _ := in.Store.ReplicaState(); ok {
		t.Error("a replica that failed a read is still marked healthy")
	}
	if got := from(t, e.client(), "/api/v1/threads"); got != "primary" {
		t.Errorf("with the replica marked down the listing read the %s; want the primary", got)
	}
}
