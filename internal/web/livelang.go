package web

import (
	"html/template"

	"forum/internal/i18n"
)

// pageIn is the named page's templates in lang, the default language's when lang has
// none. A live stream renders its fragments (a reply, the counts, the tally) with its
// listener's, so a Korean reader's live reply arrives with Korean controls.
func (r *renderer) pageIn(lang, name string) *template.Template {
	if t, ok := r.byLang[lang][name]; ok {
		return t
	}
	return r.byLang[i18n.Default][name]
}
