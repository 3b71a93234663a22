// Package config reads the forum's settings from the environment, lets flags override
// them, and validates them once so a bad setting stops start-up with one clear line.
package config

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"forum/internal/forum"
)

// Config is every setting the binary's subcommands read. It is built once in main and
// passed down; nothing reads the environment after start-up.
type Config struct {
	DatabaseURL   string
	Addr          string
	BaseURL       string
	SessionKey    []byte
	FlagThreshold int
	// MaxStreamsPerAddress caps the live event streams one client address may hold open
	// on one instance (FORUM_MAX_STREAMS_PER_ADDRESS; DefaultMaxStreamsPerAddress).
	MaxStreamsPerAddress int
	// DB bounds the database pool and its timeouts (database.go).
	DB DBSettings
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed; none by default.
	TrustedProxies []string
	// Replica is DATABASE_READ_URL and its read pool's bounds (replica.go).
	Replica ReplicaSettings
	// ListenURL is DATABASE_LISTEN_URL: a direct connection to the primary (never through
	// PgBouncer) for LISTEN and the migrations' advisory lock; DatabaseURL when unset.
	ListenURL string
	// Passwords bound concurrent password hashing; Metrics guards /metrics (work.go).
	Passwords PasswordSettings
	Metrics   MetricsSettings
	// Limits are the rate limits on writes and logins (FORUM_LIMIT_*, limits.go).
	Limits forum.Limits
	// Mail is how mail is sent: SMTP or the log (FORUM_SMTP_URL, FORUM_MAIL_*, mail.go).
	Mail MailSettings
	// MailBatch is FORUM_MAIL_BATCH_INTERVAL: the least time between two notification
	// mails to one person (mailnotify.go).
	MailBatch time.Duration
	// Search bounds a search page (FORUM_SEARCH_*, search.go).
	Search SearchSettings
	// CacheBytes is the visitor page cache's byte budget; 0 turns it off
	// (FORUM_CACHE_BYTES, cache.go).
	CacheBytes int64
	// DefaultLang is the interface language when neither the user nor the browser
	// chooses one of ours (FORUM_DEFAULT_LANG, lang.go).
	DefaultLang string

	sessionKeyHex string
}

// DefaultMaxStreamsPerAddress is FORUM_MAX_STREAMS_PER_ADDRESS unset. A logged-in reader
// holds two streams per visible tab (the thread's and the unread count's), a visitor one;
// hidden tabs hold none. 64 lets a few dozen people behind one NAT (an office, a campus,
// a carrier's CGNAT) read live at once, while one address still cannot take thousands.
const DefaultMaxStreamsPerAddress = 64

// Load reads the environment, then parses args (flags) over it.
func Load(args []string, getenv func(string) string) (*Config, *flag.FlagSet, error) {
	c := &Config{
		DatabaseURL:   getenv("DATABASE_URL"),
		Addr:          getenv("FORUM_ADDR"),
		BaseURL:       getenv("FORUM_BASE_URL"),
		sessionKeyHex: getenv("FORUM_SESSION_KEY"),
		FlagThreshold: 3,

		MaxStreamsPerAddress: DefaultMaxStreamsPerAddress,
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	threshold := getenv("FORUM_FLAG_THRESHOLD")
	streams := getenv("FORUM_MAX_STREAMS_PER_ADDRESS")
	fs := flag.NewFlagSet("forum", flag.ContinueOnError)
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (FORUM_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "absolute base URL for links (FORUM_BASE_URL)")
	fs.StringVar(&c.sessionKeyHex, "session-key", c.sessionKeyHex, "64 hex characters (FORUM_SESSION_KEY)")
	fs.StringVar(&threshold, "flag-threshold", threshold, "distinct flaggers that hide a post (FORUM_FLAG_THRESHOLD)")
	fs.StringVar(&streams, "max-streams-per-address", streams, "live event streams per client address (FORUM_MAX_STREAMS_PER_ADDRESS)")
	db := bindDBFlags(fs, getenv)
	work := bindWorkFlags(fs, getenv)
	mailf := bindMailFlags(fs, getenv)
	notifyf := bindNotifyFlags(fs, getenv)
	replicaf := bindReplicaFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if threshold != "" {
		n, err := strconv.Atoi(threshold)
		if err != nil || n < 1 || n > 1000 {
			return nil, fs, errors.New("FORUM_FLAG_THRESHOLD: must be a whole number from 1 to 1000")
		}
		c.FlagThreshold = n
	}
	if streams != "" {
		n, err := strconv.Atoi(strings.TrimSpace(streams))
		if err != nil || n < 1 || n > 10000 {
			return nil, fs, errors.New("FORUM_MAX_STREAMS_PER_ADDRESS: must be a whole number from 1 to 10000")
		}
		c.MaxStreamsPerAddress = n
	}
	if err := db.apply(c); err != nil {
		return nil, fs, err
	}
	if err := work.apply(c); err != nil {
		return nil, fs, err
	}
	if err := mailf.apply(c); err != nil {
		return nil, fs, err
	}
	if err := notifyf.apply(c); err != nil {
		return nil, fs, err
	}
	if err := replicaf.apply(c); err != nil { // after db.apply: it sets c.DB.PgBouncer
		return nil, fs, err
	}
	limits, err := loadLimits(getenv)
	if err != nil {
		return nil, fs, err
	}
	c.Limits = limits
	if c.Search, err = loadSearch(getenv); err != nil {
		return nil, fs, err
	}
	if c.CacheBytes, err = loadCacheBytes(getenv); err != nil {
		return nil, fs, err
	}
	if c.DefaultLang, err = loadDefaultLang(getenv); err != nil {
		return nil, fs, err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c, fs, nil
}

// ValidateDatabase checks the settings every subcommand needs.
func (c *Config) ValidateDatabase() error {
	if c.DatabaseURL == "" {
		return errors.New("DATABASE_URL: not set (a PostgreSQL URL, e.g. postgres://user@localhost/forum)")
	}
	if _, err := url.Parse(c.DatabaseURL); err != nil {
		return errors.New("DATABASE_URL: not a valid URL")
	}
	return nil
}

// ValidateServe checks what `forum serve` needs on top of the database.
func (c *Config) ValidateServe() error {
	if err := c.ValidateDatabase(); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("FORUM_ADDR: %q is not host:port", c.Addr)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("FORUM_BASE_URL: %q is not an absolute http(s) URL", c.BaseURL)
	}
	if c.sessionKeyHex == "" {
		return errors.New("FORUM_SESSION_KEY: not set (64 hex characters; generate with: openssl rand -hex 32)")
	}
	key, err := hex.DecodeString(c.sessionKeyHex)
	if err != nil || len(key) != 32 {
		return errors.New("FORUM_SESSION_KEY: must be exactly 64 hex characters (32 random bytes)")
	}
	c.SessionKey = key
	return nil
}

// Secure reports whether cookies must carry the Secure attribute.
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }
