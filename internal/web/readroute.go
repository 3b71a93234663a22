package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"forum/internal/store"
)

// Reads from the replica (DATABASE_READ_URL, store/replica.go), decided per request.
//
// Only the pages whose reads tolerate a little lag are offered to the replica: listings,
// thread pages and their JSON, a post's permalink, search and the public feeds. Everything
// else — forms, settings, notifications, moderator screens, the live streams, every write —
// reads the primary, and so do the reads a handler makes through store methods that never
// ask for the replica (sessions, rate limits, unread marks).
//
// A person always sees their own writes: every unsafe request sets a cookie saying until
// when that browser reads the primary (FORUM_READ_YOUR_WRITES), so it holds on whichever
// instance serves the next page. The cookie is a time, not a secret: forging it only
// sends one's own reads to the primary.

// wroteCookieName is the read-your-writes cookie.
const wroteCookieName = "forum_wrote"

// defaultReadYourWrites is the window when the Config was built by hand (tests).
const defaultReadYourWrites = 5 * time.Second

// replicaRoutes are the GET routes that may read the replica.
var replicaRoutes = map[string]bool{
	RouteHome: true, RouteCategories: true, RouteCategory: true, RouteThread: true, RouteThreadSlug: true,
	RoutePost: true, RouteSearch: true,
	RouteAPIThreads: true, RouteAPIThread: true, RouteAPIPost: true, RouteAPISearch: true,
}

// replicaFeeds are the public feeds' paths, without the format's extension.
var replicaFeeds = []string{RouteFeedForum, RouteFeedCategory, RouteFeedThread, RouteFeedUser, RouteFeedPost}

func mayReadReplica(route string) bool {
	if replicaRoutes[route] {
		return true
	}
	for _, f := range replicaFeeds {
		if strings.HasPrefix(route, f+".") {
			return true
		}
	}
	return false
}

// routeReads marks a lag-tolerant GET for the replica unless this browser wrote within
// the window, and starts the window on every unsafe request.
func (s *Server) routeReads(c *gin.Context) {
	if !s.store.HasReplica() {
		return
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead:
		if mayReadReplica(c.FullPath()) && !wroteRecently(c.Request, time.Now()) {
			c.Request = c.Request.WithContext(s.store.ReplicaReads(c.Request.Context()))
		}
	default:
		// Before the handler, which may redirect and write its headers: a request that
		// turns out to change nothing costs only a few reads on the primary.
		window := s.cfg.Replica.ReadYourWrites
		if window <= 0 {
			window = defaultReadYourWrites
		}
		until := time.Now().Add(window)
		http.SetCookie(c.Writer, &http.Cookie{Name: wroteCookieName, Value: strconv.FormatInt(until.UnixMilli(), 10),
			Path: "/", MaxAge: int((window + time.Second - 1) / time.Second), HttpOnly: true,
			Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	}
}

// wroteRecently reports a read-your-writes cookie whose window has not ended.
func wroteRecently(r *http.Request, now time.Time) bool {
	ck, err := r.Cookie(wroteCookieName)
	if err != nil {
		return false
	}
	ms, err := strconv.ParseInt(ck.Value, 10, 64)
	return err == nil && now.UnixMilli() < ms
}

// markReplica is the mark of a request reading the replica: versionBook.learn never
// learns what such a request read.
const markReplica = ^uint64(0)

// cacheMark is s.cache.mark() for a request reading the primary. A thread version read
// from the replica may be older than a change this instance already heard, which the
// mark cannot tell, and the fast path would then key every visitor's hit on the stale
// version until the thread next changed. Its page is still cached, under that older
// version, for requests that read the same version.
func (s *Server) cacheMark(c *gin.Context) uint64 {
	if store.ReadsReplica(c.Request.Context()) {
		return markReplica
	}
	return s.cache.mark()
}

// replicaMetrics exports the replica's state, when there is one: whether reads go there
// (alert when 0 for long: the primary carries every read), its last measured lag, and
// its pool's statistics as forum_read_* (the primary's are forum_*).
func (s *Server) replicaMetrics(reg prometheus.Registerer) {
	if !s.store.HasReplica() {
		return
	}
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "forum_db_replica_up",
			Help: "1 while lag-tolerant reads go to the replica (DATABASE_READ_URL), 0 while they fall back to the primary."},
			func() float64 {
				if ok, _ := s.store.ReplicaState(); ok {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "forum_db_replica_lag_seconds",
			Help: "The replica's lag at the last check (once a second while it is read); NaN when the last check could not measure it."},
			func() float64 {
				if _, lag := s.store.ReplicaState(); lag >= 0 {
					return min(lag.Seconds(), 1e9)
				}
				return math.NaN()
			}),
		collectors.NewDBStatsCollector(s.store.ReplicaDB().DB, "forum_read"),
	)
}
