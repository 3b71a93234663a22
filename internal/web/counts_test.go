package web_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"forum/internal/forum"
	"forum/internal/store"
)

// repliesCount is the text of the reply count in a listing row or a thread page's head.
var repliesCountRE = regexp.MustCompile(`<span class="replies-count"[^>]*>([^<]*)</span>`)

func repliesCount(t *testing.T, c *client, path string) string {
	t.Helper()
	resp, body := c.get(path)
	wantStatus(t, resp, body, http.StatusOK)
	m := repliesCountRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s shows no reply count", path)
	}
	return m[1]
}

func apiReplyCount(t *testing.T, c *client, threadID int64) int {
	t.Helper()
	resp, body := c.get("/api/v1/threads/" + strconv.FormatInt(threadID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	var out struct {
		Thread struct {
			ReplyCount int `json:"reply_count"`
		} `json:"thread"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Thread.ReplyCount
}

// TestReplyCountsLeaveOutHiddenReplies: hiding a reply takes it out of the count a
// visitor sees on the listing, the thread page and in the API; a moderator sees it
// counted apart; restoring puts it back; an author's delete counts the same way; and a
// reader's "new" count compares like with like.
func TestReplyCountsLeaveOutHiddenReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	mod := e.user("moddy", forum.RoleModerator)
	f := e.thread(alice, "Counting what the page shows")
	e.reply(f, bob, 0, "first")
	second := e.reply(f, bob, 0, "second")
	third := e.reply(f, bob, 0, "third")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	visitor, moderator := e.client(), e.login("moddy")
	reader := e.login("alice")
	reader.get(tpath) // alice has read all three

	want := func(step, visitorText, modText string, api int) {
		t.Helper()
		for _, path := range []string{"/", tpath} {
			if got := repliesCount(t, visitor, path); got != visitorText {
				t.Errorf("%s: a visitor's %s says %q, want %q", step, path, got, visitorText)
			}
			if got := repliesCount(t, moderator, path); got != modText {
				t.Errorf("%s: a moderator's %s says %q, want %q", step, path, got, modText)
			}
		}
		if got := apiReplyCount(t, visitor, f.thread.ID); got != api {
			t.Errorf("%s: the API's reply_count is %d, want %d", step, got, api)
		}
	}
	want("at first", "3 replies", "3 replies", 3)

	if err := e.store.Decide(ctx, store.Decision{PostID: second.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}
	want("hidden", "2 replies", "3 replies, 1 hidden", 2)
	if _, body := reader.get("/"); strings.Contains(body, `class="new-count"`) {
		t.Error("a hide made a reply look new to a reader who had read them all")
	}

	if err := e.store.Decide(ctx, store.Decision{PostID: second.ID, ModeratorID: mod.ID, Action: forum.DecideRestore}); err != nil {
		t.Fatal(err)
	}
	want("restored", "3 replies", "3 replies", 3)

	if err := e.store.DeletePost(ctx, third.ID, bob.ID, ""); err != nil {
		t.Fatal(err)
	}
	want("deleted by its author", "2 replies", "3 replies, 1 hidden", 2)

	reader.get(tpath)
	e.reply(f, bob, 0, "fourth")
	if _, body := reader.get("/"); !strings.Contains(body, `<strong class="new-count">1 new`) {
		t.Error("one reply after the reader's visit does not read as 1 new")
	}
}

// TestPagedThreadSaysWhichReplies: a thread longer than a page says which replies each
// page shows, counted over all levels in reading order as the viewer counts them (a
// placeholder takes no number). Large replies end pages at the byte budget, so a few
// dozen make several pages.
func TestPagedThreadSaysWhichReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	mod := e.user("moddy", forum.RoleModerator)
	th, op := e.fx.Thread(alice, "A long thread to count", "go on")
	big := strings.Repeat("word ", 3600) // 18 KB: about 28 to a page
	var tops []*forum.Post
	for i := range 36 {
		p := e.fx.Reply(th, alice, op, "answer "+strconv.Itoa(i)+" "+big, forum.StanceNone)
		tops = append(tops, p)
		if i%6 == 0 {
			e.fx.Reply(th, alice, p, "a short answer to "+strconv.Itoa(i), forum.StanceNone)
		}
	}
	const total = 36 + 6
	tpath := "/t/" + strconv.FormatInt(th.ID, 10)
	rangeRE := regexp.MustCompile(`<p class="thread-range">Showing replies (\d+)–(\d+) of (\d+)</p>`)
	nextRE := regexp.MustCompile(`rel="next" href="\?after=(\d+)"`)
	replyRE := regexp.MustCompile(`<article class="(post[^"]*)" id="p\d+" data-post-id="\d+" data-parent-id="\d+" data-depth="[1-9]\d*">`)
	// pages walks a thread's pages as c and checks each range against the replies the
	// page shows (placeholders of hidden ones too when countHidden); it returns the ranges.
	pages := func(c *client, of int, countHidden bool) []string {
		t.Helper()
		var out []string
		path, to := tpath, 0
		for path != "" {
			resp, body := c.get(path)
			wantStatus(t, resp, body, http.StatusOK)
			m := rangeRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("%s says no range", path)
			}
			shown := 0
			for _, a := range replyRE.FindAllStringSubmatch(body, -1) {
				if countHidden || !strings.Contains(a[1], "post-hidden") {
					shown++
				}
			}
			want := strconv.Itoa(to+1) + "–" + strconv.Itoa(to+shown) + " of " + strconv.Itoa(of)
			if got := m[1] + "–" + m[2] + " of " + m[3]; got != want {
				t.Errorf("%s says %s; it shows %d replies after %d: want %s", path, got, shown, to, want)
			}
			to += shown
			out = append(out, m[1]+"–"+m[2])
			path = ""
			if n := nextRE.FindStringSubmatch(body); n != nil {
				path = tpath + "?after=" + n[1]
			}
		}
		if len(out) < 2 || to != of {
			t.Fatalf("%d pages showed %d of %d replies", len(out), to, of)
		}
		return out
	}
	pages(e.client(), total, false)
	if err := e.store.Decide(t.Context(), store.Decision{PostID: tops[2].ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}
	pages(e.client(), total-1, false)
	pages(e.login("moddy"), total, true) // moderators see and count the hidden reply
	resp, body := e.client().get("/t/" + strconv.FormatInt(e.thread(alice, "A short thread").thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "thread-range") {
		t.Error("a one-page thread says which replies it shows")
	}
}

// TestProfileCountsMatchTheList: a person's page counts what it lists, for a visitor and
// for the person, with one of their posts hidden; each listed post names its thread and,
// for a reply, the post it answers.
func TestProfileCountsMatchTheList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	mod := e.user("moddy", forum.RoleModerator)
	f := e.thread(alice, "Where the runners stayed")
	x := e.reply(f, alice, 0, "The hotel by the river took most of the foreign runners.")
	answer := e.reply(f, bob, x.ID, "bob answers alice's hotel post")
	hidden := e.reply(f, bob, 0, "bob says something a moderator hides")
	e.reply(f, bob, 0, "bob's visible top-level reply")
	e.thread(bob, "Bob's own thread") // its opening post is one of bob's posts
	if err := e.store.Decide(t.Context(), store.Decision{PostID: hidden.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}
	countsRE := regexp.MustCompile(`<span class="user-counts">(\d+) posts? · (\d+) threads?</span>`)
	for name, c := range map[string]*client{"Visitor": e.client(), "Author": e.login("bob")} {
		t.Run(name, func(t *testing.T) {
			resp, body := c.get("/u/bob")
			wantStatus(t, resp, body, http.StatusOK)
			m := countsRE.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("the page shows no counts")
			}
			items := strings.Count(body, `<li class="user-post">`)
			if m[1] != strconv.Itoa(items) || items != 3 {
				t.Errorf("the page says %s posts and lists %d; want 3 of each", m[1], items)
			}
			if m[2] != "1" {
				t.Errorf("the page says %s threads; bob started 1", m[2])
			}
			wantAbsent(t, "bob's page", body, "bob says something a moderator hides")
		})
	}

	t.Run("ItemsNameTheirThreadAndParent", func(t *testing.T) {
		_, body := e.client().get("/u/bob")
		doc := parsePage(t, body)
		var item *html.Node
		for _, li := range findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "user-post") }) {
			if strings.Contains(squashText(li), "bob answers alice's hotel post") {
				item = li
			}
		}
		if item == nil {
			t.Fatal("the reply is not listed")
		}
		thread := findAll(item, func(n *html.Node) bool { return n.Data == "a" && hasClass(n, "user-post-thread") })
		if len(thread) != 1 || squashText(thread[0]) != "Where the runners stayed" ||
			!strings.HasPrefix(attr(thread[0], "href"), "/t/"+strconv.FormatInt(f.thread.ID, 10)) {
			t.Fatalf("the item does not link its thread: %q", squashText(item))
		}
		parent := findAll(item, func(n *html.Node) bool {
			return n.Data == "a" && attr(n, "href") == "/p/"+id(x)
		})
		if len(parent) != 1 || !strings.HasPrefix(squashText(parent[0]), "in reply to alice: The hotel by the river") {
			t.Fatalf("the item does not name the post it answers: %q", squashText(item))
		}
		if !strings.Contains(squashText(item), "bob answers alice's hotel post") || answer.ID == 0 {
			t.Fatal("the item shows no excerpt of the post")
		}
	})
}

// TestFeedAndNotificationLinksArePermalinks: a reply's feed item and a notification of it
// link to the reply's own page, /p/ID.
func TestFeedAndNotificationLinksArePermalinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	f := e.thread(alice, "Links that land on the post")
	r := e.reply(f, bob, 0, "bob answers alice")
	permalink := "/p/" + id(r)

	resp, body := e.client().get("/t/" + strconv.FormatInt(f.thread.ID, 10) + "/feed.rss")
	wantStatus(t, resp, body, http.StatusOK)
	var rss struct {
		Items []struct {
			Link string `xml:"link"`
			GUID string `xml:"guid"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal([]byte(body), &rss); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range rss.Items {
		if it.GUID == feedBase+permalink {
			found = it.Link == feedBase+permalink
		}
	}
	if !found {
		t.Errorf("the reply's feed item does not link %s: %+v", permalink, rss.Items)
	}

	a := e.login("alice")
	resp, body = a.get("/notifications")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<a href="`+permalink+`">`)
	resp, body = a.get("/api/v1/notifications")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `"url":"`+feedBase+permalink+`"`)
}
