// Package feed builds the forum's RSS 2.0 and Atom 1.0 documents with gorilla/feeds, and
// the validator (ETag and Last-Modified) that lets a feed reader's poll stop at 304. It
// takes rows the store read and a base URL; it knows nothing of HTTP or SQL.
package feed

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/feeds"

	"forum/internal/forum"
	"forum/internal/markup"
)

// Format is a feed's syntax: the extension of its URL.
type Format string

// The two formats every feed is served in.
const (
	RSS  Format = "rss"
	Atom Format = "atom"
)

// schema is mixed into every validator. Bump it whenever the documents this package
// writes change shape, so readers holding an old ETag fetch the new shape once.
const schema = "feed/2" // 2: posts' languages (xml:lang, <language>)

// excerptRunes bounds the plain-text excerpt in an RSS item's <description>.
const excerptRunes = 300

// Epoch stands in for the time of a feed with no items: Atom requires <updated>, and
// HTTP dates must be real dates. Any real item is newer.
var Epoch = time.Unix(0, 0).UTC()

// Meta describes one feed.
type Meta struct {
	Title       string
	Description string
	Page        string // path of the HTML page the feed follows, e.g. "/t/12/slug"
	Path        string // the feed's own path without extension, e.g. "/t/12/feed"
}

// Validator identifies one state of a feed's content without its bytes.
type Validator struct {
	Tag          string    // opaque; the ETag without quotes
	LastModified time.Time // newest publication or edit among the items, whole seconds, UTC
}

// Feed is a feed ready to be written in either format.
type Feed struct {
	base      string
	meta      Meta
	updated   time.Time
	items     []*feeds.Item
	published []time.Time // per item: Atom's <published>, which gorilla/feeds leaves out
	langs     []string    // per item: its post's language, "" unknown (langs.go)
	stamp     func(Format) Validator
}

// PostsValidator is the validator of a feed of posts, from the stamps the store read
// without bodies (forum.FeedPost with ID, ThreadVersion and times set). Posts and
// PostsValidator agree by construction: both hash the same fields.
func PostsValidator(base string, m Meta, f Format, stamps []forum.FeedPost) Validator {
	h := newHasher(base, m, f)
	last := Epoch
	for i := range stamps {
		p := &stamps[i]
		h.int(p.ID)
		h.int(p.ThreadVersion)
		if t := p.Modified(); t.After(last) {
			last = t
		}
	}
	return Validator{Tag: h.sum(), LastModified: seconds(last)}
}

// ModLogValidator is the validator of the moderation log's feed from its newest entry
// (nil when the log is empty). The log is append-only, so its newest id is its state.
func ModLogValidator(base string, m Meta, f Format, newest *forum.LogEntry) Validator {
	h := newHasher(base, m, f)
	last := Epoch
	if newest != nil {
		h.int(newest.ID)
		last = newest.CreatedAt
	}
	return Validator{Tag: h.sum(), LastModified: seconds(last)}
}

// Posts builds a feed of posts, which the store gives newest first. Each item's id is the
// post's permalink, base/p/ID: it never changes when the post is edited.
func Posts(base string, m Meta, posts []forum.FeedPost) *Feed {
	f := newFeed(base, m)
	for i := range posts {
		p := &posts[i]
		title := p.ThreadTitle
		link := f.abs("/p/" + strconv.FormatInt(p.ID, 10))
		if p.Opening() {
			link = f.abs(threadPath(p.ThreadID, p.ThreadSlug))
		} else {
			title = "Reply by " + p.AuthorName + " in " + p.ThreadTitle
		}
		f.add(&feeds.Item{
			Id:          f.abs("/p/" + strconv.FormatInt(p.ID, 10)),
			IsPermaLink: "true",
			Title:       clean(title),
			Link:        &feeds.Link{Href: link},
			Author:      &feeds.Author{Name: clean(p.AuthorName)},
			Description: clean(html.EscapeString(Excerpt(p.BodyHTML, excerptRunes))),
			// Stored sanitised HTML, served as is but for mention links, the one relative
			// link a post holds, which a feed reader could not resolve.
			Content: clean(strings.ReplaceAll(p.BodyHTML, markup.MentionHref, `<a class="mention" href="`+f.abs("/u/"))),
			Created: p.CreatedAt.UTC(),
			Updated: p.Modified().UTC(),
		})
		f.langs[len(f.langs)-1] = p.Lang
	}
	stamps := posts
	f.stamp = func(format Format) Validator { return PostsValidator(base, m, format, stamps) }
	return f
}

// modLogItem is a moderation log entry as an item's HTML. It names what was done to what,
// by whom and why — never the content acted on, which may be hidden.
var modLogItem = template.Must(template.New("item").Parse(
	`<p>{{.Summary}}</p>` +
		`{{if .Reason}}<p>{{.Words.Reason}} {{.Reason}}</p>{{end}}` +
		`{{if .Note}}<p>{{.Words.Note}} {{.Note}}</p>{{end}}` +
		`<p><a href="{{.Log}}">{{.Words.Log}}</a></p>`))

// LogWording words a moderation log feed's fixed texts in one language: the sentence of
// an entry after the moderator's name, the item's line (moderator and sentence), and the
// labels of its reason, its note and the link to the log.
type LogWording struct {
	Sentence          func(forum.LogSentence) string
	Line              func(moderator, sentence string) string
	Reason, Note, Log string
}

// englishLog is the wording of ModLog.
var englishLog = LogWording{
	Sentence: forum.LogSentence.String,
	Line:     func(mod, s string) string { return mod + " " + s },
	Reason:   "Reason:", Note: "Note:", Log: "The public moderation log",
}

// ModLog builds the moderation log's feed from entries, newest first, in English.
func ModLog(base string, m Meta, entries []forum.LogEntry) *Feed {
	return ModLogIn(base, m, entries, englishLog)
}

// ModLogIn builds the moderation log's feed worded by w. Item ids are tag URIs
// (RFC 4151) on the forum's host: a log entry has no page of its own. The language is
// in m's title, so the validator differs per language too.
func ModLogIn(base string, m Meta, entries []forum.LogEntry, w LogWording) *Feed {
	f := newFeed(base, m)
	host := tagHost(base)
	logURL := f.abs(m.Page)
	for _, e := range entries {
		// The same sentence the log's page shows a visitor: a feed is public.
		summary := w.Line(e.Moderator, w.Sentence(e.Sentence(nil)))
		var body strings.Builder
		err := modLogItem.Execute(&body, struct {
			Summary, Reason, Note, Log string
			Words                      LogWording
		}{summary, e.Reason, e.Note, logURL, w})
		if err != nil {
			// The template is fixed and its data plain strings: this cannot happen.
			panic(fmt.Sprintf("feed: moderation log item: %v", err))
		}
		f.add(&feeds.Item{
			Id:          "tag:" + host + ",2025:modlog/" + strconv.FormatInt(e.ID, 10),
			IsPermaLink: "false",
			Title:       clean(summary),
			Link:        &feeds.Link{Href: logURL},
			Author:      &feeds.Author{Name: clean(e.Moderator)},
			Description: clean(html.EscapeString(summary)),
			Content:     clean(body.String()),
			Created:     e.CreatedAt.UTC(),
			Updated:     e.CreatedAt.UTC(),
		})
	}
	var newest *forum.LogEntry
	if len(entries) > 0 {
		newest = &entries[0]
	}
	f.stamp = func(format Format) Validator { return ModLogValidator(base, m, format, newest) }
	return f
}

func newFeed(base string, m Meta) *Feed {
	return &Feed{base: strings.TrimRight(base, "/"), meta: m, updated: Epoch}
}

func (f *Feed) add(it *feeds.Item) {
	f.items = append(f.items, it)
	f.published = append(f.published, it.Created)
	f.langs = append(f.langs, "")
	if it.Updated.After(f.updated) {
		f.updated = it.Updated
	}
}

func (f *Feed) abs(path string) string { return f.base + path }

// Validator is the feed's validator in format, computed from the items it holds: the
// same value PostsValidator or ModLogValidator gives for the state the items were read in.
func (f *Feed) Validator(format Format) Validator { return f.stamp(format) }

// Render writes the feed in format.
func (f *Feed) Render(format Format) ([]byte, error) {
	g := &feeds.Feed{
		Title:       clean(f.meta.Title),
		Link:        &feeds.Link{Href: f.abs(f.meta.Page), Rel: "alternate"},
		Description: clean(f.meta.Description),
		Updated:     seconds(f.updated),
		Items:       f.items,
	}
	var (
		s   string
		err error
	)
	switch format {
	case RSS:
		r := (&feeds.Rss{Feed: g}).RssFeed()
		r.Language = commonLang(f.langs)
		s, err = feeds.ToXML(r)
		s = tagLangs(s, "<item>", f.langs)
	case Atom:
		a := (&feeds.Atom{Feed: g}).AtomFeed()
		// gorilla/feeds uses the page link as the feed's id; the feed's own URL is as
		// stable and names this feed rather than the page.
		a.Id = f.abs(f.meta.Path + ".atom")
		for i, e := range a.Entries {
			e.Published = f.published[i].Format(time.RFC3339)
			// The full content is there; an excerpt beside it would only repeat it.
			e.Summary = nil
		}
		s, err = feeds.ToXML(a)
		s = tagLangs(langOnRoot(s, "<feed ", commonLang(f.langs)), "<entry>", f.langs)
	default:
		return nil, fmt.Errorf("feed: unknown format %q", format)
	}
	if err != nil {
		return nil, fmt.Errorf("feed: write %s: %w", format, err)
	}
	return []byte(s), nil
}

func threadPath(id int64, slug string) string {
	p := "/t/" + strconv.FormatInt(id, 10)
	if slug != "" {
		p += "/" + slug
	}
	return p
}

// seconds drops what HTTP dates cannot carry, so Last-Modified and If-Modified-Since
// compare equal when they should.
func seconds(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// clean replaces the characters XML 1.0 forbids (most C0 controls, lone surrogates,
// U+FFFE/U+FFFF) with U+FFFD. encoding/xml does this for escaped text but not inside
// CDATA, where gorilla/feeds puts RSS content, and one such byte would make the whole
// feed unreadable.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, func(r rune) bool { return !xmlChar(r) }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return utf8.RuneError
	}, s)
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// hasher builds a validator tag: a SHA-256 over the feed's identity and its items'
// stamps, so two feeds, or two formats of one feed, never share a tag.
type hasher struct{ b []byte }

func newHasher(base string, m Meta, f Format) *hasher {
	h := &hasher{}
	for _, s := range []string{schema, string(f), base, m.Title, m.Description, m.Page, m.Path} {
		h.str(s)
	}
	return h
}

func (h *hasher) str(s string) {
	h.b = binary.AppendUvarint(h.b, uint64(len(s)))
	h.b = append(h.b, s...)
}

func (h *hasher) int(n int64) { h.b = binary.AppendVarint(h.b, n) }

func (h *hasher) sum() string {
	sum := sha256.Sum256(h.b)
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}
