package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

var unreadBadge = regexp.MustCompile(`class="notifications-link" href="/notifications" data-unread="(\d+)"`)

// headerUnread reads the unread count in a page's header.
func headerUnread(t *testing.T, body string) int {
	t.Helper()
	m := unreadBadge.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("page has no notifications link in its header")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestNotificationsJourney: replies and a mention written through the forms reach the
// right people, the header counts them on every page, the list groups them by thread
// with an excerpt and a link to the post in context, opening the list reads them, and a
// hidden post leaves the list and the count.
func TestNotificationsJourney(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	e.user("carol", forum.RoleMember)
	e.user("moderator", forum.RoleModerator)
	th, op := e.fx.Thread(alice, "The marathon is back after six years", "What does it mean?")
	tpath := "/t/" + strconv.FormatInt(th.ID, 10)

	bob := e.login("bob")
	resp, body := bob.post(tpath+"/reply", url.Values{"body": {"It helps, and @carol agrees with me; @nobody-here does not exist."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	bobReply := postIDFrom(t, resp)

	// The mention is a link to carol's page at write time; an unknown name stays text.
	resp, body = bob.get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<a class="mention" href="/u/carol"`)
	if strings.Contains(body, `href="/u/nobody-here"`) {
		t.Errorf("an unknown name became a link")
	}

	carol := e.login("carol")
	resp, body = carol.get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if n := headerUnread(t, body); n != 1 {
		t.Errorf("carol's header count after a mention: %d, want 1", n)
	}
	resp, body = carol.post(tpath+"/reply", url.Values{"body": {"I do agree."}, "parent_id": {strconv.FormatInt(bobReply, 10)}})
	wantStatus(t, resp, body, http.StatusSeeOther)

	ali := e.login("alice")
	resp, body = ali.get("/about")
	wantStatus(t, resp, body, http.StatusOK)
	if n := headerUnread(t, body); n != 2 {
		t.Errorf("alice's header count after two posts in her thread: %d, want 2", n)
	}
	resp, body = ali.get("/notifications")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "The marathon is back after six years", "bob replied to your post",
		"carol posted in a thread you watch", `href="/p/`+strconv.FormatInt(bobReply, 10)+`"`, "It helps, and @carol agrees")
	if strings.Count(body, `class="notification-group"`) != 1 {
		t.Errorf("two notifications in one thread are not one group")
	}
	if strings.Index(body, "carol posted") > strings.Index(body, "bob replied") {
		t.Errorf("the list is not newest first")
	}
	if n := headerUnread(t, body); n != 0 {
		t.Errorf("the list's own header still counts %d unread after opening it", n)
	}
	resp, body = ali.get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if n := headerUnread(t, body); n != 0 {
		t.Errorf("after opening the list, the count is %d, want 0", n)
	}

	// bob writes again; a moderator hides it before alice looks: it is gone from both.
	resp, body = bob.post(tpath+"/reply", url.Values{"body": {"Spam spam spam"}, "parent_id": {strconv.FormatInt(op.ID, 10)}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	spam := postIDFrom(t, resp)
	resp, body = ali.get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if n := headerUnread(t, body); n != 1 {
		t.Fatalf("alice's count after bob's second reply: %d, want 1", n)
	}
	mod := e.login("moderator")
	resp, body = mod.post("/mod/posts/"+strconv.FormatInt(spam, 10)+"/decide", url.Values{"action": {"hide"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: status %d: %s", resp.StatusCode, body)
	}
	resp, body = ali.get("/notifications")
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "Spam spam spam") || strings.Contains(body, `href="/p/`+strconv.FormatInt(spam, 10)+`"`) {
		t.Errorf("a hidden post is still in the list")
	}
	if n := headerUnread(t, body); n != 0 {
		t.Errorf("alice's count after the hide: %d, want 0", n)
	}
	// bob hears of the moderator's decision on his post.
	resp, body = bob.get("/notifications")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "A moderator reviewed your post: the post was hidden")

	// Mark all read: a POST with CSRF.
	resp, body = carol.post(tpath+"/reply", url.Values{"body": {"@alice look"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = ali.get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if n := headerUnread(t, body); n != 1 {
		t.Fatalf("alice's count before mark all read: %d, want 1", n)
	}
	resp, body = ali.postRaw("/notifications/read", url.Values{})
	wantStatus(t, resp, body, http.StatusForbidden)
	resp, body = ali.post("/notifications/read", url.Values{})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = ali.get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if n := headerUnread(t, body); n != 0 {
		t.Errorf("alice's count after mark all read: %d, want 0", n)
	}

	// A visitor is sent to log in.
	resp, _ = e.client().get("/notifications")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("a visitor's /notifications: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// postIDFrom reads the new post's id from a reply's redirect (…#p123).
func postIDFrom(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	loc := resp.Header.Get("Location")
	i := strings.LastIndex(loc, "#p")
	id, err := strconv.ParseInt(loc[i+2:], 10, 64)
	if i < 0 || err != nil {
		t.Fatalf("no post id in %q", loc)
	}
	return id
}

// TestNotificationsPage keyset-pages a long list, newest first, without repeats.
func TestNotificationsPage(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	th, op := e.fx.Thread(alice, "Forty replies to one post", "count them")
	const n = 40
	for i := range n {
		e.fx.Reply(th, bob, op, "reply number "+strconv.Itoa(i)+".", forum.StanceNone)
	}
	ali := e.login("alice")
	seen := map[string]bool{}
	next := "/notifications"
	pages := 0
	re := regexp.MustCompile(`data-notification-id="(\d+)"`)
	for next != "" && pages < 5 {
		resp, body := ali.get(next)
		wantStatus(t, resp, body, http.StatusOK)
		pages++
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("notification %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		next = ""
		if m := regexp.MustCompile(`href="(/notifications\?before=[^"]+)"`).FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != n || pages != 2 {
		t.Errorf("paged %d notifications over %d pages, want %d over 2", len(seen), pages, n)
	}
	resp, body := ali.get("/notifications?before=not-a-cursor")
	wantStatus(t, resp, body, http.StatusBadRequest)
}
