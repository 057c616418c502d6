// Package email delivers alerts by e-mail over SMTP with mandatory STARTTLS, using
// github.com/wneessen/go-mail. The Message-ID is derived from the delivery id, so a
// repeated delivery is recognisable by the receiving mail system.
package email

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/mail"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/smtpsend"
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
	cfg    *Config
	sender *smtpsend.Sender
}

// New builds a channel; a CA file, if configured, is loaded now so a bad path fails at
// start rather than on the first alert.
func New(cfg *Config, password config.Secret) (*Channel, error) {
	// Alert mail is STARTTLS only (the channel has no implicit-TLS setting).
	s, err := smtpsend.New(smtpsend.Server{Host: cfg.Host, Port: cfg.Port, Username: cfg.Username, Password: password,
		CAFile: cfg.CAFile, Timeout: cfg.Timeout})
	if err != nil {
		return nil, err
	}
	return &Channel{cfg: cfg, sender: s}, nil
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
	if err := c.sender.Send(ctx, m); err != nil {
		var se *gomail.SendError
		if errors.Is(err, smtpsend.ErrSetup) || errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("%w: %w", alerts.ErrPermanent, err)
		}
		return err
	}
	return nil
}
