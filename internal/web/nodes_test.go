package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The parsed-page helpers the tests of this package share: a page is read as a browser
// builds it, then asked for elements, attributes and the text a reader sees.

// parsePage parses a whole HTML page.
func parsePage(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	return doc
}

// findAll returns the elements under n (n included) that match, in document order.
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

// only is the one element under n that match accepts, or an error saying how many.
func only(n *html.Node, what string, match func(*html.Node) bool) (*html.Node, error) {
	found := findAll(n, match)
	if len(found) != 1 {
		return nil, fmt.Errorf("%d %s, want 1", len(found), what)
	}
	return found[0], nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// textOf is n's text content, as the DOM's textContent.
func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// squashText is n's text with runs of white space made one space, as a reader sees it.
func squashText(n *html.Node) string { return strings.Join(strings.Fields(textOf(n)), " ") }
