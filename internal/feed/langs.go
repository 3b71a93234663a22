package feed

import (
	"html"
	"strings"
)

// Each post's language goes into the feed as xml:lang on its <item> or <entry>, and,
// when every item whose language is known shares one, as the feed's: RSS's <language>
// and xml:lang on Atom's <feed>. gorilla/feeds has no field for an element's xml:lang,
// so the attribute is written into the document it produced: an item's text is escaped
// and its HTML sanitised (never a bare <item> or <entry> tag), and the count of tags
// found must match the items, or the document is left as it was.

// commonLang is the language all items with a known one share, or "" when they differ
// or none is known.
func commonLang(langs []string) string {
	common := ""
	for _, l := range langs {
		switch {
		case l == "":
		case common == "":
			common = l
		case l != common:
			return ""
		}
	}
	return common
}

// tagLangs puts xml:lang="langs[i]" on the i-th open tag of doc (open is "<item>" or
// "<entry>"), skipping unknown languages.
func tagLangs(doc, open string, langs []string) string {
	if !anyLang(langs) || strings.Count(doc, open) != len(langs) {
		return doc
	}
	var b strings.Builder
	b.Grow(len(doc) + 16*len(langs))
	rest := doc
	for _, l := range langs {
		i := strings.Index(rest, open)
		b.WriteString(rest[:i])
		if l == "" {
			b.WriteString(open)
		} else {
			b.WriteString(open[:len(open)-1] + ` xml:lang="` + html.EscapeString(l) + `">`)
		}
		rest = rest[i+len(open):]
	}
	b.WriteString(rest)
	return b.String()
}

// langOnRoot puts xml:lang on the document's root element, which starts with open
// ("<feed "), when lang is known.
func langOnRoot(doc, open, lang string) string {
	if lang == "" {
		return doc
	}
	return strings.Replace(doc, open, open+`xml:lang="`+html.EscapeString(lang)+`" `, 1)
}

func anyLang(langs []string) bool {
	for _, l := range langs {
		if l != "" {
			return true
		}
	}
	return false
}
