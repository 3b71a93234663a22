package web_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"forum/internal/forum"
	"forum/internal/store"
)

// feedBase is FORUM_BASE_URL in newEnv: every link in a feed starts with it.
const feedBase = "http://forum.test"

// feedGet fetches path as a feed reader does: no cookies, optional conditional headers.
func (e *env) feedGet(path string, hdr map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	return e.feedDo(http.MethodGet, path, hdr)
}

func (e *env) feedDo(method, path string, hdr map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// fetchFeed fetches and checks one feed: status, headers, well-formed XML, the format's
// required elements as written, a real parser's reading, and absolute links throughout.
func (e *env) fetchFeed(t *testing.T, path string) *gofeed.Feed {
	t.Helper()
	resp, body := e.feedGet(path, nil)
	wantStatus(t, resp, string(body), http.StatusOK)
	atom := strings.HasSuffix(path, ".atom")
	wantType := "application/rss+xml; charset=utf-8"
	if atom {
		wantType = "application/atom+xml; charset=utf-8"
	}
	if ct := resp.Header.Get("Content-Type"); ct != wantType {
		t.Fatalf("%s: Content-Type %q, want %q", path, ct, wantType)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Fatalf("%s: Cache-Control %q", path, cc)
	}
	if et := resp.Header.Get("ETag"); !regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`).MatchString(et) {
		t.Fatalf("%s: ETag %q is not a strong quoted tag", path, et)
	}
	if _, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil {
		t.Fatalf("%s: Last-Modified %q: %v", path, resp.Header.Get("Last-Modified"), err)
	}
	if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
		t.Fatalf("%s: a public, cacheable feed sets cookies: %q", path, sc)
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
	wantFormat := map[bool][2]string{false: {"rss", "2.0"}, true: {"atom", "1.0"}}[atom]
	if f.FeedType != wantFormat[0] || f.FeedVersion != wantFormat[1] {
		t.Fatalf("%s: parsed as %s %s", path, f.FeedType, f.FeedVersion)
	}
	links := append([]string{f.Link}, f.Links...)
	for _, it := range f.Items {
		links = append(links, it.Link)
		links = append(links, it.Links...)
		if !strings.HasPrefix(it.GUID, "tag:") {
			links = append(links, it.GUID)
		}
	}
	for _, l := range links {
		if !strings.HasPrefix(l, feedBase+"/") {
			t.Fatalf("%s: link %q is not absolute on %s", path, l, feedBase)
		}
	}
	return f
}

func feedWellFormed(t *testing.T, path string, body []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		if _, err := d.Token(); err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			t.Fatalf("%s: not well-formed XML: %v\n%s", path, err, body)
		}
	}
}

// feedRSSRequired checks RSS 2.0's required elements as written: channel title, link
// and description; each item a title, and here also a link, guid and pubDate.
func feedRSSRequired(t *testing.T, path string, body []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	type item struct {
		Title   string `xml:"title"`
		Link    string `xml:"link"`
		GUID    string `xml:"guid"`
		PubDate string `xml:"pubDate"`
	}
	var raw struct {
		XMLName xml.Name `xml:"rss"`
		Version string   `xml:"version,attr"`
		Channel struct {
			Title       *string `xml:"title"`
			Link        *string `xml:"link"`
			Description *string `xml:"description"`
			Items       []item  `xml:"item"`
		} `xml:"channel"`
	}
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ch := raw.Channel
	if raw.Version != "2.0" || ch.Title == nil || *ch.Title == "" || ch.Link == nil || *ch.Link == "" ||
		ch.Description == nil || *ch.Description == "" {
		t.Fatalf("%s: the RSS channel lacks a required element:\n%s", path, body)
	}
	for _, it := range ch.Items {
		if it.Title == "" || it.Link == "" || it.GUID == "" || it.PubDate == "" {
			t.Fatalf("%s: an RSS item lacks an element: %+v", path, it)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Fatalf("%s: pubDate %q: %v", path, it.PubDate, err)
		}
	}
}

// feedAtomRequired checks Atom 1.0's required elements as written: the feed's id, title
// and updated; each entry's id, title, updated, author (no feed-level author is given)
// and, here, content and published.
func feedAtomRequired(t *testing.T, path string, body []byte) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Title   string   `xml:"title"`
		Updated string   `xml:"updated"`
		Entries []struct {
			ID        string   `xml:"id"`
			Title     string   `xml:"title"`
			Updated   string   `xml:"updated"`
			Published string   `xml:"published"`
			Authors   []string `xml:"author>name"`
			Content   struct {
				Type string `xml:"type,attr"`
			} `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !strings.HasPrefix(doc.ID, feedBase+"/") || doc.Title == "" {
		t.Fatalf("%s: the Atom feed lacks an id or title:\n%s", path, body)
	}
	if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
		t.Fatalf("%s: feed updated %q: %v", path, doc.Updated, err)
	}
	for _, en := range doc.Entries {
		_, err1 := time.Parse(time.RFC3339, en.Updated)
		_, err2 := time.Parse(time.RFC3339, en.Published)
		if en.ID == "" || en.Title == "" || err1 != nil || err2 != nil || len(en.Authors) != 1 ||
			en.Authors[0] == "" || en.Content.Type != "html" {
			t.Fatalf("%s: an Atom entry lacks an element: %+v", path, en)
		}
	}
}

func feedGUIDs(f *gofeed.Feed) []string {
	out := make([]string, len(f.Items))
	for i, it := range f.Items {
		out[i] = it.GUID
	}
	return out
}

func postGUID(id int64) string { return feedBase + "/p/" + strconv.FormatInt(id, 10) }

// feedBoth lists a feed path in its two formats.
func feedBoth(path string) []string { return []string{path + ".rss", path + ".atom"} }

func feedThreadPath(f fixture) string { return "/t/" + strconv.FormatInt(f.thread.ID, 10) }

func feedPostPath(id int64) string { return "/p/" + strconv.FormatInt(id, 10) }

// feedRoot is a thread's opening post id.
func (e *env) feedRoot(threadID int64) int64 {
	e.t.Helper()
	tree, err := e.store.Tree(e.t.Context(), store.TreeQuery{ThreadID: threadID, Budget: 1})
	if err != nil || len(tree.Posts) == 0 {
		e.t.Fatalf("opening post of thread %d: %v", threadID, err)
	}
	return tree.Posts[0].ID
}

// hideDirectly hides a post the way any future code path might: status only, in one
// statement, without bumping the thread's version. Feeds must drop it all the same.
func (e *env) hideDirectly(postID int64) {
	e.t.Helper()
	if _, err := e.db.Exec(`UPDATE posts SET status = 'pending' WHERE id = $1`, postID); err != nil {
		e.t.Fatal(err)
	}
}

func TestFeedsEveryRoute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	mod := e.user("mod1", forum.RoleModerator)
	ctx := t.Context()

	f := e.thread(alice, "Does the marathon open doors?")
	r1 := e.reply(f, bob, 0, "It opens a window, not a door.")
	r2 := e.reply(f, alice, r1.ID, "A window is a start.")
	other, err := e.store.UpsertCategory(ctx, forum.Category{Slug: "travel", Name: "Travel", Description: "Getting there."})
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.store.CreateThread(ctx, store.NewThread{CategoryID: other.ID, AuthorID: bob.ID,
		Title: "Visas for the race", BodySource: "How long?", BodyHTML: "<p>How long?</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetThread(ctx, second.ID, mod.ID, forum.SettingLock, "answered"); err != nil {
		t.Fatal(err)
	}
	secondRoot := e.feedRoot(second.ID)

	for _, tc := range []struct {
		path  string
		guids []string
		title string
	}{
		{"/feed", []string{postGUID(secondRoot), postGUID(f.root)}, "new threads"},
		{"/c/general/feed", []string{postGUID(f.root)}, "General"},
		{"/c/travel/feed", []string{postGUID(secondRoot)}, "Travel"},
		{feedThreadPath(f) + "/feed", []string{postGUID(r2.ID), postGUID(r1.ID), postGUID(f.root)}, f.thread.Title},
		{"/u/bob/feed", []string{postGUID(secondRoot), postGUID(r1.ID)}, "bob"},
		{feedPostPath(r1.ID) + "/feed", []string{postGUID(r2.ID)}, "Replies below post #" + id(r1)},
		{feedPostPath(f.root) + "/feed", []string{postGUID(r2.ID), postGUID(r1.ID)}, "Replies below post"},
		{"/modlog/feed", nil, "Moderation log"},
	} {
		for _, path := range feedBoth(tc.path) {
			t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
				got := e.fetchFeed(t, path)
				if !strings.Contains(got.Title, tc.title) {
					t.Fatalf("title %q lacks %q", got.Title, tc.title)
				}
				if tc.guids != nil && !slices.Equal(feedGUIDs(got), tc.guids) {
					t.Fatalf("items %v, want %v", feedGUIDs(got), tc.guids)
				}
			})
		}
	}

	t.Run("Items", func(t *testing.T) {
		for _, path := range feedBoth(feedThreadPath(f) + "/feed") {
			got := e.fetchFeed(t, path)
			op, reply := got.Items[2], got.Items[1]
			if op.Title != f.thread.Title || op.Link != feedBase+"/t/"+strconv.FormatInt(f.thread.ID, 10)+"/"+f.thread.Slug {
				t.Fatalf("%s: opening post %q at %q", path, op.Title, op.Link)
			}
			if reply.Title != "Reply by bob in "+f.thread.Title || reply.Link != postGUID(r1.ID) {
				t.Fatalf("%s: reply %q at %q", path, reply.Title, reply.Link)
			}
			if reply.Author == nil || reply.Author.Name != "bob" {
				t.Fatalf("%s: author %+v", path, reply.Author)
			}
			if reply.Content != r1.BodyHTML {
				t.Fatalf("%s: content %q, want the stored HTML %q", path, reply.Content, r1.BodyHTML)
			}
			if reply.PublishedParsed == nil || !reply.PublishedParsed.Equal(r1.CreatedAt.Truncate(time.Second)) {
				t.Fatalf("%s: published %v, want %v", path, reply.PublishedParsed, r1.CreatedAt)
			}
		}
	})

	t.Run("ModLogShowsTheActNotTheContent", func(t *testing.T) {
		for _, path := range feedBoth("/modlog/feed") {
			got := e.fetchFeed(t, path)
			if len(got.Items) != 1 {
				t.Fatalf("%s: %d items", path, len(got.Items))
			}
			it := got.Items[0]
			if it.Link != feedBase+"/modlog" || !strings.HasPrefix(it.GUID, "tag:forum.test,") {
				t.Fatalf("%s: link %q id %q", path, it.Link, it.GUID)
			}
			// The log page's sentence (forum.LogEntry.Sentence), naming the thread by its title.
			for _, want := range []string{"mod1 locked “" + second.Title + "”", "answered"} {
				if !strings.Contains(it.Content, want) {
					t.Fatalf("%s: content lacks %q: %s", path, want, it.Content)
				}
			}
		}
	})

	t.Run("HEAD", func(t *testing.T) {
		get, _ := e.feedGet("/feed.rss", nil)
		resp, body := e.feedDo(http.MethodHead, "/feed.rss", nil)
		if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.Header.Get("ETag") != get.Header.Get("ETag") {
			t.Fatalf("HEAD: %d, %d bytes, ETag %q vs %q", resp.StatusCode, len(body), resp.Header.Get("ETag"), get.Header.Get("ETag"))
		}
	})
}

func TestFeedNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{
		"/t/999999/feed.rss", "/t/999999/feed.atom", "/t/abc/feed.rss", "/t/0/feed.atom",
		"/c/no-such-category/feed.rss", "/c/no-such-category/feed.atom",
		"/u/nobody/feed.rss", "/u/nobody/feed.atom",
		"/p/999999/feed.rss", "/p/-1/feed.atom",
	} {
		resp, body := e.feedGet(path, nil)
		wantStatus(t, resp, string(body), http.StatusNotFound)
	}
	// An empty forum still has valid, empty feeds.
	for _, path := range append(feedBoth("/feed"), feedBoth("/modlog/feed")...) {
		if got := e.fetchFeed(t, path); len(got.Items) != 0 {
			t.Fatalf("%s: %d items", path, len(got.Items))
		}
	}
}

func TestFeedStableIDsAcrossEdit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	f := e.thread(alice, "Edits keep their ids")
	r := e.reply(f, bob, 0, "first draft")
	e.reply(f, alice, 0, "an answer")
	path := feedThreadPath(f) + "/feed"

	beforeRSS, beforeAtom := e.fetchFeed(t, path+".rss"), e.fetchFeed(t, path+".atom")
	oldTag, _ := e.feedGet(path+".atom", nil)

	resp, body := e.login("bob").post(feedPostPath(r.ID)+"/edit", url.Values{"body": {"second draft, *improved*"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	edited, err := e.store.PostByID(t.Context(), r.ID)
	if err != nil || edited.EditedAt == nil {
		t.Fatalf("post not edited: %v", err)
	}

	afterRSS, afterAtom := e.fetchFeed(t, path+".rss"), e.fetchFeed(t, path+".atom")
	for _, pair := range [][2]*gofeed.Feed{{beforeRSS, afterRSS}, {beforeAtom, afterAtom}} {
		if !slices.Equal(feedGUIDs(pair[0]), feedGUIDs(pair[1])) {
			t.Fatalf("ids changed on edit: %v → %v", feedGUIDs(pair[0]), feedGUIDs(pair[1]))
		}
	}
	var item *gofeed.Item
	for _, it := range afterAtom.Items {
		if it.GUID == postGUID(r.ID) {
			item = it
		}
	}
	if item == nil || !strings.Contains(item.Content, "<em>improved</em>") {
		t.Fatalf("edited content missing: %+v", item)
	}
	if !item.UpdatedParsed.Equal(edited.EditedAt.Truncate(time.Second)) ||
		!item.PublishedParsed.Equal(r.CreatedAt.Truncate(time.Second)) {
		t.Fatalf("Atom updated %v published %v; want edit %v, creation %v",
			item.UpdatedParsed, item.PublishedParsed, edited.EditedAt, r.CreatedAt)
	}
	for _, it := range afterRSS.Items {
		if it.GUID == postGUID(r.ID) && !it.PublishedParsed.Equal(r.CreatedAt.Truncate(time.Second)) {
			t.Fatalf("RSS pubDate moved on edit: %v", it.PublishedParsed)
		}
	}
	resp, _ = e.feedGet(path+".atom", map[string]string{"If-None-Match": oldTag.Header.Get("ETag")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the ETag from before the edit still gets %d", resp.StatusCode)
	}
}

func TestFeedCapAndOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	ctx := t.Context()

	f := e.thread(alice, "A long thread")
	var replies []int64
	parent := int64(0)
	for i := range 56 {
		// Nest some replies, so the newest 50 span several depths.
		p := e.reply(f, bob, parent, "reply "+strconv.Itoa(i))
		replies = append(replies, p.ID)
		parent = map[bool]int64{true: p.ID, false: 0}[i%4 != 3]
	}
	slices.Reverse(replies)
	for i := range 52 {
		_, err := e.store.CreateThread(ctx, store.NewThread{CategoryID: f.cat.ID, AuthorID: alice.ID,
			Title: "Thread number " + strconv.Itoa(i), BodySource: "body", BodyHTML: "<p>body</p>"})
		if err != nil {
			e.t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		path  string
		first int64 // the newest item's post id
	}{
		{feedThreadPath(f) + "/feed", replies[0]},
		{feedPostPath(f.root) + "/feed", replies[0]},
		{"/u/bob/feed", replies[0]},
		{"/feed", 0},
		{"/c/general/feed", 0},
	} {
		for _, path := range feedBoth(tc.path) {
			got := e.fetchFeed(t, path)
			if len(got.Items) != 50 {
				t.Fatalf("%s: %d items, want the newest 50", path, len(got.Items))
			}
			ids := make([]int64, len(got.Items))
			for i, it := range got.Items {
				n, err := strconv.ParseInt(strings.TrimPrefix(it.GUID, feedBase+"/p/"), 10, 64)
				if err != nil {
					t.Fatalf("%s: guid %q", path, it.GUID)
				}
				ids[i] = n
				if i > 0 && got.Items[i-1].PublishedParsed.Before(*it.PublishedParsed) {
					t.Fatalf("%s: item %d is newer than item %d", path, i, i-1)
				}
			}
			if !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) {
				t.Fatalf("%s: not newest first: %v", path, ids)
			}
			if tc.first != 0 && !slices.Equal(ids, replies[:50]) {
				t.Fatalf("%s: items %v, want the newest 50 replies %v", path, ids, replies[:50])
			}
			if tc.first == 0 && got.Items[0].Title != "Thread number 51" || tc.first == 0 && got.Items[49].Title != "Thread number 2" {
				t.Fatalf("%s: first %q, last %q", path, got.Items[0].Title, got.Items[49].Title)
			}
		}
	}
}

func TestFeedHiddenAndDeletedPosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	mod := e.user("mod1", forum.RoleModerator)
	ctx := t.Context()

	f := e.thread(alice, "Some posts go away")
	keep := e.reply(f, bob, 0, "kept words")
	hidden := e.reply(f, bob, 0, "words a moderator hides")
	pending := e.reply(f, bob, 0, "words flags hide")
	deleted := e.reply(f, bob, 0, "words their author deletes")
	removed := e.reply(f, bob, 0, "words a moderator removes")
	below := e.reply(f, alice, hidden.ID, "a visible reply below a hidden post")
	gone := e.thread(bob, "A thread whose opening post is hidden")
	goneReply := e.reply(gone, alice, 0, "reply in a hidden thread")

	paths := []string{}
	for _, p := range []string{"/feed", "/c/general/feed", feedThreadPath(f) + "/feed", "/u/bob/feed", feedPostPath(f.root) + "/feed", feedPostPath(hidden.ID) + "/feed"} {
		paths = append(paths, feedBoth(p)...)
	}
	tags := map[string]string{}
	for _, path := range paths {
		resp, body := e.feedGet(path, nil)
		wantStatus(t, resp, string(body), http.StatusOK)
		tags[path] = resp.Header.Get("ETag")
		if path == feedThreadPath(f)+"/feed.rss" {
			wantContains(t, string(body), "words a moderator hides", "words flags hide", "words their author deletes")
		}
	}

	decide := func(postID int64, action forum.Decision) {
		if err := e.store.Decide(ctx, store.Decision{PostID: postID, ModeratorID: mod.ID, Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	decide(hidden.ID, forum.DecideHide)
	decide(removed.ID, forum.DecideDelete)
	decide(gone.root, forum.DecideHide)
	e.hideDirectly(pending.ID)
	if err := e.store.DeletePost(ctx, deleted.ID, bob.ID, ""); err != nil {
		t.Fatal(err)
	}

	absent := []int64{hidden.ID, pending.ID, deleted.ID, removed.ID, gone.root}
	for _, path := range paths {
		resp, body := e.feedGet(path, map[string]string{"If-None-Match": tags[path]})
		wantStatus(t, resp, string(body), http.StatusOK) // the old ETag no longer matches
		for _, text := range []string{"words a moderator hides", "words flags hide", "words their author deletes",
			"words a moderator removes", "Opening post of A thread whose"} {
			if strings.Contains(string(body), text) {
				t.Fatalf("%s still shows %q", path, text)
			}
		}
		got := e.fetchFeed(t, path)
		for _, id := range absent {
			if slices.Contains(feedGUIDs(got), postGUID(id)) {
				t.Fatalf("%s still lists post %d", path, id)
			}
		}
	}
	for path, want := range map[string][]string{
		feedThreadPath(f) + "/feed.rss":       {postGUID(below.ID), postGUID(keep.ID), postGUID(f.root)},
		feedPostPath(hidden.ID) + "/feed.rss": {postGUID(below.ID)},
		"/u/bob/feed.atom":                    {postGUID(keep.ID)},
		"/feed.rss":                           {postGUID(f.root)},
	} {
		if got := feedGUIDs(e.fetchFeed(t, path)); !slices.Equal(got, want) {
			t.Fatalf("%s: items %v, want %v", path, got, want)
		}
	}
	// A thread whose opening post is hidden has no public feed: its title is hidden too.
	resp, body := e.feedGet(feedThreadPath(gone)+"/feed.atom", nil)
	wantStatus(t, resp, string(body), http.StatusNotFound)
	resp, body = e.feedGet(feedPostPath(goneReply.ID)+"/feed.rss", nil)
	wantStatus(t, resp, string(body), http.StatusNotFound)

	t.Run("RestoredPostReturns", func(t *testing.T) {
		decide(hidden.ID, forum.DecideRestore)
		if got := feedGUIDs(e.fetchFeed(t, feedThreadPath(f)+"/feed.rss")); !slices.Contains(got, postGUID(hidden.ID)) {
			t.Fatalf("restored post missing: %v", got)
		}
	})
}

func TestFeedConditionalRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	mod := e.user("mod1", forum.RoleModerator)
	f := e.thread(alice, "Polling is cheap")
	r := e.reply(f, alice, 0, "a reply")
	if err := e.store.SetThread(t.Context(), f.thread.ID, mod.ID, forum.SettingPin, ""); err != nil {
		t.Fatal(err)
	}
	path := feedThreadPath(f) + "/feed.rss"
	resp, _ := e.feedGet(path, nil)
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	lm, _ := http.ParseTime(lastMod)

	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"ETag", map[string]string{"If-None-Match": etag}, 304},
		{"ETagInList", map[string]string{"If-None-Match": `"nope", ` + etag + `, "other"`}, 304},
		{"WeakETag", map[string]string{"If-None-Match": "W/" + etag}, 304},
		{"Star", map[string]string{"If-None-Match": "*"}, 304},
		{"OtherETag", map[string]string{"If-None-Match": `"nope"`}, 200},
		{"MalformedETag", map[string]string{"If-None-Match": `nope, "also-nope`}, 200},
		{"SameDate", map[string]string{"If-Modified-Since": lastMod}, 304},
		{"LaterDate", map[string]string{"If-Modified-Since": lm.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{"EarlierDate", map[string]string{"If-Modified-Since": lm.Add(-time.Second).Format(http.TimeFormat)}, 200},
		{"BadDate", map[string]string{"If-Modified-Since": "yesterday"}, 200},
		{"ETagWinsOverDate", map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": lastMod}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.feedGet(path, tc.hdr)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") != lastMod ||
				resp.Header.Get("Cache-Control") != "public, max-age=60" {
				t.Fatalf("headers %v", resp.Header)
			}
			if tc.want == 304 && len(body) != 0 {
				t.Fatalf("304 with a %d-byte body", len(body))
			}
		})
	}

	t.Run("NotModifiedDoesNotBuild", func(t *testing.T) {
		before := e.db.Queries()
		resp, _ := e.feedGet(path, map[string]string{"If-None-Match": etag})
		if resp.StatusCode != 304 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		notMod := e.db.Queries() - before
		before = e.db.Queries()
		e.feedGet(path, nil)
		full := e.db.Queries() - before
		// The feed is in the page cache by now (feedcache.go): its 304 and its 200 come
		// from memory. Uncached: the thread and the validator; the 200 also the items.
		if notMod != 0 || full != 0 {
			t.Fatalf("queries: %d for a 304, %d for a 200", notMod, full)
		}
	})

	t.Run("EveryFeed", func(t *testing.T) {
		for _, p := range []string{"/feed", "/c/general/feed", feedThreadPath(f) + "/feed", "/u/alice/feed", feedPostPath(f.root) + "/feed", "/modlog/feed"} {
			for _, path := range feedBoth(p) {
				resp, _ := e.feedGet(path, nil)
				tag, date := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
				for _, hdr := range []map[string]string{{"If-None-Match": tag}, {"If-Modified-Since": date}} {
					resp, body := e.feedGet(path, hdr)
					if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
						t.Fatalf("%s with %v: %d and %d bytes", path, hdr, resp.StatusCode, len(body))
					}
				}
			}
		}
	})

	t.Run("NewReplyChangesBoth", func(t *testing.T) {
		time.Sleep(time.Second) // Last-Modified has whole seconds
		e.reply(f, alice, r.ID, "something new")
		resp, _ := e.feedGet(path, map[string]string{"If-None-Match": etag})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
			t.Fatalf("after a reply: %d, ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
		}
		resp, _ = e.feedGet(path, map[string]string{"If-Modified-Since": lastMod})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Last-Modified") == lastMod {
			t.Fatalf("after a reply: %d, Last-Modified %q", resp.StatusCode, resp.Header.Get("Last-Modified"))
		}
	})
}

func TestFeedHostileText(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.thread(alice, "A first thread") // creates the category
	title := `Tags <b> & "quotes" ]]> 🏃‍♀️ مرحبا שלום`
	source := "a < b && c ]]> d 🏃‍♀️🇰🇵 مرحبا بالعالم שלום עולם `x]]>y`"
	resp, body := e.login("alice").post("/t", url.Values{"category": {"general"}, "title": {title}, "body": {source}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	threadID, err := strconv.ParseInt(strings.Split(resp.Header.Get("Location"), "/")[2], 10, 64)
	if err != nil {
		t.Fatalf("location %q", resp.Header.Get("Location"))
	}
	th, err := e.store.ThreadByID(t.Context(), threadID)
	if err != nil {
		t.Fatal(err)
	}
	// Stored HTML as a future renderer might write it: a raw CDATA terminator and a
	// control character XML forbids.
	raw := e.reply(fixture{thread: th}, alice, 0, "raw ]]> in HTML and a \x0b control")
	root := e.feedRoot(th.ID)

	for _, path := range append(append(feedBoth(feedThreadPath(fixture{thread: th})+"/feed"), feedBoth("/feed")...), feedBoth("/u/alice/feed")...) {
		got := e.fetchFeed(t, path)
		var op, reply *gofeed.Item
		for _, it := range got.Items {
			switch it.GUID {
			case postGUID(raw.ID):
				reply = it
			case postGUID(root):
				op = it
			}
		}
		if op == nil {
			t.Fatalf("%s: the hostile thread is missing", path)
		}
		if op.Title != title {
			t.Fatalf("%s: title %q, want %q", path, op.Title, title)
		}
		text := html.UnescapeString(op.Content)
		for _, want := range []string{"a < b && c ]]> d", "🏃‍♀️🇰🇵", "مرحبا بالعالم", "שלום עולם", "<code>x]]>y</code>"} {
			if !strings.Contains(text, want) {
				t.Fatalf("%s: content lacks %q: %q", path, want, op.Content)
			}
		}
		if reply != nil && reply.Content != "<p>raw ]]> in HTML and a \uFFFD control</p>" {
			t.Fatalf("%s: content %q", path, reply.Content)
		}
	}
}

// TestFeedDiscovery checks every page with a feed links it in <head> and beside its
// title, and that each link is a working feed.
func TestFeedDiscovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "Find my feed")
	r := e.reply(f, alice, 0, "a reply")
	alt := regexp.MustCompile(`<link rel="alternate" type="application/(rss|atom)\+xml" title="[^"]*" href="([^"]+)">`)
	for page, base := range map[string]string{
		"/":                      "/feed",
		"/c/general":             "/c/general/feed",
		feedThreadPath(f):        feedThreadPath(f) + "/feed",
		feedThreadPath(f) + "/x": feedThreadPath(f) + "/feed",
		"/u/alice":               "/u/alice/feed",
		feedPostPath(r.ID):       feedPostPath(r.ID) + "/feed",
		"/modlog":                "/modlog/feed",
	} {
		resp, body := e.client().get(page)
		wantStatus(t, resp, body, http.StatusOK)
		var hrefs []string
		for _, m := range alt.FindAllStringSubmatch(body, -1) {
			hrefs = append(hrefs, m[1]+" "+html.UnescapeString(m[2]))
		}
		want := []string{"rss " + base + ".rss", "atom " + base + ".atom"}
		if !slices.Equal(hrefs, want) {
			t.Fatalf("%s: alternate links %v, want %v", page, hrefs, want)
		}
		wantContains(t, body, `class="feed-link" href="`+base+`.rss"`, `class="feed-link" href="`+base+`.atom"`)
		for _, path := range feedBoth(base) {
			e.fetchFeed(t, path)
		}
	}
}
