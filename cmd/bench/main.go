// Command bench is `make bench`'s load run: against a forum serving a synthetic
// database (scripts/bench.sh starts both), every scenario for a fixed time at a fixed
// concurrency, each read scenario also against a baseline server that answers with the
// same bytes from memory, in the same run. It prints a table and writes the same as JSON.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"

	"forum/internal/bench"
	"forum/internal/synth"
)

type options struct {
	forum, db, out string
	pid            int
	workers        int
	duration       time.Duration
	only           string
}

func main() {
	var o options
	var serveBaseline, addr, growth string
	flag.StringVar(&o.forum, "forum", "http://127.0.0.1:18080", "the forum's base URL (127.0.0.1 only)")
	flag.StringVar(&o.db, "db", os.Getenv("DATABASE_URL"), "the forum's database, to find the scenarios' threads and people")
	flag.IntVar(&o.pid, "pid", 0, "the forum server's process id, for its peak RSS")
	flag.IntVar(&o.workers, "c", 32, "concurrent connections")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "time per scenario and target")
	flag.StringVar(&o.out, "json", ".data/bench/latest.json", "where the results go as JSON")
	flag.StringVar(&o.only, "only", "", "run only the scenarios whose names contain one of these comma-separated words")
	flag.StringVar(&serveBaseline, "serve-baseline", "", "internal: serve the recorded answers in this file")
	flag.StringVar(&addr, "addr", "127.0.0.1:0", "internal: the baseline's address")
	flag.StringVar(&growth, "growth", "", "compare two runs' JSON, SMALL,LARGE (growth.go), instead of running")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case serveBaseline != "":
		err = runBaseline(ctx, serveBaseline, addr)
	case growth != "":
		err = compareGrowth(os.Stdout, growth)
	default:
		err = run(ctx, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runBaseline serves recorded answers until stopped; it prints its address first.
func runBaseline(ctx context.Context, file, addr string) error {
	recs, err := bench.LoadRecorded(file)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: bench.Baseline(recs), ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// A scenario is what the load run sends; reads have paths the baseline can serve too.
type scenario struct {
	name    string
	read    bool
	header  http.Header
	paths   []string // reads: rotated through by each worker
	members bool     // reads: as logged-in people (each worker its own)
	status  int      // the expected status; 0 means 200 (reads) or 303 (posts)
	post    func(w, i int) bench.Request
}

type env struct {
	o        options
	base     string
	members  []*member
	visitor  *http.Client
	thread   map[string]int64
	category string
}

type member struct {
	name   string
	client *http.Client
	csrf   string
}

func run(ctx context.Context, o options) error {
	u, err := url.Parse(o.forum)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return fmt.Errorf("the forum must be on 127.0.0.1 or localhost, not %q", o.forum)
	}
	e := &env{o: o, base: strings.TrimRight(o.forum, "/"), visitor: bench.Client(o.workers, nil)}
	if err := e.discover(ctx); err != nil {
		return err
	}
	scenarios := e.scenarios()
	members := false // log in only for a run that has members' scenarios
	for _, sc := range scenarios {
		members = members || (e.selected(sc) && (sc.members || sc.post != nil))
	}
	if members {
		if err := e.logIn(ctx); err != nil {
			return err
		}
		scenarios = e.scenarios() // the posting scenarios close over the members
	}
	var results []bench.Result
	var recs []bench.Recorded
	for _, sc := range scenarios {
		if !sc.read || !e.selected(sc) {
			continue
		}
		for _, p := range sc.paths {
			c := e.visitor
			if sc.members {
				c = e.members[0].client
			}
			rec, err := bench.Record(c, recordKey(sc, p), e.base+p, sc.header)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
		}
	}
	baseline, stopBaseline, err := startBaseline(ctx, recs)
	if err != nil {
		return err
	}
	defer stopBaseline()
	for _, sc := range scenarios {
		if !e.selected(sc) {
			continue
		}
		if sc.read {
			results = append(results, e.load(ctx, sc, "baseline", baseline))
		}
		results = append(results, e.load(ctx, sc, "forum", e.base))
	}
	report := makeReport(results, peakRSS(o.pid), o)
	report.print(os.Stdout)
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(o.out, data, 0o644)
}

func (e *env) selected(sc scenario) bool {
	if e.o.only == "" {
		return true
	}
	for w := range strings.SplitSeq(e.o.only, ",") { // a comma-separated list of words
		if w = strings.TrimSpace(w); w != "" && strings.Contains(sc.name, w) {
			return true
		}
	}
	return false
}

// recordKey is the baseline's key for a read: its path, plus the encoding asked for,
// since one path may be recorded plain and compressed.
func recordKey(sc scenario, p string) string {
	if enc := sc.header.Get("Accept-Encoding"); enc != "" {
		sep := "?"
		if strings.Contains(p, "?") {
			sep = "&"
		}
		return p + sep + "_enc=" + url.QueryEscape(enc)
	}
	return p
}

// load runs one scenario against one target.
func (e *env) load(ctx context.Context, sc scenario, target, base string) bench.Result {
	want := sc.status
	if want == 0 {
		want = http.StatusOK
		if !sc.read {
			want = http.StatusSeeOther
		}
	}
	check := func(s int) bool { return s == want }
	next := sc.post
	if sc.read {
		next = func(w, i int) bench.Request {
			p := sc.paths[(w+i)%len(sc.paths)]
			r := bench.Request{URL: base + p, Header: sc.header, Check: check}
			if target == "baseline" {
				r.URL = base + recordKey(sc, p)
			} else if sc.members {
				r.Client = e.members[w%len(e.members)].client
			}
			return r
		}
	}
	slog.Info("bench", "scenario", sc.name, "target", target)
	return bench.Run(ctx, sc.name, target, e.o.workers, e.o.duration, e.visitor, next)
}

func (e *env) scenarios() []scenario {
	t := func(k string) string { return "/t/" + strconv.FormatInt(e.thread[k], 10) }
	compressed := http.Header{"Accept-Encoding": {"br, gzip"}}
	feedETag := e.feedValidators(t("200") + "/feed.rss")
	return []scenario{
		{name: "home", read: true, paths: []string{"/"}},
		{name: "category", read: true, paths: []string{"/c/" + e.category}},
		{name: "thread-200 visitor", read: true, paths: []string{t("200")}},
		{name: "thread-200 visitor br/gzip", read: true, paths: []string{t("200")}, header: compressed},
		{name: "thread-200 logged in", read: true, paths: []string{t("200")}, members: true},
		{name: "mega-thread first page", read: true, paths: []string{t("mega")}},
		{name: "tree-1000 JSON", read: true, paths: []string{"/api/v1/threads/" + strconv.FormatInt(e.thread["1000"], 10)}},
		{name: "tree-1000 JSON br/gzip", read: true, paths: []string{"/api/v1/threads/" + strconv.FormatInt(e.thread["1000"], 10)}, header: compressed},
		{name: "feed-200", read: true, paths: []string{t("200") + "/feed.rss"}},
		{name: "feed-200 304", read: true, paths: []string{t("200") + "/feed.rss"}, header: feedETag, status: http.StatusNotModified},
		{name: "search", read: true, paths: []string{
			"/search?q=marathon", "/search?q=Panmunjom", "/search?q=%22tour+operators%22", "/search?q=sanctions+debate",
			"/search?q=Chollima", "/search?q=visa", "/search?q=hydration+station", "/search?q=the+reopening+-tourism",
			// Korean (issue 18): a word and its particles, a compound, mixed, -not.
			"/search?q=" + url.QueryEscape("재개"), "/search?q=" + url.QueryEscape("주자들이"),
			"/search?q=" + url.QueryEscape("평양마라톤"), "/search?q=" + url.QueryEscape("비자 절차 -여행사"),
			"/search?q=" + url.QueryEscape("마라톤 marathon")}},
		{name: "post spread", post: e.poster(false)},
		{name: "post one hot thread", post: e.poster(true)},
	}
}

// feedValidators are the conditional-request headers a feed reader sends on its next
// poll: the feed's own ETag and Last-Modified.
func (e *env) feedValidators(path string) http.Header {
	resp, err := e.visitor.Get(e.base + path)
	if err != nil {
		return http.Header{}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	h := http.Header{}
	if v := resp.Header.Get("ETag"); v != "" {
		h.Set("If-None-Match", v)
	}
	if v := resp.Header.Get("Last-Modified"); v != "" {
		h.Set("If-Modified-Since", v)
	}
	return h
}

// poster writes replies as the logged-in people: into threads spread over the forum, or
// all into one hot thread.
func (e *env) poster(hot bool) func(w, i int) bench.Request {
	spread := e.spreadThreads()
	return func(w, i int) bench.Request {
		m := e.members[w%len(e.members)]
		th := e.thread["hot"]
		if !hot {
			th = spread[(w*7919+i)%len(spread)]
		}
		form := url.Values{"csrf_token": {m.csrf}, "idem": {randomKey()},
			"body": {fmt.Sprintf("Bench reply %d from %s: the reopening tells us about contact between people.", i, m.name)}}
		return bench.Request{URL: e.base + "/t/" + strconv.FormatInt(th, 10) + "/reply", Form: form, Client: m.client}
	}
}

func (e *env) spreadThreads() []int64 {
	db, err := sql.Open("postgres", e.o.db)
	if err != nil {
		return []int64{e.thread["hot"]}
	}
	defer db.Close()
	rows, err := db.Query(`SELECT t.id FROM threads t JOIN categories c ON c.id = t.category_id
		WHERE t.visible AND NOT t.locked ORDER BY t.id DESC LIMIT 2000`)
	if err != nil {
		return []int64{e.thread["hot"]}
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if rows.Scan(&id) == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		ids = []int64{e.thread["hot"]}
	}
	return ids
}

func randomKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// discover finds the threads the scenarios read: about 200 and 1,000 replies, the
// largest (the mega-thread), one of about 50 replies to post into, and the busiest
// category.
func (e *env) discover(ctx context.Context) error {
	db, err := sql.Open("postgres", e.o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	ids, err := synth.ThreadsNear(ctx, db, 200, 1000, 1_000_000, 50)
	if err != nil {
		return err
	}
	e.thread = map[string]int64{"200": ids[0], "1000": ids[1], "mega": ids[2], "hot": ids[3]}
	return db.QueryRowContext(ctx, `SELECT slug FROM categories ORDER BY thread_count DESC, id LIMIT 1`).Scan(&e.category)
}

// logIn logs one synthetic person in per worker and keeps the CSRF token their pages carry.
func (e *env) logIn(ctx context.Context) error {
	db, err := sql.Open("postgres", e.o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT username FROM users WHERE username LIKE $1 AND role = 'member'
		ORDER BY id LIMIT $2`, synth.NamePrefix+"%", e.o.workers)
	if err != nil {
		return fmt.Errorf("synthetic people: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) == 0 {
		return errors.New("no synthetic people: load the database with `forum seed --synthetic`")
	}
	for _, n := range names {
		jar, _ := cookiejar.New(nil) // never fails without options
		c := bench.Client(2, jar)
		csrf, err := csrfOf(c, e.base+"/login")
		if err != nil {
			return err
		}
		resp, err := c.PostForm(e.base+"/login", url.Values{"csrf_token": {csrf}, "username": {n}, "password": {synth.Password}})
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("log in %s: status %d", n, resp.StatusCode)
		}
		if csrf, err = csrfOf(c, e.base+"/t/"+strconv.FormatInt(e.thread["hot"], 10)); err != nil {
			return err
		}
		e.members = append(e.members, &member{name: n, client: c, csrf: csrf})
	}
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(c *http.Client, page string) (string, error) {
	resp, err := c.Get(page)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("%s: no csrf_token in the page (status %d)", page, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1])), nil // html/template writes + as &#43;
}

// startBaseline runs the baseline in a process of its own, as the forum runs in its
// own: the two compete with the load generator for the CPU the same way.
func startBaseline(ctx context.Context, recs []bench.Recorded) (string, func(), error) {
	dir, err := os.MkdirTemp("", "forum-bench")
	if err != nil {
		return "", nil, err
	}
	file := filepath.Join(dir, "recorded.json")
	if err := bench.SaveRecorded(file, recs); err != nil {
		return "", nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, self, "-serve-baseline", file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	var line [64]byte
	n, err := out.Read(line[:])
	if err != nil {
		_ = cmd.Process.Kill()
		return "", nil, fmt.Errorf("baseline did not start: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	return "http://" + strings.TrimSpace(string(line[:n])), stop, nil
}

// peakRSS is a process's high-water resident set (VmHWM), in bytes; 0 when unknown.
func peakRSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
