package markup

import (
	"strings"
	"testing"
)

func TestRenderTables(t *testing.T) {
	runRenderCases(t, New(), []renderCase{
		{"alignment as an attribute", "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"center\">b</th>\n<th align=\"right\">c</th>\n<th>d</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"center\">2</td>\n<td align=\"right\">3</td>\n<td>4</td>\n</tr>\n</tbody>\n</table>\n"},
		{"inline markup and an escaped pipe", "| what | where |\n|---|---|\n| *run* `a\\|b` | [site](https://example.org) a \\| b |",
			"<table>\n<thead>\n<tr>\n<th>what</th>\n<th>where</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n" +
				"<td><em>run</em> <code>a|b</code></td>\n" +
				"<td><a href=\"https://example.org\" rel=\"nofollow ugc noopener\">site</a> a | b</td>\n</tr>\n</tbody>\n</table>\n"},
		{"short row padded", "| a | b |\n|---|---|\n| 1 |",
			"<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td></td>\n</tr>\n</tbody>\n</table>\n"},
		{"header only", "| a |\n|---|",
			"<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n</table>\n"},
		{"cell markup still sanitised", "| x |\n|---|\n| <script>alert(1)</script> [j](javascript:alert(1)) |",
			"<table>\n<thead>\n<tr>\n<th>x</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>alert(1) j</td>\n</tr>\n</tbody>\n</table>\n"},
		{"rule is no table", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"},
		{"mismatched header is text", "| a | b |\n|---|\n| 1 | 2 |", "<p>| a | b |\n|---|\n| 1 | 2 |</p>\n"},
	})
}

func TestRenderTaskLists(t *testing.T) {
	runRenderCases(t, New(), []renderCase{
		{"checked and unchecked", "- [ ] book the flight\n- [x] register for the race\n- [X] pack",
			"<ul>\n<li><label><input disabled=\"\" type=\"checkbox\"> book the flight</label></li>\n" +
				"<li><label><input checked=\"\" disabled=\"\" type=\"checkbox\"> register for the race</label></li>\n" +
				"<li><label><input checked=\"\" disabled=\"\" type=\"checkbox\"> pack</label></li>\n</ul>\n"},
		{"label holds the task's markup, not its sublist", "- [x] read [the rules](https://example.org)\n  - [ ] *reply*",
			"<ul>\n<li><label><input checked=\"\" disabled=\"\" type=\"checkbox\"> read <a href=\"https://example.org\" rel=\"nofollow ugc noopener\">the rules</a></label>\n" +
				"<ul>\n<li><label><input disabled=\"\" type=\"checkbox\"> <em>reply</em></label></li>\n</ul>\n</li>\n</ul>\n"},
		{"empty task keeps its brackets", "- [ ]\n- [x]", "<ul>\n<li>[ ]</li>\n<li>[x]</li>\n</ul>\n"},
		{"plain item and brackets elsewhere", "- plain\n- a [ ] b\n\n[ ] not in a list",
			"<ul>\n<li>plain</li>\n<li>a [ ] b</li>\n</ul>\n<p>[ ] not in a list</p>\n"},
		{"raw input still omitted", "- [ ] ok <input type=checkbox name=x onclick=alert(1) checked>",
			"<ul>\n<li><label><input disabled=\"\" type=\"checkbox\"> ok </label></li>\n</ul>\n"},
		{"raw input alone omitted", "<input type=\"checkbox\" checked disabled>", "\n"},
	})
}

func TestRenderImages(t *testing.T) {
	link := func(href, text string) string {
		return `<a href="` + href + `" rel="nofollow ugc noopener">` + text + `</a>`
	}
	runRenderCases(t, New(), []renderCase{
		{"image becomes a link named by its alt text", "![the finish line](https://example.org/finish.jpg)",
			"<p>" + link("https://example.org/finish.jpg", "the finish line") + "</p>\n"},
		{"no alt text: the URL is the text", "![](https://example.org/a.png?w=1&h=2)",
			"<p>" + link("https://example.org/a.png?w=1&amp;h=2", "https://example.org/a.png?w=1&amp;h=2") + "</p>\n"},
		{"alt markup kept, title dropped", "![*wide* view](https://example.org/v.png \"t\")",
			"<p>" + link("https://example.org/v.png", "<em>wide</em> view") + "</p>\n"},
		{"reference image", "![map][m]\n\n[m]: https://example.org/map.png",
			"<p>" + link("https://example.org/map.png", "map") + "</p>\n"},
		{"javascript URL keeps the alt text", "![x](javascript:alert(1))", "<p>x</p>\n"},
		{"relative URL keeps the alt text", "![logo](/static/icon.svg)", "<p>logo</p>\n"},
		{"data URL keeps the alt text", "![p](data:image/png;base64,AAAA)", "<p>p</p>\n"},
		{"image in a link is the link's text", "[![build passing](https://example.org/badge.svg)](https://example.org/ci)",
			"<p>" + link("https://example.org/ci", "build passing") + "</p>\n"},
		{"image without alt in a link", "[![](https://example.org/badge.svg)](https://example.org/ci)",
			"<p>" + link("https://example.org/ci", "https://example.org/badge.svg") + "</p>\n"},
		{"image in an image's alt", "![a ![b](https://example.org/b.png)](https://example.org/a.png)",
			"<p>" + link("https://example.org/a.png", "a b") + "</p>\n"},
		{"URL in the alt text is no second link", "![https://example.org](https://example.org/i.png)",
			"<p>" + link("https://example.org/i.png", "https://example.org") + "</p>\n"},
	})
}

// TestTableCells: the pre-parse count of table cells never falls below what goldmark
// builds, whatever containers the table sits in.
func TestTableCells(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		atLeast   int
	}{
		{"Plain", "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 |", 6},
		{"NoOuterPipes", "a | b | c\n--|--|--\n1", 6},
		{"OneColumnWithColon", "a\n:--\nb\nc", 3},
		{"InQuote", "> | a | b |\n> |---|---|\n> x\n> y", 6},
		{"InList", "- | a | b |\n  |---|---|\n  x", 4},
		{"Padded", "|a|a|a|a|\n|-|-|-|-|\nx\nx\nx", 16},
		{"EndsAtBlankLine", "|a|a|\n|-|-|\nx\n\nnot a row\nnor this", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tableCells(tc.src); got < tc.atLeast {
				t.Fatalf("tableCells = %d, want at least %d", got, tc.atLeast)
			}
		})
	}
	for _, src := range []string{"---", "a\n\n---\n\nb", "- - -", "text | with | pipes", "|", "||", "| - x |"} {
		if got := tableCells(src); got != 0 {
			t.Errorf("tableCells(%q) = %d, want 0", src, got)
		}
	}
}

// paddedTable is a table whose header is cols wide over rows lines of one cell each,
// which goldmark pads to cols cells: about 4·cols + 2·rows bytes for cols·rows cells.
func paddedTable(cols, rows int) string {
	return strings.Repeat("|a", cols) + "|\n" + strings.Repeat("|-", cols) + "|\n" + strings.Repeat("x\n", rows)
}

// BenchmarkRenderGFM is a ~2 KB post of what the GFM extensions add: a table with
// inline markup and alignment, a task list and images kept as links.
func BenchmarkRenderGFM(b *testing.B) {
	r := New()
	b.SetBytes(int64(len(benchGFMPost)))
	for b.Loop() {
		if _, err := r.Render(benchGFMPost); err != nil {
			b.Fatal(err)
		}
	}
}

var benchGFMPost = "## Kit and splits for the April race\n\n" +
	"| km | split | pace | note |\n|--:|--:|:-:|:--|\n" +
	strings.Repeat("| 5 | 0:24:10 | 4:50 | *steady*, water at the `aid` station, see [map](https://example.org/map) |\n", 12) +
	"\n- [x] race bib collected\n- [x] ~~old~~ new shoes\n- [ ] rain jacket\n  - [ ] hood\n\n" +
	"![the course map](https://example.org/course.png) and ![](https://example.org/elevation.png)\n\n" +
	"> The last 10 km go along the river; keep something back.\n"

// TestPolicyGFM: the policy alone (raw HTML that goldmark would never let through) on
// what tables and task lists added. bluemonday keeps a boolean attribute as ="" and
// cannot insist on one, so a bare <input disabled> survives; goldmark never writes one
// (checkTaskBoxes holds Render to the task-list shape).
func TestPolicyGFM(t *testing.T) {
	r := New()
	for _, tt := range []struct{ name, in, want string }{
		{"only type, checked and disabled survive",
			`<input type="checkbox" name="x" value="y" form="f" onclick="alert(1)" autofocus checked disabled>`,
			`<input type="checkbox" checked="" disabled="">`},
		{"boolean values other than empty dropped", `<input type="checkbox" checked="checked" disabled="no">`, `<input type="checkbox">`},
		{"other types dropped", `<input type="text" disabled><input type="submit" formaction="javascript:alert(1)">`, `<input disabled="">`},
		{"input left bare removed", `a<input name="x" value="y">b`, `ab`},
		{"label loses its attributes", `<label for="reply-body" onclick="alert(1)">t</label>`, `<label>t</label>`},
		{"align in three values only", `<table><tr><td align="justify">a</td><th align="center" style="color:red" valign="top">b</th></tr></table>`,
			`<table><tr><td>a</td><th align="center">b</th></tr></table>`},
		{"no other table parts", `<table><caption>c</caption><colgroup><col span="2"></colgroup><tfoot><tr><td>f</td></tr></tfoot></table>`,
			`<table>c<tr><td>f</td></tr></table>`},
		{"img still removed", `<img src="https://example.org/x.png" alt="x">`, ``},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.sanitize(tt.in); got != tt.want {
				t.Errorf("sanitize(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
