package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Reads from a streaming replica (DATABASE_READ_URL).
//
// Only reads that tolerate a little lag go there — listings, feeds, search, thread pages
// and their JSON — and only when the web layer marks the request with ReplicaReads: a
// store method that may be served by the replica asks s.reader(ctx), every other one
// (writes, anything under a row lock, sessions, rate limits, moderator screens) uses the
// primary as before. The decision is taken once per request and kept in its context, so
// one page never mixes a replica's older state after the primary's newer one (the page
// cache keys a thread page on the version the same reader gave).
//
// A replica is read only while it is healthy: its lag, checked at most once a second in
// the background, is within the bound, and it answers. Otherwise — down, lagging,
// refusing connections, a query cancelled by a recovery conflict — reads go to the
// primary: a request starting then is not routed, and a read that fails on the replica
// is retried once on the primary (and marks the replica down until the next check).

// ReplicaOptions bound the replica's use.
type ReplicaOptions struct {
	Options               // the read pool's size, wait and statement timeout
	MaxLag  time.Duration // a replica further behind than this is not read
}

// replica is the read pool and what the last check found.
type replica struct {
	pool     *pool
	primary  *pool
	maxLag   time.Duration
	ok       atomic.Bool  // the last check found it answering and within maxLag
	checking atomic.Bool  // a check is running
	checked  atomic.Int64 // when the last check started, unix nanoseconds
	lag      atomic.Int64 // the last lag measured, nanoseconds
}

// replicaCheckEvery is how stale the replica's health may be.
const replicaCheckEvery = time.Second

// WithReplica sends the reads that tolerate lag to db, a streaming replica opened by Open
// with o's bounds. It checks the replica once before returning, so a healthy one is read
// from the first request on; a failed check is logged, not returned: the forum serves
// from the primary until the replica comes back.
func (s *Store) WithReplica(ctx context.Context, db *sqlx.DB, o ReplicaOptions) *Store {
	s.replica = &replica{pool: newPool(db, o.Options), primary: s.db, maxLag: o.MaxLag}
	s.replica.pool.writers, s.replica.pool.threads = nil, nil // it is never written
	if err := s.CheckReplica(ctx); err != nil {
		slog.WarnContext(ctx, "read replica not used yet", "err", err)
	}
	return s
}

// HasReplica reports whether a replica is configured (healthy or not).
func (s *Store) HasReplica() bool { return s.replica != nil }

// ReplicaDB is the replica's handle, for metrics; nil without one.
func (s *Store) ReplicaDB() *sqlx.DB {
	if s.replica == nil {
		return nil
	}
	return s.replica.pool.DB
}

// ReplicaState is what the last check found: whether reads go there and how far behind
// it was (-1: the check could not measure it).
func (s *Store) ReplicaState() (ok bool, lag time.Duration) {
	if s.replica == nil {
		return false, 0
	}
	return s.replica.ok.Load(), time.Duration(s.replica.lag.Load())
}

// readRoute is a request's choice of reader, kept in its context.
type readRoute struct{ replica atomic.Bool }

type readRouteKey struct{}

// ReplicaReads returns ctx marked so that the reads which tolerate lag go to the replica,
// if there is one and it is healthy now; otherwise ctx unchanged.
func (s *Store) ReplicaReads(ctx context.Context) context.Context {
	r := s.replica
	if r == nil {
		return ctx
	}
	r.refresh()
	if !r.ok.Load() {
		return ctx
	}
	rt := &readRoute{}
	rt.replica.Store(true)
	return context.WithValue(ctx, readRouteKey{}, rt)
}

// ReadsReplica reports whether ctx's lag-tolerant reads go to the replica now.
func ReadsReplica(ctx context.Context) bool {
	rt, _ := ctx.Value(readRouteKey{}).(*readRoute)
	return rt != nil && rt.replica.Load()
}

// primaryFromNow sends the rest of ctx's reads to the primary: what they show must not be
// older than something just read there (ListingGeneration).
func primaryFromNow(ctx context.Context) {
	if rt, _ := ctx.Value(readRouteKey{}).(*readRoute); rt != nil {
		rt.replica.Store(false)
	}
}

// reading is what the store's lag-tolerant reads run on.
type reading interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// reader is the replica when ctx was marked by ReplicaReads and nothing since sent it to
// the primary; the primary otherwise.
func (s *Store) reader(ctx context.Context) reading {
	if s.replica == nil {
		return s.db
	}
	if rt, _ := ctx.Value(readRouteKey{}).(*readRoute); rt != nil && rt.replica.Load() {
		return replicaReader{s.replica, rt}
	}
	return s.db
}

// replicaReader reads from the replica and, when the replica fails, once more from the
// primary.
type replicaReader struct {
	r  *replica
	rt *readRoute
}

func (rr replicaReader) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	err := rr.r.pool.GetContext(ctx, dest, query, args...)
	if rr.failed(ctx, err) {
		return rr.r.primary.GetContext(ctx, dest, query, args...)
	}
	return err
}

func (rr replicaReader) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	err := rr.r.pool.SelectContext(ctx, dest, query, args...)
	if rr.failed(ctx, err) {
		return rr.r.primary.SelectContext(ctx, dest, query, args...)
	}
	return err
}

// failed reports an error that is the replica's fault, not the query's: it is then
// marked down until the next check, and the request reads the primary from here on.
func (rr replicaReader) failed(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var pqErr *pq.Error
	// 40001: canceling statement due to conflict with recovery (a standby's own error).
	conflict := errors.As(err, &pqErr) && pqErr.Code == "40001"
	if !conflict && !errors.Is(err, ErrNoDatabase) && !errors.Is(err, ErrPoolBusy) && !errors.Is(err, ErrSlow) &&
		!errors.Is(err, ErrDatabaseFull) { // the replica out of memory, say: the primary may not be
		return false
	}
	slog.WarnContext(ctx, "read replica failed; reading the primary", "err", err)
	rr.r.ok.Store(false)
	rr.rt.replica.Store(false)
	return true
}

// refresh starts a check in the background when the last one is older than
// replicaCheckEvery; requests never wait for it.
func (r *replica) refresh() {
	if time.Since(time.Unix(0, r.checked.Load())) < replicaCheckEvery || !r.checking.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer r.checking.Store(false)
		r.checkLogged(context.Background())
	}()
}

// checkLogged runs one check bounded by replicaCheckEvery and logs the replica's going
// out of use (once, not at every check while it stays out). The caller holds r.checking.
func (r *replica) checkLogged(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, replicaCheckEvery)
	defer cancel()
	wasOK := r.ok.Load() // check clears it on failure
	if err := r.check(ctx); err != nil && wasOK {
		slog.WarnContext(ctx, "read replica not used", "err", err)
	}
}

// ReplicaHealth is the replica's state as /readyz reports it.
type ReplicaHealth struct {
	InUse  bool          // lag-tolerant reads go to the replica; false: they fell back to the primary
	Lag    time.Duration // at the last check; -1 when it could not be measured
	MaxLag time.Duration
}

// ReplicaHealthNow reports the replica's state, checking it first when the last check is
// older than replicaCheckEvery (unless one is running), so /readyz says what the next
// request will do. ok is false without a replica.
func (s *Store) ReplicaHealthNow(ctx context.Context) (h ReplicaHealth, ok bool) {
	r := s.replica
	if r == nil {
		return ReplicaHealth{}, false
	}
	if time.Since(time.Unix(0, r.checked.Load())) >= replicaCheckEvery && r.checking.CompareAndSwap(false, true) {
		r.checkLogged(context.WithoutCancel(ctx)) // a caller going away is no failure of the replica's
		r.checking.Store(false)
	}
	return ReplicaHealth{InUse: r.ok.Load(), Lag: time.Duration(r.lag.Load()), MaxLag: r.maxLag}, true
}

// CheckReplica measures the replica's lag now and decides whether it is read.
func (s *Store) CheckReplica(ctx context.Context) error {
	if s.replica == nil {
		return nil
	}
	return s.replica.check(ctx)
}

// check measures the lag. The primary's WAL position is read first: a replica that has
// replayed up to it has everything committed before the check began, whatever its last
// transaction's age (an idle primary writes no transactions to replay). A replica behind
// it is as old as its last replayed transaction. A database that is not in recovery at
// all (a second primary standing in for a replica, as in the tests) counts as current.
func (r *replica) check(ctx context.Context) (err error) {
	r.checked.Store(time.Now().UnixNano())
	defer func() {
		if err != nil {
			r.ok.Store(false)
		}
	}()
	var lsn string
	if err := r.primary.GetContext(ctx, &lsn, `SELECT pg_current_wal_lsn()::text`); err != nil {
		r.lag.Store(-1)
		return fmt.Errorf("primary's WAL position: %w", err)
	}
	var st struct {
		Recovery bool    `db:"recovery"`
		CaughtUp bool    `db:"caught_up"`
		Since    float64 `db:"since"` // seconds since the last replayed transaction; -1: none yet
	}
	if err := r.pool.GetContext(ctx, &st, `SELECT pg_is_in_recovery() AS recovery,
		COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up,
		COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8, -1) AS since`, lsn); err != nil {
		r.lag.Store(-1) // not measured: an older figure would pass for the current one
		return fmt.Errorf("replica's lag: %w", err)
	}
	var lag time.Duration
	switch {
	case !st.Recovery, st.CaughtUp:
	case st.Since < 0:
		lag = time.Duration(1<<63 - 1)
	default:
		lag = time.Duration(st.Since * float64(time.Second))
	}
	r.lag.Store(int64(lag))
	if lag > r.maxLag {
		r.ok.Store(false)
		return fmt.Errorf("replica is %s behind, more than %s", lag.Round(time.Millisecond), r.maxLag)
	}
	r.ok.Store(true)
	return nil
}
