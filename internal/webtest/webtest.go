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
	"forum/internal/forum"
	"forum/internal/live"
	"forum/internal/mailtest"
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
	// Hub is the instance's live hub: Hub.Sync awaits the notifications committed so far.
	Hub *live.Hub
}

// Options tune a test server; zero values give production behaviour.
type Options struct {
	BaseURL         string // FORUM_BASE_URL; empty = the listener's own URL
	Heartbeat       time.Duration
	MaxStreamsPerIP int
	// Pool, when set, gives the server a pool of its own opened on the test database by
	// store.Open with these bounds, as `forum serve` opens it (the test database's
	// statement counter then does not see the server's statements).
	Pool *store.Options
	// ReadURL is DATABASE_READ_URL: the server reads its lag-tolerant pages there (a
	// second test database stands in for a replica; any lag counts as none).
	ReadURL string
	// TrustedProxies is FORUM_TRUSTED_PROXIES.
	TrustedProxies []string
	// Config, when set, adjusts the server's settings after the defaults are in place:
	// e.g. small rate limits, so a test reaches them in a few requests.
	Config func(*config.Config)
	// Hasher, when set, replaces the cheap test hasher (e.g. a slow one with one slot).
	Hasher *password.Hasher
	// Mail, when set, runs the real mail sender against this test SMTP server (as
	// FORUM_SMTP_URL, trusting its certificate) with a short poll, so a test waits for
	// mail with Mail.Wait. Unset, nothing sends: the outbox rows stay as written.
	Mail *mailtest.Server
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
		SessionKey: key, FlagThreshold: 3, TrustedProxies: opts.TrustedProxies, Limits: forum.DefaultLimits(),
		Search: config.DefaultSearch(), CacheBytes: config.DefaultCacheBytes}
	if opts.Mail != nil { // before Config, which may adjust it
		cfg.Mail = mailSettings(t, opts.Mail)
	}
	if opts.Config != nil {
		opts.Config(cfg)
	}
	hasher, err := password.New(password.Cheap(), password.Limits{})
	if err != nil {
		ts.Close()
		t.Fatal(err)
	}
	if opts.Hasher != nil {
		hasher = opts.Hasher
	}
	hub, err := live.New(db.URL)
	if err != nil {
		ts.Close()
		t.Fatalf("live hub: %v", err)
	}
	hubCtx, stopHub := context.WithCancel(context.Background())
	go hub.Run(hubCtx)
	st := store.New(db.DB)
	if opts.Pool != nil {
		pool, err := store.Open(context.Background(), db.URL, *opts.Pool)
		if err != nil {
			stopHub()
			ts.Close()
			t.Fatalf("open the server's pool: %v", err)
		}
		t.Cleanup(func() { pool.Close() }) // runs after the server has stopped
		st = store.NewBounded(pool, *opts.Pool)
	}
	if opts.ReadURL != "" {
		cfg.Replica = config.DefaultReplicaSettings()
		cfg.Replica.URL = opts.ReadURL
		ro := store.ReplicaOptions{MaxLag: cfg.Replica.MaxLag, Options: store.Options{MaxConns: 4, Lazy: true}}
		rdb, err := store.Open(context.Background(), opts.ReadURL, ro.Options)
		if err != nil {
			stopHub()
			ts.Close()
			t.Fatalf("open the read pool: %v", err)
		}
		t.Cleanup(func() { rdb.Close() }) // after the server has stopped
		st.WithReplica(context.Background(), rdb, ro)
	}
	md := markup.New()
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Hasher: hasher, Markup: md, Files: webfiles.FS,
		Live: hub, Heartbeat: opts.Heartbeat, MaxStreamsPerIP: opts.MaxStreamsPerIP})
	if err != nil {
		stopHub()
		ts.Close()
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	if opts.Mail != nil {
		startSender(t, cfg, st, opts.Mail)
		startNotifier(t, cfg, st) // notification mail, which the sender delivers
	}
	ts.Start()
	t.Cleanup(func() {
		srv.Shutdown() // ends open event streams, so Close does not wait for them
		ts.Close()
		stopHub()
	})
	return &Instance{Server: srv, HTTP: ts, Store: st, Hasher: hasher, Markup: md, URL: base, Hub: hub}
}

// Roomy is an Options.Config for tests about something other than rate limits: it
// lifts the limits on writes (replies, threads, edits, flags, registrations) far above
// what any test sends, so a test may post hundreds of replies from one fresh account.
// Login limits stay as in production; the limit tests set small limits of their own.
func Roomy(c *config.Config) {
	for _, ls := range []*[]forum.Limit{&c.Limits.Replies, &c.Limits.RepliesNew, &c.Limits.Threads,
		&c.Limits.ThreadsNew, &c.Limits.Edits, &c.Limits.Flags, &c.Limits.Registrations} {
		*ls = []forum.Limit{{Name: (*ls)[0].Name, Max: forum.MaxLimitCount, Window: time.Minute}}
	}
}
