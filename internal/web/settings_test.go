package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/web"
)

var (
	autoWatchOnRE = regexp.MustCompile(`<input type="checkbox" id="auto_watch" name="auto_watch" value="1"[^>]* checked>`)
	apiTokenRE    = regexp.MustCompile(`id="api-token-value" class="secret-value" readonly value="([A-Za-z0-9_-]{43})"`)
)

func TestSettingsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	if err := e.store.SetMute(t.Context(), alice.ID, bob, true); err != nil {
		t.Fatal(err)
	}
	ac := e.login("alice")

	t.Run("VisitorsAreSentToLogIn", func(t *testing.T) {
		resp, body := e.client().get(web.RouteSettings)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
			t.Fatalf("Location %q", loc)
		}
	})

	t.Run("ShowsEverySection", func(t *testing.T) {
		resp, body := ac.get("/")
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `<a href="/settings">Settings</a>`)
		resp, body = ac.get(web.RouteSettings)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `id="notifications"`, "Watch threads I start or reply to",
			`id="private-feed"`, `action="/settings/feed-token"`, `id="api-token"`, `action="/settings/api-token"`,
			`id="muted-people"`, `<a href="/u/bob">bob</a>`, `action="/u/bob/unmute"`)
		if !autoWatchOnRE.MatchString(body) {
			t.Fatal("auto-watch is on by default, but the box is not checked")
		}
	})

	t.Run("AutoWatchRoundTrips", func(t *testing.T) {
		resp, body := ac.post(web.RouteSettingsNotifications, url.Values{}) // an unchecked box sends nothing
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = ac.get(resp.Header.Get("Location"))
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "Your notification setting is saved.")
		if autoWatchOnRE.MatchString(body) {
			t.Fatal("the box is still checked after turning auto-watch off")
		}
		// What that means: replying no longer watches the thread.
		f := e.thread(bob, "A thread alice replies to")
		e.reply(f, alice, 0, "A reply that watches nothing.")
		if lvl, err := e.store.ThreadWatch(t.Context(), alice.ID, f.thread.ID); err != nil || lvl != forum.WatchNone {
			t.Fatalf("after replying with auto-watch off: level %q, %v", lvl, err)
		}

		resp, body = ac.post(web.RouteSettingsNotifications, url.Values{"auto_watch": {"1"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = ac.get(web.RouteSettings)
		if !autoWatchOnRE.MatchString(body) {
			t.Fatal("the box is unchecked after turning auto-watch on")
		}
		g := e.thread(bob, "Another thread alice replies to")
		e.reply(g, alice, 0, "A reply that watches the thread.")
		if lvl, err := e.store.ThreadWatch(t.Context(), alice.ID, g.thread.ID); err != nil || lvl != forum.WatchWatch {
			t.Fatalf("after replying with auto-watch on: level %q, %v", lvl, err)
		}

		resp, body = ac.post(web.RouteSettingsNotifications, url.Values{"auto_watch": {"maybe"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
	})

	t.Run("PostsNeedTheCSRFToken", func(t *testing.T) {
		for _, path := range []string{web.RouteSettingsNotifications, web.RouteSettingsFeedToken, web.RouteSettingsAPIToken} {
			resp, body := ac.postRaw(path, url.Values{"auto_watch": {"1"}})
			wantStatus(t, resp, body, http.StatusForbidden)
		}
		if _, body := ac.get(web.RouteSettings); strings.Contains(body, "You have a private feed address") ||
			strings.Contains(body, "You have an API token") {
			t.Fatal("a POST without the CSRF token made a token")
		}
	})

	t.Run("TokenIsShownOnce", func(t *testing.T) {
		resp, body := ac.post(web.RouteSettingsAPIToken, nil)
		wantStatus(t, resp, body, http.StatusOK)
		m := apiTokenRE.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no token on the page:\n%.3000s", body)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Fatalf("Cache-Control %q", cc)
		}
		if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Fatalf("Referrer-Policy %q", rp)
		}
		_, body = ac.get(web.RouteSettings)
		wantContains(t, body, "You have an API token.")
		wantAbsent(t, "the settings page", body, m[1])
	})
}

// apiPage is /api/v1/notifications' answer.
type apiPage struct {
	Notifications []struct {
		ID     int64   `json:"id"`
		Reason string  `json:"reason"`
		Detail *string `json:"detail"`
		Read   bool    `json:"read"`
		Actor  *string `json:"actor"`
		Thread struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"thread"`
		Post struct {
			ID      int64   `json:"id"`
			URL     string  `json:"url"`
			Excerpt *string `json:"excerpt"`
		} `json:"post"`
	} `json:"notifications"`
	Next *string `json:"next"`
	// An error's fields.
	Error  string `json:"error"`
	Status int    `json:"status"`
}

// apiGet sends GET path with the given Authorization (none if empty) from c.
func apiGet(t *testing.T, c *client, path, auth string) (*http.Response, apiPage) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.http.URL+path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, body := c.do(req)
	var page apiPage
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatalf("GET %s: status %d, not JSON: %v\n%.500s", path, resp.StatusCode, err, body)
	}
	return resp, page
}

func TestAPINotifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	e.user("mod1", forum.RoleModerator)
	f := ruleThread(e, alice, "Marathon routes and who sees them")
	first := e.reply(f, bob, 0, "The route passes the Arch of Triumph.")
	const replies = 33 // more than one page
	for i := 1; i < replies; i++ {
		e.reply(f, bob, 0, "Another thought on the route.")
	}
	ac := e.login("alice")
	_, body := ac.post(web.RouteSettingsAPIToken, nil)
	m := apiTokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no API token on the page:\n%.3000s", body)
	}
	bearer := "Bearer " + m[1]

	// walk follows next from the first page and returns every notification id.
	walk := func(t *testing.T, c *client, auth string) (ids []int64, pages int) {
		t.Helper()
		path := web.RouteAPINotifications
		for {
			resp, page := apiGet(t, c, path, auth)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, page.Error)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
				t.Fatalf("GET %s: Cache-Control %q", path, cc)
			}
			pages++
			for _, n := range page.Notifications {
				if n.Reason != "reply" || n.Actor == nil || *n.Actor != "bob" || n.Read ||
					n.Thread.ID != f.thread.ID || n.Thread.Title != "Marathon routes and who sees them" ||
					n.Post.Excerpt == nil || !strings.HasPrefix(n.Post.URL, feedBase+"/p/") {
					t.Fatalf("notification %+v", n)
				}
				ids = append(ids, n.ID)
			}
			if page.Next == nil {
				return ids, pages
			}
			path = *page.Next
		}
	}
	check := func(t *testing.T, ids []int64, pages int) {
		t.Helper()
		if len(ids) != replies || pages < 2 {
			t.Fatalf("%d notifications over %d pages, want %d over several", len(ids), pages, replies)
		}
		seen := map[int64]bool{}
		for i, id := range ids {
			if seen[id] || (i > 0 && id >= ids[i-1]) {
				t.Fatalf("not newest first without repeats: %v", ids)
			}
			seen[id] = true
		}
	}

	t.Run("BySession", func(t *testing.T) {
		ids, pages := walk(t, ac, "")
		check(t, ids, pages)
	})
	t.Run("ByBearerToken", func(t *testing.T) {
		ids, pages := walk(t, e.client(), bearer)
		check(t, ids, pages)
	})

	t.Run("ReadingMarksNothingRead", func(t *testing.T) {
		if n, err := e.store.UnreadCount(t.Context(), alice.ID); err != nil || n != replies {
			t.Fatalf("unread count %d, %v; want %d", n, err, replies)
		}
	})

	t.Run("RefusesWithoutACaller", func(t *testing.T) {
		for what, auth := range map[string]string{
			"nothing": "", "a made-up token": "Bearer " + strings.Repeat("A", 43), "a malformed token": "Bearer x",
			"another scheme": "Basic " + m[1],
		} {
			resp, page := apiGet(t, e.client(), web.RouteAPINotifications, auth)
			if resp.StatusCode != http.StatusUnauthorized || page.Status != http.StatusUnauthorized || page.Error == "" {
				t.Fatalf("%s: status %d, %+v", what, resp.StatusCode, page)
			}
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("%s: WWW-Authenticate %q", what, resp.Header.Get("WWW-Authenticate"))
			}
		}
	})

	t.Run("TokenCannotWrite", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+web.RouteNotificationsRead, nil)
		req.Header.Set("Authorization", bearer)
		resp, body := e.client().do(req)
		if resp.StatusCode < 400 {
			t.Fatalf("POST with the bearer token: status %d: %.300s", resp.StatusCode, body)
		}
		if n, _ := e.store.UnreadCount(t.Context(), alice.ID); n != replies {
			t.Fatalf("a POST with the bearer token marked notifications read: %d unread", n)
		}
	})

	t.Run("ModerationNoticeHasNoExcerptForTheFlagger", func(t *testing.T) {
		e.user("dave", forum.RoleMember)
		dc := e.login("dave")
		resp, body := dc.post("/p/"+id(first)+"/flag", url.Values{"reason": {"misinformation"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		ruleHide(t, e.login("mod1"), first.ID)
		resp, page := apiGet(t, dc, web.RouteAPINotifications, "")
		if resp.StatusCode != http.StatusOK || len(page.Notifications) != 1 {
			t.Fatalf("status %d, %+v", resp.StatusCode, page)
		}
		n := page.Notifications[0]
		if n.Reason != "flag" || n.Post.ID != first.ID || n.Post.Excerpt != nil || n.Actor != nil ||
			n.Detail == nil || *n.Detail != "hide" {
			t.Fatalf("the flagger's notice: %+v (excerpt %v)", n, n.Post.Excerpt)
		}
	})

	t.Run("NewTokenRevokesTheOld", func(t *testing.T) {
		_, body := ac.post(web.RouteSettingsAPIToken, nil)
		m2 := apiTokenRE.FindStringSubmatch(body)
		if m2 == nil || m2[1] == m[1] {
			t.Fatal("no new token")
		}
		if resp, _ := apiGet(t, e.client(), web.RouteAPINotifications, bearer); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the replaced token: status %d", resp.StatusCode)
		}
		if resp, _ := apiGet(t, e.client(), web.RouteAPINotifications, "Bearer "+m2[1]); resp.StatusCode != http.StatusOK {
			t.Fatalf("the new token: status %d", resp.StatusCode)
		}
	})

	t.Run("BadCursorIs400", func(t *testing.T) {
		resp, page := apiGet(t, ac, web.RouteAPINotifications+"?before=nonsense", "")
		if resp.StatusCode != http.StatusBadRequest || page.Error == "" {
			t.Fatalf("status %d, %+v", resp.StatusCode, page)
		}
	})
}
