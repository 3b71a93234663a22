package markup

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"forum/internal/forum"
)

func TestRenderMarkdown(t *testing.T) {
	r := New()
	tests := []renderCase{
		{"emphasis and strong", "*a* and **b**", "<p><em>a</em> and <strong>b</strong></p>\n"},
		{"strikethrough", "~~gone~~", "<p><del>gone</del></p>\n"},
		{"inline code is escaped", "`<b>` & co", "<p><code>&lt;b&gt;</code> &amp; co</p>\n"},
		{"bullet list", "- x\n- y", "<ul>\n<li>x</li>\n<li>y</li>\n</ul>\n"},
		{"ordered list keeps numeric start", "3. a\n4. b", "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"block quote", "> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"},
		{"fenced code keeps language class", "```go\nx := 1\n```", "<pre><code class=\"language-go\">x := 1\n</code></pre>\n"},
		{"language class allows plus", "```c++\nx\n```", "<pre><code class=\"language-c++\">x\n</code></pre>\n"},
		{"odd info string drops class", "```a\"b\nx\n```", "<pre><code>x\n</code></pre>\n"},
		{"indented code block", "    code", "<pre><code>code\n</code></pre>\n"},
		{"thematic break", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"},
		{"hard break with two spaces", "a  \nb", "<p>a<br>\nb</p>\n"},
		{"soft break is not a hard wrap", "a\nb", "<p>a\nb</p>\n"},
		{"heading shifted h1 to h3", "# A", "<h3>A</h3>\n"},
		{"heading shifted h2 to h4", "## B", "<h4>B</h4>\n"},
		{"setext heading shifted", "B\n=", "<h3>B</h3>\n"},
		{"heading capped at h6", "##### E\n###### F", "<h6>E</h6>\n<h6>F</h6>\n"},
		{"bare https URL autolinked", "see https://example.com/a?b=1&c=2 now",
			"<p>see <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://example.com/a?b=1&amp;c=2</a> now</p>\n"},
		{"bare www autolinked as http", "www.example.com",
			"<p><a href=\"http://www.example.com\" rel=\"nofollow ugc noopener\">www.example.com</a></p>\n"},
		{"mailto link kept", "[mail](mailto:a@example.com)",
			"<p><a href=\"mailto:a@example.com\" rel=\"nofollow ugc noopener\">mail</a></p>\n"},
		{"bare email autolinked", "b@example.org",
			"<p><a href=\"mailto:b@example.org\" rel=\"nofollow ugc noopener\">b@example.org</a></p>\n"},
		{"raw HTML omitted", "a <b>x</b> <span onclick=y>c</span>", "<p>a x c</p>\n"},
		{"raw HTML block omitted", "<div>\nhidden\n</div>", "\n"},
		{"image kept as a link", "a ![alt](https://example.com/a.png) b",
			"<p>a <a href=\"https://example.com/a.png\" rel=\"nofollow ugc noopener\">alt</a> b</p>\n"},
		{"quote in code is not a rel attribute", "`rel=\"nofollow\"`", "<p><code>rel=&#34;nofollow&#34;</code></p>\n"},
		{"invalid UTF-8 replaced", "a\xffb", "<p>a\uFFFDb</p>\n"},
		{"NUL replaced", "a\x00b", "<p>a\uFFFDb</p>\n"},
		{"empty input", "", ""},
	}
	runRenderCases(t, r, tests)
}

func TestRenderLinks(t *testing.T) {
	r := New()
	tests := []renderCase{
		{"https link gets rel", "[x](https://example.com/p)",
			"<p><a href=\"https://example.com/p\" rel=\"nofollow ugc noopener\">x</a></p>\n"},
		{"http link gets rel", "[x](http://example.com)",
			"<p><a href=\"http://example.com\" rel=\"nofollow ugc noopener\">x</a></p>\n"},
		{"angle autolink gets rel", "<https://example.com>",
			"<p><a href=\"https://example.com\" rel=\"nofollow ugc noopener\">https://example.com</a></p>\n"},
		{"link title dropped", "[x](https://example.com \"t\")",
			"<p><a href=\"https://example.com\" rel=\"nofollow ugc noopener\">x</a></p>\n"},
		{"javascript removed", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"mixed-case javascript removed", "[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"},
		{"entity-obfuscated javascript removed", "[x](jav&#x61;script:alert(1))", "<p>x</p>\n"},
		{"tab-entity javascript removed", "[x](jav&#x09;ascript:alert(1))", "<p>x</p>\n"},
		{"data URL removed", "[x](data:text/html,<b>hi</b>)", "<p>x</p>\n"},
		{"base64 data URL removed", "[x](data:text/html;base64,PGI+aGk8L2I+)", "<p>x</p>\n"},
		{"vbscript removed", "[x](vbscript:msgbox(1))", "<p>x</p>\n"},
		{"file URL removed", "[x](file:///etc/passwd)", "<p>x</p>\n"},
		// Only absolute http/https/mailto URLs are kept: "//host" inherits the
		// page's scheme and points off-site without looking like it.
		{"protocol-relative removed", "[x](//evil.example)", "<p>x</p>\n"},
		{"relative path removed", "[x](/admin)", "<p>x</p>\n"},
		{"fragment removed", "[x](#top)", "<p>x</p>\n"},
		{"http without host removed", "<http:evil.example>", "<p>http:evil.example</p>\n"},
		{"https without host removed", "[x](https:///path)", "<p>x</p>\n"},
		{"unparseable URL removed", "[x](<http://[::1>)", "<p>x</p>\n"},
		{"reference definition to javascript removed", "[x][r]\n\n[r]: javascript:alert(1)", "<p>x</p>\n"},
	}
	runRenderCases(t, r, tests)
}

// TestPolicy exercises the bluemonday wall on its own, with raw HTML that
// goldmark would never let through, in case the first wall ever gives way.
func TestPolicy(t *testing.T) {
	r := New()
	tests := []struct {
		name, in, want string
	}{
		{"user rel, target and handlers replaced",
			`<a href="https://ok.example" rel="opener" target="_blank" onclick="x()" style="color:red">ok</a>`,
			`<a href="https://ok.example" rel="nofollow ugc noopener">ok</a>`},
		{"anchor without href unwrapped", `<a name="x">t</a>`, `t`},
		{"javascript href unwrapped", `<a href="javascript:alert(1)">t</a>`, `t`},
		{"entity tab javascript unwrapped", `<a href="jav&#x09;ascript:alert(1)">t</a>`, `t`},
		{"leading control char unwrapped", "<a href=\"\x01javascript:alert(1)\">t</a>", `t`},
		{"script removed with content", `a<script>alert(1)</script>b`, `ab`},
		{"style removed with content", `a<style>p{}</style>b`, `ab`},
		{"img removed", `a<img src="https://example.com/x.png" onerror="x()">b`, `ab`},
		{"svg unwrapped", `<svg onload="x()"><g>t</g></svg>`, `t`},
		{"class only in language shape", `<code class="language-go x">a</code><code class="language-go">b</code>`,
			`<code>a</code><code class="language-go">b</code>`},
		{"class not allowed on pre", `<pre class="language-go">x</pre>`, `<pre>x</pre>`},
		{"non-numeric start dropped", `<ol start="1;x"><li>a</li></ol>`, `<ol><li>a</li></ol>`},
		{"h1 and h2 unwrapped", `<h1>a</h1><h2>b</h2><h3>c</h3>`, `ab<h3>c</h3>`},
		{"comment removed", `a<!-- x -->b`, `ab`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.sanitize(tt.in); got != tt.want {
				t.Errorf("sanitize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSanitizeSnippet(t *testing.T) {
	r := New()
	tests := []struct {
		name, in, want string
	}{
		{"mark kept", "a <mark>match</mark> c", "a <mark>match</mark> c"},
		{"mark attributes dropped", `<mark class="x" onclick="y()">m</mark>`, "<mark>m</mark>"},
		{"b stripped", "a <b>match</b> c", "a match c"},
		{"other tags stripped", "<i>a</i> <a href=\"https://x.example\">b</a>", "a b"},
		{"script removed", "<script>alert(1)</script>x", "x"},
		{"text escaped", "1 < 2 & \"q\"", "1 &lt; 2 &amp; &#34;q&#34;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.SanitizeSnippet(tt.in); got != tt.want {
				t.Errorf("SanitizeSnippet(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	r := New()
	tests := []struct {
		name, src string
		n         int
		want      string
	}{
		{"short text unchanged", "Hello *world*", 50, "Hello world"},
		{"markup and entities removed", "# Title\n\nFish &amp; chips <b>x</b> `a<b`", 50, "Title Fish & chips x a<b"},
		{"whitespace collapsed", "a\n\n\n- b\n- c\n\n    d", 50, "a b c d"},
		{"cut at word boundary", "the quick brown fox jumps", 12, "the quick…"},
		{"cut right before a space", "the quick brown", 10, "the quick…"},
		{"exact length fits", "the quick", 9, "the quick"},
		{"long word cut hard", "abcdefghij", 5, "abcd…"},
		{"counts runes not bytes", "ééééé ééééé", 8, "ééééé…"},
		{"link text kept, URL not", "[docs](https://example.com/very/long)", 50, "docs"},
		{"zero length", "anything", 0, ""},
		{"one rune", "anything", 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Excerpt(tt.src, tt.n)
			if got != tt.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.src, tt.n, got, tt.want)
			}
			if c := utf8.RuneCountInString(got); c > tt.n && tt.n >= 0 {
				t.Errorf("Excerpt(%q, %d) has %d runes", tt.src, tt.n, c)
			}
		})
	}
}

// hostileSeeds is the in-repo corpus, one input per line.
func hostileSeeds(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	return nonEmptyLines(string(b))
}

func nonEmptyLines(s string) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

func TestHostileSeedCorpus(t *testing.T) {
	b, err := os.ReadFile("testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	// Each line alone, then the whole file as one post (so multi-line
	// constructs such as reference definitions take effect).
	checkCorpus(t, New(), append(hostileSeeds(t), string(b)))
}

// The public corpus lives outside the repository; CI has ../shared beside
// the checkout. The seed corpus above keeps the package tests self-contained.
const publicCorpus = "../../../shared/corpora/xss-payloads.txt"

func TestPublicXSSCorpus(t *testing.T) {
	b, err := os.ReadFile(publicCorpus)
	if errors.Is(err, fs.ErrNotExist) {
		abs, _ := filepath.Abs(publicCorpus)
		t.Skipf("public XSS corpus not found at %s (../shared/corpora/xss-payloads.txt beside the repo root); the seed corpus in TestHostileSeedCorpus still ran", abs)
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := nonEmptyLines(string(b))
	t.Logf("checking %d payloads", len(lines))
	checkCorpus(t, New(), lines)
}

// checkCorpus renders every input and also feeds it straight to the post
// policy (the second wall alone) and to the snippet policy, and checks the
// structural invariants on each result.
func checkCorpus(t *testing.T, r *Renderer, inputs []string) {
	t.Helper()
	for i, in := range inputs {
		out, err := r.Render(in)
		if err != nil {
			t.Errorf("input %d %q: %v", i, in, err)
			continue
		}
		if err := checkPost(out); err != nil {
			t.Errorf("input %d: Render(%q) = %q: %v", i, in, out, err)
		}
		if err := checkTaskBoxes(out); err != nil {
			t.Errorf("input %d: Render(%q) = %q: %v", i, in, out, err)
		}
		if again, _ := r.Render(in); again != out {
			t.Errorf("input %d: Render(%q) not deterministic: %q then %q", i, in, out, again)
		}
		if resan := r.sanitize(out); resan != out {
			t.Errorf("input %d: policy not idempotent on %q: %q", i, out, resan)
		}
		if raw := r.sanitize(strings.ToValidUTF8(in, "\uFFFD")); checkPost(raw) != nil {
			t.Errorf("input %d: policy alone on %q = %q: %v", i, in, raw, checkPost(raw))
		}
		if snip := r.SanitizeSnippet(in); checkSnippet(snip) != nil {
			t.Errorf("input %d: SanitizeSnippet(%q) = %q: %v", i, in, snip, checkSnippet(snip))
		}
	}
}

var (
	languageClass = regexp.MustCompile(`^language-[a-zA-Z0-9_+-]+$`)
	digits        = regexp.MustCompile(`^[0-9]+$`)
	eventHandler  = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	forbiddenTags = []string{"<script", "<svg", "<iframe", "<img", "<style", "<math", "<!--"}

	postElements = map[string]bool{
		"p": true, "br": true, "hr": true, "em": true, "strong": true, "del": true,
		"ul": true, "ol": true, "li": true, "blockquote": true, "code": true, "pre": true,
		"h3": true, "h4": true, "h5": true, "h6": true, "a": true,
		"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
		"input": true, "label": true,
	}
	cellAlign = regexp.MustCompile(`^(left|center|right)$`)
)

// checkPost parses rendered HTML and verifies every node against the allow-list.
func checkPost(out string) error {
	lower := strings.ToLower(out)
	for _, s := range forbiddenTags {
		if strings.Contains(lower, s) {
			return fmt.Errorf("contains %q", s)
		}
	}
	if eventHandler.MatchString(out) {
		return errors.New("contains an on* attribute")
	}
	return walk(out, func(n *html.Node) error {
		if !postElements[n.Data] {
			return fmt.Errorf("element <%s> not allowed", n.Data)
		}
		var href, rel bool
		for _, a := range n.Attr {
			switch {
			case n.Data == "a" && a.Key == "href":
				href = true
				if err := checkHref(a.Val); err != nil {
					return err
				}
			case n.Data == "a" && a.Key == "rel":
				rel = true
				if a.Val != linkRel {
					return fmt.Errorf("rel=%q", a.Val)
				}
			case n.Data == "code" && a.Key == "class" && languageClass.MatchString(a.Val):
			case n.Data == "ol" && a.Key == "start" && digits.MatchString(a.Val):
			case (n.Data == "th" || n.Data == "td") && a.Key == "align" && cellAlign.MatchString(a.Val):
			case n.Data == "input" && a.Key == "type" && a.Val == "checkbox":
			case n.Data == "input" && (a.Key == "disabled" || a.Key == "checked") && a.Val == "":
			default:
				return fmt.Errorf("attribute %s=%q not allowed on <%s>", a.Key, a.Val, n.Data)
			}
		}
		if n.Data == "a" && (!href || !rel) {
			return fmt.Errorf("<a> without href and rel: %v", n.Attr)
		}
		// The policy removes an <input> left without attributes. It cannot insist on
		// type="checkbox" and disabled when raw HTML reaches it alone; checkTaskBoxes
		// holds what goldmark writes to that.
		if n.Data == "input" && len(n.Attr) == 0 {
			return errors.New("<input> without attributes")
		}
		return nil
	})
}

// checkTaskBoxes holds Render's output to what task lists make of <input>: a disabled
// checkbox, checked or not, first in a <label> (which names it by its task).
func checkTaskBoxes(out string) error {
	return walk(out, func(n *html.Node) error {
		if n.Data != "input" {
			return nil
		}
		var got []string
		for _, a := range n.Attr {
			got = append(got, a.Key+"="+a.Val)
		}
		switch strings.Join(got, " ") {
		case "disabled= type=checkbox", "checked= disabled= type=checkbox":
		default:
			return fmt.Errorf("<input %s> is not a task's disabled checkbox", strings.Join(got, " "))
		}
		if n.Parent == nil || n.Parent.Data != "label" || n.PrevSibling != nil {
			return errors.New("a task's checkbox is not first in a <label>")
		}
		return nil
	})
}

func checkHref(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("unparseable href %q: %w", v, err)
	}
	switch {
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
	case u.Scheme == "mailto":
	default:
		return fmt.Errorf("href %q not absolute http/https/mailto", v)
	}
	return nil
}

func checkSnippet(out string) error {
	return walk(out, func(n *html.Node) error {
		if n.Data != "mark" || len(n.Attr) > 0 {
			return fmt.Errorf("snippet element <%s %v> not allowed", n.Data, n.Attr)
		}
		return nil
	})
}

// walk parses s as a body fragment and calls check on every element; comments
// and doctypes are always an error.
func walk(s string, check func(*html.Node) error) error {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), body)
	if err != nil {
		return fmt.Errorf("parsing output: %w", err)
	}
	var visit func(*html.Node) error
	visit = func(n *html.Node) error {
		switch n.Type {
		case html.ElementNode:
			if err := check(n); err != nil {
				return err
			}
		case html.CommentNode, html.DoctypeNode:
			return fmt.Errorf("unexpected node %q", n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := visit(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}

func TestConcurrentUse(t *testing.T) {
	r := New()
	inputs := append(hostileSeeds(t), benchPost, "# A\n\n[x](https://example.com) ~~y~~")
	want := make([]string, len(inputs))
	for i, in := range inputs {
		want[i], _ = r.Render(in)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for k := range inputs {
				i := (k + g) % len(inputs)
				got, err := r.Render(inputs[i])
				if err != nil || got != want[i] {
					t.Errorf("goroutine %d input %d: got %q, %v; want %q", g, i, got, err, want[i])
					return
				}
				_ = r.Excerpt(inputs[i], 40)
				_ = r.SanitizeSnippet(inputs[i])
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	for _, s := range hostileSeeds(f) {
		f.Add(s)
	}
	f.Add(benchPost)
	f.Add("cc @alice, (@bob_) and `@carol` x@dave @eve.")
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		checkMentions(t, r, src) // the path posts take (mentions_test.go)
		out, err := r.Render(src)
		if forum.ErrorCode(err) == forum.EInvalid {
			out, err = r.render(src, false) // refused by a bound: what it would have been must still be safe
		}
		if err != nil {
			t.Fatalf("Render(%q): %v", src, err)
		}
		if err := checkPost(out); err != nil {
			t.Fatalf("Render(%q) = %q: %v", src, out, err)
		}
		if err := checkTaskBoxes(out); err != nil {
			t.Fatalf("Render(%q) = %q: %v", src, out, err)
		}
		if resan := r.sanitize(out); resan != out {
			t.Fatalf("policy not idempotent on %q: %q", out, resan)
		}
		if raw := r.sanitize(strings.ToValidUTF8(src, "\uFFFD")); checkPost(raw) != nil {
			t.Fatalf("policy alone on %q = %q: %v", src, raw, checkPost(raw))
		}
		if snip := r.SanitizeSnippet(src); checkSnippet(snip) != nil {
			t.Fatalf("SanitizeSnippet(%q) = %q: %v", src, snip, checkSnippet(snip))
		}
		if ex := r.Excerpt(src, 40); utf8.RuneCountInString(ex) > 40 || strings.ContainsAny(ex, "\n\t") {
			t.Fatalf("Excerpt(%q, 40) = %q", src, ex)
		}
	})
}

func BenchmarkRender(b *testing.B) {
	r := New()
	b.SetBytes(int64(len(benchPost)))
	for b.Loop() {
		if _, err := r.Render(benchPost); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPost is a realistic ~2 KB forum post.
const benchPost = `# Upgrading the build server, notes

Thanks everyone for the replies in the last thread. I finally got around to
upgrading the **build server** this weekend and wanted to write down what
happened, in case someone else runs into the same *odd* problems.

> Did you try clearing the module cache first?

Yes, and it helped, but only partly. The real culprit was the old toolchain
still being on the PATH. Here is what I ended up running:

` + "```sh" + `
go clean -modcache
export PATH=/usr/local/go/bin:$PATH
go version
` + "```" + `

## What went wrong

1. The cache was full of half-downloaded modules.
2. The cron job still pointed at ` + "`/opt/go-old/bin/go`" + `.
3. Disk space: the ` + "`/var`" + ` partition was at 98%.

After fixing those, the nightly build went from about 40 minutes down to 12.
~~I blame the network~~ It was not the network after all.

## Things I would do differently

- Write the upgrade steps down *before* starting, not after.
- Keep the old toolchain around for a week, just in case.
- Check the release notes at https://go.dev/doc/devel/release properly.
- Ask on the mailing list (or mail me at ops@example.org) before touching
  the production runners.

### Open questions

Does anyone know whether the runners can share a read-only module cache? The
docs at [the module reference](https://go.dev/ref/mod) mention ` + "`GOMODCACHE`" + `
but not whether concurrent readers are fine. Also, has anyone measured the
difference between the local proxy and going direct? I would love to see
numbers if you have them.

---

Thanks again, and sorry for the long post. I'll update this thread if the
builds stay green for the rest of the month.
`

// TestCheckPostRejects makes sure the structural check used on the corpora is
// not vacuous.
func TestCheckPostRejects(t *testing.T) {
	bad := map[string]string{
		"script element":      "<script>x</script>",
		"img element":         `<img src="https://example.com/x.png">`,
		"event handler":       `<p onclick="x()">t</p>`,
		"style attribute":     `<p style="color:red">t</p>`,
		"javascript href":     `<a href="javascript:x()" rel="nofollow ugc noopener">t</a>`,
		"protocol-relative":   `<a href="//evil.example" rel="nofollow ugc noopener">t</a>`,
		"missing rel":         `<a href="https://example.com">t</a>`,
		"wrong rel":           `<a href="https://example.com" rel="nofollow">t</a>`,
		"anchor without href": `<a rel="nofollow ugc noopener">t</a>`,
		"h1":                  "<h1>t</h1>",
		"foreign class":       `<code class="evil">t</code>`,
		"comment":             "<!-- x -->",
		"nested in allowed":   "<p><em><svg></svg></em></p>",
		"style on a cell":     `<table><tbody><tr><td style="text-align:left">t</td></tr></tbody></table>`,
		"align of another":    `<table><tbody><tr><td align="justify">t</td></tr></tbody></table>`,
		"align on a row":      `<table><tbody><tr align="left"><td>t</td></tr></tbody></table>`,
		"text input":          `<input type="text">`,
		"named checkbox":      `<input type="checkbox" name="x">`,
		"valued checkbox":     `<input type="checkbox" value="x">`,
		"bare input":          `<input>`,
		"label for":           `<label for="x">t</label>`,
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if checkPost(in) == nil {
				t.Errorf("checkPost(%q) accepted it", in)
			}
		})
	}
	if err := checkSnippet(`<mark class="x">t</mark>`); err == nil {
		t.Error("checkSnippet accepted <mark> with an attribute")
	}
	for _, in := range []string{
		`<input disabled="" type="checkbox">`,                        // outside a label
		`<label>t <input disabled="" type="checkbox"></label>`,       // not first
		`<label><input type="checkbox"></label>`,                     // can be ticked
		`<label><input checked="" disabled="" type="radio"></label>`, // not a checkbox
		`<label><input disabled="disabled" type="checkbox"></label>`, // not as goldmark writes it
	} {
		if checkTaskBoxes(in) == nil {
			t.Errorf("checkTaskBoxes(%q) accepted it", in)
		}
	}
}

// renderCase is one Markdown source and the exact HTML it must render to.
type renderCase struct{ name, src, want string }

func runRenderCases(t *testing.T, r *Renderer, tests []renderCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.src)
			if err != nil {
				t.Fatalf("Render(%q): %v", tt.src, err)
			}
			if got != tt.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}
