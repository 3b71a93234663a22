// Package pgcluster starts private PostgreSQL clusters for tests: a fresh empty cluster,
// a streaming replica of an existing primary, and (in proxies.go) PgBouncer and Caddy.
// The clusters are made by scripts/lib/pg.sh (run through bash), so tests and scripts
// find the binaries, pick the OS user and lay out directories the same way: as root the
// server runs as the postgres system user; it listens only on a unix socket.
//
// API:
//
//	c, err := pgcluster.Fresh(ctx, dir)      // initdb + start an empty cluster in dir
//	c := pgcluster.FreshT(t)                 // the same in t.TempDir()-like dir, stopped at t's end
//	c.URL("forum")                           // superuser URL of a database over the socket
//	c.Stop()                                 // stop the server and remove dir
//	r, err := pgcluster.NewReplica(ctx, primaryURL, dir)  // pg_basebackup -R, started
//	r := pgcluster.AttachReplica(url)        // one scripts/test.sh started (FORUM_TEST_REPLICA_URL)
//	r.URL("forum")
//	r.PauseReplay(ctx) / r.ResumeReplay(ctx) / r.WaitReplayed(ctx, primaryURL)
//	b, err := pgcluster.StartBouncer(ctx, serverURL, dir); b.URL("forum")   // proxies.go
//	k, err := pgcluster.StartCaddy(ctx, caddyfile, dir, "::1", upstreams); k.URL
//
// The clusters run fsync=off: nothing in them must survive a crash.
// Every wait is bounded (pg_ctl waits at most 60 s; the context bounds the rest).
package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver
)

// Cluster is one running private PostgreSQL cluster: Dir/data, Dir/log, and a unix
// socket in Sock (Dir/sock, or a short /tmp path when Dir is deep).
type Cluster struct {
	Dir  string
	Sock string
}

// URL is the superuser's URL of database db (e.g. "postgres") over the socket.
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + db,
		RawQuery: "host=" + url.QueryEscape(c.Sock) + "&sslmode=disable"}
	return u.String()
}

// Log is the server's log, for a failing test to show.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.Dir, "log"))
	return string(b)
}

// fastOptions trade durability for speed: nothing a test cluster holds must survive a
// crash. They match pg_throwaway_start in scripts/lib/pg.sh.
var fastOptions = []string{"-c", "fsync=off", "-c", "synchronous_commit=off",
	"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=128MB"}

// Fresh creates an empty cluster in dir (created if missing; must not hold one) and
// starts it, with the superuser "postgres" and trust authentication on the socket.
// Stop stops it and removes dir.
func Fresh(ctx context.Context, dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	args := append([]string{dir}, fastOptions...)
	sock, err := pgScript(ctx, `pg_init_cluster "$1" --no-sync && d="$1" && shift && pg_start "$d" "$@" && pg_sock_dir "$d"`, args...)
	if err != nil {
		return nil, fmt.Errorf("start a fresh cluster in %s: %w", dir, err)
	}
	return &Cluster{Dir: dir, Sock: sock}, nil
}

// FreshT is Fresh for one test: in a new temporary directory, stopped and removed when
// t ends; failing t when the cluster cannot start.
func FreshT(t testing.TB) *Cluster {
	t.Helper()
	parent, err := os.MkdirTemp("", "forum-pgc.")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Fresh(ctx, filepath.Join(parent, "pg"))
	if err != nil {
		os.RemoveAll(parent)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stop cluster: %v", err)
		}
		os.RemoveAll(parent)
	})
	return c
}

// Stop stops the server (fast shutdown) and removes its directory. Safe to call twice.
func (c *Cluster) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := pgScript(ctx, `pg_cleanup_dir "$1"`, c.Dir); err != nil {
		return fmt.Errorf("stop cluster in %s: %w", c.Dir, err)
	}
	return nil
}

// Replica is a hot-standby streaming replica.
type Replica struct {
	cluster *Cluster // nil when attached
	base    string   // URL of its postgres database
}

// ErrNotReplicationReady wraps a primary's refusal to serve a base backup.
var ErrNotReplicationReady = errors.New("the primary at DATABASE_URL is not ready for streaming replication " +
	"(it needs wal_level=replica or logical, max_wal_senders > 0, a role with REPLICATION, and a pg_hba.conf " +
	"line allowing `replication` connections; the throwaway cluster of `make test` and scripts/dev-db.sh have all four)")

// NewReplica makes a streaming replica of the cluster at primaryURL in dir with
// pg_basebackup -R and starts it as a hot standby. A primary that cannot replicate
// gives an error wrapping ErrNotReplicationReady with the primary's own reason.
func NewReplica(ctx context.Context, primaryURL, dir string) (*Replica, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("postgres", primaryURL)
	if err != nil {
		return nil, fmt.Errorf("open primary: %w", err)
	}
	defer db.Close()
	var walLevel, maxConns string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('wal_level'), current_setting('max_connections')`).Scan(&walLevel, &maxConns); err != nil {
		return nil, fmt.Errorf("ask the primary: %w", err)
	}
	if walLevel == "minimal" {
		return nil, fmt.Errorf("%w: wal_level is minimal", ErrNotReplicationReady)
	}
	// libpq (pg_basebackup) reads the same URL; lib/pq's extra parameters would not parse.
	conn, err := libpqURL(primaryURL)
	if err != nil {
		return nil, err
	}
	// A standby needs max_connections at least the primary's; the rest are defaults.
	sock, err := pgScript(ctx, `d="$1"; conn="$2"; shift 2; pg_replica_start "$d" "$conn" "$@" && pg_sock_dir "$d"`,
		dir, conn, "-c", "fsync=off", "-c", "max_connections="+maxConns)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 3 {
			return nil, fmt.Errorf("%w: %v", ErrNotReplicationReady, err)
		}
		return nil, fmt.Errorf("start a replica in %s: %w", dir, err)
	}
	c := &Cluster{Dir: dir, Sock: sock}
	return &Replica{cluster: c, base: c.URL("postgres")}, nil
}

// AttachReplica is a replica someone else started (scripts/test.sh exports its URL as
// FORUM_TEST_REPLICA_URL); Stop leaves it running.
func AttachReplica(url string) *Replica { return &Replica{base: url} }

// URL is the URL of database db on the replica.
func (r *Replica) URL(db string) string {
	u, err := withDB(r.base, db)
	if err != nil {
		return r.base
	}
	return u
}

// Stop stops and removes a replica NewReplica started.
func (r *Replica) Stop() error {
	if r.cluster == nil {
		return nil
	}
	return r.cluster.Stop()
}

// Log is the replica's server log, when it is ours.
func (r *Replica) Log() string {
	if r.cluster == nil {
		return ""
	}
	return r.cluster.Log()
}

// PauseReplay stops applying WAL (it is still received), so the replica lags.
func (r *Replica) PauseReplay(ctx context.Context) error {
	return r.exec(ctx, `SELECT pg_wal_replay_pause()`)
}

// ResumeReplay applies WAL again.
func (r *Replica) ResumeReplay(ctx context.Context) error {
	return r.exec(ctx, `SELECT pg_wal_replay_resume()`)
}

func (r *Replica) exec(ctx context.Context, q string) error {
	db, err := sql.Open("postgres", r.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("replica: %s: %w", q, err)
	}
	return nil
}

// WaitReplayed waits until the replica has applied all WAL the primary had written when
// it was called; the context bounds the wait.
func (r *Replica) WaitReplayed(ctx context.Context, primaryURL string) error {
	p, err := sql.Open("postgres", primaryURL)
	if err != nil {
		return err
	}
	defer p.Close()
	var lsn string
	if err := p.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		return fmt.Errorf("primary's WAL position: %w", err)
	}
	db, err := sql.Open("postgres", r.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		var done bool
		err := db.QueryRowContext(ctx, `SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, lsn).Scan(&done)
		if err == nil && done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replica did not replay up to %s (last error: %v): %w", lsn, err, ctx.Err())
		case <-tick.C:
		}
	}
}

func withDB(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// libpqURL drops the query parameters libpq does not know (lib/pq accepts a few more).
func libpqURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse primary URL: %w", err)
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "host", "port", "sslmode", "sslcert", "sslkey", "sslrootcert", "password", "user", "dbname", "connect_timeout", "application_name":
		default:
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// pgScript runs script in bash with scripts/lib/pg.sh sourced and args as $1..., and
// returns its stdout trimmed; stderr (the helpers' diagnostics) goes into the error.
func pgScript(ctx context.Context, script string, args ...string) (string, error) {
	lib, err := Root()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{"-c",
		"set -euo pipefail; source " + shellQuote(filepath.Join(lib, "scripts", "lib", "pg.sh")) + "\n" + script, "pgcluster"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Root is the repository's root: the nearest directory above the working directory
// (a test's package directory) holding go.mod and scripts/lib/pg.sh.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "scripts", "lib", "pg.sh")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return dir, nil
			}
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("pgcluster: scripts/lib/pg.sh not found above the working directory")
		}
		dir = up
	}
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
