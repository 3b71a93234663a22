package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ReplicaSettings send reads that tolerate a little lag to a streaming replica
// (DATABASE_READ_URL) with a pool of its own; unset URL: every read goes to the primary.
type ReplicaSettings struct {
	URL              string        // DATABASE_READ_URL; "" = no replica
	MaxConns         int           // FORUM_DB_READ_MAX_CONNS: the read pool's connections per instance
	PoolWait         time.Duration // FORUM_DB_READ_POOL_WAIT: longest wait for a read connection
	StatementTimeout time.Duration // FORUM_DB_READ_STATEMENT_TIMEOUT: longest read on the replica; 0 keeps the server's
	MaxLag           time.Duration // FORUM_READ_MAX_LAG: a replica further behind than this is not read
	ReadYourWrites   time.Duration // FORUM_READ_YOUR_WRITES: after a write, that person's reads go to the primary for this long
}

// DefaultReplicaSettings are the settings when nothing is set (and no replica).
func DefaultReplicaSettings() ReplicaSettings {
	return ReplicaSettings{MaxConns: 20, PoolWait: time.Second, StatementTimeout: 5 * time.Second,
		MaxLag: 2 * time.Second, ReadYourWrites: 5 * time.Second}
}

// replicaFlags holds the raw replica, listen and PgBouncer settings until validated.
type replicaFlags struct {
	url, listenURL, maxConns, poolWait, statementTimeout, maxLag, readYourWrites, pgbouncer string
}

func bindReplicaFlags(fs *flag.FlagSet, getenv func(string) string) *replicaFlags {
	f := &replicaFlags{
		url:              getenv("DATABASE_READ_URL"),
		listenURL:        getenv("DATABASE_LISTEN_URL"),
		maxConns:         getenv("FORUM_DB_READ_MAX_CONNS"),
		poolWait:         getenv("FORUM_DB_READ_POOL_WAIT"),
		statementTimeout: getenv("FORUM_DB_READ_STATEMENT_TIMEOUT"),
		maxLag:           getenv("FORUM_READ_MAX_LAG"),
		readYourWrites:   getenv("FORUM_READ_YOUR_WRITES"),
		pgbouncer:        getenv("FORUM_DB_PGBOUNCER"),
	}
	fs.StringVar(&f.url, "database-read-url", f.url, "PostgreSQL URL of a streaming replica for reads (DATABASE_READ_URL)")
	fs.StringVar(&f.listenURL, "database-listen-url", f.listenURL, "direct PostgreSQL URL for LISTEN and migrations (DATABASE_LISTEN_URL)")
	fs.StringVar(&f.pgbouncer, "db-pgbouncer", f.pgbouncer, "DATABASE_URL is PgBouncer in transaction mode: true or false (FORUM_DB_PGBOUNCER)")
	return f
}

// apply validates the raw settings into c; c.DatabaseURL is already read.
func (f *replicaFlags) apply(c *Config) error {
	r := DefaultReplicaSettings()
	var err error
	if r.URL = strings.TrimSpace(f.url); r.URL != "" {
		if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errors.New("DATABASE_READ_URL: not a PostgreSQL URL (postgres://user@replica/forum)")
		}
	}
	c.ListenURL = strings.TrimSpace(f.listenURL)
	if c.ListenURL != "" {
		if u, err := url.Parse(c.ListenURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return errors.New("DATABASE_LISTEN_URL: not a PostgreSQL URL (postgres://user@primary/forum)")
		}
	} else {
		c.ListenURL = c.DatabaseURL
	}
	if r.MaxConns, err = intSetting("FORUM_DB_READ_MAX_CONNS", f.maxConns, r.MaxConns, 1, 1000); err != nil {
		return err
	}
	if r.PoolWait, err = durationSetting("FORUM_DB_READ_POOL_WAIT", f.poolWait, r.PoolWait, time.Millisecond, time.Minute); err != nil {
		return err
	}
	if r.StatementTimeout, err = durationSetting("FORUM_DB_READ_STATEMENT_TIMEOUT", f.statementTimeout, r.StatementTimeout, 0, time.Hour); err != nil {
		return err
	}
	if r.MaxLag, err = durationSetting("FORUM_READ_MAX_LAG", f.maxLag, r.MaxLag, 100*time.Millisecond, time.Hour); err != nil {
		return err
	}
	if r.ReadYourWrites, err = durationSetting("FORUM_READ_YOUR_WRITES", f.readYourWrites, r.ReadYourWrites, time.Second, time.Hour); err != nil {
		return err
	}
	// The lag is measured once a second: a window shorter than the lag allowed plus that
	// second could send an author back to a replica that has not yet replayed their write.
	if r.URL != "" && r.ReadYourWrites < r.MaxLag+time.Second {
		return fmt.Errorf("FORUM_READ_YOUR_WRITES: must be at least FORUM_READ_MAX_LAG (%s) plus 1s, so a writer never reads a replica behind their write", r.MaxLag)
	}
	if raw := strings.TrimSpace(f.pgbouncer); raw != "" {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("FORUM_DB_PGBOUNCER: must be true or false")
		}
		c.DB.PgBouncer = b
	}
	if c.DB.PgBouncer && strings.TrimSpace(f.listenURL) == "" {
		return errors.New("DATABASE_LISTEN_URL: must be set with FORUM_DB_PGBOUNCER (a direct connection to the primary, not through PgBouncer, for LISTEN and the migrations' lock)")
	}
	c.Replica = r
	return nil
}
