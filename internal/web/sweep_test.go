package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	build "forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/web"
)

// The route sweep sends every route in the router's own table, as a visitor, a member and
// a moderator, the values a hostile or broken client sends, and holds every answer to
// the same promises: never a 5xx, a message with every 4xx, every redirect on this
// host, the security headers on everything, and no shared caching of a page that carries
// a user's session or a CSRF token.

// sweepBadValues replace each path parameter and fill each query name, as they go on
// the wire (already escaped).
var sweepBadValues = []string{
	"%20", "0", "-1", "99999999999999999999", "1e3", "abc", "%00", "%ff",
	"..%2f..%2fetc%2fpasswd", strings.Repeat("a", 5<<10),
}

// sweepQueryNames are the query names the handlers read.
var sweepQueryNames = []string{"before", "after", "q", "sort", "action", "moderator", "next", "flagged", "category"}

// sweepFields are the form fields DESIGN.md's contract names.
var sweepFields = []string{"body", "title", "category", "parent_id", "stance", "idem", "reason", "note",
	"action", "version", "days", "next", "username", "password", "level",
	"thread"} // the preview page's: the thread a previewed reply is for

var numericField = map[string]bool{"parent_id": true, "version": true, "days": true, "thread": true}

// sweepProbe is one request and what, beyond the common promises, its answer must show.
type sweepProbe struct {
	role   string // visitor, member, moderator, or fresh (a visitor's CSRF cookie in a new jar)
	method string
	path   string // escaped path and query, as sent
	header map[string]string
	body   []byte
	stream int64 // > 0: a generated body of this many bytes, sent without a Content-Length
	what   string
	want   func(o *sweepOutcome) string // "" = fine
}

type sweepOutcome struct {
	status int
	header http.Header
	body   []byte
	sent   int64 // bytes of a generated body the server read (or the socket took)
}

type sweep struct {
	t       *testing.T
	base    *url.URL
	clients map[string]*client
	csrf    map[string]string

	mu       sync.Mutex
	statuses map[int]int
	failures []string
	count    int
}

func TestRouteSweep(t *testing.T) {
	t.Parallel()
	start := time.Now()
	e := newEnv(t)
	author := e.user("sweepauthor", forum.RoleMember)
	e.user("sweepmember", forum.RoleMember)
	e.user("sweepmod", forum.RoleModerator)
	e.user("sweeptarget", forum.RoleMember)
	e.user("sweepnext", forum.RoleMember)
	f := e.thread(author, "The sweep thread")
	p := e.reply(f, author, 0, "a reply the sweep aims at")
	decideOn := e.reply(f, author, 0, "a reply the moderator keeps dismissing flags on")

	base, _ := url.Parse(e.http.URL)
	sw := &sweep{t: t, base: base, statuses: map[int]int{}, clients: map[string]*client{
		"visitor": e.client(), "member": e.login("sweepmember"), "moderator": e.login("sweepmod"),
	}, csrf: map[string]string{}}
	sw.clients["visitor"].get("/login")
	for role, c := range sw.clients {
		if c.csrf == "" {
			t.Fatalf("%s has no CSRF token", role)
		}
		sw.csrf[role] = c.csrf
	}
	sw.csrf["fresh"] = sw.csrf["visitor"]

	ids := map[string]string{"thread": strconv.FormatInt(f.thread.ID, 10), "post": id(p)}
	valid := func(route, param string) string {
		switch param {
		case "id":
			if strings.HasPrefix(route, "/t/") || strings.Contains(route, "/threads/") {
				return ids["thread"]
			}
			return ids["post"]
		case "slug":
			if strings.HasPrefix(route, "/c/") {
				return f.cat.Slug
			}
			return f.thread.Slug
		case "name":
			return "sweeptarget"
		case "file":
			return "style.css"
		}
		return "x"
	}
	baseline := func(role string) url.Values {
		return url.Values{
			"csrf_token": {sw.csrf[role]}, "body": {"A sweep body."}, "title": {"A sweep title"},
			"category": {f.cat.Slug}, "parent_id": {strconv.FormatInt(f.root, 10)}, "stance": {"helps"},
			"idem": {"sweep-idem"}, "reason": {"spam"}, "note": {"sweep note"}, "action": {"dismiss"},
			"version": {""}, "days": {"1"}, "next": {"/"}, "username": {"sweepnobody"}, "password": {"not-the-password"},
			"level": {"watch"}, "thread": {ids["thread"]},
		}
	}
	// routeRole is who reaches a POST handler: the login, register and logout forms take a
	// fresh visitor each time (so nobody is logged in or out by the sweep), /mod the
	// moderator, everything else a member.
	routeRole := func(route string) string {
		switch {
		case route == web.RouteLogin || route == web.RouteRegister || route == web.RouteLogout:
			return "fresh"
		case strings.HasPrefix(route, "/mod/"):
			return "moderator"
		}
		return "member"
	}

	// Off-site redirect spellings first: the failed logins of the battery below would
	// otherwise rate-limit these logins, which must succeed to reach their redirect.
	offsite := readOffsite(t)
	var probes []sweepProbe
	for _, next := range offsite {
		probes = append(probes,
			sweepProbe{role: "fresh", method: http.MethodPost, path: web.RouteLogin, what: "login next=" + strconv.Quote(next),
				body: form(url.Values{"csrf_token": {sw.csrf["fresh"]}, "username": {"sweepnext"},
					"password": {build.Password("sweepnext")}, "next": {next}}),
				want: redirectsTo("/")},
			sweepProbe{role: "moderator", method: http.MethodPost, path: "/mod/posts/" + id(decideOn) + "/decide",
				what: "decide next=" + strconv.Quote(next),
				body: form(url.Values{"csrf_token": {sw.csrf["moderator"]}, "action": {"dismiss"}, "next": {next}}),
				want: redirectsTo(web.RouteModQueue)},
		)
	}
	// Registration keeps its own rate limit; a few spellings show it uses the same rule.
	for i, next := range offsite[:4] {
		probes = append(probes, sweepProbe{role: "fresh", method: http.MethodPost, path: web.RouteRegister,
			what: "register next=" + strconv.Quote(next),
			body: form(url.Values{"csrf_token": {sw.csrf["fresh"]}, "username": {"sweepreg" + strconv.Itoa(i)},
				"password": {"a long and unguessable sweep passphrase"}, "next": {next}}),
			want: redirectsTo("/")})
	}
	sw.run(probes)
	probes = probes[:0]

	routes := e.server.Routes()
	param := regexp.MustCompile(`^[:*]`)
	fill := func(route, which, value string) string {
		segs := strings.Split(route, "/")
		for i, s := range segs {
			if !param.MatchString(s) {
				continue
			}
			v := valid(route, s[1:])
			if s[1:] == which {
				v = value
			}
			segs[i] = v
		}
		return strings.Join(segs, "/")
	}
	postRoutes := 0
	for _, r := range routes {
		validPath := fill(r.Path, "", "")
		var names []string
		for _, s := range strings.Split(r.Path, "/") {
			if param.MatchString(s) {
				names = append(names, s[1:])
			}
		}
		roles := []string{"visitor", "member", "moderator"}
		if r.Method == http.MethodPost {
			postRoutes++
			if routeRole(r.Path) == "fresh" {
				roles = []string{"fresh"}
			}
		}
		// Every path parameter replaced by every bad value, as every role.
		for _, name := range names {
			for _, bad := range sweepBadValues {
				for _, role := range roles {
					pr := sweepProbe{role: role, method: r.Method, path: fill(r.Path, name, bad),
						what: fmt.Sprintf("%s=%.20s", name, bad)}
					if r.Method == http.MethodPost {
						pr.body = form(baseline(role))
					}
					probes = append(probes, pr)
				}
			}
		}
		switch r.Method {
		case http.MethodGet:
			// Every query name with every bad value. The cursors refuse what they cannot
			// read before anything else is looked at, so they go in a request of their
			// own (no handler reads both), as the moderator, who reaches every handler;
			// the other names are read leniently and go together, also as a visitor,
			// whom some pages send to log in with the address in next. A member sees no
			// page a moderator does not.
			for _, bad := range sweepBadValues {
				var rest []string
				for _, q := range sweepQueryNames {
					if q != "before" && q != "after" {
						rest = append(rest, q+"="+bad)
					}
				}
				probes = append(probes, sweepProbe{role: "moderator", method: r.Method,
					path: validPath + "?before=" + bad + "&after=" + bad, what: fmt.Sprintf("cursors=%.20s", bad)})
				for _, role := range []string{"visitor", "moderator"} {
					probes = append(probes, sweepProbe{role: role, method: r.Method,
						path: validPath + "?" + strings.Join(rest, "&"), what: fmt.Sprintf("query=%.20s", bad)})
				}
			}
			// A trailing slash is redirected to the address without it, whatever a
			// proxy header says.
			for _, prefix := range []string{"//evil.example", `/\evil.example`} {
				probes = append(probes, sweepProbe{role: "visitor", method: r.Method, path: validPath + "/?x=1",
					header: map[string]string{"X-Forwarded-Prefix": prefix}, what: "trailing slash, prefix " + prefix,
					want: func(o *sweepOutcome) string {
						if o.status >= 300 && o.status < 400 && o.header.Get("Location") != validPath+"?x=1" {
							return "redirected to " + strconv.Quote(o.header.Get("Location"))
						}
						return ""
					}})
			}
		case http.MethodPost:
			role := routeRole(r.Path)
			for _, field := range sweepFields {
				for _, variant := range []struct {
					name   string
					values []string
				}{
					{"missing", nil},
					{"repeated", []string{baseline(role).Get(field), "other"}},
					{"wrong type", []string{wrongType(field)}},
					{"30 KB", []string{noise(30 << 10)}},
				} {
					v := baseline(role)
					if variant.values == nil {
						v.Del(field)
					} else {
						v[field] = variant.values
					}
					probes = append(probes, sweepProbe{role: role, method: r.Method, path: validPath,
						body: form(v), what: field + " " + variant.name})
				}
			}
			// Text no person types, in every field at once: refused before any handler.
			for _, bad := range []string{"bad \xff\xfe bytes", "nul \x00 byte"} {
				v := baseline(role)
				for _, field := range sweepFields {
					v.Set(field, bad)
				}
				probes = append(probes, sweepProbe{role: role, method: r.Method, path: validPath,
					body: form(v), what: "every field " + strconv.Quote(bad), want: wantStatus400})
			}
			for _, ct := range []struct{ ctype, body string }{
				{"application/json", `{"body":"json body","title":"A json title"}`},
				{"multipart/form-data; boundary=nothing-like-this", "--garbage\r\n\r\nbody\r\n--garbage--"},
				{"text/plain", "body=plain text"},
			} {
				probes = append(probes, sweepProbe{role: role, method: r.Method, path: validPath, body: []byte(ct.body),
					header: map[string]string{"Content-Type": ct.ctype, "X-CSRF-Token": sw.csrf[role]},
					what:   "content type " + ct.ctype})
			}
			big := append([]byte("body="), bytes.Repeat([]byte("a"), web.MaxBodyBytes-4)...)
			probes = append(probes,
				sweepProbe{role: role, method: r.Method, path: validPath, body: big, what: "1 MiB + 1 body",
					want: answers(http.StatusRequestEntityTooLarge)},
				sweepProbe{role: role, method: r.Method, path: validPath, stream: 100 << 20, what: "100 MB streamed body",
					want: func(o *sweepOutcome) string {
						if o.status != http.StatusRequestEntityTooLarge {
							return fmt.Sprintf("status %d, want 413", o.status)
						}
						if o.sent > 32<<20 {
							return fmt.Sprintf("the server read %d MB of it", o.sent>>20)
						}
						return ""
					}},
			)
		}
	}
	for _, path := range []string{"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/..%2f..%2fgo.mod",
		"/static/%2e%2e%2f%2e%2e%2fgo.mod", "/static/..%5c..%5cgo.mod", "/static//etc/passwd", "/static/%2fetc%2fpasswd"} {
		probes = append(probes, sweepProbe{role: "visitor", method: http.MethodGet, path: path, what: "static traversal",
			want: func(o *sweepOutcome) string {
				if o.status < 400 || bytes.Contains(o.body, []byte("module forum")) || bytes.Contains(o.body, []byte("root:")) {
					return fmt.Sprintf("status %d: a file outside web/static?", o.status)
				}
				return ""
			}})
	}
	if postRoutes < 12 {
		t.Fatalf("the route table has only %d POST routes", postRoutes)
	}
	sw.run(probes)

	codes := make([]int, 0, len(sw.statuses))
	for c := range sw.statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var summary []string
	for _, c := range codes {
		summary = append(summary, fmt.Sprintf("%d×%d", c, sw.statuses[c]))
	}
	t.Logf("%d requests over %d routes in %s: %s", sw.count, len(routes), time.Since(start).Round(time.Millisecond),
		strings.Join(summary, " "))
	for i, f := range sw.failures {
		if i == 60 {
			t.Errorf("... and %d more failures", len(sw.failures)-i)
			break
		}
		t.Error(f)
	}
}

// run sends probes over a small worker pool and checks every answer.
func (sw *sweep) run(probes []sweepProbe) {
	work := make(chan sweepProbe)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for p := range work {
				o, err := sw.send(p)
				sw.record(p, o, err)
			}
		})
	}
	for _, p := range probes {
		work <- p
	}
	close(work)
	wg.Wait()
}

func (sw *sweep) httpClient(role string) *http.Client {
	c := sw.clients[role]
	if role != "fresh" {
		return c.http
	}
	// A new browser that has only the visitor's CSRF cookie: its token is still valid,
	// and whatever a login or logout does to it stays in this request.
	jar, _ := cookiejar.New(nil)
	var keep []*http.Cookie
	for _, ck := range sw.clients["visitor"].http.Jar.Cookies(sw.base) {
		if ck.Name == "forum_csrf" {
			keep = append(keep, ck)
		}
	}
	jar.SetCookies(sw.base, keep)
	return &http.Client{Jar: jar, CheckRedirect: sw.clients["visitor"].http.CheckRedirect}
}

func (sw *sweep) send(p sweepProbe) (*sweepOutcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var body io.Reader
	var gen *generated
	switch {
	case p.stream > 0:
		gen = &generated{left: p.stream}
		body = gen
	case p.body != nil:
		body = bytes.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(ctx, p.method, sw.base.String()+p.path, body)
	if err != nil {
		return nil, err
	}
	if gen != nil {
		req.ContentLength = -1 // chunked: the server cannot refuse it by its declared length
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range p.header {
		req.Header.Set(k, v)
	}
	resp, err := sw.httpClient(p.role).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	o := &sweepOutcome{status: resp.StatusCode, header: resp.Header}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") { // a live stream never ends
		o.body, _ = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	}
	if gen != nil {
		o.sent = gen.read.Load()
	}
	return o, nil
}

var alertRE = regexp.MustCompile(`role="alert"[^>]*>\s*[^<\s]`)

func (sw *sweep) record(p sweepProbe, o *sweepOutcome, err error) {
	var problems []string
	if err != nil {
		problems = append(problems, err.Error())
	} else {
		problems = append(problems, sw.check(p, o)...)
		if p.want != nil {
			if s := p.want(o); s != "" {
				problems = append(problems, s)
			}
		}
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.count++
	if o != nil {
		sw.statuses[o.status]++
	}
	for _, pr := range problems {
		st := 0
		if o != nil {
			st = o.status
		}
		path := p.path
		if len(path) > 120 {
			path = path[:120] + "…"
		}
		sw.failures = append(sw.failures, fmt.Sprintf("%s %s %s (%s): status %d: %s", p.role, p.method, path, p.what, st, pr))
	}
}

// check holds one answer to the promises every answer keeps.
func (sw *sweep) check(p sweepProbe, o *sweepOutcome) []string {
	var out []string
	if o.status >= 500 {
		out = append(out, fmt.Sprintf("server error: %.300s", o.body))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if o.header.Get(h) == "" {
			out = append(out, "no "+h+" header")
		}
	}
	ctype := o.header.Get("Content-Type")
	if o.status >= 400 && o.status < 500 && p.method != http.MethodHead {
		switch {
		case strings.HasPrefix(ctype, "application/json"):
			var v struct{ Error string }
			if json.Unmarshal(o.body, &v) != nil || strings.TrimSpace(v.Error) == "" {
				out = append(out, fmt.Sprintf("JSON error without a message: %.200s", o.body))
			}
		case strings.HasPrefix(ctype, "text/html"):
			if !alertRE.Match(o.body) {
				out = append(out, fmt.Sprintf("error page without a message: %.200s", o.body))
			}
		default:
			if len(bytes.TrimSpace(o.body)) == 0 {
				out = append(out, "empty "+ctype+" error")
			}
		}
	}
	if o.status >= 300 && o.status < 400 && o.status != http.StatusNotModified {
		loc := o.header.Get("Location")
		if host, ok := browserHost(sw.base, loc); !ok || host != sw.base.Host {
			out = append(out, fmt.Sprintf("redirect off the site: Location %q (host %q)", loc, host))
		}
	}
	if strings.HasPrefix(ctype, "text/html") && bytes.Contains(o.body, []byte(`name="csrf_token"`)) {
		if cc := o.header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "no-store") {
			out = append(out, fmt.Sprintf("a page with a CSRF token has Cache-Control %q", cc))
		}
	}
	return out
}

// browserHost is the host a browser goes to for Location loc on a page at base, read
// the way browsers read it: leading and trailing control characters and spaces trimmed,
// tab and line breaks dropped anywhere, "\" taken as "/". Anything that is not an
// http(s) address or a reference to one is not ok.
func browserHost(base *url.URL, loc string) (string, bool) {
	loc = strings.TrimFunc(loc, func(r rune) bool { return r <= ' ' })
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(loc)
	u, err := url.Parse(loc)
	if err != nil || u.Opaque != "" {
		return "", false // "https:evil.example" is a host to a browser, not a path
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return "", false
	}
	return base.ResolveReference(u).Host, true
}

// redirectsTo wants the form to succeed and go to the default page, want, instead of the
// off-site next; or, for a next that is not even text, a 400 before the handler.
func redirectsTo(want string) func(o *sweepOutcome) string {
	return func(o *sweepOutcome) string {
		switch {
		case o.status == http.StatusBadRequest:
			return ""
		case o.status < 300 || o.status >= 400:
			return fmt.Sprintf("status %d, want a redirect to %q: %.300s", o.status, want, o.body)
		case o.header.Get("Location") != want:
			return fmt.Sprintf("redirected to %q, want %q", o.header.Get("Location"), want)
		}
		return ""
	}
}

func wantStatus400(o *sweepOutcome) string { return answers(http.StatusBadRequest)(o) }

func answers(code int) func(o *sweepOutcome) string {
	return func(o *sweepOutcome) string {
		if o.status != code {
			return fmt.Sprintf("status %d, want %d", o.status, code)
		}
		return ""
	}
}

func wrongType(field string) string {
	if numericField[field] {
		return "abc"
	}
	return `{"$ne":null}`
}

// noise is n letters that do not compress away, as a repeated letter would in
// PostgreSQL's storage (and so slip under an index's row size limit).
func noise(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

func form(v url.Values) []byte { return []byte(v.Encode()) }

// generated is a body of n bytes made as it is read, so a 100 MB upload costs no memory;
// read counts what the transport took.
type generated struct {
	left int64
	read atomic.Int64
}

func (g *generated) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), g.left)
	for i := range p[:n] {
		p[i] = 'a'
	}
	g.left -= n
	g.read.Add(n)
	return int(n), nil
}

// readOffsite is forum's table of off-site redirect spellings, one Go-quoted string a line.
func readOffsite(t *testing.T) []string {
	t.Helper()
	out := build.QuotedLines(t, "../forum/testdata/offsite_redirects.txt")
	if len(out) < 25 {
		t.Fatalf("only %d off-site spellings", len(out))
	}
	return out
}
