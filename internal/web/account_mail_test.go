package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"forum/internal/mailtest"
	"forum/internal/web"
	"forum/internal/webtest"
)

// smtpLinkRE finds a token link in a mail that came over SMTP, on the test server's own
// base URL.
var smtpLinkRE = regexp.MustCompile(`https?://[^/\s"]+(/(?:reset|settings/email/confirm)/[A-Za-z0-9_-]{43})\b`)

// receivedLink is the path of the one token link in a received mail, in both parts.
func receivedLink(t *testing.T, m mailtest.Received) string {
	t.Helper()
	links := smtpLinkRE.FindAllStringSubmatch(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("%q has %d token links:\n%s", m.Subject, len(links), m.Text)
	}
	if !strings.Contains(m.HTML, links[0][0]+`"`) {
		t.Fatalf("%q's HTML part lacks the link %s:\n%s", m.Subject, links[0][0], m.HTML)
	}
	return links[0][1]
}

func wantTo(t *testing.T, m mailtest.Received, addr, subject string) {
	t.Helper()
	if len(m.To) != 1 || m.To[0] != addr || !strings.Contains(m.Subject, subject) {
		t.Fatalf("a mail to %v titled %q; want one to %s about %q", m.To, m.Subject, addr, subject)
	}
}

// TestAccountMailArrives runs the account's mail through the real sender and a real
// SMTP server on loopback: the confirmation, the notice to the old address and the reset
// each arrive once, with a link that works once and not after it expires.
func TestAccountMailArrives(t *testing.T) {
	t.Parallel()
	smtp := mailtest.Start(t)
	e := newEnvWith(t, webtest.Options{Mail: smtp})
	const within = 20 * time.Second

	visitor := e.client()
	resp, body := visitor.post(web.RouteRegister, url.Values{"username": {"mailer"},
		"password": {"a long and unguessable passphrase"}, "email": {"first@example.org"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	got := smtp.Wait(t, 1, within)
	wantTo(t, got[0], "first@example.org", "Confirm your address")
	link := receivedLink(t, got[0])
	resp, body = e.client().get(link)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = visitor.post(link, url.Values{})
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "<strong>first@example.org</strong> is now the address of the account mailer")
	resp, body = visitor.post(link, url.Values{})
	wantStatus(t, resp, body, http.StatusNotFound)

	// A change: the link goes to the new address, the notice to the old.
	resp, body = visitor.post(web.RouteSettingsEmail, url.Values{"email": {"second@example.org"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	got = smtp.Wait(t, 2, within)
	wantTo(t, got[1], "second@example.org", "Confirm your address")
	resp, body = visitor.post(receivedLink(t, got[1]), url.Values{})
	wantStatus(t, resp, body, http.StatusOK)
	got = smtp.Wait(t, 3, within)
	wantTo(t, got[2], "first@example.org", "was changed")

	// A reset, asked for by the new address.
	other := e.client()
	resp, body = other.post(web.RouteLogin, url.Values{"username": {"mailer"}, "password": {"a long and unguessable passphrase"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = e.forgot(t, e.client(), "SECOND@example.org")
	wantStatus(t, resp, body, http.StatusOK)
	got = smtp.Wait(t, 4, within)
	wantTo(t, got[3], "second@example.org", "Set a new password")
	reset := receivedLink(t, got[3])
	resp, body = e.client().post(reset, url.Values{"password": {"marathon morning under grey skies"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	signedOut(t, other, "a session from before the reset")
	resp, body = e.client().post(reset, url.Values{"password": {"yet another long unguessable phrase"}})
	wantStatus(t, resp, body, http.StatusNotFound)

	// A link past its hour.
	resp, body = e.forgot(t, e.client(), "mailer")
	wantStatus(t, resp, body, http.StatusOK)
	got = smtp.Wait(t, 5, within)
	wantTo(t, got[4], "second@example.org", "Set a new password")
	e.expireLinks(t, e.mustUser("mailer"))
	resp, body = e.client().get(receivedLink(t, got[4]))
	wantStatus(t, resp, body, http.StatusNotFound)
	wantContains(t, body, "This link has expired.")

	// Once each: with the outbox drained, nothing more arrived.
	ctx, cancel := context.WithTimeout(t.Context(), within)
	defer cancel()
	for {
		var pending int
		if err := e.db.Get(&pending, `SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d mails still unsent", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(smtp.Received()); n != 5 {
		t.Fatalf("%d mails arrived, want 5", n)
	}
}
