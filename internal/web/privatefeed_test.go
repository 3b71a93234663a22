package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	build "forum/internal/fixture"

	"github.com/mmcdole/gofeed"

	"forum/internal/forum"
	"forum/internal/web"
)

// privateFeedRE finds the private feed's address on the page that made it.
var privateFeedRE = regexp.MustCompile(`value="` + regexp.QuoteMeta(feedBase) +
	`(/feeds/private/([A-Za-z0-9_-]{43})/notifications)\.rss"`)

// makeFeedToken makes c's private feed address on the settings page, as its owner does,
// and returns the feed's path without extension, and the token.
func makeFeedToken(t *testing.T, c *client) (path, token string) {
	t.Helper()
	c.get(web.RouteSettings)
	resp, body := c.post(web.RouteSettingsFeedToken, nil)
	wantStatus(t, resp, body, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "no-store") {
		t.Fatalf("the page showing a new feed token has Cache-Control %q", cc)
	}
	m := privateFeedRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the answer shows no private feed address:\n%.3000s", body)
	}
	wantContains(t, body, m[1]+".atom", "revokes the old one at once")
	return m[1], m[2]
}

// fetchPrivateFeed fetches a private feed as a feed reader does (no cookies) and holds
// it to what every feed promises, with the private feed's own headers.
func fetchPrivateFeed(t *testing.T, e *env, path string, hdr map[string]string) (*http.Response, *gofeed.Feed) {
	t.Helper()
	resp, body := e.feedGet(path, hdr)
	if resp.StatusCode == http.StatusNotModified {
		return resp, nil
	}
	wantStatus(t, resp, string(body), http.StatusOK)
	atom := strings.HasSuffix(path, ".atom")
	wantType := map[bool]string{false: "application/rss+xml; charset=utf-8", true: "application/atom+xml; charset=utf-8"}[atom]
	for h, want := range map[string]string{"Content-Type": wantType, "Cache-Control": "private, max-age=60",
		"Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(h); got != want {
			t.Fatalf("%s: %s %q, want %q", path, h, got, want)
		}
	}
	if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("%s: no validators", path)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Fatalf("%s: sets cookies: %q", path, sc)
	}
	feedWellFormed(t, path, body)
	if atom {
		feedAtomRequired(t, path, body)
	} else {
		feedRSSRequired(t, path, body)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: gofeed cannot parse it: %v\n%s", path, err, body)
	}
	return resp, f
}

// feedText is everything a reader of the item sees.
func feedText(f *gofeed.Feed) string {
	var b strings.Builder
	for _, it := range f.Items {
		b.WriteString(it.Title + "\n" + it.Description + "\n" + it.Content + "\n")
	}
	return b.String()
}

func TestPrivateFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	carol := e.user("carol", forum.RoleMember)
	e.user("dave", forum.RoleMember)
	e.user("mod1", forum.RoleModerator)
	f := ruleThread(e, alice, "Who pays for the reopening?")
	r1 := e.reply(f, bob, 0, "Bob says the tour operators pay.")

	ac := e.login("alice")
	path, token := makeFeedToken(t, ac)

	var etag, lastMod string
	t.Run("ListsTheReply", func(t *testing.T) {
		for _, p := range feedBoth(path) {
			resp, feed := fetchPrivateFeed(t, e, p, nil)
			if len(feed.Items) != 1 {
				t.Fatalf("%s: %d items, want 1:\n%s", p, len(feed.Items), feedText(feed))
			}
			it := feed.Items[0]
			if it.Link != postGUID(r1.ID) {
				t.Fatalf("%s: link %q, want %q", p, it.Link, postGUID(r1.ID))
			}
			if !strings.Contains(it.Title, "bob replied to your post") || !strings.Contains(it.Title, "Who pays for the reopening?") {
				t.Fatalf("%s: title %q", p, it.Title)
			}
			wantContains(t, feedText(feed), "Bob says the tour operators pay.")
			if strings.HasSuffix(p, ".rss") {
				etag, lastMod = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			}
		}
	})

	t.Run("AnswersItsValidatorsWith304", func(t *testing.T) {
		for _, hdr := range []map[string]string{{"If-None-Match": etag}, {"If-Modified-Since": lastMod}} {
			resp, body := e.feedGet(path+".rss", hdr)
			wantStatus(t, resp, string(body), http.StatusNotModified)
			if len(body) != 0 || resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "private, max-age=60" {
				t.Fatalf("304 with %v: body %d bytes, ETag %q, Cache-Control %q", hdr, len(body),
					resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
			}
		}
	})

	r2 := e.reply(f, carol, 0, "Carol says the visitors pay twice.")
	var twoItems string
	t.Run("NewNotificationChangesTheValidator", func(t *testing.T) {
		resp, feed := fetchPrivateFeed(t, e, path+".rss", map[string]string{"If-None-Match": etag})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d after a new notification", resp.StatusCode)
		}
		twoItems = resp.Header.Get("ETag")
		if twoItems == etag || len(feed.Items) != 2 || feed.Items[0].Link != postGUID(r2.ID) {
			t.Fatalf("ETag %q (was %q), %d items, first %q", twoItems, etag, len(feed.Items), feed.Items[0].Link)
		}
	})

	mod := e.login("mod1")
	ruleHide(t, mod, r2.ID)
	t.Run("HiddenPostLeavesAndChangesTheValidator", func(t *testing.T) {
		resp, feed := fetchPrivateFeed(t, e, path+".rss", map[string]string{"If-None-Match": twoItems})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d after the post was hidden", resp.StatusCode)
		}
		if len(feed.Items) != 1 || resp.Header.Get("ETag") == twoItems {
			t.Fatalf("%d items, ETag %q unchanged? %v", len(feed.Items), twoItems, resp.Header.Get("ETag") == twoItems)
		}
		if strings.Contains(feedText(feed), "visitors pay twice") {
			t.Fatalf("the hidden post is in the feed:\n%s", feedText(feed))
		}
	})

	t.Run("FlagOutcomeShowsNoHiddenText", func(t *testing.T) {
		dc := e.login("dave")
		resp, body := dc.post("/p/"+id(r1)+"/flag", url.Values{"reason": {"misinformation"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		ruleHide(t, mod, r1.ID)
		dpath, _ := makeFeedToken(t, dc)
		for _, p := range feedBoth(dpath) {
			_, feed := fetchPrivateFeed(t, e, p, nil)
			if len(feed.Items) != 1 || feed.Items[0].Link != postGUID(r1.ID) {
				t.Fatalf("%s: want the flag's outcome about post %d:\n%s", p, r1.ID, feedText(feed))
			}
			wantContains(t, feedText(feed), "A post you flagged was reviewed: the post was hidden")
			wantAbsent(t, p, feedText(feed), "tour operators")
		}
		// Its author still reads their own hidden post in the notice about it.
		bpath, _ := makeFeedToken(t, e.login("bob"))
		_, feed := fetchPrivateFeed(t, e, bpath+".rss", nil)
		wantContains(t, feedText(feed), "A moderator reviewed your post", "Bob says the tour operators pay.")
	})

	t.Run("NewTokenRevokesTheOldAtOnce", func(t *testing.T) {
		newPath, newToken := makeFeedToken(t, ac)
		if newToken == token {
			t.Fatal("the new token is the old one")
		}
		_, unknown := e.client().get("/no/such/page")
		for _, p := range feedBoth(path) {
			resp, body := e.feedGet(p, nil)
			wantStatus(t, resp, string(body), http.StatusNotFound)
			wantContains(t, string(body), "There is no page at this address.")
			wantContains(t, unknown, "There is no page at this address.")
		}
		for _, p := range feedBoth(newPath) {
			fetchPrivateFeed(t, e, p, nil)
		}
		for _, bad := range []string{"short", strings.Repeat("A", 43), token + "x"} {
			resp, body := e.feedGet("/feeds/private/"+bad+"/notifications.rss", nil)
			wantStatus(t, resp, string(body), http.StatusNotFound)
		}
	})
}

// TestPrivateFeedTokenNotLogged captures every log line while a private feed is read,
// answered 304, refused and mistyped: the token appears in none of them. It swaps the
// process's logger, so it does not run in parallel (parallel tests wait until it ends).
func TestPrivateFeedTokenNotLogged(t *testing.T) {
	var logs build.LogBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(old) })

	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	f := e.thread(alice, "A thread with a reply")
	e.reply(f, bob, 0, "A reply that notifies alice.")
	path, token := makeFeedToken(t, e.login("alice"))

	resp, _ := e.feedGet(path+".rss", nil)
	wantStatus(t, resp, "", http.StatusOK)
	e.feedGet(path+".rss", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
	e.feedDo(http.MethodHead, path+".atom", nil)
	e.feedGet(path+".rss/", nil)                                      // redirected
	e.feedGet("/feeds/private/"+token+"/notifications.json", nil)     // no such route
	e.feedGet("/feeds/private/"+token[1:]+"x/notifications.rss", nil) // no such token

	// The server logs after answering: wait for the last request's line.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for !strings.Contains(logs.String(), "notifications.rss status=404") {
		if ctx.Err() != nil {
			t.Fatalf("the request log never showed the last request:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	out := logs.String()
	if strings.Contains(out, token) || strings.Contains(out, token[1:]) {
		t.Fatalf("the log shows a private feed token:\n%s", out)
	}
	if n := strings.Count(out, "path=/feeds/private/…/notifications."); n < 6 {
		t.Fatalf("only %d request lines name the private feed, redacted:\n%s", n, out)
	}
	// The metrics label requests by route pattern, never by path.
	rec := httptest.NewRecorder()
	e.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, web.RouteMetrics, nil))
	wantContains(t, rec.Body.String(), `route="/feeds/private/:token/notifications.rss"`)
	wantAbsent(t, "the metrics", rec.Body.String(), token, token[1:])
}
