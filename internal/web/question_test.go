package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"forum/internal/forum"
)

// qRows is a listing's thread rows: each title and whether the row is marked pinned.
func qRows(doc *html.Node) (titles []string, pinned []bool) {
	for _, li := range findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "thread-item") }) {
		a := findAll(li, func(n *html.Node) bool { return hasClass(n, "thread-title") })
		if len(a) == 1 {
			titles = append(titles, textOf(a[0]))
		}
		pinned = append(pinned, hasClass(li, "pinned"))
	}
	return titles, pinned
}

// TestPinScopesOnPages: a moderator's pin form takes a scope; a site-wide pin leads the
// front page marked pinned, a category pin leads only its category; the thread page
// offers the scopes it is not pinned in; the public log says which; a bad scope is a 400.
func TestPinScopesOnPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("mona", forum.RoleModerator)
	site := e.thread(alice, "Pinned for everyone")
	cat := e.thread(alice, "Pinned in its category")
	e.thread(alice, "Newest and unpinned")
	mod := e.login("mona")
	pin := func(f fixture, scope string) (*http.Response, string) {
		form := url.Values{}
		if scope != "" {
			form.Set("scope", scope)
		}
		return mod.post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/pin", form)
	}

	resp, body := mod.get("/t/" + strconv.FormatInt(site.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `name="scope" value="site"`, ">Pin site-wide</button>", `name="scope" value="category"`, ">Pin in category</button>")

	resp, body = pin(site, "site")
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = pin(cat, "") // no scope: a category pin, as before scopes
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = pin(cat, "everywhere")
	wantStatus(t, resp, body, http.StatusBadRequest)

	resp, body = e.client().get("/")
	wantStatus(t, resp, body, http.StatusOK)
	titles, pinned := qRows(parsePage(t, body))
	if len(titles) != 3 || titles[0] != "Pinned for everyone" || !pinned[0] || pinned[1] || pinned[2] {
		t.Fatalf("front page rows %q pinned %v; want the site-wide pin first and the only one marked", titles, pinned)
	}
	if titles[1] != "Newest and unpinned" {
		t.Fatalf("front page rows %q: the category pin should not lead the front page", titles)
	}
	resp, body = e.client().get("/c/" + cat.cat.Slug)
	wantStatus(t, resp, body, http.StatusOK)
	titles, pinned = qRows(parsePage(t, body))
	if len(titles) != 3 || titles[0] != "Pinned in its category" || titles[1] != "Pinned for everyone" ||
		!pinned[0] || !pinned[1] || pinned[2] {
		t.Fatalf("category rows %q pinned %v; want both pins first, newest first, marked", titles, pinned)
	}

	resp, body = mod.get("/t/" + strconv.FormatInt(site.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, ">Pin in category only</button>", ">Unpin</button>")
	if strings.Contains(body, ">Pin site-wide</button>") {
		t.Error("a site-wide pin is offered to be pinned site-wide again")
	}

	resp, body = e.client().get("/modlog")
	wantStatus(t, resp, body, http.StatusOK)
	if text := textOf(parsePage(t, body)); !strings.Contains(text, "“Pinned for everyone” site-wide") {
		t.Errorf("the public log does not say the pin was site-wide:\n%s", text)
	}
}

// TestHomeShowsForumStance: the front page says how many people hold each stance, each
// counted once with their newest stance, and draws the weeks as an SVG whose text
// equivalent carries the same numbers.
func TestHomeShowsForumStance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	a := e.thread(alice, "First thread with stances")
	b := e.thread(alice, "Second thread with stances")
	e.fx.Reply(a.thread, alice, nil, "It helps", forum.StanceHelps)
	e.fx.Reply(b.thread, alice, nil, "On reflection it hinders", forum.StanceHinders)
	e.fx.Reply(a.thread, bob, nil, "It hinders", forum.StanceHinders)

	resp, body := e.client().get("/")
	wantStatus(t, resp, body, http.StatusOK)
	doc := parsePage(t, body)
	sec, err := only(doc, "forum-stance sections", func(n *html.Node) bool { return hasClass(n, "forum-stance") })
	if err != nil {
		t.Fatal(err)
	}
	now := strings.Join(strings.Fields(textOf(sec)), " ")
	for _, want := range []string{"2 people, each counted once", "0 people think it helps", "2 people think it hinders", "0 people find it mixed"} {
		if !strings.Contains(now, want) {
			t.Errorf("the forum-wide stance does not say %q:\n%s", want, now)
		}
	}
	svg, err := only(sec, "charts", func(n *html.Node) bool { return n.Data == "svg" })
	if err != nil {
		t.Fatal(err)
	}
	label := attr(svg, "aria-labelledby")
	if attr(svg, "role") != "img" || label == "" {
		t.Fatalf("chart role %q, aria-labelledby %q", attr(svg, "role"), label)
	}
	if _, err := only(svg, "chart titles", func(n *html.Node) bool { return n.Data == "title" && attr(n, "id") == label }); err != nil {
		t.Fatal(err)
	}
	if n := len(findAll(svg, func(n *html.Node) bool { return n.Data == "circle" })); n != len(forum.Stances) {
		t.Errorf("%d series marks, want one per stance", n)
	}
	rows := findAll(sec, func(n *html.Node) bool {
		return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody"
	})
	if len(rows) != 1 {
		t.Fatalf("the text equivalent has %d weeks, want this one", len(rows))
	}
	var cells []string
	for _, c := range findAll(rows[0], func(n *html.Node) bool { return n.Data == "td" }) {
		cells = append(cells, textOf(c))
	}
	if strings.Join(cells, "/") != "0/2/0" {
		t.Errorf("this week's row reads helps/hinders/mixed %s, want 0/2/0", strings.Join(cells, "/"))
	}
	if n := len(findAll(sec, func(n *html.Node) bool { return hasClass(n, "visually-hidden") })); n == 0 {
		t.Error("the weekly numbers are not in a visually hidden text equivalent")
	}

	// Later pages only list.
	resp, body = e.client().get("/?before=" + url.QueryEscape("0.2000-01-01T00:00:00Z.1"))
	if resp.StatusCode == http.StatusOK && strings.Contains(body, "forum-stance") {
		t.Error("a later page of the front page repeats the forum-wide stance")
	}
}
