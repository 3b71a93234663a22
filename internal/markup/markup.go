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

	"forum/internal/forum"
)

// linkRel is the rel attribute every link in rendered posts carries.
const linkRel = "nofollow ugc noopener"

// Renderer converts Markdown to sanitised HTML. Build it once with New; it
// holds no per-call state and is safe for concurrent use.
type Renderer struct {
	md      goldmark.Markdown
	post    *bluemonday.Policy // policy for rendered posts
	snippet *bluemonday.Policy // search snippets: only <mark>
	strict  *bluemonday.Policy // strips every tag (excerpts)
	mention *mentionPolicy     // post policy plus mention links (RenderMentions)
}

// New builds the goldmark instance and the bluemonday policies.
func New() *Renderer {
	md := goldmark.New(
		// CommonMark core plus the GFM extensions that keep what people paste from
		// elsewhere: bare links, ~~strikethrough~~, tables (alignment as an align
		// attribute: the policy allows no style) and task lists, with images kept as
		// links and each task's checkbox labelled (gfm.go). No footnotes or
		// typographer: less surface, and the typographer would rewrite quotes inside
		// prose people paste. mentionExtension acts only when a call asks about
		// @mentions (mentions.go).
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.TaskList, gfmExtension{}, mentionExtension{}),
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
		snippet: bluemonday.NewPolicy().AllowElements("mark"),
		strict:  bluemonday.StrictPolicy(),
		mention: newMentionPolicy(),
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
	// GFM tables, structure only. Alignment (":--", ":-:", "--:") arrives as an
	// align attribute in its three values, never as a style.
	p.AllowElements("table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	// Task lists ("- [x] done"): a checkbox that shows the state and cannot be
	// changed. type is exactly checkbox; disabled and checked are boolean attributes,
	// which goldmark writes as ="" and only that value is kept. Nothing else rides on
	// it (no name, value, form or handler), and an <input> left with none of the three
	// is removed. The <label> around it and its task's text names it (gfm.go).
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("disabled", "checked").Matching(regexp.MustCompile(`^$`)).OnElements("input")
	p.AllowNoAttrs().OnElements("label") // not in bluemonday's list of elements kept bare

	return p
}

func hasHost(u *url.URL) bool { return u.Host != "" }

// Render converts a post's Markdown source to sanitised HTML. Invalid UTF-8 is
// replaced with U+FFFD first. Every post, reply and edit comes through here, so the
// forum's bounds on a post's shape are enforced here: a source nested or linked
// beyond forum.CheckStructure is refused after parsing and before any HTML is built,
// and one whose HTML would outgrow its source (forum.CheckRendered) after. Refusals
// are domain errors (*forum.Error), so a form can show them with the text kept. It
// never panics: a panic inside goldmark or bluemonday is returned as an error.
func (r *Renderer) Render(src string) (string, error) { return r.render(src, true) }

// RenderStored is Render for a post already stored (the rerender command): a post that
// predates a bound it breaks is not refused, since it exists, but stored as its source
// in plain preformatted text. Nothing is lost, the source is kept, and its HTML stays
// within about five times its size (the worst case of escaping).
func (r *Renderer) RenderStored(src string) (string, error) {
	out, err := r.Render(src)
	if forum.ErrorCode(err) != forum.EInvalid {
		return out, err
	}
	return r.storedAsText(src), nil
}

// storedAsText is a stored post that breaks a bound: its source as preformatted text.
func (r *Renderer) storedAsText(src string) string {
	return r.sanitize("<pre>" + html.EscapeString(strings.ToValidUTF8(src, "\uFFFD")) + "</pre>\n")
}

func (r *Renderer) render(src string, bounded bool) (string, error) {
	return r.renderWith(src, bounded, nil)
}

// renderWith is render with res deciding which @mentions become links (nil: none).
func (r *Renderer) renderWith(src string, bounded bool, res *mentionResolver) (out string, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = "", fmt.Errorf("markup: render panicked: %v", v)
		}
	}()
	if bounded {
		// goldmark parses nested quotes in time quadratic in their depth (">" × 19,990
		// takes a second); far past the bound, refuse without parsing.
		if n := quoteMarkers(src); n > 4*forum.MaxNesting {
			return "", forum.CheckStructure(n, 0)
		}
		// Likewise tables whose padded rows would be far past the size bound.
		if err := tableBound(src); err != nil {
			return "", err
		}
	}
	source := []byte(strings.ToValidUTF8(src, "\uFFFD"))
	doc := r.parse(source, res)
	if bounded {
		if err := forum.CheckStructure(measure(doc)); err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, source, doc); err != nil {
		return "", fmt.Errorf("markup: rendering markdown: %w", err)
	}
	if res != nil {
		out = r.mention.sanitize(buf.String())
	} else {
		out = r.sanitize(buf.String())
	}
	if bounded {
		if err := forum.CheckRendered(len(source), len(out)); err != nil {
			return "", err
		}
	}
	return out, nil
}

// tableBound refuses, before parsing, a source whose tables would be at least four
// times the size forum.CheckRendered allows once every row is padded to its header's
// width (tableCells); nearer the bound, rendering decides with the real size.
func tableBound(src string) error {
	cells := tableCells(src)
	if forum.CheckRendered(len(src), cells*minCellHTML/4) == nil {
		return nil
	}
	return forum.CheckRendered(len(src), cells*minCellHTML)
}

// quoteMarkers is the most ">" any line starts with (spaces and tabs between them
// allowed): at most the depth of the quotes the line opens, more only inside code.
func quoteMarkers(src string) int {
	most := 0
	for line := range strings.SplitSeq(src, "\n") {
		n := 0
	scan:
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '>':
				n++
			case ' ', '\t':
			default:
				break scan
			}
		}
		most = max(most, n)
	}
	return most
}

// measure returns the deepest nesting of quotes and lists in doc and its number of
// links (Markdown links, <autolinks>, the bare URLs Linkify found, and images, which
// are links by now). A table adds no depth (its cells hold only inline content) and is
// not counted here: its links are, and its size is bounded by forum.CheckRendered
// (each cell is at least minCellHTML bytes) and, before parsing, by tableBound.
func measure(doc ast.Node) (nesting, links int) {
	depth := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.Blockquote, *ast.List:
			if entering {
				depth++
				nesting = max(nesting, depth)
			} else {
				depth--
			}
		case *ast.Link, *ast.AutoLink:
			if entering {
				links++
			}
		}
		return ast.WalkContinue, nil
	})
	return nesting, links
}

// sanitize applies the post policy and widens bluemonday's rel="nofollow".
// The plain string replacement is exact: the serialiser escapes every '"' in
// text and attribute values as &#34;, so the literal ` rel="nofollow"` can only
// be the attribute bluemonday itself added.
func (r *Renderer) sanitize(h string) string {
	return strings.ReplaceAll(r.post.Sanitize(h), ` rel="nofollow"`, ` rel="`+linkRel+`"`)
}

// SanitizeSnippet cleans an arbitrary HTML fragment (a search snippet) with a
// strict policy: <mark> without attributes is kept for highlighting, every other
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
	h, err := r.render(src, false) // an excerpt of what is stored, whatever its size
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
