//go:build soak

// Command mailsink is the soak's SMTP server (scripts/soak.sh starts it before the
// instances): internal/mailtest's server on 127.0.0.1 — STARTTLS on a certificate made at
// start, AUTH PLAIN — run as a process of its own, so it lives through the whole run
// while PostgreSQL is broken underneath the instances.
//
// It writes, in -dir: smtp-cert.pem (the certificate, for SSL_CERT_FILE), mail.jsonl (one
// soak.Delivery per accepted message, written before the server answers that it took
// it), and smtp-url (the FORUM_SMTP_URL to use, written last: its presence says the
// server is up). On SIGUSR1 it refuses every transaction with a temporary 451 for
// -refuse. SIGUSR2 starts holding each message it is given, recorded but not yet
// answered, until the next SIGUSR2: the soak holds the mail in flight across the
// database's SIGKILL, so the sender's "sent" mark meets the outage. Each window is noted
// in smtp-windows ("<start> <end> refuse|hold", Unix seconds). SIGTERM or SIGINT stops
// it (releasing what it holds).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"forum/internal/mailtest"
	"forum/internal/soak"
)

func main() {
	dir := flag.String("dir", "", "where to write the certificate, the URL and the mail log")
	refuse := flag.Duration("refuse", 10*time.Second, "how long to answer 451 after SIGUSR1")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "mailsink: -dir is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, *dir, *refuse); err != nil {
		slog.Error("mailsink", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir string, refuse time.Duration) error {
	// Registered before the URL is written, so a signal sent once it is there is never
	// the default action (which would end the process).
	usr1, usr2 := make(chan os.Signal, 1), make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	signal.Notify(usr2, syscall.SIGUSR2)

	srv, err := mailtest.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.Close()
	out, err := os.OpenFile(filepath.Join(dir, "mail.jsonl"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open mail log: %w", err)
	}
	defer out.Close()
	var mu sync.Mutex
	var writeErr error
	var held chan struct{} // closed to release; nil: not holding
	srv.OnMessage(func(m mailtest.Received) {
		d := soak.Delivery{At: time.Now(), MessageID: m.Header.Get("Message-ID"), To: m.To, Subject: m.Subject}
		d.ResetLink = soak.ResetLinkRE.FindString(m.Text)
		line, err := json.Marshal(d)
		mu.Lock()
		hold := held
		defer func() {
			mu.Unlock()
			if hold != nil {
				<-hold // recorded; the answer waits
			}
		}()
		if err == nil {
			_, err = out.Write(append(line, '\n'))
		}
		if err != nil && writeErr == nil {
			// The message is accepted all the same (the hook cannot refuse): the driver
			// then counts it lost, and this log says why.
			writeErr = err
			slog.Error("mailsink: could not record a message", "err", err)
		}
	})
	if err := os.WriteFile(filepath.Join(dir, "smtp-cert.pem"), srv.CertPEM(), 0o644); err != nil {
		return fmt.Errorf("write certificate: %w", err)
	}
	tmp := filepath.Join(dir, "smtp-url.tmp")
	if err := os.WriteFile(tmp, []byte(srv.URL()+"\n"), 0o600); err != nil {
		return fmt.Errorf("write URL: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "smtp-url")); err != nil {
		return fmt.Errorf("write URL: %w", err)
	}
	slog.Info("mailsink listening", "addr", srv.Addr())

	var until <-chan time.Time
	var from, holdFrom time.Time
	for {
		select {
		case <-ctx.Done():
			mu.Lock()
			defer mu.Unlock()
			if held != nil {
				close(held)
			}
			return writeErr
		case <-usr2:
			mu.Lock()
			if held == nil {
				held, holdFrom = make(chan struct{}), time.Now()
				mu.Unlock()
				slog.Info("mailsink: holding messages unanswered")
				continue
			}
			close(held)
			held = nil
			mu.Unlock()
			slog.Info("mailsink: answering again")
			line := fmt.Sprintf("%.3f %.3f hold\n", unix(holdFrom), unix(time.Now()))
			if err := appendFile(filepath.Join(dir, "smtp-windows"), line); err != nil {
				return errors.Join(err, writeErr)
			}
		case <-usr1:
			from = time.Now()
			srv.RefuseNext(math.MaxInt32)
			until = time.After(refuse)
			slog.Info("mailsink: refusing with 451", "for", refuse)
		case <-until:
			srv.RefuseNext(0)
			until = nil
			slog.Info("mailsink: accepting again")
			line := fmt.Sprintf("%.3f %.3f refuse\n", unix(from), unix(time.Now()))
			if err := appendFile(filepath.Join(dir, "smtp-windows"), line); err != nil {
				return errors.Join(err, writeErr)
			}
		}
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func appendFile(path, line string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("note window: %w", err)
	}
	_, err = f.WriteString(line)
	return errors.Join(err, f.Close())
}
