package tipline

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
)

// WebhookHeader is the header in which Telegram repeats setWebhook's secret_token on
// every delivery.
const WebhookHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookConfig makes kuzot receive the bot's updates by webhook instead of getUpdates:
// kuzot listens on Listen, serves the updates at a path derived from SecretToken and
// registers <URL><path> with setWebhook. Telegram only calls https URLs on ports 443,
// 80, 88 or 8443: put Listen behind the organisation's TLS reverse proxy.
type WebhookConfig struct {
	// Listen is the HTTP address kuzot serves the webhook on (default 127.0.0.1:8443).
	Listen string `yaml:"listen"`
	// URL is the public base URL Telegram calls (https://tips.example.org); the secret
	// path is appended.
	URL string `yaml:"url"`
	// SecretToken is setWebhook's secret_token (16-256 of A-Z a-z 0-9 _ -), checked on
	// every delivery; from SecretTokenEnv when empty (default KUZOT_TIPLINE_WEBHOOK_SECRET).
	SecretToken    config.Secret `yaml:"secret_token"`
	SecretTokenEnv string        `yaml:"secret_token_env"`
	// AcceptTimeout is how long a delivery waits for its tip to be published and the
	// state saved before it is answered 503 and Telegram retries (default 30s).
	AcceptTimeout time.Duration `yaml:"accept_timeout"`
	// MaxConnections is setWebhook's max_connections (default 10).
	MaxConnections int `yaml:"max_connections"`
}

var secretTokenRe = regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`)

func (w *WebhookConfig) defaults() {
	if w.Listen == "" {
		w.Listen = "127.0.0.1:8443"
	}
	if w.SecretTokenEnv == "" {
		w.SecretTokenEnv = "KUZOT_TIPLINE_WEBHOOK_SECRET"
	}
	w.SecretToken = w.SecretToken.OrEnv(w.SecretTokenEnv, os.Getenv)
	w.URL = strings.TrimRight(w.URL, "/")
	if w.AcceptTimeout == 0 {
		w.AcceptTimeout = 30 * time.Second
	}
	if w.MaxConnections == 0 {
		w.MaxConnections = 10
	}
}

func (w *WebhookConfig) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(w.Listen); err != nil {
		errs = append(errs, fmt.Errorf("telegram.webhook.listen %q: %w", w.Listen, err))
	}
	if u, err := url.Parse(w.URL); err != nil || u.Host == "" || u.RawQuery != "" || !(u.Scheme == "https" || (u.Scheme == "http" && loopbackHost(u.Hostname()))) {
		errs = append(errs, fmt.Errorf("telegram.webhook.url %q must be an absolute https URL without a query (http only on loopback, for a local Bot API)", w.URL))
	}
	if !secretTokenRe.MatchString(string(w.SecretToken)) {
		errs = append(errs, fmt.Errorf("telegram.webhook.secret_token (or env %s) must be 16-256 characters of A-Z a-z 0-9 _ -", w.SecretTokenEnv))
	}
	if w.AcceptTimeout < time.Second || w.MaxConnections < 1 || w.MaxConnections > 100 {
		errs = append(errs, errors.New("telegram.webhook.accept_timeout must be at least 1s and max_connections within 1..100"))
	}
	return errors.Join(errs...)
}

// WebhookPath is the secret path the webhook is served at: derived from the secret
// token, so that it is unguessable and stable across restarts without another secret.
func WebhookPath(secretToken string) string {
	m := hmac.New(sha256.New, []byte(secretToken))
	m.Write([]byte("kuzot-tipline-webhook-path"))
	return "/tipline/telegram/" + hex.EncodeToString(m.Sum(nil)[:16])
}

// pendingUpdate is one delivered update waiting for the next poll; the delivery is
// answered with done's result, so Telegram hears 200 only once the tip is published.
type pendingUpdate struct {
	raw  json.RawMessage
	done chan error
}

// webhook is the HTTP receiver of one bot's updates.
type webhook struct {
	cfg    *WebhookConfig
	path   string
	secret []byte
	log    *slog.Logger
	queue  chan *pendingUpdate
	mu     sync.Mutex
	srv    *http.Server
	addr   string
	// set: setWebhook succeeded in this process.
	set bool
}

func newWebhook(cfg *WebhookConfig, log *slog.Logger) *webhook {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &webhook{cfg: cfg, path: WebhookPath(string(cfg.SecretToken)), secret: []byte(cfg.SecretToken), log: log,
		queue: make(chan *pendingUpdate, 256)}
}

// start listens on the first poll; the server lives as long as the process (or Close).
func (wh *webhook) start() error {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	if wh.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", wh.cfg.Listen)
	if err != nil {
		return fmt.Errorf("tipline webhook: %w", err)
	}
	wh.srv = &http.Server{Handler: wh, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: wh.cfg.AcceptTimeout + 30*time.Second, MaxHeaderBytes: 16 << 10}
	wh.addr = ln.Addr().String()
	go func() { _ = wh.srv.Serve(ln) }()
	// The path is a secret: it is not logged.
	wh.log.Info("tipline webhook listening", "addr", wh.addr)
	return nil
}

func (wh *webhook) close() error {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	if wh.srv == nil {
		return nil
	}
	return wh.srv.Close()
}

// ServeHTTP takes one update: the secret path and Telegram's secret-token header
// (compared in constant time) or 404/401; then 200 once the update's tip is published
// and the state saved, 503 (Telegram retries) when that fails or takes too long.
func (wh *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.URL.Path), []byte(wh.path)) != 1 {
		http.NotFound(w, r)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get(WebhookHeader)), wh.secret) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "update too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	p := &pendingUpdate{raw: raw, done: make(chan error, 1)}
	timeout := time.NewTimer(wh.cfg.AcceptTimeout)
	defer timeout.Stop()
	select {
	case wh.queue <- p:
	case <-timeout.C:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	select {
	case err := <-p.done:
		if err != nil {
			http.Error(w, "not stored yet", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{}")
	case <-timeout.C:
		// The poll may still publish it; Telegram's retry is then dropped by update_id.
		http.Error(w, "not stored yet", http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}

// WebhookAddr is the webhook's listening address ("" before the first poll or without a webhook).
func (c *Collector) WebhookAddr() string {
	if c.hook == nil {
		return ""
	}
	c.hook.mu.Lock()
	defer c.hook.mu.Unlock()
	return c.hook.addr
}

// maxSeenUpdates bounds the update ids remembered to drop Telegram's repeated deliveries.
const maxSeenUpdates = 2000

// collectWebhook registers the webhook once per process, then runs the updates
// delivered since the last poll through the same path as getUpdates: decode, tips,
// publish, campaign state, then the update ids (duplicates dropped), then 200s and receipts.
func (c *Collector) collectWebhook(ctx context.Context, emit collectors.Emit) error {
	if err := c.hook.start(); err != nil {
		return err
	}
	var errs []error
	if !c.hook.set {
		err := c.call(ctx, func() error {
			return c.bot.setWebhook(ctx, c.cfg.Telegram.Webhook.URL+c.hook.path, string(c.hook.secret), c.cfg.Telegram.Webhook.MaxConnections)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("setWebhook: %w", err))
		} else {
			c.hook.set = true
			if c.deps.Logger != nil {
				c.deps.Logger.Info("bot webhook set", "url", c.cfg.Telegram.Webhook.URL+"/tipline/telegram/<secret>")
			}
		}
	}
	var batch []*pendingUpdate
	for len(batch) < 100 {
		select {
		case p := <-c.hook.queue:
			batch = append(batch, p)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		return errors.Join(errs...)
	}
	replies, err := func() ([]reply, error) {
		var st botState
		if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
			return nil, err
		}
		raws := make([]json.RawMessage, len(batch))
		for i, p := range batch {
			raws[i] = p.raw
		}
		replies, ids, err := c.processUpdates(ctx, emit, raws, func(id int64) bool { return slices.Contains(st.Seen, id) })
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !slices.Contains(st.Seen, id) {
				st.Seen = append(st.Seen, id)
			}
		}
		slices.Sort(st.Seen)
		if len(st.Seen) > maxSeenUpdates {
			st.Seen = st.Seen[len(st.Seen)-maxSeenUpdates:]
		}
		return replies, collectors.SaveJSON(ctx, c.deps.State, c.key, st)
	}()
	for _, p := range batch {
		p.done <- err
	}
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	c.sendReplies(ctx, replies)
	return errors.Join(errs...)
}

// setWebhook registers url for the bot's updates (messages only) with the secret token
// Telegram repeats in WebhookHeader. Pending updates are kept, not dropped.
func (b *botClient) setWebhook(ctx context.Context, u, secret string, maxConnections int) error {
	return b.call(ctx, "setWebhook", map[string]any{
		"url": u, "secret_token": secret, "max_connections": maxConnections,
		"allowed_updates": []string{"message"}, "drop_pending_updates": false,
	}, nil)
}

// deleteWebhook switches the bot back to getUpdates, keeping pending updates.
func (b *botClient) deleteWebhook(ctx context.Context) error {
	return b.call(ctx, "deleteWebhook", map[string]any{"drop_pending_updates": false}, nil)
}

// redact removes the secret path from an error (Telegram's description of a refused
// setWebhook may quote the URL).
func (wh *webhook) redact(err error) error {
	return config.RedactError(err, config.Secret(wh.path), "/tipline/telegram/<secret>")
}

// loopbackHost reports whether host is localhost or a loopback address: the only place
// a plain-http webhook URL makes sense (a local Bot API server or stand-in).
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
