// Package markup turns a user's Markdown source into safe HTML for the forum.
//
// It runs at write time only: the HTML it returns is stored and later served
// as-is, so everything a post may contain is decided here. There are two walls:
// goldmark never emits raw HTML from the source (it is not built with
// html.WithUnsafe), and a bluemonday allow-list policy cleans whatever goldmark
// produced before it leaves this package.
package markup

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is the rel attribute every link in rendered posts carries.
const linkRel = "nofollow ugc noopener"

// Renderer converts Markdown to sanitised HTML. Build it once with New; it
// holds no per-call state and is safe for concurrent use.
type Renderer struct {
	md      goldmark.Markdown
	post    *bluemonday.Policy // policy for rendered posts
	snippet *bluemonday.Policy // search snippets: only <b>
	strict  *bluemonday.Policy // strips every tag (excerpts)
}

// New builds the goldmark instance and the bluemonday policies.
func New() *Renderer {
	md := goldmark.New(
		// CommonMark core plus the two GFM extensions posts need. No tables,
		// task lists, footnotes or typographer: less surface, and the
		// typographer would rewrite quotes inside prose people paste.
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(headingShift{}, 100)),
		),
		// Renderer options are left at their defaults on purpose: hard wraps
		// off, and no html.WithUnsafe, so raw HTML in the source is replaced
		// by a "raw HTML omitted" comment (which bluemonday then drops).
	)
	return &Renderer{
		md:      md,
		post:    postPolicy(),
		snippet: bluemonday.NewPolicy().AllowElements("b"),
		strict:  bluemonday.StrictPolicy(),
	}
}

// postPolicy is the allow-list for rendered posts. Anything not named here is
// removed: unknown elements lose their tags (text kept, escaped), and the
// contents of script/style/etc. are dropped entirely.
func postPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	// Paragraphs, hard line breaks (two trailing spaces or a backslash) and
	// thematic breaks (---): the plain text structure of Markdown.
	p.AllowElements("p", "br", "hr")
	// *emphasis*, **strong** and ~~strikethrough~~ (the Strikethrough extension).
	p.AllowElements("em", "strong", "del")
	// Bullet and numbered lists and their items.
	p.AllowElements("ul", "ol", "li")
	// "1." is implied; "3." starts a list at 3, which goldmark renders as
	// start="3". Digits only, so nothing else can ride on the attribute.
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	// > quoting other posts is the core of a discussion forum.
	p.AllowElements("blockquote")
	// `inline code` and indented/fenced code blocks.
	p.AllowElements("code", "pre")
	// A fenced block's info string becomes class="language-go"; keep it for
	// client-side highlighting, but only in that exact shape.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-zA-Z0-9_+-]+$`)).OnElements("code")
	// Headings, shifted down by headingShift so h1/h2 stay the page's own.
	p.AllowElements("h3", "h4", "h5", "h6")
	// Links (Markdown links, <autolinks> and bare URLs via Linkify). Only
	// absolute http/https/mailto URLs that net/url can parse survive: relative
	// and protocol-relative ("//host") URLs are dropped too, since a post has
	// no business pointing at our own paths or at a scheme-less host. An <a>
	// that loses its href is removed, keeping its text.
	p.AllowAttrs("href").OnElements("a")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	// http/https must name a host: browsers resolve "http:foo" relative to
	// the page (or as http://foo/ from an https page), which is neither.
	p.AllowURLSchemeWithCustomPolicy("http", hasHost)
	p.AllowURLSchemeWithCustomPolicy("https", hasHost)
	p.AllowURLSchemes("mailto")
	// Adds rel="nofollow" to every <a> with an href; Render widens it to
	// linkRel. "rel" itself is not an allowed attribute, so the only rel in
	// the output is the one bluemonday generates.
	p.RequireNoFollowOnLinks(true)

	return p
}

func hasHost(u *url.URL) bool { return u.Host != "" }

// Render converts Markdown source to sanitised HTML. Invalid UTF-8 is replaced
// with U+FFFD first. It never panics: a panic inside goldmark or bluemonday is
// returned as an error.
func (r *Renderer) Render(src string) (out string, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = "", fmt.Errorf("markup: render panicked: %v", v)
		}
	}()
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(strings.ToValidUTF8(src, "\uFFFD")), &buf); err != nil {
		return "", fmt.Errorf("markup: converting markdown: %w", err)
	}
	return r.sanitize(buf.String()), nil
}

// sanitize applies the post policy and widens bluemonday's rel="nofollow".
// The plain string replacement is exact: the serialiser escapes every '"' in
// text and attribute values as &#34;, so the literal ` rel="nofollow"` can only
// be the attribute bluemonday itself added.
func (r *Renderer) sanitize(h string) string {
	return strings.ReplaceAll(r.post.Sanitize(h), ` rel="nofollow"`, ` rel="`+linkRel+`"`)
}

// SanitizeSnippet cleans an arbitrary HTML fragment (a search snippet) with a
// strict policy: <b> without attributes is kept for highlighting, every other
// tag is removed and text is escaped.
func (r *Renderer) SanitizeSnippet(h string) string {
	return r.snippet.Sanitize(strings.ToValidUTF8(h, "\uFFFD"))
}

// Excerpt returns a plain-text excerpt of the Markdown source for feed titles
// and listing previews: no markup, entities decoded, runs of whitespace
// collapsed to one space, and at most n runes. A longer text is cut at a word
// boundary and ends in "…" (counted in n). The result is plain text and must be
// escaped by whoever puts it into HTML.
func (r *Renderer) Excerpt(src string, n int) string {
	if n <= 0 {
		return ""
	}
	h, err := r.Render(src)
	if err != nil {
		return ""
	}
	plain := strings.Join(strings.Fields(html.UnescapeString(r.strict.Sanitize(h))), " ")
	if utf8.RuneCountInString(plain) <= n {
		return plain
	}
	runes := []rune(plain)
	// Keep n-1 runes to leave room for the ellipsis; back up to the last space
	// unless the cut already falls between words or there is no space at all.
	cut := n - 1
	if !unicode.IsSpace(runes[cut]) {
		if i := lastSpace(runes[:cut]); i > 0 {
			cut = i
		}
	}
	return strings.TrimRightFunc(string(runes[:cut]), unicode.IsSpace) + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if unicode.IsSpace(rs[i]) {
			return i
		}
	}
	return -1
}

// headingShift moves every heading down two levels (# → h3, ## → h4, capped at
// h6) so posts never contain h1/h2, which belong to the page layout.
type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+2, 6)
		}
		return ast.WalkContinue, nil
	})
}
