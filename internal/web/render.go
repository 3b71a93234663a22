package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/csrf"

	"forum/internal/forum"
	"forum/internal/i18n"
)

// SiteName is the forum's name in English, for what has no reader's language (mail's
// composer, the API's realm); pages and feeds word it from the catalog ("site.name").
const SiteName = "Pyongyang Marathon Forum"

// renderer holds every page's template set, parsed once at start-up: the layout, the
// partials and that page. Gin's single template set cannot hold one "content" block
// per page, so pages are rendered here, into a buffer, before anything is written.
//
// Each page is parsed once per interface language, with that language's catalog
// functions (T, ago, fulltime…: lang.go, langfuncs.go), so partials word themselves
// without being handed a localizer.
type renderer struct {
	// pages are the default language's templates (fragments for live streams, which
	// every reader shares); byLang holds every language's.
	pages  map[string]*template.Template
	byLang map[string]map[string]*template.Template
	assets map[string]string // file name → content hash, for cache-busting URLs
	// frags keeps posts' rendered headers and bodies (fragcache.go); nil keeps none.
	frags *fragCache
}

func newRenderer(files fs.FS, bundles ...*i18n.Bundle) (*renderer, error) {
	r := &renderer{byLang: map[string]map[string]*template.Template{}, assets: map[string]string{}}
	bundle, err := firstBundle(bundles)
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	err = fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		r.assets[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static files: %w", err)
	}
	funcs := template.FuncMap{
		"asset":       r.assetURL,
		"fieldErr":    fieldErr,
		"formErr":     formErr,
		"ago":         ago,
		"isotime":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"fulltime":    func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"add":         func(a, b int) int { return a + b },
		"flagReasons": func() []forum.FlagReason { return forum.FlagReasons },
		"flagForm":    newFlagForm, // the empty inline flag form under a post
		"now":         time.Now,
		"stanceChoices": func() []forum.Stance {
			return append([]forum.Stance{forum.StanceNone}, forum.Stances...)
		},
		"modActions": forum.SettingsFor,
		"pinChoices": forum.PinChoicesFor,
		"threadURL":  threadURL,
		"replyCount": forum.ReplyCountFor,
		// deletedName: a deleted account's "[deleted]" is shown without a link to a page.
		"deletedName": forum.IsDeletedName,
		"decisions":   forum.DecisionsFor,
		// storedHTML marks a post's HTML as safe: it was sanitised by markup when written,
		// and reads never sanitise again.
		"storedHTML": func(s string) template.HTML { return template.HTML(s) }, //nolint:gosec
		"deref":      func(p *int64) int64 { return *p },
		"derefTime":  func(t *time.Time) time.Time { return *t },
		"idOrEmpty": func(p *int64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatInt(*p, 10)
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + many
		},
		"pct": func(n, total int) int {
			if total == 0 {
				return 0
			}
			return int(math.Round(float64(n) * 100 / float64(total)))
		},
	}
	pages, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	for _, lang := range i18n.Languages {
		r.byLang[lang] = map[string]*template.Template{}
		lf := langFuncs(bundle.For(lang))
		lf["postCore"] = r.postCoreFunc(lang, bundle.For(lang)) // fragcache.go
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			t, err := template.New(name).Funcs(funcs).Funcs(lf).ParseFS(files, "templates/layout.html", "templates/partials/*.html", p)
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", name, err)
			}
			r.byLang[lang][name] = t
		}
	}
	r.pages = r.byLang[i18n.Default]
	return r, nil
}

func (r *renderer) assetURL(name string) string {
	return "/static/" + name + "?v=" + r.assets[name]
}

// ago is a short relative time in the default language; pages use their language's
// (langfuncs.go: agoIn). The exact time goes in <time datetime> and its title.
func ago(t time.Time) string { return agoAt(t, time.Now()) }

// agoAt is ago as seen at now: under a day in hours and minutes ("3 h 12 min ago").
func agoAt(t, now time.Time) string { return agoIn(i18n.FromContext(context.Background()), t, now) }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// feedLink is an alternate link in <head> and a visible feed link on the page.
type feedLink struct {
	Title string
	Base  string // path without extension: Base+".rss" and Base+".atom"
}

// page is what every template gets: the common frame plus the page's own Data.
type page struct {
	Title     string
	SiteName  string
	User      *forum.User
	CSRFToken string
	Path      string
	OpenFlags int
	// CanModerate shows the moderator's links and tools (forum.MayModerate).
	CanModerate bool
	Feeds       []feedLink
	Data        any
	// Lang is the interface language (<html lang>), Langs the footer's switch.
	Lang  string
	Langs []langLink
}

// html renders the named page with status into a buffer, then writes it.
func (s *Server) html(c *gin.Context, status int, name, title string, data any, feeds ...feedLink) {
	lang := s.uiLang(c)
	t, ok := s.render.byLang[lang][name]
	if !ok {
		s.fail(c, fmt.Errorf("no template %q", name))
		return
	}
	p := page{
		Title: title, SiteName: s.bundle.For(lang).T("site.name"), User: currentUser(c),
		CSRFToken: s.csrfToken(c), Path: c.Request.URL.RequestURI(),
		Feeds: feeds, Data: data, Lang: lang, Langs: langLinks(lang),
	}
	if p.CanModerate = forum.MayModerate(p.User, time.Now()) == nil; p.CanModerate {
		n, err := s.store.OpenFlagCount(c.Request.Context())
		if err != nil {
			slog.WarnContext(c.Request.Context(), "count open flags", "err", err)
		}
		p.OpenFlags = n
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.fail(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	// A page for a user, or with a form carrying this browser's CSRF token, is no page
	// for a shared cache (loadSession already says so for users).
	hasForm := bytes.Contains(buf.Bytes(), csrfField)
	if hasForm {
		releaseCSRFCookie(c) // csrflazy.go: only such a page sets a visitor's cookie
	}
	if p.User != nil || hasForm {
		c.Header("Cache-Control", privateNoStore)
	} else if k, ok := c.Get(ctxPageKey); ok && status == http.StatusOK && s.cache.enabled() {
		s.fillCache(c, k.(pageKey), "text/html; charset=utf-8", buf.Bytes()) // pagecache.go
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// privateNoStore is the Cache-Control of anything personal.
const privateNoStore = "private, no-store"

// csrfField is how every form's CSRF token starts in a rendered page.
var csrfField = []byte(`name="csrf_token"`)

// fail logs err and shows the plain 500 page; the user never sees err itself.
func (s *Server) fail(c *gin.Context, err error) {
	slog.ErrorContext(c.Request.Context(), "request failed", "err", err, "path", loggedPath(c.Request.URL.Path), "request_id", c.GetString(ctxRequestID))
	c.Abort()
	c.Data(http.StatusInternalServerError, "text/html; charset=utf-8", plain500For(loc(c))) // errtext.go
}

// csrfToken is the token forms on this page carry.
func (s *Server) csrfToken(c *gin.Context) string { return csrf.Token(c.Request) }
