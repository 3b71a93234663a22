// Package i18n holds the interface's message catalogs (English and Korean) and the
// localizer a request, mail or feed uses to word its fixed texts.
//
// Catalogs are TOML files embedded from locales/<lang>/<area>.toml, one file per area
// (pages, errors, mail, feeds, misc) so several people can add keys without touching
// the same file. A key holds a string, or plural forms ("one"/"other" in English,
// "other" only in Korean) chosen by the "Count" value in T's data.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed locales
var locales embed.FS

// Languages are the interface languages, the default first; a catalog directory
// exists for each.
var Languages = []string{"en", "ko"}

// Default is the language a key missing from another catalog falls back to.
const Default = "en"

// Bundle holds every catalog, loaded once at start-up.
type Bundle struct {
	b       *goi18n.Bundle
	keys    map[string]map[string]string // lang → key → catalog file it came from
	locs    map[string]*Localizer
	matcher language.Matcher
}

// New loads every catalog under locales/. A malformed file is an error: the server
// must not start with half a catalog.
func New() (*Bundle, error) { return load(locales) }

func load(files fs.FS) (*Bundle, error) {
	b := &Bundle{
		b:    goi18n.NewBundle(language.MustParse(Default)),
		keys: map[string]map[string]string{},
		locs: map[string]*Localizer{},
	}
	b.b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	tags := make([]language.Tag, 0, len(Languages))
	for _, lang := range Languages {
		tags = append(tags, language.MustParse(lang))
		b.keys[lang] = map[string]string{}
		names, err := fs.Glob(files, "locales/"+lang+"/*.toml")
		if err != nil {
			return nil, fmt.Errorf("list %s catalogs: %w", lang, err)
		}
		for _, name := range names {
			buf, err := fs.ReadFile(files, name)
			if err != nil {
				return nil, fmt.Errorf("read catalog %s: %w", name, err)
			}
			// go-i18n reads the language from the file name: "pages.ko.toml".
			mf, err := b.b.ParseMessageFileBytes(buf, strings.TrimSuffix(path.Base(name), ".toml")+"."+lang+".toml")
			if err != nil {
				return nil, fmt.Errorf("parse catalog %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if prev, dup := b.keys[lang][m.ID]; dup {
					return nil, fmt.Errorf("catalog %s: key %q is also in %s", name, m.ID, prev)
				}
				b.keys[lang][m.ID] = name
			}
		}
	}
	b.matcher = language.NewMatcher(tags)
	for _, lang := range Languages {
		b.locs[lang] = &Localizer{
			lang:    lang,
			l:       goi18n.NewLocalizer(b.b, lang),
			printer: message.NewPrinter(language.MustParse(lang)),
		}
	}
	return b, nil
}

// For is the localizer of lang; an unknown or empty lang gets the default's.
func (b *Bundle) For(lang string) *Localizer {
	if l, ok := b.locs[lang]; ok {
		return l
	}
	return b.locs[Default]
}

// Supported reports whether lang is one of Languages (exactly, e.g. "ko").
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Match picks the interface language for an Accept-Language header, "" when the
// header names none of ours (so the site default applies rather than the matcher's
// first language).
func (b *Bundle) Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return ""
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, i, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	return Languages[i]
}

// Keys lists the keys of lang's catalogs, sorted, each with the file it is in.
func (b *Bundle) Keys(lang string) map[string]string {
	out := make(map[string]string, len(b.keys[lang]))
	for k, v := range b.keys[lang] {
		out[k] = v
	}
	return out
}

// SortedKeys is Keys' key list in order, for messages.
func SortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Localizer words messages in one language. It is safe for concurrent use.
type Localizer struct {
	lang    string
	l       *goi18n.Localizer
	printer *message.Printer
}

// Lang is the localizer's language tag ("en" or "ko").
func (l *Localizer) Lang() string { return l.lang }

// T is the message id in the localizer's language, filled with data's first map. A
// "Count" entry chooses the plural form and is shown with the language's thousands
// separators. A key missing from this language's catalog falls back to English (the
// completeness test makes that loud); a key missing everywhere shows the id itself,
// never an empty string.
func (l *Localizer) T(id string, data ...map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 && data[0] != nil {
		td := data[0]
		if n, ok := td["Count"]; ok {
			cfg.PluralCount = n
			td = make(map[string]any, len(data[0]))
			for k, v := range data[0] {
				td[k] = v
			}
			td["Count"] = l.Num(n)
		}
		cfg.TemplateData = td
	}
	s, err := l.l.Localize(cfg)
	if err != nil && cfg.PluralCount != nil {
		// A message without plural forms ("{{.Count}}분 전") takes Count as plain data.
		cfg.PluralCount = nil
		s, err = l.l.Localize(cfg)
	}
	if err != nil {
		slog.Warn("i18n: message", "lang", l.lang, "id", id, "err", err)
		if s == "" {
			return id
		}
	}
	return s
}

// Num is n with the language's digit grouping ("12,345"); a value that is not a
// number is shown as it is.
func (l *Localizer) Num(n any) string {
	switch n.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return l.printer.Sprint(n)
	}
	return fmt.Sprint(n)
}

type ctxKey struct{}

// WithLocalizer is ctx carrying loc, for code without the request (web errors, mails
// built from a request, feeds).
func WithLocalizer(ctx context.Context, loc *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, loc)
}

// FromContext is the localizer WithLocalizer put in ctx, or the default language's
// when none was (never nil).
func FromContext(ctx context.Context) *Localizer {
	if loc, ok := ctx.Value(ctxKey{}).(*Localizer); ok && loc != nil {
		return loc
	}
	return fallback().For(Default)
}

// fallback is the embedded catalogs, loaded once for FromContext without a localizer;
// the server loads them at start-up with New, which is where a bad catalog stops it.
var fallback = sync.OnceValue(func() *Bundle {
	b, err := New()
	if err != nil {
		panic(fmt.Sprintf("i18n: embedded catalogs: %v", err))
	}
	return b
})
