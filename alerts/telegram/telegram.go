// Package telegram delivers alerts as Telegram bot messages (sendMessage) on a
// configurable Bot API base URL. It keeps to Telegram's per-chat rate (one message per
// min_interval) and honours 429 retry_after.
package telegram

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
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/wait"
)

//go:embed sample.yaml
var sample string

// Kind is the channel kind.
const Kind = "telegram"

// MaxText is Telegram's message length limit (characters).
const MaxText = 4096

// Config is one Telegram channel.
type Config struct {
	alerts.ChannelCommon `yaml:",inline"`
	BaseURL              string        `yaml:"base_url"`
	TokenEnv             string        `yaml:"token_env"`
	ChatID               string        `yaml:"chat_id"`
	MinInterval          time.Duration `yaml:"min_interval"`
}

// Defaults implements alerts.ChannelConfig.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = "https://api.telegram.org"
	}
	if c.MinInterval == 0 {
		c.MinInterval = time.Second
	}
}

// Validate implements alerts.ChannelConfig.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base_url %q: want an http(s) URL", c.BaseURL))
	}
	if c.TokenEnv == "" {
		errs = append(errs, errors.New("token_env: name the environment variable holding the bot token"))
	}
	if c.ChatID == "" {
		errs = append(errs, errors.New("chat_id is required"))
	}
	if c.MinInterval < 0 {
		errs = append(errs, errors.New("min_interval must not be negative"))
	}
	return errors.Join(errs...)
}

// Register adds the telegram kind to r.
func Register(r *alerts.Registry) {
	r.Add(alerts.ChannelFactory{Kind: Kind, SampleConfig: sample,
		NewConfig: func() alerts.ChannelConfig { return &Config{} },
		New: func(cfg alerts.ChannelConfig, d alerts.ChannelDeps) (alerts.Channel, error) {
			c := cfg.(*Config)
			tok, err := d.Secret(c.TokenEnv)
			if err != nil {
				return nil, fmt.Errorf("bot token: %w", err)
			}
			return New(c, tok, d.HTTP), nil
		}})
}

// Channel sends to one chat.
type Channel struct {
	cfg   *Config
	token config.Secret
	http  *http.Client
	mu    sync.Mutex
	last  time.Time
}

// New builds a channel.
func New(cfg *Config, token config.Secret, client *http.Client) *Channel {
	if client == nil {
		client = http.DefaultClient
	}
	return &Channel{cfg: cfg, token: token, http: client}
}

type apiResponse struct {
	OK          bool   `json:"ok"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// Send posts the alert text (plain text, no markup to escape) to the chat.
func (c *Channel) Send(ctx context.Context, a *alerts.Alert) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{
		"chat_id": c.cfg.ChatID, "text": Truncate(a.Text(), MaxText), "disable_web_page_preview": true,
	})
	endpoint := strings.TrimRight(c.cfg.BaseURL, "/") + "/bot" + string(c.token) + "/sendMessage"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: telegram request: %v", alerts.ErrPermanent, redactToken(err, c.token))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL holds the token: never let it into logs.
		return fmt.Errorf("telegram sendMessage: %v", redactToken(err, c.token))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var r apiResponse
	_ = json.Unmarshal(raw, &r)
	if resp.StatusCode == http.StatusOK && r.OK {
		return nil
	}
	err = fmt.Errorf("telegram sendMessage: %s: %s", resp.Status, truncateDesc(r.Description))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		after := time.Duration(max(r.Parameters.RetryAfter, 1)) * time.Second
		return &alerts.RetryAfterError{After: after, Err: err}
	case resp.StatusCode >= 500:
		return err
	default: // 400 chat not found, 401 bad token, 403 bot blocked: retrying cannot help
		return fmt.Errorf("%w: %w", alerts.ErrPermanent, err)
	}
}

// wait keeps one message per MinInterval to the chat.
func (c *Channel) wait(ctx context.Context) error {
	c.mu.Lock()
	next := c.last.Add(c.cfg.MinInterval)
	now := time.Now()
	if next.Before(now) {
		next = now
	}
	c.last = next
	c.mu.Unlock()
	if d := time.Until(next); d > 0 && !wait.Sleep(ctx, d) {
		return ctx.Err()
	}
	return nil
}

// Truncate cuts s to at most n characters, marking the cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func redactToken(err error, tok config.Secret) string {
	return config.Redact(err.Error(), tok, "<token>")
}

func truncateDesc(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}
