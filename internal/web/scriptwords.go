package web

import (
	"forum/internal/i18n"
)

// scriptWords are the words the pages' scripts write (unread.js's badge label, live.js's
// reply counts and pill), in the page's language: layout.html renders them as JSON in
// <script id="script-words">, so the scripts hold no words of their own. Each is
// {"one": …, "other": …} with i18n.CountMark where the number goes.
func scriptWords(loc *i18n.Localizer) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, id := range map[string]string{
		"unread":              "layout.unread",
		"replies":             "list.replies",
		"newReplies":          "live.new_replies",
		"newRepliesElsewhere": "live.new_replies_elsewhere",
	} {
		one, other := loc.PluralForms(id)
		out[name] = map[string]string{"one": one, "other": other}
	}
	return out
}
