package feed_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"forum/internal/feed"
	"forum/internal/forum"
)

// A mixed thread's feed marks each item with its post's language and claims none for the
// whole feed; a feed of one language says so for the whole feed.
func TestFeedCarriesPostLanguages(t *testing.T) {
	at := time.Date(2025, 4, 6, 9, 0, 0, 0, time.UTC)
	post := func(id int64, depth int, lang, body string) forum.FeedPost {
		return forum.FeedPost{ID: id, ThreadID: 1, ThreadTitle: "평양 마라톤", Depth: depth, AuthorName: "minji",
			BodyHTML: "<p>" + body + "</p>", CreatedAt: at.Add(time.Duration(id) * time.Minute), Lang: lang}
	}
	meta := feed.Meta{Title: "t", Page: "/t/1", Path: "/t/1/feed"}
	mixed := []forum.FeedPost{post(3, 1, "en", "I ran it."), post(2, 1, "ko", "외국인 주자들이 참가했습니다"), post(1, 0, "", "+1")}
	for _, c := range []struct {
		format     feed.Format
		item, root string
	}{{feed.RSS, "item", "channel"}, {feed.Atom, "entry", "feed"}} {
		doc, err := feed.Posts("https://f.example", meta, mixed).Render(c.format)
		if err != nil {
			t.Fatal(err)
		}
		got := itemLangs(t, doc, c.item)
		if want := []string{"en", "ko", ""}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: item languages %q; want %q\n%s", c.format, got, want, doc)
		}
		if strings.Contains(string(doc), "<language>") || strings.Contains(string(doc), `<feed xml:lang`) {
			t.Errorf("%s: a mixed feed claims one language:\n%s", c.format, doc)
		}
		one, err := feed.Posts("https://f.example", meta, mixed[1:]).Render(c.format)
		if err != nil {
			t.Fatal(err)
		}
		want := "<language>ko</language>"
		if c.format == feed.Atom {
			want = `<feed xml:lang="ko" `
		}
		if !strings.Contains(string(one), want) {
			t.Errorf("%s: a Korean feed lacks %s:\n%s", c.format, want, one)
		}
	}
}

// itemLangs is the xml:lang of each element named item, in document order, read by a
// real XML parser (the document must stay well-formed).
func itemLangs(t *testing.T, doc []byte, item string) []string {
	t.Helper()
	var out []string
	d := xml.NewDecoder(strings.NewReader(string(doc)))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == item {
			lang := ""
			for _, a := range se.Attr {
				if a.Name.Local == "lang" && a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
					lang = a.Value
				}
			}
			out = append(out, lang)
		}
	}
	return out
}
