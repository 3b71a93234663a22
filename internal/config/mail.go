package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MailSettings say how the forum sends mail. With no SMTP server set, mails are written to
// the log (for a developer under `make run`) and count as sent.
type MailSettings struct {
	// SMTP is FORUM_SMTP_URL: smtp://user:pass@host:587 (STARTTLS required) or
	// smtps://user:pass@host:465 (TLS from the first byte). Nil: mails go to the log.
	SMTP *SMTPServer
	// From is FORUM_MAIL_FROM, the From of every mail (`Forum <forum@example.org>`).
	From string
	// Poll is FORUM_MAIL_POLL: how often each instance looks for due mail.
	Poll time.Duration
}

// SMTPServer is a parsed FORUM_SMTP_URL.
type SMTPServer struct {
	Host        string
	Port        int
	ImplicitTLS bool // smtps://; otherwise STARTTLS, which is required
	Username    string
	Password    string
}

// DefaultMailPoll is how often a sender looks for due mail when FORUM_MAIL_POLL is unset.
const DefaultMailPoll = 5 * time.Second

type mailFlags struct{ smtpURL, from, poll string }

func bindMailFlags(fs *flag.FlagSet, getenv func(string) string) *mailFlags {
	f := &mailFlags{
		smtpURL: getenv("FORUM_SMTP_URL"), // no flag: the URL carries a password, which does not belong in ps
		from:    getenv("FORUM_MAIL_FROM"),
		poll:    getenv("FORUM_MAIL_POLL"),
	}
	fs.StringVar(&f.from, "mail-from", f.from, "From address of the forum's mail (FORUM_MAIL_FROM)")
	fs.StringVar(&f.poll, "mail-poll", f.poll, "how often to look for mail to send (FORUM_MAIL_POLL)")
	return f
}

func (f *mailFlags) apply(c *Config) error {
	m := MailSettings{From: strings.TrimSpace(f.from)}
	var err error
	if m.Poll, err = durationSetting("FORUM_MAIL_POLL", f.poll, DefaultMailPoll, 100*time.Millisecond, 5*time.Minute); err != nil {
		return err
	}
	if raw := strings.TrimSpace(f.smtpURL); raw != "" {
		if m.SMTP, err = ParseSMTPURL(raw); err != nil {
			return fmt.Errorf("FORUM_SMTP_URL: %w", err)
		}
		if m.From == "" {
			return errors.New("FORUM_MAIL_FROM: not set; it is required with FORUM_SMTP_URL (e.g. Forum <forum@example.org>)")
		}
	}
	if m.From != "" {
		if _, err := mail.ParseAddress(m.From); err != nil {
			return fmt.Errorf("FORUM_MAIL_FROM: %q is not a mail address (e.g. Forum <forum@example.org>)", m.From)
		}
	}
	c.Mail = m
	return nil
}

// ParseSMTPURL reads smtp:// and smtps:// URLs; its errors never repeat the URL, which
// may carry a password.
func ParseSMTPURL(raw string) (*SMTPServer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a valid URL (smtp://user:pass@host:587 or smtps://user:pass@host:465)")
	}
	s := &SMTPServer{Port: 587}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.ImplicitTLS, s.Port = true, 465
	default:
		return nil, errors.New("must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, errors.New("no host (smtp://user:pass@host:587)")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("must be only scheme, credentials, host and port")
	}
	s.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errors.New("port must be from 1 to 65535")
		}
		s.Port = n
	}
	if strings.Contains(s.Host, ":") && net.ParseIP(s.Host) == nil {
		return nil, errors.New("not a valid host")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}
