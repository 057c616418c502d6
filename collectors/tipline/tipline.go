// Package tipline is the `tipline` source kind: what an organisation's members forward
// to it — bulk SMS they received, posts from closed chats, screenshots, links — enters
// the pipeline as posts of source "tipline". Members reach it through a Telegram bot
// (Bot API getUpdates long polling) or an e-mail address (an SMTP receiver).
//
// Near-identical tips are merged into one post per campaign (post.Tip carries the count
// of submissions, first and last seen and the reporting organisations). Reporters are
// known only as a keyed hash per organisation (HMAC with reporter_key), kept in the
// collector state and nowhere else; `/forget` removes it. See docs/tipline.md.
package tipline

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/lang"
)

// Kind is the config kind and the post source of this collector.
const Kind = "tipline"

//go:embed sample.yaml
var sample string

// Config is one tipline: a bot and/or a mailbox, and which organisation each chat or
// recipient belongs to.
type Config struct {
	collectors.Common `yaml:",inline"`
	// Telegram is the bot; Email the SMTP receiver. At least one is required.
	Telegram *BotConfig   `yaml:"telegram"`
	Email    *EmailConfig `yaml:"email"`
	// IMAP is a mailbox polled over TLS (instead of, or besides, the SMTP receiver).
	IMAP *IMAPConfig `yaml:"imap"`
	// Form is the intake of the web UI's tip form (served by the serve role).
	Form *FormConfig `yaml:"form"`
	// ReporterKey keys the reporter hashes (HMAC-SHA256); from ReporterKeyEnv when empty
	// (default KUZOT_TIPLINE_REPORTER_KEY). Changing it unlinks every stored reporter.
	ReporterKey    config.Secret `yaml:"reporter_key"`
	ReporterKeyEnv string        `yaml:"reporter_key_env"`
	// Orgs map chats and e-mail recipients to organisations; DefaultOrg takes private
	// chats with the bot and any other recipient.
	Orgs       []Org  `yaml:"orgs"`
	DefaultOrg string `yaml:"default_org"`
	// NearDuplicate is the word-set Jaccard similarity at which two texts are one
	// campaign (default 0.6).
	NearDuplicate float64 `yaml:"near_duplicate"`
	// BurstWindow and BurstMin: BurstMin submissions of one campaign within BurstWindow
	// make it an sms_campaign coordination cluster (default 6h and 3).
	BurstWindow time.Duration `yaml:"burst_window"`
	BurstMin    int           `yaml:"burst_min"`
	// FetchLinks, when set, collects the public post a tip links to (docs/tipline.md).
	FetchLinks *LinksConfig `yaml:"fetch_links"`
	// KeepFor is how long a campaign without new submissions stays in the tipline state
	// (its text, count and reporter hashes; default 8760h, retention.posts' default).
	KeepFor time.Duration `yaml:"keep_for"`
}

// Org is one organisation's part of the tipline.
type Org struct {
	ID string `yaml:"id"`
	// Chats are Telegram group chat ids where the bot listens for this organisation.
	Chats []int64 `yaml:"chats"`
	// Recipients are e-mail addresses (local@domain) that belong to this organisation.
	Recipients []string `yaml:"recipients"`
}

// BotConfig is the Telegram bot.
type BotConfig struct {
	// BaseURL is the Bot API host (default https://api.telegram.org); the demo site and
	// tests serve a local stand-in.
	BaseURL string `yaml:"base_url"`
	// Token is the bot token; from TokenEnv when empty (default KUZOT_TIPLINE_BOT_TOKEN).
	Token    config.Secret `yaml:"token"`
	TokenEnv string        `yaml:"token_env"`
	// LongPoll is getUpdates' timeout (default 25s); Limit its batch size (default 100).
	LongPoll time.Duration `yaml:"long_poll"`
	Limit    int           `yaml:"limit"`
	// MaxFloodWait is the longest flood-control wait (429 retry_after) spent inside a
	// poll (default 60s); a longer one ends the poll and no call is made before it ends.
	MaxFloodWait time.Duration `yaml:"max_flood_wait"`
	// Webhook, when set, replaces getUpdates: kuzot serves the updates and registers
	// the webhook with setWebhook (docs/tipline.md).
	Webhook *WebhookConfig `yaml:"webhook"`
}

// Defaults fills unset keys and reads secrets from the environment.
func (c *Config) Defaults() {
	if c.Interval == 0 {
		// A bot long-polls (the next getUpdates right after the last) and e-mails wait
		// in their SMTP session for the next poll: poll every second.
		c.Interval = time.Second
	}
	c.ApplyDefaults(Kind, "tips")
	if c.ReporterKeyEnv == "" {
		c.ReporterKeyEnv = "KUZOT_TIPLINE_REPORTER_KEY"
	}
	c.ReporterKey = c.ReporterKey.OrEnv(c.ReporterKeyEnv, os.Getenv)
	if c.NearDuplicate == 0 {
		c.NearDuplicate = 0.6
	}
	if c.BurstWindow == 0 {
		c.BurstWindow = 6 * time.Hour
	}
	if c.BurstMin == 0 {
		c.BurstMin = 3
	}
	if c.KeepFor == 0 {
		c.KeepFor = 365 * 24 * time.Hour
	}
	if b := c.Telegram; b != nil {
		b.BaseURL = collectors.BaseURL(b.BaseURL, "https://api.telegram.org")
		if b.TokenEnv == "" {
			b.TokenEnv = "KUZOT_TIPLINE_BOT_TOKEN"
		}
		b.Token = b.Token.OrEnv(b.TokenEnv, os.Getenv)
		if b.LongPoll == 0 {
			b.LongPoll = 25 * time.Second
		}
		if b.Limit == 0 {
			b.Limit = 100
		}
		if b.MaxFloodWait == 0 {
			b.MaxFloodWait = time.Minute
		}
		if b.Webhook != nil {
			b.Webhook.defaults()
		}
	}
	if c.Email != nil {
		c.Email.defaults()
	}
	if c.FetchLinks != nil {
		c.FetchLinks.defaults()
	}
	if c.IMAP != nil {
		c.IMAP.defaults(c.DefaultOrg)
	}
	if c.Form != nil {
		c.Form.defaults()
	}
}

// Validate reports every problem with the entry.
func (c *Config) Validate() error {
	errs := []error{c.ValidateCommon()}
	if c.Telegram == nil && c.Email == nil && c.IMAP == nil && c.Form == nil {
		errs = append(errs, errors.New("configure telegram:, email:, imap: and/or form:"))
	}
	if len(c.ReporterKey) < 16 {
		errs = append(errs, fmt.Errorf("reporter_key (or env %s) must be at least 16 bytes", c.ReporterKeyEnv))
	}
	if c.NearDuplicate <= 0 || c.NearDuplicate > 1 {
		errs = append(errs, fmt.Errorf("near_duplicate %v must be in (0, 1]", c.NearDuplicate))
	}
	if c.KeepFor < 24*time.Hour {
		errs = append(errs, fmt.Errorf("keep_for %s must be at least 24h", c.KeepFor))
	}
	if c.BurstMin < 2 || c.BurstWindow <= 0 {
		errs = append(errs, errors.New("burst_min must be at least 2 and burst_window positive"))
	}
	seen := map[string]bool{}
	for i, o := range c.Orgs {
		if o.ID == "" || seen[o.ID] {
			errs = append(errs, fmt.Errorf("orgs[%d]: empty or repeated id %q", i, o.ID))
		}
		seen[o.ID] = true
	}
	if b := c.Telegram; b != nil {
		errs = append(errs, collectors.ValidateHTTPURL("telegram.base_url", b.BaseURL))
		if b.Token == "" {
			errs = append(errs, fmt.Errorf("telegram.token (or env %s) is required", b.TokenEnv))
		}
		if b.LongPoll < 0 || b.LongPoll > 50*time.Second {
			errs = append(errs, fmt.Errorf("telegram.long_poll %s must be within 0..50s", b.LongPoll))
		}
		if b.Limit < 1 || b.Limit > 100 {
			errs = append(errs, fmt.Errorf("telegram.limit %d must be within 1..100", b.Limit))
		}
		if b.Webhook != nil {
			errs = append(errs, b.Webhook.validate())
		}
	}
	if c.Email != nil {
		errs = append(errs, c.Email.validate())
	}
	if c.FetchLinks != nil {
		errs = append(errs, c.FetchLinks.validate())
	}
	if c.IMAP != nil {
		errs = append(errs, c.IMAP.validate())
	}
	if c.Form != nil {
		errs = append(errs, c.Form.validate())
	}
	return errors.Join(errs...)
}

// orgOfChat returns the organisation of a chat: a mapped group, else DefaultOrg for a
// private chat; "" when the chat is not part of any organisation's tipline.
func (c *Config) orgOfChat(chat *Chat) string {
	for _, o := range c.Orgs {
		for _, id := range o.Chats {
			if id == chat.ID {
				return o.ID
			}
		}
	}
	if chat.Type == "private" {
		return c.DefaultOrg
	}
	return ""
}

// Register adds the tipline kind to r.
func Register(r *collectors.Registry) { r.Add(collectors.NewFactory(Kind, sample, New)) }

// Collector is one tipline source.
type Collector struct {
	cfg    Config
	deps   collectors.Deps
	key    string
	bot    *botClient
	hook   *webhook
	form   *formIntake
	mail   *mailbox
	sleep  func(ctx context.Context, d time.Duration) error
	detect func(string) string
	// floodUntil: no Bot API call before this time (a 429 retry_after too long to wait).
	floodUntil time.Time
	// imapNext: no mailbox poll before this time.
	imapNext time.Time
	m        tiplineMetrics
}

type tiplineMetrics struct {
	updates   *prometheus.CounterVec
	floodWait prometheus.Counter
	links     *prometheus.CounterVec
}

// Update outcomes counted in kuzot_tipline_updates_total{outcome}.
const (
	outcomeTip       = "tip"
	outcomeRepeat    = "repeat"
	outcomeCommand   = "command"
	outcomeMalformed = "malformed"
	outcomeIgnored   = "ignored"
	// outcomeDuplicate: a webhook delivery of an update already taken.
	outcomeDuplicate = "duplicate"
)

// New builds a tipline; deps.HTTP and deps.State are required. The Bot API is called
// with a client of its own (not the polite public-web Fetcher): it is an authenticated
// API answering long polls, robots.txt does not apply, and its 429 carries
// parameters.retry_after in the body.
func New(cfg Config, deps collectors.Deps) (*Collector, error) {
	if err := collectors.CheckDeps(Kind, &deps); err != nil {
		return nil, err
	}
	c := &Collector{cfg: cfg, deps: deps, key: collectors.StateKey(cfg.SourceName()), sleep: collectors.SleepCtx, detect: lang.Detect}
	c.m.updates = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuzot_tipline_updates_total",
		Help: "Tipline updates and e-mails by outcome (tip, repeat, command, malformed, ignored); never labelled by sender.",
	}, []string{"outcome"})
	c.m.floodWait = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "kuzot_tipline_flood_wait_seconds_total",
		Help: "Seconds the tipline waited on Bot API flood control (429 retry_after).",
	})
	c.m.links = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuzot_tipline_linked_posts_total",
		Help: "Public posts that tips link to, fetched by their kind's collector, by link_kind (the collector) and outcome (collected, missing, error).",
	}, []string{"link_kind", "outcome"})
	if deps.Registerer != nil {
		for _, col := range []prometheus.Collector{c.m.updates, c.m.floodWait, c.m.links} {
			if err := deps.Registerer.Register(col); err != nil {
				return nil, fmt.Errorf("tipline metrics: %w", err)
			}
		}
	}
	if b := cfg.Telegram; b != nil {
		if b.Token == "" {
			return nil, errNoToken
		}
		c.bot = &botClient{base: b.BaseURL, token: string(b.Token), userAgent: deps.UserAgent,
			http: &http.Client{Timeout: b.LongPoll + 30*time.Second}}
		if b.Webhook != nil {
			c.hook = newWebhook(b.Webhook, deps.Logger)
		}
	}
	if cfg.Email != nil {
		c.mail = newMailbox(cfg, deps.Logger, c.m.updates)
	}
	if cfg.Form != nil {
		log := deps.Logger
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		c.form = &formIntake{cfg: cfg.Form, orgs: cfg.orgIDs(), log: log, queue: make(chan *pendingForm, 256)}
	}
	return c, nil
}

// botState is the bot's offset: every update below it is published and confirmed. In
// webhook mode Seen holds the most recent update ids taken, to drop Telegram's repeats.
type botState struct {
	Offset int64   `json:"offset"`
	Seen   []int64 `json:"webhook_seen,omitempty"`
}

// reply is a message the bot sends once the poll's state is saved.
type reply struct {
	chat, replyTo int64
	text          string
}

// Collect runs one poll: the mailbox's waiting e-mails and one getUpdates long poll.
func (c *Collector) Collect(ctx context.Context, emit collectors.Emit) error {
	var errs []error
	if c.mail != nil {
		if err := c.mail.start(ctx); err != nil {
			errs = append(errs, err)
		} else if err := c.collectMail(ctx, emit); err != nil {
			errs = append(errs, err)
		}
	}
	if c.form != nil {
		if err := c.collectForm(ctx, emit); err != nil {
			errs = append(errs, err)
		}
	}
	if c.cfg.IMAP != nil {
		if err := c.collectIMAP(ctx, emit); err != nil {
			errs = append(errs, err)
		}
	}
	switch {
	case c.hook != nil:
		if err := c.collectWebhook(ctx, emit); err != nil {
			errs = append(errs, c.hook.redact(err))
		}
	case c.bot != nil:
		if err := c.collectBot(ctx, emit); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// call makes one Bot API call, waiting out flood control up to MaxFloodWait.
func (c *Collector) call(ctx context.Context, f func() error) error {
	if now := c.deps.Now(); now.Before(c.floodUntil) {
		return &FloodError{RetryAfter: c.floodUntil.Sub(now)}
	}
	for attempt := 0; ; attempt++ {
		err := f()
		var fe *FloodError
		if !errors.As(err, &fe) {
			return err
		}
		if fe.RetryAfter > c.cfg.Telegram.MaxFloodWait || attempt >= 3 {
			c.floodUntil = c.deps.Now().Add(fe.RetryAfter)
			return err
		}
		c.m.floodWait.Add(fe.RetryAfter.Seconds())
		if c.deps.Logger != nil {
			c.deps.Logger.Info("bot api flood control: waiting", "retry_after", fe.RetryAfter)
		}
		if err := c.sleep(ctx, fe.RetryAfter); err != nil {
			return err
		}
	}
}

func (c *Collector) collectBot(ctx context.Context, emit collectors.Emit) error {
	var st botState
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
		return err
	}
	var raws []json.RawMessage
	if err := c.call(ctx, func() error {
		var err error
		raws, err = c.bot.getUpdates(ctx, st.Offset, c.cfg.Telegram.LongPoll, c.cfg.Telegram.Limit)
		return err
	}); err != nil {
		var fe *FloodError
		if errors.As(err, &fe) && c.deps.Now().Before(c.floodUntil) {
			return nil // obeyed: the next poll after the wait
		}
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == http.StatusConflict {
			// A webhook is still set (webhook mode was turned off): remove it, keeping
			// the pending updates; the next poll reads them.
			if derr := c.call(ctx, func() error { return c.bot.deleteWebhook(ctx) }); derr != nil {
				return errors.Join(err, fmt.Errorf("deleteWebhook: %w", derr))
			}
			if c.deps.Logger != nil {
				c.deps.Logger.Info("bot webhook removed: polling with getUpdates")
			}
			return nil
		}
		return err
	}
	if len(raws) == 0 {
		return nil
	}
	replies, ids, err := c.processUpdates(ctx, emit, raws, nil)
	if err != nil {
		return err
	}
	for _, id := range ids {
		st.Offset = max(st.Offset, id+1)
	}
	if err := collectors.SaveJSON(ctx, c.deps.State, c.key, st); err != nil {
		return err
	}
	// Receipts go out once the tips are published and the offset saved: a restart before
	// this point replays the updates (counted once) and answers then.
	c.sendReplies(ctx, replies)
	return nil
}

// processUpdates is the one path every bot update takes, from getUpdates or the
// webhook: decode (a malformed update is counted, logged without its content and
// skipped), drop those seen reports as already taken, turn messages into tips or
// commands, then publish the changed campaigns and save them. It returns the replies
// to send and the ids of every update taken (malformed ones included); the caller saves
// them and only then answers.
func (c *Collector) processUpdates(ctx context.Context, emit collectors.Emit, raws []json.RawMessage, seen func(id int64) bool) ([]reply, []int64, error) {
	c.deps.Metrics.Posts(len(raws))
	in := newIntake(c.deps.State, &c.cfg)
	var replies []reply
	var ids []int64
	for i, raw := range raws {
		u, err := decodeUpdate(raw)
		if u.UpdateID > 0 {
			if seen != nil && (seen(u.UpdateID) || slices.Contains(ids, u.UpdateID)) {
				c.m.updates.WithLabelValues(outcomeDuplicate).Inc()
				continue
			}
			ids = append(ids, u.UpdateID)
		}
		if err != nil {
			// Reported without its content: the update could carry a reporter's data.
			c.m.updates.WithLabelValues(outcomeMalformed).Inc()
			if c.deps.Logger != nil {
				c.deps.Logger.Warn("malformed bot update skipped", "update_id", u.UpdateID, "index", i, "reason", err.Error())
			}
			continue
		}
		r, err := c.handle(ctx, in, u.Message)
		if err != nil {
			return nil, nil, err
		}
		if r != nil {
			replies = append(replies, *r)
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	if _, err := in.commit(ctx, emit, c.deps.Now(), c.detect); err != nil {
		return nil, nil, err
	}
	return replies, ids, nil
}

// sendReplies sends the receipts and answers of a saved batch; a failure is logged (the
// tips are kept either way) and stops the rest.
func (c *Collector) sendReplies(ctx context.Context, replies []reply) {
	for _, r := range replies {
		if err := c.call(ctx, func() error { return c.bot.sendMessage(ctx, r.chat, r.text, r.replyTo) }); err != nil {
			if c.deps.Logger != nil {
				c.deps.Logger.Warn("bot reply not sent", "err", err)
			}
			return
		}
	}
}

// errMalformed explains why an update cannot be a tip, without quoting it.
var errMalformed = errors.New("not a message update with a chat and a sender")

// decodeUpdate reads one update; the update id is returned even when the rest is bad,
// so the offset moves past it.
func decodeUpdate(raw json.RawMessage) (Update, error) {
	var id struct {
		UpdateID int64 `json:"update_id"`
	}
	_ = json.Unmarshal(raw, &id)
	var u Update
	if err := json.Unmarshal(raw, &u); err != nil {
		return Update{UpdateID: id.UpdateID}, fmt.Errorf("undecodable update (%s)", jsonErrKind(err))
	}
	if u.UpdateID <= 0 {
		return u, errors.New("update without an update_id")
	}
	if u.Message == nil || u.Message.Chat == nil || u.Message.From == nil || u.Message.Date <= 0 {
		return u, errMalformed
	}
	return u, nil
}

// jsonErrKind names a decoding error's type only: its message may quote the input.
func jsonErrKind(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "wrong type for field " + te.Field
	}
	return "invalid JSON"
}

// handle turns one message into a tip or answers a command. The sender's Telegram id is
// used here only: hashed with the organisation's key, and as the chat to answer.
func (c *Collector) handle(ctx context.Context, in *intake, m *Message) (*reply, error) {
	tx := textsFor(m.From.LanguageCode)
	answer := func(s string) *reply { return &reply{chat: m.Chat.ID, replyTo: m.MessageID, text: s} }
	if m.From.IsBot {
		c.m.updates.WithLabelValues(outcomeIgnored).Inc()
		return nil, nil
	}
	org := c.cfg.orgOfChat(m.Chat)
	cmd := command(m.Text)
	if cmd != "" {
		c.m.updates.WithLabelValues(outcomeCommand).Inc()
	}
	switch cmd {
	case "start", "help", "privacy":
		return answer(tx.Privacy), nil
	case "forget":
		if org == "" {
			return answer(tx.NotSetUp), nil
		}
		unlinked, withdrawn, err := in.forget(ctx, org, c.reporterHash(org, "telegram:"+strconv.FormatInt(m.From.ID, 10)))
		if err != nil {
			return nil, err
		}
		if c.deps.Logger != nil {
			c.deps.Logger.Info("reporter forgotten", "org", org, "unlinked", unlinked, "withdrawn", withdrawn)
		}
		return answer(fmt.Sprintf(tx.Forgotten, unlinked, withdrawn)), nil
	case "":
	default:
		return answer(tx.Privacy), nil
	}
	if org == "" {
		c.m.updates.WithLabelValues(outcomeIgnored).Inc()
		if m.Chat.Type == "private" {
			return answer(tx.NotSetUp), nil
		}
		return nil, nil // a group not mapped to an organisation: stay silent
	}
	t, ok := ExtractTip(m)
	if !ok {
		c.m.updates.WithLabelValues(outcomeIgnored).Inc()
		return answer(tx.Nothing), nil
	}
	fp, counted, err := in.submit(ctx, t, org, c.reporterHash(org, "telegram:"+strconv.FormatInt(m.From.ID, 10)))
	if err != nil {
		return nil, err
	}
	if err := c.linkPost(ctx, in, fp, t); err != nil {
		return nil, err
	}
	if !counted {
		c.m.updates.WithLabelValues(outcomeRepeat).Inc()
		return answer(fmt.Sprintf(tx.Repeat, fp[:8])), nil
	}
	c.m.updates.WithLabelValues(outcomeTip).Inc()
	if c.deps.Logger != nil {
		c.deps.Logger.Info("tip received", "tip_kind", t.Kind, "campaign", fp, "org", org)
	}
	return answer(fmt.Sprintf(tx.Receipt, fp[:8])), nil
}

// command returns the bot command of a text ("/forget@my_bot" → "forget"), or "".
func command(text string) string {
	if !strings.HasPrefix(text, "/") {
		return ""
	}
	f := strings.Fields(text[1:])
	if len(f) == 0 {
		return ""
	}
	cmd, _, _ := strings.Cut(strings.ToLower(f[0]), "@")
	return cmd
}

func (c *Collector) reporterHash(org, identity string) string {
	return ReporterHash([]byte(c.cfg.ReporterKey), org, identity)
}
