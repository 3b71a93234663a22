//go:build soak

package soak

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
)

// TestSoak is `make soak`: scripts/soak.sh starts the instances and the faults and
// passes them in through SOAK_* variables. It fails when an acknowledged reply is lost
// or doubled, when a 5xx (or no answer) comes outside the outage windows, or when a
// stream missed an acknowledged reply's event.
func TestSoak(t *testing.T) {
	urls := os.Getenv("SOAK_URLS")
	if urls == "" {
		t.Skip("run through scripts/soak.sh (make soak)")
	}
	accounts := readAccounts(t, os.Getenv("SOAK_ACCOUNTS"))
	cfg := Config{
		URLs: strings.Split(urls, ","), Accounts: accounts,
		Readers: envInt(t, "SOAK_READERS", 16), Threads: envInt(t, "SOAK_THREADS", 3),
		Duration: envDuration(t, "SOAK_DURATION", 120*time.Second),
		Drain:    15 * time.Second, CatchUp: 30 * time.Second,
		Think:   envDuration(t, "SOAK_THINK", time.Second),
		Timeout: 10 * time.Second,
		Ready: func() {
			if p := os.Getenv("SOAK_READY"); p != "" {
				if err := os.WriteFile(p, []byte("ready\n"), 0o644); err != nil {
					t.Errorf("signal ready: %v", err)
				}
			}
		},
	}
	// With the soak's SMTP sink (SOAK_MAIL_LOG), the accounts with an address ask for
	// password resets throughout, and the outbox is checked against what arrived.
	mailLog := os.Getenv("SOAK_MAIL_LOG")
	if mailLog != "" {
		cfg.Mailers = readMailers(t, os.Getenv("SOAK_DATABASE_URL"), accounts)
		cfg.MailThink = envDuration(t, "SOAK_MAIL_THINK", 3*time.Second)
	}
	grace := envDuration(t, "SOAK_GRACE", 5*time.Second)
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}

	var windows []Window
	if p := os.Getenv("SOAK_FAULTS"); p != "" {
		f, err := os.Open(p)
		if err != nil {
			t.Fatalf("fault log: %v", err)
		}
		windows, err = ReadFaults(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	db := checkDatabase(t, os.Getenv("SOAK_DATABASE_URL"), res)

	var in, out []Failure
	var noAnswerIn, noAnswerOut int
	for _, f := range res.Failures {
		inside := InOutage(windows, grace, f.Sent, f.Received)
		switch {
		case f.Status == 0 && inside:
			noAnswerIn++
		case f.Status == 0:
			noAnswerOut++
			out = append(out, f)
		case inside:
			in = append(in, f)
		default:
			out = append(out, f)
		}
	}
	expected, seen := 0, 0
	for _, s := range res.Streams {
		for _, a := range res.Acks {
			if a.ThreadID == s.ThreadID {
				expected++
				if s.Seen(a.PostID) {
					seen++
				}
			}
		}
	}
	retried := 0
	for _, a := range res.Acks {
		if a.Attempts > 1 {
			retried++
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\nsoak: %d instances, %d writers, %d readers, %d streams, %s (+%s drain)\n",
		len(cfg.URLs), len(accounts), cfg.Readers, len(res.Streams), cfg.Duration, cfg.Drain)
	for _, w := range windows {
		back := "never came back"
		if !w.End.IsZero() {
			back = fmt.Sprintf("database back after %.1fs", w.End.Sub(w.Start).Seconds())
		}
		fmt.Fprintf(&b, "  fault %-7s at %5.1fs, %s\n", w.Kind, w.Start.Sub(res.Started).Seconds(), back)
	}
	row := func(name string, v any) { fmt.Fprintf(&b, "  %-28s %v\n", name, v) }
	row("requests", res.Requests)
	row("statuses", statusLine(res.Statuses))
	row("replies sent", len(res.Sent))
	row("acknowledged (303)", len(res.Acks))
	row("  after a retry", retried)
	row("  written, never acknowledged", db.unacked)
	row("  abandoned (drain ran out)", res.Abandoned)
	row("  refused (4xx)", rejectedLine(res.Rejected))
	row("found", db.found)
	row("lost", db.lost)
	row("doubled", db.doubled)
	row("5xx in outages", len(in))
	row("5xx out of outages", len(out)-noAnswerOut)
	row("no answer in/out of outages", fmt.Sprintf("%d/%d", noAnswerIn, noAnswerOut))
	for _, k := range byMessage(in) {
		fmt.Fprintf(&b, "    in:  %s\n", k)
	}
	for _, k := range byMessage(out) {
		fmt.Fprintf(&b, "    out: %s\n", k)
	}
	row("events expected", expected)
	row("events seen", seen)
	connects := 0
	for _, s := range res.Streams {
		connects += s.Connects()
	}
	row("stream connections", connects)
	fmt.Print(b.String())
	if mailLog != "" {
		checkOutbox(t, os.Getenv("SOAK_DATABASE_URL"), res, windows, mailLog, os.Getenv("SOAK_SMTP_WINDOWS"),
			envDuration(t, "SOAK_MAIL_DRAIN", 6*time.Minute))
	}

	for i, f := range out {
		if i == 20 {
			t.Errorf("... and %d more failures outside the outages", len(out)-i)
			break
		}
		t.Errorf("outside the outages: %s %s on instance %d at %.3fs (took %s): status %d %q%s request_id=%s",
			f.Method, f.Path, f.Instance, f.Sent.Sub(res.Started).Seconds(), f.Received.Sub(f.Sent).Round(time.Millisecond),
			f.Status, f.Message, f.Err, f.RequestID)
	}
	if db.lost > 0 || db.doubled > 0 || db.mismatched > 0 {
		t.Errorf("acknowledged replies lost: %d, idem keys written more than once: %d, acknowledged with another post's id: %d",
			db.lost, db.doubled, db.mismatched)
	}
	if seen != expected {
		for _, s := range res.Streams {
			n := Missing(res.Acks, []*Stream{s})
			if n > 0 {
				t.Errorf("stream %s (%d connections) missed %d acknowledged replies", s, s.Connects(), n)
			}
		}
	}
	if len(res.Acks) == 0 {
		t.Error("no reply was acknowledged")
	}
}

// dbCheck is what the database holds of the run's replies.
type dbCheck struct {
	found      int // acknowledged replies present under their key with their id
	lost       int // acknowledged replies whose post is not there
	doubled    int // keys with more than one post
	mismatched int // keys whose post is not the one acknowledged
	unacked    int // keys sent, never acknowledged, yet written (the answer was lost)
}

func checkDatabase(t *testing.T, url string, res *Result) dbCheck {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `
		SELECT idempotency_key, array_agg(id ORDER BY id) FROM posts
		WHERE idempotency_key = ANY($1) GROUP BY idempotency_key`, pq.Array(res.Sent))
	if err != nil {
		t.Fatalf("posts by idempotency key: %v", err)
	}
	defer rows.Close()
	byKey := map[string][]int64{}
	for rows.Next() {
		var key string
		var ids pq.Int64Array
		if err := rows.Scan(&key, &ids); err != nil {
			t.Fatal(err)
		}
		byKey[key] = ids
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	acked := make([]int64, len(res.Acks))
	for i, a := range res.Acks {
		acked[i] = a.PostID
	}
	present := map[int64]bool{}
	idRows, err := db.QueryContext(ctx, `SELECT id FROM posts WHERE id = ANY($1)`, pq.Array(acked))
	if err != nil {
		t.Fatalf("acknowledged posts: %v", err)
	}
	defer idRows.Close()
	for idRows.Next() {
		var id int64
		if err := idRows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		present[id] = true
	}
	if err := idRows.Err(); err != nil {
		t.Fatal(err)
	}

	var c dbCheck
	shown := 0
	report := func(format string, args ...any) {
		if shown++; shown <= 20 { // the counts say how many; a few examples say which
			t.Errorf(format, args...)
		}
	}
	ackedKey := map[string]bool{}
	for _, a := range res.Acks {
		ackedKey[a.Key] = true
		ids := byKey[a.Key]
		switch {
		case !present[a.PostID]:
			c.lost++
			report("lost: post %d (key %s, thread %d) was acknowledged but is not in the database", a.PostID, a.Key, a.ThreadID)
		case !slices.Contains(ids, a.PostID):
			c.mismatched++
			report("key %s was acknowledged as post %d but the database holds %v under it", a.Key, a.PostID, ids)
		default:
			c.found++
		}
	}
	for key, ids := range byKey {
		if len(ids) > 1 {
			c.doubled++
			report("doubled: key %s has posts %v", key, ids)
		}
		if !ackedKey[key] {
			c.unacked++
		}
	}
	return c
}

func readAccounts(t *testing.T, path string) []Account {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("SOAK_ACCOUNTS: %v", err)
	}
	defer f.Close()
	var out []Account
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, pw, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if ok {
			out = append(out, Account{Name: name, Password: pw})
		}
	}
	if len(out) == 0 {
		t.Fatalf("SOAK_ACCOUNTS: no \"name password\" lines in %s", path)
	}
	return out
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s: %q is not a whole number", name, v)
	}
	return n
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		t.Fatalf("%s: %q is not a duration such as 120s", name, v)
	}
	return d
}

func statusLine(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d×%d", m[k], k)
	}
	return strings.Join(parts, " ")
}

func rejectedLine(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	parts := make([]string, 0, len(m))
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%d× %s", n, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// byMessage groups failures by status and message, most frequent first.
func byMessage(fs []Failure) []string {
	count := map[string]int{}
	for _, f := range fs {
		k := fmt.Sprintf("%d %s", f.Status, f.Message)
		if f.Status == 0 {
			k = "no answer: " + f.Err
		}
		count[k]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return count[keys[i]] > count[keys[j]] || count[keys[i]] == count[keys[j]] && keys[i] < keys[j]
	})
	for i, k := range keys {
		keys[i] = fmt.Sprintf("%d× %s", count[k], k)
	}
	return keys
}
