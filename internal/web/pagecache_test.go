package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"forum/internal/forum"
	"forum/internal/web"
)

// raw fetches path with the given request headers and returns the response with its
// body exactly as sent (still compressed: setting Accept-Encoding turns off the
// client's own decompression).
func (e *env) raw(path string, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp, b
}

func decode(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch enc {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	return out
}

func wantCode(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: status %d, want %d", resp.Request.URL.Path, resp.StatusCode, want)
	}
}

func hasVary(resp *http.Response, v string) bool {
	for _, h := range resp.Header.Values("Vary") {
		for part := range strings.SplitSeq(h, ",") {
			if strings.EqualFold(strings.TrimSpace(part), v) {
				return true
			}
		}
	}
	return false
}

// TestCompression: text responses come brotli- or gzip-compressed as asked, decode to
// the identity bytes, and say Vary: Accept-Encoding; the event stream is never
// compressed.
func TestCompression(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "Compressed pages")
	e.reply(f, alice, 0, strings.Repeat("A reply long enough to be worth compressing. ", 20))
	tid := strconv.FormatInt(f.thread.ID, 10)
	for _, path := range []string{"/", "/t/" + tid, "/api/v1/threads/" + tid, "/feed.rss", "/about", "/static/style.css"} {
		t.Run(path, func(t *testing.T) {
			resp, plain := e.raw(path)
			wantCode(t, resp, http.StatusOK)
			if ce := resp.Header.Get("Content-Encoding"); ce != "" {
				t.Fatalf("identity asked, got Content-Encoding %q", ce)
			}
			if !hasVary(resp, "Accept-Encoding") {
				t.Fatalf("identity response lacks Vary: Accept-Encoding: %v", resp.Header.Values("Vary"))
			}
			for _, tc := range []struct{ accept, want string }{{"br, gzip", "br"}, {"gzip", "gzip"}, {"gzip, br;q=0", "gzip"}} {
				resp, b := e.raw(path, "Accept-Encoding", tc.accept)
				wantCode(t, resp, http.StatusOK)
				if ce := resp.Header.Get("Content-Encoding"); ce != tc.want {
					t.Fatalf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, ce, tc.want)
				}
				if !hasVary(resp, "Accept-Encoding") {
					t.Fatalf("%s response lacks Vary: Accept-Encoding", tc.want)
				}
				if len(b) >= len(plain) {
					t.Fatalf("%s: %d bytes compressed, %d plain", tc.want, len(b), len(plain))
				}
				if got := decode(t, tc.want, b); !bytes.Equal(got, plain) {
					t.Fatalf("%s decodes to %d bytes that differ from the %d identity bytes", tc.want, len(got), len(plain))
				}
			}
		})
	}

	t.Run("EventStreamIsNotCompressed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.http.URL+"/t/"+tid+"/events", nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		req.Header.Set("Accept", "text/event-stream")
		tr := &http.Transport{DisableCompression: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		wantCode(t, resp, http.StatusOK)
		if ce := resp.Header.Get("Content-Encoding"); ce != "" {
			t.Fatalf("event stream compressed: %q", ce)
		}
		if hasVary(resp, "Accept-Encoding") {
			t.Fatal("event stream says Vary: Accept-Encoding")
		}
		// The first heartbeat arrives unbuffered, as plain text.
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil {
			t.Fatalf("no first line from the stream: %v", err)
		}
		if !strings.HasPrefix(line, ":") && !strings.Contains(line, ":") {
			t.Fatalf("first line %q is not server-sent events text", line)
		}
	})
}

// TestVisitorGetsNoCSRFCookie: a visitor's GET of a page without a form sets no cookie
// and may be kept by a shared cache; a page with a form still sets it, and the form
// works.
func TestVisitorGetsNoCSRFCookie(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "No cookies here")
	for _, path := range []string{"/", "/t/" + strconv.FormatInt(f.thread.ID, 10), "/c/" + f.cat.Slug, "/search?q=cookies", "/feed.rss", "/api/v1/threads"} {
		resp, body := e.raw(path)
		wantCode(t, resp, http.StatusOK)
		if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
			t.Fatalf("GET %s set cookies %q", path, sc)
		}
		if bytes.Contains(body, []byte(`name="csrf_token"`)) {
			t.Fatalf("GET %s: a visitor's page carries a CSRF form", path)
		}
	}
	for _, path := range []string{"/", "/t/" + strconv.FormatInt(f.thread.ID, 10)} {
		resp, _ := e.raw(path)
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=0, must-revalidate" {
			t.Fatalf("GET %s: Cache-Control %q", path, cc)
		}
	}

	c := e.client()
	resp, body := c.get("/login")
	wantStatus(t, resp, body, http.StatusOK)
	var csrfCookie bool
	for _, ck := range resp.Cookies() {
		csrfCookie = csrfCookie || ck.Name == "forum_csrf"
	}
	if !csrfCookie {
		t.Fatalf("GET /login set no csrf cookie: %q", resp.Header.Values("Set-Cookie"))
	}
	resp, body = c.post("/login", url.Values{"username": {"alice"}, "password": {"alice-password"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
}

// TestPageCache: a visitor's thread page, tree and listings are served again from memory
// until what they show changes, by whatever write and through whichever instance.
func TestPageCache(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("mona", forum.RoleModerator)
	older := e.thread(alice, "The older thread")
	f := e.thread(alice, "The cached thread")
	spam := e.reply(f, alice, 0, "Buy cheap marathon medals")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	visit := func(path string) (*http.Response, string) {
		t.Helper()
		resp, b := e.raw(path)
		wantCode(t, resp, http.StatusOK)
		return resp, string(b)
	}
	t.Run("ServedAgainFromMemory", func(t *testing.T) {
		for _, path := range []string{tpath, "/api/v1/threads/" + strconv.FormatInt(f.thread.ID, 10), "/", "/c/" + f.cat.Slug} {
			resp, first := visit(path)
			if x := resp.Header.Get("X-Cache"); x != "miss" {
				t.Fatalf("first GET %s: X-Cache %q, want miss", path, x)
			}
			before := e.db.Queries()
			resp, again := visit(path)
			if x := resp.Header.Get("X-Cache"); x != "hit" {
				t.Fatalf("second GET %s: X-Cache %q, want hit", path, x)
			}
			if q := e.db.Queries() - before; q > 1 { // at most the thread's row, for its version
				t.Fatalf("a cached GET %s sent %d statements", path, q)
			}
			if again != first {
				t.Fatalf("GET %s: the cached bytes differ from the rendered ones", path)
			}
		}
	})

	t.Run("ETagAnswers304", func(t *testing.T) {
		for _, path := range []string{tpath, "/"} {
			resp, _ := visit(path)
			tag := resp.Header.Get("ETag")
			if tag == "" {
				t.Fatalf("GET %s has no ETag", path)
			}
			resp, b := e.raw(path, "If-None-Match", tag)
			wantCode(t, resp, http.StatusNotModified)
			if len(b) != 0 {
				t.Fatalf("304 with a body of %d bytes", len(b))
			}
			resp, _ = e.raw(path, "If-None-Match", tag, "Accept-Encoding", "gzip")
			wantCode(t, resp, http.StatusOK) // another encoding is other bytes
		}
	})

	t.Run("ReplyShowsAtOnce", func(t *testing.T) {
		visit(tpath)
		c := e.login("alice")
		resp, body := c.post(tpath+"/reply", url.Values{"body": {"A reply made through the form"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, page := visit(tpath)
		wantContains(t, page, "A reply made through the form")
	})

	t.Run("HiddenPostDisappears", func(t *testing.T) {
		_, page := visit(tpath)
		wantContains(t, page, "Buy cheap marathon medals")
		mod := e.login("mona")
		resp, body := mod.post("/mod/posts/"+id(spam)+"/decide", url.Values{"action": {"hide"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, page = visit(tpath)
		if strings.Contains(page, "Buy cheap marathon medals") {
			t.Fatal("a hidden post is still shown to visitors")
		}
	})

	t.Run("PinChangesHome", func(t *testing.T) {
		first := func(body string) bool {
			i, j := strings.Index(body, older.thread.Title), strings.Index(body, f.thread.Title)
			return i >= 0 && j >= 0 && i < j
		}
		if _, home := visit("/"); first(home) {
			t.Fatal("the older thread is already first")
		}
		mod := e.login("mona")
		resp, body := mod.post("/mod/threads/"+strconv.FormatInt(older.thread.ID, 10)+"/pin", url.Values{"scope": {"site"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if _, home := visit("/"); !first(home) { // at once: the listing generation moved with the commit
			t.Fatal("the pinned thread is not first on the home page")
		}
	})

	t.Run("SecondInstanceSeesChanges", func(t *testing.T) {
		other := newEnvOn(t, e.db)
		other.raw("/")
		if resp, _ := other.raw("/"); resp.Header.Get("X-Cache") != "hit" {
			t.Fatal("the second instance did not cache its home page")
		}
		e.thread(alice, "Written through the first instance")
		other.sync() // the other instance knows of it once it has heard the NOTIFY
		resp, b := other.raw("/")
		wantCode(t, resp, http.StatusOK)
		if !strings.Contains(string(b), "Written through the first instance") {
			t.Fatal("the second instance's home page does not show the new thread")
		}
		// And its thread pages follow a reply made through the first instance.
		tp := "/t/" + strconv.FormatInt(f.thread.ID, 10)
		other.raw(tp)
		e.login("alice").post(tp+"/reply", url.Values{"body": {"Seen by both instances"}})
		other.sync()
		resp, b = other.raw(tp)
		wantCode(t, resp, http.StatusOK)
		if !strings.Contains(string(b), "Seen by both instances") {
			t.Fatal("the second instance's thread page does not show the reply")
		}
	})

	// A write straight to the rows, as another tool might make, is followed once the
	// tool says so on the thread_versions channel: a hit reads no version from the
	// database (fastpath.go), so the NOTIFY is what moves it.
	t.Run("DirectWriteFollowsItsNotify", func(t *testing.T) {
		visit(tpath)
		if resp, _ := visit(tpath); resp.Header.Get("X-Cache") != "hit" {
			t.Fatal("not cached")
		}
		if _, err := e.db.Exec(`UPDATE posts SET body_html = body_html || '<p>Heard of by version alone</p>'
			WHERE thread_id = $1 AND depth = 0`, f.thread.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Exec(`UPDATE threads SET version = version + 1 WHERE id = $1`, f.thread.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Exec(`SELECT pg_notify('thread_versions', $1::text)`, f.thread.ID); err != nil {
			t.Fatal(err)
		}
		e.sync()
		resp, page := visit(tpath)
		wantCode(t, resp, http.StatusOK)
		wantContains(t, page, "Heard of by version alone")
	})

	t.Run("AccountDeletionShowsDeleted", func(t *testing.T) {
		e.user("leaver", forum.RoleMember)
		lt := e.thread(e.fx.UserByName("leaver"), "A thread by the leaver")
		lpath := "/t/" + strconv.FormatInt(lt.thread.ID, 10)
		_, page := visit(lpath)
		wantContains(t, page, "leaver")
		_, home := visit("/")
		wantContains(t, home, `<a href="/u/leaver">leaver</a>`)
		c := e.login("leaver")
		resp, body := c.post(web.RouteSettingsDelete, url.Values{"password": {"leaver-password"}})
		wantStatus(t, resp, body, http.StatusOK)
		_, page = visit(lpath)
		wantContains(t, page, forum.DeletedName)
		_, home = visit("/")
		wantContains(t, home, `<span class="author-deleted">`+forum.DeletedName+`</span>`)
	})
}

// TestPageCacheFlushesOnReconnect: when the listener's connection is cut, notifications
// may be lost: nothing is served from the cache until it is back, and then all is new.
func TestPageCacheFlushesOnReconnect(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.thread(alice, "Before the cut")
	e.raw("/")
	if resp, _ := e.raw("/"); resp.Header.Get("X-Cache") != "hit" {
		t.Fatal("home page not cached")
	}
	if _, err := e.db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	// The listener notices the cut, the cache stops serving (no X-Cache) until it is
	// back, then renders afresh: "miss". Without the flush it would say "hit" forever.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _ := e.raw("/")
		wantCode(t, resp, http.StatusOK)
		if resp.Header.Get("X-Cache") == "miss" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache never came back after the listener reconnected")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
