package tipline

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
)

// FormConfig is the intake of the web UI's tip form: the tipline listens on Listen (a
// loopback or private address) for tips the serve role hands over, authenticated by
// SecretToken, and answers each once it is published, like the SMTP receiver. The serve
// role finds it in the same configuration.
type FormConfig struct {
	// Listen is the address (default 127.0.0.1:2526).
	Listen string `yaml:"listen"`
	// URL is where the serve role reaches it (default http://<listen>).
	URL string `yaml:"url"`
	// SecretToken authenticates the serve role (at least 16 bytes); from SecretTokenEnv
	// when empty (default KUZOT_TIPLINE_FORM_SECRET).
	SecretToken    config.Secret `yaml:"secret_token"`
	SecretTokenEnv string        `yaml:"secret_token_env"`
	// AcceptTimeout: a submission not published within it is refused (default 30s).
	AcceptTimeout time.Duration `yaml:"accept_timeout"`
}

func (f *FormConfig) defaults() {
	if f.Listen == "" {
		f.Listen = "127.0.0.1:2526"
	}
	if f.URL == "" {
		f.URL = "http://" + f.Listen
	}
	f.URL = strings.TrimRight(f.URL, "/")
	if f.SecretTokenEnv == "" {
		f.SecretTokenEnv = "KUZOT_TIPLINE_FORM_SECRET"
	}
	f.SecretToken = f.SecretToken.OrEnv(f.SecretTokenEnv, os.Getenv)
	if f.AcceptTimeout == 0 {
		f.AcceptTimeout = 30 * time.Second
	}
}

func (f *FormConfig) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(f.Listen); err != nil {
		errs = append(errs, fmt.Errorf("form.listen %q: %w", f.Listen, err))
	}
	errs = append(errs, collectors.ValidateHTTPURL("form.url", f.URL))
	if len(f.SecretToken) < 16 {
		errs = append(errs, fmt.Errorf("form.secret_token (or env %s) must be at least 16 bytes", f.SecretTokenEnv))
	}
	if f.AcceptTimeout < time.Second {
		errs = append(errs, errors.New("form.accept_timeout must be at least 1s"))
	}
	return errors.Join(errs...)
}

// FormPath is the path of the form intake.
const FormPath = "/tipline/form"

// FormTip is one tip from the web UI's form. Submitter identifies the account that
// sent it ("web:<user name>"); it is only hashed, with the organisation's key.
type FormTip struct {
	Org       string `json:"org"`
	Submitter string `json:"submitter"`
	Text      string `json:"text"`
	Link      string `json:"link,omitempty"`
	SMSSender string `json:"sms_sender,omitempty"`
	// Forget asks to unlink every tip of Submitter in Org (the form's /forget).
	Forget bool `json:"forget,omitempty"`
}

// FormReceipt answers a form tip once it is published: the campaign reference (the
// first 8 digits of its fingerprint) and whether the account had sent it already.
type FormReceipt struct {
	Ref    string `json:"ref"`
	Repeat bool   `json:"repeat"`
	Kind   string `json:"kind"`
	// Unlinked and Withdrawn answer a Forget.
	Unlinked  int `json:"unlinked,omitempty"`
	Withdrawn int `json:"withdrawn,omitempty"`
}

type pendingForm struct {
	tip  FormTip
	done chan formResult
}

type formResult struct {
	receipt FormReceipt
	err     error
}

// formIntake is the HTTP receiver of form tips.
type formIntake struct {
	cfg   *FormConfig
	orgs  []string
	log   *slog.Logger
	queue chan *pendingForm
	mu    sync.Mutex
	srv   *http.Server
	addr  string
}

var errUnknownOrg = errors.New("organisation has no tipline here")

func (fi *formIntake) start() error {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", fi.cfg.Listen)
	if err != nil {
		return fmt.Errorf("tipline form: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+FormPath, fi)
	fi.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: fi.cfg.AcceptTimeout + 30*time.Second}
	fi.addr = ln.Addr().String()
	go func() { _ = fi.srv.Serve(ln) }()
	fi.log.Info("tipline form intake listening", "addr", fi.addr)
	return nil
}

func (fi *formIntake) close() error {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	if fi.srv == nil {
		return nil
	}
	return fi.srv.Close()
}

// ServeHTTP takes one form tip (bearer secret token, constant-time) and answers its
// receipt once published, 503 when that fails or takes too long.
func (fi *formIntake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(tok), []byte(fi.cfg.SecretToken)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var ft FormTip
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&ft); err != nil {
		http.Error(w, "not a form tip", http.StatusBadRequest)
		return
	}
	if !slices.Contains(fi.orgs, ft.Org) {
		http.Error(w, errUnknownOrg.Error(), http.StatusBadRequest)
		return
	}
	if ft.Submitter == "" || (!ft.Forget && strings.TrimSpace(ft.Text+ft.Link) == "") {
		http.Error(w, "a submitter and a text or link are required", http.StatusBadRequest)
		return
	}
	p := &pendingForm{tip: ft, done: make(chan formResult, 1)}
	timeout := time.NewTimer(fi.cfg.AcceptTimeout)
	defer timeout.Stop()
	select {
	case fi.queue <- p:
	case <-timeout.C:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	case <-r.Context().Done():
		return
	}
	select {
	case res := <-p.done:
		if errors.Is(res.err, errNothingToKeep) {
			http.Error(w, res.err.Error(), http.StatusBadRequest)
			return
		}
		if res.err != nil {
			http.Error(w, "not stored yet, try again", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res.receipt)
	case <-timeout.C:
		http.Error(w, "not stored yet, try again", http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}

var errNothingToKeep = errors.New("nothing to keep in this tip")

// FormAddr is the form intake's listening address ("" before the first poll or without one).
func (c *Collector) FormAddr() string {
	if c.form == nil {
		return ""
	}
	c.form.mu.Lock()
	defer c.form.mu.Unlock()
	return c.form.addr
}

// formMessage renders a form tip as the message a member would have sent the bot: the
// SMS sender as a "From:" first line, the text, then the link.
func formMessage(ft FormTip, at time.Time) *Message {
	var b strings.Builder
	if s := strings.TrimSpace(ft.SMSSender); s != "" {
		b.WriteString("From: " + s + "\n")
	}
	b.WriteString(strings.TrimSpace(ft.Text))
	if l := strings.TrimSpace(ft.Link); l != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
	}
	return &Message{Date: at.Unix(), Text: b.String()}
}

// collectForm turns the waiting form tips into tips through the common intake,
// publishes them, saves the state and only then answers each with its receipt.
func (c *Collector) collectForm(ctx context.Context, emit collectors.Emit) error {
	if err := c.form.start(); err != nil {
		return err
	}
	var batch []*pendingForm
	for len(batch) < 200 {
		select {
		case p := <-c.form.queue:
			batch = append(batch, p)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		return nil
	}
	now := c.deps.Now()
	in := newIntake(c.deps.State, &c.cfg)
	receipts := make([]FormReceipt, len(batch))
	refused := make([]bool, len(batch))
	err := func() error {
		for i, p := range batch {
			if p.tip.Forget {
				c.m.updates.WithLabelValues(outcomeCommand).Inc()
				unlinked, withdrawn, err := in.forget(ctx, p.tip.Org, c.reporterHash(p.tip.Org, p.tip.Submitter))
				if err != nil {
					return err
				}
				receipts[i] = FormReceipt{Unlinked: unlinked, Withdrawn: withdrawn}
				continue
			}
			t, ok := ExtractTip(formMessage(p.tip, now))
			if !ok {
				refused[i] = true
				c.m.updates.WithLabelValues(outcomeIgnored).Inc()
				continue
			}
			fp, counted, err := in.submit(ctx, t, p.tip.Org, c.reporterHash(p.tip.Org, p.tip.Submitter))
			if err != nil {
				return err
			}
			if err := c.linkPost(ctx, in, fp, t); err != nil {
				return err
			}
			receipts[i] = FormReceipt{Ref: fp[:8], Repeat: !counted, Kind: t.Kind}
			if counted {
				c.m.updates.WithLabelValues(outcomeTip).Inc()
				if c.deps.Logger != nil {
					c.deps.Logger.Info("tip received from the web form", "tip_kind", t.Kind, "campaign", fp, "org", p.tip.Org)
				}
			} else {
				c.m.updates.WithLabelValues(outcomeRepeat).Inc()
			}
		}
		_, err := in.commit(ctx, emit, now, c.detect)
		return err
	}()
	for i, p := range batch {
		switch {
		case err != nil:
			p.done <- formResult{err: err}
		case refused[i]:
			p.done <- formResult{err: errNothingToKeep}
		default:
			p.done <- formResult{receipt: receipts[i]}
		}
	}
	return err
}

// FormClient hands web-form tips to a tipline's form intake (the serve role's side).
type FormClient struct {
	url, token string
	orgs       []string
	http       *http.Client
}

// NewFormClient returns the client of cfg's form intake, or nil when cfg has none.
func NewFormClient(cfg *Config) *FormClient {
	if cfg == nil || cfg.Form == nil {
		return nil
	}
	return &FormClient{url: cfg.Form.URL + FormPath, token: string(cfg.Form.SecretToken), orgs: cfg.orgIDs(),
		http: &http.Client{Timeout: cfg.Form.AcceptTimeout + 10*time.Second}}
}

// Orgs are the organisations the tipline takes tips for.
func (f *FormClient) Orgs() []string { return slices.Clone(f.orgs) }

// ErrRefused wraps the intake's refusal of a tip (a 4xx): the message says why.
var ErrRefused = errors.New("tip refused")

// Submit hands one tip over and returns its receipt once it is published.
func (f *FormClient) Submit(ctx context.Context, ft FormTip) (FormReceipt, error) {
	body, err := json.Marshal(ft)
	if err != nil {
		return FormReceipt{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return FormReceipt{}, fmt.Errorf("tipline form: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.http.Do(req)
	if err != nil {
		return FormReceipt{}, fmt.Errorf("tipline form: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusOK:
		var rc FormReceipt
		if err := json.Unmarshal(raw, &rc); err != nil {
			return FormReceipt{}, fmt.Errorf("tipline form: receipt: %w", err)
		}
		return rc, nil
	case resp.StatusCode == http.StatusBadRequest:
		return FormReceipt{}, fmt.Errorf("%w: %s", ErrRefused, strings.TrimSpace(string(raw)))
	}
	return FormReceipt{}, fmt.Errorf("tipline form: HTTP %d", resp.StatusCode)
}

// Notice is the privacy notice in lang (en, ru, ky; English otherwise).
func Notice(lang string) string { return textsFor(lang).Privacy }

// orgIDs lists the organisations of the tipline: the configured ones and the default.
func (c *Config) orgIDs() []string {
	var out []string
	for _, o := range c.Orgs {
		out = append(out, o.ID)
	}
	if c.DefaultOrg != "" && !slices.Contains(out, c.DefaultOrg) {
		out = append(out, c.DefaultOrg)
	}
	slices.Sort(out)
	return out
}
