package web

import (
	"errors"
	"html"
	"net/http"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/store"
)

// The words of errors. A domain error names its catalog message (forum.Error.Key, Data)
// and keeps its English Message for the log; here, on the one error path and on every
// form that shows an error, it is worded in the request's language.

// loc is the request's localizer (the language middleware put it in the context; the
// site default's when it did not).
func loc(c *gin.Context) *i18n.Localizer { return i18n.FromContext(c.Request.Context()) }

// errText is err's user-safe message in the request's language: a domain error's own,
// else the generic one (the cause goes to the log, never to the page).
func errText(c *gin.Context, err error) string { return errorText(loc(c), err) }

// errorText is err's user-safe message worded by l.
func errorText(l *i18n.Localizer, err error) string {
	var e *forum.Error
	if errors.As(err, &e) {
		return l.Message(e.Key, e.Data, e.Message)
	}
	return l.T("error.internal")
}

// statusHeading is an error page's heading for status st ("Not Found", "찾을 수 없음").
// Each id is written out so the catalogs' completeness test finds it.
func statusHeading(l *i18n.Localizer, st int) string {
	switch st {
	case http.StatusBadRequest:
		return l.T("error.heading.bad_request")
	case http.StatusUnauthorized:
		return l.T("error.heading.unauthorized")
	case http.StatusForbidden:
		return l.T("error.heading.forbidden")
	case http.StatusNotFound:
		return l.T("error.heading.not_found")
	case http.StatusMethodNotAllowed:
		return l.T("error.heading.method_not_allowed")
	case http.StatusConflict:
		return l.T("error.heading.conflict")
	case http.StatusRequestEntityTooLarge:
		return l.T("error.heading.too_large")
	case http.StatusTooManyRequests:
		return l.T("error.heading.too_many_requests")
	case http.StatusServiceUnavailable:
		return l.T("error.heading.unavailable")
	}
	return http.StatusText(st)
}

// statusHint says what to do after an error of status st; "" for a status without one.
func statusHint(l *i18n.Localizer, st int) string {
	switch st {
	case http.StatusBadRequest:
		return l.T("error.hint.bad_request")
	case http.StatusUnauthorized:
		return l.T("error.hint.unauthorized")
	case http.StatusForbidden:
		return l.T("error.hint.forbidden")
	case http.StatusNotFound:
		return l.T("error.hint.not_found")
	case http.StatusConflict:
		return l.T("error.hint.conflict")
	case http.StatusRequestEntityTooLarge:
		return l.T("error.hint.too_large")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return l.T("error.hint.wait")
	}
	return ""
}

// plain500For is the plain 500 page in l's language: no template, so it renders even
// when templates are the problem.
func plain500For(l *i18n.Localizer) []byte {
	title := html.EscapeString(l.T("error.internal_title"))
	return []byte(`<!doctype html><html lang="` + html.EscapeString(l.Lang()) + `"><head><meta charset="utf-8"><title>` +
		title + `</title></head><body><main><h1>` + title + `</h1><p>` + html.EscapeString(l.T("error.internal_page")) +
		`</p><p><a href="/">` + html.EscapeString(l.T("error.back_home")) + `</a></p></main></body></html>`)
}

// lockNotice is what a locked thread says in place of its reply box (forum's
// Thread.LockNotice, worded by l); the moderator's reason is theirs, not translated.
func lockNotice(l *i18n.Localizer, t *forum.Thread) string {
	if t.LockReason == "" {
		return l.T("misc.lock_notice")
	}
	return l.T("misc.lock_notice_reason", map[string]any{"Reason": t.LockReason})
}

// notFoundWords names the catalog message of notFound(what)'s error, one sentence per
// thing; an unlisted thing keeps its English message.
func notFoundWords(e *forum.Error, what string) *forum.Error {
	switch what {
	case "thread":
		return e.T("error.no_such.thread")
	case "language":
		return e.T("error.no_such.language")
	}
	return e
}

// describe is notification n's line in l's language (forum.NotifyReason.DescribeWords).
func describe(l *i18n.Localizer, n *store.Notification) string {
	w := n.Reason.DescribeWords(n.ActorName, n.Detail)
	return l.Message(w.Key, w.Data, n.Reason.Describe(n.ActorName, n.Detail))
}

// mailLang is the language of a mail to someone whose setting is lang: theirs, or the
// site's default (FORUM_DEFAULT_LANG) when they have none. Not the request's: a mail is
// read later, elsewhere, and must not depend on who happened to trigger it.
func (s *Server) mailLang(lang string) string {
	if i18n.Supported(lang) {
		return lang
	}
	return s.defaultLang()
}

// sayFunc is the templates' {{say .Status.LabelWords}}: a forum.Words worded by loc, an
// unknown value's own text when it names no message.
func sayFunc(loc *i18n.Localizer) func(forum.Words) string {
	return func(w forum.Words) string { return loc.Message(w.Key, w.Data, w.Fallback()) }
}

// lockNoticeFunc is the templates' {{lockNotice $t}}: a locked thread's notice in loc's
// language (the same words its reply box shows).
func lockNoticeFunc(loc *i18n.Localizer) func(*forum.Thread) string {
	return func(t *forum.Thread) string { return lockNotice(loc, t) }
}
