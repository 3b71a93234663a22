package web_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/webtest"
)

// searchPage is what a reader sees of one /search page.
type searchPage struct {
	body     string
	count    string              // the "N results · showing a–b" line
	threads  []string            // thread headings, in page order
	meta     map[string]string   // heading → its "in … · N matching posts" line
	snippets map[string][]string // heading → its hits' snippet HTML
	links    map[string]string   // rel or link text → href
	help     string              // the syntax help's text, "" if absent
	helpRefs []string            // the syntax help's links
	suggest  []string            // the no-results suggestions' links
}

func (e *env) searchPage(t *testing.T, q string) searchPage {
	t.Helper()
	return e.searchPageAt(t, "/search?q="+url.QueryEscape(q))
}

func (e *env) searchPageAt(t *testing.T, path string) searchPage {
	t.Helper()
	resp, body := e.client().get(path)
	wantStatus(t, resp, body, http.StatusOK)
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	p := searchPage{body: body, meta: map[string]string{}, snippets: map[string][]string{}, links: map[string]string{}}
	for _, n := range nodesWhere(doc, func(n *html.Node) bool { return classed(n, "search-count") }) {
		p.count = strings.Join(strings.Fields(nodeText(n)), " ")
	}
	for _, sec := range nodesWhere(doc, func(n *html.Node) bool { return classed(n, "search-thread") }) {
		title := strings.TrimSpace(nodeText(nodesWhere(sec, func(n *html.Node) bool { return classed(n, "search-thread-title") })[0]))
		p.threads = append(p.threads, title)
		for _, m := range nodesWhere(sec, func(n *html.Node) bool { return n.Parent == sec && classed(n, "thread-meta") }) {
			p.meta[title] = strings.Join(strings.Fields(nodeText(m)), " ")
		}
		for _, a := range nodesWhere(sec, func(n *html.Node) bool { return classed(n, "search-hit") }) {
			if !strings.HasPrefix(attrOf(a, "href"), "/p/") {
				t.Fatalf("hit links to %q, want /p/ID", attrOf(a, "href"))
			}
			var b strings.Builder
			for c := a.FirstChild.FirstChild; c != nil; c = c.NextSibling { // the .snippet span
				_ = html.Render(&b, c)
			}
			p.snippets[title] = append(p.snippets[title], b.String())
		}
	}
	for _, nav := range nodesWhere(doc, func(n *html.Node) bool { return classed(n, "pager") }) {
		for _, a := range nodesWhere(nav, func(n *html.Node) bool { return n.Data == "a" }) {
			if rel := attrOf(a, "rel"); rel != "" {
				p.links[rel] = attrOf(a, "href")
			} else {
				p.links[strings.TrimSpace(nodeText(a))] = attrOf(a, "href")
			}
		}
	}
	for _, h := range nodesWhere(doc, func(n *html.Node) bool { return classed(n, "search-help") }) {
		p.help = strings.Join(strings.Fields(nodeText(h)), " ")
		for _, a := range nodesWhere(h, func(n *html.Node) bool { return n.Data == "a" }) {
			p.helpRefs = append(p.helpRefs, attrOf(a, "href"))
		}
	}
	for _, s := range nodesWhere(doc, func(n *html.Node) bool { return classed(n, "search-suggest") }) {
		for _, a := range nodesWhere(s, func(n *html.Node) bool { return n.Data == "a" }) {
			p.suggest = append(p.suggest, attrOf(a, "href"))
		}
	}
	return p
}

// TestSearchReadsWell: snippets are the rendered post as plain text with the match
// marked, hits sit under their threads with counts, the page says how many results and
// which, paging keeps the query, and an empty search teaches the syntax. Posts go
// through the real Markdown renderer; the page size and count cap are small settings.
func TestSearchReadsWell(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, webtest.Options{Config: func(c *config.Config) {
		webtest.Roomy(c)
		c.Search = config.SearchSettings{PerPage: 4, CountMax: 6, RankMax: 1000}
	}})
	ann := e.user("ann", forum.RoleMember)
	ben := e.user("ben", forum.RoleMember)
	race, _ := e.fx.Thread(ann, "Race day notes", "**Foreign runners** [joined](https://x.example) the race")
	e.fx.Reply(race, ben, nil, "> quoted\n\nMore `runners` came | than | expected", forum.StanceNone)
	tour, _ := e.fx.ThreadIn("tourism", ben, "Tour groups and visas", "Which agency arranged the tour groups?")
	e.fx.Reply(tour, ann, nil, "The runners' visas took a month", forum.StanceNone)
	e.fx.Reply(race, ann, nil, "hostileterm `<script>alert(1)</script>` and 1 < 2 & \"q\" `&lt;b&gt;` with \uE000fake\uE001 highlight", forum.StanceNone)
	for i := range 8 {
		e.fx.Reply(tour, ben, nil, "filler tag word "+strings.Repeat("x", i+1), forum.StanceNone)
	}

	t.Run("SnippetIsPlainTextWithTheMatchMarked", func(t *testing.T) {
		p := e.searchPage(t, "foreign")
		got := p.snippets["Race day notes"]
		if len(got) != 1 {
			t.Fatalf("snippets %v", p.snippets)
		}
		if got[0] != "<mark>Foreign</mark> runners joined the race" {
			t.Fatalf("snippet %q", got[0])
		}
		for _, md := range []string{"**", "](", "`", "&gt; quoted", "|"} {
			if strings.Contains(strings.Join(p.snippets["Race day notes"], ""), md) {
				t.Fatalf("snippet keeps Markdown %q: %q", md, got[0])
			}
		}
		p = e.searchPage(t, "expected")
		if got := p.snippets["Race day notes"]; len(got) != 1 || got[0] != "quoted More runners came | than | <mark>expected</mark>" &&
			!strings.Contains(got[0], "More runners came") {
			t.Fatalf("snippet %v", got)
		}
	})

	t.Run("HostilePostAndQueryStayInert", func(t *testing.T) {
		p := e.searchPage(t, "hostileterm")
		got := p.snippets["Race day notes"]
		if len(got) != 1 {
			t.Fatalf("snippets %v", p.snippets)
		}
		// Entities are decoded once and the text escaped once: what the reader saw in the
		// post ("&lt;b&gt;" in code stays those characters); the code span's tag-shaped
		// text is dropped by ts_headline; the post's own markers mark nothing.
		want := `<mark>hostileterm</mark> alert(1) and 1 &lt; 2 &amp; &#34;q&#34; &amp;lt;b&amp;gt; with fake highlight`
		if strings.Join(strings.Fields(got[0]), " ") != want {
			t.Fatalf("snippet %q\nwant    %q", got[0], want)
		}
		if strings.Contains(p.body, "<script>alert(1)") || strings.Contains(p.body, "\uE000") {
			t.Fatal("the page carries the post's script or markers raw")
		}
		q := "<script>alert(2)</script> \uE000hostileterm\uE001 \"><img src=x onerror=alert(3)>"
		p = e.searchPage(t, q)
		if strings.Contains(p.body, "<script>alert(2)") || strings.Contains(p.body, "<img src=x") {
			t.Fatal("the page carries the query's markup raw")
		}
		for _, snips := range p.snippets {
			for _, s := range snips {
				if strings.Contains(s, "<mark>\uE000") || strings.Count(s, "<mark>") != strings.Count(s, "</mark>") {
					t.Fatalf("snippet %q", s)
				}
			}
		}
		resp, body := e.client().get("/api/v1/search?q=" + url.QueryEscape(q))
		wantStatus(t, resp, body, http.StatusOK)
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Fatalf("API answer carries markup: %s", body)
		}
	})

	t.Run("HitsGroupedByThread", func(t *testing.T) {
		p := e.searchPage(t, "runners")
		if len(p.threads) != 2 || !slices.Contains(p.threads, "Race day notes") || !slices.Contains(p.threads, "Tour groups and visas") {
			t.Fatalf("thread headings %v", p.threads)
		}
		if m := p.meta["Race day notes"]; m != "in general · 2 matching posts on this page" {
			t.Fatalf("race meta %q", m)
		}
		if m := p.meta["Tour groups and visas"]; m != "in tourism · 1 matching post on this page" {
			t.Fatalf("tour meta %q", m)
		}
		if p.count != "3 results · showing 1–3" {
			t.Fatalf("count %q", p.count)
		}
		resp, body := e.client().get("/api/v1/search?q=runners")
		wantStatus(t, resp, body, http.StatusOK)
		var api struct {
			Results []struct {
				PostID int64 `json:"post_id"`
			} `json:"results"`
			Threads []struct {
				Title   string  `json:"thread_title"`
				PostIDs []int64 `json:"post_ids"`
			} `json:"threads"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal([]byte(body), &api); err != nil {
			t.Fatal(err)
		}
		if len(api.Results) != 3 || len(api.Threads) != 2 || api.Total != 3 || len(api.Threads[0].PostIDs)+len(api.Threads[1].PostIDs) != 3 {
			t.Fatalf("API answer %s", body)
		}
	})

	t.Run("CountCappedAndPagingKeepsTheQuery", func(t *testing.T) {
		q := "filler & #tag"
		p := e.searchPage(t, q)
		if p.count != "more than 6 results · showing 1–4" {
			t.Fatalf("count %q", p.count)
		}
		next := p.links["next"]
		u, err := url.Parse(next)
		if err != nil || !strings.HasPrefix(next, "?") || u.Query().Get("q") != q {
			t.Fatalf("next link %q loses the query", next)
		}
		first := slices.Concat(slices.Collect(maps.Values(p.snippets))...)
		p2 := e.searchPageAt(t, "/search"+next)
		if p2.count != "more than 6 results · showing 5–8" {
			t.Fatalf("second page count %q", p2.count)
		}
		for _, s := range slices.Concat(slices.Collect(maps.Values(p2.snippets))...) {
			if slices.Contains(first, s) {
				t.Fatalf("hit %q on both pages", s)
			}
		}
		back, err := url.Parse(p2.links["← First page"])
		if err != nil || back.Query().Get("q") != q || back.Query().Has("before") {
			t.Fatalf("first-page link %q", p2.links["← First page"])
		}
		if _, ok := p.links["← First page"]; ok {
			t.Fatal("the first page links to itself")
		}
	})

	t.Run("EmptySearchTeachesTheSyntax", func(t *testing.T) {
		p := e.searchPage(t, "")
		for _, want := range []string{`"exact phrase"`, "-word", "this or that", "author:name", "in:category", "in:general", "in:tourism"} {
			if !strings.Contains(p.help, want) {
				t.Fatalf("syntax help lacks %q: %q", want, p.help)
			}
		}
		for _, slug := range []string{"general", "tourism"} {
			if !slices.Contains(p.helpRefs, "/search?q=in%3a"+slug) && !slices.Contains(p.helpRefs, "/search?q=in%3A"+slug) {
				t.Fatalf("no link searching in:%s: %v", slug, p.helpRefs)
			}
		}
	})

	t.Run("NoResultsSuggestsDroppingTheFilter", func(t *testing.T) {
		p := e.searchPage(t, "foreign in:tourism")
		if len(p.threads) != 0 || p.help == "" {
			t.Fatalf("threads %v, help %q", p.threads, p.help)
		}
		want := "/search?" + url.Values{"q": {"foreign"}}.Encode()
		if !slices.Contains(p.suggest, want) {
			t.Fatalf("suggestions %v, want %q", p.suggest, want)
		}
		if p = e.searchPageAt(t, want); len(p.threads) != 1 {
			t.Fatalf("the suggested search finds %v", p.threads)
		}
	})
}

// nodesWhere, classed and nodeText: small DOM helpers beside preview_test.go's attrOf
// (htmlcheck_test.go's live in package web).
func nodesWhere(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	if n.Type == html.ElementNode && match(n) {
		out = append(out, n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, nodesWhere(c, match)...)
	}
	return out
}

func classed(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attrOf(n, "class")), class)
}

func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(nodeText(c))
	}
	return b.String()
}
