package feed

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFeedExcerpt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>Hello <em>world</em></p>", "Hello world"},
		{"<p>One</p><p>Two</p>", "One Two"},
		{"<p>a &lt; b &amp;&amp; c</p>", "a < b && c"},
		{"<ul><li>x</li><li>y</li></ul>", "x y"},
		{"<p>  spaced \n\n out  </p>", "spaced out"},
		{"", ""},
	} {
		if got := Excerpt(tc.in, 300); got != tc.want {
			t.Errorf("Excerpt(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := "<p>" + strings.Repeat("word ", 100) + "</p>"
	got := Excerpt(long, 30)
	if utf8.RuneCountInString(got) > 30 || !strings.HasSuffix(got, "word…") {
		t.Fatalf("excerpt of a long post: %q", got)
	}
}

func TestFeedClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain ✓ 🏃 مرحبا":  "plain ✓ 🏃 مرحبا",
		"a\x00b\x0bc\x1fd": "a\uFFFDb\uFFFDc\uFFFDd",
		"tab\tnl\ncr\r":    "tab\tnl\ncr\r",
		"bad \xff byte":    "bad \uFFFD byte",
		"\uFFFE":           "\uFFFD",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
