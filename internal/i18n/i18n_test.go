package i18n

import (
	"context"
	"testing"
	"testing/fstest"
)

func testBundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := load(fstest.MapFS{
		"locales/en/pages.toml": {Data: []byte(`
"t.hello" = "Hello, {{.Name}}"
"t.only_en" = "Only English"
"t.minutes" = "{{.Count}} min ago"
["t.replies"]
one = "{{.Count}} reply"
other = "{{.Count}} replies"
`)},
		"locales/ko/pages.toml": {Data: []byte(`
"t.hello" = "{{.Name}}님, 안녕하세요"
["t.replies"]
other = "답글 {{.Count}}개"
`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Plurals follow each language's rules: English one/other, Korean one form; counts get
// the language's digit grouping.
func TestPlurals(t *testing.T) {
	b := testBundle(t)
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 replies"}, {"en", 1, "1 reply"}, {"en", 2, "2 replies"}, {"en", 12345, "12,345 replies"},
		{"ko", 1, "답글 1개"}, {"ko", 3, "답글 3개"}, {"ko", 12345, "답글 12,345개"},
	} {
		if got := b.For(tc.lang).T("t.replies", map[string]any{"Count": tc.n}); got != tc.want {
			t.Errorf("%s %d: got %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	if got := b.For("en").T("t.minutes", map[string]any{"Count": 1}); got != "1 min ago" {
		t.Errorf("a message without plural forms, with a Count: %q", got)
	}
	if got := b.For("ko").T("t.hello", map[string]any{"Name": "민수"}); got != "민수님, 안녕하세요" {
		t.Errorf("ko data: %q", got)
	}
}

// A key missing from Korean shows English, one missing everywhere its id: never "".
func TestMissingKeyFallsBack(t *testing.T) {
	b := testBundle(t)
	if got := b.For("ko").T("t.only_en"); got != "Only English" {
		t.Errorf("ko fallback: %q", got)
	}
	if got := b.For("ko").T("t.nowhere"); got != "t.nowhere" {
		t.Errorf("missing everywhere: %q", got)
	}
	if got := b.For("xx").Lang(); got != "en" {
		t.Errorf("unknown language: %q", got)
	}
}

func TestMatchAcceptLanguage(t *testing.T) {
	b := testBundle(t)
	for h, want := range map[string]string{
		"ko-KR,ko;q=0.9,en-US;q=0.8": "ko",
		"en-GB,en;q=0.9":             "en",
		"fr-FR,ko;q=0.5":             "ko",
		"fr-FR":                      "",
		"":                           "",
		"garbage;;q=x":               "",
	} {
		if got := b.Match(h); got != want {
			t.Errorf("Match(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestContext(t *testing.T) {
	b := testBundle(t)
	ctx := WithLocalizer(context.Background(), b.For("ko"))
	if FromContext(ctx).Lang() != "ko" {
		t.Error("localizer not carried")
	}
	if FromContext(context.Background()).Lang() != "en" {
		t.Error("no default localizer")
	}
}

// The embedded catalogs load, each key once per language.
func TestEmbeddedCatalogsLoad(t *testing.T) {
	if _, err := New(); err != nil {
		t.Fatal(err)
	}
	_, err := load(fstest.MapFS{
		"locales/en/a.toml": {Data: []byte(`"x" = "1"`)},
		"locales/en/b.toml": {Data: []byte(`"x" = "2"`)},
	})
	if err == nil {
		t.Error("a key in two files of one language loaded")
	}
}
