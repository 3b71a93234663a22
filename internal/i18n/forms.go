package i18n

import (
	"log/slog"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// CountMark stands for the count in PluralForms' messages.
const CountMark = "{n}"

// PluralForms are id's message for one and for many, with CountMark where the count
// goes: for scripts that count in the browser (web/static/live.js), which pick the form
// and put the number in. A language with one form (Korean) gives it twice.
func (l *Localizer) PluralForms(id string) (one, other string) {
	form := func(n int) string {
		s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: n,
			TemplateData: map[string]any{"Count": CountMark}})
		if err != nil {
			slog.Warn("i18n: plural forms", "lang", l.lang, "id", id, "err", err)
			if s == "" {
				return id
			}
		}
		return s
	}
	return form(1), form(2)
}
