// Package mail writes and sends the forum's mail. A mail is one text/template per kind
// (web/mail/KIND.txt); its plain-text part is that template's output and its HTML part is
// built from the same output (paragraphs, links), so the two never say different things.
// Mail carries no tracking: no pixels, no rewritten links.
package mail

import (
	"bytes"
	"fmt"
	"html"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"text/template"
	"time"

	"forum/internal/i18n"
)

// Message is a composed mail: its subject and both parts.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Composer renders mails from web/mail. Build it once with NewComposer; it is safe for
// concurrent use.
type Composer struct {
	site   string
	base   string // FORUM_BASE_URL: every link in a mail is absolute
	bundle *i18n.Bundle
	kinds  map[string]map[string]*template.Template // language → kind → template
}

// NewComposer parses every web/mail/*.txt once per interface language. A template's
// first line is "Subject: ...", itself a template; the rest is the body. Its words
// come from the catalogs ({{T "mail.…"}}), in the recipient's language (ComposeIn).
func NewComposer(files fs.FS, site, baseURL string) (*Composer, error) {
	bundle, err := i18n.New()
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	c := &Composer{site: site, base: strings.TrimSuffix(baseURL, "/"), bundle: bundle,
		kinds: map[string]map[string]*template.Template{}}
	names, err := fs.Glob(files, "mail/*.txt")
	if err != nil {
		return nil, fmt.Errorf("list mail templates: %w", err)
	}
	for _, lang := range i18n.Languages {
		l := bundle.For(lang)
		c.kinds[lang] = map[string]*template.Template{}
		funcs := template.FuncMap{"url": c.URL, "wait": l.Wait, "T": func(id string, kv ...any) string {
			return l.T(id, pairs(kv))
		}, "hours": func(d time.Duration) string { // a link's lifetime: "24 hours", "1 hour"
			return l.T("misc.wait.hours", map[string]any{"Count": int((d + time.Hour - 1) / time.Hour)})
		}}
		for _, n := range names {
			t, err := template.New(path.Base(n)).Funcs(funcs).ParseFS(files, n)
			if err != nil {
				return nil, fmt.Errorf("parse mail template %s: %w", n, err)
			}
			c.kinds[lang][strings.TrimSuffix(path.Base(n), ".txt")] = t
		}
	}
	return c, nil
}

// pairs is T's data from key/value arguments; an odd last one is dropped.
func pairs(kv []any) map[string]any {
	if len(kv) < 2 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// Localizer is lang's localizer (the default language's for one not offered), for the
// words a mail's fields carry.
func (c *Composer) Localizer(lang string) *i18n.Localizer { return c.bundle.For(lang) }

// URL makes a site path absolute.
func (c *Composer) URL(p string) string { return c.base + p }

// Data is what every mail template gets: the site's name, the recipient's name, and the
// kind's own fields.
type Data struct {
	Site     string
	Username string
	Fields   any
}

// Compose renders the mail of this kind for username with fields, in English.
func (c *Composer) Compose(kind, username string, fields any) (Message, error) {
	return c.ComposeIn(i18n.Default, kind, username, fields)
}

// ComposeIn renders the mail of this kind for username with fields in lang, the
// recipient's language (the default language's for one not offered).
func (c *Composer) ComposeIn(lang, kind, username string, fields any) (Message, error) {
	l := c.bundle.For(lang)
	t, ok := c.kinds[l.Lang()][kind]
	if !ok {
		return Message{}, fmt.Errorf("no mail template %q", kind)
	}
	// The forum's name as the mail's language writes it; the given one without a catalog entry.
	site := l.T("site.name")
	if site == "site.name" {
		site = c.site
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, Data{Site: site, Username: username, Fields: fields}); err != nil {
		return Message{}, fmt.Errorf("compose %s mail: %w", kind, err)
	}
	first, body, ok := strings.Cut(buf.String(), "\n")
	subject, found := strings.CutPrefix(first, "Subject: ")
	if !ok || !found {
		return Message{}, fmt.Errorf("mail template %s does not start with a Subject: line", kind)
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n")) + "\n"
	return Message{Subject: strings.TrimSpace(subject), Text: body, HTML: toHTML(subject, body)}, nil
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// toHTML builds the HTML part from the text part: each blank-line-separated paragraph is
// a <p> (its line breaks kept), every URL a link, everything else escaped.
func toHTML(subject, text string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html><head><meta charset="utf-8"><title>`)
	b.WriteString(html.EscapeString(subject))
	b.WriteString(`</title></head><body>`)
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			last := 0
			for _, m := range linkRE.FindAllStringIndex(line, -1) {
				b.WriteString(html.EscapeString(line[last:m[0]]))
				u := html.EscapeString(line[m[0]:m[1]])
				b.WriteString(`<a href="` + u + `">` + u + `</a>`)
				last = m[1]
			}
			b.WriteString(html.EscapeString(line[last:]))
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
