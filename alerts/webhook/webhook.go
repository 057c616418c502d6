// Package webhook delivers alerts as signed JSON POSTs in the Standard Webhooks manner:
// webhook-id (the delivery id, an idempotency key equal on every retry),
// webhook-timestamp and webhook-signature "v1,<base64 HMAC-SHA256>" over
// id.timestamp.body, one signature per configured secret so receivers can rotate keys.
package webhook

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/alerts"
)

//go:embed sample.yaml
var sample string

// Kind is the channel kind.
const Kind = "webhook"

// Config is one webhook channel.
type Config struct {
	alerts.ChannelCommon `yaml:",inline"`
	URL                  string            `yaml:"url"`
	SecretEnvs           []string          `yaml:"secret_envs"`
	Headers              map[string]string `yaml:"headers"`
}

// Defaults implements alerts.ChannelConfig.
func (c *Config) Defaults() {}

// Validate implements alerts.ChannelConfig.
func (c *Config) Validate() error {
	var errs []error
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("url %q: want an http(s) URL", c.URL))
	}
	if len(c.SecretEnvs) == 0 {
		errs = append(errs, errors.New("secret_envs: name at least one environment variable holding a whsec_ secret"))
	}
	for k := range c.Headers {
		if ck := http.CanonicalHeaderKey(k); ck == "Content-Type" || strings.HasPrefix(ck, "Webhook-") {
			errs = append(errs, fmt.Errorf("headers: %s is set by kuzot", k))
		}
	}
	return errors.Join(errs...)
}

// Register adds the webhook kind to r.
func Register(r *alerts.Registry) {
	r.Add(alerts.ChannelFactory{Kind: Kind, SampleConfig: sample,
		NewConfig: func() alerts.ChannelConfig { return &Config{} },
		New: func(cfg alerts.ChannelConfig, d alerts.ChannelDeps) (alerts.Channel, error) {
			c := cfg.(*Config)
			var keys [][]byte
			for _, env := range c.SecretEnvs {
				sec, err := d.Secret(env)
				if err != nil {
					return nil, fmt.Errorf("secret: %w", err)
				}
				k, err := ParseSecret(string(sec))
				if err != nil {
					return nil, fmt.Errorf("secret in %s: %w", env, err)
				}
				keys = append(keys, k)
			}
			return New(c, keys, d.HTTP, d.Now), nil
		}})
}

// Channel posts alerts to one URL.
type Channel struct {
	cfg  *Config
	keys [][]byte
	http *http.Client
	now  func() time.Time
}

// New builds a channel with decoded keys.
func New(cfg *Config, keys [][]byte, client *http.Client, now func() time.Time) *Channel {
	if client == nil {
		client = http.DefaultClient
	}
	if now == nil {
		now = time.Now
	}
	return &Channel{cfg: cfg, keys: keys, http: client, now: now}
}

// Send posts the alert's message as JSON. 2xx is success; 408, 425, 429 and 5xx are
// retried (honouring Retry-After); any other answer is a permanent failure.
func (c *Channel) Send(ctx context.Context, a *alerts.Alert) error {
	body, err := json.Marshal(a.Message)
	if err != nil {
		return fmt.Errorf("%w: encode: %w", alerts.ErrPermanent, err)
	}
	ts := c.now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %w", alerts.ErrPermanent, err)
	}
	for k, v := range c.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kuzot-alerts/1")
	req.Header.Set(HeaderID, a.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, SignatureHeader(c.keys, a.ID, ts, body))
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("webhook POST: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == 408 || code == 425 || code == 429 || code >= 500:
		err := fmt.Errorf("webhook answered %s", resp.Status)
		if ra := retryAfter(resp.Header.Get("Retry-After"), c.now()); ra > 0 {
			return &alerts.RetryAfterError{After: ra, Err: err}
		}
		return err
	default:
		return fmt.Errorf("%w: webhook answered %s", alerts.ErrPermanent, resp.Status)
	}
}

func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return 0
}
