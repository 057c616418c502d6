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
	"net/netip"
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

// Validate implements alerts.ChannelConfig. The URL must be https, except on a
// loopback host (a receiver on the same machine, as in the demo): a signed alert over
// plain http can be read and replayed by anyone on the path.
func (c *Config) Validate() error {
	var errs []error
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		errs = append(errs, fmt.Errorf("url %s: want an https URL", RedactURL(c.URL)))
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		errs = append(errs, fmt.Errorf("url %s: plain http is allowed only on a loopback host; use https", RedactURL(c.URL)))
	case u.User != nil:
		errs = append(errs, fmt.Errorf("url %s: no user:password in the URL; use headers or the signature", RedactURL(c.URL)))
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

// isLoopback reports whether host (a name or an address) is this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// RedactURL shortens a webhook URL to its scheme and host for errors, logs and the
// alerts log: the path and query of a hook URL often carry its access token
// (".../hooks/T0/B0/XXXX", "?token=..."). A URL that does not parse becomes "[url]".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "[url]"
	}
	out := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		out += "/…"
	}
	return out
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
	// Redirects are never followed: a 307 or 308 would re-send the signed body to
	// wherever the receiver (or whoever took over its address) points. A copy of the
	// client keeps the caller's transport and timeouts.
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Channel{cfg: cfg, keys: keys, http: &c, now: now}
}

// Send posts the alert's message as JSON. 2xx is success; 408, 425, 429 and 5xx are
// retried (honouring Retry-After); any other answer is a permanent failure.
func (c *Channel) Send(ctx context.Context, a *alerts.Alert) error {
	body, err := json.Marshal(a.Message)
	if err != nil {
		return fmt.Errorf("%w: encode: %w", alerts.ErrPermanent, err)
	}
	ts := c.now().Unix()
	where := RedactURL(c.cfg.URL)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: webhook %s: invalid request", alerts.ErrPermanent, where)
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
		// *url.Error repeats the whole URL (with any token in it): keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook POST %s: %w", where, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return fmt.Errorf("%w: webhook %s answered %s: redirects are not followed (point the channel at the final URL)",
			alerts.ErrPermanent, where, resp.Status)
	case code == 408 || code == 425 || code == 429 || code >= 500:
		err := fmt.Errorf("webhook %s answered %s", where, resp.Status)
		if ra := retryAfter(resp.Header.Get("Retry-After"), c.now()); ra > 0 {
			return &alerts.RetryAfterError{After: ra, Err: err}
		}
		return err
	default:
		return fmt.Errorf("%w: webhook %s answered %s", alerts.ErrPermanent, where, resp.Status)
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
