package config

import (
	"flag"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// DBSettings bound the database pool and what one request may cost it, so a stuck row
// or a slow statement costs a few requests a 503 instead of stalling the whole site.
type DBSettings struct {
	MaxConns         int           // FORUM_DB_MAX_CONNS: pooled connections per instance
	StatementTimeout time.Duration // FORUM_DB_STATEMENT_TIMEOUT: longest statement; 0 keeps the server's
	LockTimeout      time.Duration // FORUM_DB_LOCK_TIMEOUT: longest wait for a lock; 0 keeps the server's
	PoolWait         time.Duration // FORUM_DB_POOL_WAIT: longest wait for a connection or a write slot
	WritersPerThread int           // FORUM_WRITERS_PER_THREAD: concurrent writes to one thread per instance
	// PgBouncer is FORUM_DB_PGBOUNCER: DATABASE_URL is PgBouncer in transaction mode, so
	// nothing may be set per connection (store.Open says what changes).
	PgBouncer bool
}

// DefaultDBSettings are the settings when nothing is set.
func DefaultDBSettings() DBSettings {
	return DBSettings{MaxConns: 20, StatementTimeout: 5 * time.Second, LockTimeout: 2 * time.Second,
		PoolWait: 2 * time.Second, WritersPerThread: 4}
}

// dbFlags holds the raw database settings between reading the environment, parsing the
// flags over it and validating the result.
type dbFlags struct {
	maxConns, statementTimeout, lockTimeout, poolWait, writersPerThread, trustedProxies string
}

func bindDBFlags(fs *flag.FlagSet, getenv func(string) string) *dbFlags {
	f := &dbFlags{
		maxConns:         getenv("FORUM_DB_MAX_CONNS"),
		statementTimeout: getenv("FORUM_DB_STATEMENT_TIMEOUT"),
		lockTimeout:      getenv("FORUM_DB_LOCK_TIMEOUT"),
		poolWait:         getenv("FORUM_DB_POOL_WAIT"),
		writersPerThread: getenv("FORUM_WRITERS_PER_THREAD"),
		trustedProxies:   getenv("FORUM_TRUSTED_PROXIES"),
	}
	fs.StringVar(&f.maxConns, "db-max-conns", f.maxConns, "pooled database connections (FORUM_DB_MAX_CONNS)")
	fs.StringVar(&f.statementTimeout, "db-statement-timeout", f.statementTimeout, "longest SQL statement (FORUM_DB_STATEMENT_TIMEOUT)")
	fs.StringVar(&f.lockTimeout, "db-lock-timeout", f.lockTimeout, "longest wait for a row lock (FORUM_DB_LOCK_TIMEOUT)")
	fs.StringVar(&f.poolWait, "db-pool-wait", f.poolWait, "longest wait for a database connection (FORUM_DB_POOL_WAIT)")
	fs.StringVar(&f.writersPerThread, "writers-per-thread", f.writersPerThread, "concurrent writes to one thread (FORUM_WRITERS_PER_THREAD)")
	fs.StringVar(&f.trustedProxies, "trusted-proxies", f.trustedProxies, "comma-separated CIDRs of trusted reverse proxies (FORUM_TRUSTED_PROXIES)")
	return f
}

// apply validates the raw settings into c.
func (f *dbFlags) apply(c *Config) error {
	s := DefaultDBSettings()
	var err error
	// Two at least: writes may hold only half the pool, so reads always have the rest.
	if s.MaxConns, err = intSetting("FORUM_DB_MAX_CONNS", f.maxConns, s.MaxConns, 2, 1000); err != nil {
		return err
	}
	if s.StatementTimeout, err = durationSetting("FORUM_DB_STATEMENT_TIMEOUT", f.statementTimeout, s.StatementTimeout, 0, time.Hour); err != nil {
		return err
	}
	if s.LockTimeout, err = durationSetting("FORUM_DB_LOCK_TIMEOUT", f.lockTimeout, s.LockTimeout, 0, time.Hour); err != nil {
		return err
	}
	// Never zero: an unbounded wait for a connection is what stalled the site.
	if s.PoolWait, err = durationSetting("FORUM_DB_POOL_WAIT", f.poolWait, s.PoolWait, time.Millisecond, time.Minute); err != nil {
		return err
	}
	if s.WritersPerThread, err = intSetting("FORUM_WRITERS_PER_THREAD", f.writersPerThread, s.WritersPerThread, 1, 1000); err != nil {
		return err
	}
	proxies, err := parseProxies(f.trustedProxies)
	if err != nil {
		return err
	}
	c.DB, c.TrustedProxies = s, proxies
	return nil
}

func intSetting(name, raw string, def, lo, hi int) (int, error) {
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// durationSetting reads a Go duration ("2s", "1500ms"); a zero lower bound also allows "0".
func durationSetting(name, raw string, def, lo, hi time.Duration) (time.Duration, error) {
	if raw == "" {
		return def, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(raw))
	if err != nil || d < lo || d > hi || (d > 0 && d < time.Millisecond) {
		return 0, fmt.Errorf("%s: must be a duration from %s to %s, such as 2s or 500ms", name, fmtDuration(lo), fmtDuration(hi))
	}
	return d, nil
}

func fmtDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

// parseProxies reads comma-separated CIDRs or single addresses; empty means none.
func parseProxies(raw string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, n, err := net.ParseCIDR(p); err == nil {
			out = append(out, n.String())
			continue
		}
		if ip := net.ParseIP(p); ip != nil {
			out = append(out, ip.String())
			continue
		}
		return nil, fmt.Errorf("FORUM_TRUSTED_PROXIES: %q is not an IP address or CIDR (e.g. 10.0.0.0/8)", p)
	}
	return out, nil
}
