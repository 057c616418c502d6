package tipline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/post"
)

// EmailConfig is the SMTP receiver: mail for Domain (forwarded SMS text, screenshots)
// becomes tips. Put it behind the organisation's MX or a forwarding rule; it accepts
// only recipients of Domain.
type EmailConfig struct {
	// Listen is the SMTP address (default 127.0.0.1:2525).
	Listen string `yaml:"listen"`
	// Domain is the tipline's mail domain (required): tips@<domain>, or the recipients
	// listed under orgs.
	Domain string `yaml:"domain"`
	// MaxMessageBytes caps one e-mail (default 10 MiB).
	MaxMessageBytes int64 `yaml:"max_message_bytes"`
	// AcceptTimeout is how long a sender waits for the tip to be published before it
	// gets a temporary failure (451) and retries later (default 60s).
	AcceptTimeout time.Duration `yaml:"accept_timeout"`
}

func (e *EmailConfig) defaults() {
	if e.Listen == "" {
		e.Listen = "127.0.0.1:2525"
	}
	e.Domain = strings.ToLower(strings.TrimSpace(e.Domain))
	if e.MaxMessageBytes == 0 {
		e.MaxMessageBytes = 10 << 20
	}
	if e.AcceptTimeout == 0 {
		e.AcceptTimeout = time.Minute
	}
}

func (e *EmailConfig) validate() error {
	var errs []error
	if e.Domain == "" || strings.ContainsAny(e.Domain, "@ ") {
		errs = append(errs, fmt.Errorf("email.domain %q must be a mail domain", e.Domain))
	}
	if _, _, err := net.SplitHostPort(e.Listen); err != nil {
		errs = append(errs, fmt.Errorf("email.listen %q: %w", e.Listen, err))
	}
	if e.MaxMessageBytes < 1024 || e.AcceptTimeout < time.Second {
		errs = append(errs, errors.New("email.max_message_bytes must be at least 1024 and email.accept_timeout at least 1s"))
	}
	return errors.Join(errs...)
}

// pendingMail is one accepted e-mail waiting for the next poll; the SMTP session
// answers the sender with done's result, so a tip is acknowledged only once published.
type pendingMail struct {
	tip      Tip
	org      string
	reporter string
	forget   bool
	done     chan error
}

// mailbox is the SMTP receiver of one tipline.
type mailbox struct {
	cfg     Config
	log     *slog.Logger
	updates *prometheus.CounterVec
	queue   chan *pendingMail
	mu      sync.Mutex
	srv     *smtp.Server
	addr    string
}

func newMailbox(cfg Config, log *slog.Logger, updates *prometheus.CounterVec) *mailbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &mailbox{cfg: cfg, log: log, updates: updates, queue: make(chan *pendingMail, 256)}
}

// start listens on the first poll; the server then lives as long as the process (or
// until Close).
func (mb *mailbox) start(context.Context) error {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if mb.srv != nil {
		return nil
	}
	e := mb.cfg.Email
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{mb: mb}, nil }))
	srv.Domain = e.Domain
	srv.MaxMessageBytes = e.MaxMessageBytes
	srv.MaxRecipients = 10
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", e.Listen)
	if err != nil {
		return fmt.Errorf("tipline smtp: %w", err)
	}
	mb.srv, mb.addr = srv, ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	mb.log.Info("tipline smtp receiver listening", "addr", mb.addr, "domain", e.Domain)
	return nil
}

func (mb *mailbox) close() error {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if mb.srv == nil {
		return nil
	}
	return mb.srv.Close()
}

// Close stops the SMTP receiver and the webhook, if they run.
func (c *Collector) Close() error {
	var errs []error
	if c.mail != nil {
		errs = append(errs, c.mail.close())
	}
	if c.hook != nil {
		errs = append(errs, c.hook.close())
	}
	if c.form != nil {
		errs = append(errs, c.form.close())
	}
	return errors.Join(errs...)
}

// SMTPAddr is the SMTP receiver's listening address ("" before the first poll).
func (c *Collector) SMTPAddr() string {
	if c.mail == nil {
		return ""
	}
	c.mail.mu.Lock()
	defer c.mail.mu.Unlock()
	return c.mail.addr
}

// orgOfRecipient maps an envelope recipient of the tipline's domain to its organisation.
func (mb *mailbox) orgOfRecipient(rcpt string) string {
	rcpt = strings.ToLower(strings.TrimSpace(rcpt))
	_, domain, ok := strings.Cut(rcpt, "@")
	if !ok || domain != mb.cfg.Email.Domain {
		return ""
	}
	for _, o := range mb.cfg.Orgs {
		for _, r := range o.Recipients {
			if strings.EqualFold(r, rcpt) {
				return o.ID
			}
		}
	}
	return mb.cfg.DefaultOrg
}

type mailSession struct {
	mb   *mailbox
	from string
	org  string
}

func (s *mailSession) Reset()        { s.from, s.org = "", "" }
func (s *mailSession) Logout() error { return nil }

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = strings.ToLower(strings.TrimSpace(from))
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	org := s.mb.orgOfRecipient(to)
	if org == "" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such tipline here"}
	}
	if s.org == "" {
		s.org = org
	}
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	if s.org == "" || s.from == "" {
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "need MAIL and RCPT first"}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	t, forget, err := parseMail(raw, time.Now().UTC())
	if err != nil {
		s.mb.updates.WithLabelValues(outcomeMalformed).Inc()
		// The parser's message may quote the e-mail: only that it failed is logged.
		s.mb.log.Warn("malformed tipline e-mail refused")
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "message not readable"}
	}
	p := &pendingMail{tip: t, org: s.org, forget: forget, done: make(chan error, 1),
		reporter: ReporterHash([]byte(s.mb.cfg.ReporterKey), s.org, "email:"+s.from)}
	timeout := time.NewTimer(s.mb.cfg.Email.AcceptTimeout)
	defer timeout.Stop()
	select {
	case s.mb.queue <- p:
	case <-timeout.C:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "busy, try again later"}
	}
	select {
	case err := <-p.done:
		if err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "not stored yet, try again later"}
		}
		return nil
	case <-timeout.C:
		// The poll may still publish it; a retry by the sender is then counted once.
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "not stored yet, try again later"}
	}
}

// collectMail turns the waiting e-mails into tips, publishes them, saves the state and
// only then tells each SMTP session to accept.
func (c *Collector) collectMail(ctx context.Context, emit collectors.Emit) error {
	var batch []*pendingMail
	for len(batch) < 500 {
		select {
		case p := <-c.mail.queue:
			batch = append(batch, p)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		return nil
	}
	in := newIntake(c.deps.State, &c.cfg)
	err := func() error {
		for _, p := range batch {
			if p.forget {
				c.m.updates.WithLabelValues(outcomeCommand).Inc()
				if _, _, err := in.forget(ctx, p.org, p.reporter); err != nil {
					return err
				}
				continue
			}
			fp, counted, err := in.submit(ctx, p.tip, p.org, p.reporter)
			if err != nil {
				return err
			}
			if err := c.linkPost(ctx, in, fp, p.tip); err != nil {
				return err
			}
			if counted {
				c.m.updates.WithLabelValues(outcomeTip).Inc()
				if c.deps.Logger != nil {
					c.deps.Logger.Info("tip received by e-mail", "tip_kind", p.tip.Kind, "campaign", fp, "org", p.org)
				}
			} else {
				c.m.updates.WithLabelValues(outcomeRepeat).Inc()
			}
		}
		_, err := in.commit(ctx, emit, c.deps.Now(), c.detect)
		return err
	}()
	for _, p := range batch {
		p.done <- err
	}
	return err
}

// parseMail reads a forwarded SMS or screenshot e-mail: the first text/plain part is the
// text (a "From: <sender ID>" first line names the SMS sender), image parts are
// screenshots kept as references by content hash. A subject or body of "/forget" (or
// "forget") asks to be forgotten. The e-mail's own headers (sender name, address) are
// never part of the tip.
func parseMail(raw []byte, now time.Time) (Tip, bool, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Tip{}, false, fmt.Errorf("not an e-mail: %w", err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	var text string
	var images [][]byte
	if err := walkPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &text, &images, 0); err != nil {
		return Tip{}, false, err
	}
	subj := strings.ToLower(strings.TrimSpace(subject))
	body := strings.ToLower(strings.TrimSpace(text))
	if subj == "/forget" || subj == "forget" || body == "/forget" || body == "forget" {
		return Tip{}, true, nil
	}
	m := &Message{Date: now.Unix(), Text: stripQuoted(text)}
	if len(images) > 0 {
		// The first image is the screenshot; its content hash identifies it across reporters.
		h := sha256.Sum256(images[0])
		key := hex.EncodeToString(h[:16])
		m.Document = &Document{FileID: "email-sha256:" + key, FileUniqueID: key, MimeType: "image/*"}
	}
	t, ok := ExtractTip(m)
	if !ok {
		return Tip{}, false, errors.New("no text and no image")
	}
	for i, md := range t.Media {
		if strings.HasPrefix(md.URL, "tg-file:email-sha256:") {
			t.Media[i] = post.Media{Kind: "photo", URL: strings.TrimPrefix(md.URL, "tg-file:")}
		}
	}
	// Further screenshots are kept as references too (for the ocr role, when one runs).
	for _, img := range images[min(1, len(images)):] {
		h := sha256.Sum256(img)
		t.Media = append(t.Media, post.Media{Kind: "photo", URL: "email-sha256:" + hex.EncodeToString(h[:16])})
	}
	return t, false, nil
}

// walkPart collects the first text/plain body and the image parts of a MIME tree.
func walkPart(ctype, cte string, r io.Reader, text *string, images *[][]byte, depth int) error {
	if depth > 5 {
		return errors.New("MIME nesting too deep")
	}
	if ctype == "" {
		ctype = "text/plain; charset=utf-8"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("bad Content-Type: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, newlineStripper{r})
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		mr := multipart.NewReader(r, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := walkPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, text, images, depth+1); err != nil {
				return err
			}
		}
	case mt == "text/plain" && *text == "":
		b, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("text part: %w", err)
		}
		u, _, err := collectors.DecodeUTF8(b, ctype)
		if err != nil {
			return fmt.Errorf("text part: %w", err)
		}
		*text = strings.TrimSpace(string(u))
	case strings.HasPrefix(mt, "image/") && len(*images) < 8:
		b, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("image part: %w", err)
		}
		*images = append(*images, b)
	}
	return nil
}

// stripQuoted drops a forwarding client's "---------- Forwarded message ----------"
// header block, keeping what follows it.
func stripQuoted(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, l := range lines {
		if strings.Contains(strings.ToLower(l), "forwarded message") || strings.Contains(l, "Пересылаемое сообщение") {
			rest := lines[i+1:]
			for len(rest) > 0 && (strings.Contains(rest[0], ":") && len(rest[0]) < 120 &&
				!strings.HasPrefix(strings.TrimSpace(strings.ToLower(rest[0])), "from:") || strings.TrimSpace(rest[0]) == "") {
				rest = rest[1:]
			}
			return strings.TrimSpace(strings.Join(rest, "\n"))
		}
	}
	return strings.TrimSpace(text)
}

type newlineStripper struct{ r io.Reader }

func (n newlineStripper) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, b := range p[:k] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}
