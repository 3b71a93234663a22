package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/pgcluster"
	"forum/internal/store"
	"forum/internal/testdb"
)

// TestBackupRestoresIntoAFreshCluster writes a forum with nested replies, a hidden post
// and Korean text, takes `forum backup` of it with the real binary, restores the file
// with pg_restore into a database on a fresh, empty PostgreSQL cluster, and serves the
// original and the restore with the same binary and settings: every visitor's page,
// feed and JSON answer checked must be byte for byte the same, and the restored server
// must find no migration left to apply.
func TestBackupRestoresIntoAFreshCluster(t *testing.T) {
	began := time.Now()
	db := testdb.New(t)
	st := store.New(db.DB)
	fx := fixture.New(t, st, nil)
	ctx := t.Context()

	alice := fx.User("alice", forum.RoleMember)
	bob := fx.User("bob", forum.RoleMember)
	mod := fx.User("moda", forum.RoleModerator)
	korean, op := fx.ThreadIn("pyongyang", alice, "평양 마라톤: 개방은 관계에 도움이 되는가?",
		"마라톤이 다시 열렸다. *Does it help?* — «yes», 是的 🏃")
	r1 := fx.Reply(korean, bob, op, "It **helps**: 관광객이 늘었다.", forum.StanceHelps)
	r2 := fx.Reply(korean, alice, r1, "Nested under bob's reply.", forum.StanceMixed)
	fx.Reply(korean, bob, r2, "Three deep, with a [link](https://example.org/경로).", forum.StanceNone)
	hidden := fx.Reply(korean, bob, op, "This one a moderator hides.", forum.StanceHinders)
	if err := st.Decide(ctx, store.Decision{PostID: hidden.ID, ModeratorID: mod.ID, Action: forum.DecideHide,
		Note: "off topic"}); err != nil {
		t.Fatalf("hide post %d: %v", hidden.ID, err)
	}
	plain, _ := fx.Thread(bob, "A plain English thread", "Opening words.")
	fx.Reply(plain, alice, nil, "A reply.", forum.StanceHinders)

	bin := forumBinary(t) // binary_test.go

	t.Logf("fixtures and binary: %v", time.Since(began).Round(time.Millisecond))

	// The backup, through the real subcommand.
	dump := filepath.Join(t.TempDir(), "forum.dump")
	cmd := exec.Command(bin, "backup", dump)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db.URL)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("forum backup: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(dump); err != nil || !bytes.HasPrefix(b, []byte("PGDMP")) {
		t.Fatalf("%s is not a pg_dump custom-format file (err %v)", dump, err)
	}

	// The restore, as docs/operations.md tells it, into a cluster that never saw the forum.
	cluster := pgcluster.FreshT(t)
	admin, err := sql.Open("postgres", cluster.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE forum`); err != nil {
		t.Fatalf("create database on the fresh cluster: %v", err)
	}
	restoredURL := cluster.URL("forum")
	pgRestore, err := findPGTool("pg_restore")
	if err != nil {
		t.Fatal(err)
	}
	restore := exec.Command(pgRestore, "--exit-on-error", "--no-owner", "--no-acl", "--dbname="+restoredURL, dump)
	if out, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}

	t.Logf("backup, fresh cluster and restore: %v", time.Since(began).Round(time.Millisecond))

	// One binary, one base URL and one session key for both: only the database differs.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{"FORUM_BASE_URL=https://forum.example.org", "FORUM_SESSION_KEY=" + hex.EncodeToString(key)}
	original := startServe(t, bin, db.URL, env)
	restored := startServe(t, bin, restoredURL, env)
	if !strings.Contains(restored.logs.String(), `"msg":"migrated","applied":0`) {
		t.Errorf("the restored database had migrations left to apply; server log:\n%s", tail(restored.logs.String(), 2000))
	}

	t.Logf("both servers healthy: %v", time.Since(began).Round(time.Millisecond))
	paths := []string{
		"/", "/c", "/c/pyongyang", "/c/general",
		"/t/" + id(korean.ID), "/t/" + id(plain.ID), "/t/" + id(plain.ID) + "/" + forum.Slugify(plain.Title),
		"/p/" + id(r2.ID), "/u/alice", "/u/bob", "/modlog",
		"/feed.rss", "/feed.atom", "/c/pyongyang/feed.rss", "/t/" + id(korean.ID) + "/feed.atom",
		"/u/bob/feed.rss", "/modlog/feed.atom",
		"/api/v1/threads", "/api/v1/threads/" + id(korean.ID), "/api/v1/posts/" + id(r1.ID),
		"/p/" + id(hidden.ID), // hidden: a visitor gets the same 404 from both
	}
	for _, p := range paths {
		// A page shows times relative to now ("3 minutes ago"): when the original's
		// answer changes between two fetches, a minute turned, and the restore's answer
		// must match one of them.
		a1 := fetchAsVisitor(t, original.base+p)
		b := fetchAsVisitor(t, restored.base+p)
		a2 := fetchAsVisitor(t, original.base+p)
		want := http.StatusOK
		if p == "/p/"+id(hidden.ID) {
			want = http.StatusNotFound
		}
		if a1.status != want {
			t.Errorf("GET %s on the original: status %d, want %d", p, a1.status, want)
			continue
		}
		if !b.equal(a1) && !b.equal(a2) {
			t.Errorf("GET %s: the restore answers %s, the original %s\nfirst difference: %s",
				p, b, a1, firstDifference(a1.body, b.body))
		}
	}
	// The pages compared hold what was written: the Korean title, and not the hidden reply.
	if page := fetchAsVisitor(t, restored.base+"/t/"+id(korean.ID)); !bytes.Contains(page.body, []byte("평양 마라톤")) {
		t.Errorf("the restored thread page lacks its Korean title:\n%s", tail(string(page.body), 2000))
	} else if bytes.Contains(page.body, []byte("This one a moderator hides.")) {
		t.Error("the restored thread page shows the hidden reply to a visitor")
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// served is a `forum serve` process started by startServe.
type served struct {
	base string
	pid  int
	logs *fixture.LogBuffer
}

// startServe runs `bin serve` on dbURL with env added, waits until it is healthy (which
// proves `forum healthcheck`'s target too) and stops it when t ends.
func startServe(t *testing.T, bin, dbURL string, env []string) served {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append(os.Environ(), "DATABASE_URL="+dbURL, "FORUM_ADDR="+addr), env...)
	logs := &fixture.LogBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server on %s:\n%s", addr, tail(logs.String(), 3000))
		}
	})
	waitHealthy(t, "http://"+addr, exited)
	return served{base: "http://" + addr, pid: cmd.Process.Pid, logs: logs}
}

// answer is what a visitor's request got, less what legitimately differs between two
// servers (the Date header, cache validators).
type answer struct {
	status      int
	contentType string
	location    string
	body        []byte
}

func (a answer) equal(b answer) bool {
	return a.status == b.status && a.contentType == b.contentType && a.location == b.location &&
		bytes.Equal(a.body, b.body)
}

func (a answer) String() string {
	return fmt.Sprintf("%d %s %q (%d bytes)", a.status, a.contentType, a.location, len(a.body))
}

// fetchAsVisitor GETs url without cookies, compression or redirects.
func fetchAsVisitor(t *testing.T, url string) answer {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"),
		location: resp.Header.Get("Location"), body: body}
}

// firstDifference shows where two bodies part, with some context.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return fmt.Sprintf("at byte %d:\n  original: %q\n  restore:  %q", i,
		a[from:min(len(a), i+80)], b[from:min(len(b), i+80)])
}
