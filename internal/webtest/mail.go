package webtest

import (
	"context"
	"testing"
	"time"

	"forum/internal/config"
	"forum/internal/mail"
	"forum/internal/mailtest"
	"forum/internal/store"
)

// TestMailFrom is the From of a test server's mail.
const TestMailFrom = "Forum <forum@example.org>"

// mailSettings are a test server's settings for sending to srv: FORUM_SMTP_URL is srv's,
// and a short poll.
func mailSettings(t testing.TB, srv *mailtest.Server) config.MailSettings {
	t.Helper()
	smtpServer, err := config.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatalf("mailtest URL: %v", err)
	}
	return config.MailSettings{SMTP: smtpServer, From: TestMailFrom, Poll: 50 * time.Millisecond}
}

// startSender runs the mail sender with cfg.Mail against srv, trusting its certificate,
// until t ends.
func startSender(t testing.TB, cfg *config.Config, st *store.Store, srv *mailtest.Server) {
	t.Helper()
	sender, err := mail.NewSender(st, mail.SenderOptions{SMTP: cfg.Mail.SMTP, From: cfg.Mail.From, BaseURL: cfg.BaseURL,
		Poll: cfg.Mail.Poll, RootCAs: srv.RootCAs(), Timeout: 5 * time.Second, Lease: 30 * time.Second,
		RetryBase: 200 * time.Millisecond, RetryMax: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		sender.Run(ctx)
	}()
	// Cleanups run last-registered first: the sender stops before the test's SMTP
	// server, the pool and the database, all set up before it, go away.
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
