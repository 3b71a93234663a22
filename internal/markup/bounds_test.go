package markup

import (
	"fmt"
	"strings"
	"testing"

	"forum/internal/forum"
)

// nestedList is a list n levels deep, one item per level.
func nestedList(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s- level %d\n", strings.Repeat("  ", i), i+1)
	}
	return b.String()
}

// links is a post with n bare URLs, one per line.
func links(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "https://example.org/%d\n", i)
	}
	return b.String()
}

func TestRenderBounds(t *testing.T) {
	r := New()
	prose := strings.Repeat("The marathon reopened the city to runners from abroad, and the argument goes on. ", 235)
	for _, tc := range []struct {
		name, src string
		says      string // part of the refusal; "" = rendered
	}{
		{"QuoteAmplification", strings.Repeat(">", 19990), "nests quotes or lists 19990 levels deep"},
		{"SpacedQuotes", strings.Repeat("> ", 9995), "nests quotes or lists 9995 levels deep"},
		{"QuoteMarkersInCode", "```\n" + strings.Repeat(">", 30) + "\n```", ""}, // code, not quotes
		{"NestedListTooDeep", nestedList(forum.MaxNesting + 1), "21 levels deep"},
		{"NestedList50", nestedList(50), "50 levels deep"},
		{"NestedListAtLimit", nestedList(forum.MaxNesting), ""},
		{"QuotesInLists", strings.Repeat("> - ", 11) + "x", "22 levels deep"},
		{"TooManyLinks", links(forum.MaxLinks + 1), "51 links"},
		{"LinksAtLimit", links(forum.MaxLinks), ""},
		{"MarkdownLinksCount", strings.Repeat("[a](https://example.org) ", forum.MaxLinks+1), "51 links"},
		// Shallow, few links, yet 7 bytes of HTML per byte: only the size wall sees it.
		{"FlatQuoteAmplification", strings.Repeat("> a\n\n", 2000), "too large once formatted"},
		{"LongProse", prose, ""},
		{"ShortDenseFormatting", strings.Repeat("> *a*\n\n", 200), ""}, // under the floor
		{"ManyAts", strings.Repeat("@a @abc ", 5000), ""},              // text here; RenderMentions: TestRenderMentionsBounds
		// A table adds no depth and counts its links; its cells are bounded by size.
		{"TableWithinBounds", realTable(6, 60), ""},
		{"TableInDeepestQuote", quoted(forum.MaxNesting, "| a | b |\n|---|---|\n| 1 | 2 |"), ""},
		{"Table10000Cells", compactTable(100, 99), "too large once formatted"}, // 20 KB, 10 bytes of HTML a cell
		{"Table10000WordyCells", realTable(100, 99), ""},                       // 160 KB from 90 KB: within the ratio
		{"Table10000PaddedCells", paddedTable(100, 99), "too large once formatted"},
		{"TablePaddingBomb", paddedTable(1000, 1000), "too large once formatted"}, // 1,001,000 cells from 6 KB
		{"LinksInCellsCount", realTable(1, 0) + strings.Repeat("| https://example.org |\n", forum.MaxLinks+1), "51 links"},
		{"ImagesCountAsLinks", strings.Repeat("![a](https://example.org/a.png) ", forum.MaxLinks+1), "51 links"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.src)
			switch {
			case tc.says == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.says == "":
				if len(out) == 0 {
					t.Fatal("rendered nothing")
				}
			case err == nil:
				t.Fatalf("rendered %d bytes; want a refusal saying %q", len(out), tc.says)
			case forum.ErrorCode(err) != forum.EInvalid || !strings.Contains(forum.ErrorMessage(err), tc.says):
				t.Fatalf("got %v; want an %s error saying %q", err, forum.EInvalid, tc.says)
			}
		})
	}
}

// TestRenderStoredKeepsRefusedPostsBounded: the rerender command meets posts written
// before a bound existed; they are kept, as plain text of bounded size.
func TestRenderStoredKeepsRefusedPostsBounded(t *testing.T) {
	r := New()
	src := strings.Repeat(">", 19990) + " <script>"
	out, err := r.RenderStored(src)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "<pre>&gt;&gt;") || !strings.Contains(out, "&lt;script&gt;") || len(out) > 5*len(src) {
		t.Fatalf("RenderStored = %d bytes starting %.60q", len(out), out)
	}
	if err := checkPost(out); err != nil {
		t.Fatal(err)
	}
	// A post within the bounds renders as usual.
	if out, err := r.RenderStored("> fine"); err != nil || out != "<blockquote>\n<p>fine</p>\n</blockquote>\n" {
		t.Fatalf("RenderStored(> fine) = %q, %v", out, err)
	}
}

// realTable is a table cols wide with a header and rows rows of short words.
func realTable(cols, rows int) string {
	var b strings.Builder
	for r := range rows + 2 {
		for c := range cols {
			switch r {
			case 1:
				b.WriteString("|---")
			default:
				fmt.Fprintf(&b, "| r%dc%d ", r, c)
			}
		}
		b.WriteString("|\n")
	}
	return b.String()
}

// compactTable is a table cols wide with a header and rows rows of one-letter cells and
// no outer pipes: two bytes of source a cell.
func compactTable(cols, rows int) string {
	line := strings.Repeat("a|", cols-1) + "a\n"
	return line + strings.Repeat("-|", cols-1) + "-\n" + strings.Repeat(line, rows)
}

// quoted puts src inside depth quotes, every line.
func quoted(depth int, src string) string {
	prefix := strings.Repeat("> ", depth)
	return prefix + strings.ReplaceAll(src, "\n", "\n"+prefix)
}

// TestTablePaddingRefusedBeforeParsing: a table whose rows goldmark would pad to a
// million cells is refused from its source, before a syntax tree is built, by Render
// and by MentionCandidates (which the write path calls first).
func TestTablePaddingRefusedBeforeParsing(t *testing.T) {
	r := New()
	bomb := paddedTable(1000, 1000) + "\n@alice"
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := r.Render(bomb); forum.ErrorCode(err) != forum.EInvalid {
			t.Fatalf("Render: %v, want a refusal", err)
		}
		if names := r.MentionCandidates(bomb, 10); names != nil {
			t.Fatalf("MentionCandidates = %q, want none", names)
		}
	})
	// Parsing would allocate several objects per cell: millions.
	if allocs > 1000 {
		t.Fatalf("refusing a million-cell table took %.0f allocations; it was parsed", allocs)
	}
}
