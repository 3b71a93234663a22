package web

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"forum/internal/forum"
)

// metrics are the server's Prometheus series, in a registry of its own so tests can
// build many servers in one process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	serve    http.Handler // the registry in Prometheus' text format
}

func newMetrics(db *sql.DB) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forum_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "forum_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	m.registry.MustRegister(m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db, "forum"))
	m.serve = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

// observe records each request under its route pattern (not its raw path, which would
// make one series per thread).
func (m *metrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

func (m *metrics) handler() http.Handler { return m.serve }

// serveMetrics is /metrics on the public address: the series describe the site's
// traffic and database, so they are shown only to whoever holds FORUM_METRICS_TOKEN (as
// "Authorization: Bearer <token>"); without a token set there is nothing at /metrics.
func (s *Server) serveMetrics(c *gin.Context) {
	token := s.cfg.Metrics.Token
	if token == "" {
		s.error(c, forum.Errorf(forum.ENotFound, "There is no page at this address.").T("error.no_page"))
		return
	}
	got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
		s.error(c, forum.Errorf(forum.EUnauthorized, "The metrics need the bearer token set in FORUM_METRICS_TOKEN.").T("error.metrics_token"))
		return
	}
	s.metrics.handler().ServeHTTP(c.Writer, c.Request)
}

// MetricsHandler serves /metrics without a token, and Go's profiles under
// /debug/pprof/, for the separate listener of FORUM_METRICS_ADDR, which only the
// operator's network should reach.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+RouteMetrics, s.metrics.handler())
	handlePprof(mux)
	return mux
}
