package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"forum/internal/forum"
	"forum/internal/web"
)

// The account's tests run end to end through HTTP on a real database; the mail is read
// from the outbox the sender would take it from (account_mail_test.go has it arrive over
// real SMTP).

// outMail is one row of the outbox.
type outMail struct {
	Kind string `db:"kind"`
	To   string `db:"to_addr"`
	Text string `db:"text_body"`
	HTML string `db:"html_body"`
}

// outbox is every queued mail of kind, oldest first.
func (e *env) outbox(t *testing.T, kind string) []outMail {
	t.Helper()
	var out []outMail
	if err := e.db.Select(&out, `SELECT kind, to_addr, text_body, html_body FROM mail_outbox WHERE kind = $1 ORDER BY id`, kind); err != nil {
		t.Fatal(err)
	}
	return out
}

// lastMail is the newest mail of kind, which must exist, and must be to addr.
func (e *env) lastMail(t *testing.T, kind, addr string) outMail {
	t.Helper()
	all := e.outbox(t, kind)
	if len(all) == 0 {
		t.Fatalf("no %s mail in the outbox", kind)
	}
	m := all[len(all)-1]
	if m.To != addr {
		t.Fatalf("the %s mail goes to %q, want %q", kind, m.To, addr)
	}
	return m
}

var clockRE = regexp.MustCompile(`\d+ [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC|\d{4}-\d\d-\d\dT[\d:]+Z`)

var mailLinkRE = regexp.MustCompile(`http://forum\.test(/(?:reset|settings/email/confirm)/[A-Za-z0-9_-]{43})\b`)

// mailLink is the path of the one link to a token in a mail, in both its parts.
func mailLink(t *testing.T, m outMail) string {
	t.Helper()
	links := mailLinkRE.FindAllStringSubmatch(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("the %s mail has %d links with a token:\n%s", m.Kind, len(links), m.Text)
	}
	if !strings.Contains(m.HTML, `href="http://forum.test`+links[0][1]+`"`) {
		t.Fatalf("the %s mail's HTML part lacks the link:\n%s", m.Kind, m.HTML)
	}
	return links[0][1]
}

// setEmail gives a user a confirmed address directly, as a finished confirmation would.
func (e *env) setEmail(t *testing.T, u *forum.User, addr string) {
	t.Helper()
	if _, err := e.db.Exec(`UPDATE users SET email = $2 WHERE id = $1`, u.ID, addr); err != nil {
		t.Fatal(err)
	}
}

func (e *env) emailOf(t *testing.T, u *forum.User) string {
	t.Helper()
	var addr *string
	if err := e.db.Get(&addr, `SELECT email FROM users WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	if addr == nil {
		return ""
	}
	return *addr
}

// expireLinks makes every mailed link of u's expire a second ago.
func (e *env) expireLinks(t *testing.T, u *forum.User) {
	t.Helper()
	if _, err := e.db.Exec(`UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
}

// signedOut reports that c's session no longer works: the settings page sends it to log in.
func signedOut(t *testing.T, c *client, who string) {
	t.Helper()
	resp, body := c.get(web.RouteSettings)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("%s: status %d, location %q: the session still works\n%.500s", who, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

func signedIn(t *testing.T, c *client, who string) string {
	t.Helper()
	return signedInAt(t, c, who, web.RouteSettings)
}

// signedInAt is signedIn on the settings page at path (a redirect's Location, with
// its ?done= notice).
func signedInAt(t *testing.T, c *client, who, path string) string {
	t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: the session stopped working\n%.500s", who, resp.StatusCode, body)
	}
	return body
}

func TestEmailChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("ConfirmationLinkSetsTheAddressOnce", func(t *testing.T) {
		alice := e.user("alice", forum.RoleMember)
		ac := e.login("alice")
		resp, body := ac.post(web.RouteSettingsEmail, url.Values{"email": {"  Alice@Example.org "}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = ac.get(resp.Header.Get("Location"))
		wantContains(t, body, "We sent a link to the new address", "A link to confirm <strong>Alice@Example.org</strong> is waiting",
			"Your account has no e-mail address")
		if got := e.emailOf(t, alice); got != "" {
			t.Fatalf("the address is %q before its link was opened", got)
		}
		link := mailLink(t, e.lastMail(t, "confirm_email", "Alice@Example.org"))

		// The link works without logging in (a phone's mail app), and a GET changes nothing.
		visitor := e.client()
		resp, body = visitor.get(link)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "Confirm this address", "Alice@Example.org", "alice")
		if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Fatalf("Referrer-Policy %q on a page whose address holds a token", rp)
		}
		if got := e.emailOf(t, alice); got != "" {
			t.Fatalf("opening the link set the address to %q before the button", got)
		}
		resp, body = visitor.post(link, url.Values{})
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "Address confirmed", "<strong>Alice@Example.org</strong> is now the address of the account alice")
		if got := e.emailOf(t, alice); got != "Alice@Example.org" {
			t.Fatalf("after confirming, the address is %q", got)
		}
		body = signedIn(t, ac, "alice")
		wantContains(t, body, "Your address is <strong>Alice@Example.org</strong>")
		wantAbsent(t, "settings after confirming", body, "is waiting in that mailbox")
		if n := len(e.outbox(t, "email_changed")); n != 0 {
			t.Fatalf("a first address told %d old addresses", n)
		}

		// Once only.
		resp, body = visitor.post(link, url.Values{})
		wantStatus(t, resp, body, http.StatusNotFound)
		wantContains(t, body, "already been used")
		resp, body = visitor.get(link)
		wantStatus(t, resp, body, http.StatusNotFound)
	})

	t.Run("TheOldAddressIsTold", func(t *testing.T) {
		u := e.user("oldaddr", forum.RoleMember)
		e.setEmail(t, u, "old@example.org")
		c := e.login("oldaddr")
		resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {"new@example.org"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		link := mailLink(t, e.lastMail(t, "confirm_email", "new@example.org"))
		if got := e.emailOf(t, u); got != "old@example.org" {
			t.Fatalf("asking changed the address to %q", got)
		}
		resp, body = c.post(link, url.Values{})
		wantStatus(t, resp, body, http.StatusOK)
		if got := e.emailOf(t, u); got != "new@example.org" {
			t.Fatalf("the address is %q", got)
		}
		told := e.lastMail(t, "email_changed", "old@example.org")
		wantContains(t, told.Text, "oldaddr", "has been changed", "http://forum.test/settings")
		wantAbsent(t, "the notice to the old address", told.Text, "/settings/email/confirm/")
	})

	t.Run("AnExpiredLinkChangesNothing", func(t *testing.T) {
		u := e.user("expiry", forum.RoleMember)
		c := e.login("expiry")
		resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {"expiry@example.org"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		link := mailLink(t, e.lastMail(t, "confirm_email", "expiry@example.org"))
		e.expireLinks(t, u)
		resp, body = c.get(link)
		wantStatus(t, resp, body, http.StatusNotFound)
		wantContains(t, body, "This link has expired.")
		resp, body = c.post(link, url.Values{})
		wantStatus(t, resp, body, http.StatusNotFound)
		if got := e.emailOf(t, u); got != "" {
			t.Fatalf("an expired link set the address to %q", got)
		}
		resp, body = c.get(web.RouteSettings)
		wantStatus(t, resp, body, http.StatusOK)
		wantAbsent(t, "settings after the link expired", body, "is waiting in that mailbox")
	})

	t.Run("ALaterRequestRetiresTheEarlierLink", func(t *testing.T) {
		u := e.user("twice", forum.RoleMember)
		c := e.login("twice")
		c.post(web.RouteSettingsEmail, url.Values{"email": {"first@example.org"}})
		first := mailLink(t, e.lastMail(t, "confirm_email", "first@example.org"))
		c.post(web.RouteSettingsEmail, url.Values{"email": {"second@example.org"}})
		second := mailLink(t, e.lastMail(t, "confirm_email", "second@example.org"))
		resp, body := c.post(first, url.Values{})
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = c.post(second, url.Values{})
		wantStatus(t, resp, body, http.StatusOK)
		if got := e.emailOf(t, u); got != "second@example.org" {
			t.Fatalf("the address is %q", got)
		}
	})

	t.Run("BadAddressesAreRefusedWithTheFormKept", func(t *testing.T) {
		e.user("typo", forum.RoleMember)
		c := e.login("typo")
		for _, bad := range []string{"not an address", "Typo <typo@example.org>", "typo@localhost", strings.Repeat("a", 250) + "@b.org"} {
			resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {bad}})
			wantStatus(t, resp, body, http.StatusBadRequest)
			wantContains(t, body, `id="email-error"`, `aria-invalid="true"`)
			if !strings.Contains(body, `value="`+html.EscapeString(bad)+`"`) {
				t.Fatalf("the refused address %q is not kept in the form", bad)
			}
		}
	})

	t.Run("TheSameAddressInAnotherCase", func(t *testing.T) {
		u := e.user("samecase", forum.RoleMember)
		e.setEmail(t, u, "Same@Example.org")
		c := e.login("samecase")
		resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {"same@example.ORG"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "That is already your address.")
	})

	// Asking for an address another account has answers exactly as for a free one; the
	// mail to that address says it is taken and carries no link.
	t.Run("AnAddressInUseAnswersLikeAFreeOne", func(t *testing.T) {
		owner := e.user("owner", forum.RoleMember)
		e.setEmail(t, owner, "owner@example.org")
		e.user("asker", forum.RoleMember)
		c := e.login("asker")
		free, _ := c.post(web.RouteSettingsEmail, url.Values{"email": {"free@example.org"}})
		_, freePage := c.get(free.Header.Get("Location"))
		taken, _ := c.post(web.RouteSettingsEmail, url.Values{"email": {"OWNER@example.org"}})
		_, takenPage := c.get(taken.Header.Get("Location"))
		if free.StatusCode != taken.StatusCode || free.Header.Get("Location") != taken.Header.Get("Location") {
			t.Fatalf("free: %d → %q; taken: %d → %q", free.StatusCode, free.Header.Get("Location"), taken.StatusCode, taken.Header.Get("Location"))
		}
		norm := func(s string) string {
			s = csrfRE.ReplaceAllString(s, "csrf")
			s = clockRE.ReplaceAllString(s, "TIME") // the two links expire a few ms apart
			return strings.NewReplacer("free@example.org", "ADDR", "OWNER@example.org", "ADDR").Replace(s)
		}
		if norm(freePage) != norm(takenPage) {
			t.Fatal("the settings page after asking for a taken address differs from the one after a free address")
		}
		inUse := e.lastMail(t, "email_in_use", "OWNER@example.org")
		wantContains(t, inUse.Text, "already belongs to another account", "http://forum.test/forgot")
		wantAbsent(t, "the in-use mail", inUse.Text+inUse.HTML, "/settings/email/confirm/", "owner")
		if got := e.emailOf(t, owner); got != "owner@example.org" {
			t.Fatalf("the owner's address became %q", got)
		}
	})

	t.Run("ConfirmingAnAddressTakenMeanwhileIsAConflict", func(t *testing.T) {
		slow := e.user("slow", forum.RoleMember)
		fast := e.user("fast", forum.RoleMember)
		c := e.login("slow")
		c.post(web.RouteSettingsEmail, url.Values{"email": {"contested@example.org"}})
		link := mailLink(t, e.lastMail(t, "confirm_email", "contested@example.org"))
		e.setEmail(t, fast, "Contested@example.org") // confirmed by another account meanwhile
		resp, body := c.post(link, url.Values{})
		wantStatus(t, resp, body, http.StatusConflict)
		wantContains(t, body, "Another account has confirmed this address")
		if got := e.emailOf(t, slow); got != "" {
			t.Fatalf("the address became %q", got)
		}
	})

	t.Run("RegistrationTakesAnOptionalAddress", func(t *testing.T) {
		visitor := e.client()
		resp, body := visitor.post(web.RouteRegister, url.Values{"username": {"newcomer"},
			"password": {"a long and unguessable passphrase"}, "email": {"bad address"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, `value="newcomer"`, `value="bad address"`, "Enter an e-mail address")

		resp, body = visitor.post(web.RouteRegister, url.Values{"username": {"newcomer"},
			"password": {"a long and unguessable passphrase"}, "email": {"newcomer@example.org"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		u := e.mustUser("newcomer")
		if got := e.emailOf(t, u); got != "" {
			t.Fatalf("the address is %q before it was confirmed", got)
		}
		link := mailLink(t, e.lastMail(t, "confirm_email", "newcomer@example.org"))
		resp, body = visitor.post(link, url.Values{})
		wantStatus(t, resp, body, http.StatusOK)
		if got := e.emailOf(t, u); got != "newcomer@example.org" {
			t.Fatalf("after confirming, the address is %q", got)
		}

		// Without one, as before.
		resp, body = e.client().post(web.RouteRegister, url.Values{"username": {"nomail"},
			"password": {"a long and unguessable passphrase"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	})

	t.Run("RequestsAreLimitedPerAccount", func(t *testing.T) {
		e.user("spammer", forum.RoleMember)
		c := e.login("spammer")
		limit := forum.DefaultLimits().EmailConfirmations[0].Max
		for i := range limit {
			resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {"target" + strconv.Itoa(i) + "@example.org"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {"one-more@example.org"}})
		wantStatus(t, resp, body, http.StatusTooManyRequests)
		if resp.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		wantContains(t, body, "requests to change your address", `value="one-more@example.org"`)
	})
}

// forgot asks for a reset as a fresh visitor and returns the answer.
func (e *env) forgot(t *testing.T, c *client, login string) (*http.Response, string) {
	t.Helper()
	c.get(web.RouteForgot)
	return c.post(web.RouteForgot, url.Values{"login": {login}})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.setEmail(t, alice, "Alice@Example.org")
	e.user("bob", forum.RoleMember) // no address

	// Whatever the login names, the answer is the same page with the same status: an
	// account with an address (by name, or by address in any case), one without, none.
	t.Run("AnswersAreTheSameForKnownAndUnknownAccounts", func(t *testing.T) {
		var first string
		for _, login := range []string{"alice", "alice@example.ORG", "bob", "nobody", "nobody@example.org"} {
			resp, body := e.forgot(t, e.client(), login)
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, `id="reset-sent"`)
			body = csrfRE.ReplaceAllString(body, "csrf")
			if first == "" {
				first = body
			} else if body != first {
				t.Fatalf("the answer for %q differs from the one for alice", login)
			}
		}
		mails := e.outbox(t, "password_reset")
		if len(mails) != 2 || mails[0].To != "Alice@Example.org" || mails[1].To != "Alice@Example.org" {
			t.Fatalf("reset mails: %+v; want two, both to alice's address", mails)
		}
	})

	t.Run("TheLinkSetsThePasswordOnceAndSignsOutEverySession", func(t *testing.T) {
		u := e.user("carol", forum.RoleMember)
		e.setEmail(t, u, "carol@example.org")
		laptop, phone := e.login("carol"), e.login("carol")
		stranger := e.client() // the browser the link is opened in
		resp, body := e.forgot(t, stranger, "carol")
		wantStatus(t, resp, body, http.StatusOK)
		m := e.lastMail(t, "password_reset", "carol@example.org")
		wantContains(t, m.Text, "Hello carol", "within 1 hour")
		link := mailLink(t, m)
		signedIn(t, laptop, "carol's laptop") // asking changes nothing yet

		resp, body = stranger.get(link)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "Choose a new password", "<strong>carol</strong>")
		if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Fatalf("Referrer-Policy %q on a page whose address holds a token", rp)
		}
		resp, body = stranger.post(link, url.Values{"password": {"carol"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "Passwords need at least", `id="form-error"`)

		resp, body = stranger.post(link, url.Values{"password": {"marathon morning under grey skies"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/settings?done=password-reset#password" {
			t.Fatalf("Location %q", loc)
		}
		body = signedInAt(t, stranger, "the browser that reset", resp.Header.Get("Location"))
		wantContains(t, body, "Your new password is set.")
		signedOut(t, laptop, "carol's laptop")
		signedOut(t, phone, "carol's phone")

		resp, body = e.client().post(web.RouteLogin, url.Values{"username": {"carol"}, "password": {"carol-password"}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
		resp, body = e.client().post(web.RouteLogin, url.Values{"username": {"carol"}, "password": {"marathon morning under grey skies"}})
		wantStatus(t, resp, body, http.StatusSeeOther)

		resp, body = e.client().post(link, url.Values{"password": {"another long and unguessable one"}})
		wantStatus(t, resp, body, http.StatusNotFound)
		wantContains(t, body, "already been used")
		resp, body = e.client().get(link)
		wantStatus(t, resp, body, http.StatusNotFound)
	})

	// Two tabs sending the form at once: the link is used once. (Whether both tabs got
	// past the page's own check first is up to timing; store's
	// TestMailedLinksAreCheckedUnderTheLock proves the check under the lock directly.)
	t.Run("ALinkSentTwiceAtOnceWorksOnce", func(t *testing.T) {
		u := e.user("frank", forum.RoleMember)
		e.setEmail(t, u, "frank@example.org")
		e.forgot(t, e.clientFrom("127.0.0.5"), "frank")
		link := mailLink(t, e.lastMail(t, "password_reset", "frank@example.org"))
		tabs := make([]*client, 6)
		for i := range tabs {
			tabs[i] = e.client()
			tabs[i].get(link) // its form's CSRF token
		}
		statuses := make(chan int, len(tabs))
		var wg sync.WaitGroup
		for i, tab := range tabs {
			form := url.Values{"csrf_token": {tab.csrf}, "password": {"tab " + strconv.Itoa(i) + " sets a long unguessable phrase"}}
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, e.http.URL+link, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := tab.http.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			})
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for st := range statuses {
			count[st]++
		}
		if count[http.StatusSeeOther] != 1 || count[http.StatusNotFound] != len(tabs)-1 {
			t.Fatalf("answers %v; want one 303 and %d 404s", count, len(tabs)-1)
		}
	})

	t.Run("AnExpiredLinkIsRefused", func(t *testing.T) {
		u := e.user("dave", forum.RoleMember)
		e.setEmail(t, u, "dave@example.org")
		e.forgot(t, e.client(), "dave@example.org")
		link := mailLink(t, e.lastMail(t, "password_reset", "dave@example.org"))
		e.expireLinks(t, u)
		resp, body := e.client().get(link)
		wantStatus(t, resp, body, http.StatusNotFound)
		wantContains(t, body, "This link has expired.", "/forgot")
		resp, body = e.client().post(link, url.Values{"password": {"marathon morning under grey skies"}})
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = e.client().post(web.RouteLogin, url.Values{"username": {"dave"}, "password": {"dave-password"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	})

	t.Run("AMadeUpLinkIsNotFound", func(t *testing.T) {
		for _, path := range []string{"/reset/not-a-token", "/reset/" + strings.Repeat("A", 43)} {
			resp, body := e.client().get(path)
			wantStatus(t, resp, body, http.StatusNotFound)
			wantContains(t, body, "does not work")
		}
	})

	// Past the account's limit the answer is still the same page; only the mail stops.
	t.Run("TheAccountLimitLooksLikeSuccess", func(t *testing.T) {
		u := e.user("erin", forum.RoleMember)
		e.setEmail(t, u, "erin@example.org")
		limit := forum.DefaultLimits().PasswordResets[0].Max
		for i := range limit + 2 {
			resp, body := e.forgot(t, e.clientFrom("127.0.0.3"), "erin")
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, `id="reset-sent"`)
			if resp.Header.Get("Retry-After") != "" {
				t.Fatalf("request %d has a Retry-After", i+1)
			}
		}
		var n int
		if err := e.db.Get(&n, `SELECT count(*) FROM mail_outbox WHERE kind = 'password_reset' AND to_addr = 'erin@example.org'`); err != nil {
			t.Fatal(err)
		}
		if n != limit {
			t.Fatalf("%d reset mails for %d requests, want the limit, %d", n, limit+2, limit)
		}
	})

	// The limit per client address counts the asker, not an account: its refusal is a 429.
	t.Run("TheAddressLimitIsATooManyRequests", func(t *testing.T) {
		limit := forum.DefaultLimits().PasswordResetsAddress[0].Max
		c := e.clientFrom("127.0.0.4")
		for i := range limit {
			resp, body := e.forgot(t, c, "nobody"+strconv.Itoa(i))
			wantStatus(t, resp, body, http.StatusOK)
		}
		resp, body := e.forgot(t, c, "alice")
		wantStatus(t, resp, body, http.StatusTooManyRequests)
		if resp.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		wantContains(t, body, "password reset requests from your address")
	})

	t.Run("AnEmptyLoginIsABadRequest", func(t *testing.T) {
		resp, body := e.forgot(t, e.client(), "  ")
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "Enter your username")
	})
}

func TestPasswordChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("alice", forum.RoleMember)
	here, there := e.login("alice"), e.login("alice")
	const next = "a brand new and unguessable phrase"

	resp, body := here.post(web.RouteSettingsPassword, url.Values{"current_password": {"not it"}, "password": {next}})
	wantStatus(t, resp, body, http.StatusForbidden)
	wantContains(t, body, `id="current-password-error"`, "Your current password is not right.", `id="sessions"`)
	signedIn(t, there, "the other session, after a wrong current password")

	resp, body = here.post(web.RouteSettingsPassword, url.Values{"current_password": {"alice-password"}, "password": {"alice"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, `id="password-error"`, "Passwords need at least")

	resp, body = here.post(web.RouteSettingsPassword, url.Values{"current_password": {"alice-password"}, "password": {next}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	body = signedInAt(t, here, "the session that changed it", resp.Header.Get("Location"))
	wantContains(t, body, "Your password is changed, and every other session of yours is signed out.")
	signedOut(t, there, "the other session")

	resp, body = e.client().post(web.RouteLogin, url.Values{"username": {"alice"}, "password": {"alice-password"}})
	wantStatus(t, resp, body, http.StatusUnauthorized)
	resp, body = e.client().post(web.RouteLogin, url.Values{"username": {"alice"}, "password": {next}})
	wantStatus(t, resp, body, http.StatusSeeOther)
}

// uaTransport sends every request with one User-Agent, as one browser does.
type uaTransport struct {
	ua   string
	next http.RoundTripper
}

func (u uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.ua)
	return u.next.RoundTrip(r)
}

// browserAt is a client at ip whose requests carry ua, logged in as name.
func (e *env) browserAt(t *testing.T, ip, ua, name string) *client {
	t.Helper()
	c := e.clientFrom(ip)
	c.http.Transport = uaTransport{ua: ua, next: c.http.Transport}
	resp, body := c.post(web.RouteLogin, url.Values{"username": {name}, "password": {name + "-password"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	c.get("/")
	return c
}

const (
	firefoxLinux = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chromeWin    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)

var sessionRowRE = regexp.MustCompile(`(?s)<tr data-session-id="([0-9a-f]{16})"( class="current-session")?>(.*?)</tr>`)

// sessionRows maps each listed session's public id to its row's text.
func sessionRows(body string) (rows map[string]string, current string) {
	rows = map[string]string{}
	for _, m := range sessionRowRE.FindAllStringSubmatch(body, -1) {
		rows[m[1]] = m[3]
		if m[2] != "" {
			current = m[1]
		}
	}
	return rows, current
}

func TestSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	laptop := e.browserAt(t, "127.0.0.2", firefoxLinux, "alice")
	desktop := e.browserAt(t, "127.0.0.3", chromeWin, "alice")

	t.Run("ListsDeviceAddressAndLastSeen", func(t *testing.T) {
		body := signedIn(t, laptop, "laptop")
		rows, current := sessionRows(body)
		if len(rows) != 2 || current == "" {
			t.Fatalf("%d sessions listed, current %q:\n%s", len(rows), current, body)
		}
		wantContains(t, rows[current], "Firefox on Linux", "this device", "127.0.0.2", "just now")
		wantAbsent(t, "this device's row", rows[current], "/revoke") // its way out is Log out
		for id, row := range rows {
			if id != current {
				wantContains(t, row, "Chrome on Windows", "127.0.0.3", `action="/settings/sessions/`+id+`/revoke"`)
				wantAbsent(t, "another device's row", row, "this device")
			}
		}
		// Neither the cookie's id nor the key the database keeps appears in the page.
		var keys []string
		if err := e.db.Select(&keys, `SELECT encode(id_hash, 'hex') FROM sessions WHERE user_id = $1`, alice.ID); err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse(e.http.URL)
		for _, ck := range laptop.http.Jar.Cookies(base) {
			keys = append(keys, ck.Value)
		}
		wantAbsent(t, "the settings page", body, keys...)
	})

	// Last seen is written when it is a few minutes old, not on every request.
	t.Run("LastSeenIsWrittenEveryFewMinutes", func(t *testing.T) {
		seen := func() string {
			var s string
			if err := e.db.Get(&s, `SELECT last_seen_at::text FROM sessions WHERE user_id = $1 AND user_agent = $2`, alice.ID, chromeWin); err != nil {
				t.Fatal(err)
			}
			return s
		}
		set := func(ago string) string {
			if _, err := e.db.Exec(`UPDATE sessions SET last_seen_at = now() - $2::interval WHERE user_id = $1 AND user_agent = $3`,
				alice.ID, ago, chromeWin); err != nil {
				t.Fatal(err)
			}
			return seen()
		}
		before := set("1 minute")
		desktop.get("/")
		if after := seen(); after != before {
			t.Fatalf("a request a minute after the last wrote last seen: %s → %s", before, after)
		}
		before = set("6 minutes")
		desktop.get("/")
		if after := seen(); after == before {
			t.Fatalf("a request six minutes after the last left last seen at %s", before)
		}
	})

	t.Run("SignOutOneSession", func(t *testing.T) {
		rows, current := sessionRows(signedIn(t, laptop, "laptop"))
		var other string
		for id := range rows {
			if id != current {
				other = id
			}
		}
		resp, body := laptop.post("/settings/sessions/"+other+"/revoke", url.Values{})
		wantStatus(t, resp, body, http.StatusSeeOther)
		body = signedInAt(t, laptop, "laptop", resp.Header.Get("Location"))
		wantContains(t, body, "That session is signed out.")
		signedOut(t, desktop, "the desktop")
		if rows, _ := sessionRows(body); len(rows) != 1 {
			t.Fatalf("%d sessions listed after signing one out", len(rows))
		}
		resp, body = laptop.post("/settings/sessions/"+other+"/revoke", url.Values{})
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = laptop.post("/settings/sessions/not-hex/revoke", url.Values{})
		wantStatus(t, resp, body, http.StatusNotFound)
	})

	t.Run("NobodyElsesSessionCanBeSignedOut", func(t *testing.T) {
		e.user("bob", forum.RoleMember)
		bob := e.login("bob")
		var bobs string
		if err := e.db.Get(&bobs, `SELECT encode(substring(sha256(s.id_hash) from 1 for 8), 'hex') FROM sessions s
			JOIN users u ON u.id = s.user_id WHERE u.username = 'bob'`); err != nil {
			t.Fatal(err)
		}
		resp, body := laptop.post("/settings/sessions/"+bobs+"/revoke", url.Values{})
		wantStatus(t, resp, body, http.StatusNotFound)
		signedIn(t, bob, "bob")
	})

	t.Run("SignOutAllOthers", func(t *testing.T) {
		phone, tablet := e.login("alice"), e.login("alice")
		resp, body := laptop.post(web.RouteRevokeOtherSessions, url.Values{})
		wantStatus(t, resp, body, http.StatusSeeOther)
		body = signedInAt(t, laptop, "laptop", resp.Header.Get("Location"))
		wantContains(t, body, "Every other session is signed out.")
		signedOut(t, phone, "the phone")
		signedOut(t, tablet, "the tablet")
		if rows, current := sessionRows(body); len(rows) != 1 || current == "" {
			t.Fatalf("after signing out all others: %d listed, current %q", len(rows), current)
		}
	})
}

func TestBio(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	ac := e.login("alice")

	resp, body := ac.post(web.RouteSettingsBio, url.Values{"bio": {"I *ran* the 2025 marathon with @bob.\r\n\r\n<script>alert(1)</script>"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	body = signedInAt(t, ac, "alice", resp.Header.Get("Location"))
	wantContains(t, body, "Your bio is saved.", "I *ran* the 2025 marathon")

	resp, body = e.client().get("/u/alice")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<div class="bio post-body">`, "<em>ran</em>")
	wantAbsent(t, "alice's page", body, "<script>alert", `href="/u/bob"`)
	var n int
	if err := e.db.Get(&n, `SELECT count(*) FROM notifications WHERE user_id = $1`, bob.ID); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a bio naming @bob gave bob %d notifications", n)
	}

	long := strings.Repeat("é", forum.MaxBioLen+1)
	resp, body = ac.post(web.RouteSettingsBio, url.Values{"bio": {long}})
	wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
	wantContains(t, body, `id="bio-error"`, "at most 1000 characters", long)

	resp, body = ac.post(web.RouteSettingsBio, url.Values{"bio": {"   "}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = e.client().get("/u/alice")
	wantAbsent(t, "alice's page after clearing the bio", body, `class="bio`)

	// A suspended account writes nothing public, its bio included.
	if _, err := e.db.Exec(`UPDATE users SET suspended_until = now() + interval '1 day', suspension_reason = 'spam'
		WHERE username = 'alice'`); err != nil {
		t.Fatal(err)
	}
	resp, body = ac.post(web.RouteSettingsBio, url.Values{"bio": {"Buy my shoes"}})
	wantStatus(t, resp, body, http.StatusForbidden)
	_, body = e.client().get("/u/alice")
	wantAbsent(t, "a suspended person's page", body, "Buy my shoes")
}
