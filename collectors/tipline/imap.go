package tipline

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
)

// IMAPConfig is a mailbox polled over TLS for forwarded SMS text and screenshots: the
// organisation's members forward to an ordinary address (tips@org.example) and kuzot
// reads that mailbox, with no mail server of its own.
type IMAPConfig struct {
	// Addr is the IMAP server (host:port; default port 993, implicit TLS). With
	// StartTLS the connection starts in clear on Addr (usually :143) and is upgraded
	// before login; a server that cannot upgrade is refused. There is no clear-text mode.
	Addr     string `yaml:"addr"`
	StartTLS bool   `yaml:"starttls"`
	// CAFile adds PEM roots for the server's certificate (a self-hosted server);
	// ServerName overrides the name checked (default Addr's host).
	CAFile     string `yaml:"ca_file"`
	ServerName string `yaml:"server_name"`
	// Username and Password log in; the password from PasswordEnv when empty (default
	// KUZOT_TIPLINE_IMAP_PASSWORD).
	Username    string        `yaml:"username"`
	Password    config.Secret `yaml:"password"`
	PasswordEnv string        `yaml:"password_env"`
	// Mailbox is read (default INBOX). Done, when set, is where taken messages are
	// moved once their tips are published; otherwise they are flagged \Seen.
	Mailbox string `yaml:"mailbox"`
	Done    string `yaml:"done"`
	// Org is the organisation the mailbox belongs to (default default_org).
	Org string `yaml:"org"`
	// Interval between mailbox polls (default 1m; the tipline's own interval is the
	// bot's); MaxMessages per poll (default 50); MaxMessageBytes skips larger e-mails
	// (default 10 MiB); Timeout bounds the dial and each command (default 30s).
	Interval        time.Duration `yaml:"interval"`
	MaxMessages     int           `yaml:"max_messages"`
	MaxMessageBytes int64         `yaml:"max_message_bytes"`
	Timeout         time.Duration `yaml:"timeout"`
}

func (m *IMAPConfig) defaults(defaultOrg string) {
	if m.Addr != "" {
		if _, _, err := net.SplitHostPort(m.Addr); err != nil {
			m.Addr = net.JoinHostPort(m.Addr, "993")
		}
	}
	if m.PasswordEnv == "" {
		m.PasswordEnv = "KUZOT_TIPLINE_IMAP_PASSWORD"
	}
	m.Password = m.Password.OrEnv(m.PasswordEnv, os.Getenv)
	if m.Mailbox == "" {
		m.Mailbox = "INBOX"
	}
	if m.Org == "" {
		m.Org = defaultOrg
	}
	if m.Interval == 0 {
		m.Interval = time.Minute
	}
	if m.MaxMessages == 0 {
		m.MaxMessages = 50
	}
	if m.MaxMessageBytes == 0 {
		m.MaxMessageBytes = 10 << 20
	}
	if m.Timeout == 0 {
		m.Timeout = 30 * time.Second
	}
}

func (m *IMAPConfig) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(m.Addr); err != nil || m.Addr == "" {
		errs = append(errs, fmt.Errorf("imap.addr %q must be host:port", m.Addr))
	}
	if m.Username == "" || m.Password == "" {
		errs = append(errs, fmt.Errorf("imap.username and imap.password (or env %s) are required", m.PasswordEnv))
	}
	if m.Org == "" {
		errs = append(errs, errors.New("imap.org (or default_org) is required"))
	}
	if m.Done != "" && strings.EqualFold(m.Done, m.Mailbox) {
		errs = append(errs, errors.New("imap.done must differ from imap.mailbox"))
	}
	if m.Interval < 5*time.Second || m.MaxMessages < 1 || m.MaxMessageBytes < 1024 || m.Timeout < time.Second {
		errs = append(errs, errors.New("imap.interval must be at least 5s, max_messages and timeout positive, max_message_bytes at least 1024"))
	}
	return errors.Join(errs...)
}

// imapState is the mailbox's incremental state: every message up to LastUID (within
// UIDValidity) is published and marked.
type imapState struct {
	UIDValidity uint32 `json:"uid_validity"`
	LastUID     uint32 `json:"last_uid"`
}

func (c *Collector) imapKey() string { return c.key + "/imap" }

// dialIMAP connects with TLS (implicit, or STARTTLS) and logs in.
func (c *Collector) dialIMAP() (*imapclient.Client, error) {
	m := c.cfg.IMAP
	host, _, _ := net.SplitHostPort(m.Addr)
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if m.ServerName != "" {
		tc.ServerName = m.ServerName
	}
	if m.CAFile != "" {
		pem, err := os.ReadFile(m.CAFile)
		if err != nil {
			return nil, fmt.Errorf("imap ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("imap ca_file %s: no PEM certificate", m.CAFile)
		}
		tc.RootCAs = pool
	}
	opt := &imapclient.Options{TLSConfig: tc, Dialer: &net.Dialer{Timeout: m.Timeout}}
	var cl *imapclient.Client
	var err error
	if m.StartTLS {
		cl, err = imapclient.DialStartTLS(m.Addr, opt)
	} else {
		cl, err = imapclient.DialTLS(m.Addr, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("imap %s: %w", m.Addr, err)
	}
	if err := cl.Login(m.Username, string(m.Password)).Wait(); err != nil {
		cl.Close()
		// The server's answer never quotes the password; the username is the
		// organisation's mailbox, not a reporter.
		return nil, fmt.Errorf("imap %s: login: %w", m.Addr, err)
	}
	return cl, nil
}

// collectIMAP reads the messages that arrived since the last poll (by UID), turns them
// into tips through the e-mail path, publishes them and saves the campaigns, then saves
// the last UID, and only then moves (or flags) the messages. A crash before the UID is
// saved reads them again; a reporter is counted once per campaign, so that changes
// nothing.
func (c *Collector) collectIMAP(ctx context.Context, emit collectors.Emit) error {
	m := c.cfg.IMAP
	now := c.deps.Now()
	if now.Before(c.imapNext) {
		return nil
	}
	c.imapNext = now.Add(m.Interval)
	var st imapState
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.imapKey(), &st); err != nil {
		return err
	}
	cl, err := c.dialIMAP()
	if err != nil {
		return err
	}
	defer cl.Close()
	stop := context.AfterFunc(ctx, func() { cl.Close() })
	defer stop()

	sel, err := cl.Select(m.Mailbox, &imap.SelectOptions{ReadOnly: false}).Wait()
	if err != nil {
		return fmt.Errorf("imap select %s: %w", m.Mailbox, err)
	}
	if sel.UIDValidity != st.UIDValidity {
		// A new or recreated mailbox: its UIDs start again. Messages read before were
		// moved or flagged, and re-reading one counts nothing twice.
		if st.UIDValidity != 0 && c.deps.Logger != nil {
			c.deps.Logger.Warn("imap mailbox uidvalidity changed: reading it from the start", "mailbox", m.Mailbox)
		}
		st = imapState{UIDValidity: sel.UIDValidity}
	}
	if sel.NumMessages == 0 {
		return collectors.SaveJSON(ctx, c.deps.State, c.imapKey(), st)
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(st.LastUID+1), 0) // LastUID+1:*
	found, err := cl.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap search: %w", err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if uint32(u) > st.LastUID { // "n:*" always matches the last message
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	if len(uids) > m.MaxMessages {
		uids = uids[:m.MaxMessages]
	}
	if len(uids) == 0 {
		return nil
	}
	// Sizes first, so that an oversized e-mail is never downloaded.
	sizes, err := cl.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("imap fetch sizes: %w", err)
	}
	var small []imap.UID
	for _, s := range sizes {
		if s.RFC822Size > m.MaxMessageBytes {
			c.m.updates.WithLabelValues(outcomeMalformed).Inc()
			if c.deps.Logger != nil {
				c.deps.Logger.Warn("tipline e-mail skipped: too large", "uid", uint32(s.UID), "bytes", s.RFC822Size)
			}
			continue
		}
		small = append(small, s.UID)
	}
	var msgs []*imapclient.FetchMessageBuffer
	section := &imap.FetchItemBodySection{Peek: true}
	if len(small) > 0 {
		msgs, err = cl.Fetch(imap.UIDSetNum(small...), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return fmt.Errorf("imap fetch: %w", err)
		}
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	c.deps.Metrics.Posts(len(uids))
	in := newIntake(c.deps.State, &c.cfg)
	last := st.LastUID
	for _, u := range uids {
		last = max(last, uint32(u))
	}
	for _, msg := range msgs {
		if err := c.imapMessage(ctx, in, msg.FindBodySection(section), now); err != nil {
			return err
		}
	}
	if _, err := in.commit(ctx, emit, now, c.detect); err != nil {
		return err
	}
	st.LastUID = last
	if err := collectors.SaveJSON(ctx, c.deps.State, c.imapKey(), st); err != nil {
		return err
	}
	// Published and saved: now the messages leave the inbox. A failure here leaves
	// them in place (already counted); they are not read again (UID state).
	done := imap.UIDSetNum(uids...)
	if m.Done != "" {
		if _, err := cl.Move(done, m.Done).Wait(); err != nil {
			return fmt.Errorf("imap move to %s: %w", m.Done, err)
		}
		return nil
	}
	if err := cl.Store(done, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		return fmt.Errorf("imap flag seen: %w", err)
	}
	return nil
}

// imapMessage adds one e-mail to the intake as the SMTP receiver does: the sender's
// address only for the keyed hash, /forget honoured, malformed mail counted and skipped.
func (c *Collector) imapMessage(ctx context.Context, in *intake, raw []byte, now time.Time) error {
	org := c.cfg.IMAP.Org
	from := ""
	if hdr, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		if a, err := mail.ParseAddress(hdr.Header.Get("From")); err == nil {
			from = strings.ToLower(strings.TrimSpace(a.Address))
		}
	}
	t, forget, err := parseMail(raw, now.UTC())
	if err != nil || from == "" {
		c.m.updates.WithLabelValues(outcomeMalformed).Inc()
		if c.deps.Logger != nil {
			c.deps.Logger.Warn("malformed tipline e-mail skipped")
		}
		return nil
	}
	reporter := ReporterHash([]byte(c.cfg.ReporterKey), org, "email:"+from)
	if forget {
		c.m.updates.WithLabelValues(outcomeCommand).Inc()
		_, _, err := in.forget(ctx, org, reporter)
		return err
	}
	fp, counted, err := in.submit(ctx, t, org, reporter)
	if err != nil {
		return err
	}
	if err := c.linkPost(ctx, in, fp, t); err != nil {
		return err
	}
	if !counted {
		c.m.updates.WithLabelValues(outcomeRepeat).Inc()
		return nil
	}
	c.m.updates.WithLabelValues(outcomeTip).Inc()
	if c.deps.Logger != nil {
		c.deps.Logger.Info("tip received by e-mail", "tip_kind", t.Kind, "campaign", fp, "org", org, "via", "imap")
	}
	return nil
}
