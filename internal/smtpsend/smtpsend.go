// Package smtpsend is kuzot's one SMTP sender, shared by alert e-mails (alerts/email)
// and mailed reports (reports): TLS is mandatory — STARTTLS, or implicit TLS on port
// 465 — with an optional private CA, PLAIN authentication when a user is set, and a
// timeout per connection. Callers build the message (github.com/wneessen/go-mail).
package smtpsend

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kuzot/kuzot/config"
)

// Server is where and how to send.
type Server struct {
	Host     string
	Port     int
	Username string
	Password config.Secret
	// ImplicitTLS speaks TLS from the first byte (port 465); otherwise STARTTLS is
	// required.
	ImplicitTLS bool
	// CAFile is a PEM bundle trusted instead of the system roots (private relays, tests).
	CAFile  string
	Timeout time.Duration
}

// ErrSetup marks a failure before anything was sent (the client could not be built
// from the settings): retrying the same settings cannot succeed.
var ErrSetup = errors.New("smtp setup")

// Sender sends mails through one Server.
type Sender struct {
	srv Server
	tls *tls.Config
}

// New builds a sender; the CA file, if any, is read now so that a bad path fails at
// start rather than on the first mail.
func New(srv Server) (*Sender, error) {
	tc := &tls.Config{ServerName: srv.Host, MinVersion: tls.VersionTLS12}
	if srv.CAFile != "" {
		pem, err := os.ReadFile(srv.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificates", srv.CAFile)
		}
		tc.RootCAs = pool
	}
	return &Sender{srv: srv, tls: tc}, nil
}

// Send delivers msg and returns once the server accepted it. A *gomail.SendError in the
// chain carries the server's reply code; ErrSetup marks settings that cannot work.
func (s *Sender) Send(ctx context.Context, msg *gomail.Msg) error {
	opts := []gomail.Option{gomail.WithPort(s.srv.Port), gomail.WithTLSConfig(s.tls), gomail.WithTimeout(s.srv.Timeout)}
	if s.srv.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.srv.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.srv.Username),
			gomail.WithPassword(string(s.srv.Password)))
	}
	cl, err := gomail.NewClient(s.srv.Host, opts...)
	if err != nil {
		return fmt.Errorf("%w: smtp client: %w", ErrSetup, err)
	}
	if err := cl.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s:%d: %w", s.srv.Host, s.srv.Port, err)
	}
	return nil
}
