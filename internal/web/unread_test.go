package web_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/webtest"
)

// newCountRE finds a listing row's "N new" marker.
var newCountRE = regexp.MustCompile(`<strong class="new-count">(\d+) new`)

// rowNew is the "N new" of the listing row linking to thread id, or "" without one.
func rowNew(t *testing.T, body string, threadID int64) string {
	t.Helper()
	start := strings.Index(body, `href="/t/`+strconv.FormatInt(threadID, 10)+`/`)
	if start < 0 {
		t.Fatalf("no row for thread %d:\n%.3000s", threadID, body)
	}
	row := body[start:]
	if end := strings.Index(row, "</li>"); end >= 0 {
		row = row[:end]
	}
	if m := newCountRE.FindStringSubmatch(row); m != nil {
		return m[1]
	}
	return ""
}

// newPosts lists the ids of the articles marked post-new, in page order.
func newPosts(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<article class="post[^"]*\bpost-new\b[^"]*" id="p(\d+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestUnreadCountsInListings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	f := e.thread(alice, "Counting what is new")
	other := e.thread(alice, "A thread bob never opened")
	bob := e.login("bob")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	resp, body := bob.get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	// The page view left exactly one position, at the thread's newest post.
	rows := e.count(t, `SELECT count(*) FROM read_positions`)
	kept := e.count(t, `SELECT COALESCE(max(last_post_id), 0) FROM read_positions WHERE thread_id = $1`, f.thread.ID)
	last := e.count(t, `SELECT last_post_id FROM threads WHERE id = $1`, f.thread.ID)
	if rows != 1 || kept != last || int64(kept) != f.root {
		t.Fatalf("after one view: %d read positions, at post %d; want 1 at the thread's last post %d", rows, kept, last)
	}

	e.reply(f, alice, 0, "first answer while bob is away")
	e.reply(f, alice, 0, "second answer while bob is away")
	e.reply(other, alice, 0, "a reply in a thread bob never opened")

	for _, path := range []string{"/", "/c/" + f.cat.Slug, "/u/alice"} {
		resp, body = bob.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		if got := rowNew(t, body, f.thread.ID); got != "2" {
			t.Errorf("bob's %s: the visited thread's row says %q new, want 2", path, got)
		}
		if got := rowNew(t, body, other.thread.ID); got != "" {
			t.Errorf("bob's %s: a thread he never opened says %q new, want no marker", path, got)
		}
	}

	resp, body = e.client().get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "new-count") || strings.Contains(body, "since your last visit") {
		t.Error("a visitor's home page carries an unread marker")
	}

	resp, body = bob.get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = bob.get("/")
	wantStatus(t, resp, body, http.StatusOK)
	if got := rowNew(t, body, f.thread.ID); got != "" {
		t.Errorf("after bob's second visit the row still says %q new", got)
	}
	if n := e.count(t, `SELECT count(*) FROM read_positions`); n != 1 {
		t.Errorf("after two views of one thread: %d read positions, want 1", n)
	}

	// One query for the page's positions, however many rows: a home page of 2 visited
	// threads costs what one of 6 does.
	homeQueries := func() int64 {
		before := e.db.Queries()
		resp, body := bob.get("/")
		wantStatus(t, resp, body, http.StatusOK)
		return e.db.Queries() - before
	}
	small := homeQueries()
	for i := range 4 {
		g := e.thread(alice, "More to read "+strconv.Itoa(i))
		e.reply(g, alice, 0, "a reply")
		bob.get("/t/" + strconv.FormatInt(g.thread.ID, 10))
		e.reply(g, alice, 0, "another reply")
	}
	resp, body = bob.get("/")
	if got := rowNew(t, body, f.thread.ID); got != "" {
		t.Fatalf("row says %q new", got)
	}
	if big := homeQueries(); big != small {
		t.Errorf("bob's home page: %d queries with 2 threads, %d with 6; want the same", small, big)
	}
	// A visitor's listing asks nothing about read positions: its queries are those of
	// a visitor's /about page plus the listing's own one and the forum-wide stance's,
	// and the page cache's listing generation (pagecache.go; this first view renders).
	visitorQueries := func(path string) int64 {
		c := e.client()
		c.get("/login")
		before := e.db.Queries()
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		return e.db.Queries() - before
	}
	if home, about := visitorQueries("/"), visitorQueries("/about"); home != about+3 {
		t.Errorf("a visitor's home page costs %d queries, /about %d: the generation, the listing and the stance should add exactly 3", home, about)
	}
}

func TestThreadPageMarksNewPosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bobUser := e.user("bob", forum.RoleMember)
	f := e.thread(alice, "What changed since you looked")
	early := e.reply(f, alice, 0, "an early reply")
	bob := e.login("bob")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	t.Run("FirstVisitMarksNothing", func(t *testing.T) {
		resp, body := bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if got := newPosts(body); len(got) != 0 {
			t.Errorf("first visit marks %v new", got)
		}
		if strings.Contains(body, "Jump to first unread") {
			t.Error("first visit offers a jump to unread")
		}
		wantContains(t, body, `id="p`+id(early)+`"`)
	})

	a1 := e.reply(f, alice, 0, "alice answers while bob is away")
	b1 := e.fx.Reply(f.thread, bobUser, a1, "bob's own reply, written elsewhere", forum.StanceNone)
	a2 := e.reply(f, alice, b1.ID, "alice answers bob")

	t.Run("MarksNewPostsOfOthers", func(t *testing.T) {
		resp, body := bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if got, want := strings.Join(newPosts(body), ","), id(a1)+","+id(a2); got != want {
			t.Errorf("posts marked new: %s; want %s (not the opening post, the early reply or bob's own)", got, want)
		}
		wantContains(t, body, `<a class="jump-unread" href="#p`+id(a1)+`">Jump to first unread</a>`,
			`<span class="new-mark">new<span class="visually-hidden"> since your last visit</span></span>`)
		// Every article keeps the public contract's attributes.
		if n := len(articles(body)); n != 5 {
			t.Errorf("%d articles match the contract's hook, want 5", n)
		}
	})

	t.Run("SecondVisitMarksNothing", func(t *testing.T) {
		resp, body := bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if got := newPosts(body); len(got) != 0 || strings.Contains(body, "Jump to first unread") {
			t.Errorf("nothing happened since the last visit, yet %v are new (jump offered: %v)",
				got, strings.Contains(body, "Jump to first unread"))
		}
	})

	t.Run("JumpToAnotherPage", func(t *testing.T) {
		a3 := e.reply(f, alice, 0, "a new top-level reply")
		e.reply(f, alice, 0, "and another")
		// The second page of replies, after a3: the first unread is not on it.
		resp, body := bob.get(tpath + "?after=" + id(a3))
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `<a class="jump-unread" href="/p/`+id(a3)+`">Jump to first unread</a>`)
	})

	t.Run("VisitorWritesNothing", func(t *testing.T) {
		before := e.count(t, `SELECT count(*) FROM read_positions`)
		resp, body := e.client().get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if got := newPosts(body); len(got) != 0 || strings.Contains(body, "Jump to first unread") {
			t.Errorf("a visitor sees posts marked new: %v", got)
		}
		if after := e.count(t, `SELECT count(*) FROM read_positions`); after != before {
			t.Errorf("a visitor's view wrote read positions: %d → %d", before, after)
		}
	})
}

func TestMutedAuthorCollapses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bobUser := e.user("bob", forum.RoleMember)
	carol := e.user("carol", forum.RoleMember)
	f := e.thread(alice, "Muting a loud voice")
	c1 := e.reply(f, carol, 0, "a loud opinion from carol")
	b1 := e.fx.Reply(f.thread, bobUser, c1, "bob answers carol anyway", forum.StanceNone)
	bob := e.login("bob")
	aliceC := e.login("alice")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	placeholder := `<summary>Post by carol, whom you muted</summary>`

	resp, body := bob.get("/u/carol")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `action="/u/carol/mute"`)
	resp, body = bob.post("/u/carol/mute", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/u/carol" {
		t.Fatalf("mute redirected to %q, want /u/carol", loc)
	}
	resp, body = bob.get("/u/carol")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `action="/u/carol/unmute"`, ">Unmute</button>")

	t.Run("CollapsedForTheMuter", func(t *testing.T) {
		resp, body := bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		// The article stays in the tree with its hooks; its content folds behind one line.
		art := regexp.MustCompile(`<article class="post[^"]*\bpost-muted\b[^"]*" id="p` + id(c1) + `"[^>]*>\s*<details class="muted-post">` +
			regexp.QuoteMeta(placeholder) + `(?s:.*?)a loud opinion from carol(?s:.*?)</details>`)
		if !art.MatchString(body) {
			t.Fatalf("carol's post is not folded behind the placeholder:\n%.4000s", body)
		}
		if n := strings.Count(body, placeholder); n != 1 {
			t.Errorf("%d placeholders, want 1 (bob's reply to carol shows normally)", n)
		}
		wantContains(t, body, `id="p`+id(b1)+`" data-post-id="`+id(b1)+`" data-parent-id="`+id(c1)+`"`, "bob answers carol anyway")
	})

	t.Run("NotMarkedNew", func(t *testing.T) {
		e.reply(f, carol, 0, "carol again, after bob's visit")
		a := e.reply(f, alice, 0, "alice, after bob's visit")
		resp, body := bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if got := strings.Join(newPosts(body), ","); got != id(a) {
			t.Errorf("posts marked new: %s; want only alice's %s, not the muted carol's", got, id(a))
		}
	})

	t.Run("OpenOnThePostsOwnPage", func(t *testing.T) {
		resp, body := bob.get("/p/" + id(c1))
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `<details class="muted-post" open>`+placeholder)
	})

	t.Run("OthersSeeItWhole", func(t *testing.T) {
		for who, c := range map[string]*client{"alice": aliceC, "a visitor": e.client()} {
			resp, body := c.get(tpath)
			wantStatus(t, resp, body, http.StatusOK)
			if strings.Contains(body, "muted-post") {
				t.Errorf("%s sees carol's post collapsed", who)
			}
			wantContains(t, body, "a loud opinion from carol")
		}
	})

	t.Run("UnmuteRestores", func(t *testing.T) {
		resp, body := bob.post("/u/carol/unmute", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = bob.get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		if strings.Contains(body, "muted-post") {
			t.Error("after unmuting, carol's post is still collapsed")
		}
		resp, body = bob.get("/u/carol")
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `action="/u/carol/mute"`, ">Mute</button>")
	})

	t.Run("Refusals", func(t *testing.T) {
		resp, body := bob.post("/u/bob/mute", nil)
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "You cannot mute yourself.")
		resp, body = bob.get("/u/bob")
		wantStatus(t, resp, body, http.StatusOK)
		if strings.Contains(body, "/u/bob/mute") {
			t.Error("bob's own page offers to mute him")
		}
		resp, body = bob.post("/u/nobody_here/mute", nil)
		wantStatus(t, resp, body, http.StatusNotFound)
		visitor := e.client()
		resp, body = visitor.post("/u/carol/mute", nil)
		wantStatus(t, resp, body, http.StatusUnauthorized)
		resp, body = visitor.get("/u/carol")
		wantStatus(t, resp, body, http.StatusOK)
		if strings.Contains(body, "/u/carol/mute") {
			t.Error("a visitor is offered to mute")
		}
	})
}

func TestWatchThreadForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	f := e.thread(alice, "Watch me")
	bob := e.login("bob")
	tid := strconv.FormatInt(f.thread.ID, 10)
	selected := func(body string) string {
		m := regexp.MustCompile(`<option value="([a-z]+)" selected>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no level selected in the watch form:\n%.3000s", body)
		}
		return m[1]
	}

	resp, body := bob.get("/t/" + tid)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<form class="watch-form" action="/t/`+tid+`/watch" method="post">`)
	if got := selected(body); got != "none" {
		t.Fatalf("a thread bob never touched shows level %q, want none", got)
	}
	for _, level := range []string{"track", "watch", "mute", "none"} {
		resp, body = bob.post("/t/"+tid+"/watch", url.Values{"level": {level}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/t/"+tid+"/"+f.thread.Slug {
			t.Fatalf("watch redirected to %q", loc)
		}
		resp, body = bob.get("/t/" + tid)
		wantStatus(t, resp, body, http.StatusOK)
		if got := selected(body); got != level {
			t.Errorf("after choosing %s the page shows %s", level, got)
		}
	}

	resp, body = bob.post("/t/"+tid+"/watch", url.Values{"level": {"loud"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, "level must be one of")
	resp, body = bob.post("/t/999999/watch", url.Values{"level": {"watch"}})
	wantStatus(t, resp, body, http.StatusNotFound)
	visitor := e.client()
	resp, body = visitor.post("/t/"+tid+"/watch", url.Values{"level": {"watch"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = visitor.get("/t/" + tid)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "watch-form") {
		t.Error("a visitor is offered the watch form")
	}
}

func TestWatchCategoryForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	f := e.thread(alice, "A category to watch")
	bob := e.login("bob")
	cpath := "/c/" + f.cat.Slug

	resp, body := bob.get(cpath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `action="`+cpath+`/watch"`, `name="level" value="watch"`, "Watch new threads</button>")

	resp, body = bob.post(cpath+"/watch", url.Values{"level": {"watch"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != cpath {
		t.Fatalf("category watch redirected to %q, want %q", loc, cpath)
	}
	resp, body = bob.get(cpath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `name="level" value="none"`, "Stop watching</button>")

	resp, body = bob.post(cpath+"/watch", url.Values{"level": {"none"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = bob.get(cpath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Watch new threads</button>")

	resp, body = bob.post(cpath+"/watch", url.Values{"level": {"track"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	resp, body = bob.post("/c/no-such-category/watch", url.Values{"level": {"watch"}})
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = e.client().post(cpath+"/watch", url.Values{"level": {"watch"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
}

// TestLockedThreadStillServesReaders: a first visit's read position waits on the thread's
// row, which a writer (or an admin's open transaction) may hold; the page is served
// anyway, unmarked, once the lock timeout ends that wait.
func TestLockedThreadStillServesReaders(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, webtest.Options{Pool: &store.Options{LockTimeout: 200 * time.Millisecond}})
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	f := e.thread(alice, "A thread someone holds")
	bob := e.login("bob")

	locker, err := sql.Open("postgres", e.db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	tx, err := locker.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // the test's end releases it
	if _, err := tx.Exec(`SELECT id FROM threads WHERE id = $1 FOR UPDATE`, f.thread.ID); err != nil {
		t.Fatal(err)
	}
	resp, body := bob.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Opening post of A thread someone holds")
}

// TestLiveReplyOfMutedAuthorArrivesFolded: a reply that reaches an open thread page live
// is folded for a reader who muted its author, as it would be after a reload, and whole
// for everyone else.
func TestLiveReplyOfMutedAuthorArrivesFolded(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	th, op := e.fx.Thread(alice, "Live replies and mutes", "opening")
	ali := e.login("alice")
	resp, body := ali.post("/u/bob/mute", url.Values{})
	wantStatus(t, resp, body, http.StatusSeeOther)
	streamURL := e.http.URL + "/t/" + strconv.FormatInt(th.ID, 10) + "/events"
	mine, resp, stop := openStreamAs(t, ali.http, streamURL, "")
	defer stop()
	wantStatus(t, resp, "", http.StatusOK)
	public, resp, stopPublic := openStreamURL(t, streamURL, "")
	defer stopPublic()
	wantStatus(t, resp, "", http.StatusOK)
	e.fx.Reply(th, bob, op, "bob's live words", forum.StanceNone)
	if ev := next(t, mine, 5*time.Second); !strings.Contains(ev.data.Node, `class="muted-post"`) ||
		!strings.Contains(ev.data.Node, "whom you muted") {
		t.Errorf("alice's stream: bob's reply arrived unfolded: %s", ev.data.Node)
	}
	if ev := next(t, public, 5*time.Second); strings.Contains(ev.data.Node, "muted-post") || !strings.Contains(ev.data.Node, "bob's live words") {
		t.Errorf("a visitor's stream: bob's reply did not arrive whole: %s", ev.data.Node)
	}
}
