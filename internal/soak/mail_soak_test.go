//go:build soak

package soak

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"forum/internal/secret"
)

// readMailers returns the soak accounts that scripts/soak.sh gave an address.
func readMailers(t *testing.T, url string, accounts []Account) []Mailer {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	names := make([]string, len(accounts))
	for i, a := range accounts {
		names[i] = a.Name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `
		SELECT username, email FROM users WHERE email IS NOT NULL AND username = ANY($1) ORDER BY username`,
		pq.Array(names))
	if err != nil {
		t.Fatalf("accounts with an address: %v", err)
	}
	defer rows.Close()
	var out []Mailer
	for rows.Next() {
		var m Mailer
		if err := rows.Scan(&m.Name, &m.Email); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("SOAK_MAIL_LOG is set but no soak account has an address (see scripts/soak.sh)")
	}
	return out
}

// checkOutbox waits (up to drain) for the outbox to have nothing left to send, then holds
// it against the sink's log and the mailers' requests, prints the figures and fails on a
// mail lost, doubled, misaddressed or with a wrong link, or a row failed or left unsent.
func checkOutbox(t *testing.T, url string, res *Result, faults []Window, mailLog, smtpWindows string, drain time.Duration) {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), drain+time.Minute)
	defer cancel()

	// The senders' rounds run every FORUM_MAIL_POLL; a mail refused with a 451 comes back
	// after its backoff, and one claimed just before the database went away waits out its
	// lease (internal/mail: 5 minutes).
	waitStart := time.Now()
	var pending int
	for {
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&pending)
		if err != nil {
			t.Fatalf("unsent mail: %v", err)
		}
		if pending == 0 || time.Since(waitStart) > drain {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	waited := time.Since(waitStart)

	var rows []OutboxRow
	q, err := db.QueryContext(ctx, `
		SELECT m.id, COALESCE(m.user_id, 0), COALESCE(u.username, ''), m.kind, m.to_addr, m.created_at,
			m.sent_at IS NOT NULL, COALESCE(m.sent_at, 'epoch'), m.failed_at IS NOT NULL, m.attempts, m.last_error
		FROM mail_outbox m LEFT JOIN users u ON u.id = m.user_id ORDER BY m.id`)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	defer q.Close()
	for q.Next() {
		var r OutboxRow
		if err := q.Scan(&r.ID, &r.UserID, &r.Username, &r.Kind, &r.To, &r.CreatedAt, &r.Sent, &r.SentAt, &r.Failed, &r.Attempts, &r.LastError); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]int64{}
	tq, err := db.QueryContext(ctx, `SELECT hash, user_id FROM email_tokens WHERE purpose = 'reset'`)
	if err != nil {
		t.Fatalf("reset tokens: %v", err)
	}
	defer tq.Close()
	for tq.Next() {
		var h []byte
		var uid int64
		if err := tq.Scan(&h, &uid); err != nil {
			t.Fatal(err)
		}
		tokens[hex.EncodeToString(h)] = uid
	}
	if err := tq.Err(); err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(mailLog)
	if err != nil {
		t.Fatalf("mail log: %v", err)
	}
	got, err := ReadDeliveries(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := CheckMail(rows, got, res.Forgots, tokens, func(tok string) string { return hex.EncodeToString(secret.Hash(tok)) })

	statuses := map[int]int{}
	for _, f := range res.Forgots {
		statuses[f.Status]++
	}
	var b strings.Builder
	row := func(name string, v any) { fmt.Fprintf(&b, "  %-30s %v\n", name, v) }
	fmt.Fprintf(&b, "mail: %d accounts with an address asking for resets\n", len(mailersOf(res.Forgots)))
	for _, w := range readSMTPWindows(t, smtpWindows) {
		what := map[string]string{"refuse": "refused every mail (451)", "hold": "held every mail unanswered"}[w.Kind]
		fmt.Fprintf(&b, "  SMTP sink %s from %5.1fs to %5.1fs\n", what, w.Start.Sub(res.Started).Seconds(), w.End.Sub(res.Started).Seconds())
	}
	row("POST /forgot sent", len(res.Forgots))
	row("  statuses (0: no answer)", statusLine(statuses))
	row("  acknowledged (200)", c.ForgotAcked)
	row("  acknowledged, with a row", c.ForgotWritten)
	row("  acknowledged, no row (lost)", len(c.ForgotLost))
	row("  acknowledged, 2+ rows", len(c.ForgotDoubled))
	row("  row, never acknowledged", c.ForgotUnacked)
	row("  row in no request's time", c.ForgotOutside)
	row("mails queued", fmt.Sprintf("%d (%s)", c.Queued, c.kinds()))
	row("  sent", c.Sent)
	row("  sent after a failed try", c.Retried)
	row("  marked across an outage", MarkedAcross(rows, got, faults))
	row("  failed", len(c.Failed))
	row("  unsent after the drain", fmt.Sprintf("%d (waited %s)", len(c.Unsent), waited.Round(100*time.Millisecond)))
	row("mails received", c.Received)
	row("  once (delivered)", c.Delivered)
	row("  lost", len(c.Lost))
	row("  duplicates", len(c.Doubled))
	row("  stray / misaddressed", fmt.Sprintf("%d / %d", len(c.Stray), len(c.Misaddress)))
	row("  reset link not its token", len(c.BadLink))
	row("delay queued→received", fmt.Sprintf("median %s, p99 %s, max %s",
		c.Delay(0.5).Round(time.Millisecond), c.Delay(0.99).Round(time.Millisecond), c.Delay(1).Round(time.Millisecond)))
	fmt.Print(b.String())

	shown := 0
	report := func(format string, args ...any) {
		if shown++; shown <= 20 {
			t.Errorf(format, args...)
		}
	}
	for _, r := range c.Failed {
		report("mail %d (%s) failed after %d attempt(s): %s", r.ID, r.Kind, r.Attempts, r.LastError)
	}
	for _, r := range c.Unsent {
		report("mail %d (%s, queued %s) still unsent after %d attempt(s): %s", r.ID, r.Kind, r.CreatedAt.Format(time.RFC3339Nano), r.Attempts, r.LastError)
	}
	for _, r := range c.Lost {
		if r.Sent {
			report("lost: mail %d (%s) is marked sent but never arrived", r.ID, r.Kind)
		}
	}
	for id, n := range c.Doubled {
		report("doubled: mail %d arrived %d times", id, n)
	}
	for _, d := range c.Stray {
		report("stray: a message %s that names no outbox row", d.MessageID)
	}
	for _, d := range c.Misaddress {
		report("misaddressed: message %s went to %v", d.MessageID, d.To)
	}
	for _, d := range c.BadLink {
		report("reset mail %s: its link is not a reset token of its account", d.MessageID)
	}
	for _, f := range c.ForgotLost {
		report("lost: POST /forgot for %s (login %q) on instance %d at %.3fs was acknowledged but queued no mail",
			f.Account, f.Login, f.Instance, f.Sent.Sub(res.Started).Seconds())
	}
	for _, f := range c.ForgotDoubled {
		report("doubled: POST /forgot for %s at %.3fs queued more than one mail", f.Account, f.Sent.Sub(res.Started).Seconds())
	}
	if c.ForgotAcked == 0 {
		t.Error("no password-reset request was acknowledged")
	}
}

func mailersOf(fs []Forgot) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.Account] = true
	}
	return m
}

// readSMTPWindows reads the sink's windows ("<start> <end> <kind>" per line); none when
// the file is absent.
func readSMTPWindows(t *testing.T, path string) []Window {
	t.Helper()
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("SMTP windows: %v", err)
	}
	defer f.Close()
	var out []Window
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 {
			t.Fatalf("SMTP windows: line %q is not \"<start> <end> <kind>\"", sc.Text())
		}
		a, err1 := parseUnix(fs[0])
		b, err2 := parseUnix(fs[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("SMTP windows: line %q", sc.Text())
		}
		out = append(out, Window{Kind: fs[2], Start: a, End: b})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("SMTP windows: %v", err)
	}
	return out
}
