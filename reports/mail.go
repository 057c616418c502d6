package reports

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kuzot/kuzot/internal/smtpsend"
	gomail "github.com/wneessen/go-mail"
)

// Attachment is one report file attached to a mail.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Mailer sends reports by e-mail through an SMTP server with mandatory TLS.
type Mailer struct {
	cfg    SMTP
	sender *smtpsend.Sender
}

// NewMailer builds a mailer; a CA file, if configured, is loaded now so that a bad path
// fails at start rather than on the first report.
func NewMailer(cfg SMTP) (*Mailer, error) {
	s, err := smtpsend.New(smtpsend.Server{Host: cfg.Host, Port: cfg.Port, Username: cfg.Username, Password: cfg.Password,
		ImplicitTLS: cfg.TLS == "implicit", CAFile: cfg.CAFile, Timeout: cfg.Timeout})
	if err != nil {
		return nil, fmt.Errorf("reports: smtp.%w", err)
	}
	return &Mailer{cfg: cfg, sender: s}, nil
}

// Send mails the report to the recipients: a plain-text body with the summary figures
// (which never hold personal data) and the report files attached, as many as fit in
// smtp.max_attachment_bytes; the body names the files left out.
func (m *Mailer) Send(ctx context.Context, to []string, r *Report, files []Attachment) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(to...); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(fmt.Sprintf("%s: %s – %s", r.Title, r.Period.From.Format(time.DateOnly),
		r.Period.To.Add(-time.Second).Format(time.DateOnly)))
	msg.SetDate()
	var body strings.Builder
	fmt.Fprintf(&body, "%s\n%s: %s – %s\n\n", r.Title, tr(r.Lang, "period"), r.Period.From.Format(time.DateOnly),
		r.Period.To.Add(-time.Second).Format(time.DateOnly))
	for _, f := range r.Summary {
		change := "—"
		if f.Change != nil {
			change = fmt.Sprintf("%+.1f %%", *f.Change)
		}
		fmt.Fprintf(&body, "%-45s %12s  (%s: %s, %s)\n", tr(r.Lang, f.Key), formatNumber(f.Value), tr(r.Lang, "prev_value"),
			formatNumber(f.Previous), change)
	}
	var budget = m.cfg.MaxAttachmentBytes
	var left []string
	for _, a := range files {
		if int64(len(a.Data)) > budget {
			left = append(left, a.Name)
			continue
		}
		budget -= int64(len(a.Data))
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(&body, "\nToo large to attach (download them from the kuzot web UI, Reports): %s\n", strings.Join(left, ", "))
	}
	msg.SetBodyString(gomail.TypeTextPlain, body.String())
	return m.sender.Send(ctx, msg)
}
