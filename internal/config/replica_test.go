package config

import (
	"strings"
	"testing"
	"time"
)

// TestReplicaSettings: DATABASE_READ_URL, DATABASE_LISTEN_URL, FORUM_DB_PGBOUNCER and the
// read pool's bounds: their defaults, values and the one line a bad one stops start-up with.
func TestReplicaSettings(t *testing.T) {
	const primary = "postgres://forum@primary/forum"
	base := map[string]string{"DATABASE_URL": primary, "FORUM_SESSION_KEY": strings.Repeat("ab", 32)}
	for _, tc := range []struct {
		name  string
		args  []string
		set   map[string]string
		names string             // the setting the one-line error must name; "" = valid
		check func(*Config) bool // for valid rows
	}{
		{name: "Defaults", check: func(c *Config) bool {
			return c.Replica == DefaultReplicaSettings() && c.ListenURL == primary && !c.DB.PgBouncer
		}},
		{name: "Replica", set: map[string]string{"DATABASE_READ_URL": " postgres://forum@replica/forum ",
			"FORUM_DB_READ_MAX_CONNS": "8", "FORUM_DB_READ_POOL_WAIT": "250ms", "FORUM_DB_READ_STATEMENT_TIMEOUT": "0",
			"FORUM_READ_MAX_LAG": "500ms", "FORUM_READ_YOUR_WRITES": "3s"},
			check: func(c *Config) bool {
				return c.Replica == ReplicaSettings{URL: "postgres://forum@replica/forum", MaxConns: 8, PoolWait: 250 * time.Millisecond,
					MaxLag: 500 * time.Millisecond, ReadYourWrites: 3 * time.Second}
			}},
		{name: "FlagsOverrideEnvironment", args: []string{"--database-read-url", "postgresql://r/forum", "--database-listen-url", "postgres://direct/forum", "--db-pgbouncer", "true"},
			set: map[string]string{"DATABASE_READ_URL": "postgres://other/forum"},
			check: func(c *Config) bool {
				return c.Replica.URL == "postgresql://r/forum" && c.ListenURL == "postgres://direct/forum" && c.DB.PgBouncer
			}},
		{name: "PgBouncerWithListenURL", set: map[string]string{"FORUM_DB_PGBOUNCER": "1", "DATABASE_LISTEN_URL": "postgres://forum@primary:5432/forum"},
			check: func(c *Config) bool { return c.DB.PgBouncer && c.ListenURL == "postgres://forum@primary:5432/forum" }},
		{name: "ReadURLNotPostgres", set: map[string]string{"DATABASE_READ_URL": "mysql://replica/forum"}, names: "DATABASE_READ_URL"},
		{name: "ListenURLNotAURL", set: map[string]string{"DATABASE_LISTEN_URL": "primary:5432"}, names: "DATABASE_LISTEN_URL"},
		{name: "PgBouncerWithoutListenURL", set: map[string]string{"FORUM_DB_PGBOUNCER": "true"}, names: "DATABASE_LISTEN_URL"},
		{name: "PgBouncerNotABool", set: map[string]string{"FORUM_DB_PGBOUNCER": "transaction"}, names: "FORUM_DB_PGBOUNCER"},
		{name: "ReadPoolEmpty", set: map[string]string{"FORUM_DB_READ_MAX_CONNS": "0"}, names: "FORUM_DB_READ_MAX_CONNS"},
		{name: "ReadPoolWaitUnbounded", set: map[string]string{"FORUM_DB_READ_POOL_WAIT": "0"}, names: "FORUM_DB_READ_POOL_WAIT"},
		{name: "ReadStatementTimeoutWithoutUnit", set: map[string]string{"FORUM_DB_READ_STATEMENT_TIMEOUT": "5000"}, names: "FORUM_DB_READ_STATEMENT_TIMEOUT"},
		{name: "MaxLagTooSmall", set: map[string]string{"FORUM_READ_MAX_LAG": "10ms"}, names: "FORUM_READ_MAX_LAG"},
		{name: "ReadYourWritesZero", set: map[string]string{"FORUM_READ_YOUR_WRITES": "0"}, names: "FORUM_READ_YOUR_WRITES"},
		{name: "ReadYourWritesShorterThanLag", set: map[string]string{"DATABASE_READ_URL": "postgres://replica/forum",
			"FORUM_READ_MAX_LAG": "5s", "FORUM_READ_YOUR_WRITES": "5s"}, names: "FORUM_READ_YOUR_WRITES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range base {
				m[k] = v
			}
			for k, v := range tc.set {
				m[k] = v
			}
			c, _, err := Load(tc.args, env(m))
			if err == nil {
				err = c.ValidateServe()
			}
			switch {
			case tc.names == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.names != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.names+":") || strings.Contains(err.Error(), "\n")):
				t.Fatalf("error %v; want one line naming %s", err, tc.names)
			case tc.names == "" && !tc.check(c):
				t.Fatalf("got replica %+v, listen %q, pgbouncer %v", c.Replica, c.ListenURL, c.DB.PgBouncer)
			}
		})
	}
}
