// Command forum is the forum's one binary: serve, migrate, seed, user, rerender.
// main only wires: config → database → migrate → store → web → serve.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/live"
	"forum/internal/mail"
	"forum/internal/markup"
	"forum/internal/password"
	"forum/internal/store"
	"forum/internal/web"
	webfiles "forum/web"
)

const usage = `usage: forum <command> [flags]

commands:
  serve                                 run the HTTP server
  migrate                               apply database migrations
  seed                                  create the event's categories and opening threads (idempotent)
  seed --synthetic --posts N [--seed S] also fill an empty database with a synthetic forum (for make bench)
  user add NAME --role member|moderator|admin   create or update a user; password read from stdin
  rerender                              re-render every post's HTML from its Markdown source
  healthcheck                           GET /healthz on FORUM_ADDR; exit 0 when healthy (for Docker)
  backup FILE                           pg_dump -Fc the database to FILE ("-": stdout); restore with pg_restore

settings come from the environment (DATABASE_URL, FORUM_ADDR, FORUM_BASE_URL,
FORUM_SESSION_KEY, FORUM_FLAG_THRESHOLD, FORUM_DB_*, FORUM_WRITERS_PER_THREAD,
FORUM_TRUSTED_PROXIES, FORUM_PASSWORD_*, FORUM_METRICS_*, FORUM_SMTP_URL, FORUM_MAIL_*; see the README); flags of the same names override them.`

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err := run(os.Args[1:], os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "forum:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Println(usage)
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	cmd, rest := args[0], args[1:]
	var positional []string
	if cmd == "user" || cmd == "backup" {
		// user add NAME --role R, backup FILE: pull the words out before the flags.
		for len(rest) > 0 && (!strings.HasPrefix(rest[0], "-") || rest[0] == "-") { // "-" is stdout
			positional = append(positional, rest[0])
			rest = rest[1:]
		}
	}
	role := ""
	var synth synthFlags
	var cfg *config.Config
	var err error
	if cmd == "seed" && len(rest) > 0 && strings.HasPrefix(rest[0], "--synthetic") {
		// seed --synthetic --posts N: a benchmark's database; settings from the environment.
		fs := flag.NewFlagSet("forum seed", flag.ContinueOnError)
		synth.register(fs)
		cfg, _, err = config.Load(nil, os.Getenv)
		if err == nil {
			err = fs.Parse(rest)
		}
	} else if cmd == "user" {
		// --role belongs to `user add`; the settings come from the environment only.
		fs := flag.NewFlagSet("forum user", flag.ContinueOnError)
		fs.StringVar(&role, "role", "member", "member, moderator or admin")
		cfg, _, err = config.Load(nil, os.Getenv)
		if err == nil {
			err = fs.Parse(rest)
		}
	} else {
		cfg, _, err = config.Load(rest, os.Getenv)
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}

	switch cmd {
	case "healthcheck":
		return healthcheck(cfg.Addr)
	case "serve", "migrate", "seed", "user", "rerender", "backup":
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if cmd == "serve" {
		if err := cfg.ValidateServe(); err != nil {
			return err
		}
	} else if err := cfg.ValidateDatabase(); err != nil {
		return err
	}
	if cmd == "migrate" {
		return migrate(ctx, cfg.ListenURL)
	}
	if cmd == "backup" {
		return backupCmd(ctx, cfg.DatabaseURL, positional, os.Stdout)
	}
	opts := storeOptions(cfg.DB)
	db, err := store.Open(ctx, cfg.DatabaseURL, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.NewBounded(db, opts)
	if cfg.Replica.URL != "" && cmd == "serve" {
		ro := store.ReplicaOptions{MaxLag: cfg.Replica.MaxLag, Options: store.Options{MaxConns: cfg.Replica.MaxConns,
			StatementTimeout: cfg.Replica.StatementTimeout, PoolWait: cfg.Replica.PoolWait, PgBouncer: cfg.DB.PgBouncer,
			Lazy: true}} // a replica that is down serves nothing until it answers; the primary does

		rdb, err := store.Open(ctx, cfg.Replica.URL, ro.Options)
		if err != nil {
			return fmt.Errorf("DATABASE_READ_URL: %w", err)
		}
		defer rdb.Close()
		st.WithReplica(ctx, rdb, ro)
	}

	switch cmd {
	case "seed":
		if synth.on {
			return synthCmd(ctx, cfg, st, synth)
		}
		return seedCmd(ctx, st)
	case "rerender":
		return rerenderCmd(ctx, st)
	case "user":
		return userCmd(ctx, cfg, st, positional, role, stdin)
	}
	return serve(ctx, cfg, st)
}

func serve(ctx context.Context, cfg *config.Config, st *store.Store) error {
	// Serving a schema older than the code would fail request by request; migrate first.
	// On the direct URL: the migration lock is a session-level advisory lock, which
	// PgBouncer in transaction mode would lose between statements.
	if err := migrate(ctx, cfg.ListenURL); err != nil {
		return err
	}
	hasher, err := password.New(password.Default(), passwordLimits(cfg))
	if err != nil {
		return err
	}
	hub, err := live.New(cfg.ListenURL) // LISTEN holds its connection: never through PgBouncer
	if err != nil {
		return err
	}
	go hub.Run(ctx)
	srv, err := web.New(web.Deps{Config: cfg, Store: st, Hasher: hasher, Markup: markup.New(), Files: webfiles.FS, Live: hub,
		MaxStreamsPerIP: cfg.MaxStreamsPerAddress})
	if err != nil {
		return err
	}
	go srv.Background(ctx)
	// Every instance runs a sender; it stops with the server.
	sender, err := mail.NewSender(st, mail.SenderOptions{SMTP: cfg.Mail.SMTP, From: cfg.Mail.From,
		BaseURL: cfg.BaseURL, Poll: cfg.Mail.Poll})
	if err != nil {
		return err
	}
	// ... and a notification mail job, which queues what the sender sends.
	composer, err := mail.NewComposer(webfiles.FS, web.SiteName, cfg.BaseURL)
	if err != nil {
		return err
	}
	notifier := mail.NewNotifier(st, composer, mail.NotifierOptions{SessionKey: cfg.SessionKey,
		Poll: cfg.Mail.Poll, Batch: cfg.MailBatch, Lang: cfg.DefaultLang})
	// A separate metrics listener lives and dies with the main one.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return web.Serve(gctx, cfg.Addr, srv.Handler(), 20*time.Second, srv.Shutdown) })
	if cfg.Metrics.Addr != "" {
		g.Go(func() error { return web.Serve(gctx, cfg.Metrics.Addr, srv.MetricsHandler(), 5*time.Second, nil) })
	}
	g.Go(func() error { sender.Run(gctx); return nil }) // every instance sends the outbox
	g.Go(func() error { notifier.Run(gctx); return nil })
	return g.Wait()
}

func passwordLimits(cfg *config.Config) password.Limits {
	return password.Limits{Slots: cfg.Passwords.Hashes, Wait: cfg.Passwords.Wait}
}

func storeOptions(d config.DBSettings) store.Options {
	return store.Options{MaxConns: d.MaxConns, StatementTimeout: d.StatementTimeout, LockTimeout: d.LockTimeout,
		PoolWait: d.PoolWait, WritersPerThread: d.WritersPerThread, PgBouncer: d.PgBouncer}
}

// migrate applies the migrations through a small pool of its own without the request
// pool's statement and lock timeouts: building an index on a large table may rightly
// take longer than any request should.
func migrate(ctx context.Context, url string) error {
	db, err := store.Open(ctx, url, store.Options{MaxConns: 4})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := store.Migrate(ctx, db.DB)
	if err != nil {
		return err
	}
	slog.Info("migrated", "applied", len(res))
	return nil
}

func userCmd(ctx context.Context, cfg *config.Config, st *store.Store, args []string, roleName string, stdin io.Reader) error {
	if len(args) != 2 || args[0] != "add" {
		return errors.New("usage: forum user add NAME --role member|moderator|admin (password on stdin)")
	}
	name := args[1]
	if err := forum.ValidateUsername(name); err != nil {
		return errors.New(forum.ErrorMessage(err))
	}
	role, err := forum.ParseRole(roleName)
	if err != nil {
		return errors.New(forum.ErrorMessage(err))
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if err := forum.ValidatePassword(name, pw); err != nil {
		return errors.New(forum.ErrorMessage(err))
	}
	hasher, err := password.New(password.Default(), passwordLimits(cfg))
	if err != nil {
		return err
	}
	hash, err := hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	// The operator may give out reserved names (ValidateUsername, not ValidateNewUsername),
	// but the store still refuses a look-alike of another user.
	if _, err := st.CreateUser(ctx, name, hash, role); err != nil {
		if forum.ErrorCode(err) != forum.EConflict {
			return err
		}
		if uerr := st.SetUserPassword(ctx, name, hash, role); uerr != nil {
			if forum.ErrorCode(uerr) == forum.ENotFound { // the conflict was a look-alike
				return errors.New(forum.ErrorMessage(err))
			}
			return uerr
		}
		slog.Info("user updated", "user", name, "role", role)
		return nil
	}
	slog.Info("user created", "user", name, "role", role)
	return nil
}

func healthcheck(addr string) error {
	// A server listening on every interface is reached through loopback.
	if host, port, err := net.SplitHostPort(addr); err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: status %d", resp.StatusCode)
	}
	return nil
}
