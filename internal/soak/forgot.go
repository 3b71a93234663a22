package soak

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Mailer is an account with a confirmed address, for which the driver asks for password
// resets throughout the run: each acknowledged request must put one mail in the outbox.
type Mailer struct{ Name, Email string }

// Forgot is one POST /forgot the driver sent.
type Forgot struct {
	Account        string
	Login          string // what was typed: the username or the address, alternately
	Instance       int
	Sent, Received time.Time
	Status         int  // 0: no answer
	Acked          bool // 200 with the "a link is on its way" notice
}

// forgotPath is the password-reset request's form and its action (the public contract).
const forgotPath = "/forgot"

// mailer asks for a reset of m's password until the clock runs out, as a person who
// forgot it does in a browser that is not logged in: load the form, type the username or
// the address, send. Requests go one at a time (CheckMail relies on it), alternating
// instances; one that fails is not resent: the next request is another.
func (r *run) mailer(ctx context.Context, i int, m Mailer) {
	b := newBrowser(r.cfg.URLs, r.rec, r.cfg.Timeout)
	inst := i % len(r.cfg.URLs)
	for n := 0; pause(ctx, r.cfg.MailThink) && time.Now().Before(r.stopAt); n++ {
		inst = (inst + 1) % len(r.cfg.URLs)
		a, err := b.do(ctx, inst, forgotPath, nil)
		if err != nil || a.status != http.StatusOK {
			continue // recorded; an outage or its grace
		}
		form, err := formFields(a.body, forgotPath, "")
		if err != nil || form.Get("csrf_token") == "" {
			slog.Warn("soak: /forgot without its form", "err", err)
			continue
		}
		f := Forgot{Account: m.Name, Login: m.Name, Instance: inst}
		if n%2 == 1 {
			f.Login = m.Email
		}
		form.Set("login", f.Login)
		f.Sent = time.Now()
		a, err = b.do(ctx, inst, forgotPath, form)
		f.Received = time.Now()
		if err == nil {
			f.Status = a.status
			f.Acked = a.status == http.StatusOK && bytes.Contains(a.body, []byte(`id="reset-sent"`))
		}
		r.mu.Lock()
		r.forgots = append(r.forgots, f)
		r.mu.Unlock()
	}
}
