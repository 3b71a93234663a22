package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/testdb"
)

// maxBurstRSS is the most memory `forum serve` may take for a burst of 64 registrations
// and then 64 logins: argon2id takes 19 MiB per hash, so without a bound on concurrent
// hashes the burst took 1.3–1.9 GB. The bound was 300 MiB until the Korean interface
// (templates parsed per language, catalogs) and the caches raised the idle process from
// 65 to 86 MB; bursts then peaked at 298–341 MiB on a loaded machine.
const maxBurstRSS = 380 << 20

// TestMemoryUnderPasswordBurst builds the real binary, serves a test database with it
// and fires 64 simultaneous registrations, then 64 simultaneous logins, at it; the
// process's peak resident memory (VmHWM) must stay under maxBurstRSS. The hashes run at
// production cost, since their memory is the point. Running it with
// FORUM_PASSWORD_HASHES=64 in the environment (the child inherits it) shows the failure
// the bound prevents.
func TestMemoryUnderPasswordBurst(t *testing.T) {
	db := testdb.New(t)
	bin := forumBinary(t) // binary_test.go
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	began := time.Now()
	srv := startServe(t, bin, db.URL, []string{ // backup_test.go
		"FORUM_SESSION_KEY=" + hex.EncodeToString(key),
		// Every request comes from one address: lift the per-address limits, which are
		// not what this test measures.
		"FORUM_LIMIT_REGISTRATIONS=1000/1h", "FORUM_LIMIT_LOGIN_ADDRESS=1000/15m"})
	base := srv.base
	t.Logf("healthy after %v", time.Since(began).Round(time.Millisecond))

	const n = 64
	const pw = "quiet harbour lanterns at dusk"
	if err := forum.ValidatePassword("runner-00", pw); err != nil {
		t.Fatalf("the test's password is refused: %v", err)
	}
	name := func(i int) string { return fmt.Sprintf("runner-%02d", i) }
	registered := burst(t, base, "/register", n, func(i int) url.Values {
		return url.Values{"username": {name(i)}, "password": {pw}}
	})
	users := 0
	for i, st := range registered {
		switch st {
		case http.StatusSeeOther:
			users++
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("registration %d: status %d", i, st)
		}
	}
	if users == 0 {
		t.Fatal("no registration succeeded")
	}
	// The same 64 names log in: an account the busy server did not create gets the
	// same answer as a wrong password, after a check that costs the same hash.
	logins := burst(t, base, "/login", n, func(i int) url.Values {
		return url.Values{"username": {name(i)}, "password": {pw}}
	})
	loggedIn := 0
	for i, st := range logins {
		want := http.StatusUnauthorized
		if registered[i] == http.StatusSeeOther {
			want = http.StatusSeeOther
		}
		switch st {
		case want:
			if want == http.StatusSeeOther {
				loggedIn++
			}
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("login %d: status %d, want %d or 503", i, st, want)
		}
	}

	peak := procStatus(t, srv.pid, "VmHWM")
	t.Logf("peak RSS %d MiB (registered %d of %d, logged in %d of %d; both bursts took %v)",
		peak>>20, users, n, loggedIn, users, time.Since(began).Round(time.Millisecond))
	if peak > maxBurstRSS {
		t.Fatalf("peak RSS %d MiB, want under %d MiB", peak>>20, maxBurstRSS>>20)
	}
}

// burst fetches a form (and its CSRF token) for each of n clients, then posts all n
// forms at once and returns the statuses. A 503 must say when to come back.
func burst(t *testing.T, base, path string, n int, form func(int) url.Values) []int {
	t.Helper()
	clients := make([]*http.Client, n)
	tokens := make([]string, n)
	for i := range n {
		jar, _ := cookiejar.New(nil)
		clients[i] = &http.Client{Jar: jar, Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		tokens[i] = csrfToken(t, clients[i], base+path)
	}
	statuses := make([]int, n)
	errs := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			f := form(i)
			f.Set("csrf_token", tokens[i])
			<-start
			resp, err := clients[i].PostForm(base+path, f)
			if err != nil {
				errs[i] = err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
			if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				errs[i] = "503 without Retry-After: " + tail(string(body), 300)
			}
		})
	}
	close(start)
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Fatalf("POST %s #%d: %s", path, i, e)
		}
	}
	return statuses
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfToken(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	resp, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := csrfRE.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET %s: status %d, no CSRF token", page, resp.StatusCode)
	}
	return html.UnescapeString(string(m[1]))
}

// freeAddr is a loopback address nothing listens on (the kernel's pick, released).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitHealthy polls /healthz until it answers 200, the server exits, or 30 s pass.
func waitHealthy(t *testing.T, base string, exited <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatal("forum serve exited before it was healthy")
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			t.Fatalf("forum serve not healthy after 30 s: %v", err)
		}
	}
}

// procStatus reads a "kB" field of /proc/<pid>/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, v)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
