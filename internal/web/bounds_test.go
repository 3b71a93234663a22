package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/password"
	"forum/internal/webtest"
)

// TestPostBounds: a post whose Markdown nests too deep, links too much or would
// balloon once formatted is refused with 400 before it is stored, and the form comes
// back with the text as typed; long ordinary prose still posts.
func TestPostBounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	op := e.user("opener", forum.RoleMember)
	f := e.thread(op, "Bounds on what a post may become")
	threadPath := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	var list, links strings.Builder
	for i := range 50 {
		fmt.Fprintf(&list, "%s- level %d\n", strings.Repeat("  ", i), i+1)
	}
	for i := range forum.MaxLinks + 1 {
		fmt.Fprintf(&links, "https://example.org/%d\n", i)
	}
	quotes := strings.Repeat(">", 19990)
	prose := strings.Repeat("The marathon reopened the city to runners from abroad, and the argument goes on. ", 230)

	// Each case writes as a fresh account: new accounts may only post a few replies a
	// minute, and that limit is not what this test is about.
	for i, tc := range []struct {
		name, body, says string
	}{
		{"QuoteAmplification", quotes, "nests quotes or lists 19990 levels deep"},
		{"ListFiftyDeep", list.String(), "50 levels deep"},
		{"FiftyOneLinks", links.String(), "51 links"},
		{"FlatQuotesTooLargeOnceFormatted", strings.Repeat("> a\n\n", 2000), "too large once formatted"},
	} {
		t.Run("Reply"+tc.name, func(t *testing.T) {
			e.user(fmt.Sprintf("replier%d", i), forum.RoleMember)
			c := e.login(fmt.Sprintf("replier%d", i))
			resp, body := c.post(threadPath+"/reply", url.Values{"body": {tc.body}})
			wantStatus(t, resp, body, http.StatusBadRequest)
			wantContains(t, body, html.EscapeString(tc.says))
			wantKept(t, body, forum.NormalizeBody(tc.body))
		})
	}
	t.Run("LongProsePosts", func(t *testing.T) {
		e.user("essayist", forum.RoleMember)
		resp, body := e.login("essayist").post(threadPath+"/reply", url.Values{"body": {prose}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	})
	t.Run("NewThreadKeepsText", func(t *testing.T) {
		e.user("starter", forum.RoleMember)
		resp, body := e.login("starter").post("/t", url.Values{"category": {f.cat.Slug}, "title": {"A deep quote"}, "body": {quotes}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "nests quotes or lists", `value="A deep quote"`)
		wantKept(t, body, quotes)
	})
	t.Run("EditKeepsText", func(t *testing.T) {
		u := e.user("editor", forum.RoleMember)
		p := e.reply(f, u, 0, "A short reply")
		resp, body := e.login("editor").post("/p/"+id(p)+"/edit", url.Values{"body": {quotes}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "nests quotes or lists")
		wantKept(t, body, quotes)
	})
}

// wantKept fails unless the page holds text, as typed, in a text area.
func wantKept(t *testing.T, body, text string) {
	t.Helper()
	if !strings.Contains(body, ">"+html.EscapeString(text)+"</textarea>") {
		t.Fatalf("no text area on the page keeps the %d bytes sent (starting %.40q)", len(text), text)
	}
}

// nextRE is the thread page's link to its next page.
var nextRE = regexp.MustCompile(`<a rel="next" href="\?([^"]+)"`)

// TestPageByteBudget: a thread of sixty 24 KB posts (1.4 MB of stored HTML) pages by
// bytes: each thread page, JSON page, post page and feed stays under 1 MiB, and paging
// on reaches every reply exactly once, oldest or newest first.
func TestPageByteBudget(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("essayist", forum.RoleMember)
	f := e.thread(u, "Sixty long essays")
	para := strings.Repeat("Runners crossed the square while the crowd watched in silence. ", 380)
	for i := range 60 {
		e.reply(f, u, 0, fmt.Sprintf("Essay %d. %s", i, para))
	}
	const maxBody = 1 << 20
	c := e.client()
	tid := strconv.FormatInt(f.thread.ID, 10)

	for name, sort := range map[string]string{"OldestFirst": "", "NewestFirst": "sort=new"} {
		t.Run("ThreadPages"+name, func(t *testing.T) {
			seen := map[string]bool{}
			query, pages := sort, 0
			for {
				pages++
				resp, body := c.get("/t/" + tid + "?" + query)
				wantStatus(t, resp, body, http.StatusOK)
				if len(body) > maxBody {
					t.Fatalf("page %d is %d KiB", pages, len(body)>>10)
				}
				for _, a := range articles(body) {
					if a.depth == 1 {
						if seen[a.id] {
							t.Fatalf("page %d repeats post %s", pages, a.id)
						}
						seen[a.id] = true
					}
				}
				m := nextRE.FindStringSubmatch(body)
				if m == nil {
					break
				}
				query = html.UnescapeString(m[1])
			}
			if len(seen) != 60 || pages < 3 {
				t.Fatalf("%d pages showed %d of 60 replies", pages, len(seen))
			}
		})
	}
	t.Run("JSONPages", func(t *testing.T) {
		seen, path, pages := 0, "/api/v1/threads/"+tid, 0
		for path != "" {
			pages++
			resp, body := c.get(path)
			wantStatus(t, resp, body, http.StatusOK)
			if len(body) > maxBody {
				t.Fatalf("JSON page %d is %d KiB", pages, len(body)>>10)
			}
			var v struct {
				Tree struct{ Replies []json.RawMessage } `json:"tree"`
				Next *string                             `json:"next"`
			}
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatal(err)
			}
			seen += len(v.Tree.Replies)
			path = ""
			if v.Next != nil {
				path = *v.Next
			}
		}
		if seen != 60 || pages < 3 {
			t.Fatalf("%d JSON pages held %d of 60 replies", pages, seen)
		}
	})
	t.Run("PostPage", func(t *testing.T) {
		resp, body := c.get("/p/" + strconv.FormatInt(f.root, 10))
		wantStatus(t, resp, body, http.StatusOK)
		if len(body) > maxBody {
			t.Fatalf("post page is %d KiB", len(body)>>10)
		}
		wantContains(t, body, "only part of it is shown")
	})
	t.Run("PersonsPages", func(t *testing.T) {
		seen, query, pages := map[string]bool{}, "", 0
		for {
			pages++
			resp, body := c.get("/u/essayist" + query)
			wantStatus(t, resp, body, http.StatusOK)
			// The stored HTML stops at the budget; the page around it is a few KiB.
			if len(body) > forum.PageHTMLBudget+64<<10 {
				t.Fatalf("page %d of the person's posts is %d KiB", pages, len(body)>>10)
			}
			for _, m := range userPostRE.FindAllStringSubmatch(body, -1) {
				if seen[m[1]] {
					t.Fatalf("page %d repeats post %s", pages, m[1])
				}
				seen[m[1]] = true
			}
			m := userNextRE.FindStringSubmatch(body)
			if m == nil {
				break
			}
			query = html.UnescapeString(m[1])
		}
		if len(seen) != 61 || pages < 3 { // the opening post and sixty replies
			t.Fatalf("%d pages showed %d of the person's 61 posts", pages, len(seen))
		}
	})
	for _, feed := range []string{"feed.rss", "feed.atom"} {
		t.Run(feed, func(t *testing.T) {
			resp, body := c.get("/t/" + tid + "/" + feed)
			wantStatus(t, resp, body, http.StatusOK)
			items := strings.Count(body, "<item>") + strings.Count(body, "<entry>")
			if len(body) > maxBody || items == 0 || items >= 50 {
				t.Fatalf("feed is %d KiB with %d items", len(body)>>10, items)
			}
		})
	}
}

// TestMetricsNeedTheToken: /metrics describes the site's traffic and database, so only
// the holder of FORUM_METRICS_TOKEN reads it on the public address; the separate
// metrics listener (FORUM_METRICS_ADDR) serves it without one.
func TestMetricsNeedTheToken(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("5e", 16)
	e := newEnvWith(t, webtest.Options{Config: func(c *config.Config) { c.Metrics.Token = token }})
	c := e.client()
	c.get("/")
	metrics := func(auth string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return c.do(req)
	}
	for name, auth := range map[string]string{"NoToken": "", "WrongToken": "Bearer " + strings.Repeat("5f", 16),
		"NotBearer": "Basic " + token, "TokenPrefix": "Bearer " + token[:20]} {
		t.Run(name, func(t *testing.T) {
			resp, body := metrics(auth)
			wantStatus(t, resp, body, http.StatusUnauthorized)
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
			if strings.Contains(body, "forum_http_requests_total") {
				t.Fatal("metrics shown without the token")
			}
		})
	}
	t.Run("RightToken", func(t *testing.T) {
		resp, body := metrics("Bearer " + token)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `forum_http_requests_total{method="GET",route="/",status="200"}`,
			"forum_http_request_duration_seconds_bucket", "go_sql_open_connections")
	})
	t.Run("SeparateListener", func(t *testing.T) {
		ts := httptest.NewServer(e.server.MetricsHandler())
		defer ts.Close()
		resp, err := http.Get(ts.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

// TestRegistrationWhenHashingIsBusy: with every password slot taken, a registration is
// answered 503 with Retry-After and the form as typed, not left to pile up memory.
func TestRegistrationWhenHashingIsBusy(t *testing.T) {
	t.Parallel()
	// One slot, a tiny wait, and hashes slow enough (16 MiB, 2 passes) that of eight
	// registrations sent at once, some find the slot taken.
	slow := &argon2id.Params{Memory: 16 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	h, err := password.New(slow, password.Limits{Slots: 1, Wait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, webtest.Options{Hasher: h, Config: func(c *config.Config) {
		c.Limits.Registrations = []forum.Limit{{Name: "registrations", Max: 100, Window: time.Hour}}
	}})
	const n = 8
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = e.client()
		clients[i].get("/register")
	}
	type result struct {
		resp *http.Response
		body string
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			resp, body := c.post("/register", url.Values{"username": {fmt.Sprintf("burst%d", i)},
				"password": {"quiet harbour lanterns at dusk"}})
			results[i] = result{resp, body}
		})
	}
	wg.Wait()
	var created, busy int
	for i, r := range results {
		switch r.resp.StatusCode {
		case http.StatusSeeOther:
			created++
		case http.StatusServiceUnavailable:
			busy++
			if r.resp.Header.Get("Retry-After") == "" {
				t.Errorf("registration %d: 503 without Retry-After", i)
			}
			wantContains(t, r.body, "busy", fmt.Sprintf(`value="burst%d"`, i))
		default:
			t.Fatalf("registration %d: status %d", i, r.resp.StatusCode)
		}
	}
	if created == 0 || busy == 0 {
		t.Fatalf("%d created, %d busy; want some of each", created, busy)
	}
}

var (
	userPostRE = regexp.MustCompile(`<li class="user-post">\s*<p class="post-meta"><a href="/p/(\d+)"`)
	userNextRE = regexp.MustCompile(`<a rel="next" href="(\?before=[^"]+)"`)
)
