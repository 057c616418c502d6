// Package alertstest provides real receivers for testing alert delivery: an SMTP server
// that requires STARTTLS (github.com/emersion/go-smtp with a certificate generated on
// the fly) and a webhook receiver that verifies Standard Webhooks signatures and can
// fail a given number of times. Tests, the e2e test and bench/alerts use them.
package alertstest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/webhook"
)

// Mail is one message the SMTP server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
	// TLS is true when the message came over a STARTTLS-upgraded connection.
	TLS bool
}

// SMTPServer is a local SMTP server on 127.0.0.1 offering STARTTLS with a self-signed
// certificate for "localhost"; it refuses MAIL before STARTTLS.
type SMTPServer struct {
	// Host and Port to connect to; CAFile is the PEM certificate to trust.
	Host   string
	Port   int
	CAFile string
	srv    *smtp.Server
	mu     sync.Mutex
	mails  []Mail
}

// NewSMTPServer starts a server; dir receives the certificate file.
func NewSMTPServer(dir string) (*SMTPServer, error) {
	cert, pemBytes, err := selfSigned("localhost")
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "smtp-ca.pem")
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		return nil, fmt.Errorf("write ca file: %w", err)
	}
	s := &SMTPServer{Host: "localhost", CAFile: caFile}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil
	}))
	s.srv.Domain = "localhost"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *SMTPServer) Close() { _ = s.srv.Close() }

// Mails returns the accepted messages.
func (s *SMTPServer) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

type session struct {
	s    *SMTPServer
	c    *smtp.Conn
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if _, ok := ss.c.TLSConnectionState(); !ok {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	}
	ss.from = from
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, tlsOK := ss.c.TLSConnectionState()
	ss.s.mu.Lock()
	ss.s.mails = append(ss.s.mails, Mail{From: ss.from, To: ss.to, Data: b, TLS: tlsOK})
	ss.s.mu.Unlock()
	return nil
}

func selfSigned(host string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := tls.X509KeyPair(pemBytes, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	return cert, pemBytes, err
}

// Received is one verified webhook delivery.
type Received struct {
	ID      string
	Body    []byte
	Message alerts.Message
	At      time.Time
}

// WebhookReceiver is an httptest server that verifies every request's signature,
// answers 500 to the first FailFirst requests, and records verified deliveries.
// Duplicates (same webhook-id) are recorded too, so tests can count them.
type WebhookReceiver struct {
	*httptest.Server
	Secrets   []string
	mu        sync.Mutex
	failLeft  int
	requests  int
	received  []Received
	rejected  []error
	onReceive func(Received)
}

// NewWebhookReceiver starts a receiver trusting secrets ("whsec_…").
func NewWebhookReceiver(secrets []string, failFirst int) *WebhookReceiver {
	r := &WebhookReceiver{Secrets: secrets, failLeft: failFirst}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// OnReceive sets a callback run for every verified delivery (before it is answered).
func (r *WebhookReceiver) OnReceive(f func(Received)) {
	r.mu.Lock()
	r.onReceive = f
	r.mu.Unlock()
}

// SetFail makes the next n requests fail with 500.
func (r *WebhookReceiver) SetFail(n int) {
	r.mu.Lock()
	r.failLeft = n
	r.mu.Unlock()
}

func (r *WebhookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	r.mu.Lock()
	r.requests++
	if r.failLeft > 0 {
		r.failLeft--
		r.mu.Unlock()
		http.Error(w, "receiver down", http.StatusInternalServerError)
		return
	}
	r.mu.Unlock()
	if err == nil {
		err = webhook.Verify(r.Secrets, req.Header, body, time.Now())
	}
	var m alerts.Message
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(&m)
	}
	if err != nil {
		r.mu.Lock()
		r.rejected = append(r.rejected, err)
		r.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rec := Received{ID: req.Header.Get(webhook.HeaderID), Body: body, Message: m, At: time.Now()}
	r.mu.Lock()
	r.received = append(r.received, rec)
	f := r.onReceive
	r.mu.Unlock()
	if f != nil {
		f(rec)
	}
	w.WriteHeader(http.StatusNoContent)
}

// Received returns the verified deliveries (duplicates included).
func (r *WebhookReceiver) Received() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.received...)
}

// Requests is the number of requests, failed ones included.
func (r *WebhookReceiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Rejected returns why requests failed verification.
func (r *WebhookReceiver) Rejected() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.rejected...)
}
