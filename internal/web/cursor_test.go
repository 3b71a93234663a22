package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

const badCursorMessage = "That page link is not valid"

// TestMalformedCursorsAre400 walks every keyset listing with page links that cannot be
// read: each answers the same 400 with the same message, never page one and never a 500.
func TestMalformedCursorsAre400(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("cursorer", forum.RoleMember)
	e.user("cursormod", forum.RoleModerator)
	f := e.thread(u, "Cursor fixture thread")
	e.reply(f, u, 0, "x marks the spot")
	mod := e.login("cursormod")
	tid := strconv.FormatInt(f.thread.ID, 10)

	for _, tc := range []struct {
		path  string
		asMod bool
	}{
		{path: "/?before=x"},
		{path: "/?before=0.-9223372036854775808.1"},
		{path: "/?before=0.9223372036854775807.1"}, // year 294247: beyond PostgreSQL's timestamps
		{path: "/?before=0.253402300800000000.1"},  // year 10000
		{path: "/?before=2.1.1"},                   // the pin field is 0 or 1
		{path: "/?before=%2B0.1.1"},
		{path: "/?before=00.1.1"},
		{path: "/?before=0.1"},
		{path: "/?before=0.1.1.1"},
		{path: "/?before=" + strings.Repeat("9", 5000)},
		{path: "/api/v1/threads?before=0.-9223372036854775808.1"},
		{path: "/api/v1/threads?before=2.99999999999999999.1"},
		{path: "/c/general?before=garbage"},
		{path: "/c/general?before=2.1.1"},
		{path: "/modlog?before=abc"},
		{path: "/modlog?before=-1"},
		{path: "/modlog?before=9223372036854775808"},
		{path: "/modlog?action=hide_post&before=1.2"},
		{path: "/u/cursorer?before=zz"},
		{path: "/u/cursorer?before=%2B5"},
		{path: "/t/" + tid + "?after=zz"},
		{path: "/t/" + tid + "?sort=new&after=-1"},
		{path: "/api/v1/threads/" + tid + "?after=zz"},
		{path: "/search?q=x&before=bad"},
		{path: "/search?q=x&before=0.0607927_12"}, // the old rank_id shape
		{path: "/search?q=x&before=2139095040.1"}, // an infinite rank
		{path: "/api/v1/search?q=x&before=bad"},
		{path: "/mod/flags?before=bad", asMod: true},
		{path: "/mod/flags?before=2.1.1.1", asMod: true},
		{path: "/mod/flags?before=1.1.9223372036854775807.1", asMod: true},
	} {
		name := tc.path
		if len(name) > 80 {
			name = name[:80]
		}
		t.Run(name, func(t *testing.T) {
			c := e.client()
			if tc.asMod {
				c = mod
			}
			resp, body := c.get(tc.path)
			wantStatus(t, resp, body, http.StatusBadRequest)
			wantContains(t, body, badCursorMessage)
		})
	}
}

// TestExtremeValidCursorsAreServed: cursors that read well but point past every row
// reach PostgreSQL in range and answer a page (usually empty), not a 500.
func TestExtremeValidCursorsAreServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("extremer", forum.RoleMember)
	e.user("extrememod", forum.RoleModerator)
	f := e.thread(u, "Extreme fixture thread")
	e.reply(f, u, 0, "x marks the spot")
	mod := e.login("extrememod")
	tid := strconv.FormatInt(f.thread.ID, 10)
	const maxInt = "9223372036854775807"

	for _, tc := range []struct {
		path  string
		asMod bool
	}{
		{path: "/?before=0.253402300799999999." + maxInt},
		{path: "/?before=0.0.0"},
		{path: "/c/general?before=1.0.0"},
		{path: "/api/v1/threads?before=0.0.0"},
		{path: "/modlog?before=" + maxInt},
		{path: "/modlog?before=0"},
		{path: "/u/extremer?before=" + maxInt},
		{path: "/t/" + tid + "?after=" + maxInt},
		{path: "/t/" + tid + "?sort=new&after=" + maxInt},
		{path: "/api/v1/threads/" + tid + "?after=" + maxInt},
		{path: "/search?q=x&before=2139095039." + maxInt}, // the largest float32 rank
		{path: "/api/v1/search?q=x&before=0.0"},
		{path: "/mod/flags?before=1." + maxInt + ".253402300799999999." + maxInt, asMod: true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c := e.client()
			if tc.asMod {
				c = mod
			}
			resp, body := c.get(tc.path)
			wantStatus(t, resp, body, http.StatusOK)
		})
	}
}

var nextLinkRE = regexp.MustCompile(`rel="next" href="([^"]+)"`)

// walkHTML follows a listing's rel="next" links from path, collecting item's first group
// from every page, and fails on a repeat.
func walkHTML(t *testing.T, c *client, path string, item *regexp.Regexp) (items []string, pages int) {
	t.Helper()
	seen := map[string]bool{}
	for path != "" {
		if pages++; pages > 50 {
			t.Fatalf("more than 50 pages; stuck at %s", path)
		}
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		for _, m := range item.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Fatalf("%s listed twice (page %d, %s)", m[1], pages, path)
			}
			seen[m[1]] = true
			items = append(items, m[1])
		}
		base := path
		if i := strings.Index(base, "?"); i >= 0 {
			base = base[:i]
		}
		path = ""
		if m := nextLinkRE.FindStringSubmatch(body); m != nil {
			path = base + html.UnescapeString(m[1])
		}
	}
	return items, pages
}

// walkJSON follows an API listing's "next" from path, collecting what ids gives for
// every page.
func walkJSON(t *testing.T, c *client, path string, ids func(body []byte) []int64) (all map[int64]int, pages int) {
	t.Helper()
	all = map[int64]int{}
	for path != "" {
		if pages++; pages > 50 {
			t.Fatalf("more than 50 pages; stuck at %s", path)
		}
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		for _, id := range ids([]byte(body)) {
			all[id]++
		}
		var next struct {
			Next *string `json:"next"`
		}
		if err := json.Unmarshal([]byte(body), &next); err != nil {
			t.Fatal(err)
		}
		path = ""
		if next.Next != nil {
			path = *next.Next
		}
	}
	return all, pages
}

// TestCursorPagingFollowsNextLinks pages through every keyset listing by its own next
// links and finds each row exactly once.
func TestCursorPagingFollowsNextLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("pagewalker", forum.RoleMember)
	e.user("walkmod", forum.RoleModerator)
	flaggers := []*forum.User{e.user("flagger1", forum.RoleMember), e.user("flagger2", forum.RoleMember), e.user("flagger3", forum.RoleMember)}
	f := e.thread(u, "A thread to walk through")
	// 210 top-level replies: more than a page of the tree (200), of the person's posts
	// (30) and of search results (20). Repetition varies the search rank, so pages cut
	// through ties and rank changes alike.
	var replies []*forum.Post
	for i := range 210 {
		replies = append(replies, e.reply(f, u, 0, strings.Repeat("filler ", i%4+1)+"number "+strconv.Itoa(i)))
	}
	for i := range 34 {
		e.thread(u, "Walked thread "+strconv.Itoa(i))
	}
	c := e.client()

	t.Run("ThreadTreeAPI", func(t *testing.T) {
		type node struct {
			ID      int64   `json:"id"`
			Replies []*node `json:"replies"`
		}
		var collect func(n *node, out *[]int64)
		collect = func(n *node, out *[]int64) {
			if n == nil {
				return
			}
			*out = append(*out, n.ID)
			for _, r := range n.Replies {
				collect(r, out)
			}
		}
		all, pages := walkJSON(t, c, "/api/v1/threads/"+strconv.FormatInt(f.thread.ID, 10), func(body []byte) []int64 {
			var page struct {
				Tree *node `json:"tree"`
			}
			_ = json.Unmarshal(body, &page)
			var ids []int64
			collect(page.Tree, &ids)
			return ids
		})
		if pages < 2 || len(all) != 211 {
			t.Fatalf("%d pages showed %d distinct posts, want ≥2 pages and 211", pages, len(all))
		}
		for id, n := range all {
			if n > 1 && id != f.root {
				t.Fatalf("post %d on %d pages", id, n)
			}
		}
	})

	t.Run("PersonsPosts", func(t *testing.T) {
		posts, pages := walkHTML(t, c, "/u/pagewalker", regexp.MustCompile(`<p class="post-meta"><a href="/p/(\d+)">`))
		if pages != 9 || len(posts) != 245 { // 210 replies and 35 opening posts, 30 a page
			t.Fatalf("%d pages showed %d posts, want 9 and 245", pages, len(posts))
		}
		for i := 1; i < len(posts); i++ {
			a, _ := strconv.ParseInt(posts[i-1], 10, 64)
			b, _ := strconv.ParseInt(posts[i], 10, 64)
			if b >= a {
				t.Fatalf("not newest first at %d: %s then %s", i, posts[i-1], posts[i])
			}
		}
	})

	t.Run("SearchPage", func(t *testing.T) {
		hits, pages := walkHTML(t, c, "/search?q=filler", regexp.MustCompile(`<a class="search-hit" href="/p/(\d+)">`))
		if pages != 11 || len(hits) != 210 {
			t.Fatalf("%d pages showed %d hits, want 11 and 210", pages, len(hits))
		}
	})

	t.Run("SearchAPI", func(t *testing.T) {
		var ranks []float32
		all, pages := walkJSON(t, c, "/api/v1/search?q=filler", func(body []byte) []int64 {
			var page struct {
				Results []struct {
					PostID int64   `json:"post_id"`
					Rank   float32 `json:"rank"`
				} `json:"results"`
			}
			_ = json.Unmarshal(body, &page)
			var ids []int64
			for _, r := range page.Results {
				ids = append(ids, r.PostID)
				ranks = append(ranks, r.Rank)
			}
			return ids
		})
		if pages != 11 || len(all) != 210 {
			t.Fatalf("%d pages showed %d distinct hits, want 11 and 210", pages, len(all))
		}
		for i := 1; i < len(ranks); i++ {
			if ranks[i] > ranks[i-1] {
				t.Fatalf("rank rises at hit %d: %v then %v", i, ranks[i-1], ranks[i])
			}
		}
	})

	t.Run("ThreadsAPI", func(t *testing.T) {
		all, pages := walkJSON(t, c, "/api/v1/threads", func(body []byte) []int64 {
			var page struct {
				Threads []struct {
					ID int64 `json:"id"`
				} `json:"threads"`
			}
			_ = json.Unmarshal(body, &page)
			var ids []int64
			for _, th := range page.Threads {
				ids = append(ids, th.ID)
			}
			return ids
		})
		if pages != 2 || len(all) != 35 {
			t.Fatalf("%d pages showed %d distinct threads, want 2 and 35", pages, len(all))
		}
	})

	t.Run("ModerationLog", func(t *testing.T) {
		for i := range 120 {
			if _, err := e.db.Exec(`INSERT INTO mod_log (moderator_id, action, target_type, target_id) VALUES ($1, $2, 'post', $3)`,
				u.ID, []string{"hide_post", "restore_post"}[i%2], 100000+i); err != nil {
				t.Fatal(err)
			}
		}
		item := regexp.MustCompile(`<a class="modlog-target" href="/p/(\d+)">`)
		entries, pages := walkHTML(t, c, "/modlog", item)
		if pages != 3 || len(entries) != 120 || entries[0] != "100119" {
			t.Fatalf("%d pages showed %d entries (first %v), want 3, 120, newest first", pages, len(entries), entries[:1])
		}
		hides, pages := walkHTML(t, c, "/modlog?action=hide_post", item)
		if pages != 2 || len(hides) != 60 {
			t.Fatalf("filtered: %d pages showed %d entries, want 2 and 60", pages, len(hides))
		}
	})

	t.Run("ReviewQueue", func(t *testing.T) {
		// 30 flagged posts with one to three flags each, first flagged at varied times,
		// five of them auto-hidden: every field of the queue's cursor changes across pages.
		for i, p := range replies[:30] {
			for k := 0; k <= i%3; k++ {
				if _, err := e.db.Exec(`INSERT INTO flags (post_id, user_id, reason, created_at) VALUES ($1, $2, 'spam', $3)`,
					p.ID, flaggers[k].ID, time.Now().Add(-time.Duration(i%5)*time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if i%6 == 0 {
				if _, err := e.db.Exec(`UPDATE posts SET status = 'pending' WHERE id = $1`, p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		items, pages := walkHTML(t, e.login("walkmod"), "/mod/flags", regexp.MustCompile(`<li class="queue-item" id="q(\d+)">`))
		if pages != 2 || len(items) != 30 {
			t.Fatalf("%d pages showed %d queued posts, want 2 and 30", pages, len(items))
		}
		pending := map[string]bool{}
		for i, p := range replies[:30] {
			if i%6 == 0 {
				pending[id(p)] = true
			}
		}
		for _, first := range items[:len(pending)] {
			if !pending[first] {
				t.Fatalf("auto-hidden posts do not come first: %v", items[:len(pending)+1])
			}
		}
	})
}
