package web

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"forum/internal/session"
)

// The page cache's fast path (issue 16): a visitor's cache hit answered before gin.
//
// A cached visitor page needs none of the per-request work of the chain: no session to
// load, no CSRF token, no handler, and no database — the thread's version and the
// listing generation its key carries are kept in memory (versionBook), learned when a
// page is filled, moved by the NOTIFYs every instance hears (thread_events, and
// thread_versions for the writes that send no event: store/versionnotify.go) and, for
// writes through this instance, by the store right after commit; all forgotten when the
// listener reconnects. A hit is answered with the headers its fill carried (the
// security headers and CSP, Vary), built once per entry, and counted in the same
// metrics as the chain's. It skips the request log line and X-Request-ID: a hit does
// nothing worth tracing.
//
// Anything else goes down the chain as before: a request with a session cookie (the
// chain decides whether it is a visitor), an unknown version, an entry not held.

// versionTrust bounds how long a version learned from the database answers hits
// without being read again. NOTIFYs and the store's hook move versions at once; this
// only bounds the life of a version whose change was never announced (a process
// killed between a reply's commit and its NOTIFY, a tool writing rows by hand).
const versionTrust = 30 * time.Second

// bookStripes spreads the record of recent changes over this many slots (see learn).
const bookStripes = 1024

// bookMax bounds the versions kept: past it the book starts again empty (each thread
// then costs one query to learn again).
const bookMax = 1 << 17

// learned is a version and when it was read from the database (unix nanoseconds).
type learned struct{ version, at int64 }

// versionBook is what the fast path keys hits on.
type versionBook struct {
	mu      sync.RWMutex
	threads map[int64]learned
	listing learned // the database's listing generation
	// stripes[id % bookStripes] is the listing generation (pageCache.gen) at the latest
	// change of a thread in that slot, flushed the generation at the latest flush: a
	// version read before either is not learned, since the change may have come after
	// the read (the page would be stale under a version the book would keep).
	stripes [bookStripes]uint64
	flushed uint64
}

// mark is what a handler takes before reading a thread's version: threadKey learns the
// version only if no change to the thread was heard since.
func (pc *pageCache) mark() uint64 { return pc.gen.Load() }

func (b *versionBook) learn(id, version int64, mark uint64, now int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if mark == markReplica || b.stripes[uint64(id)%bookStripes] > mark || b.flushed > mark {
		return
	}
	if b.threads == nil || len(b.threads) >= bookMax {
		b.threads = map[int64]learned{}
	}
	b.threads[id] = learned{version, now}
}

func (b *versionBook) learnListing(dbGen, now int64) {
	b.mu.Lock()
	b.listing = learned{dbGen, now}
	b.mu.Unlock()
}

// changed forgets a thread's version; gen is the listing generation the change moved to.
func (b *versionBook) changed(id int64, gen uint64) {
	b.mu.Lock()
	b.stripes[uint64(id)%bookStripes] = gen
	delete(b.threads, id)
	b.mu.Unlock()
}

// forgetAll forgets every version (a flush, or a write that cannot name its threads).
func (b *versionBook) forgetAll(gen uint64) {
	b.mu.Lock()
	b.flushed = gen
	clear(b.threads)
	b.listing = learned{}
	b.mu.Unlock()
}

// thread is the version a hit on thread id is keyed on, if known and recent.
func (b *versionBook) thread(id, now int64) (int64, bool) {
	b.mu.RLock()
	l, ok := b.threads[id]
	b.mu.RUnlock()
	return l.version, ok && now-l.at < int64(versionTrust)
}

func (b *versionBook) listingGen(now int64) (int64, bool) {
	b.mu.RLock()
	l := b.listing
	b.mu.RUnlock()
	return l.version, l.at != 0 && now-l.at < int64(versionTrust)
}

// localChange is the store's word that a write through this instance committed
// (store.OnThreadsChanged): its threads' pages go at once, before the NOTIFY comes
// back, so whoever made the write sees it on their next visitor page. No ids: every
// version is read again.
func (pc *pageCache) localChange(threadIDs []int64) {
	if len(threadIDs) == 0 {
		pc.book.forgetAll(pc.gen.Add(1))
		return
	}
	for _, id := range threadIDs {
		if id != 0 {
			pc.ThreadChanged(id)
		}
	}
}

// fastRoute is what the fast path makes of a path: the key's route name (the one the
// handler fills under), the thread it names (0 for a listing), and the route pattern
// the metrics count it under (gin's FullPath for the same request).
type fastRoute struct {
	name, pattern string
	thread        int64
}

// parseFastRoute recognises the paths whose visitor responses are cached. A path it
// takes for one route but that gin routes elsewhere is harmless: keys carry the path as
// sent, and only the handler of that path fills them.
func parseFastRoute(path string) (fastRoute, bool) {
	switch path {
	case RouteHome:
		return fastRoute{name: "home", pattern: RouteHome}, true
	case RouteFeedForum + ".rss", RouteFeedForum + ".atom":
		return fastRoute{name: "feed", pattern: path}, true
	}
	if rest, ok := strings.CutPrefix(path, "/c/"); ok {
		slug, tail, more := strings.Cut(rest, "/")
		switch {
		case slug == "":
		case !more:
			return fastRoute{name: "category", pattern: RouteCategory}, true
		case tail == "feed.rss" || tail == "feed.atom":
			return fastRoute{name: "feed", pattern: RouteFeedCategory + tail[len("feed"):]}, true
		}
		return fastRoute{}, false
	}
	if rest, ok := strings.CutPrefix(path, "/api/v1/threads/"); ok {
		if id := pathID(rest); id > 0 {
			return fastRoute{name: "api", pattern: RouteAPIThread, thread: id}, true
		}
		return fastRoute{}, false
	}
	if rest, ok := strings.CutPrefix(path, "/t/"); ok {
		num, tail, more := strings.Cut(rest, "/")
		id := pathID(num)
		switch {
		case id <= 0:
		case !more:
			return fastRoute{name: "thread", pattern: RouteThread, thread: id}, true
		case tail == "feed.rss" || tail == "feed.atom":
			return fastRoute{name: "feed", pattern: RouteFeedThread + tail[len("feed"):], thread: id}, true
		case tail != "" && !strings.Contains(tail, "/"):
			return fastRoute{name: "thread", pattern: RouteThreadSlug, thread: id}, true
		}
	}
	return fastRoute{}, false
}

// pathID parses an id as idParam does; 0 when it is none.
func pathID(s string) int64 {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// fastKey is the key a hit on rt would have been filled under, from memory alone.
func (s *Server) fastKey(rt fastRoute, r *http.Request, now int64) (pageKey, bool) {
	pc := s.cache
	if rt.thread != 0 {
		v, ok := pc.book.thread(rt.thread, now)
		if !ok {
			return pageKey{}, false
		}
		return pc.threadKeyAt(rt.name, rt.thread, v, s.cacheVariant(r), r.URL.RequestURI()), true
	}
	g, ok := pc.book.listingGen(now)
	if !ok {
		return pageKey{}, false
	}
	return pc.listingKeyAt(rt.name, g, s.cacheVariant(r), r.URL.RequestURI()), true
}

// fastPath answers cache hits before next (the compressed gin engine).
func (s *Server) fastPath(next http.Handler) http.Handler {
	pc := s.cache
	obs := newFastMetrics(s.metrics)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.ContentLength != 0 || !pc.enabled() {
			next.ServeHTTP(w, r)
			return
		}
		rt, ok := parseFastRoute(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if _, err := r.Cookie(session.CookieName); err == nil {
			next.ServeHTTP(w, r) // the chain tells a member from a stale cookie
			return
		}
		start := time.Now()
		k, ok := s.fastKey(rt, r, start.UnixNano())
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		enc := negotiate(r.Header.Get("Accept-Encoding"))
		p, ok := pc.entries.GetIfPresent(k.base + "|" + enc)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		pc.hits.Inc()
		status := p.write(w, r)
		obs.observe(rt.pattern, status, time.Since(start))
	})
}

// buildHeaders keeps, for the fast path's hits, the headers the chain set on the
// response being filled (security headers, CSP, Vary, ...) less the per-request ones,
// with the entry's own.
func (p *cachedPage) buildHeaders(from http.Header, enc string) {
	h := from.Clone()
	for _, k := range []string{"Set-Cookie", "X-Request-Id", cacheHeader, "Content-Length", "Content-Type",
		"Content-Encoding", "Etag", "Cache-Control", "Last-Modified"} {
		h.Del(k)
	}
	addVary(h, "Accept-Encoding")
	h.Set(cacheHeader, "hit")
	h.Set("Cache-Control", cmpOr(p.cacheControl, cacheControlPublic))
	h.Set("ETag", p.etag)
	if !p.lastModified.IsZero() {
		h.Set("Last-Modified", p.lastModified.UTC().Format(http.TimeFormat))
	}
	p.hit = h
	p.full = http.Header{"Content-Type": {p.contentType}, "Content-Length": {strconv.Itoa(len(p.body))}}
	if enc != encIdentity {
		p.full.Set("Content-Encoding", enc)
	}
}

// notModified applies the request's preconditions to the entry: If-None-Match, and for
// a feed, without it, If-Modified-Since (feeds.go's rules).
func (p *cachedPage) notModified(r *http.Request) bool {
	if p.feedTag == "" {
		return etagMatches(r.Header.Get("If-None-Match"), p.etag)
	}
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		return etagMatches(strings.Join(inm, ","), p.etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !p.lastModified.After(t)
}

// write answers a hit from the entry's prepared headers; it returns the status.
func (p *cachedPage) write(w http.ResponseWriter, r *http.Request) int {
	h := w.Header()
	for k, v := range p.hit {
		h[k] = v // shared, never written to
	}
	if p.notModified(r) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	for k, v := range p.full {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(p.body)
	return http.StatusOK
}

// fastMetrics are the request series of the routes the fast path answers, resolved
// once: a hit counts as the chain would count it.
type fastMetrics struct {
	m  *metrics
	mu sync.RWMutex
	by map[string]fastSeries // pattern and status
}

type fastSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

func newFastMetrics(m *metrics) *fastMetrics { return &fastMetrics{m: m, by: map[string]fastSeries{}} }

func (f *fastMetrics) observe(pattern string, status int, d time.Duration) {
	k := pattern + " " + strconv.Itoa(status)
	f.mu.RLock()
	s, ok := f.by[k]
	f.mu.RUnlock()
	if !ok {
		s = fastSeries{
			requests: f.m.requests.WithLabelValues(pattern, http.MethodGet, strconv.Itoa(status)),
			latency:  f.m.latency.WithLabelValues(pattern, http.MethodGet),
		}
		f.mu.Lock()
		f.by[k] = s
		f.mu.Unlock()
	}
	s.requests.Inc()
	s.latency.Observe(d.Seconds())
}
