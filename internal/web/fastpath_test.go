package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

// sync waits until e's instance has handled every notification committed so far: a
// write made through another instance is then known to its page cache.
func (e *env) sync() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.hub.Sync(ctx, e.db.DB.DB); err != nil {
		e.t.Fatal(err)
	}
}

// visitor GETs path as a visitor and wants a 200.
func (e *env) visitor(path string, header ...string) (*http.Response, string) {
	e.t.Helper()
	resp, b := e.raw(path, header...)
	wantCode(e.t.(*testing.T), resp, http.StatusOK)
	return resp, string(b)
}

// TestCacheHitSendsNoQuery: once a visitor's page, tree, listing or feed is cached, a hit
// — and a feed's 304 — is answered from memory: no statement reaches the database.
func TestCacheHitSendsNoQuery(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "Served from memory")
	e.reply(f, alice, 0, "A reply in the cached thread")
	tid := strconv.FormatInt(f.thread.ID, 10)
	for _, path := range []string{"/t/" + tid, "/t/" + tid + "/" + f.thread.Slug, "/t/" + tid + "?sort=top",
		"/api/v1/threads/" + tid, "/", "/c/" + f.cat.Slug, "/t/" + tid + "/feed.rss", "/feed.atom", "/c/" + f.cat.Slug + "/feed.rss"} {
		for _, accept := range []string{"", "br, gzip"} {
			resp, first := e.visitor(path, "Accept-Encoding", accept)
			before := e.db.Queries()
			for range 3 {
				resp2, again := e.visitor(path, "Accept-Encoding", accept)
				if x := resp2.Header.Get("X-Cache"); x != "hit" {
					t.Fatalf("GET %s (%q) again: X-Cache %q, want hit", path, accept, x)
				}
				if again != first {
					t.Fatalf("GET %s (%q): the hit's bytes differ from the fill's", path, accept)
				}
				for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "ETag", "Cache-Control", "Content-Type"} {
					if resp2.Header.Get(h) != resp.Header.Get(h) {
						t.Fatalf("GET %s: the hit's %s %q, the fill's %q", path, h, resp2.Header.Get(h), resp.Header.Get(h))
					}
				}
				if !hasVary(resp2, "Accept-Encoding") {
					t.Fatalf("GET %s: the hit lacks Vary: Accept-Encoding", path)
				}
			}
			resp3, b := e.raw(path, "Accept-Encoding", accept, "If-None-Match", resp.Header.Get("ETag"))
			wantCode(t, resp3, http.StatusNotModified)
			if len(b) != 0 {
				t.Fatalf("GET %s: a 304 with %d bytes", path, len(b))
			}
			if q := e.db.Queries() - before; q != 0 {
				t.Fatalf("GET %s (%q): three hits and a 304 sent %d statements to the database", path, accept, q)
			}
		}
	}
}

// TestCacheFollowsAnotherInstance: instance A keeps a visitor's pages; a reply (with a
// stance), a hide and a lock made through instance B reach A's next visitor GET, as soon
// as A has heard B's NOTIFY — not after any expiry: A does not read the version again.
func TestCacheFollowsAnotherInstance(t *testing.T) {
	a := newEnv(t)
	b := newEnvOn(t, a.db)
	alice := a.user("alice", forum.RoleMember)
	a.user("mona", forum.RoleModerator)
	f := a.thread(alice, "Watched from two instances")
	spam := a.reply(f, alice, 0, "Buy cheap marathon medals")
	tid := strconv.FormatInt(f.thread.ID, 10)
	tpath, tree, feedPath := "/t/"+tid, "/api/v1/threads/"+tid, "/t/"+tid+"/feed.rss"
	a.sync()

	cached := func(path string) string {
		t.Helper()
		a.visitor(path)
		resp, body := a.visitor(path)
		if x := resp.Header.Get("X-Cache"); x != "hit" {
			t.Fatalf("A did not cache %s (X-Cache %q)", path, x)
		}
		return body
	}
	for _, path := range []string{tpath, tree, "/", feedPath} {
		cached(path)
	}

	t.Run("ReplyWithStance", func(t *testing.T) {
		before := cached(tpath)
		resp, body := b.login("alice").post(tpath+"/reply", url.Values{"body": {"Written through instance B"}, "stance": {"helps"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		a.sync()
		for _, path := range []string{tpath, tree, "/", feedPath} {
			resp, body := a.visitor(path)
			if x := resp.Header.Get("X-Cache"); x == "hit" {
				t.Fatalf("A's %s still served from the cache after B's reply", path)
			}
			if path != "/" {
				wantContains(t, body, "Written through instance B")
			}
		}
		if after := cached(tpath); after == before || !strings.Contains(after, "Written through instance B") {
			t.Fatal("A's thread page did not change with B's reply and stance")
		}
	})

	t.Run("Hide", func(t *testing.T) {
		wantContains(t, cached(tpath), "Buy cheap marathon medals")
		cached(tree)
		resp, body := b.login("mona").post("/mod/posts/"+id(spam)+"/decide", url.Values{"action": {"hide"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		a.sync()
		for _, path := range []string{tpath, tree} {
			if _, body := a.visitor(path); strings.Contains(body, "Buy cheap marathon medals") {
				t.Fatalf("A's %s still shows the post B's moderator hid", path)
			}
		}
	})

	t.Run("Lock", func(t *testing.T) {
		before := cached(tpath)
		resp, body := b.login("mona").post("/mod/threads/"+tid+"/lock", url.Values{"note": {"Cooling off"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		a.sync()
		resp, after := a.visitor(tpath)
		if x := resp.Header.Get("X-Cache"); x == "hit" || after == before {
			t.Fatal("A's thread page is the one from before B's lock")
		}
		wantContains(t, after, "Cooling off")
	})
}

// TestSessionCookieNeverGetsTheVisitorsPage: with a visitor's page cached, a logged-in
// member's request for it is rendered for them; a cookie that holds no session (expired,
// forged) is a visitor's, consistently: the visitor's page, without anything personal.
func TestSessionCookieNeverGetsTheVisitorsPage(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "One page for visitors")
	tid := strconv.FormatInt(f.thread.ID, 10)
	for _, path := range []string{"/t/" + tid, "/", "/c/" + f.cat.Slug} {
		_, visitorPage := e.visitor(path)
		// Held in every encoding a member's browser (here Go's client: gzip) may ask for.
		for _, accept := range []string{"", "gzip"} {
			e.visitor(path, "Accept-Encoding", accept)
			if resp, _ := e.visitor(path, "Accept-Encoding", accept); resp.Header.Get("X-Cache") != "hit" {
				t.Fatalf("%s (%q) not cached", path, accept)
			}
		}
		c := e.login("alice")
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		if x := resp.Header.Get("X-Cache"); x != "" {
			t.Fatalf("a member's GET %s says X-Cache %q", path, x)
		}
		if body == visitorPage {
			t.Fatalf("a member got the visitor's %s", path)
		}
		wantContains(t, body, "/logout")
		if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Fatalf("a member's %s: Cache-Control %q", path, cc)
		}

		resp, b := e.raw(path, "Cookie", "forum_session=not-a-session")
		wantCode(t, resp, http.StatusOK)
		if string(b) != visitorPage {
			t.Fatalf("a request with a cookie holding no session did not get the visitor's %s", path)
		}
	}
}

// TestFeedCache: a thread's feed is kept with its validators: a hit, a 304 by ETag or
// by date, and a reply (through the store, or another instance) retires it at once.
func TestFeedCache(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "A fed thread")
	e.reply(f, alice, 0, "The first reply")
	path := "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/feed.rss"

	resp, first := e.visitor(path)
	if x := resp.Header.Get("X-Cache"); x != "miss" {
		t.Fatalf("first GET: X-Cache %q", x)
	}
	tag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if tag == "" || modified == "" || resp.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("feed headers: ETag %q, Last-Modified %q, Cache-Control %q", tag, modified, resp.Header.Get("Cache-Control"))
	}
	resp, again := e.visitor(path)
	if resp.Header.Get("X-Cache") != "hit" || again != first || resp.Header.Get("ETag") != tag ||
		resp.Header.Get("Last-Modified") != modified {
		t.Fatal("the second GET is not the first feed from the cache")
	}
	for _, h := range [][]string{{"If-None-Match", tag}, {"If-Modified-Since", modified}} {
		resp, b := e.raw(path, h...)
		wantCode(t, resp, http.StatusNotModified)
		if len(b) != 0 || resp.Header.Get("ETag") != tag {
			t.Fatalf("%s: 304 with %d bytes, ETag %q", h[0], len(b), resp.Header.Get("ETag"))
		}
	}

	e.reply(f, alice, 0, "A reply after the feed was cached")
	resp, b := e.raw(path, "If-None-Match", tag)
	wantCode(t, resp, http.StatusOK)
	wantContains(t, string(b), "A reply after the feed was cached")
	if resp.Header.Get("ETag") == tag {
		t.Fatal("the feed's ETag did not move with the reply")
	}

	other := newEnvOn(t, e.db)
	other.visitor(path)
	e.login("alice").post("/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply", url.Values{"body": {"A reply through the first instance"}})
	other.sync()
	_, body := other.visitor(path)
	wantContains(t, body, "A reply through the first instance")
}
