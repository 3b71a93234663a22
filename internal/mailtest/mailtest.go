// Package mailtest runs a real SMTP server inside a test process, so the forum's sender is
// tested end to end over SMTP: STARTTLS with a certificate made for the test, AUTH PLAIN,
// and each received message parsed into its headers and its text and HTML parts.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// The credentials URL() carries; the server refuses any others.
const (
	username = "forum"
	password = "mailtest-password"
)

// Received is one message the server accepted.
type Received struct {
	From    string      // envelope sender (MAIL FROM)
	To      []string    // envelope recipients (RCPT TO)
	Header  mail.Header // the message's headers as sent
	Subject string      // decoded (RFC 2047)
	Text    string      // the text/plain part, transfer encoding undone
	HTML    string      // the text/html part, transfer encoding undone
	Raw     []byte      // the message exactly as received
	TLS     bool        // whether the transaction ran under TLS (STARTTLS)
}

// Server is an SMTP server on 127.0.0.1 at a random port.
type Server struct {
	srv  *smtp.Server
	addr string
	pool *x509.CertPool

	mu       sync.Mutex
	received []Received
	refuse   int
	changed  chan struct{} // closed and replaced whenever received grows
	onData   func(Received)
}

// Start starts a server that accepts any sender and recipient; it stops at t.Cleanup.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// URL is the value for FORUM_SMTP_URL: STARTTLS required, with credentials the server
// accepts.
func (s *Server) URL() string {
	return fmt.Sprintf("smtp://%s:%s@%s", username, password, s.addr)
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// RootCAs holds the certificate the server presents; a sender trusts it to talk to this
// server (its name is 127.0.0.1 and localhost).
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// RefuseNext makes the next n transactions fail with a temporary 451 at MAIL FROM, as a
// mail server does when it is overloaded or greylisting.
func (s *Server) RefuseNext(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// OnMessage sets fn to run for each message after it has been read and before the
// server answers that it accepted it: e.g. to break the sender's database connections
// between the acceptance and the sender's record of it.
func (s *Server) OnMessage(fn func(Received)) {
	s.mu.Lock()
	s.onData = fn
	s.mu.Unlock()
}

// Received returns the messages received so far, in order.
func (s *Server) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Wait returns the first n messages received once at least n have arrived, or fails the
// test after within.
func (s *Server) Wait(t testing.TB, n int, within time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := len(s.received), s.changed
		if got >= n {
			out := append([]Received(nil), s.received[:n]...)
			s.mu.Unlock()
			return out
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: %d message(s) received within %v, want %d", got, within, n)
			return nil
		}
	}
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	s.received = append(s.received, r)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// takeRefusal reports whether this transaction is to be refused.
func (s *Server) takeRefusal() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return true
	}
	return false
}

type session struct {
	s    *Server
	conn *smtp.Conn
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != username || pass != password {
			return smtp.ErrAuthFailed
		}
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.takeRefusal() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: try again later"}
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: " + err.Error()}
	}
	rec.From, rec.To = ss.from, append([]string(nil), ss.to...)
	_, rec.TLS = ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	fn := ss.s.onData
	ss.s.mu.Unlock()
	if fn != nil {
		fn(rec)
	}
	ss.s.add(rec)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// Parse reads a message into its headers and its text and HTML parts (From and To, the
// envelope, are left empty).
func Parse(raw []byte) (Received, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, fmt.Errorf("read message: %w", err)
	}
	rec := Received{Header: msg.Header, Raw: raw}
	dec := new(mime.WordDecoder)
	if rec.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Received{}, fmt.Errorf("decode subject: %w", err)
	}
	if err := rec.walk(msg.Header, msg.Body, 0); err != nil {
		return Received{}, err
	}
	return rec, nil
}

// walk collects the first text/plain and text/html parts, descending into multiparts.
func (rec *Received) walk(h interface{ Get(string) string }, body io.Reader, depth int) error {
	if depth > 5 {
		return errors.New("multipart nested too deep")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii"
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ct, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart: the transfer encoding is undone here, once, for every kind.
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := rec.walk(p.Header, p, depth+1); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: r})
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", media, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch {
	case media == "text/plain" && rec.Text == "":
		rec.Text = text
	case media == "text/html" && rec.HTML == "":
		rec.HTML = text
	}
	return nil
}

// stripNewlines drops line breaks, which base64 bodies carry every 76 characters.
type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// selfSigned makes a certificate for 127.0.0.1 and localhost and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
