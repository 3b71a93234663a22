package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"forum/internal/fixture"

	"forum/internal/config"
	"forum/internal/mail"
	"forum/internal/mailtest"
	"forum/internal/store"
	"forum/internal/testdb"
)

const (
	senderApp = "mail-sender-test"
	testFrom  = "Forum <forum@example.org>"
	testBase  = "https://forum.example.org"
)

// newSender builds a sender for srv (nil: the log sender) on st with short waits, and
// the buffer its log goes to.
func newSender(t testing.TB, st *store.Store, srv *mailtest.Server, adjust func(*mail.SenderOptions)) (*mail.Sender, *fixture.LogBuffer) {
	t.Helper()
	logs := &fixture.LogBuffer{}
	o := mail.SenderOptions{From: testFrom, BaseURL: testBase, Poll: 20 * time.Millisecond,
		Timeout: time.Second, Lease: 5 * time.Second, RetryBase: 50 * time.Millisecond, RetryMax: 200 * time.Millisecond,
		Log: slog.New(slog.NewJSONHandler(logs, nil))}
	if srv != nil {
		smtpServer, err := config.ParseSMTPURL(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		o.SMTP, o.RootCAs = smtpServer, srv.RootCAs()
	}
	if adjust != nil {
		adjust(&o)
	}
	s, err := mail.NewSender(st, o)
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

// run runs s until the test ends.
func run(t *testing.T, s *mail.Sender) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// ownPool opens a pool of its own on the test database, as another instance would; its
// connections carry the application_name senderApp.
func ownPool(t *testing.T, db *testdb.DB) *store.Store {
	t.Helper()
	o := store.Options{MaxConns: 4, StatementTimeout: 5 * time.Second, LockTimeout: 2 * time.Second, PoolWait: 5 * time.Second}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", senderApp)
	u.RawQuery = q.Encode()
	pool, err := store.Open(context.Background(), u.String(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return store.NewBounded(pool, o)
}

func enqueue(t testing.TB, st *store.Store, m store.OutMail) {
	t.Helper()
	if m.Kind == "" {
		m.Kind = "test"
	}
	if m.Text == "" {
		m.Text = "Hello " + m.To + ",\n\nFollow https://forum.example.org/t/1#p2 to read it.\n"
		m.HTML = `<p>Follow <a href="https://forum.example.org/t/1#p2">it</a>.</p>`
	}
	if err := st.EnqueueMail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// outboxRow is what a test reads back of a row.
type outboxRow struct {
	Attempts  int    `db:"attempts"`
	LastError string `db:"last_error"`
	Sent      bool   `db:"sent"`
	Failed    bool   `db:"failed"`
	Future    bool   `db:"future"` // next_attempt_at is after now
}

func rows(t *testing.T, db *testdb.DB) []outboxRow {
	t.Helper()
	var out []outboxRow
	if err := db.Select(&out, `SELECT attempts, last_error, sent_at IS NOT NULL AS sent, failed_at IS NOT NULL AS failed,
		next_attempt_at > now() AS future FROM mail_outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return out
}

// awaitSettled waits until no row is left to send: every mail sent or failed.
func awaitSettled(t *testing.T, db *testdb.DB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var open int
		if err := db.Get(&open, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mail(s) still unsent after %v", open, within)
		}
		time.Sleep(10 * time.Millisecond) // polling the database for the condition
	}
}

// onceEach fails unless every received mail's Message-ID is distinct, and returns the
// count of received mails per subject.
func onceEach(t *testing.T, got []mailtest.Received) map[string]int {
	t.Helper()
	ids := map[string]bool{}
	subjects := map[string]int{}
	for _, r := range got {
		id := r.Header.Get("Message-Id")
		if ids[id] {
			t.Errorf("message %s (%q) received twice", id, r.Subject)
		}
		ids[id] = true
		subjects[r.Subject]++
	}
	return subjects
}

func TestSenderDeliversOnceWithHeadersAndBothParts(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	srv := mailtest.Start(t)
	s, logs := newSender(t, st, srv, nil)
	enqueue(t, st, store.OutMail{Kind: "reply", To: "ada@example.org", Subject: "New reply in “Schedule”",
		UnsubscribeURL: "https://forum.example.org/unsubscribe/tok123"})
	enqueue(t, st, store.OutMail{Kind: "confirm_email", To: "bob@example.org", Subject: "Confirm your address"})

	if _, err := s.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 2, 5*time.Second)
	for i, want := range []struct{ to, subject string }{{"ada@example.org", "New reply in “Schedule”"}, {"bob@example.org", "Confirm your address"}} {
		r := got[i]
		if len(r.To) != 1 || r.To[0] != want.to || r.Header.Get("To") != "<"+want.to+">" {
			t.Errorf("mail %d: envelope to %q, To header %q; want %s", i, r.To, r.Header.Get("To"), want.to)
		}
		if r.From != "forum@example.org" || r.Header.Get("From") != `"Forum" <forum@example.org>` {
			t.Errorf("mail %d: envelope from %q, From header %q", i, r.From, r.Header.Get("From"))
		}
		if r.Subject != want.subject {
			t.Errorf("mail %d: Subject %q, want %q", i, r.Subject, want.subject)
		}
		if !r.TLS {
			t.Errorf("mail %d: sent without TLS", i)
		}
		if !strings.Contains(r.Text, "Follow https://forum.example.org/t/1#p2 to read it.") {
			t.Errorf("mail %d: text part %q", i, r.Text)
		}
		if !strings.Contains(r.HTML, `<a href="https://forum.example.org/t/1#p2">`) {
			t.Errorf("mail %d: HTML part %q", i, r.HTML)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/alternative") {
			t.Errorf("mail %d: Content-Type %q", i, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("mail %d: Auto-Submitted %q", i, r.Header.Get("Auto-Submitted"))
		}
		if !regexp.MustCompile(`^<outbox\.\d+\.[0-9a-z]+@forum\.example\.org>$`).MatchString(r.Header.Get("Message-Id")) {
			t.Errorf("mail %d: Message-ID %q", i, r.Header.Get("Message-Id"))
		}
		if d, err := r.Header.Date(); err != nil || time.Since(d).Abs() > time.Minute {
			t.Errorf("mail %d: Date %q (%v)", i, r.Header.Get("Date"), err)
		}
		for _, h := range []string{"User-Agent", "X-Mailer"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("mail %d: %s %q names the software", i, h, v)
			}
		}
	}
	if u := got[0].Header.Get("List-Unsubscribe"); u != "<https://forum.example.org/unsubscribe/tok123>" {
		t.Errorf("List-Unsubscribe %q", u)
	}
	if p := got[0].Header.Get("List-Unsubscribe-Post"); p != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", p)
	}
	for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post"} {
		if _, ok := got[1].Header[h]; ok {
			t.Errorf("account mail carries %s", h)
		}
	}
	if got[0].Header.Get("Message-Id") == got[1].Header.Get("Message-Id") {
		t.Error("two mails share a Message-ID")
	}

	// Marked sent: another round sends nothing again.
	for i, r := range rows(t, db) {
		if !r.Sent || r.Attempts != 1 || r.LastError != "" {
			t.Errorf("row %d after sending: %+v", i, r)
		}
	}
	if _, err := s.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Received()); n != 2 {
		t.Fatalf("%d mails received, want 2", n)
	}
	for _, addr := range []string{"ada@example.org", "bob@example.org"} {
		if strings.Contains(logs.String(), addr) {
			t.Errorf("the log names %s although SMTP is configured:\n%s", addr, logs)
		}
	}
}

func TestSenderRetriesRefusedMailUntilItArrivesOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	srv := mailtest.Start(t)
	s, logs := newSender(t, st, srv, nil)
	enqueue(t, st, store.OutMail{To: "ada@example.org", Subject: "Refused twice"})
	srv.RefuseNext(2)

	if _, err := s.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := rows(t, db)[0]
	if r.Sent || r.Failed || r.Attempts != 1 || !strings.Contains(r.LastError, "451") || !r.Future {
		t.Fatalf("after a refusal the row is %+v; want attempt 1 recorded with the 451 and a later retry", r)
	}
	if n := len(srv.Received()); n != 0 {
		t.Fatalf("%d received while refusing", n)
	}

	run(t, s) // the backoff passes, the next refusal, then it goes through
	got := srv.Wait(t, 1, 10*time.Second)
	awaitSettled(t, db, 5*time.Second)
	if got[0].Subject != "Refused twice" {
		t.Fatalf("received %q", got[0].Subject)
	}
	r = rows(t, db)[0]
	if !r.Sent || r.Attempts != 3 || r.LastError != "" {
		t.Fatalf("after delivery the row is %+v; want sent on attempt 3", r)
	}
	if _, err := s.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Received()); n != 1 {
		t.Fatalf("%d received, want exactly 1", n)
	}
	if !strings.Contains(logs.String(), "will retry") || strings.Contains(logs.String(), "ada@example.org") {
		t.Fatalf("the log should say it retries without naming the address:\n%s", logs)
	}
}

func TestSenderGivesUp(t *testing.T) {
	t.Parallel()
	t.Run("PastGiveUpAt", func(t *testing.T) {
		db := testdb.New(t)
		st := store.New(db.DB)
		srv := mailtest.Start(t)
		s, _ := newSender(t, st, srv, nil)
		enqueue(t, st, store.OutMail{To: "ada@example.org", Subject: "Too late"})
		db.MustExec(`UPDATE mail_outbox SET give_up_at = now() - interval '1 second'`)
		if _, err := s.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := rows(t, db)[0]
		if !r.Failed || r.Sent || r.LastError != "not sent before give_up_at: no attempt was made" {
			t.Fatalf("row %+v; want failed with the reason", r)
		}
		if n := len(srv.Received()); n != 0 {
			t.Fatalf("%d received past give_up_at", n)
		}
	})
	t.Run("NextTryPastGiveUpAt", func(t *testing.T) {
		db := testdb.New(t)
		st := store.New(db.DB)
		srv := mailtest.Start(t)
		s, _ := newSender(t, st, srv, func(o *mail.SenderOptions) { o.RetryBase, o.RetryMax = time.Hour, time.Hour })
		enqueue(t, st, store.OutMail{To: "ada@example.org", Subject: "Refused"})
		db.MustExec(`UPDATE mail_outbox SET give_up_at = now() + interval '1 minute'`)
		srv.RefuseNext(1)
		if _, err := s.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := rows(t, db)[0]
		if !r.Failed || r.Sent || !strings.HasPrefix(r.LastError, "gave up after 1 attempt(s): ") || !strings.Contains(r.LastError, "451") {
			t.Fatalf("row %+v; want failed with the last refusal as the reason", r)
		}
		if _, err := s.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Received()); n != 0 {
			t.Fatalf("%d received after giving up", n)
		}
	})
}

// Two instances, each with its own pool, drain one outbox: each mail arrives once.
func TestTwoSendersDeliverEachMailOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := mailtest.Start(t)
	st := store.New(db.DB)
	const n = 50
	for i := range n {
		enqueue(t, st, store.OutMail{To: fmt.Sprintf("user%d@example.org", i), Subject: fmt.Sprintf("mail %d", i)})
	}
	small := func(o *mail.SenderOptions) { o.Batch = 5 } // many claims, so the two meet
	a, _ := newSender(t, ownPool(t, db), srv, small)
	b, _ := newSender(t, ownPool(t, db), srv, small)
	run(t, a)
	run(t, b)
	srv.Wait(t, n, 20*time.Second)
	awaitSettled(t, db, 10*time.Second)
	for _, s := range []*mail.Sender{a, b} {
		if _, err := s.Round(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Received()
	subjects := onceEach(t, got)
	if len(got) != n || len(subjects) != n {
		t.Fatalf("%d mails received with %d distinct subjects, want %d once each", len(got), len(subjects), n)
	}
}

// The sender's database connections are killed while mail is queued and while the SMTP
// server refuses; every mail still arrives, once.
func TestSenderSurvivesDatabaseConnectionLoss(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := mailtest.Start(t)
	st := store.New(db.DB)
	const n = 30
	for i := range n {
		enqueue(t, st, store.OutMail{To: fmt.Sprintf("user%d@example.org", i), Subject: fmt.Sprintf("mail %d", i)})
	}
	kill := func() (int, error) {
		var killed int
		err := db.Get(&killed, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()) k`, senderApp)
		return killed, err
	}
	var killed atomic.Int64
	sender, logs := newSender(t, ownPool(t, db), srv, func(o *mail.SenderOptions) { o.Batch = 4 })
	defer func() {
		if t.Failed() || os.Getenv("SHOWLOG") != "" {
			t.Logf("sender log:\n%s", logs)
		}
	}()
	if k, err := kill(); err != nil || k == 0 { // the sender's pool holds an idle connection from its start
		t.Fatal("no sender connection to terminate")
	}
	srv.RefuseNext(6)
	// Every third mail, the connections go while the SMTP server accepts it: the sender's
	// "sent" mark meets a dead connection.
	var accepted atomic.Int64
	srv.OnMessage(func(mailtest.Received) {
		if accepted.Add(1)%3 == 0 {
			if k, err := kill(); err != nil {
				t.Errorf("terminate backends: %v", err)
			} else {
				killed.Add(int64(k))
			}
		}
	})
	run(t, sender)

	// And every 100 ms, while it meets the refusals and sends.
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				k, err := kill()
				if err != nil {
					t.Errorf("terminate backends: %v", err)
					return
				}
				killed.Add(int64(k))
			}
		}
	}()
	var stopOnce sync.Once
	stopKilling := func() { stopOnce.Do(func() { close(stop); <-stopped }) }
	t.Cleanup(stopKilling)
	srv.Wait(t, n, 30*time.Second)
	if killed.Load() == 0 {
		t.Fatal("no connection was terminated while sending")
	}
	// The killing stops before the last round, which must then find the outbox settled
	// (it used to meet a connection the killer had just terminated, now and then).
	stopKilling()
	awaitSettled(t, db, 10*time.Second)
	if _, err := sender.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := srv.Received()
	subjects := onceEach(t, got)
	if len(got) != n || len(subjects) != n {
		t.Fatalf("%d mails received with %d distinct subjects, want %d once each", len(got), len(subjects), n)
	}
	var refused int
	if err := db.Get(&refused, `SELECT count(*) FROM mail_outbox WHERE attempts > 1`); err != nil {
		t.Fatal(err)
	}
	if refused == 0 {
		t.Fatal("no mail was retried: the refusals were not met")
	}
	t.Logf("%d connections terminated; %d rounds failed on the database", killed.Load(), strings.Count(logs.String(), "round failed"))
	if strings.Contains(logs.String(), "could not record") {
		t.Fatalf("an outcome went unrecorded:\n%s", logs)
	}
}

func TestLogSenderPrintsTheMailAndMarksItSent(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	s, logs := newSender(t, st, nil, nil)
	enqueue(t, st, store.OutMail{Kind: "reset_password", To: "ada@example.org", Subject: "Reset your password",
		Text: "Choose a new password: https://forum.example.org/reset/tok123\n", HTML: "<p>x</p>"})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	awaitSettled(t, db, 5*time.Second)
	cancel()
	<-done
	out := logs.String()
	for _, want := range []string{
		`"msg":"mail is not configured (FORUM_SMTP_URL unset): mails are written to the log"`,
		`"msg":"mail written to the log, not sent (FORUM_SMTP_URL unset)"`,
		`"subject":"Reset your password"`,
		`"links":["https://forum.example.org/reset/tok123"]`,
		`"text":"Choose a new password: https://forum.example.org/reset/tok123\n"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ada@example.org") {
		t.Errorf("the log shows the recipient's address:\n%s", out)
	}
	if r := rows(t, db)[0]; !r.Sent {
		t.Fatalf("row %+v; want marked sent", r)
	}
}
