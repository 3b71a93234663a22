package pgcluster

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// Proc is a server process started by this package (PgBouncer, Caddy, a forum
// instance). It dies with the test binary (Pdeathsig) even when a test crashes.
type Proc struct {
	Name string
	Log  string // the file its output goes to
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	once sync.Once
}

// StartProc runs name with args and env (added to this process's environment) in
// dir, its output to dir/<label>.log. asOwner runs it as the postgres system user when
// we are root (PgBouncer refuses to run as root).
func StartProc(label, dir string, asOwner bool, env []string, name string, args ...string) (*Proc, error) {
	logPath := filepath.Join(dir, label+".log")
	out, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	defer out.Close() // the child has its own copy
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if asOwner && os.Geteuid() == 0 {
		uid, gid, err := ownerIDs()
		if err != nil {
			return nil, err
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return nil, err
		}
		if err := os.Chown(logPath, int(uid), int(gid)); err != nil {
			return nil, err
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", label, err)
	}
	p := &Proc{Name: label, Log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	return p, nil
}

// Exited is closed when the process has ended.
func (p *Proc) Exited() <-chan struct{} { return p.done }

// Output is what the process has written so far.
func (p *Proc) Output() string {
	b, _ := os.ReadFile(p.Log)
	return string(b)
}

// Stop sends SIGTERM and waits up to 10 s, then kills. Safe to call twice.
func (p *Proc) Stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

func ownerIDs() (uint32, uint32, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return 0, 0, fmt.Errorf("the postgres system user: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return uint32(uid), uint32(gid), nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Tool finds Debian's executable name (on PATH or in /usr/sbin), or explains how to get
// it: the tests fail with that message, never skip.
func Tool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if p := "/usr/sbin/" + name; fileExists(p) {
		return p, nil
	}
	return "", fmt.Errorf("%s not found: run scripts/ensure-%s.sh (as root it installs Debian's %s package; `make test` runs it)", name, name, name)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Bouncer is a PgBouncer in transaction mode in front of one PostgreSQL server, on a
// loopback port. Any database name is passed through to the server.
type Bouncer struct {
	*Proc
	Port int
	user string
}

// URL is the URL of database db through PgBouncer, as the server URL's user.
func (b *Bouncer) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", url.User(b.user).String(), b.Port, db)
}

// StartBouncer starts PgBouncer (pool_mode = transaction) in dir (created) in front of
// the server serverURL names, and waits (bounded by ctx) until it serves a query.
func StartBouncer(ctx context.Context, serverURL, dir string) (*Bouncer, error) {
	exe, err := Tool("pgbouncer")
	if err != nil {
		return nil, err
	}
	kv, err := connParams(serverURL)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	usr := kv["user"]
	if usr == "" {
		usr = "postgres"
	}
	var target []string // the server, without a dbname: the client's is used
	for _, k := range []string{"host", "port", "user", "password"} {
		if v := kv[k]; v != "" {
			target = append(target, k+"="+quoteIni(v))
		}
	}
	ini := fmt.Sprintf(`[databases]
* = %s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 40
; lib/pq sends it at start-up; PgBouncer would refuse the connection otherwise.
ignore_startup_parameters = extra_float_digits
pidfile = %s
`, strings.Join(target, " "), port, filepath.Join(dir, "userlist.txt"), filepath.Join(dir, "pgbouncer.pid"))
	if err := os.WriteFile(filepath.Join(dir, "userlist.txt"), []byte(fmt.Sprintf("%q \"\"\n", usr)), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "pgbouncer.ini"), []byte(ini), 0o644); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if _, err := pgScript(ctx, `pg__make_traversable "$1"`, dir); err != nil {
			return nil, err
		}
	}
	p, err := StartProc("pgbouncer", dir, true, nil, exe, filepath.Join(dir, "pgbouncer.ini"))
	if err != nil {
		return nil, err
	}
	b := &Bouncer{Proc: p, Port: port, user: usr}
	probe := kv["dbname"]
	if probe == "" {
		probe = "postgres"
	}
	if err := waitFor(ctx, p, func(ctx context.Context) error {
		db, err := sql.Open("postgres", b.URL(probe))
		if err != nil {
			return err
		}
		defer db.Close()
		return db.PingContext(ctx)
	}); err != nil {
		p.Stop()
		return nil, fmt.Errorf("pgbouncer did not serve: %w\n%s", err, p.Output())
	}
	return b, nil
}

// connParams turns a lib/pq URL into its key/value parameters.
func connParams(raw string) (map[string]string, error) {
	s, err := pq.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("parse server URL: %w", err)
	}
	kv := map[string]string{}
	for _, f := range splitConnString(s) {
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
	}
	return kv, nil
}

// splitConnString splits pq.ParseURL's output: k=v pairs, values quoted with ' when
// they hold spaces or quotes.
func splitConnString(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '\'':
			quoted = !quoted
		case c == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func quoteIni(v string) string {
	if strings.ContainsAny(v, " '\\") {
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return v
}

// waitFor polls check every 20 ms until it succeeds, the process exits or ctx ends.
func waitFor(ctx context.Context, p *Proc, check func(context.Context) error) error {
	var last error
	for {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		last = check(cctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-p.Exited():
			return fmt.Errorf("%s exited (%v); last check: %v", p.Name, p.err, last)
		case <-ctx.Done():
			return fmt.Errorf("%w; last check: %v", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Caddy is Debian's Caddy running a Caddyfile as the reverse proxy in front of forum
// instances.
type Caddy struct {
	*Proc
	URL string // the site's base URL, e.g. http://[::1]:43211
}

// StartCaddy runs caddyfile (deploy/Caddyfile, configured by environment variables) in
// dir with the site at plain-HTTP siteHost:port in front of upstreams (host:port), and
// waits until a request through it gets an answer from an upstream.
func StartCaddy(ctx context.Context, caddyfile, dir, siteHost string, upstreams []string) (*Caddy, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return StartCaddyOn(ctx, caddyfile, dir, siteHost, port, upstreams)
}

// StartCaddyOn is StartCaddy on a chosen port.
func StartCaddyOn(ctx context.Context, caddyfile, dir, siteHost string, port int, upstreams []string) (*Caddy, error) {
	exe, err := Tool("caddy")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	httpsPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	host := siteHost
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	site := fmt.Sprintf("http://%s:%d", host, port)
	env := []string{"FORUM_SITE=" + site, "FORUM_UPSTREAMS=" + strings.Join(upstreams, " "),
		"CADDY_ADMIN=off", "CADDY_HTTP_PORT=" + strconv.Itoa(port), "CADDY_HTTPS_PORT=" + strconv.Itoa(httpsPort),
		// Caddy keeps its state under these; never the machine's own.
		"HOME=" + dir, "XDG_DATA_HOME=" + filepath.Join(dir, "data"), "XDG_CONFIG_HOME=" + filepath.Join(dir, "config")}
	p, err := StartProc("caddy", dir, false, env, exe, "run", "--adapter", "caddyfile", "--config", caddyfile)
	if err != nil {
		return nil, err
	}
	c := &Caddy{Proc: p, URL: site}
	client := &http.Client{Timeout: 2 * time.Second}
	if err := waitFor(ctx, p, func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, site+"/healthz", nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /healthz through caddy: %s", resp.Status)
		}
		return nil
	}); err != nil {
		p.Stop()
		return nil, fmt.Errorf("caddy did not serve: %w\n%s", err, p.Output())
	}
	return c, nil
}

// Served reports whether PgBouncer has let a client in to database db (its log
// records each login), proving a server really went through it.
func (b *Bouncer) Served(db string) bool {
	return strings.Contains(b.Output(), "login attempt: db="+db+" ")
}
