package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"forum/internal/config"
	"forum/internal/store"
)

// The sender delivers the outbox (mail_outbox). Every instance runs one. Each round it
// claims a batch of due rows for a lease (FOR UPDATE SKIP LOCKED: two senders never hold
// the same row), sends them over one SMTP connection, and marks each sent as soon as the
// server has accepted it. A temporary failure is retried with exponential backoff and
// jitter until the row's give_up_at, a permanent one (5xx) fails the row at once.
//
// Delivery is at least once: a sender that dies, or loses its database for longer than
// its lease, between the SMTP server's acceptance of a mail and the "sent" mark lets the
// row's lease run out and another sender sends it again. SMTP offers nothing better (the
// server has the mail before we can write that it has). The window is one mail's mark,
// which is retried until the lease nearly ends; and a resent mail keeps its Message-ID,
// so mail clients show it once.

// Defaults of SenderOptions.
const (
	DefaultBatch     = 20
	DefaultTimeout   = 30 * time.Second // one SMTP connection's dial, or one mail's transaction
	DefaultLease     = 5 * time.Minute
	DefaultRetryBase = 30 * time.Second
	DefaultRetryMax  = time.Hour
)

// SenderOptions configure a Sender; zero values take the defaults above.
type SenderOptions struct {
	SMTP    *config.SMTPServer // nil: mails are written to the log and count as sent
	From    string             // FORUM_MAIL_FROM
	BaseURL string             // FORUM_BASE_URL: its host is the domain of Message-IDs
	Poll    time.Duration      // FORUM_MAIL_POLL
	RootCAs *x509.CertPool     // the certificates to trust; nil: the system's (tests: mailtest's)

	Batch     int           // rows claimed at once, sent over one connection
	Timeout   time.Duration // bounds the dial and each mail's SMTP transaction
	Lease     time.Duration // how long a claimed row is the claimer's alone
	RetryBase time.Duration // wait after the first failure, doubled each time
	RetryMax  time.Duration // the longest wait between tries
	Log       *slog.Logger  // nil: slog.Default()
}

// Sender delivers the outbox; build it with NewSender and run it with Run.
type Sender struct {
	st     *store.Store
	o      SenderOptions
	domain string
}

// NewSender checks o and fills in its defaults.
func NewSender(st *store.Store, o SenderOptions) (*Sender, error) {
	if o.Poll <= 0 {
		o.Poll = config.DefaultMailPoll
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Lease < 3*o.Timeout {
		return nil, fmt.Errorf("mail sender: lease %s must be at least three SMTP timeouts (%s)", o.Lease, 3*o.Timeout)
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	if o.RetryMax <= 0 {
		o.RetryMax = DefaultRetryMax
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.SMTP != nil && o.From == "" {
		return nil, errors.New("mail sender: no From address")
	}
	domain := "localhost"
	if u, err := url.Parse(o.BaseURL); err == nil && u.Hostname() != "" {
		domain = u.Hostname()
	}
	return &Sender{st: st, o: o, domain: domain}, nil
}

// Run sends due mail until ctx ends, looking every Poll, and at once again after a full
// batch.
func (s *Sender) Run(ctx context.Context) {
	if s.o.SMTP == nil {
		s.o.Log.Info("mail is not configured (FORUM_SMTP_URL unset): mails are written to the log")
	} else {
		s.o.Log.Info("mail sender started", "smtp", net.JoinHostPort(s.o.SMTP.Host, strconv.Itoa(s.o.SMTP.Port)),
			"implicit_tls", s.o.SMTP.ImplicitTLS, "poll", s.o.Poll)
	}
	wait := time.NewTimer(0)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
		}
		full, err := s.Round(ctx)
		if err != nil && ctx.Err() == nil {
			s.o.Log.Warn("mail sender: round failed; retrying at the next poll", "err", err)
		}
		if full && err == nil {
			wait.Reset(0)
		} else {
			wait.Reset(s.o.Poll)
		}
	}
}

// Round gives up on expired rows and sends one batch of due mail. It reports whether the
// batch was full, so more may be due.
func (s *Sender) Round(ctx context.Context) (bool, error) {
	gone, err := s.st.GiveUpMail(ctx, s.o.Batch)
	if err != nil {
		return false, err
	}
	for _, g := range gone {
		s.o.Log.Warn("mail given up: not sent before its give_up_at", "id", g.ID, "kind", g.Kind, "attempts", g.Attempts)
	}
	claimed := time.Now()
	batch, err := s.st.ClaimMail(ctx, s.o.Batch, s.o.Lease)
	if err != nil || len(batch) == 0 {
		return false, err
	}
	// Everything about this batch ends a margin before the lease does, after which
	// another sender may take the rows: a send starts only while it and its mark can end
	// in time. (claimed is read before the database starts the lease, so this errs early.)
	end := claimed.Add(s.o.Lease * 9 / 10)
	l := lease{sendBy: end.Add(-2 * s.o.Timeout), end: end}
	if s.o.SMTP == nil {
		s.toLog(ctx, batch, l)
	} else {
		s.overSMTP(ctx, batch, l)
	}
	return len(batch) == s.o.Batch, nil
}

// lease is the time a claimed batch is ours: sends start before sendBy, outcomes are
// recorded before end.
type lease struct{ sendBy, end time.Time }

// toLog "sends" by logging, for a developer without a mail server: the subject, the text
// and its links, to follow them.
func (s *Sender) toLog(ctx context.Context, batch []store.QueuedMail, l lease) {
	for _, m := range batch {
		// The text and its links, so a developer can follow them; never the address, which
		// is nobody's business but its owner's, even in a development log.
		s.o.Log.Info("mail written to the log, not sent (FORUM_SMTP_URL unset)", "id", m.ID, "kind", m.Kind,
			"subject", m.Subject, "links", linkRE.FindAllString(m.Text, -1), "text", m.Text)
		s.record(ctx, l, m, "mark sent", func(ctx context.Context) error { return s.st.MarkMailSent(ctx, m.ID) })
	}
}

// overSMTP sends the batch over one connection, dialling again (once per mail at most)
// when a send breaks it.
func (s *Sender) overSMTP(ctx context.Context, batch []store.QueuedMail, l lease) {
	var c *gomail.Client
	defer func() {
		if c != nil {
			_ = c.Close()
		}
	}()
	for i, m := range batch {
		release := func() {
			for _, r := range batch[i:] {
				s.record(ctx, l, r, "release", func(ctx context.Context) error { return s.st.ReleaseMail(ctx, r.ID, r.Attempt) })
			}
		}
		if ctx.Err() != nil || time.Now().After(l.sendBy) {
			// Stopping, or too little lease left for another transaction: hand the rest
			// back untried rather than risk sending after the lease.
			release()
			return
		}
		if c == nil {
			var err error
			if c, err = s.dial(ctx); err != nil {
				if ctx.Err() != nil { // the dial was cut short by the shutdown
					release()
					return
				}
				for _, r := range batch[i:] {
					s.failed(ctx, l, r, err)
				}
				return
			}
		}
		msg, err := s.message(m)
		if err == nil {
			err = c.Send(msg)
		}
		if notConnected(err) {
			// Nothing of this mail was sent: the connection had gone (the server's idle
			// timeout, or a wait on the database). Dial again and try it at once.
			_ = c.Close()
			if c, err = s.dial(ctx); err == nil {
				err = c.Send(msg)
			}
		}
		if err == nil {
			s.record(ctx, l, m, "mark sent", func(ctx context.Context) error { return s.st.MarkMailSent(ctx, m.ID) })
			continue
		}
		s.failed(ctx, l, m, err)
		var p *permanent
		if smtpCode(err) == 0 && !errors.As(err, &p) && c != nil {
			// Not the server's answer: the connection may be gone. Dial again for the next.
			_ = c.Close()
			c = nil
		}
	}
}

// dial connects, starts TLS and logs in.
func (s *Sender) dial(ctx context.Context) (*gomail.Client, error) {
	srv := s.o.SMTP
	opts := []gomail.Option{
		gomail.WithTimeout(s.o.Timeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: srv.Host, RootCAs: s.o.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	if srv.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	opts = append(opts, gomail.WithPort(srv.Port))
	if srv.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(srv.Username), gomail.WithPassword(srv.Password))
	}
	c, err := gomail.NewClient(srv.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	if err := c.DialWithContext(dctx); err != nil {
		return nil, fmt.Errorf("connect to the SMTP server: %w", err)
	}
	return c, nil
}

// message builds the mail of a row. Its Message-ID is the row's, so a mail sent twice
// (see above) is recognisably one.
func (s *Sender) message(m store.QueuedMail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.o.From); err != nil {
		return nil, &permanent{fmt.Errorf("From address: %w", err)}
	}
	if err := msg.To(m.To); err != nil {
		return nil, &permanent{fmt.Errorf("recipient address: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(time.Now())
	msg.SetMessageIDWithValue(fmt.Sprintf("outbox.%d.%s@%s", m.ID, strconv.FormatInt(m.CreatedAt.UnixNano(), 36), s.domain))
	msg.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	if m.UnsubscribeURL != "" {
		// RFC 8058: mail clients offer a one-click unsubscribe, POSTed to the URL.
		msg.SetGenHeader("List-Unsubscribe", "<"+m.UnsubscribeURL+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// permanent marks an error that no retry fixes.
type permanent struct{ error }

func (p *permanent) Unwrap() error { return p.error }

// smtpCode is the SMTP reply code in err, or 0 when err is not the server's answer.
func smtpCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}

// notConnected reports a send that failed its connection check, before any of the mail
// went out.
func notConnected(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrConnCheck
}

// failed records a failed try: a permanent one fails the row, a temporary one schedules
// the next try.
func (s *Sender) failed(ctx context.Context, l lease, m store.QueuedMail, err error) {
	var p *permanent
	reason := redact(err.Error(), m.To)
	if code := smtpCode(err); errors.As(err, &p) || code >= 500 && code < 600 {
		s.o.Log.Warn("mail refused for good", "id", m.ID, "kind", m.Kind, "attempt", m.Attempt, "err", reason)
		s.record(ctx, l, m, "mark failed", func(ctx context.Context) error { return s.st.FailMail(ctx, m.ID, m.Attempt, err.Error()) })
		return
	}
	wait := s.backoff(m.Attempt)
	s.o.Log.Warn("mail not sent; will retry", "id", m.ID, "kind", m.Kind, "attempt", m.Attempt, "retry_in", wait, "err", reason)
	s.record(ctx, l, m, "reschedule", func(ctx context.Context) error {
		gaveUp, err2 := s.st.RetryMail(ctx, m.ID, m.Attempt, err.Error(), wait)
		if gaveUp {
			s.o.Log.Warn("mail given up: its give_up_at comes before the next try", "id", m.ID, "kind", m.Kind, "attempts", m.Attempt)
		}
		return err2
	})
}

// backoff is the wait after the attempt-th failure: RetryBase doubled each time up to
// RetryMax, with jitter (between half and all of it), so rows that failed together do
// not all come back together.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.o.RetryBase
	for i := 1; i < attempt && d < s.o.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.o.RetryMax)
	return d/2 + rand.N(d/2+1)
}

// record writes a row's outcome, retrying while the database is away (a lost connection,
// a restart) until the lease nearly ends: an unrecorded "sent" means the mail goes again.
// Once ctx ends (shutdown) it keeps trying for shutdownGrace only.
func (s *Sender) record(ctx context.Context, l lease, m store.QueuedMail, what string, fn func(context.Context) error) {
	rctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), l.end)
	defer cancel()
	pause := 50 * time.Millisecond
	var grace <-chan time.Time
	for {
		err := fn(rctx)
		if err == nil {
			return
		}
		if grace == nil && ctx.Err() != nil {
			grace = time.After(shutdownGrace)
		}
		select {
		case <-rctx.Done():
		case <-grace:
		case <-time.After(pause):
			pause = min(2*pause, 2*time.Second)
			continue
		}
		s.o.Log.Error("mail sender: could not record the outcome; the row will be tried again when its lease ends",
			"id", m.ID, "kind", m.Kind, "outcome", what, "err", err)
		return
	}
}

// shutdownGrace is how long a stopping sender keeps trying to record what it did.
const shutdownGrace = 5 * time.Second

// redact keeps the recipient's address out of the log: a server's refusal often repeats it.
func redact(s, addr string) string {
	if addr == "" {
		return s
	}
	return regexp.MustCompile(`(?i)`+regexp.QuoteMeta(addr)).ReplaceAllString(s, "<recipient>")
}
