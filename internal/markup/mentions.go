package markup

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"forum/internal/forum"
)

// @mentions. A mention is "@" and a username (the public contract: 3–32 of a-z 0-9 _ -)
// in the post's text. goldmark's own inline parser finds them, so code spans, code
// blocks, autolinks and link text are excluded by the Markdown grammar itself, not by
// a pattern over the source. The parser only acts when a call asks about mentions
// (RenderMentions, MentionCandidates); under Render and Excerpt it declines every "@",
// so their output is what it was before mentions existed.

// MaxMentionLinks is how many mentions in one post become links; later ones stay text.
// A mention link is about 40 bytes of HTML for as few as 4 bytes of source, so this
// keeps a post of thousands of mentions within forum.CheckRendered without refusing a
// post for naming people. It is forum.MaxLinks, the bound on a post's other links.
const MaxMentionLinks = forum.MaxLinks

const (
	minMentionName = 3  // forum.ValidateUsername's shortest name
	maxMentionName = 32 // and its longest
)

// goldmark's node kinds and context keys are process-wide registrations by design.
var (
	kindMention = ast.NewNodeKind("Mention")
	mentionKey  = parser.NewContextKey()
)

// mentionNode is a mention of an existing user, found by mentionParser.
type mentionNode struct {
	ast.BaseInline
	name string
}

func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.name}, nil)
}

// mentionExtension adds the mention parser and its HTML to a goldmark instance.
type mentionExtension struct{}

func (mentionExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithInlineParsers(util.Prioritized(mentionParser{}, 500)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(mentionHTML{}, 500)))
}

// mentionParser turns "@name" into a mentionNode when the parse's mentionResolver
// (in the parser.Context) accepts the name; otherwise the "@" stays text.
type mentionParser struct{}

func (mentionParser) Trigger() []byte { return []byte{'@'} }

func (mentionParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	res, _ := pc.Get(mentionKey).(*mentionResolver)
	// Link text is parsed before goldmark knows whether it is a link; a mention inside
	// it would be a link in a link, so "[x @a](url)" (and "[@a]") keep the name as text.
	if res == nil || pc.IsInLinkLabel() || !mayPrecedeMention(block.PrecendingCharacter()) {
		return nil
	}
	line, _ := block.PeekLine() // line[0] is the '@'
	name, ok := mentionName(line[1:])
	if !ok || !res.link(name) {
		return nil
	}
	block.Advance(1 + len(name))
	return &mentionNode{name: name}
}

// mayPrecedeMention: a mention starts a word. After a letter, digit, '.', '_', '-' or
// '@' the "@" belongs to an address or a handle ("me@example.org", "a@@b"). A
// backslash-escaped "\@" never reaches the parser: goldmark skips escaped punctuation.
func mayPrecedeMention(r rune) bool {
	switch r {
	case '_', '-', '.', '@':
		return false
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// mentionName reads the name after an "@": the longest run of username characters,
// which must be 3–32 long and not run on into another letter, digit or "@". So
// "@aliCe" or "@josé" is not a mention of "ali" or "jos", "@alice@other.example" (a
// handle elsewhere) is not one of alice, and a run of 33 is no mention at all rather
// than one of its first 32 characters. Punctuation ends a name: "thanks @alice." is
// alice.
func mentionName(b []byte) (string, bool) {
	n := 0
	for n < len(b) && isNameByte(b[n]) {
		n++
	}
	if n < minMentionName || n > maxMentionName {
		return "", false
	}
	if r, _ := utf8.DecodeRune(b[n:]); n < len(b) && (r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return "", false
	}
	return string(b[:n]), true
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// mentionResolver is one call's view of mentions: it either collects candidates
// (known == nil) or decides which names become links, asking known once per name.
type mentionResolver struct {
	known   func(name string) bool
	verdict map[string]bool // names decided (or collected) so far
	names   []string        // collecting: candidates in order of first appearance
	limit   int             // collecting: at most this many
	linked  int             // deciding: links made so far, at most MaxMentionLinks
}

// link records name and reports whether this occurrence becomes a link.
func (m *mentionResolver) link(name string) bool {
	if m.known == nil {
		if len(m.names) < m.limit && !m.verdict[name] {
			m.verdict[name] = true
			m.names = append(m.names, name)
		}
		return false // collecting leaves the parse exactly as Render's
	}
	if m.linked >= MaxMentionLinks {
		return false
	}
	ok, asked := m.verdict[name]
	if !asked {
		ok = m.known(name)
		m.verdict[name] = ok
	}
	if ok {
		m.linked++
	}
	return ok
}

// parse parses source, with res deciding mentions (nil: none, as in Render).
func (r *Renderer) parse(source []byte, res *mentionResolver) ast.Node {
	if res == nil {
		return r.md.Parser().Parse(text.NewReader(source))
	}
	pc := parser.NewContext()
	pc.Set(mentionKey, res)
	return r.md.Parser().Parse(text.NewReader(source), parser.WithContext(pc))
}

// MentionCandidates returns the distinct names src mentions as "@name", in order of
// first appearance, at most limit of them: the names RenderMentions will ask its
// known function about. It parses only; a source that Render refuses without parsing
// (its quote depth, its tables' padded size) has none.
func (r *Renderer) MentionCandidates(src string, limit int) (names []string) {
	if limit <= 0 || quoteMarkers(src) > 4*forum.MaxNesting || tableBound(src) != nil {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			names = nil // as Render, never panic; the render that follows reports it
		}
	}()
	res := &mentionResolver{limit: limit, verdict: make(map[string]bool, min(limit, 64))}
	r.parse([]byte(strings.ToValidUTF8(src, "\uFFFD")), res)
	return res.names
}

// RenderMentions is Render, with every mention whose name known accepts (and at most
// MaxMentionLinks of them) linked to the person's page as
// <a class="mention" href="/u/NAME">@NAME</a>. Other mentions stay text. known is
// called at most once per distinct name; a nil known links nothing, exactly as Render.
func (r *Renderer) RenderMentions(src string, known func(name string) bool) (string, error) {
	if known == nil {
		return r.Render(src)
	}
	return r.renderWith(src, true, &mentionResolver{known: known, verdict: map[string]bool{}})
}

// RenderStoredMentions is RenderStored with mentions linked as in RenderMentions. A
// post kept as plain text for breaking a bound has no mention links.
func (r *Renderer) RenderStoredMentions(src string, known func(name string) bool) (string, error) {
	out, err := r.RenderMentions(src, known)
	if forum.ErrorCode(err) != forum.EInvalid {
		return out, err
	}
	return r.storedAsText(src), nil
}

// mentionHTML writes a mention without its href: the post policy drops every relative
// URL, so the href is added after sanitising (mentionPolicy.sanitize).
type mentionHTML struct{}

func (mentionHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			// The name is [a-z0-9_-] only (mentionName): nothing to escape.
			if _, err := w.WriteString(mentionOpen + n.(*mentionNode).name + "</a>"); err != nil {
				return ast.WalkStop, fmt.Errorf("markup: writing a mention: %w", err)
			}
		}
		return ast.WalkSkipChildren, nil
	})
}

const mentionOpen = `<a class="mention">@`

// MentionHref is how every stored mention link starts, up to the name: the one relative
// link a post may hold, which a feed makes absolute (feed.Posts).
const MentionHref = `<a class="mention" href="/u/`

// mentionPolicy is the post policy plus class="mention" (that value only) on <a>, and
// the step that gives those links their href. It cleans RenderMentions' output only:
// Render and the policy alone keep the post policy's allow-list unchanged.
type mentionPolicy struct {
	policy *bluemonday.Policy
	link   *regexp.Regexp
}

func newMentionPolicy() *mentionPolicy {
	p := postPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	return &mentionPolicy{
		policy: p,
		link:   regexp.MustCompile(`<a class="mention">@([a-z0-9_-]{3,32})</a>`),
	}
}

// sanitize cleans h like Renderer.sanitize, then adds the href of each mention link.
// The policy drops local links from posts ("[x](/admin)"), so the href cannot pass
// through it; it is added here, only to an <a> the policy kept with exactly
// class="mention" whose whole text is "@" and a valid name, and it is built from that
// name alone. The match is exact for the reason sanitize's rel rewrite is: the
// serialiser escapes '<' in text and '"' in attribute values, so `<a class="mention">`
// can only be an element with that single attribute, and goldmark emits such an
// element only for a mention (raw HTML is omitted). Mention links carry no rel: rel
// disowns destinations users chose, and these point at the forum's own pages.
func (m *mentionPolicy) sanitize(h string) string {
	out := strings.ReplaceAll(m.policy.Sanitize(h), ` rel="nofollow"`, ` rel="`+linkRel+`"`)
	if !strings.Contains(out, mentionOpen) {
		return out
	}
	return m.link.ReplaceAllString(out, MentionHref+`$1">@$1</a>`)
}
