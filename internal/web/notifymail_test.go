package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/mailtest"
	"forum/internal/web"
	"forum/internal/webtest"
)

// newMailEnv is a server whose sender and notification mail job run against a real
// SMTP server on loopback, with a short batch interval.
func newMailEnv(t *testing.T, batch time.Duration) (*env, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	e := newEnvWith(t, webtest.Options{Mail: smtp, Config: func(c *config.Config) {
		webtest.Roomy(c)
		c.MailBatch = batch
	}})
	return e, smtp
}

// wantMailOf checks a notification mail: to addr, about the posts in with (each one's
// text and its absolute link in both parts), and about none of without.
func wantMailOf(t *testing.T, e *env, m mailtest.Received, addr string, with, without []*forum.Post) {
	t.Helper()
	if len(m.To) != 1 || m.To[0] != addr {
		t.Fatalf("mail %q to %v, want %s", m.Subject, m.To, addr)
	}
	for _, p := range with {
		link := e.http.URL + "/p/" + fmt.Sprint(p.ID)
		if !strings.Contains(m.Text, p.BodySource) || !strings.Contains(m.Text, link+"\n") ||
			!strings.Contains(m.HTML, `href="`+link+`"`) {
			t.Fatalf("mail %q lacks post %d (%q, %s):\n%s\n%s", m.Subject, p.ID, p.BodySource, link, m.Text, m.HTML)
		}
	}
	for _, p := range without {
		if strings.Contains(m.Text, p.BodySource) || strings.Contains(m.Text, fmt.Sprintf("/p/%d\n", p.ID)) {
			t.Fatalf("mail %q holds post %d (%q):\n%s", m.Subject, p.ID, p.BodySource, m.Text)
		}
	}
}

// TestNotificationMail: a reply reaches its addressee in one mail with a working link;
// what follows within the batch interval waits and goes out in one mail once the interval
// has passed; a notification read on the site in the meantime is not mailed; the mail's
// one-click unsubscribe works without a cookie or a CSRF token.
func TestNotificationMail(t *testing.T) {
	t.Parallel()
	const batch = 2 * time.Second
	e, smtp := newMailEnv(t, batch)
	const within = 20 * time.Second
	alice, bob := e.user("alice", forum.RoleMember), e.user("bob", forum.RoleMember)
	e.setEmail(t, alice, "alice@example.org")
	aliceWeb := e.login("alice")
	th, op := e.fx.Thread(alice, "Do controlled openings help?", "Opening words about the marathon.")

	r1 := e.fx.Reply(th, bob, op, "They help: runners meet people.", forum.StanceHelps)
	m1 := smtp.Wait(t, 1, within)[0]
	wantMailOf(t, e, m1, "alice@example.org", []*forum.Post{r1}, nil)
	if !strings.Contains(m1.Subject, "bob replied to your post") {
		t.Errorf("subject %q", m1.Subject)
	}
	resp, body := aliceWeb.get(fmt.Sprintf("/p/%d", r1.ID)) // the mail's link, on this server
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, fmt.Sprintf(`id="p%d"`, r1.ID), r1.BodySource)
	unsubscribe := strings.Trim(m1.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsubscribe, e.http.URL+"/mail/unsubscribe/") ||
		m1.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m1.Text, unsubscribe) {
		t.Fatalf("List-Unsubscribe %q, -Post %q", unsubscribe, m1.Header.Get("List-Unsubscribe-Post"))
	}

	// Two more at once: no mail until the interval has passed, then one holding both. A
	// post in her thread that answers someone else notifies her (she watches it) but is
	// not mailed (forum.MailedReasons).
	r2 := e.fx.Reply(th, bob, op, "They hinder: it is theatre.", forum.StanceHinders)
	r3 := e.fx.Reply(th, bob, op, "Both, at different times.", forum.StanceMixed)
	watched := e.fx.Reply(th, bob, r1, "Answering myself, in alice's thread.", forum.StanceNone)
	m2 := smtp.Wait(t, 2, within)[1]
	wantMailOf(t, e, m2, "alice@example.org", []*forum.Post{r2, r3}, []*forum.Post{r1, watched})
	var queued []time.Time
	if err := e.db.Select(&queued, `SELECT created_at FROM mail_outbox WHERE user_id = $1 ORDER BY id`, alice.ID); err != nil {
		t.Fatal(err)
	}
	if len(queued) != 2 || queued[1].Sub(queued[0]) < batch {
		t.Fatalf("mails queued at %v: want two, %v apart at least", queued, batch)
	}

	// Read on the site before the interval passes: not mailed. What is unread is.
	r4 := e.fx.Reply(th, bob, op, "Read before any mail could go.", forum.StanceNone)
	resp, body = aliceWeb.post(web.RouteNotificationsRead, url.Values{})
	wantStatus(t, resp, body, http.StatusSeeOther)
	r5 := e.fx.Reply(th, bob, op, "Still unread when the mail goes.", forum.StanceNone)
	m3 := smtp.Wait(t, 3, within)[2]
	wantMailOf(t, e, m3, "alice@example.org", []*forum.Post{r5}, []*forum.Post{r4})

	// One click, as a mail client sends it: no cookie, no CSRF token.
	resp, body = e.client().get(strings.TrimPrefix(unsubscribe, e.http.URL))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Stop notification mail?")
	req, _ := http.NewRequest(http.MethodPost, unsubscribe, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body = e.client().do(req)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="unsubscribed"`)
	if mode := e.mailMode(t, alice); mode != forum.MailNone {
		t.Fatalf("mail mode %q after unsubscribing, want none", mode)
	}
	if n := len(smtp.Received()); n != 3 {
		t.Fatalf("%d mails arrived, want 3", n)
	}

	// A link we did not sign names nobody, whatever the method.
	forged := "/mail/unsubscribe/" + fmt.Sprint(alice.ID) + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	resp, body = e.client().get(forged)
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = e.client().postRaw(forged, url.Values{"List-Unsubscribe": {"One-Click"}})
	wantStatus(t, resp, body, http.StatusNotFound)
}

// TestDailyDigest: a daily reader's notifications wait until the oldest is a day old and
// then go in one digest; someone who chose no mail gets none.
func TestDailyDigest(t *testing.T) {
	t.Parallel()
	e, smtp := newMailEnv(t, time.Second)
	const within = 20 * time.Second
	carol, dave, erin := e.user("carol", forum.RoleMember), e.user("dave", forum.RoleMember), e.user("erin", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	for _, u := range []*forum.User{carol, dave, erin} {
		e.setEmail(t, u, u.Username+"@example.org")
	}
	e.db.MustExec(`UPDATE users SET mail_mode = 'daily' WHERE id = $1`, carol.ID)
	e.db.MustExec(`UPDATE users SET mail_mode = 'none' WHERE id = $1`, erin.ID)
	th, op := e.fx.Thread(carol, "A day of replies", "What does the reopening change?")
	var replies []*forum.Post
	for i := range 3 {
		replies = append(replies, e.fx.Reply(th, bob, op, fmt.Sprintf("Digest reply number %d.", i+1), forum.StanceNone))
	}
	e.fx.Reply(th, bob, e.fx.Reply(th, erin, op, "Erin's post.", forum.StanceNone), "A reply to erin.", forum.StanceNone)
	e.fx.Reply(th, bob, e.fx.Reply(th, dave, op, "Dave's post.", forum.StanceNone), "A reply to dave.", forum.StanceNone)

	// Dave's immediate mail was queued in a round that saw every reply above, and that
	// round takes people in id order: carol's digest or a mail to erin, had either been
	// due, would have been queued before it.
	got := smtp.Wait(t, 1, within)
	if len(got[0].To) != 1 || got[0].To[0] != "dave@example.org" {
		t.Fatalf("first mail to %v (%q), want dave's", got[0].To, got[0].Subject)
	}
	if n := e.count(t, `SELECT count(*) FROM mail_outbox WHERE user_id IN ($1, $2)`, carol.ID, erin.ID); n != 0 {
		t.Fatalf("%d mails queued for carol (daily, nothing a day old) or erin (no mail)", n)
	}
	// A day later (the notifications made older), the digest holds all three.
	e.db.MustExec(`UPDATE notifications SET created_at = created_at - interval '25 hours' WHERE user_id = $1`, carol.ID)
	digest := smtp.Wait(t, 2, within)[1]
	wantMailOf(t, e, digest, "carol@example.org", replies, nil)
	if !strings.Contains(digest.Subject, "Your daily digest") {
		t.Errorf("digest subject %q", digest.Subject)
	}
	for _, m := range smtp.Received() {
		if len(m.To) == 1 && m.To[0] == "erin@example.org" {
			t.Fatalf("erin, with mail off, got %q", m.Subject)
		}
	}
}

func (e *env) mailMode(t *testing.T, u *forum.User) forum.MailMode {
	t.Helper()
	var mode forum.MailMode
	if err := e.db.Get(&mode, `SELECT mail_mode FROM users WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	return mode
}

// TestMailSettings: the settings page's Mail section shows and saves the choice.
func TestMailSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	c := e.login("alice")
	resp, body := c.get(web.RouteSettings)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="mail-no-address"`, `value="immediate" checked`)
	resp, body = c.post(web.RouteSettingsMail, url.Values{"mail_mode": {"daily"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = c.get(resp.Header.Get("Location"))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `value="daily" checked`, "Your mail setting is saved.")
	if e.mailMode(t, alice) != forum.MailDaily {
		t.Fatal("daily not stored")
	}
	resp, body = c.post(web.RouteSettingsMail, url.Values{"mail_mode": {"weekly"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
}
