// Package webtest starts a real forum server on a test database: the one place the web
// and browser tests build their servers, wired as cmd/forum wires production.
package webtest

import (
	"context"
	"crypto/rand"
	"net/http/httptest"
	"testing"
	"time"

	"forum/internal/config"
	"forum/internal/live"
	"forum/internal/markup"
	"forum/internal/password"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/internal/web"
	webfiles "forum/web"
)

// Instance is one running server and what it was built from.
type Instance struct {
	Server *web.Server
	HTTP   *httptest.Server
	Store  *store.Store
	Hasher *password.Hasher
	Markup *markup.Renderer
	URL    string // the base URL the server was configured with
}

// Options tune a test server; zero values give production behaviour.
type Options struct {
	BaseURL         string // FORUM_BASE_URL; empty = the listener's own URL
	Heartbeat       time.Duration
	MaxStreamsPerIP int
}

// Start builds a server with a live-events hub on db and serves it on a loopback
// listener. By default the configured base URL is the listener's own, so links and
// Origin checks match what a browser sees. Everything stops when t ends.
func Start(t testing.TB, db *testdb.DB, opts Options) *Instance {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil) // listening already: its address is the base URL
	base := "http://" + ts.Listener.Addr().String()
	if opts.BaseURL != "" {
		base = opts.BaseURL
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg := &config.Config{DatabaseURL: db.URL, Addr: ts.Listener.Addr().String(), BaseURL: base,
		SessionKey: key, FlagThreshold: 3}
	hasher, err := password.New(password.Cheap())
	if err != nil {
		ts.Close()
		t.Fatal(err)
	}
	hub, err := live.New(db.URL)
	if err != nil {
		ts.Close()
		t.Fatalf("live hub: %v", err)
	}
	hubCtx, stopHub := context.WithCancel(context.Background())
	go hub.Run(hubCtx)
	st := store.New(db.DB)
	md := markup.New()
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Hasher: hasher, Markup: md, Files: webfiles.FS,
		Live: hub, Heartbeat: opts.Heartbeat, MaxStreamsPerIP: opts.MaxStreamsPerIP})
	if err != nil {
		stopHub()
		ts.Close()
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(func() {
		srv.Shutdown() // ends open event streams, so Close does not wait for them
		ts.Close()
		stopHub()
	})
	return &Instance{Server: srv, HTTP: ts, Store: st, Hasher: hasher, Markup: md, URL: base}
}
