// Package email delivers alerts by e-mail over SMTP with mandatory STARTTLS, using
// github.com/wneessen/go-mail. The Message-ID is derived from the delivery id, so a
// repeated delivery is recognisable by the receiving mail system.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/config"
)

//go:embed sample.yaml
var sample string

// Kind is the channel kind.
const Kind = "email"

// Config is one e-mail channel.
type Config struct {
	alerts.ChannelCommon `yaml:",inline"`
	Host                 string        `yaml:"host"`
	Port                 int           `yaml:"port"`
	From                 string        `yaml:"from"`
	To                   []string      `yaml:"to"`
	Username             string        `yaml:"username"`
	PasswordEnv          string        `yaml:"password_env"`
	CAFile               string        `yaml:"ca_file"`
	Timeout              time.Duration `yaml:"timeout"`
}

// Defaults implements alerts.ChannelConfig.
func (c *Config) Defaults() {
	if c.Port == 0 {
		c.Port = 587
	}
	if c.Timeout == 0 {
		c.Timeout = 15 * time.Second
	}
}

// Validate implements alerts.ChannelConfig.
func (c *Config) Validate() error {
	var errs []error
	if c.Host == "" {
		errs = append(errs, errors.New("host is required"))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d out of range", c.Port))
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("from %q: %w", c.From, err))
	}
	if len(c.To) == 0 {
		errs = append(errs, errors.New("to: at least one recipient"))
	}
	for _, t := range c.To {
		if _, err := mail.ParseAddress(t); err != nil {
			errs = append(errs, fmt.Errorf("to %q: %w", t, err))
		}
	}
	if c.Username != "" && c.PasswordEnv == "" {
		errs = append(errs, errors.New("password_env: name the environment variable holding the SMTP password"))
	}
	return errors.Join(errs...)
}

// Register adds the email kind to r.
func Register(r *alerts.Registry) {
	r.Add(alerts.ChannelFactory{Kind: Kind, SampleConfig: sample,
		NewConfig: func() alerts.ChannelConfig { return &Config{} },
		New: func(cfg alerts.ChannelConfig, d alerts.ChannelDeps) (alerts.Channel, error) {
			c := cfg.(*Config)
			var pw config.Secret
			if c.Username != "" {
				var err error
				if pw, err = d.Secret(c.PasswordEnv); err != nil {
					return nil, fmt.Errorf("smtp password: %w", err)
				}
			}
			return New(c, pw)
		}})
}

// Channel sends alert mails through one SMTP server.
type Channel struct {
	cfg      *Config
	password config.Secret
	tls      *tls.Config
}

// New builds a channel; a CA file, if configured, is loaded now so a bad path fails at
// start rather than on the first alert.
func New(cfg *Config, password config.Secret) (*Channel, error) {
	tc := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificates", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	return &Channel{cfg: cfg, password: password, tls: tc}, nil
}

// Send mails the alert (plain text, every language of the org) and returns once the
// server accepted it.
func (c *Channel) Send(ctx context.Context, a *alerts.Alert) error {
	m := gomail.NewMsg()
	if err := m.From(c.cfg.From); err != nil {
		return fmt.Errorf("%w: from: %w", alerts.ErrPermanent, err)
	}
	if err := m.To(c.cfg.To...); err != nil {
		return fmt.Errorf("%w: to: %w", alerts.ErrPermanent, err)
	}
	lang := "en"
	if len(a.Languages) > 0 {
		lang = a.Languages[0]
	}
	m.Subject(a.Subject(lang))
	m.SetMessageIDWithValue(a.ID + "@kuzot")
	m.SetGenHeader("X-Kuzot-Alert-Id", a.ID)
	m.SetGenHeader("X-Kuzot-Incident-Id", a.Message.IncidentID)
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, a.Text())
	opts := []gomail.Option{
		gomail.WithPort(c.cfg.Port), gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithTLSConfig(c.tls),
		gomail.WithTimeout(c.cfg.Timeout),
	}
	if c.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(c.cfg.Username),
			gomail.WithPassword(string(c.password)))
	}
	cl, err := gomail.NewClient(c.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("%w: smtp client: %w", alerts.ErrPermanent, err)
	}
	if err := cl.DialAndSendWithContext(ctx, m); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("%w: smtp: %w", alerts.ErrPermanent, err)
		}
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}
