package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestValidateServe(t *testing.T) {
	good := map[string]string{"DATABASE_URL": "postgres://x@localhost/forum", "FORUM_SESSION_KEY": strings.Repeat("ab", 32)}
	for _, tc := range []struct {
		name  string
		set   map[string]string
		names string // the setting the one-line error must name; "" = valid
	}{
		{"Valid", nil, ""},
		{"MissingDatabase", map[string]string{"DATABASE_URL": ""}, "DATABASE_URL"},
		{"MissingKey", map[string]string{"FORUM_SESSION_KEY": ""}, "FORUM_SESSION_KEY"},
		{"ShortKey", map[string]string{"FORUM_SESSION_KEY": "abcd"}, "FORUM_SESSION_KEY"},
		{"NotHexKey", map[string]string{"FORUM_SESSION_KEY": strings.Repeat("zz", 32)}, "FORUM_SESSION_KEY"},
		{"BadAddr", map[string]string{"FORUM_ADDR": "nonsense"}, "FORUM_ADDR"},
		{"BadBaseURL", map[string]string{"FORUM_BASE_URL": "ftp://x"}, "FORUM_BASE_URL"},
		{"BadThreshold", map[string]string{"FORUM_FLAG_THRESHOLD": "0"}, "FORUM_FLAG_THRESHOLD"},
		{"NoStreamsPerAddress", map[string]string{"FORUM_MAX_STREAMS_PER_ADDRESS": "0"}, "FORUM_MAX_STREAMS_PER_ADDRESS"},
		{"StreamsPerAddressNotANumber", map[string]string{"FORUM_MAX_STREAMS_PER_ADDRESS": "six"}, "FORUM_MAX_STREAMS_PER_ADDRESS"},
		{"StreamsPerAddressTooMany", map[string]string{"FORUM_MAX_STREAMS_PER_ADDRESS": "10001"}, "FORUM_MAX_STREAMS_PER_ADDRESS"},
		{"SearchPerPageZero", map[string]string{"FORUM_SEARCH_PER_PAGE": "0"}, "FORUM_SEARCH_PER_PAGE"},
		{"CacheBytesNegative", map[string]string{"FORUM_CACHE_BYTES": "-1"}, "FORUM_CACHE_BYTES"},
		{"CacheBytesNotANumber", map[string]string{"FORUM_CACHE_BYTES": "64MiB"}, "FORUM_CACHE_BYTES"},
		{"CacheBytesTooMany", map[string]string{"FORUM_CACHE_BYTES": "17179869185"}, "FORUM_CACHE_BYTES"},
		{"DefaultLangUnknown", map[string]string{"FORUM_DEFAULT_LANG": "fr"}, "FORUM_DEFAULT_LANG"},
		{"SearchCountMaxNotANumber", map[string]string{"FORUM_SEARCH_COUNT_MAX": "many"}, "FORUM_SEARCH_COUNT_MAX"},
		{"SearchRankMaxTooSmall", map[string]string{"FORUM_SEARCH_RANK_MAX": "5"}, "FORUM_SEARCH_RANK_MAX"},
		{"PoolTooSmall", map[string]string{"FORUM_DB_MAX_CONNS": "1"}, "FORUM_DB_MAX_CONNS"},
		{"PoolNotANumber", map[string]string{"FORUM_DB_MAX_CONNS": "lots"}, "FORUM_DB_MAX_CONNS"},
		{"StatementTimeoutWithoutUnit", map[string]string{"FORUM_DB_STATEMENT_TIMEOUT": "5000"}, "FORUM_DB_STATEMENT_TIMEOUT"},
		{"NegativeLockTimeout", map[string]string{"FORUM_DB_LOCK_TIMEOUT": "-1s"}, "FORUM_DB_LOCK_TIMEOUT"},
		{"SubMillisecondLockTimeout", map[string]string{"FORUM_DB_LOCK_TIMEOUT": "10us"}, "FORUM_DB_LOCK_TIMEOUT"},
		{"UnboundedPoolWait", map[string]string{"FORUM_DB_POOL_WAIT": "0"}, "FORUM_DB_POOL_WAIT"},
		{"HugePoolWait", map[string]string{"FORUM_DB_POOL_WAIT": "2h"}, "FORUM_DB_POOL_WAIT"},
		{"NoWritersPerThread", map[string]string{"FORUM_WRITERS_PER_THREAD": "0"}, "FORUM_WRITERS_PER_THREAD"},
		{"BadProxyCIDR", map[string]string{"FORUM_TRUSTED_PROXIES": "10.0.0.0/8, 10.0.0.0/33"}, "FORUM_TRUSTED_PROXIES"},
		{"ProxyHostName", map[string]string{"FORUM_TRUSTED_PROXIES": "proxy.internal"}, "FORUM_TRUSTED_PROXIES"},
		{"NoPasswordHashes", map[string]string{"FORUM_PASSWORD_HASHES": "0"}, "FORUM_PASSWORD_HASHES"},
		{"PasswordHashesNotANumber", map[string]string{"FORUM_PASSWORD_HASHES": "four"}, "FORUM_PASSWORD_HASHES"},
		{"UnboundedPasswordWait", map[string]string{"FORUM_PASSWORD_WAIT": "0"}, "FORUM_PASSWORD_WAIT"},
		{"PasswordWaitWithoutUnit", map[string]string{"FORUM_PASSWORD_WAIT": "2"}, "FORUM_PASSWORD_WAIT"},
		{"ShortMetricsToken", map[string]string{"FORUM_METRICS_TOKEN": "secret"}, "FORUM_METRICS_TOKEN"},
		{"MetricsTokenWithSpace", map[string]string{"FORUM_METRICS_TOKEN": "a long token with spaces"}, "FORUM_METRICS_TOKEN"},
		{"BadMetricsAddr", map[string]string{"FORUM_METRICS_ADDR": "9090"}, "FORUM_METRICS_ADDR"},
		{"LimitWithoutWindow", map[string]string{"FORUM_LIMIT_REPLIES": "10"}, "FORUM_LIMIT_REPLIES"},
		{"LimitOfNothing", map[string]string{"FORUM_LIMIT_THREADS_NEW": "0/10m"}, "FORUM_LIMIT_THREADS_NEW"},
		{"LimitWindowInWeeks", map[string]string{"FORUM_LIMIT_FLAGS": "20/1w"}, "FORUM_LIMIT_FLAGS"},
		{"LimitWindowTwice", map[string]string{"FORUM_LIMIT_REGISTRATIONS": "5/1h,10/60m"}, "FORUM_LIMIT_REGISTRATIONS"},
		{"PreviewLimitWithoutCount", map[string]string{"FORUM_LIMIT_PREVIEWS": "/1m"}, "FORUM_LIMIT_PREVIEWS"},
		{"InsightfulLimitOfNothing", map[string]string{"FORUM_LIMIT_INSIGHTFUL": "0/1h"}, "FORUM_LIMIT_INSIGHTFUL"},
		{"LoginAccountTwoTerms", map[string]string{"FORUM_LIMIT_LOGIN_ACCOUNT": "10/15m,20/1h"}, "FORUM_LIMIT_LOGIN_ACCOUNT"},
		{"LoginDelayUnbounded", map[string]string{"FORUM_LOGIN_DELAY_MAX": "1h"}, "FORUM_LOGIN_DELAY_MAX"},
		{"SMTPURLWrongScheme", map[string]string{"FORUM_SMTP_URL": "http://mail.example.org", "FORUM_MAIL_FROM": "f@example.org"}, "FORUM_SMTP_URL"},
		{"SMTPURLNoHost", map[string]string{"FORUM_SMTP_URL": "smtp://user:pass@:587", "FORUM_MAIL_FROM": "f@example.org"}, "FORUM_SMTP_URL"},
		{"SMTPURLBadPort", map[string]string{"FORUM_SMTP_URL": "smtps://mail.example.org:99999", "FORUM_MAIL_FROM": "f@example.org"}, "FORUM_SMTP_URL"},
		{"SMTPURLNotAURL", map[string]string{"FORUM_SMTP_URL": "smtp://us er:p%zz@host", "FORUM_MAIL_FROM": "f@example.org"}, "FORUM_SMTP_URL"},
		{"SMTPWithoutFrom", map[string]string{"FORUM_SMTP_URL": "smtp://mail.example.org"}, "FORUM_MAIL_FROM"},
		{"MailFromNotAnAddress", map[string]string{"FORUM_MAIL_FROM": "the forum"}, "FORUM_MAIL_FROM"},
		{"MailPollTooShort", map[string]string{"FORUM_MAIL_POLL": "1ms"}, "FORUM_MAIL_POLL"},
		{"MailPollWithoutUnit", map[string]string{"FORUM_MAIL_POLL": "5"}, "FORUM_MAIL_POLL"},
		{"MailBatchTooShort", map[string]string{"FORUM_MAIL_BATCH_INTERVAL": "10ms"}, "FORUM_MAIL_BATCH_INTERVAL"},
		{"MailBatchOverADay", map[string]string{"FORUM_MAIL_BATCH_INTERVAL": "25h"}, "FORUM_MAIL_BATCH_INTERVAL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{}
			for k, v := range good {
				m[k] = v
			}
			for k, v := range tc.set {
				m[k] = v
			}
			c, _, err := Load(nil, env(m))
			if err == nil {
				err = c.ValidateServe()
			}
			switch {
			case tc.names == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.names != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.names+":") || strings.Contains(err.Error(), "\n")):
				t.Fatalf("error %v; want one line naming %s", err, tc.names)
			}
		})
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, _, err := Load([]string{"--addr", "127.0.0.1:9999", "--flag-threshold", "5"}, env(map[string]string{"FORUM_ADDR": "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.FlagThreshold != 5 || c.BaseURL != "http://127.0.0.1:9999" {
		t.Fatalf("got %+v", c)
	}
}

func TestDatabaseSettings(t *testing.T) {
	c, _, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != DefaultDBSettings() || c.TrustedProxies != nil {
		t.Fatalf("defaults: got %+v, proxies %q", c.DB, c.TrustedProxies)
	}
	if d := c.DB; d.PoolWait <= 0 || d.LockTimeout <= 0 || d.StatementTimeout <= 0 || d.WritersPerThread*2 > d.MaxConns {
		t.Fatalf("defaults must bound every wait and leave the pool room for reads: %+v", d)
	}
	c, _, err = Load([]string{"--db-lock-timeout", "750ms"}, env(map[string]string{
		"FORUM_DB_MAX_CONNS": "40", "FORUM_DB_STATEMENT_TIMEOUT": "0", "FORUM_DB_LOCK_TIMEOUT": "1s",
		"FORUM_DB_POOL_WAIT": "1500ms", "FORUM_WRITERS_PER_THREAD": "2",
		"FORUM_TRUSTED_PROXIES": " 10.0.0.0/8 ,192.168.1.7, fd00::/8,",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := DBSettings{MaxConns: 40, StatementTimeout: 0, LockTimeout: 750 * time.Millisecond,
		PoolWait: 1500 * time.Millisecond, WritersPerThread: 2}
	if c.DB != want {
		t.Fatalf("got %+v, want %+v", c.DB, want)
	}
	if got := strings.Join(c.TrustedProxies, " "); got != "10.0.0.0/8 192.168.1.7 fd00::/8" {
		t.Fatalf("trusted proxies %q", got)
	}
}

func TestMaxStreamsPerAddress(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"Default", nil, nil, 64},
		{"Environment", nil, map[string]string{"FORUM_MAX_STREAMS_PER_ADDRESS": " 2 "}, 2},
		{"UpperBound", nil, map[string]string{"FORUM_MAX_STREAMS_PER_ADDRESS": "10000"}, 10000},
		{"FlagOverridesEnvironment", []string{"--max-streams-per-address", "12"}, map[string]string{"FORUM_MAX_STREAMS_PER_ADDRESS": "2"}, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := Load(tc.args, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.MaxStreamsPerAddress != tc.want {
				t.Fatalf("MaxStreamsPerAddress = %d, want %d", c.MaxStreamsPerAddress, tc.want)
			}
		})
	}
}

func TestMailBatchInterval(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want time.Duration
	}{
		{"Default", nil, nil, 10 * time.Minute},
		{"Environment", nil, map[string]string{"FORUM_MAIL_BATCH_INTERVAL": " 2s "}, 2 * time.Second},
		{"FlagOverridesEnvironment", []string{"--mail-batch-interval", "1h"}, map[string]string{"FORUM_MAIL_BATCH_INTERVAL": "2s"}, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := Load(tc.args, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.MailBatch != tc.want {
				t.Fatalf("MailBatch = %v, want %v", c.MailBatch, tc.want)
			}
		})
	}
}

func TestCacheBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int64
	}{
		{"Default", nil, DefaultCacheBytes},
		{"Environment", map[string]string{"FORUM_CACHE_BYTES": " 1048576 "}, 1 << 20},
		{"ZeroTurnsItOff", map[string]string{"FORUM_CACHE_BYTES": "0"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := Load(nil, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.CacheBytes != tc.want {
				t.Fatalf("CacheBytes = %d, want %d", c.CacheBytes, tc.want)
			}
		})
	}
}
