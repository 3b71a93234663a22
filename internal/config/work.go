package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"
)

// PasswordSettings bound password hashing: argon2id takes 19 MiB for each hash while
// it runs, so the number running at once is the server's memory under a burst of
// registrations or logins.
type PasswordSettings struct {
	Hashes int           // FORUM_PASSWORD_HASHES: hashes and checks running at once per instance
	Wait   time.Duration // FORUM_PASSWORD_WAIT: longest wait for a free slot before answering 503
}

// DefaultPasswordSettings are the settings when nothing is set.
func DefaultPasswordSettings() PasswordSettings {
	return PasswordSettings{Hashes: 4, Wait: 2 * time.Second}
}

// MetricsSettings say who may read /metrics: nobody on the public address unless a token
// is set, and anyone who can reach the separate address when there is one.
type MetricsSettings struct {
	Token string // FORUM_METRICS_TOKEN: the bearer token /metrics asks for; empty = /metrics is 404
	Addr  string // FORUM_METRICS_ADDR: a separate listener serving /metrics without a token
}

// minMetricsToken keeps the token out of reach of guessing.
const minMetricsToken = 16

type workFlags struct {
	hashes, wait, metricsAddr, metricsToken string
}

func bindWorkFlags(fs *flag.FlagSet, getenv func(string) string) *workFlags {
	f := &workFlags{
		hashes:       getenv("FORUM_PASSWORD_HASHES"),
		wait:         getenv("FORUM_PASSWORD_WAIT"),
		metricsAddr:  getenv("FORUM_METRICS_ADDR"),
		metricsToken: getenv("FORUM_METRICS_TOKEN"), // no flag: a secret does not belong in ps
	}
	fs.StringVar(&f.hashes, "password-hashes", f.hashes, "password hashes running at once (FORUM_PASSWORD_HASHES)")
	fs.StringVar(&f.wait, "password-wait", f.wait, "longest wait to hash a password (FORUM_PASSWORD_WAIT)")
	fs.StringVar(&f.metricsAddr, "metrics-addr", f.metricsAddr, "separate listen address for /metrics (FORUM_METRICS_ADDR)")
	return f
}

func (f *workFlags) apply(c *Config) error {
	p := DefaultPasswordSettings()
	var err error
	if p.Hashes, err = intSetting("FORUM_PASSWORD_HASHES", f.hashes, p.Hashes, 1, 256); err != nil {
		return err
	}
	if p.Wait, err = durationSetting("FORUM_PASSWORD_WAIT", f.wait, p.Wait, time.Millisecond, time.Minute); err != nil {
		return err
	}
	m := MetricsSettings{Token: f.metricsToken, Addr: strings.TrimSpace(f.metricsAddr)}
	if m.Addr != "" {
		if _, _, err := net.SplitHostPort(m.Addr); err != nil {
			return fmt.Errorf("FORUM_METRICS_ADDR: %q is not host:port", m.Addr)
		}
	}
	if m.Token != "" && (len(m.Token) < minMetricsToken || strings.ContainsFunc(m.Token, isSpaceOrControl)) {
		return errors.New("FORUM_METRICS_TOKEN: must be at least 16 characters without spaces (e.g. openssl rand -hex 32)")
	}
	c.Passwords, c.Metrics = p, m
	return nil
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }
