package web

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gin-gonic/gin"
	"github.com/maypok86/otter/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// The visitor page cache (issue 16).
//
// A visitor's page is a function of what it shows and nothing personal, so its rendered
// bytes are kept in process memory, already compressed for each encoding asked for, and
// served again until what they show changes. Keys carry the version of what they show:
//   - a thread page or JSON tree: the thread's version (read anyway by the handler), so a
//     write to the thread, through any instance, changes the key at once;
//   - a listing (home, a category): this instance's listing generation, which moves on
//     every thread version NOTIFY (migration 00013) and on a listener reconnect.
// NOTIFYs also evict a thread's entries, which frees their memory early; a reconnect
// flushes everything, since notifications may have been lost.
//
// Logged-in pages never come here, nor any page carrying a CSRF token.

// Encodings a cached page is stored in. Content negotiation picks one per request.
const (
	encIdentity = ""
	encGzip     = "gzip"
	encBrotli   = "br"
)

// cacheControlPublic lets a shared cache keep a visitor's page but revalidate it each
// time: the ETag makes that a 304 while the version holds.
const cacheControlPublic = "public, max-age=0, must-revalidate"

// cacheHeader says whether a response came from the page cache (hit, miss); tests and
// `make bench` read it instead of timing.
const cacheHeader = "X-Cache"

type pageCache struct {
	entries *otter.Cache[string, *cachedPage] // nil: the cache is off (FORUM_CACHE_BYTES=0)
	budget  int64
	// gen is the listing generation; epoch makes it unique to this process, so two
	// instances (or a restart) never give the same listing ETag to different bytes.
	gen   atomic.Uint64
	epoch string
	// catGen moves when a category changes (a rename shows on every thread page without
	// a thread version moving): thread keys carry it too.
	catGen atomic.Uint64
	// paused is set while the listener is down: nothing is served from or kept in the
	// cache until it is back, since invalidations would be missed.
	paused atomic.Bool
	// build identifies the templates and static files, so a new release never answers
	// 304 for a page the old one rendered.
	build string

	mu      sync.Mutex
	threads map[int64]map[string]struct{} // thread id → its keys, for eviction on NOTIFY

	// book holds the thread versions and listing generation a hit is keyed on, so the
	// fast path answers without a query (fastpath.go).
	book versionBook

	hits, misses prometheus.Counter
}

// cachedPage is one response in one encoding.
type cachedPage struct {
	threadID    int64
	contentType string
	etag        string
	body        []byte
	// Feeds keep their own validator (the same tag in every encoding), Last-Modified and
	// Cache-Control; pages leave these empty.
	feedTag      string
	lastModified time.Time
	cacheControl string
	// hit and full are the headers of a hit, built once at fill (fastpath.go): hit for
	// every answer (the security headers and Vary the slow path set, the validators),
	// full added to a 200.
	hit, full http.Header
}

// entryOverhead approximates a cached page's memory beyond its body (key, headers, map).
const entryOverhead = 256

func newPageCache(budget int64, build string, reg prometheus.Registerer) (*pageCache, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	pc := &pageCache{budget: budget, epoch: hex.EncodeToString(b), build: build, threads: map[int64]map[string]struct{}{},
		hits:   prometheus.NewCounter(prometheus.CounterOpts{Name: "forum_page_cache_hits_total", Help: "Visitor pages served from the page cache."}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{Name: "forum_page_cache_misses_total", Help: "Visitor pages rendered for the page cache."}),
	}
	if reg != nil {
		reg.MustRegister(pc.hits, pc.misses)
	}
	if budget <= 0 {
		return pc, nil
	}
	c, err := otter.New(&otter.Options[string, *cachedPage]{
		MaximumWeight: uint64(budget),
		Weigher: func(k string, v *cachedPage) uint32 {
			return uint32(min(int64(len(k)+len(v.body)+entryOverhead), 1<<32-1))
		},
		// Atomic, so the thread index never lags the cache; forget takes only pc.mu.
		OnAtomicDeletion: func(e otter.DeletionEvent[string, *cachedPage]) {
			pc.forget(e.Value.threadID, e.Key)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("page cache: %w", err)
	}
	pc.entries = c
	return pc, nil
}

// enabled reports whether pages are cached at all.
func (pc *pageCache) enabled() bool { return pc != nil && pc.entries != nil && !pc.paused.Load() }

// weight is what the cache's own accounting holds, in bytes.
func (pc *pageCache) weight() uint64 {
	if pc == nil || pc.entries == nil {
		return 0
	}
	return pc.entries.WeightedSize()
}

// listingGen is the generation a listing's key and ETag carry.
func (pc *pageCache) listingGen() string {
	return pc.epoch + "." + strconv.FormatUint(pc.gen.Load(), 10)
}

// ThreadChanged evicts a thread's entries and moves the listing generation; id 0 (a
// category changed) moves only the generation. The live hub calls it for every NOTIFY.
func (pc *pageCache) ThreadChanged(id int64) {
	if id == 0 {
		pc.catGen.Add(1)
		pc.Flush()
		return
	}
	pc.book.changed(id, pc.gen.Add(1))
	if pc.entries == nil {
		return
	}
	pc.mu.Lock()
	keys := pc.threads[id]
	delete(pc.threads, id)
	pc.mu.Unlock()
	for k := range keys {
		pc.entries.Invalidate(k)
	}
}

// Flush drops everything: the live hub calls it when its listener (re)connects, since
// notifications may have been lost meanwhile.
func (pc *pageCache) Flush() {
	pc.book.forgetAll(pc.gen.Add(1))
	if pc.entries == nil {
		return
	}
	pc.entries.InvalidateAll()
}

// Reset is the live hub's word that its connection went (up false) or came back.
func (pc *pageCache) Reset(up bool) {
	pc.paused.Store(!up)
	pc.Flush()
}

func (pc *pageCache) forget(threadID int64, key string) {
	if threadID == 0 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	delete(pc.threads[threadID], key)
	if len(pc.threads[threadID]) == 0 {
		delete(pc.threads, threadID)
	}
}

// pageKey is what identifies one cacheable visitor response before its encoding.
type pageKey struct {
	threadID int64  // 0 for a listing
	base     string // route, version or generation, cursor and sort
}

// threadKey keys a thread's page, tree or feed on its version, as read from the
// database after mark (pageCache.mark); it also teaches the fast path that version
// (fastpath.go). variant and uri: see requestPart.
func (pc *pageCache) threadKey(route string, id, version int64, mark uint64, variant, uri string) pageKey {
	pc.book.learn(id, version, mark, time.Now().UnixNano())
	return pc.threadKeyAt(route, id, version, variant, uri)
}

func (pc *pageCache) threadKeyAt(route string, id, version int64, variant, uri string) pageKey {
	return pageKey{threadID: id, base: route + "|" + strconv.FormatInt(id, 10) + "@" + strconv.FormatInt(version, 10) +
		"|c" + strconv.FormatUint(pc.catGen.Load(), 10) + requestPart(variant, uri)}
}

// listingKey keys a listing on the database's listing generation (moved by every
// committed thread change before the reader can see it) and this instance's (moved by
// every NOTIFY and every write through this instance: it retires a page rendered while
// a write was still in flight). It teaches the fast path dbGen.
func (pc *pageCache) listingKey(route string, dbGen int64, variant, uri string) pageKey {
	pc.book.learnListing(dbGen, time.Now().UnixNano())
	return pc.listingKeyAt(route, dbGen, variant, uri)
}

func (pc *pageCache) listingKeyAt(route string, dbGen int64, variant, uri string) pageKey {
	return pageKey{base: route + "|g" + strconv.FormatInt(dbGen, 10) + "." + pc.listingGen() + requestPart(variant, uri)}
}

// requestPart is what a key takes from the request: its variant (the visitor's
// language: Server.cacheVariant, the one place that decides it) and its path and query
// exactly as sent (the cursor, the sort, the API's after).
func requestPart(variant, uri string) string { return "|" + variant + "|" + uri }

// etag is a strong validator for the key in one encoding: the bytes differ per encoding.
func (pc *pageCache) etag(k pageKey, enc string) string {
	h := fnv.New128a()
	h.Write([]byte(pc.build))
	h.Write([]byte{0})
	h.Write([]byte(k.base))
	return `"` + hex.EncodeToString(h.Sum(nil)) + "-" + cmpOr(enc, "id") + `"`
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// negotiate picks the encoding of a response from Accept-Encoding: brotli, then gzip,
// then none. A q of 0 refuses an encoding.
func negotiate(accept string) string {
	br, gz := false, false
	for part := range strings.SplitSeq(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f <= 0 {
				continue
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			br = true
		case "gzip":
			gz = true
		}
	}
	switch {
	case br:
		return encBrotli
	case gz:
		return encGzip
	}
	return encIdentity
}

// serveCached answers a visitor from the cache: 304 when the client holds the same
// ETag, the stored bytes when present. It reports whether it answered.
func (s *Server) serveCached(c *gin.Context, k pageKey) bool {
	pc := s.cache
	if !pc.enabled() {
		return false
	}
	enc := negotiate(c.GetHeader("Accept-Encoding"))
	tag := pc.etag(k, enc)
	if p, ok := pc.entries.GetIfPresent(k.base + "|" + enc); ok {
		pc.hits.Inc()
		c.Header(cacheHeader, "hit")
		s.writeCached(c, p, enc)
		return true
	}
	// Not held here, but the client's copy has the same key: the bytes would be the same.
	if etagMatches(c.GetHeader("If-None-Match"), tag) {
		c.Header(cacheHeader, "hit")
		s.writeCached(c, &cachedPage{etag: tag}, enc)
		return true
	}
	return s.cachedFromIdentity(c, k)
}

// fillCache stores a freshly rendered visitor response under k and answers with it in
// the request's encoding; the identity bytes are stored too, so the next encoding asked
// for needs no new rendering.
func (s *Server) fillCache(c *gin.Context, k pageKey, contentType string, body []byte) {
	s.fillEntry(c, k, &cachedPage{contentType: contentType}, body)
}

// fillEntry is fillCache for a response described by proto (its content type, and a
// feed's validators).
func (s *Server) fillEntry(c *gin.Context, k pageKey, proto *cachedPage, body []byte) {
	pc := s.cache
	enc := negotiate(c.GetHeader("Accept-Encoding"))
	pc.misses.Inc()
	c.Header(cacheHeader, "miss")
	in := func(enc string, body []byte) *cachedPage {
		p := *proto
		p.threadID, p.body, p.etag = k.threadID, body, cmpOr(proto.feedTag, pc.etag(k, enc))
		p.buildHeaders(c.Writer.Header(), enc) // fastpath.go
		return &p
	}
	p := in(enc, body)
	if enc != encIdentity {
		z, err := compress(enc, body)
		if err != nil {
			s.fail(c, err)
			return
		}
		p = in(enc, z)
	}
	pc.store(k, enc, p)
	if enc != encIdentity {
		pc.store(k, encIdentity, in(encIdentity, body))
	}
	s.writeCached(c, p, enc)
}

// store keeps p unless it alone exceeds the budget (the cache would evict it at once).
func (pc *pageCache) store(k pageKey, enc string, p *cachedPage) {
	key := k.base + "|" + enc
	if int64(len(key)+len(p.body)+entryOverhead) > pc.budget {
		return
	}
	// Set first: an entry tracked after its eviction only costs a no-op Invalidate,
	// while one evicted after tracking began could leave a live entry untracked.
	pc.entries.Set(key, p)
	if k.threadID != 0 {
		pc.mu.Lock()
		if pc.threads[k.threadID] == nil {
			pc.threads[k.threadID] = map[string]struct{}{}
		}
		pc.threads[k.threadID][key] = struct{}{}
		pc.mu.Unlock()
	}
}

// cachedFromIdentity serves k in the request's encoding from its stored identity bytes,
// compressing them once; it reports whether it could.
func (s *Server) cachedFromIdentity(c *gin.Context, k pageKey) bool {
	pc := s.cache
	enc := negotiate(c.GetHeader("Accept-Encoding"))
	if !pc.enabled() || enc == encIdentity {
		return false
	}
	id, ok := pc.entries.GetIfPresent(k.base + "|" + encIdentity)
	if !ok {
		return false
	}
	s.fillEntry(c, k, id, id.body)
	return true
}

func (s *Server) writeCached(c *gin.Context, p *cachedPage, enc string) {
	h := c.Writer.Header()
	h.Set("Cache-Control", cmpOr(p.cacheControl, cacheControlPublic))
	h.Set("ETag", p.etag)
	if !p.lastModified.IsZero() {
		h.Set("Last-Modified", p.lastModified.UTC().Format(http.TimeFormat))
	}
	addVary(h, "Accept-Encoding")
	if p.notModified(c.Request) { // fastpath.go
		c.Status(http.StatusNotModified)
		c.Abort()
		return
	}
	if enc != encIdentity {
		h.Set("Content-Encoding", enc)
	}
	c.Data(http.StatusOK, p.contentType, p.body)
	c.Abort()
}

func addVary(h http.Header, v string) {
	for _, have := range h.Values("Vary") {
		for part := range strings.SplitSeq(have, ",") {
			if strings.EqualFold(strings.TrimSpace(part), v) {
				return
			}
		}
	}
	h.Add("Vary", v)
}

func compress(enc string, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	switch enc {
	case encGzip:
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed+5) // level 6: zlib's default
	case encBrotli:
		w = brotli.NewWriterLevel(&buf, 6)
	default:
		return body, nil
	}
	if _, err := w.Write(body); err != nil {
		return nil, fmt.Errorf("compress %s: %w", enc, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("compress %s: %w", enc, err)
	}
	return buf.Bytes(), nil
}

// ctxPageKey carries a visitor page's cache key from its handler to s.html, which fills
// the cache with the rendered bytes when the page turns out to hold no form.
const ctxPageKey = "page_key"

// visitorCached is the handlers' entry to the cache: for a visitor's GET it answers from
// the cache when it can, or with the error k met (true: the handler is done), and
// otherwise marks the request so s.html stores what it renders under k's key. Most hits
// never get here: the fast path answers them before gin (fastpath.go); these are the
// ones whose version it did not know.
func (s *Server) visitorCached(c *gin.Context, k func() (pageKey, error)) bool {
	if !s.cache.enabled() || currentUser(c) != nil || c.Request.Method != http.MethodGet {
		return false
	}
	key, err := k()
	if err != nil {
		s.error(c, err)
		return true
	}
	c.Set(ctxPageKey, key)
	return s.serveCached(c, key)
}

// buildID identifies the templates and static files this binary serves.
func buildID(files fs.FS) (string, error) {
	h := fnv.New64a()
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash web files: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// listingKey is visitorCached's key for a listing, read before the listing itself.
func (s *Server) listingKey(c *gin.Context, route string) func() (pageKey, error) {
	return func() (pageKey, error) {
		gen, err := s.store.ListingGeneration(c.Request.Context())
		if err != nil {
			return pageKey{}, err
		}
		return s.cache.listingKey(route, gen, s.cacheVariant(c.Request), c.Request.URL.RequestURI()), nil
	}
}
