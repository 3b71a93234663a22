package web

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The checks in this file are the write-path fuzz target's oracle. They are written
// apart from internal/markup's bluemonday policy on purpose: a test that asked the
// policy what the policy allows could never catch the policy.

// postElements is the sanitiser's allow-list (internal/markup postPolicy): the elements
// a stored post body may contain.
var postElements = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Hr: true, atom.Em: true, atom.Strong: true, atom.Del: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true, atom.Code: true, atom.Pre: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.A: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tr: true, atom.Th: true, atom.Td: true,
	atom.Input: true, atom.Label: true, // a task list's checkbox in the label naming it
}

var (
	languageClass = regexp.MustCompile(`^language-[a-zA-Z0-9_+-]+$`)
	digitsOnly    = regexp.MustCompile(`^[0-9]+$`)
	cellAlign     = regexp.MustCompile(`^(left|center|right)$`)
)

// linkRelAttr is the only rel a post's link may carry (internal/markup's linkRel).
const linkRelAttr = "nofollow ugc noopener"

// checkPostChildren checks everything below container (a div.post-body, or a fragment
// root) against the post allow-list: only allowed elements, each with only its allowed
// attributes, links only to absolute http(s) URLs with a host or mailto, and no
// comments, doctypes or foreign (SVG/MathML) content.
func checkPostChildren(container *html.Node) error {
	for c := container.FirstChild; c != nil; c = c.NextSibling {
		if err := checkPostNode(c); err != nil {
			return err
		}
	}
	return nil
}

func checkPostNode(n *html.Node) error {
	switch n.Type {
	case html.TextNode:
		return nil
	case html.ElementNode:
	default:
		return fmt.Errorf("unexpected %s node %q in a post body", nodeType(n), n.Data)
	}
	if n.Namespace != "" || !postElements[n.DataAtom] {
		return fmt.Errorf("element <%s> (namespace %q) is outside the post allow-list", n.Data, n.Namespace)
	}
	if isMentionLink(n) {
		return nil
	}
	var href, rel bool
	for _, a := range n.Attr {
		switch {
		case a.Namespace != "":
			return fmt.Errorf("namespaced attribute %s:%s on <%s>", a.Namespace, a.Key, n.Data)
		case strings.HasPrefix(a.Key, "on"):
			return fmt.Errorf("event handler attribute %s=%q on <%s>", a.Key, a.Val, n.Data)
		case n.DataAtom == atom.A && a.Key == "href":
			href = true
			if err := checkLinkURL(a.Val); err != nil {
				return err
			}
		case n.DataAtom == atom.A && a.Key == "rel" && a.Val == linkRelAttr:
			rel = true
		case n.DataAtom == atom.Code && a.Key == "class" && languageClass.MatchString(a.Val):
		case n.DataAtom == atom.Ol && a.Key == "start" && digitsOnly.MatchString(a.Val):
		case (n.DataAtom == atom.Th || n.DataAtom == atom.Td) && a.Key == "align" && cellAlign.MatchString(a.Val):
		case n.DataAtom == atom.Input && (a.Key == "type" && a.Val == "checkbox" || a.Key == "disabled" && a.Val == "" ||
			a.Key == "checked" && a.Val == ""):
		default:
			return fmt.Errorf("attribute %s=%q on <%s> is outside the post allow-list", a.Key, a.Val, n.Data)
		}
	}
	if n.DataAtom == atom.A && (!href || !rel) {
		return fmt.Errorf("<a> without both href and rel=%q: %v", linkRelAttr, n.Attr)
	}
	if n.DataAtom == atom.Input && (attr(n, "type") != "checkbox" || !hasAttr(n, "disabled")) {
		return fmt.Errorf("<input> that is not a disabled checkbox: %v", n.Attr)
	}
	return checkPostChildren(n)
}

// mentionLink is the one local link a post may hold: an @mention of a real person,
// exactly as markup writes it (class, then href to their page, then "@name" as its text).
var mentionLink = regexp.MustCompile(`^/u/([a-z0-9_-]{3,32})$`)

func isMentionLink(n *html.Node) bool {
	if n.DataAtom != atom.A || len(n.Attr) != 2 || n.Attr[0].Key != "class" || n.Attr[0].Val != "mention" ||
		n.Attr[1].Key != "href" {
		return false
	}
	m := mentionLink.FindStringSubmatch(n.Attr[1].Val)
	c := n.FirstChild
	return m != nil && c != nil && c.NextSibling == nil && c.Type == html.TextNode && c.Data == "@"+m[1]
}

// checkLinkURL takes an href as the browser sees it: the parser has already decoded
// character references, so "jav&#x61;script:" arrives here as "javascript:".
func checkLinkURL(v string) error {
	// Browsers drop leading C0 controls and spaces and ignore tabs and newlines anywhere
	// in a URL before they read its scheme.
	squeezed := strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(v))
	for _, bad := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(squeezed, bad) {
			return fmt.Errorf("href %q is a %s URL", v, strings.TrimSuffix(bad, ":"))
		}
	}
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("href %q does not parse: %w", v, err)
	}
	switch {
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
	case u.Scheme == "mailto":
	default:
		return fmt.Errorf("href %q is not an absolute http(s) URL with a host or a mailto: URL", v)
	}
	return nil
}

// checkPostFragment parses stored HTML as the content of a <div> (where the templates
// put it) and checks it against the allow-list.
func checkPostFragment(s string) error {
	div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), div)
	if err != nil {
		return fmt.Errorf("parse fragment: %w", err)
	}
	for _, n := range nodes {
		div.AppendChild(n)
	}
	return checkPostChildren(div)
}

// sameShape compares two parsed documents: the same elements in the same places, with
// the same attributes and the same values, and the same comments and doctypes. Text is
// not compared (the user's words differ; text cannot carry markup once parsed), except
// inside <script> and <style>, nor are the values of attributes that hold user text
// (title) or per-render tokens (value). What sameShape proves is that user input added,
// removed or moved no markup of the template's own.
func sameShape(want, got *html.Node) error {
	if want.Type != got.Type || want.Data != got.Data || want.Namespace != got.Namespace {
		return fmt.Errorf("at %s: want %s %q, got %s %q", nodePath(got), nodeType(want), want.Data, nodeType(got), got.Data)
	}
	if want.Type == html.ElementNode {
		if err := sameAttrs(want, got); err != nil {
			return fmt.Errorf("at %s: %w", nodePath(got), err)
		}
	}
	wc, gc := shapeChildren(want), shapeChildren(got)
	for i := range max(len(wc), len(gc)) {
		switch {
		case i >= len(wc):
			return fmt.Errorf("at %s: unexpected %s %q", nodePath(gc[i]), nodeType(gc[i]), gc[i].Data)
		case i >= len(gc):
			return fmt.Errorf("under %s: missing %s %q", nodePath(got), nodeType(wc[i]), wc[i].Data)
		}
		if err := sameShape(wc[i], gc[i]); err != nil {
			return err
		}
	}
	return nil
}

// shapeChildren is n's children without text, except the raw text of script and style.
func shapeChildren(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode && n.DataAtom != atom.Script && n.DataAtom != atom.Style {
			continue
		}
		out = append(out, c)
	}
	return out
}

func sameAttrs(want, got *html.Node) error {
	if len(want.Attr) != len(got.Attr) {
		return fmt.Errorf("attributes %v, want %v", got.Attr, want.Attr)
	}
	for i, w := range want.Attr {
		g := got.Attr[i]
		if w.Namespace != g.Namespace || w.Key != g.Key {
			return fmt.Errorf("attribute %s, want %s", g.Key, w.Key)
		}
		if w.Key != "title" && w.Key != "value" && w.Val != g.Val {
			return fmt.Errorf("attribute %s=%q, want %q", g.Key, g.Val, w.Val)
		}
	}
	return nil
}

// detachChildren empties n.
func detachChildren(n *html.Node) {
	for c := n.FirstChild; c != nil; c = n.FirstChild {
		n.RemoveChild(c)
	}
}

// findAll returns the elements under n (n included) that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && a.Namespace == "" {
			for f := range strings.FieldsSeq(a.Val) {
				if f == class {
					return true
				}
			}
		}
	}
	return false
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// textOf is the text content of n, as the DOM's textContent.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// the one element matching, or an error saying how many there were.
func only(doc *html.Node, what string, match func(*html.Node) bool) (*html.Node, error) {
	found := findAll(doc, match)
	if len(found) != 1 {
		return nil, fmt.Errorf("the page has %d %s, want 1", len(found), what)
	}
	return found[0], nil
}

func nodeType(n *html.Node) string {
	switch n.Type {
	case html.ElementNode:
		return "element"
	case html.TextNode:
		return "text"
	case html.CommentNode:
		return "comment"
	case html.DoctypeNode:
		return "doctype"
	case html.DocumentNode:
		return "document"
	}
	return "node"
}

// nodePath names a node for a failure message: html>body>main>ol.tree>li>article#p1.
func nodePath(n *html.Node) string {
	var parts []string
	for ; n != nil && n.Type != html.DocumentNode; n = n.Parent {
		p := n.Data
		if n.Type != html.ElementNode {
			p = "#" + nodeType(n)
		}
		if id := attr(n, "id"); id != "" {
			p += "#" + id
		} else if c := attr(n, "class"); c != "" {
			p += "." + strings.Join(strings.Fields(c), ".")
		}
		parts = append(parts, p)
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ">")
}
