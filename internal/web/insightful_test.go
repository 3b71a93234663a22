package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/store"
)

// insightButton is what a page shows of a post's insightful control.
type insightButton struct {
	Found   bool   // the post has a button
	Pressed string // its aria-pressed
	Count   string // the count beside it (button or plain text)
}

// insightOf reads post id's control from a page.
func insightOf(t *testing.T, body string, id int64) insightButton {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	posts := findAll(doc, func(n *html.Node) bool { return attr(n, "id") == "p"+strconv.FormatInt(id, 10) })
	if len(posts) != 1 {
		t.Fatalf("page has %d posts with id p%d", len(posts), id)
	}
	var b insightButton
	for _, n := range findAll(posts[0], func(n *html.Node) bool {
		return n.Data == "button" && attr(n, "data-insightful") != "" || attr(n, "class") == "insightful-count-only"
	}) {
		if n.Data == "button" {
			b.Found, b.Pressed = true, attr(n, "aria-pressed")
		}
		b.Count = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(textOf(n)), "Insightful ·"))
		break
	}
	return b
}

// TestInsightful: a member marks someone's post insightful without JavaScript, sees the
// button pressed and the count, and its author is told; marking again takes it all back.
// Nobody marks their own post, a hidden one, without an account or without the form's
// token; the page's script gets JSON.
func TestInsightful(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	mod := e.user("moderator", forum.RoleModerator)
	th, _ := e.fx.Thread(alice, "Did the marathon open anything?", "Runners came; did anything else?")
	reply := e.fx.Reply(th, alice, nil, "Hotels opened to foreigners for a week.", "")
	tpath := "/t/" + strconv.FormatInt(th.ID, 10)
	mark := "/p/" + strconv.FormatInt(reply.ID, 10) + "/insightful"

	bob := e.login("bob")
	ali := e.login("alice")
	unread := func() int {
		t.Helper()
		resp, body := ali.get("/about")
		wantStatus(t, resp, body, http.StatusOK)
		return headerUnread(t, body)
	}

	t.Run("MarkPressesTheButtonAndNotifiesTheAuthor", func(t *testing.T) {
		resp, body := bob.get(tpath + "?sort=top")
		wantStatus(t, resp, body, http.StatusOK)
		if b := insightOf(t, body, reply.ID); !b.Found || b.Pressed != "false" || b.Count != "0" {
			t.Fatalf("before marking: %+v, want an unpressed button with 0", b)
		}
		resp, body = bob.post(mark, url.Values{"next": {tpath + "?sort=top#p" + strconv.FormatInt(reply.ID, 10)}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc, want := resp.Header.Get("Location"), tpath+"?sort=top#p"+strconv.FormatInt(reply.ID, 10); loc != want {
			t.Fatalf("redirect to %q, want back to %q", loc, want)
		}
		resp, body = bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if b := insightOf(t, body, reply.ID); b.Pressed != "true" || b.Count != "1" {
			t.Fatalf("after marking: %+v, want pressed with 1", b)
		}
		if n := unread(); n != 1 {
			t.Fatalf("alice has %d unread, want 1", n)
		}
	})

	t.Run("MarkAgainTakesItBack", func(t *testing.T) {
		resp, body := bob.post(mark, nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc, want := resp.Header.Get("Location"), tpath+"#p"+strconv.FormatInt(reply.ID, 10); loc != want {
			t.Fatalf("redirect to %q, want %q", loc, want)
		}
		resp, body = bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if b := insightOf(t, body, reply.ID); b.Pressed != "false" || b.Count != "0" {
			t.Fatalf("after taking it back: %+v, want unpressed with 0", b)
		}
		if n := unread(); n != 0 {
			t.Fatalf("alice still has %d unread after the mark was taken back", n)
		}
		resp, body = ali.get("/notifications")
		wantStatus(t, resp, body, http.StatusOK)
		if strings.Contains(body, "found your post insightful") {
			t.Fatal("the withdrawn mark's notification is still listed")
		}
	})

	t.Run("NotificationNamesTheMarker", func(t *testing.T) {
		resp, body := bob.post(mark, nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = ali.get("/notifications")
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "bob found your post insightful", `href="/p/`+strconv.FormatInt(reply.ID, 10))
		if n := strings.Count(body, "found your post insightful"); n != 1 {
			t.Fatalf("%d insightful notifications, want 1", n)
		}
	})

	t.Run("OwnPostRefused", func(t *testing.T) {
		resp, body := ali.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if b := insightOf(t, body, reply.ID); b.Found || b.Count != "1" {
			t.Fatalf("the author sees %+v, want the count without a button", b)
		}
		resp, body = ali.post(mark, nil)
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "You cannot mark your own post insightful.")
	})

	t.Run("VisitorSeesTheCountAndMustLogIn", func(t *testing.T) {
		visitor := e.client()
		resp, body := visitor.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if b := insightOf(t, body, reply.ID); b.Found || b.Count != "1" {
			t.Fatalf("a visitor sees %+v, want the count without a button", b)
		}
		resp, body = visitor.post(mark, nil)
		wantStatus(t, resp, body, http.StatusUnauthorized)
		wantContains(t, body, "Log in")
	})

	t.Run("NoTokenRefused", func(t *testing.T) {
		resp, body := bob.postRaw(mark, url.Values{})
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "Reload the page")
	})

	t.Run("JSONForTheScript", func(t *testing.T) {
		for _, want := range []string{`{"count":0,"marked":false}`, `{"count":1,"marked":true}`} {
			req, _ := http.NewRequest(http.MethodPost, e.http.URL+mark, nil)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-CSRF-Token", bob.csrf)
			resp, body := bob.do(req)
			wantStatus(t, resp, body, http.StatusOK)
			if got := strings.TrimSpace(body); got != want {
				t.Fatalf("answer %s, want %s", got, want)
			}
		}
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+mark, nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", ali.csrf)
		resp, body := ali.do(req)
		wantStatus(t, resp, body, http.StatusForbidden)
		var msg struct{ Error string }
		if err := json.Unmarshal([]byte(body), &msg); err != nil || !strings.Contains(msg.Error, "your own post") {
			t.Fatalf("refusal %q is not JSON saying why", body)
		}
	})

	t.Run("MutingTheMarkerHidesIt", func(t *testing.T) {
		e.user("carol", forum.RoleMember)
		resp, body := e.login("carol").post(mark, nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if n := unread(); n != 1 {
			t.Fatalf("alice has %d unread, want 1", n)
		}
		resp, body = ali.post("/u/carol/mute", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if n := unread(); n != 0 {
			t.Fatalf("alice has %d unread after muting the marker, want 0", n)
		}
	})

	t.Run("HiddenPostRefused", func(t *testing.T) {
		other := e.fx.Reply(th, alice, nil, "A reply moderators will hide.", "")
		if err := e.store.Decide(t.Context(), store.Decision{PostID: other.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
			t.Fatal(err)
		}
		resp, body := bob.post("/p/"+strconv.FormatInt(other.ID, 10)+"/insightful", nil)
		wantStatus(t, resp, body, http.StatusNotFound)
		wantContains(t, body, "not visible")
	})
}

// TestInsightfulConcurrentMarks: people marking one post at once each count once, and the
// kept count equals the marks.
func TestInsightfulConcurrentMarks(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	th, _ := e.fx.Thread(alice, "Tourism after the marathon", "Who went?")
	reply := e.fx.Reply(th, alice, nil, "Tour groups are back.", "")
	const n = 8
	var markers []*forum.User
	for i := range n {
		markers = append(markers, e.user("marker"+strconv.Itoa(i), forum.RoleMember))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, u := range markers {
		wg.Go(func() {
			if _, err := e.store.ToggleInsightful(t.Context(), reply.ID, u.ID); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var kept, rows, notices int
	if err := e.db.QueryRowContext(t.Context(), `SELECT insightful_count, (SELECT count(*) FROM insightful WHERE post_id = $1),
		(SELECT count(*) FROM notifications WHERE post_id = $1 AND reason = 'insightful')
		FROM posts WHERE id = $1`, reply.ID).Scan(&kept, &rows, &notices); err != nil {
		t.Fatal(err)
	}
	if kept != n || rows != n || notices != n {
		t.Fatalf("kept count %d, marks %d, notifications %d; want %d each", kept, rows, notices, n)
	}
	resp, body := e.client().get("/t/" + strconv.FormatInt(th.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	if b := insightOf(t, body, reply.ID); b.Count != strconv.Itoa(n) {
		t.Fatalf("the page shows %q, want %d", b.Count, n)
	}
}

var topArticleRE = regexp.MustCompile(`<article [^>]*data-post-id="(\d+)" data-parent-id="(\d*)" data-depth="(\d+)"`)

// TestThreadTopSort: ?sort=top puts the most marked top-level replies first (oldest first
// among equals), and within each parent its replies the same way, replies staying under
// their parents; the sort switch marks the current order.
func TestThreadTopSort(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	var people []*forum.User
	for i := range 3 {
		people = append(people, e.user("reader"+strconv.Itoa(i), forum.RoleMember))
	}
	th, _ := e.fx.Thread(alice, "Which reopening mattered?", "Marathon, tourism, trade?")
	a := e.fx.Reply(th, alice, nil, "a: the marathon", "")
	b := e.fx.Reply(th, alice, nil, "b: tourism", "")
	c := e.fx.Reply(th, alice, nil, "c: trade", "")
	a1 := e.fx.Reply(th, alice, a, "a1", "")
	a2 := e.fx.Reply(th, alice, a, "a2", "")
	a3 := e.fx.Reply(th, alice, a, "a3", "")
	markBy := func(p *forum.Post, k int) {
		for _, u := range people[:k] {
			if _, err := e.store.ToggleInsightful(t.Context(), p.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	markBy(c, 2)
	markBy(b, 2)
	markBy(a3, 3)
	markBy(a2, 1)

	tpath := "/t/" + strconv.FormatInt(th.ID, 10)
	resp, body := e.client().get(tpath + "?sort=top")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<a href="?sort=top" aria-current="true"`)
	var tops, underA []int64
	for _, m := range topArticleRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		switch {
		case m[3] == "1":
			tops = append(tops, id)
		case m[2] == strconv.FormatInt(a.ID, 10):
			underA = append(underA, id)
		}
	}
	if want := []int64{b.ID, c.ID, a.ID}; !slices.Equal(tops, want) {
		t.Errorf("top-level order %v, want %v (2, 2, 0 marks: most first, then oldest)", tops, want)
	}
	if want := []int64{a3.ID, a2.ID, a1.ID}; !slices.Equal(underA, want) {
		t.Errorf("replies under a: %v, want %v (3, 1, 0 marks)", underA, want)
	}
	// Replies stay under their parents: a's replies come after a and before nothing else.
	if i, j := strings.Index(body, `id="p`+strconv.FormatInt(a.ID, 10)+`"`), strings.Index(body, `id="p`+strconv.FormatInt(a3.ID, 10)+`"`); i < 0 || j < i {
		t.Errorf("a's reply is not under a")
	}

	// The oldest order is untouched.
	resp, body = e.client().get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<a href="?" aria-current="true"`)
	tops = tops[:0]
	for _, m := range topArticleRE.FindAllStringSubmatch(body, -1) {
		if m[3] == "1" {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			tops = append(tops, id)
		}
	}
	if want := []int64{a.ID, b.ID, c.ID}; !slices.Equal(tops, want) {
		t.Errorf("oldest order %v, want %v", tops, want)
	}

	// A top page's cursor is two numbers; anything else is a bad link, not a 500.
	resp, body = e.client().get(tpath + "?sort=top&after=2." + strconv.FormatInt(b.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, `id="p`+strconv.FormatInt(b.ID, 10)+`"`) || !strings.Contains(body, `id="p`+strconv.FormatInt(c.ID, 10)+`"`) {
		t.Errorf("the page after b shows b again or misses c")
	}
	resp, body = e.client().get(tpath + "?sort=top&after=" + strconv.FormatInt(b.ID, 10))
	wantStatus(t, resp, body, http.StatusBadRequest)
}

// TestThreadTopSortPages: paging the top order with its (count, id) cursor shows every
// top-level reply exactly once, in order, however the marks fall.
func TestThreadTopSortPages(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	var people []*forum.User
	for i := range 3 {
		people = append(people, e.user("reader"+strconv.Itoa(i), forum.RoleMember))
	}
	th, _ := e.fx.Thread(alice, "Paging the best replies", "Go.")
	var want []*forum.Post
	for i := range 11 {
		p := e.fx.Reply(th, alice, nil, "reply "+strconv.Itoa(i), "")
		e.fx.Reply(th, alice, p, "under "+strconv.Itoa(i), "")
		for _, u := range people[:i%4%3] { // marks 0,1,2,0,0,1,2,0,...
			if _, err := e.store.ToggleInsightful(t.Context(), p.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		p.InsightfulCount = i % 4 % 3
		want = append(want, p)
	}
	slices.SortFunc(want, forum.SortTop)
	var got []int64
	q := store.TreeQuery{ThreadID: th.ID, Top: true, Budget: 4, MaxDepth: 8}
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		page, err := e.store.Tree(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		// A page comes in path order; the tree sorts it for display (sortTop).
		var tops []*forum.Post
		for i := range page.Posts {
			if page.Posts[i].Depth == 1 {
				tops = append(tops, &page.Posts[i])
			}
		}
		slices.SortFunc(tops, forum.SortTop)
		for _, p := range tops {
			got = append(got, p.ID)
		}
		if page.NextAfter == 0 {
			break
		}
		q.After, q.AfterCount = page.NextAfter, page.NextCount
	}
	var wantIDs []int64
	for _, p := range want {
		wantIDs = append(wantIDs, p.ID)
	}
	if !slices.Equal(got, wantIDs) {
		t.Fatalf("paged top order %v, want each once in order %v", got, wantIDs)
	}
}

// TestInsightfulRateLimited: marks count against their own limit like other writes; past
// it the answer is 429 with Retry-After and says what was too many.
func TestInsightfulRateLimited(t *testing.T) {
	e := newLimitedEnvOn(t, nil, func(c *config.Config) {
		c.Limits.Insightful = []forum.Limit{{Name: "insightful", Max: 2, Window: time.Hour}}
	})
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	th, _ := e.fx.Thread(alice, "Counting marks", "Go.")
	reply := e.fx.Reply(th, alice, nil, "A reply.", "")
	bob := e.login("bob")
	mark := "/p/" + strconv.FormatInt(reply.ID, 10) + "/insightful"
	for range 2 {
		resp, body := bob.post(mark, nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
	}
	resp, body := bob.post(mark, nil)
	wantRefused(t, resp, body, "insightful marks in a short time", "60 minutes")
}
