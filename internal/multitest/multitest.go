// Package multitest runs the forum as an operator would: two `forum serve` processes on
// one database, through PgBouncer in transaction mode, reading from a streaming replica,
// behind Debian's Caddy (deploy/Caddyfile). The parts come from internal/pgcluster.
//
// A test package calls Shared(t) for the package-wide parts (the forum binary, built
// once; PgBouncer; the replica, started on first use) and Close() from its TestMain
// after m.Run; Start(t, db, opts) gives one test its own pair of instances on its own
// database, stopped when the test ends.
package multitest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forum/internal/pgcluster"
)

// startBudget bounds the start of each part: a part that does not come up fails the
// test with its log instead of hanging the run.
const startBudget = 60 * time.Second

// Env is the package-wide infrastructure.
type Env struct {
	Root    string // the repository
	Dir     string // a temporary directory holding everything below
	Bin     string // the forum binary: FORUM_TEST_BIN, or built here
	Primary string // DATABASE_URL: the test cluster, which the replica follows
	Bouncer *pgcluster.Bouncer

	replicaOnce sync.Once
	replica     *pgcluster.Replica
	replicaErr  error
}

var (
	sharedOnce sync.Once
	shared     *Env
	sharedErr  error
)

// Shared starts the package-wide parts on first use and fails t when they cannot run
// (never skips: a missing pgbouncer or caddy names the script that installs it).
func Shared(t testing.TB) *Env {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = newEnv() })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

func newEnv() (*Env, error) {
	primary := os.Getenv("DATABASE_URL")
	if primary == "" {
		return nil, fmt.Errorf("DATABASE_URL is not set: run the tests with `make test`, which starts a throwaway PostgreSQL")
	}
	root, err := pgcluster.Root()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "forum-multi.")
	if err != nil {
		return nil, err
	}
	e := &Env{Root: root, Dir: dir, Primary: primary, Bin: filepath.Join(dir, "forum")}
	ctx, cancel := context.WithTimeout(context.Background(), 3*startBudget)
	defer cancel()
	if bin := os.Getenv("FORUM_TEST_BIN"); bin != "" {
		e.Bin = bin // scripts/test.sh built it once for every test package
	} else {
		// The build reuses go test's cache; only the link is new work.
		build := exec.CommandContext(ctx, "go", "build", "-o", e.Bin, "./cmd/forum")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("build the forum binary: %v\n%s", err, out)
		}
	}
	if e.Bouncer, err = pgcluster.StartBouncer(ctx, primary, filepath.Join(dir, "pgbouncer")); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return e, nil
}

// Close stops what Shared started. TestMain calls it after m.Run.
func Close() {
	e := shared
	if e == nil {
		return
	}
	if e.replica != nil {
		_ = e.replica.Stop()
	}
	if e.Bouncer != nil {
		e.Bouncer.Stop()
	}
	os.RemoveAll(e.Dir)
}

// Replica is a streaming replica of the test cluster: the one scripts/test.sh started
// (FORUM_TEST_REPLICA_URL), else one started here on first use — pg_basebackup copies
// the whole cluster, so that is slow on a big development cluster. The primary must
// allow replication (the throwaway cluster of `make test` does); when it does not, t
// fails with what it lacks.
func (e *Env) Replica(t testing.TB) *pgcluster.Replica {
	t.Helper()
	e.replicaOnce.Do(func() {
		if u := os.Getenv("FORUM_TEST_REPLICA_URL"); u != "" {
			// scripts/test.sh started it with the primary, while the primary was small.
			e.replica = pgcluster.AttachReplica(u)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*startBudget)
		defer cancel()
		e.replica, e.replicaErr = pgcluster.NewReplica(ctx, e.Primary, filepath.Join(e.Dir, "replica"))
	})
	if e.replicaErr != nil {
		t.Fatal(e.replicaErr)
	}
	return e.replica
}

// Options shape one test's pair of instances.
type Options struct {
	Direct  bool     // DATABASE_URL straight to PostgreSQL instead of through PgBouncer
	Replica bool     // DATABASE_READ_URL: the replica (its replay settles before the start)
	Caddy   bool     // Caddy in front; FORUM_BASE_URL is then Caddy's URL
	Env     []string // more settings, e.g. "FORUM_LIMIT_REPLIES=2/1m"
}

// Pair is two instances on one database and, with Options.Caddy, Caddy in front.
type Pair struct {
	A, B  *Instance
	Caddy *pgcluster.Caddy
	// Base is FORUM_BASE_URL: Caddy's URL, or A's own without Caddy.
	Base string
}

// Instance is one `forum serve` process.
type Instance struct {
	*pgcluster.Proc
	URL string // http://127.0.0.1:port
}

// LogLine is one JSON log line of an instance.
type LogLine map[string]any

// Lines parses the instance's JSON log so far (non-JSON lines are skipped).
func (in *Instance) Lines() []LogLine {
	var out []LogLine
	for _, l := range strings.Split(in.Output(), "\n") {
		var m LogLine
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// Settings are the environment of an instance on database name: what an operator
// running it behind PgBouncer with a replica would set.
func (e *Env) Settings(t testing.TB, name string, opts Options) []string {
	t.Helper()
	direct, err := withDB(e.Primary, name)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"DATABASE_LISTEN_URL=" + direct,     // LISTEN and migrations need a session of their own
		"FORUM_TRUSTED_PROXIES=127.0.0.0/8", // Caddy reaches the instances from IPv4 loopback
	}
	if opts.Direct {
		env = append(env, "DATABASE_URL="+direct)
	} else {
		env = append(env, "DATABASE_URL="+e.Bouncer.URL(name), "FORUM_DB_PGBOUNCER=true")
	}
	if opts.Replica {
		env = append(env, "DATABASE_READ_URL="+e.Replica(t).URL(name))
	}
	return append(env, opts.Env...)
}

// Start runs two instances on database name (already migrated or empty: each migrates
// as `forum serve` does) and waits until both are ready. Everything stops when t ends.
func (e *Env) Start(t testing.TB, name string, opts Options) *Pair {
	t.Helper()
	if opts.Replica {
		e.Replica(t) // started (bounded) before this start's own budget runs
	}
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	if opts.Replica {
		// The database was just created on the primary; the replica must have it too.
		if err := e.Replica(t).WaitReplayed(ctx, e.Primary); err != nil {
			t.Fatal(err)
		}
	}
	began := time.Now()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	ports := make([]int, 2)
	for i := range ports {
		p, err := pgcluster.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = p
	}
	p := &Pair{}
	var front *pgcluster.Caddy
	dir := t.TempDir()
	base := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	var caddyPort int
	if opts.Caddy {
		// Caddy listens on IPv6 loopback and reaches the instances over IPv4 loopback,
		// so the client's address (::1) and the proxy's (127.0.0.1) differ.
		var err error
		if caddyPort, err = pgcluster.FreePort(); err != nil {
			t.Fatal(err)
		}
		base = fmt.Sprintf("http://[::1]:%d", caddyPort)
	}
	settings := append(e.Settings(t, name, opts), "FORUM_SESSION_KEY="+hex.EncodeToString(key), "FORUM_BASE_URL="+base)
	instances := make([]*Instance, 2)
	for i, port := range ports {
		label := string(rune('a' + i))
		addr := "127.0.0.1:" + strconv.Itoa(port)
		proc, err := pgcluster.StartProc("forum-"+label, dir, false, append(settings, "FORUM_ADDR="+addr), e.Bin, "serve")
		if err != nil {
			t.Fatal(err)
		}
		in := &Instance{Proc: proc, URL: "http://" + addr}
		instances[i] = in
		t.Cleanup(func() {
			in.Stop()
			if t.Failed() {
				t.Logf("log of instance %s:\n%s", label, tail(in.Output(), 40))
			}
		})
	}
	for i, in := range instances {
		if err := waitReady(ctx, in); err != nil {
			t.Fatalf("instance %c: %v\n%s", 'a'+i, err, in.Output())
		}
	}
	t.Logf("instances ready after %v", time.Since(began).Round(time.Millisecond))
	p.A, p.B, p.Base = instances[0], instances[1], base
	if opts.Caddy {
		var err error
		front, err = pgcluster.StartCaddyOn(ctx, filepath.Join(e.Root, "deploy", "Caddyfile"), filepath.Join(dir, "caddy"),
			"::1", caddyPort, []string{strings.TrimPrefix(p.A.URL, "http://"), strings.TrimPrefix(p.B.URL, "http://")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(front.Stop)
		p.Caddy = front
		t.Logf("caddy ready after %v", time.Since(began).Round(time.Millisecond))
	}
	return p
}

// waitReady polls /readyz until it answers 200.
func waitReady(ctx context.Context, in *Instance) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /readyz: %s", resp.Status)
		}
		last = err
		select {
		case <-in.Exited():
			return fmt.Errorf("exited before it was ready (last: %v)", last)
		case <-ctx.Done():
			return fmt.Errorf("not ready in time: %v", last)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// CreateEmpty creates an empty database (no migrations) on the primary and drops it
// when t ends.
func (e *Env) CreateEmpty(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "forum_multi_" + hex.EncodeToString(b)
	admin, err := sql.Open("postgres", e.Primary)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", e.Primary)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return name
}

// DBName is the database name in a PostgreSQL URL.
func DBName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

func withDB(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
