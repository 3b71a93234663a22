package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"forum/internal/forum"
	"forum/internal/store"
)

// limiter is the one way handlers count an attempt against the forum's rate limits:
// the store counts in PostgreSQL (shared by every instance), forum decides, and the
// limiter exports how often each limit is checked and how often it refuses.
type limiter struct {
	store    *store.Store
	limits   forum.Limits
	checks   *prometheus.CounterVec
	refusals *prometheus.CounterVec
}

func newLimiter(st *store.Store, limits forum.Limits, reg prometheus.Registerer) *limiter {
	l := &limiter{
		store:  st,
		limits: limits,
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forum_rate_limit_checks_total", Help: "Attempts counted against a rate limit, by limit.",
		}, []string{"limit"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forum_rate_limit_refusals_total", Help: "Attempts a rate limit refused (429), by limit.",
		}, []string{"limit"}),
	}
	reg.MustRegister(l.checks, l.refusals)
	return l
}

// take counts one attempt and decides it: nil to go ahead, or ERateLimited saying when
// to try again (its RetryAfter becomes the Retry-After header on the one error path).
func (l *limiter) take(ctx context.Context, a forum.Attempt) error {
	counts, err := l.store.Take(ctx, a.Counters())
	if err != nil {
		return err
	}
	return l.decide(a)(counts)
}

// decide is take's ruling on counts already taken (by a write that counts its attempt in
// its own transaction: store.NewReply.Limit).
func (l *limiter) decide(a forum.Attempt) func(counts []forum.Count) error {
	return func(counts []forum.Count) error { return l.rule(a, counts) }
}

func (l *limiter) rule(a forum.Attempt, counts []forum.Count) error {
	seen := map[string]bool{}
	for _, x := range a.Limits {
		if !seen[x.Name] {
			seen[x.Name] = true
			l.checks.WithLabelValues(x.Name).Inc()
		}
	}
	refused := map[string]bool{}
	for _, x := range forum.Exceeded(a.Limits, counts) {
		if !refused[x.Name] {
			refused[x.Name] = true
			l.refusals.WithLabelValues(x.Name).Inc()
		}
	}
	return a.Check(time.Now(), counts)
}

// pace counts one failed-login attempt on an account from any address when its pace
// allows (forum.Pace): a short wait at worst, never a lockout.
func (l *limiter) pace(ctx context.Context, key string) error {
	p := l.limits.LoginAccount
	l.checks.WithLabelValues(p.Name).Inc()
	err := l.store.TakePaced(ctx, key, p)
	if forum.ErrorCode(err) == forum.ERateLimited {
		l.refusals.WithLabelValues(p.Name).Inc()
	}
	return err
}

// sweep forgets expired counters every interval until ctx ends, so the table holds
// only recent activity.
func (l *limiter) sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := l.store.SweepRateLimits(ctx, l.limits.Longest()); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "sweep rate limits", "err", err)
		}
	}
}
