package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"forum/internal/forum"
)

// A stuck row must not take the site down. With one thread's row locked for long (an
// open admin session, a long rerender, a migration), every writer to that thread used to
// wait on the lock holding a pooled connection, until the pool was gone and no page was
// served. So:
//
//   - every connection carries a statement and a lock timeout, so a write queued behind
//     a lock gives up (503) instead of waiting for ever;
//   - a request waits at most Options.PoolWait for a connection, and for a write slot;
//   - writes may hold at most half the pool, and at most WritersPerThread of them may
//     work on one thread at once; the rest wait for a slot holding no connection. Reads
//     (plain SELECTs, which never wait on row locks in PostgreSQL) always have the other
//     half of the pool.
//
// The slots are per process because the pool they protect is: each instance bounds its
// own connections.

// Options bound the pool and the store's use of it; zero values mean "no bound" (the
// tools and most tests), production passes config.DBSettings.
type Options struct {
	MaxConns         int           // pooled connections; Open defaults to 20
	StatementTimeout time.Duration // PostgreSQL statement_timeout on every pooled connection
	LockTimeout      time.Duration // PostgreSQL lock_timeout on every pooled connection
	PoolWait         time.Duration // longest wait for a connection or a write slot
	WritersPerThread int           // concurrent write transactions on one thread
	// PgBouncer: the URL is PgBouncer in transaction mode, where a server connection
	// serves whichever client has a transaction, so nothing may rest on one: the
	// timeouts are not startup parameters but SET LOCAL in every write transaction, and
	// each statement goes in one round trip (see Open).
	PgBouncer bool
	// Lazy: Open does not check the connection (a replica may come up after the forum).
	Lazy bool
}

// busyRetryAfter is what a busy answer tells the client to wait: about one lock timeout.
const busyRetryAfter = 2 * time.Second

// The errors of a busy database: each is a 503 with Retry-After.
var (
	// ErrPoolBusy: no connection came free within the pool wait. /readyz tells it apart
	// from a database that does not answer.
	ErrPoolBusy = (&forum.Error{Code: forum.EUnavailable, RetryAfter: busyRetryAfter,
		Message: "The forum is busy right now. Wait a moment and try again."}).T("error.busy_pool")
	// ErrThreadBusy: too many writes to one thread are already waiting or working.
	ErrThreadBusy = (&forum.Error{Code: forum.EUnavailable, RetryAfter: busyRetryAfter,
		Message: "Many people are writing to this thread right now. Wait a moment and try again."}).T("error.busy_thread")
	// ErrRowBusy: a lock the write needs is held by someone else for longer than the lock timeout.
	ErrRowBusy = (&forum.Error{Code: forum.EUnavailable, RetryAfter: busyRetryAfter,
		Message: "Someone else is changing this right now. Wait a moment and try again."}).T("error.busy_row")
	// ErrSlow: a statement ran past the statement timeout.
	ErrSlow = (&forum.Error{Code: forum.EUnavailable, RetryAfter: busyRetryAfter,
		Message: "The forum is taking too long to answer right now. Wait a moment and try again."}).T("error.busy_slow")
	// ErrNoDatabase: the database cannot be reached or refuses connections.
	ErrNoDatabase = (&forum.Error{Code: forum.EUnavailable, RetryAfter: busyRetryAfter,
		Message: "The forum cannot reach its database right now. Wait a moment and try again."}).T("error.busy_database")
	// ErrDatabaseFull: the database is out of disk or memory (SQLSTATE 53100, 53200,
	// 53000). It waits for an operator, so the client is told to wait longer.
	ErrDatabaseFull = (&forum.Error{Code: forum.EUnavailable, RetryAfter: fullRetryAfter,
		Message: "The forum's database has run out of room, so nothing can be saved right now. Try again in a few minutes."}).T("error.busy_full")
)

// fullRetryAfter is what a full database tells the client to wait: room is made by hand.
const fullRetryAfter = time.Minute

// Open connects to PostgreSQL with the pool size and timeouts of o, and checks the
// connection.
//
// The timeouts are startup parameters of every pooled connection (lib/pq sends the
// Config's Runtime map in the startup message): there is no extra round trip and no
// connection without them, whatever form the URL takes. The live-events LISTEN
// connection is opened from the URL by internal/live, not here, so it gets neither (a
// statement timeout would not end an idle LISTEN anyway: waiting for notifications runs
// no statement). Behind PgBouncer in transaction mode, set the timeouts on the role
// instead (ALTER ROLE ... SET lock_timeout = '2s') and set these to 0.
//
// With o.PgBouncer (FORUM_DB_PGBOUNCER) the timeouts are not startup parameters (PgBouncer
// refuses parameters it does not know, and a pooled server connection would not keep
// them): every write transaction begins with SET LOCAL of both, which ends with the
// transaction, and single statements outside one are bounded by the role's own
// statement_timeout (ALTER ROLE forum SET statement_timeout = '5s'). lib/pq's
// binary_parameters mode, on for every connection, matters there too: a statement with
// arguments is sent as one Parse/Bind/Execute/Sync, where the default parses and
// describes it first with a Sync of its own — after which PgBouncer may hand the Bind to
// another server connection, which has no such unnamed statement.
func Open(ctx context.Context, url string, o Options) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	rt := make(map[string]string, len(cfg.Runtime)+2)
	for k, v := range cfg.Runtime {
		rt[k] = v
	}
	if o.StatementTimeout > 0 && !o.PgBouncer {
		rt["statement_timeout"] = millis(o.StatementTimeout)
	}
	if o.LockTimeout > 0 && !o.PgBouncer {
		rt["lock_timeout"] = millis(o.LockTimeout)
	}
	cfg.Runtime = rt
	// One round trip per statement with arguments, not two: lib/pq's default parses and
	// describes a statement with a Sync of its own before binding it, and a reply's
	// transaction is round trips more than fsyncs (store.CreateReply). The mode
	// only changes how []byte arguments travel (binary, as bytea wants them).
	cfg.BinaryParameters = true
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	maxConns := o.MaxConns
	if maxConns <= 0 {
		maxConns = 20
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(max(maxConns/2, 1))
	db.SetConnMaxIdleTime(5 * time.Minute)
	if o.Lazy {
		return db, nil
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// setLocalTimeouts is the statement that gives one transaction o's timeouts; "" when
// neither is set.
func setLocalTimeouts(o Options) string {
	var q string
	if o.StatementTimeout > 0 {
		q += "SET LOCAL statement_timeout = " + millis(o.StatementTimeout) + "; "
	}
	if o.LockTimeout > 0 {
		q += "SET LOCAL lock_timeout = " + millis(o.LockTimeout) + "; "
	}
	return q
}

// millis is d in whole milliseconds (PostgreSQL's unit for these settings), rounded up
// so a short timeout never becomes 0, which would mean none.
func millis(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Millisecond-1)/time.Millisecond), 10)
}

// pool is the store's handle on the database: the *sqlx.DB with the single-statement
// calls the store makes (GetContext, SelectContext, ExecContext) bounded by the pool
// wait and their busy errors turned into the errors above, and the write slots.
type pool struct {
	*sqlx.DB
	wait    time.Duration // 0: no bound but the caller's context
	writers *slots        // all write transactions; nil: no limit
	threads *keyedSlots   // write transactions per thread; nil: no limit
	// setLocal begins every transaction when the timeouts cannot be per connection
	// (Options.PgBouncer); "" otherwise.
	setLocal string
}

func newPool(db *sqlx.DB, o Options) *pool {
	p := &pool{DB: db, wait: o.PoolWait}
	if o.PgBouncer {
		p.setLocal = setLocalTimeouts(o)
	}
	if o.WritersPerThread > 0 {
		p.threads = newKeyedSlots(o.WritersPerThread)
	}
	// Writes get half the pool so that reads always find a connection. Only with a pool
	// wait: without one, a wait for a write slot would be one more wait without end.
	if n := db.Stats().MaxOpenConnections; n > 0 && o.PoolWait > 0 {
		p.writers = newSlots(max(n/2, 1))
	}
	return p
}

// deadline is when a wait that starts now must end; zero when waits are unbounded.
func (p *pool) deadline() time.Time {
	if p.wait <= 0 {
		return time.Time{}
	}
	return time.Now().Add(p.wait)
}

// conn takes a connection from the pool, waiting until deadline at most. Only the wait
// is bounded: the connection returned is not tied to the waiting context.
func (p *pool) conn(ctx context.Context, deadline time.Time) (*sqlx.Conn, error) {
	wctx := ctx
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		wctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	c, err := p.DB.Connx(wctx)
	if err == nil {
		return c, nil
	}
	switch {
	case ctx.Err() != nil: // the request is gone; nobody reads the answer
		return nil, fmt.Errorf("wait for a database connection: %w", err)
	case errors.Is(err, context.DeadlineExceeded):
		return nil, fmt.Errorf("%w (no connection free after %s)", ErrPoolBusy, p.wait)
	}
	if b := busyCause(ctx, err); b != nil {
		return nil, fmt.Errorf("%w (%w)", b, err)
	}
	// The cause goes to the log; the visitor gets a 503 saying to try again.
	slog.WarnContext(ctx, "database connection failed", "err", err)
	return nil, fmt.Errorf("%w (%w)", ErrNoDatabase, err)
}

// withConn runs one statement on a pooled connection. Like database/sql's own calls it
// retries on a fresh connection when the driver says the statement was never sent
// (driver.ErrBadConn: an idle connection the server had closed).
func (p *pool) withConn(ctx context.Context, fn func(c *sqlx.Conn) error) error {
	var err error
	for range 3 {
		var c *sqlx.Conn
		if c, err = p.conn(ctx, p.deadline()); err != nil {
			return err
		}
		err = fn(c)
		c.Close()
		if !errors.Is(err, driver.ErrBadConn) {
			break
		}
	}
	return busy(ctx, err)
}

// GetContext is sqlx's GetContext with a bounded wait for the connection.
func (p *pool) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return p.withConn(ctx, func(c *sqlx.Conn) error { return c.GetContext(ctx, dest, query, args...) })
}

// SelectContext is sqlx's SelectContext with a bounded wait for the connection.
func (p *pool) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return p.withConn(ctx, func(c *sqlx.Conn) error { return c.SelectContext(ctx, dest, query, args...) })
}

// ExecContext is sqlx's ExecContext with a bounded wait for the connection.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := p.withConn(ctx, func(c *sqlx.Conn) error {
		var err error
		res, err = c.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// tx runs fn in one transaction, holding a write slot (and one of threadID's slots when
// threadID is not 0) for its duration. Every wait before the transaction starts — for
// the thread's slot, a write slot, a connection — ends at one deadline, PoolWait from now.
//
// database/sql ties a transaction to the context given to BeginTx and rolls it back when
// that context ends, so the short deadline cannot go to BeginTx: the connection is taken
// with it (a *sql.Conn), and the transaction begins on that connection with the request's
// own context.
func (p *pool) tx(ctx context.Context, threadID int64, fn func(tx *sqlx.Tx) error) error {
	deadline := p.deadline()
	if threadID != 0 && p.threads != nil {
		release, err := p.threads.acquire(ctx, threadID, deadline)
		if err != nil {
			return err
		}
		defer release()
	}
	if p.writers != nil {
		if err := p.writers.acquire(ctx, deadline, ErrPoolBusy); err != nil {
			return err
		}
		defer p.writers.release()
	}
	var c *sqlx.Conn
	var tx *sqlx.Tx
	var err error
	for range 3 { // a fresh connection when a stale one fails before BEGIN is sent
		if c, err = p.conn(ctx, deadline); err != nil {
			return err
		}
		if tx, err = c.BeginTxx(ctx, nil); err == nil {
			break
		}
		c.Close()
		if !errors.Is(err, driver.ErrBadConn) {
			return busy(ctx, fmt.Errorf("begin: %w", err))
		}
	}
	if err != nil {
		return busy(ctx, fmt.Errorf("begin: %w", err))
	}
	defer c.Close()
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if p.setLocal != "" {
		if _, err := tx.ExecContext(ctx, p.setLocal); err != nil {
			return busy(ctx, fmt.Errorf("set timeouts: %w", err))
		}
	}
	if err := fn(tx); err != nil {
		return busy(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return busy(ctx, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// busy turns the PostgreSQL errors of a busy database into 503s that say to try again,
// keeping the cause in the chain for the log. Anything else is returned as it is.
func busy(ctx context.Context, err error) error {
	if b := busyCause(ctx, err); b != nil {
		return fmt.Errorf("%w (%w)", b, err)
	}
	return err
}

// busyCause is the busy error that err from PostgreSQL means, or nil.
func busyCause(ctx context.Context, err error) *forum.Error {
	if err == nil || ctx.Err() != nil {
		return nil
	}
	// A connection that died under the statement (the server restarting or killed):
	// the database is going away or coming back, not the request's fault.
	var netErr net.Error
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.As(err, &netErr) && !errors.Is(err, context.DeadlineExceeded) {
		return ErrNoDatabase
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return nil
	}
	switch pqErr.Code.Class() {
	case "08": // connection_exception
		return ErrNoDatabase
	}
	switch pqErr.Code {
	case "57P01", "57P02": // admin_shutdown, crash_shutdown: the server is restarting
		return ErrNoDatabase
	case "55P03": // lock_not_available: lock_timeout ran out waiting for a row
		return ErrRowBusy
	case "57014": // query_canceled: statement_timeout, or the request went away
		if ctx.Err() == nil {
			return ErrSlow
		}
	case "53000", "53100", "53200": // insufficient_resources, disk_full, out_of_memory
		// An operator's matter, not a busy moment: logged, with the SQLSTATE to grep for.
		slog.ErrorContext(ctx, "database out of resources", "sqlstate", string(pqErr.Code), "err", pqErr.Message)
		return ErrDatabaseFull
	case "53300", "53400": // too_many_connections, configuration_limit_exceeded
		slog.ErrorContext(ctx, "database refuses connections", "sqlstate", string(pqErr.Code), "err", pqErr.Message)
		return ErrNoDatabase
	case "57P03": // cannot_connect_now: starting up or shutting down
		return ErrNoDatabase
	}
	return nil
}

// PoolState is what /readyz reports of the pool.
type PoolState struct {
	sql.DBStats
	WritesInUse int // write transactions holding a slot
	MaxWrites   int // 0: no limit
	PoolWait    time.Duration
}

// PoolState reports the pool's statistics and the write slots in use.
func (s *Store) PoolState() PoolState {
	st := PoolState{DBStats: s.db.Stats(), PoolWait: s.db.wait}
	if s.db.writers != nil {
		st.WritesInUse, st.MaxWrites = s.db.writers.inUse(), cap(s.db.writers.ch)
	}
	return st
}

// pingTimeout bounds how long /readyz waits for the database's answer.
const pingTimeout = 2 * time.Second

// Ping checks that the database answers within pingTimeout. When no connection comes
// free within the pool wait it returns ErrPoolBusy: the connections are all answering
// other requests, which is a busy instance, not a dead database.
func (s *Store) Ping(ctx context.Context) error {
	deadline := s.db.deadline()
	if deadline.IsZero() {
		deadline = time.Now().Add(pingTimeout)
	}
	c, err := s.db.conn(ctx, deadline)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	var one int
	if err := c.GetContext(ctx, &one, `SELECT 1`); err != nil {
		return fmt.Errorf("query database: %w", err)
	}
	return nil
}
