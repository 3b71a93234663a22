package markup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"forum/internal/forum"
)

// knownNames is a known function for RenderMentions accepting exactly names.
func knownNames(names ...string) func(string) bool {
	return func(name string) bool { return slices.Contains(names, name) }
}

func anyone(string) bool { return true }

// mentionLink is what a linked mention of name renders as.
func mentionLink(name string) string {
	return `<a class="mention" href="/u/` + name + `">@` + name + `</a>`
}

var name32 = strings.Repeat("n", 32)

func TestRenderMentions(t *testing.T) {
	r := New()
	known := knownNames("alice", "bob", "al-ice_", "alice_", "abc", name32, strings.Repeat("n", 33))
	const rel = ` rel="nofollow ugc noopener"`
	for _, tc := range []renderCase{
		// Linked where a person would write one.
		{"in prose", "thanks @alice, see you", "<p>thanks " + mentionLink("alice") + ", see you</p>\n"},
		{"trailing full stop", "thanks @alice.", "<p>thanks " + mentionLink("alice") + ".</p>\n"},
		{"start of line", "@alice look", "<p>" + mentionLink("alice") + " look</p>\n"},
		{"after parenthesis", "(@alice)", "<p>(" + mentionLink("alice") + ")</p>\n"},
		{"list item", "- @alice\n- @bob", "<ul>\n<li>" + mentionLink("alice") + "</li>\n<li>" + mentionLink("bob") + "</li>\n</ul>\n"},
		{"blockquote", "> @alice said", "<blockquote>\n<p>" + mentionLink("alice") + " said</p>\n</blockquote>\n"},
		{"emphasis", "*@alice*", "<p><em>" + mentionLink("alice") + "</em></p>\n"},
		{"strikethrough", "~~@alice~~", "<p><del>" + mentionLink("alice") + "</del></p>\n"},
		{"heading", "# hi @alice", "<h3>hi " + mentionLink("alice") + "</h3>\n"},
		{"end of line before soft break", "@alice\n@bob", "<p>" + mentionLink("alice") + "\n" + mentionLink("bob") + "</p>\n"},
		{"every occurrence", "@alice and @alice", "<p>" + mentionLink("alice") + " and " + mentionLink("alice") + "</p>\n"},
		{"dash and underscore in name", "@al-ice_ hi", "<p>" + mentionLink("al-ice_") + " hi</p>\n"},
		{"32 characters", "@" + name32, "<p>" + mentionLink(name32) + "</p>\n"},
		{"non-ASCII punctuation around", "«@alice»", "<p>«" + mentionLink("alice") + "»</p>\n"},
		{"address after a mention", "mail@example.org @alice",
			`<p><a href="mailto:mail@example.org"` + rel + `>mail@example.org</a> ` + mentionLink("alice") + "</p>\n"},

		// Stay text.
		{"unknown name", "@carol hi", "<p>@carol hi</p>\n"},
		{"names are exact", "@alicea @alic", "<p>@alicea @alic</p>\n"},
		{"trailing dash is part of the name", "@bob- hi", "<p>@bob- hi</p>\n"},
		{"code span", "`@alice`", "<p><code>@alice</code></p>\n"},
		{"fenced code", "```\n@alice\n```", "<pre><code>@alice\n</code></pre>\n"},
		{"indented code", "    @alice", "<pre><code>@alice\n</code></pre>\n"},
		{"link text", "[text @alice](http://x)", `<p><a href="http://x"` + rel + ">text @alice</a></p>\n"},
		{"bracketed name", "[@alice]", "<p>[@alice]</p>\n"},
		{"link URL", "[x](https://example.org/@alice)", `<p><a href="https://example.org/@alice"` + rel + ">x</a></p>\n"},
		{"autolink", "<https://example.org/@alice>",
			`<p><a href="https://example.org/@alice"` + rel + ">https://example.org/@alice</a></p>\n"},
		{"bare URL", "https://example.org/@alice",
			`<p><a href="https://example.org/@alice"` + rel + ">https://example.org/@alice</a></p>\n"},
		{"e-mail address", "alice@example.org",
			`<p><a href="mailto:alice@example.org"` + rel + ">alice@example.org</a></p>\n"},
		{"address without a dot", "bob@alice", "<p>bob@alice</p>\n"},
		{"double at", "@@alice", "<p>@@alice</p>\n"},
		{"after a letter", "x@alice", "<p>x@alice</p>\n"},
		{"after a digit", "1@alice", "<p>1@alice</p>\n"},
		{"after a non-ASCII letter", "é@alice", "<p>é@alice</p>\n"},
		{"after a dot", ".@alice", "<p>.@alice</p>\n"},
		{"after a dash", "-@alice", "<p>-@alice</p>\n"},
		{"after an underscore", "_@alice", "<p>_@alice</p>\n"},
		{"escaped at", `\@alice`, "<p>@alice</p>\n"},
		{"too short", "@al", "<p>@al</p>\n"},
		{"33 characters is no mention at all", "@" + strings.Repeat("n", 33), "<p>@" + strings.Repeat("n", 33) + "</p>\n"},
		{"capitals are not names", "@Alice", "<p>@Alice</p>\n"},
		{"name running into capitals", "@aliceB", "<p>@aliceB</p>\n"},
		{"name running into a non-ASCII letter", "@aliceé", "<p>@aliceé</p>\n"},
		{"handle on another site", "@alice@example.org", "<p>@alice@example.org</p>\n"},

		// Nothing rides on a mention.
		{"quote after a name", `@alice"onmouseover=x`, "<p>" + mentionLink("alice") + "&#34;onmouseover=x</p>\n"},
		{"angle brackets after a name", "@alice><script>alert(1)</script>", "<p>" + mentionLink("alice") + "&gt;alert(1)</p>\n"},
		// The raw tags are omitted; the name between them is a mention like any other.
		{"raw mention-shaped HTML", `<a class="mention">@alice</a> <a class="mention" href="/admin">x</a>`, "<p>" + mentionLink("alice") + " x</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.RenderMentions(tc.src, known)
			if err != nil {
				t.Fatalf("RenderMentions(%q): %v", tc.src, err)
			}
			if got != tc.want {
				t.Errorf("RenderMentions(%q)\n got %q\nwant %q", tc.src, got, tc.want)
			}
			if err := checkMentionPost(got); err != nil {
				t.Errorf("RenderMentions(%q) = %q: %v", tc.src, got, err)
			}
			if plain, _ := r.Render(tc.src); strings.Contains(plain, "mention") {
				t.Errorf("Render(%q) = %q: Render links no mentions", tc.src, plain)
			}
		})
	}
}

func TestMentionCandidates(t *testing.T) {
	r := New()
	for _, tc := range []struct {
		name, src string
		limit     int
		want      []string
	}{
		{"order of first appearance", "@bob, @alice and @carol", 10, []string{"bob", "alice", "carol"}},
		{"duplicates once", "@bob @alice @bob\n\n> @alice", 10, []string{"bob", "alice"}},
		{"limit", "@aaa @bbb @aaa @ccc @ddd", 2, []string{"aaa", "bbb"}},
		{"limit zero", "@aaa", 0, nil},
		{"in lists, quotes and emphasis", "- @aaa\n\n> **@bbb**", 10, []string{"aaa", "bbb"}},
		{"none in code, links or addresses",
			"`@aaa` [x @bbb](https://example.org) <https://example.org/@ccc> ddd@example.org x@eee @@fff\n\n```\n@ggg\n```\n\n    @hhh",
			10, nil},
		{"not too short or too long", "@ab @" + strings.Repeat("n", 33) + " @" + name32, 10, []string{name32}},
		{"names are exact", "thanks @alice. @bob- @carol_, @Dave @ed-Ward", 10, []string{"alice", "bob-", "carol_"}},
		{"refused for its depth", strings.Repeat(">", 19990) + " @alice", 10, nil},
		{"invalid UTF-8 around", "\xff @alice \xfe", 10, []string{"alice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.MentionCandidates(tc.src, tc.limit)
			if !slices.Equal(got, tc.want) {
				t.Errorf("MentionCandidates(%.60q, %d) = %q, want %q", tc.src, tc.limit, got, tc.want)
			}
			for _, name := range got {
				if err := forum.ValidateUsername(name); err != nil {
					t.Errorf("candidate %q is no username: %v", name, err)
				}
			}
		})
	}
}

// TestRenderMentionsAsksOncePerName: known is asked about each candidate exactly once,
// however often it is mentioned, and about nothing else.
func TestRenderMentionsAsksOncePerName(t *testing.T) {
	r := New()
	src := "@bob @alice @bob\n\n- @alice\n- @carol `@dave` @bob\n\n> @carol"
	var asked []string
	out, err := r.RenderMentions(src, func(name string) bool {
		asked = append(asked, name)
		return name != "carol"
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := r.MentionCandidates(src, 100); !slices.Equal(asked, want) {
		t.Errorf("known asked about %q; want each candidate once: %q", asked, want)
	}
	if n := strings.Count(out, mentionLink("bob")); n != 3 {
		t.Errorf("%d links to bob in %q; want 3", n, out)
	}
	if strings.Contains(out, mentionLink("carol")) || !strings.Contains(out, "@carol") {
		t.Errorf("carol, not known, should stay text: %q", out)
	}
}

// TestRenderMentionsNobodyKnownIsRender: with no name known, or no known function,
// RenderMentions is byte for byte Render, on prose and on the hostile corpus.
func TestRenderMentionsNobodyKnownIsRender(t *testing.T) {
	r := New()
	inputs := append(hostileSeeds(t), benchPost, "@alice _hi @bob_ *@carol*", "cc @alice.\n\n> @bob: yes")
	for _, in := range inputs {
		want, wantErr := r.Render(in)
		for name, known := range map[string]func(string) bool{"nil": nil, "nobody": knownNames()} {
			got, err := r.RenderMentions(in, known)
			if got != want || (err == nil) != (wantErr == nil) {
				t.Errorf("known=%s: RenderMentions(%q) = %q, %v; Render = %q, %v", name, in, got, err, want, wantErr)
			}
		}
	}
}

// TestRenderMentionsHostile runs the XSS corpora through RenderMentions with every
// name known: the output keeps to the post allow-list plus exact mention links.
func TestRenderMentionsHostile(t *testing.T) {
	r := New()
	inputs := hostileSeeds(t)
	if b, err := os.ReadFile(publicCorpus); err == nil {
		inputs = append(inputs, nonEmptyLines(string(b))...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	// Each payload also right after a mention, so it meets the link's closing tag.
	for _, in := range slices.Clone(inputs) {
		inputs = append(inputs, "@alice"+in, "@alice "+in)
	}
	linked := 0
	for i, in := range inputs {
		out, err := r.RenderMentions(in, anyone)
		if err != nil {
			t.Errorf("input %d %q: %v", i, in, err)
			continue
		}
		if err := checkMentionPost(out); err != nil {
			t.Errorf("input %d: RenderMentions(%q) = %q: %v", i, in, out, err)
		}
		if strings.Contains(out, `class="mention"`) {
			linked++
		}
	}
	if linked < len(inputs)/3 {
		t.Errorf("only %d of %d inputs had a mention linked; the check above ran on too few links", linked, len(inputs))
	}
}

// TestMentionPolicy exercises the mention policy alone with raw HTML goldmark never
// produces: class="mention" is the only class an <a> keeps, and only a link the policy
// kept with exactly that class and a name for its text gets the /u/ href.
func TestMentionPolicy(t *testing.T) {
	m := New().mention
	for _, tc := range []struct{ name, in, want string }{
		{"mention link", `<a class="mention">@alice</a>`, mentionLink("alice")},
		{"other class", `<a class="mention x">@alice</a>`, `@alice`},
		{"other class value", `<a class="evil">@alice</a>`, `@alice`},
		{"handlers dropped", `<a class="mention" onclick="x()" style="color:red">@alice</a>`, mentionLink("alice")},
		{"relative href replaced by the name's", `<a class="mention" href="/admin">@alice</a>`, mentionLink("alice")},
		{"text not a name", `<a class="mention">alice</a>`, `<a class="mention">alice</a>`},
		{"text too long", `<a class="mention">@` + strings.Repeat("n", 33) + `</a>`, `<a class="mention">@` + strings.Repeat("n", 33) + `</a>`},
		{"markup inside", `<a class="mention">@alice<em>x</em></a>`, `<a class="mention">@alice<em>x</em></a>`},
		{"escaped look-alike stays text", `&lt;a class="mention"&gt;@alice&lt;/a&gt;`, `&lt;a class=&#34;mention&#34;&gt;@alice&lt;/a&gt;`},
		{"class on code unchanged", `<code class="mention">x</code>`, `<code>x</code>`},
		{"other links unchanged", `<a href="https://example.org">x</a>`, `<a href="https://example.org" rel="nofollow ugc noopener">x</a>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.sanitize(tc.in); got != tc.want {
				t.Errorf("sanitize(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRenderMentionsBounds(t *testing.T) {
	r := New()
	for _, tc := range []struct {
		name, src string
		links     int
	}{
		{"5000 short ats", strings.Repeat("@a ", 5000), 0},
		{"5000 mentions", strings.Repeat("@abc ", 5000), MaxMentionLinks},
		{"5000 distinct mentions", distinctMentions(5000), MaxMentionLinks},
		{"mentions beside links at the limit", distinctMentions(200) + "\n\n" + links(forum.MaxLinks), MaxMentionLinks},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := 0
			out, err := r.RenderMentions(tc.src, func(string) bool { asked++; return true })
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if n := strings.Count(out, `<a class="mention"`); n != tc.links {
				t.Errorf("%d mention links; want %d", n, tc.links)
			}
			if asked > MaxMentionLinks {
				t.Errorf("known asked %d times; the links stop at %d", asked, MaxMentionLinks)
			}
			if err := forum.CheckRendered(len(tc.src), len(out)); err != nil {
				t.Error(err)
			}
		})
	}
	// The other bounds hold as in Render.
	if _, err := r.RenderMentions(strings.Repeat(">", 19990)+"@alice", anyone); forum.ErrorCode(err) != forum.EInvalid {
		t.Errorf("deep quotes: got %v; want a refusal", err)
	}
	if _, err := r.RenderMentions("@alice "+links(forum.MaxLinks+1), anyone); forum.ErrorCode(err) != forum.EInvalid {
		t.Errorf("too many links: got %v; want a refusal", err)
	}
}

// distinctMentions is n mentions of n different names.
func distinctMentions(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "@user%d ", i)
	}
	return b.String()
}

func TestRenderStoredMentions(t *testing.T) {
	r := New()
	out, err := r.RenderStoredMentions("> hi @alice", anyone)
	if want := "<blockquote>\n<p>hi " + mentionLink("alice") + "</p>\n</blockquote>\n"; err != nil || out != want {
		t.Errorf("RenderStoredMentions = %q, %v; want %q", out, err, want)
	}
	src := strings.Repeat(">", 19990) + " @alice <script>"
	stored, _ := r.RenderStored(src)
	if out, err := r.RenderStoredMentions(src, anyone); err != nil || out != stored {
		t.Errorf("a post past the bounds: RenderStoredMentions = %.60q, %v; want RenderStored's %.60q", out, err, stored)
	}
}

func TestRenderMentionsConcurrent(t *testing.T) {
	r := New()
	src := "@alice @bob @carol\n\n" + benchPost
	people := [][]string{{"alice"}, {"bob", "carol"}, nil, {"alice", "bob", "carol"}}
	want := make([]string, len(people))
	for i, p := range people {
		want[i], _ = r.RenderMentions(src, knownNames(p...))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 20 {
				i := (g + k) % len(people)
				if got, err := r.RenderMentions(src, knownNames(people[i]...)); err != nil || got != want[i] {
					t.Errorf("goroutine %d: knowing %q got %.80q, %v", g, people[i], got, err)
					return
				}
				_ = r.MentionCandidates(src, 10)
			}
		})
	}
	wg.Wait()
}

// checkMentions is FuzzRender's oracle for mentions: with nobody known RenderMentions
// is Render; with everybody known its output (or, refused by a bound, what it would
// have been) keeps to checkMentionPost; every candidate is a valid username.
func checkMentions(t *testing.T, r *Renderer, src string) {
	t.Helper()
	plain, plainErr := r.Render(src)
	if got, err := r.RenderMentions(src, knownNames()); got != plain || (err == nil) != (plainErr == nil) {
		t.Fatalf("nobody known: RenderMentions(%q) = %q, %v; Render = %q, %v", src, got, err, plain, plainErr)
	}
	out, err := r.RenderMentions(src, anyone)
	if forum.ErrorCode(err) == forum.EInvalid {
		out, err = r.renderWith(src, false, &mentionResolver{known: anyone, verdict: map[string]bool{}})
	}
	if err != nil {
		t.Fatalf("RenderMentions(%q): %v", src, err)
	}
	if err := checkMentionPost(out); err != nil {
		t.Fatalf("RenderMentions(%q) = %q: %v", src, out, err)
	}
	for _, name := range r.MentionCandidates(src, MaxMentionLinks) {
		if err := forum.ValidateUsername(name); err != nil {
			t.Fatalf("MentionCandidates(%q): %q: %v", src, name, err)
		}
	}
}

var mentionAnchor = regexp.MustCompile(`<a class="mention" href="/u/([a-z0-9_-]{3,32})">@([a-z0-9_-]{3,32})</a>`)

// checkMentionPost is checkPost for RenderMentions' output: each mention link must
// have exactly the shape mentionLink gives, naming the same person in its href and
// its text; with those replaced by their text, the rest must pass checkPost.
func checkMentionPost(out string) error {
	var bad error
	rest := mentionAnchor.ReplaceAllStringFunc(out, func(a string) string {
		m := mentionAnchor.FindStringSubmatch(a)
		if m[1] != m[2] {
			bad = fmt.Errorf("mention link %q names two people", a)
		}
		return "@" + m[2]
	})
	if bad != nil {
		return bad
	}
	return checkPost(rest)
}

// TestCheckMentionPostRejects makes sure checkMentionPost is not vacuous.
func TestCheckMentionPostRejects(t *testing.T) {
	for _, in := range []string{
		`<a class="mention" href="/u/bob">@alice</a>`,
		`<a class="mention" href="/admin">@alice</a>`,
		`<a class="mention" href="/u/alice" onclick="x()">@alice</a>`,
		`<a class="mention">@alice</a>`,
		`<a class="mention x" href="/u/alice">@alice</a>`,
		`<a href="/u/alice">@alice</a>`,
		`<a class="mention" href="https://example.org" rel="nofollow ugc noopener">@alice</a>`,
	} {
		if checkMentionPost(in) == nil {
			t.Errorf("checkMentionPost(%q) accepted it", in)
		}
	}
	if err := checkMentionPost("<p>" + mentionLink("alice") + "</p>"); err != nil {
		t.Errorf("a mention link rejected: %v", err)
	}
}

func BenchmarkRenderMentions(b *testing.B) {
	r := New()
	src := "Thanks @alice and @bob, and cc @carol.\n\n" + benchPost
	known := knownNames("alice", "bob")
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := r.RenderMentions(src, known); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMentionCandidates(b *testing.B) {
	r := New()
	src := "Thanks @alice and @bob, and cc @carol.\n\n" + benchPost
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if len(r.MentionCandidates(src, 50)) != 3 {
			b.Fatal("want 3 candidates")
		}
	}
}
