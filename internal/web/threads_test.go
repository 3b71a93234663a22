package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/markup"
)

// fixture is a thread with its category, built through the store.
type fixture struct {
	cat    *forum.Category
	thread *forum.Thread
	root   int64
}

// thread writes a thread in the "general" category whose opening post is "Opening post
// of <title>".
func (e *env) thread(author *forum.User, title string) fixture {
	e.t.Helper()
	t, op := e.fx.Thread(author, title, "Opening post of "+title)
	return fixture{cat: e.fx.Category(t.CategorySlug), thread: t, root: op.ID}
}

// reply writes a reply through the store; parent 0 = the opening post.
func (e *env) reply(f fixture, author *forum.User, parent int64, body string) *forum.Post {
	e.t.Helper()
	var to *forum.Post
	if parent != 0 {
		to = &forum.Post{ID: parent}
	}
	return e.fx.Reply(f.thread, author, to, body, forum.StanceNone)
}

var articleRE = regexp.MustCompile(`<article class="post[^"]*" id="p(\d+)" data-post-id="(\d+)" data-parent-id="(\d*)" data-depth="(\d+)">`)

type article struct {
	id, parent string
	depth      int
}

func articles(body string) []article {
	var out []article
	for _, m := range articleRE.FindAllStringSubmatch(body, -1) {
		d, _ := strconv.Atoi(m[4])
		out = append(out, article{id: m[2], parent: m[3], depth: d})
	}
	return out
}

func id(p *forum.Post) string { return strconv.FormatInt(p.ID, 10) }

func TestThreadTree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	f := e.thread(alice, "Does the marathon help?")
	a := e.reply(f, bob, 0, "first top-level")
	a1 := e.reply(f, alice, a.ID, "answer to first")
	b := e.reply(f, alice, 0, "second top-level")
	a2 := e.reply(f, bob, a.ID, "second answer to first")
	a1x := e.reply(f, bob, a1.ID, "deeper")
	path := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	t.Run("NestedInDepthFirstOrderWithDepths", func(t *testing.T) {
		resp, body := e.client().get(path)
		wantStatus(t, resp, body, http.StatusOK)
		root := strconv.FormatInt(f.root, 10)
		want := []article{{root, "", 0}, {id(a), root, 1}, {id(a1), id(a), 2}, {id(a1x), id(a1), 3}, {id(a2), id(a), 2}, {id(b), root, 1}}
		if got := articles(body); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("tree order:\n got %v\nwant %v", got, want)
		}
	})

	t.Run("SortNewPutsNewestSiblingsFirst", func(t *testing.T) {
		_, body := e.client().get(path + "?sort=new")
		root := strconv.FormatInt(f.root, 10)
		want := []article{{root, "", 0}, {id(b), root, 1}, {id(a), root, 1}, {id(a2), id(a), 2}, {id(a1), id(a), 2}, {id(a1x), id(a1), 3}}
		if got := articles(body); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("tree order:\n got %v\nwant %v", got, want)
		}
	})

	t.Run("SlugURLWorksToo", func(t *testing.T) {
		resp, body := e.client().get(path + "/" + f.thread.Slug)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "Does the marathon help?")
	})

	t.Run("PostPageShowsAncestorsAndReplies", func(t *testing.T) {
		resp, body := e.client().get("/p/" + id(a1))
		wantStatus(t, resp, body, http.StatusOK)
		got := articles(body)
		ids := []string{}
		for _, x := range got {
			ids = append(ids, x.id)
		}
		// The ancestors are one-line links above the post (permalink_test.go); the
		// page's posts are the focus and its replies.
		want := []string{id(a1), id(a1x)}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Fatalf("post page shows %v, want %v", ids, want)
		}
		wantContains(t, body, `<a href="/p/`+strconv.FormatInt(f.root, 10)+`">`, `<a href="/p/`+id(a)+`">`)
	})

	t.Run("APITreeIsNested", func(t *testing.T) {
		resp, body := e.client().get("/api/v1/threads/" + strconv.FormatInt(f.thread.ID, 10))
		wantStatus(t, resp, body, http.StatusOK)
		var out struct {
			Tree struct {
				ID      int64 `json:"id"`
				Replies []struct {
					ID       int64  `json:"id"`
					ParentID *int64 `json:"parent_id"`
					Author   string `json:"author"`
					HTML     string `json:"html"`
					Replies  []struct {
						ID int64 `json:"id"`
					} `json:"replies"`
				} `json:"replies"`
			} `json:"tree"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		if out.Tree.ID != f.root || len(out.Tree.Replies) != 2 || out.Tree.Replies[0].ID != a.ID ||
			len(out.Tree.Replies[0].Replies) != 2 || out.Tree.Replies[0].Author != "bob" ||
			out.Tree.Replies[0].HTML != "<p>first top-level</p>" {
			t.Fatalf("unexpected tree: %s", body)
		}
	})
}

func TestThreadPageQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("counter", forum.RoleMember)
	small := e.thread(u, "A small thread")
	e.reply(small, u, 0, "one")
	big := e.thread(u, "A big thread")
	var last int64
	for i := range 150 {
		parent := int64(0)
		if i%3 != 0 {
			parent = last
		}
		last = e.reply(big, u, parent, "reply "+strconv.Itoa(i)).ID
	}
	count := func(path string) int64 {
		c := e.client()
		c.get("/login") // the CSRF cookie, so the measured request is an ordinary one
		before := e.db.Queries()
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		return e.db.Queries() - before
	}
	smallQ := count("/t/" + strconv.FormatInt(small.thread.ID, 10))
	bigQ := count("/t/" + strconv.FormatInt(big.thread.ID, 10))
	if smallQ != bigQ || bigQ > 2 {
		t.Fatalf("thread page queries: %d for 2 posts, %d for 151 posts; want the same, at most 2", smallQ, bigQ)
	}
	t.Logf("thread page: %d queries whatever the size", bigQ)
}

func TestThreadPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("pager", forum.RoleMember)
	f := e.thread(u, "A very long thread")
	// 120 top-level replies with two answers each: 360 posts, more than one page's budget.
	for i := range 120 {
		top := e.reply(f, u, 0, "top "+strconv.Itoa(i))
		child := e.reply(f, u, top.ID, "child of "+strconv.Itoa(i))
		e.reply(f, u, child.ID, "grandchild of "+strconv.Itoa(i))
	}
	seen := map[string]bool{}
	path := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	nextRE := regexp.MustCompile(`rel="next" href="\?after=(\d+)"`)
	pages := 0
	for path != "" {
		pages++
		_, body := e.client().get(path)
		arts := articles(body)
		if len(arts) > 201 {
			t.Fatalf("page %d renders %d posts; the budget is 200", pages, len(arts))
		}
		for _, a := range arts {
			if a.depth > 0 && seen[a.id] {
				t.Fatalf("post %s appears on two pages", a.id)
			}
			seen[a.id] = true
		}
		path = ""
		if m := nextRE.FindStringSubmatch(body); m != nil {
			path = "/t/" + strconv.FormatInt(f.thread.ID, 10) + "?after=" + m[1]
		}
	}
	if pages < 2 || len(seen) != 361 {
		t.Fatalf("%d pages showed %d distinct posts, want ≥2 pages and all 361", pages, len(seen))
	}
}

func TestContinueThisThread(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("deepdiver", forum.RoleMember)
	f := e.thread(u, "A deep conversation")
	parent := int64(0)
	var chain []*forum.Post
	for i := range 11 {
		p := e.reply(f, u, parent, "level "+strconv.Itoa(i+1))
		chain = append(chain, p)
		parent = p.ID
	}
	_, body := e.client().get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	maxD := 0
	for _, a := range articles(body) {
		maxD = max(maxD, a.depth)
	}
	if maxD != 8 {
		t.Fatalf("deepest rendered depth %d, want 8", maxD)
	}
	wantContains(t, body, `<a href="/p/`+id(chain[7])+`">Continue this thread`)
	_, body = e.client().get("/p/" + id(chain[7]))
	wantContains(t, body, `id="p`+id(chain[10])+`"`)
}

func TestHostileInputIsInert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("mallory", forum.RoleMember)
	c := e.login("mallory")
	f := e.thread(e.mustUser("mallory"), "Hostile inputs")
	raw, err := os.ReadFile("../markup/testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(raw), "\x00", ""), "\n")
	lines = append(lines,
		`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `[x](javascript:alert(1))`,
		`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`, `<svg onload=alert(1)>`,
		`<style>body{display:none}</style>`, `<a href="jav&#x09;ascript:alert(1)">x</a>`, `<b onclick="x()">broken`,
	)
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		resp, body := c.post(tpath+"/reply", url.Values{"body": {line}})
		if forum.ValidText(line, "body") != nil { // control characters: refused before the markup sees them
			wantStatus(t, resp, body, http.StatusBadRequest)
			continue
		}
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("posting %q: status %d: %.300s", line, resp.StatusCode, body)
		}
	}
	_, body := e.client().get(tpath)
	// The body div may carry the post's detected language (lang="…").
	bodies := regexp.MustCompile(`(?s)<div class="post-body" dir="auto"(?: lang="[a-z-]+")?>(.*?)</div>\n`).FindAllStringSubmatch(body, -1)
	if len(bodies) < 50 {
		t.Fatalf("only %d post bodies rendered", len(bodies))
	}
	bad := regexp.MustCompile(`(?i)<script|<svg|<iframe|<img|<style|<object|<embed|<math|<form|\son[a-z]+\s*=|href="\s*(javascript|data|vbscript):|style=`)
	for _, m := range bodies {
		if loc := bad.FindString(m[1]); loc != "" {
			t.Errorf("rendered post body contains %q:\n%s", loc, m[1])
		}
	}
}

func (e *env) mustUser(name string) *forum.User {
	e.t.Helper()
	return e.fx.UserByName(name)
}

func TestEditAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("author", forum.RoleMember)
	e.user("other", forum.RoleMember)
	f := e.thread(author, "Editing and deleting")
	p := e.reply(f, author, 0, "original words")
	child := e.reply(f, author, p.ID, "a reply below")
	c := e.login("author")

	t.Run("EditKeepsHistory", func(t *testing.T) {
		resp, body := c.post("/p/"+id(p)+"/edit", url.Values{"body": {"*revised* words"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = e.client().get("/t/" + strconv.FormatInt(f.thread.ID, 10))
		wantContains(t, body, "<em>revised</em> words", `href="/p/`+id(p)+`/history"`, ">edited<")
		_, body = e.client().get("/p/" + id(p) + "/history")
		wantContains(t, body, "<em>revised</em> words", "original words")
	})

	t.Run("OthersCannotEdit", func(t *testing.T) {
		resp, body := e.login("other").post("/p/"+id(p)+"/edit", url.Values{"body": {"hijacked"}})
		wantStatus(t, resp, body, http.StatusForbidden)
	})

	t.Run("RejectedEditKeepsText", func(t *testing.T) {
		long := strings.Repeat("x", forum.MaxBodyRunes+1)
		resp, body := c.post("/p/"+id(p)+"/edit", url.Values{"body": {long}})
		wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
		wantContains(t, body, long)
	})

	t.Run("DeleteLeavesPlaceholderAndReplies", func(t *testing.T) {
		resp, body := c.post("/p/"+id(p)+"/delete", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = e.client().get("/t/" + strconv.FormatInt(f.thread.ID, 10))
		wantContains(t, body, "[deleted]", `data-post-id="`+id(child)+`" data-parent-id="`+id(p)+`"`, "a reply below")
		if strings.Contains(body, "revised") {
			t.Fatal("deleted post's content still shown")
		}
		_, body = e.client().get("/api/v1/posts/" + id(p))
		if strings.Contains(body, "revised") || !strings.Contains(body, `"placeholder":"[deleted]"`) {
			t.Fatalf("API shows deleted content: %s", body)
		}
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("writer", forum.RoleMember)
	f := e.thread(u, "Bad input thread")
	other := e.thread(u, "Another thread")
	otherPost := e.reply(other, u, 0, "elsewhere")
	locked := e.thread(u, "A locked thread")
	mod := e.user("moddy", forum.RoleModerator)
	if err := e.store.SetThread(t.Context(), locked.thread.ID, mod.ID, forum.SettingLock, ""); err != nil {
		t.Fatal(err)
	}
	c := e.login("writer")
	reply := "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/reply"

	for _, tc := range []struct {
		name, path string
		form       url.Values
		status     int
		says       string
		keeps      string
	}{
		{"EmptyBody", reply, url.Values{"body": {"   "}}, 400, "Write something", ""},
		{"TooLong", reply, url.Values{"body": {strings.Repeat("é", forum.MaxBodyRunes+1)}}, 413, "at most 20000", strings.Repeat("é", 50)},
		{"InvalidUTF8", reply, url.Values{"body": {"bad \xff\xfe bytes"}}, 400, "not valid UTF-8", ""},
		{"NULByte", reply, url.Values{"body": {"nul \x00 byte"}}, 400, "NUL", ""},
		{"BadStance", reply, url.Values{"body": {"keep me please"}, "stance": {"sideways"}}, 400, "Stance must be", "keep me please"},
		{"ParentInOtherThread", reply, url.Values{"body": {"x"}, "parent_id": {id(otherPost)}}, 400, "another thread", ""},
		{"ParentMissing", reply, url.Values{"body": {"x"}, "parent_id": {"99999999"}}, 404, "not found", ""},
		{"ParentNotANumber", reply, url.Values{"body": {"x"}, "parent_id": {"abc"}}, 400, "parent_id", ""},
		{"ThreadMissing", "/t/99999999/reply", url.Values{"body": {"x"}}, 404, "not found", ""},
		{"LockedThread", "/t/" + strconv.FormatInt(locked.thread.ID, 10) + "/reply", url.Values{"body": {"my locked words"}}, 409, "locked", "my locked words"},
		{"ShortTitle", "/t", url.Values{"category": {"general"}, "title": {"hey"}, "body": {"my opening words"}}, 400, "Titles are 5–200", "my opening words"},
		{"UnknownCategory", "/t", url.Values{"category": {"nope"}, "title": {"A fine title"}, "body": {"my opening words"}}, 400, "Choose one of the listed categories", "A fine title"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := c.post(tc.path, tc.form)
			wantStatus(t, resp, body, tc.status)
			wantContains(t, body, tc.says)
			if tc.keeps != "" {
				wantContains(t, body, tc.keeps)
			}
		})
	}

	t.Run("SuspendedUserCannotPost", func(t *testing.T) {
		s := e.user("suspendee", forum.RoleMember)
		sc := e.login("suspendee")
		sc.get("/")
		until := time.Now().Add(72 * time.Hour)
		// Suspend without revoking the session here, to check the write path itself refuses.
		if _, err := e.db.Exec(`UPDATE users SET suspended_until = $2, suspension_reason = 'spamming links' WHERE id = $1`, s.ID, until); err != nil {
			t.Fatal(err)
		}
		resp, body := sc.post(reply, url.Values{"body": {"let me in"}})
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "suspended until", "spamming links", until.UTC().Format("2 Jan 2006"), "let me in")
	})

	t.Run("VisitorCannotPost", func(t *testing.T) {
		resp, body := e.client().post(reply, url.Values{"body": {"anonymous"}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
	})

	t.Run("UnknownPagesAre404", func(t *testing.T) {
		for _, p := range []string{"/t/99999999", "/t/abc", "/p/99999999", "/c/nope", "/u/nobody-at-all", "/api/v1/threads/99999999", "/api/v1/posts/0"} {
			resp, body := e.client().get(p)
			wantStatus(t, resp, body, http.StatusNotFound)
		}
	})

	t.Run("BadCursorIs400", func(t *testing.T) {
		resp, body := e.client().get("/?before=garbage")
		wantStatus(t, resp, body, http.StatusBadRequest)
	})
}

func TestRepliesAndStances(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("stancer", forum.RoleMember)
	e.user("second", forum.RoleMember)
	f := e.thread(u, "Stance tally")
	c := e.login("stancer")
	path := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	t.Run("ReplyViaFormRedirectsToIt", func(t *testing.T) {
		resp, body := c.post(path+"/reply", url.Values{"body": {"I think it **helps**"}, "stance": {"helps"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, path+"#p") {
			t.Fatalf("redirect to %q", loc)
		}
	})

	t.Run("LatestStanceCountsOnce", func(t *testing.T) {
		c.post(path+"/reply", url.Values{"body": {"On reflection, it hinders"}, "stance": {"hinders"}})
		e.login("second").post(path+"/reply", url.Values{"body": {"mixed for me"}, "stance": {"mixed"}})
		_, body := e.client().get(path)
		wantContains(t, body, "Helps: 0 (0%)", "Hinders: 1 (50%)", "Mixed: 1 (50%)", "2 people took a stance")
	})

	t.Run("SameIdempotencyKeyPostsOnce", func(t *testing.T) {
		form := url.Values{"body": {"sent twice by a flaky network"}, "idem": {"abc123"}}
		r1, _ := c.post(path+"/reply", form)
		r2, _ := c.post(path+"/reply", form)
		if r1.Header.Get("Location") != r2.Header.Get("Location") {
			t.Fatalf("two posts: %s, %s", r1.Header.Get("Location"), r2.Header.Get("Location"))
		}
		_, body := e.client().get(path)
		if n := strings.Count(body, "sent twice by a flaky network"); n != 1 {
			t.Fatalf("text appears %d times", n)
		}
	})

	t.Run("NewThreadViaForm", func(t *testing.T) {
		resp, body := c.post("/t", url.Values{"category": {"general"}, "title": {"Is this a test of reopening?"}, "body": {"Opening *words*"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = c.get(resp.Header.Get("Location"))
		wantContains(t, body, "Is this a test of reopening?", "<em>words</em>")
	})
}

func TestListings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("lister", forum.RoleMember)
	mod := e.user("pinner", forum.RoleModerator)
	var fs []fixture
	for i := range 35 {
		fs = append(fs, e.thread(u, fmt.Sprintf("Thread number %02d", i)))
	}
	// Activity moves thread 00 to the top of the front page.
	e.reply(fs[0], u, 0, "bump")
	if err := e.store.SetThread(t.Context(), fs[5].thread.ID, mod.ID, forum.SettingPin, ""); err != nil {
		t.Fatal(err)
	}
	titleRE := regexp.MustCompile(`class="thread-title" href="[^"]+">Thread number (\d\d)</a>`)
	nextRE := regexp.MustCompile(`rel="next" href="\?before=([^"]+)"`)
	walk := func(path string) []string {
		var all []string
		for path != "" {
			_, body := e.client().get(path)
			for _, m := range titleRE.FindAllStringSubmatch(body, -1) {
				all = append(all, m[1])
			}
			base := path
			if i := strings.Index(base, "?"); i >= 0 {
				base = base[:i]
			}
			path = ""
			if m := nextRE.FindStringSubmatch(body); m != nil {
				path = base + "?before=" + url.QueryEscape(htmlUnescape(m[1]))
			}
		}
		return all
	}
	home := walk("/")
	if len(home) != 35 || home[0] != "00" || home[1] != "34" || home[34] != "01" {
		t.Fatalf("front page order: %v", home)
	}
	seen := map[string]bool{}
	for _, h := range home {
		if seen[h] {
			t.Fatalf("thread %s listed twice across pages", h)
		}
		seen[h] = true
	}
	cat := walk("/c/general")
	if len(cat) != 35 || cat[0] != "05" || cat[1] != "00" {
		t.Fatalf("category order (pinned first): %v", cat)
	}
	_, body := e.client().get("/u/lister")
	wantContains(t, body, "Thread number 34", "bump")
}

func htmlUnescape(s string) string { return strings.ReplaceAll(s, "&amp;", "&") }

func TestRerenderRewritesStoredHTML(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("rerenderer", forum.RoleMember)
	f := e.thread(u, "Rerender me")
	p := e.reply(f, u, 0, "**bold** text")
	md := markup.New()
	n, err := e.store.Rerender(t.Context(), md.Render)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := e.store.PostByID(t.Context(), p.ID)
	if n < 1 || got.BodyHTML != "<p><strong>bold</strong> text</p>\n" {
		t.Fatalf("rerendered %d posts; html %q", n, got.BodyHTML)
	}
	thread, _ := e.store.ThreadByID(t.Context(), f.thread.ID)
	if thread.Version <= f.thread.Version {
		t.Fatal("rerender did not bump the thread version")
	}
}
