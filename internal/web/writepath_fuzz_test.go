package web

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/markup"
	webfiles "forum/web"
)

// The hostile corpora: the project's own, and the public XSS payload list that stays
// outside the repository (other projects' data is not copied in): ../shared/corpora beside
// the checkout, as CI and every developer have it (its README gives source and licence).
const (
	xssCorpus     = "../../../shared/corpora/xss-payloads.txt"
	hostileCorpus = "../markup/testdata/hostile.txt"
)

// payloadSeeds is every distinct line of both corpora, then the project's own file
// whole, so that multi-line constructs (reference definitions, fences) take effect.
func payloadSeeds(tb testing.TB) []string {
	tb.Helper()
	var seeds, whole []string
	seen := map[string]bool{}
	for _, name := range []string{hostileCorpus, xssCorpus} {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatalf("read the seed corpus (the public one is ../shared/corpora/xss-payloads.txt beside the checkout): %v", err)
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.TrimSpace(line) != "" && !seen[line] {
				seen[line] = true
				seeds = append(seeds, line)
			}
		}
		if name == hostileCorpus {
			whole = append(whole, string(b))
		}
	}
	return append(seeds, whole...)
}

// FuzzWritePath runs a thread title and a post body through the whole write path — the
// domain's normalising and validation, the Markdown renderer and sanitiser, the thread
// page's real templates and the feeds — and checks, on the output parsed as a browser
// would parse it, that the input could add no markup of its own:
//
//   - the stored HTML, and each post body on the page and in the feeds, holds only what
//     the sanitiser's allow-list names (no <script>, <style>, <iframe>, <svg>..., no
//     event handlers, no javascript:/data:/vbscript: links, no comments);
//   - the page is the template's own page: parsed, it has exactly the elements and
//     attributes of the same page rendered with an empty post and a plain title, so a
//     body cannot close the post's <div> early or leave anything open after it, and a
//     title or the text a rejected reply keeps cannot break out of their text;
//   - the title and the kept text read back verbatim as text;
//   - both feeds are well-formed XML whose items' HTML passes the allow-list, and the
//     moderation log's feed item holds only its own markup whatever the note says;
//   - input the domain refuses (validation, the renderer's bounds) is refused with a 4xx
//     error, never a 500.
//
// `go test` runs the seeds (the corpora, thousands of payloads); `make fuzz` searches
// beyond them.
func FuzzWritePath(f *testing.F) {
	seeds := payloadSeeds(f)
	if fuzzing() {
		// The fuzzer runs every seed under coverage before it searches, at tens of
		// milliseconds each: with all of them, `make fuzz` would spend its time there.
		// An even sample of a few hundred gives it the corpus's shapes to mutate.
		sample := make([]string, min(fuzzSeedSample, len(seeds)))
		for i := range sample {
			sample[i] = seeds[i*len(seeds)/len(sample)]
		}
		seeds = sample
	}
	for _, s := range seeds {
		f.Add(s, s)
	}
	w := newWritePath(f)
	f.Fuzz(func(t *testing.T, title, body string) {
		if err := w.check(title, body); err != nil {
			t.Fatalf("title %q, body %q:\n%v", title, body, err)
		}
	})
}

// fuzzSeedSample is how many seeds FuzzWritePath starts from under -fuzz.
const fuzzSeedSample = 300

// fuzzing reports whether this run searches (go test -fuzz) rather than only runs the
// seed corpus.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// writePath is the fuzz target's fixed parts: templates parsed once, one renderer, and
// the reference page every rendered page must match in shape.
type writePath struct {
	render *renderer
	md     *markup.Renderer
	ref    *html.Node
	now    time.Time // every page and feed is dated the same, as the reference was
}

const (
	fuzzBase      = "https://forum.example"
	fuzzCSRF      = "csrf-token"
	fallbackTitle = "Marathon thread"
	keptFormError = "Your reply was not posted."
)

func newWritePath(tb testing.TB) *writePath {
	tb.Helper()
	r, err := newRenderer(webfiles.FS)
	if err != nil {
		tb.Fatal(err)
	}
	w := &writePath{render: r, md: markup.New(), now: time.Now().UTC().Add(-time.Hour).Truncate(time.Second)}
	page, err := w.threadPage("Reference title", "", "")
	if err != nil {
		tb.Fatal(err)
	}
	if w.ref, err = html.Parse(bytes.NewReader(page)); err != nil {
		tb.Fatal(err)
	}
	for _, n := range findAll(w.ref, isPostBody) {
		if n.FirstChild != nil {
			tb.Fatal("the reference page's post bodies are not empty")
		}
	}
	return w
}

func isPostBody(n *html.Node) bool { return n.DataAtom == atom.Div && hasClass(n, "post-body") }

// check runs one title and body through the write path and returns the first broken
// invariant.
func (w *writePath) check(title, body string) error {
	// What createThread and reply do with the form fields.
	body = forum.NormalizeBody(body)
	title = strings.TrimSpace(title)
	stored := ""
	if err := forum.ValidateBody(body); err != nil {
		if err := wantClientError("body", err); err != nil {
			return err
		}
	} else if h, err := w.md.Render(body); err != nil {
		// The renderer refuses a shape past the forum's bounds with a domain error,
		// which the form shows; anything else would be a 500.
		if err := wantClientError("rendered body", err); err != nil {
			return err
		}
	} else {
		if err := checkPostFragment(h); err != nil {
			return fmt.Errorf("stored HTML %q: %w", h, err)
		}
		stored = h
	}
	if err := forum.ValidateTitle(title); err != nil {
		if err := wantClientError("title", err); err != nil {
			return err
		}
		title = fallbackTitle
	}

	// The thread page as a member sees it after a rejected reply: the post (and a reply
	// to it) with the stored HTML, and the reply box keeping what was typed.
	page, err := w.threadPage(title, stored, body)
	if err != nil {
		return fmt.Errorf("render the thread page: %w", err)
	}
	if err := w.checkPage(page, title, body); err != nil {
		return fmt.Errorf("thread page: %w\n%s", err, page)
	}
	if err := checkPostsFeeds(w.now, title, stored); err != nil {
		return err
	}
	return checkModLogFeeds(w.now, body)
}

func wantClientError(what string, err error) error {
	if st := errStatus(err); st < 400 || st > 499 {
		return fmt.Errorf("rejecting the %s answers %d, want a 4xx: %v", what, st, err)
	}
	return nil
}

// threadPage renders thread 1 as a member sees it: the opening post and one reply, both
// with bodyHTML, and kept (a rejected reply's text) in the reply box. It assembles the
// view as renderThread does, without a database.
func (w *writePath) threadPage(title, bodyHTML, kept string) ([]byte, error) {
	now := w.now
	viewer := &forum.User{ID: 2, Username: "bob", Role: forum.RoleMember, CreatedAt: now.Add(-time.Hour)}
	th := &forum.Thread{ID: 1, CategoryID: 1, CategorySlug: "general", CategoryName: "General", AuthorID: 1,
		AuthorName: "alice", Title: title, Slug: forum.Slugify(title), CreatedAt: now, LastActivityAt: now,
		ReplyCount: 1, Version: 3, Visible: true, OpeningStatus: forum.StatusVisible}
	opID := int64(1)
	posts := []forum.Post{
		{ID: 1, ThreadID: 1, AuthorID: 1, AuthorName: "alice", Path: []int64{1}, BodyHTML: bodyHTML,
			Status: forum.StatusVisible, CreatedAt: now, ChildCount: 1, DescendantCount: 1},
		{ID: 2, ThreadID: 1, ParentID: &opID, AuthorID: 1, AuthorName: "alice", Path: []int64{1, 2}, Depth: 1,
			TopID: new(int64(2)), BodyHTML: bodyHTML, Stance: forum.StanceHelps, Status: forum.StatusVisible, CreatedAt: now},
	}
	tc := &treeCtx{User: viewer, Thread: th, CSRF: fuzzCSRF, MaxDepth: maxDepth}
	v := threadView{
		Thread: forum.ThreadFor(viewer, th), Root: buildTree(posts, tc, false)[0],
		replyState: replyStateFor(viewer, th, nil), Stances: stanceBars(th), Viewer: viewer,
		Form: replyForm{Body: kept, Idem: "idem-key", Error: keptFormError},
	}
	p := page{
		Title: v.Thread.Title, SiteName: SiteName, User: viewer, CSRFToken: fuzzCSRF, Path: "/t/1/reply",
		Feeds: []feedLink{{Title: th.Title + ": replies", Base: "/t/1/feed"}}, Data: v,
	}
	var buf bytes.Buffer
	if err := w.render.pages["thread"].ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkPage parses a rendered thread page and checks it against the reference.
func (w *writePath) checkPage(page []byte, title, kept string) error {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	bodies := findAll(doc, isPostBody)
	if len(bodies) != 2 {
		return fmt.Errorf("the page has %d post bodies, want 2", len(bodies))
	}
	for _, b := range bodies {
		if err := checkPostChildren(b); err != nil {
			return fmt.Errorf("%s: %w", nodePath(b), err)
		}
		detachChildren(b)
	}
	// The text checks read the page as it was parsed; the shape check ignores text.
	h1, err := only(doc, "thread headings", func(n *html.Node) bool { return hasClass(n, "thread-heading") })
	if err != nil {
		return err
	}
	if got, want := textOf(h1), asParsed(title); got != want {
		return fmt.Errorf("the heading reads %q, want the title %q", got, want)
	}
	head, err := only(doc, "titles", func(n *html.Node) bool { return n.DataAtom == atom.Title })
	if err != nil {
		return err
	}
	if got, want := textOf(head), asParsed(title)+" · "+SiteName; got != want {
		return fmt.Errorf("<title> reads %q, want %q", got, want)
	}
	box, err := only(doc, "reply boxes", func(n *html.Node) bool { return attr(n, "id") == "reply-body" })
	if err != nil {
		return err
	}
	// The parser drops one newline right after <textarea>, as browsers do.
	if got, want := textOf(box), strings.TrimPrefix(asParsed(kept), "\n"); got != want {
		return fmt.Errorf("the reply box keeps %q, want %q", got, want)
	}
	return sameShape(w.ref, doc)
}

// asParsed is text as golang.org/x/net/html hands it back: carriage returns become
// newlines and NUL (in a <textarea>) U+FFFD. Invalid UTF-8 stays as it is (a browser
// decodes it as U+FFFD).
func asParsed(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// The parts of the two feed formats the checks read.
type (
	rssDoc struct {
		Channel struct {
			Title string    `xml:"title"`
			Items []rssItem `xml:"item"`
		} `xml:"channel"`
	}
	rssItem struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	}
	atomDoc struct {
		Title   string      `xml:"title"`
		Entries []atomEntry `xml:"entry"`
	}
	atomEntry struct {
		Title string `xml:"title"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	}
)

// checkPostsFeeds builds a thread's feed of two posts (the opening post and a reply,
// both with bodyHTML) in both formats, as feed readers receive them.
func checkPostsFeeds(now time.Time, title, bodyHTML string) error {
	posts := []forum.FeedPost{
		{ID: 2, ThreadID: 1, ThreadVersion: 3, ThreadTitle: title, ThreadSlug: forum.Slugify(title), Depth: 1,
			AuthorName: "alice", BodyHTML: bodyHTML, CreatedAt: now},
		{ID: 1, ThreadID: 1, ThreadVersion: 3, ThreadTitle: title, ThreadSlug: forum.Slugify(title),
			AuthorName: "alice", BodyHTML: bodyHTML, CreatedAt: now.Add(-time.Minute)},
	}
	meta := feed.Meta{Title: title + ": replies", Page: "/t/1/" + forum.Slugify(title), Path: "/t/1/feed"}
	f := feed.Posts(fuzzBase, meta, posts)
	wantTitles := []string{"Reply by alice in " + title, title}

	rss, err := f.Render(feed.RSS)
	if err != nil {
		return fmt.Errorf("render RSS: %w", err)
	}
	var r rssDoc
	if err := strictXML(rss, &r); err != nil {
		return fmt.Errorf("RSS: %w\n%s", err, rss)
	}
	if len(r.Channel.Items) != len(posts) {
		return fmt.Errorf("RSS has %d items, want %d\n%s", len(r.Channel.Items), len(posts), rss)
	}
	for i, it := range r.Channel.Items {
		if err := checkFeedItem("RSS", it.Title, wantTitles[i], it.Link, it.Content); err != nil {
			return fmt.Errorf("%w\n%s", err, rss)
		}
		// The description is an escaped plain-text excerpt: parsed, it is text only.
		if err := checkTextOnly(it.Description); err != nil {
			return fmt.Errorf("RSS item %d description %q: %w", i, it.Description, err)
		}
	}

	atomXML, err := f.Render(feed.Atom)
	if err != nil {
		return fmt.Errorf("render Atom: %w", err)
	}
	var a atomDoc
	if err := strictXML(atomXML, &a); err != nil {
		return fmt.Errorf("Atom: %w\n%s", err, atomXML)
	}
	if len(a.Entries) != len(posts) {
		return fmt.Errorf("Atom has %d entries, want %d\n%s", len(a.Entries), len(posts), atomXML)
	}
	for _, e := range a.Entries {
		// gorilla/feeds leaves out an empty <content> (a post of only a link
		// reference definition renders to nothing).
		if e.Content.Type != "html" && (bodyHTML != "" || e.Content.Body != "") {
			return fmt.Errorf("Atom content type %q, want html", e.Content.Type)
		}
		if err := checkFeedItem("Atom", e.Title, wantTitles[0], e.Link.Href, e.Content.Body); err != nil {
			return fmt.Errorf("%w\n%s", err, atomXML)
		}
		wantTitles = wantTitles[1:]
	}
	return nil
}

func checkFeedItem(format, title, wantTitle, link, content string) error {
	if want := xmlText(wantTitle); title != want {
		return fmt.Errorf("%s item title %q, want the text %q", format, title, want)
	}
	if !strings.HasPrefix(link, fuzzBase+"/") {
		return fmt.Errorf("%s item link %q is not the forum's", format, link)
	}
	if err := checkPostFragment(content); err != nil {
		return fmt.Errorf("%s item content %q: %w", format, content, err)
	}
	return nil
}

// checkModLogFeeds puts note into a moderation log entry, as a moderator's note for the
// log, and checks each feed item holds only the item template's own markup.
func checkModLogFeeds(now time.Time, note string) error {
	note = strings.TrimSpace(note) // what decide does with the field
	entries := []forum.LogEntry{{ID: 7, Moderator: "mod", Action: forum.LogAction("hide"), TargetType: "post",
		TargetID: 1, Reason: "spam", Note: note, CreatedAt: now}}
	f := feed.ModLog(fuzzBase, feed.Meta{Title: "Moderation log", Page: "/modlog", Path: "/modlog/feed"}, entries)
	for _, format := range []feed.Format{feed.RSS, feed.Atom} {
		b, err := f.Render(format)
		if err != nil {
			return fmt.Errorf("render moderation log %s: %w", format, err)
		}
		var content string
		if format == feed.RSS {
			var r rssDoc
			if err := strictXML(b, &r); err != nil || len(r.Channel.Items) != 1 {
				return fmt.Errorf("moderation log RSS (%v):\n%s", err, b)
			}
			content = r.Channel.Items[0].Content
		} else {
			var a atomDoc
			if err := strictXML(b, &a); err != nil || len(a.Entries) != 1 {
				return fmt.Errorf("moderation log Atom (%v):\n%s", err, b)
			}
			content = a.Entries[0].Content.Body
		}
		if err := checkModLogItem(content); err != nil {
			return fmt.Errorf("moderation log %s item %q: %w", format, content, err)
		}
	}
	return nil
}

// checkModLogItem: paragraphs of text and the one link to the log, nothing else.
func checkModLogItem(s string) error {
	div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), div)
	if err != nil {
		return err
	}
	links := 0
	for _, n := range nodes {
		if n.Type != html.ElementNode || n.DataAtom != atom.P || len(n.Attr) != 0 {
			return fmt.Errorf("top-level %s %q, want only <p>", nodeType(n), n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
			case c.DataAtom == atom.A && len(c.Attr) == 1 && c.Attr[0].Key == "href" &&
				c.Attr[0].Val == fuzzBase+"/modlog" && c.FirstChild != nil && c.FirstChild.Type == html.TextNode &&
				c.FirstChild.NextSibling == nil:
				links++
			default:
				return fmt.Errorf("unexpected %s %q inside <p>", nodeType(c), c.Data)
			}
		}
	}
	if links != 1 {
		return fmt.Errorf("%d links to the log, want 1", links)
	}
	return nil
}

// checkTextOnly parses s as HTML and requires it to be text only.
func checkTextOnly(s string) error {
	div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), div)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.Type != html.TextNode {
			return fmt.Errorf("parses to a %s %q, want text only", nodeType(n), n.Data)
		}
	}
	return nil
}

// strictXML decodes a feed as a strict XML parser (a feed reader's) would.
func strictXML(b []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	return d.Decode(v)
}

// xmlText is s as it comes back out of the feed's XML: internal/feed replaces the
// characters XML 1.0 cannot hold with U+FFFD, and an XML parser reads a carriage return
// written as &#xD; back as itself.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD ||
			r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return '\uFFFD'
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// TestWritePathCheckerRejects proves the fuzz target's oracle can fail: each case puts
// hostile stored HTML — what a broken sanitiser would let through — into a real page
// and requires the checks to catch it.
func TestWritePathCheckerRejects(t *testing.T) {
	w := newWritePath(t)
	bad := map[string]string{
		"script element":            `<p>x</p><script>alert(1)</script>`,
		"event handler":             `<p onmouseover="alert(1)">x</p>`,
		"img with onerror":          `<img src=x onerror=alert(1)>`,
		"svg":                       `<svg><circle r="1"/></svg>`,
		"iframe":                    `<iframe src="https://evil.example"></iframe>`,
		"style element":             `<style>body{display:none}</style>`,
		"entity-encoded javascript": `<a href="jav&#x61;script:alert(1)" rel="nofollow ugc noopener">x</a>`,
		"data URL":                  `<a href="data:text/html,hi" rel="nofollow ugc noopener">x</a>`,
		"tab in scheme":             `<a href="java&#9;script:alert(1)" rel="nofollow ugc noopener">x</a>`,
		"comment":                   `<p>x</p><!-- hidden -->`,
		"closes the post early":     `<p>x</p></div></article><form action="https://evil.example"><button>Log in</button></form>`,
		"leaves an element open":    `<p>x<em>still emphasised`,
		"unclosed link":             `<p><a href="https://ok.example" rel="nofollow ugc noopener">the rest of the page`,
		"style on a cell":           `<table><tbody><tr><td style="color:red">x</td></tr></tbody></table>`,
		"align of another kind":     `<table><tbody><tr><td align="justify">x</td></tr></tbody></table>`,
		"text input":                `<ul><li><label><input disabled="" type="text"> x</label></li></ul>`,
		"checkbox that can be set":  `<ul><li><label><input type="checkbox"> x</label></li></ul>`,
		"named checkbox":            `<ul><li><label><input disabled="" name="x" type="checkbox"> x</label></li></ul>`,
		"label for another field":   `<ul><li><label for="reply-body">x</label></li></ul>`,
	}
	for name, stored := range bad {
		t.Run(name, func(t *testing.T) {
			page, err := w.threadPage("A fine title", stored, "")
			if err != nil {
				t.Fatal(err)
			}
			err = w.checkPage(page, "A fine title", "")
			if err == nil {
				t.Fatalf("the page check accepted stored HTML %q", stored)
			}
			t.Logf("caught: %.200v", err)
		})
	}
	t.Run("feed item", func(t *testing.T) {
		if err := checkPostsFeeds(w.now, "A fine title", `<p>x</p><script>alert(1)</script>`); err == nil {
			t.Fatal("the feed check accepted a <script> in an item")
		}
	})
	t.Run("title out of its text", func(t *testing.T) {
		// A template that wrote the title unescaped would put its markup in the page;
		// simulate it by rendering the markup where the title's text should be.
		page, err := w.threadPage("A fine title", "", "")
		if err != nil {
			t.Fatal(err)
		}
		page = bytes.Replace(page, []byte(">A fine title</h1>"), []byte("><img src=x onerror=alert(1)></h1>"), 1)
		if err := w.checkPage(page, "A fine title", ""); err == nil {
			t.Fatal("the page check accepted markup in the heading")
		}
	})
	t.Run("reply box escaped", func(t *testing.T) {
		page, err := w.threadPage("A fine title", "", "x")
		if err != nil {
			t.Fatal(err)
		}
		page = bytes.Replace(page, []byte(">x</textarea>"), []byte("></textarea><script>alert(1)</script><textarea>"), 1)
		if err := w.checkPage(page, "A fine title", "x"); err == nil {
			t.Fatal("the page check accepted a kept reply that closed its <textarea>")
		}
	})
	t.Run("rejection must be a 4xx", func(t *testing.T) {
		if wantClientError("body", fmt.Errorf("boom")) == nil {
			t.Fatal("a plain error (a 500) was accepted as a rejection")
		}
		if err := wantClientError("body", forum.Errorf(forum.EInvalid, "no")); err != nil {
			t.Fatal(err)
		}
	})
}
