package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMailSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want MailSettings
	}{
		{"UnsetWritesToTheLog", nil, nil, MailSettings{Poll: DefaultMailPoll}},
		{"STARTTLSWithDefaultPort", nil, map[string]string{"FORUM_SMTP_URL": "smtp://forum:s%3Acret@mail.example.org",
			"FORUM_MAIL_FROM": "Forum <forum@example.org>"}, MailSettings{
			SMTP: &SMTPServer{Host: "mail.example.org", Port: 587, Username: "forum", Password: "s:cret"},
			From: "Forum <forum@example.org>", Poll: DefaultMailPoll}},
		{"ImplicitTLS", nil, map[string]string{"FORUM_SMTP_URL": " smtps://mail.example.org ", "FORUM_MAIL_FROM": "forum@example.org",
			"FORUM_MAIL_POLL": "2s"}, MailSettings{
			SMTP: &SMTPServer{Host: "mail.example.org", Port: 465, ImplicitTLS: true},
			From: "forum@example.org", Poll: 2 * time.Second}},
		{"PortAndFlags", []string{"--mail-from", "b@example.org", "--mail-poll", "250ms"}, map[string]string{
			"FORUM_SMTP_URL": "smtp://[::1]:2525", "FORUM_MAIL_FROM": "a@example.org"}, MailSettings{
			SMTP: &SMTPServer{Host: "::1", Port: 2525}, From: "b@example.org", Poll: 250 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := Load(tc.args, env(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Mail, tc.want) {
				t.Fatalf("got %+v (SMTP %+v), want %+v (SMTP %+v)", c.Mail, c.Mail.SMTP, tc.want, tc.want.SMTP)
			}
		})
	}
}

// A bad FORUM_SMTP_URL is named in the error, but its password is not repeated.
func TestSMTPURLErrorKeepsPasswordOut(t *testing.T) {
	for _, raw := range []string{"smtp://forum:hunter2-secret@mail.example.org/path", "ftp://forum:hunter2-secret@mail.example.org",
		"smtp://forum:hunter2-secret@mail.example.org:0", "smtp://forum:hunter2-secret@mail example.org"} {
		_, _, err := Load(nil, env(map[string]string{"FORUM_SMTP_URL": raw, "FORUM_MAIL_FROM": "f@example.org"}))
		if err == nil || !strings.HasPrefix(err.Error(), "FORUM_SMTP_URL:") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error %v; want one naming FORUM_SMTP_URL without the password", raw, err)
		}
	}
}
