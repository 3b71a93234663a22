package mailtest

import (
	"crypto/tls"
	"net/smtp"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A message with a quoted-printable text part and a base64 HTML part, as a mail library
// writes them.
const multipartMsg = "From: Forum <forum@example.org>\r\n" +
	"To: ada@example.org\r\n" +
	"Subject: =?UTF-8?q?Caf=C3=A9_reply?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"b1\"\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Caf=C3=A9 has a new reply: https://forum.example/t/1=\r\n" +
	"#p2\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+Q2Fmw6k8L3A+\r\n" +
	"--b1--\r\n"

// send delivers msg to the server the way the forum's sender does: STARTTLS, trusting
// RootCAs, then AUTH PLAIN with the URL's credentials.
func send(t *testing.T, s *Server, msg string) error {
	t.Helper()
	u, err := url.Parse(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.Dial(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: s.RootCAs()}); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	pass, _ := u.User.Password()
	if err := c.Auth(smtp.PlainAuth("", u.User.Username(), pass, "127.0.0.1")); err != nil {
		t.Fatalf("AUTH: %v", err)
	}
	if err := c.Mail("bounces@example.org"); err != nil {
		return err
	}
	if err := c.Rcpt("ada@example.org"); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

func TestServerReceivesAndDecodes(t *testing.T) {
	s := Start(t)
	if err := send(t, s, multipartMsg); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := s.Wait(t, 1, 5*time.Second)[0]
	if got.From != "bounces@example.org" || len(got.To) != 1 || got.To[0] != "ada@example.org" {
		t.Errorf("envelope = %q → %q", got.From, got.To)
	}
	if !got.TLS {
		t.Error("the transaction did not run under TLS")
	}
	if got.Subject != "Café reply" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if want := "Café has a new reply: https://forum.example/t/1#p2"; got.Text != want {
		t.Errorf("Text = %q, want %q", got.Text, want)
	}
	if got.HTML != "<p>Café</p>" {
		t.Errorf("HTML = %q", got.HTML)
	}
	if got.Header.Get("From") != "Forum <forum@example.org>" {
		t.Errorf("From header = %q", got.Header.Get("From"))
	}
}

func TestServerRefusesNextWithTemporaryError(t *testing.T) {
	s := Start(t)
	s.RefuseNext(1)
	err := send(t, s, multipartMsg)
	if err == nil || !strings.HasPrefix(err.Error(), "451") {
		t.Fatalf("first send: err = %v, want a 451", err)
	}
	if n := len(s.Received()); n != 0 {
		t.Fatalf("%d received after a refusal", n)
	}
	if err := send(t, s, multipartMsg); err != nil {
		t.Fatalf("second send: %v", err)
	}
	s.Wait(t, 1, 5*time.Second)
}

func TestServerRefusesWrongPassword(t *testing.T) {
	s := Start(t)
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: "localhost", RootCAs: s.RootCAs()}); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	if err := c.Auth(smtp.PlainAuth("", "forum", "wrong", "localhost")); err == nil {
		t.Fatal("AUTH with a wrong password succeeded")
	}
}
