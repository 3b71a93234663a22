package feed_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"forum/internal/feed"
	"forum/internal/forum"
)

const base = "https://forum.example.org"

var meta = feed.Meta{Title: "A thread · Forum", Description: "Posts, newest first.", Page: "/t/7/a-thread", Path: "/t/7/feed"}

var (
	t0     = time.Date(2025, 4, 6, 8, 0, 0, 0, time.UTC)
	edited = t0.Add(3 * time.Hour)
)

// hostile is text that breaks hand-made XML: markup characters, the CDATA terminator,
// an emoji with a zero-width joiner, right-to-left scripts and an XML-forbidden control.
const hostile = "<p>a &lt; b &amp;&amp; c ]]> d 🏃‍♀️ مرحبا بالعالم שלום\x0b!</p>"

func samplePosts() []forum.FeedPost {
	return []forum.FeedPost{
		{ID: 30, ThreadID: 7, ThreadVersion: 5, ThreadTitle: "A thread <&> ]]> 🏁", ThreadSlug: "a-thread",
			Depth: 2, AuthorName: "carol", BodyHTML: hostile, CreatedAt: t0.Add(2 * time.Hour)},
		{ID: 20, ThreadID: 7, ThreadVersion: 5, ThreadTitle: "A thread <&> ]]> 🏁", ThreadSlug: "a-thread",
			Depth: 1, AuthorName: "bob", BodyHTML: "<p>Second <em>thoughts</em></p>", CreatedAt: t0.Add(time.Hour), EditedAt: &edited},
		{ID: 10, ThreadID: 7, ThreadVersion: 5, ThreadTitle: "A thread <&> ]]> 🏁", ThreadSlug: "a-thread",
			Depth: 0, AuthorName: "alice", BodyHTML: "<p>Opening</p>", CreatedAt: t0},
	}
}

func render(t *testing.T, f *feed.Feed, format feed.Format) ([]byte, *gofeed.Feed) {
	t.Helper()
	b, err := f.Render(format)
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, b)
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gofeed cannot parse the %s feed: %v\n%s", format, err, b)
	}
	return b, parsed
}

// wellFormed reads every token with encoding/xml, which rejects malformed XML and
// characters XML forbids.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("not well-formed XML: %v\n%s", err, b)
		}
	}
}

func TestFeedPostsRSS(t *testing.T) {
	raw, f := render(t, feed.Posts(base, meta, samplePosts()), feed.RSS)
	if f.FeedType != "rss" || f.FeedVersion != "2.0" {
		t.Fatalf("type %s %s", f.FeedType, f.FeedVersion)
	}
	if f.Title != meta.Title || f.Link != base+meta.Page || f.Description != meta.Description {
		t.Fatalf("channel: %q %q %q", f.Title, f.Link, f.Description)
	}
	if len(f.Items) != 3 {
		t.Fatalf("%d items", len(f.Items))
	}
	reply, op := f.Items[1], f.Items[2]
	if reply.GUID != base+"/p/20" || reply.Link != base+"/p/20" {
		t.Fatalf("reply guid %q link %q", reply.GUID, reply.Link)
	}
	if op.GUID != base+"/p/10" || op.Link != base+"/t/7/a-thread" {
		t.Fatalf("opening post guid %q link %q", op.GUID, op.Link)
	}
	if op.Title != "A thread <&> ]]> 🏁" || reply.Title != "Reply by bob in A thread <&> ]]> 🏁" {
		t.Fatalf("titles %q, %q", op.Title, reply.Title)
	}
	if reply.Author == nil || reply.Author.Name != "bob" {
		t.Fatalf("author %+v", reply.Author)
	}
	// RSS has no updated date: pubDate stays the publication.
	if !reply.PublishedParsed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("pubDate %v", reply.PublishedParsed)
	}
	if reply.Content != "<p>Second <em>thoughts</em></p>" || reply.Description != "Second thoughts" {
		t.Fatalf("content %q description %q", reply.Content, reply.Description)
	}
	if got := strings.Count(string(raw), `<guid isPermaLink="true">`); got != 3 {
		t.Fatalf("%d permalink guids:\n%s", got, raw)
	}
	hostileSurvives(t, f.Items[0].Content)
}

func TestFeedPostsAtom(t *testing.T) {
	_, f := render(t, feed.Posts(base, meta, samplePosts()), feed.Atom)
	if f.FeedType != "atom" || f.FeedVersion != "1.0" {
		t.Fatalf("type %s %s", f.FeedType, f.FeedVersion)
	}
	if f.Title != meta.Title || f.Link != base+meta.Page {
		t.Fatalf("feed: %q %q", f.Title, f.Link)
	}
	if !f.UpdatedParsed.Equal(edited) {
		t.Fatalf("feed updated %v, want the newest edit %v", f.UpdatedParsed, edited)
	}
	reply := f.Items[1]
	if reply.GUID != base+"/p/20" || reply.Link != base+"/p/20" {
		t.Fatalf("reply id %q link %q", reply.GUID, reply.Link)
	}
	if !reply.PublishedParsed.Equal(t0.Add(time.Hour)) || !reply.UpdatedParsed.Equal(edited) {
		t.Fatalf("published %v updated %v", reply.PublishedParsed, reply.UpdatedParsed)
	}
	op := f.Items[2]
	if !op.UpdatedParsed.Equal(t0) || !op.PublishedParsed.Equal(t0) {
		t.Fatalf("unedited post: published %v updated %v", op.PublishedParsed, op.UpdatedParsed)
	}
	if reply.Content != "<p>Second <em>thoughts</em></p>" {
		t.Fatalf("content %q", reply.Content)
	}
	if len(reply.Authors) != 1 || reply.Authors[0].Name != "bob" {
		t.Fatalf("authors %+v", reply.Authors)
	}
	hostileSurvives(t, f.Items[0].Content)
}

// hostileSurvives checks the hostile post reads back as written, except the one
// XML-forbidden control character, which becomes U+FFFD.
func hostileSurvives(t *testing.T, content string) {
	t.Helper()
	want := strings.ReplaceAll(hostile, "\x0b", "\uFFFD")
	if content != want {
		t.Fatalf("content\n got %q\nwant %q", content, want)
	}
}

func TestFeedCDATATerminatorInRSS(t *testing.T) {
	posts := []forum.FeedPost{{ID: 1, ThreadID: 1, ThreadTitle: "Title here", Depth: 0, AuthorName: "a",
		BodyHTML: "<pre><code>x]]>y]]]]>z</code></pre>", CreatedAt: t0}}
	raw, f := render(t, feed.Posts(base, meta, posts), feed.RSS)
	if !bytes.Contains(raw, []byte("<![CDATA[")) {
		t.Fatalf("expected RSS content in CDATA:\n%s", raw)
	}
	if got := f.Items[0].Content; got != posts[0].BodyHTML {
		t.Fatalf("content %q, want %q", got, posts[0].BodyHTML)
	}
	_, a := render(t, feed.Posts(base, meta, posts), feed.Atom)
	if got := a.Items[0].Content; got != posts[0].BodyHTML {
		t.Fatalf("atom content %q", got)
	}
}

// rssDoc and atomDoc read the raw documents, so required elements are checked as
// written, not as a lenient parser reconstructs them.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title       *string `xml:"title"`
		Link        *string `xml:"link"`
		Description *string `xml:"description"`
		Items       []struct {
			Title   string `xml:"title"`
			Link    string `xml:"link"`
			GUID    string `xml:"guid"`
			PubDate string `xml:"pubDate"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Author    struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Content struct {
			Type string `xml:"type,attr"`
		} `xml:"content"`
	} `xml:"entry"`
}

func TestFeedRequiredElements(t *testing.T) {
	for _, posts := range [][]forum.FeedPost{samplePosts(), nil} {
		f := feed.Posts(base, meta, posts)
		rb, _ := render(t, f, feed.RSS)
		var r rssDoc
		if err := xml.Unmarshal(rb, &r); err != nil {
			t.Fatal(err)
		}
		if r.Version != "2.0" || r.Channel.Title == nil || *r.Channel.Title == "" ||
			r.Channel.Link == nil || !strings.HasPrefix(*r.Channel.Link, base+"/") ||
			r.Channel.Description == nil || *r.Channel.Description == "" {
			t.Fatalf("RSS channel lacks a required element:\n%s", rb)
		}
		for _, it := range r.Channel.Items {
			if it.Title == "" || !strings.HasPrefix(it.Link, base+"/") || !strings.HasPrefix(it.GUID, base+"/p/") ||
				it.PubDate == "" {
				t.Fatalf("RSS item lacks a required element: %+v", it)
			}
			if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
				t.Fatalf("pubDate %q is not RFC 822: %v", it.PubDate, err)
			}
		}
		ab, _ := render(t, f, feed.Atom)
		var a atomDoc
		if err := xml.Unmarshal(ab, &a); err != nil {
			t.Fatal(err)
		}
		if a.ID != base+"/t/7/feed.atom" || a.Title == "" || a.Updated == "" {
			t.Fatalf("Atom feed lacks a required element:\n%s", ab)
		}
		if len(posts) == 0 && a.Updated != "1970-01-01T00:00:00Z" {
			t.Fatalf("empty feed updated %q", a.Updated)
		}
		for _, e := range a.Entries {
			if !strings.HasPrefix(e.ID, base+"/p/") || e.Title == "" || e.Updated == "" || e.Published == "" ||
				e.Author.Name == "" || e.Content.Type != "html" {
				t.Fatalf("Atom entry lacks a required element: %+v", e)
			}
		}
		if len(r.Channel.Items) != len(posts) || len(a.Entries) != len(posts) {
			t.Fatalf("%d RSS items, %d entries, want %d", len(r.Channel.Items), len(a.Entries), len(posts))
		}
	}
}

func TestFeedValidator(t *testing.T) {
	posts := samplePosts()
	// The store's stamps have no bodies, titles or names.
	stamps := make([]forum.FeedPost, len(posts))
	for i, p := range posts {
		stamps[i] = forum.FeedPost{ID: p.ID, ThreadID: p.ThreadID, ThreadVersion: p.ThreadVersion,
			CreatedAt: p.CreatedAt, EditedAt: p.EditedAt}
	}
	v := feed.PostsValidator(base, meta, feed.RSS, stamps)
	if got := feed.Posts(base, meta, posts).Validator(feed.RSS); got != v {
		t.Fatalf("the built feed's validator %+v differs from the stamps' %+v", got, v)
	}
	if !v.LastModified.Equal(edited) {
		t.Fatalf("last modified %v, want the edit %v", v.LastModified, edited)
	}
	if v.Tag == "" || strings.ContainsAny(v.Tag, `" ,`) {
		t.Fatalf("tag %q is not usable in an ETag", v.Tag)
	}

	bumped := append([]forum.FeedPost(nil), stamps...)
	bumped[2].ThreadVersion++
	dropped := append([]forum.FeedPost(nil), stamps[1:]...)
	swapped := append([]forum.FeedPost(nil), stamps...)
	swapped[0].ID = 31
	otherMeta := meta
	otherMeta.Title = "Renamed"
	for name, other := range map[string]feed.Validator{
		"a thread version":   feed.PostsValidator(base, meta, feed.RSS, bumped),
		"an item left":       feed.PostsValidator(base, meta, feed.RSS, dropped),
		"an item replaced":   feed.PostsValidator(base, meta, feed.RSS, swapped),
		"the format":         feed.PostsValidator(base, meta, feed.Atom, stamps),
		"the feed's title":   feed.PostsValidator(base, otherMeta, feed.RSS, stamps),
		"the base URL":       feed.PostsValidator("https://other.example", meta, feed.RSS, stamps),
		"the empty feed":     feed.PostsValidator(base, meta, feed.RSS, nil),
		"the moderation log": feed.ModLogValidator(base, meta, feed.RSS, nil),
	} {
		if other.Tag == v.Tag {
			t.Errorf("changing %s kept the tag", name)
		}
	}
	if e := feed.PostsValidator(base, meta, feed.RSS, nil); !e.LastModified.Equal(feed.Epoch) {
		t.Fatalf("empty feed last modified %v", e.LastModified)
	}
}

func TestFeedModLog(t *testing.T) {
	entries := []forum.LogEntry{
		{ID: 9, Moderator: "mod1", Action: "hide_post", TargetType: "post", TargetID: 42,
			Reason: "spam ×2", Note: "<script>alert(1)</script> & more", CreatedAt: t0.Add(time.Minute),
			ThreadID: 3, ThreadTitle: "Route <b>talk</b>", ThreadOpening: forum.StatusVisible},
		{ID: 8, Moderator: "mod2", Action: "suspend_user", TargetType: "user", TargetID: 5, TargetLabel: "troll",
			Reason: "until 2025-04-13 08:00 UTC", CreatedAt: t0},
		{ID: 7, Moderator: "mod2", Action: "lock_thread", TargetType: "thread", TargetID: 4, CreatedAt: t0,
			ThreadID: 4, ThreadTitle: "Secret plans", ThreadOpening: forum.StatusHidden},
	}
	m := feed.Meta{Title: "Moderation log", Description: "Every act.", Page: "/modlog", Path: "/modlog/feed"}
	for _, format := range []feed.Format{feed.RSS, feed.Atom} {
		_, f := render(t, feed.ModLog(base, m, entries), format)
		if len(f.Items) != 3 {
			t.Fatalf("%d items", len(f.Items))
		}
		it := f.Items[0]
		if it.GUID != "tag:forum.example.org,2025:modlog/9" || it.Link != base+"/modlog" {
			t.Fatalf("%s: id %q link %q", format, it.GUID, it.Link)
		}
		// The log page's sentences (forum.LogEntry.Sentence), as a visitor reads them.
		if it.Title != "mod1 hid a post in “Route <b>talk</b>”" {
			t.Fatalf("%s: title %q", format, it.Title)
		}
		for _, want := range []string{"mod1 hid a post in “Route &lt;b&gt;talk&lt;/b&gt;”", "spam ×2",
			"&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", `href="` + base + `/modlog"`} {
			if !strings.Contains(it.Content, want) {
				t.Fatalf("%s: content lacks %q: %s", format, want, it.Content)
			}
		}
		if f.Items[1].Title != "mod2 suspended troll for 7 days" {
			t.Fatalf("%s: title %q", format, f.Items[1].Title)
		}
		if f.Items[2].Title != "mod2 locked a hidden thread" {
			t.Fatalf("%s: a hidden thread's title in the public feed: %q", format, f.Items[2].Title)
		}
	}
	v := feed.ModLogValidator(base, m, feed.RSS, &entries[0])
	if got := feed.ModLog(base, m, entries).Validator(feed.RSS); got != v {
		t.Fatalf("validator %+v, want %+v", got, v)
	}
	if !v.LastModified.Equal(t0.Add(time.Minute)) {
		t.Fatalf("last modified %v", v.LastModified)
	}
	if feed.ModLogValidator(base, m, feed.RSS, &entries[1]).Tag == v.Tag {
		t.Fatal("a new entry kept the tag")
	}
}
