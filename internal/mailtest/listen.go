package mailtest

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/emersion/go-smtp"
)

// Listen starts a server on addr (e.g. 127.0.0.1:0) for a program that is not a test —
// the soak's mail sink, which other processes send to — with the same certificate,
// credentials and parsing as Start. Stop it with Close.
func Listen(addr string) (*Server, error) {
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, fmt.Errorf("mailtest: certificate: %w", err)
	}
	s := &Server{pool: pool, changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.MaxRecipients = 100
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mailtest: listen: %w", err)
	}
	s.addr = l.Addr().String()
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

// Close stops a server Listen started.
func (s *Server) Close() error { return s.srv.Close() }

// CertPEM is the server's certificate in PEM, for a process that is to trust it (Go's
// crypto/x509 reads SSL_CERT_FILE on Linux).
func (s *Server) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.TLSConfig.Certificates[0].Certificate[0]})
}
