package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/i18n"
)

// The interface language (issue 18). A request's language is, in order: the logged-in
// user's setting (users.lang); the "lang" cookie the footer's switch sets; the best of
// Accept-Language among the catalogs' languages; FORUM_DEFAULT_LANG.
//
// For a visitor it is a function of the request's Cookie and Accept-Language headers
// alone (visitorLang), which is what lets pages be cached: the page cache keys every
// entry on it (pagecache.go, visitorCached), so ETags differ per language too, and every
// response the choice could change says Vary: Accept-Language, Cookie, so a shared cache
// keeps one copy per header combination and never hands a Korean page to an English
// reader. (Vary: Cookie costs shared caches some hits; a per-URL language would avoid
// that but would split every link and permalink in two.)

const (
	langCookie = "lang"
	ctxLang    = "lang"
	// RouteLang switches a visitor's language by a plain link: /lang/ko?next=/t/5.
	RouteLang = "/lang/:lang"
	// RouteSettingsLanguage saves a logged-in user's choice (the settings page and the
	// footer's buttons, a form with the CSRF token).
	RouteSettingsLanguage = "/settings/language"
	langCookieAge         = 365 * 24 * time.Hour
)

// visitorLang is the language of a request without its user: cookie, then header, then
// the site default.
func (s *Server) visitorLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && i18n.Supported(ck.Value) {
		return ck.Value
	}
	if l := s.bundle.Match(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return s.defaultLang()
}

func (s *Server) defaultLang() string {
	if s.cfg != nil && i18n.Supported(s.cfg.DefaultLang) {
		return s.cfg.DefaultLang
	}
	return i18n.Default
}

// language is the first word on every request's language: the visitor's, put in the
// request's context for the code that has only a context (errors, mails, feeds).
// userLanguage refines it once the session is known.
func (s *Server) language(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, "/static/") {
		c.Next()
		return
	}
	s.setLang(c, s.visitorLang(c.Request))
	h := c.Writer.Header()
	addVary(h, "Accept-Language")
	addVary(h, "Cookie")
	c.Next()
}

// userLanguage applies a logged-in user's own setting; it runs after loadSession.
func (s *Server) userLanguage(c *gin.Context) {
	if u := currentUser(c); u != nil && i18n.Supported(u.Lang) {
		s.setLang(c, u.Lang)
	}
	c.Next()
}

func (s *Server) setLang(c *gin.Context, lang string) {
	c.Set(ctxLang, lang)
	c.Request = c.Request.WithContext(i18n.WithLocalizer(c.Request.Context(), s.bundle.For(lang)))
}

// uiLang is the request's interface language (posts have their own: s.lang, postlang).
func (s *Server) uiLang(c *gin.Context) string {
	if l := c.GetString(ctxLang); l != "" {
		return l
	}
	return s.defaultLang()
}

// T is the request's wording of a catalog message.
func (s *Server) T(c *gin.Context, id string, data ...map[string]any) string {
	return s.bundle.For(s.uiLang(c)).T(id, data...)
}

func (s *Server) langRoutes(app *gin.RouterGroup) {
	app.GET(RouteLang, s.switchLang)
	app.POST(RouteSettingsLanguage, s.requireUser, s.saveLang)
}

// switchLang is the footer's link for visitors: it sets the lang cookie and goes back.
// A GET with no CSRF token: the worst a forged link can do is change the language of
// this browser's interface, which the same footer changes back; it never touches an
// account (a logged-in user's setting is saved only by saveLang's POST).
func (s *Server) switchLang(c *gin.Context) {
	lang := c.Param("lang")
	if !i18n.Supported(lang) {
		s.error(c, notFound("language"))
		return
	}
	s.setLangCookie(c, lang)
	c.Header("Cache-Control", privateNoStore)
	c.Redirect(http.StatusSeeOther, orHome(safeNext(c.Query("next"))))
}

// saveLang stores a logged-in user's language ("" for the browser's) and sets the
// cookie to match, so the pages after logout stay in it.
func (s *Server) saveLang(c *gin.Context) {
	lang := strings.TrimSpace(c.PostForm("lang"))
	if err := forum.CheckInterfaceLang(lang); err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.SetUserLang(c.Request.Context(), currentUser(c).ID, lang); err != nil {
		s.error(c, err)
		return
	}
	if lang == "" {
		http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	} else {
		s.setLangCookie(c, lang)
	}
	c.Redirect(http.StatusSeeOther, orDefault(safeNext(c.PostForm("next")), RouteSettings+"?saved=language#language"))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Server) setLangCookie(c *gin.Context, lang string) {
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
		MaxAge: int(langCookieAge / time.Second), HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

// langLink is one entry of the footer's switch.
type langLink struct {
	Lang    string // BCP 47 tag
	Name    string // the language's own name: a reader finds theirs whatever the page's
	Current bool
}

// langLinks lists the interface languages for the footer, current one marked.
func langLinks(current string) []langLink {
	out := make([]langLink, 0, len(i18n.Languages))
	for _, l := range i18n.Languages {
		out = append(out, langLink{Lang: l, Name: langNames[l], Current: l == current})
	}
	return out
}

// langNames are the languages' names in themselves (not catalog texts: "한국어" is the
// same on an English page).
var langNames = map[string]string{"en": "English", "ko": "한국어"}

// cacheVariant is the page cache's word on what, besides the URL and the versions, a
// visitor's page depends on (pagecache.go keys and ETags carry it): the interface
// language, a function of the request's Cookie and Accept-Language alone, so the cache
// can answer before the session is read. Every such response says Vary on both.
func (s *Server) cacheVariant(r *http.Request) string { return s.visitorLang(r) }
