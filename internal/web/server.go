// Package web is the forum's HTTP layer: Gin routes, handlers and middleware. Handlers
// hold no SQL (they call the store) and build no HTML strings (templates do).
package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/live"
	"forum/internal/mail"
	"forum/internal/markup"
	"forum/internal/password"
	"forum/internal/postlang"
	"forum/internal/session"
	"forum/internal/store"
)

// Route paths: the public contract of DESIGN.md. Add, never rename.
const (
	RouteHome     = "/"
	RouteRegister = "/register"
	RouteLogin    = "/login"
	RouteLogout   = "/logout"
	RouteHealthz  = "/healthz"
	RouteReadyz   = "/readyz"
	RouteMetrics  = "/metrics"
	RouteStatic   = "/static/*file"
)

// Deps is everything the web layer needs, built by main (or a test).
type Deps struct {
	Config *config.Config
	Store  *store.Store
	Hasher *password.Hasher
	Markup *markup.Renderer
	Files  fs.FS     // web/templates and web/static
	Live   *live.Hub // thread events from PostgreSQL; nil disables live updates
	// Heartbeat is the idle interval between keep-alive comments on event streams.
	Heartbeat time.Duration
	// MaxStreamsPerIP caps the event streams one address may hold open on this instance;
	// zero takes Config.MaxStreamsPerAddress (FORUM_MAX_STREAMS_PER_ADDRESS), and a
	// Config built by hand without it config.DefaultMaxStreamsPerAddress.
	MaxStreamsPerIP int
}

// Server is the forum's HTTP handler.
type Server struct {
	cfg        *config.Config
	store      *store.Store
	hasher     *password.Hasher
	sessions   *session.Store
	sessionKey []byte
	csrf       *csrfBinding // ties CSRF tokens to the session (csrfbind.go)
	limits     forum.Limits // the rate limits' rules
	limiter    *limiter     // counts attempts against them in PostgreSQL (limits.go)
	render     *renderer
	markup     *markup.Renderer
	mail       *mail.Composer // the mails' templates (web/mail), links from FORUM_BASE_URL
	aboutHTML  template.HTML
	metrics    *metrics
	engine     *gin.Engine
	hub        *live.Hub
	heartbeat  time.Duration
	streams    *streams
	cache      *pageCache         // visitors' rendered pages (pagecache.go)
	bundle     *i18n.Bundle       // the interface's catalogs (lang.go)
	lang       *postlang.Detector // a new or edited post's language (forum.PostLang)
	handler    http.Handler       // the engine behind compression (compress.go)
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	bundle, err := i18n.New()
	if err != nil {
		return nil, err
	}
	r, err := newRenderer(d.Files, bundle)
	if err != nil {
		return nil, err
	}
	about, err := fs.ReadFile(d.Files, "templates/pages/about_body.md")
	if err != nil {
		return nil, fmt.Errorf("read about page: %w", err)
	}
	aboutHTML, err := d.Markup.Render(string(about))
	if err != nil {
		return nil, fmt.Errorf("render about page: %w", err)
	}
	s := &Server{
		cfg: d.Config, store: d.Store, hasher: d.Hasher, render: r, markup: d.Markup, bundle: bundle,
		aboutHTML:  template.HTML(aboutHTML), // sanitised by markup like every post
		sessionKey: d.Config.SessionKey,
		sessions:   session.NewStore(d.Store, d.Config.SessionKey, d.Config.Secure()),
		metrics:    newMetrics(d.Store.DB().DB),
		hub:        d.Live,
		heartbeat:  d.Heartbeat,
		streams:    newStreams(d.MaxStreamsPerIP),
		lang:       postlang.New(),
	}
	go s.lang.Warm() // the models load once per process, not on the first post
	// Fragments every reader shares (live replies, counts) are worded in the site default.
	r.pages = r.byLang[s.defaultLang()]
	if s.mail, err = mail.NewComposer(d.Files, SiteName, d.Config.BaseURL); err != nil {
		return nil, err
	}
	if s.csrf, err = newCSRFBinding(d.Config.SessionKey, d.Config.Secure()); err != nil {
		return nil, err
	}
	s.limits = d.Config.Limits
	if s.limits.LoginAccount.Max == 0 { // a Config built by hand, not by config.Load
		s.limits = forum.DefaultLimits()
	}
	s.limiter = newLimiter(d.Store, s.limits, s.metrics.registry)
	s.replicaMetrics(s.metrics.registry) // readroute.go
	if s.heartbeat <= 0 {
		s.heartbeat = 15 * time.Second
	}
	if s.streams.limit <= 0 {
		s.streams.limit = cmp.Or(max(d.Config.MaxStreamsPerAddress, 0), config.DefaultMaxStreamsPerAddress)
	}
	build, err := buildID(d.Files)
	if err != nil {
		return nil, err
	}
	// A share of the budget keeps posts' fragments for logged-in pages (fragcache.go),
	// the rest whole visitors' pages.
	frags := d.Config.CacheBytes / fragShare
	if r.frags, err = newFragCache(frags); err != nil {
		return nil, err
	}
	if s.cache, err = newPageCache(d.Config.CacheBytes-frags, build, s.metrics.registry); err != nil {
		return nil, err
	}
	if d.Live != nil {
		d.Live.WatchVersions(s.cache.ThreadChanged, s.cache.Reset)
		d.Store.OnThreadsChanged(s.cache.localChange) // this instance's writes, at once (fastpath.go)
	} else {
		s.cache.entries = nil // nothing would tell it of changes
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	// X-Forwarded-For is believed only from FORUM_TRUSTED_PROXIES (none by default: the
	// peer address is the client), so c.ClientIP() — which the login throttle, the stream
	// cap and the request log key on — is the visitor's address behind a proxy and cannot
	// be spoofed without one. X-Real-IP is not read: one header, one rule.
	e.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := e.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("FORUM_TRUSTED_PROXIES: %w", err)
	}
	// Gin's trailing-slash redirect builds its target from X-Forwarded-Prefix and
	// answers outside the middleware (no security headers); noRoute does it instead.
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = false
	s.engine = e
	s.routes(d.Files)
	if s.handler, err = withCompression(e); err != nil {
		return nil, err
	}
	s.handler = s.fastPath(s.handler) // cache hits before gin (fastpath.go)
	return s, nil
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the registered routes (the authorization sweep test walks them).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

func (s *Server) routes(files fs.FS) {
	e := s.engine
	// For every request, matched or not: the security headers first, so even a panic's
	// 500 carries them; then the body's bound and the input checks, before any handler.
	e.Use(securityHeaders, s.recovery, requestID, logRequests, s.language, s.metrics.observe,
		jsonErrors, s.limitBody, s.checkInput, s.routeReads)
	e.NoRoute(s.noRoute)

	// Operations and static files need no session and no CSRF cookie.
	e.GET(RouteHealthz, s.healthz)
	e.GET(RouteReadyz, s.readyz)
	e.GET(RouteMetrics, s.serveMetrics)
	e.GET(RouteStatic, s.static(files))
	e.HEAD(RouteStatic, s.static(files))

	// The API reads only and sets no cookies: no session, no CSRF. Its errors are JSON.
	s.apiRoutes(&e.RouterGroup)

	u, _ := url.Parse(s.cfg.BaseURL)
	app := e.Group("/", s.loadSession, s.userLanguage, s.csrfCheck(u == nil || u.Scheme != "https"))
	app.GET(RouteHome, s.home)
	app.GET(RouteRegister, s.registerForm)
	app.POST(RouteRegister, s.register)
	app.GET(RouteLogin, s.loginForm)
	app.POST(RouteLogin, s.login)
	app.POST(RouteLogout, s.logout)

	s.forumRoutes(app)
	s.langRoutes(app)            // lang.go: the footer's switch, the settings' choice
	s.feedRoutes(&e.RouterGroup) // no session or CSRF cookie on public, cacheable feeds
}

// Serve runs the HTTP server until ctx ends, then shuts down gracefully: in-flight
// requests get up to grace to finish.
// onShutdown runs when shutdown begins (it ends long-lived streams).
func Serve(ctx context.Context, addr string, h http.Handler, grace time.Duration, onShutdown func()) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	if onShutdown != nil {
		srv.RegisterOnShutdown(onShutdown)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("serving", "addr", addr)
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", addr, err)
	case <-ctx.Done():
	}
	slog.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Background runs the server's periodic chores until ctx ends.
func (s *Server) Background(ctx context.Context) {
	go s.limiter.sweep(ctx, time.Hour)
	s.sessions.Sweep(ctx, time.Hour, func(err error) {
		slog.WarnContext(ctx, "sweep sessions", "err", err)
	})
}
