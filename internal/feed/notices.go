package feed

import (
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// Notice is one notification as its recipient's private feed shows it. The caller has
// applied the forum's rules for the recipient: Line is the notification's sentence
// (forum.NotifyReason.Describe), Thread the title forum.ThreadTitle lets them see, and
// BodyHTML is empty unless forum.CanRead lets them read the post.
type Notice struct {
	ID       int64 // the notification: the item's id, stable for its life
	PostID   int64 // what the item links to, in context
	Line     string
	Thread   string
	Author   string
	BodyHTML string    // the post's stored sanitised HTML, or "" when it is not theirs to read
	At       time.Time // when the notification was made
	Modified time.Time // when the post last changed (counts only while BodyHTML is shown)
}

// noticeItem is an item's HTML: the sentence, the excerpt when there is one, the link.
var noticeItem = template.Must(template.New("notice").Parse(
	`<p>{{.Line}} in “{{.Thread}}”.</p>` +
		`{{if .Excerpt}}<blockquote><p>{{.Excerpt}}</p></blockquote>{{end}}` +
		`<p><a href="{{.Link}}">Read it in context</a></p>`))

// NoticesValidator is the validator of a private feed of notices. It hashes everything
// an item shows, so any change to the list (a new notification, one that leaves it when
// its post is hidden, an edit, a retitled thread) changes the tag. Notices and
// NoticesValidator agree by construction: both go through noticeParts.
func NoticesValidator(base string, m Meta, f Format, notices []Notice) Validator {
	h := newHasher(base, m, f)
	last := Epoch
	for i := range notices {
		p := noticeParts(&notices[i])
		h.int(notices[i].ID)
		h.int(notices[i].PostID)
		for _, s := range []string{p.title, p.author, p.excerpt} {
			h.str(s)
		}
		if p.updated.After(last) {
			last = p.updated
		}
	}
	return Validator{Tag: h.sum(), LastModified: seconds(last)}
}

// Notices builds a private feed of notifications, which the store gives newest first.
// Item ids are tag URIs on the forum's host: a notification has no page of its own, and
// its post's permalink would not tell two notifications about one post apart.
func Notices(base string, m Meta, notices []Notice) *Feed {
	f := newFeed(base, m)
	host := tagHost(base)
	for i := range notices {
		n := &notices[i]
		p := noticeParts(n)
		link := f.abs("/p/" + strconv.FormatInt(n.PostID, 10))
		var body strings.Builder
		if err := noticeItem.Execute(&body, struct{ Line, Thread, Excerpt, Link string }{
			n.Line, n.Thread, p.excerpt, link}); err != nil {
			// The template is fixed and its data plain strings: this cannot happen.
			panic(fmt.Sprintf("feed: notice item: %v", err))
		}
		desc := p.excerpt
		if desc == "" {
			desc = p.title
		}
		f.add(&feeds.Item{
			Id:          "tag:" + host + ",2025:notification/" + strconv.FormatInt(n.ID, 10),
			IsPermaLink: "false",
			Title:       clean(p.title),
			Link:        &feeds.Link{Href: link},
			Author:      &feeds.Author{Name: clean(p.author)},
			Description: clean(html.EscapeString(desc)),
			Content:     clean(body.String()),
			Created:     n.At.UTC(),
			Updated:     p.updated,
		})
	}
	f.stamp = func(format Format) Validator { return NoticesValidator(base, m, format, notices) }
	return f
}

// noticeShown is what an item shows of a notice.
type noticeShown struct {
	title, author, excerpt string
	updated                time.Time
}

func noticeParts(n *Notice) noticeShown {
	p := noticeShown{title: n.Line + " in “" + n.Thread + "”", author: n.Author, updated: n.At.UTC()}
	if n.BodyHTML != "" {
		p.excerpt = Excerpt(n.BodyHTML, excerptRunes)
		if n.Modified.After(p.updated) {
			p.updated = n.Modified.UTC()
		}
	}
	return p
}

// tagHost is the authority of the tag URIs (RFC 4151) that name items without a page
// of their own: the forum's host.
func tagHost(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}
