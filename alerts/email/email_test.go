package email

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
)

func testAlert() *alerts.Alert {
	in := &alerts.Incident{ID: "inc_abc", Org: "org-a", Member: "m-001", Severity: alerts.SeverityCritical,
		Categories: []string{"phone", "sogi"}, Platforms: []string{"youtube"}, Copies: 1, Status: alerts.StatusOpen,
		Evidence: "[person] — [sogi], звоните [phone]",
		Sightings: []alerts.Sighting{{PostID: "youtube:v1", Platform: "youtube", Channel: "demo", URL: "https://youtube.example/watch?v=abcdefgh",
			PublishedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Views: 1200}}}
	n := &alerts.Notification{Seq: 1, Kind: alerts.KindNew}
	langs := []string{"en", "ru"}
	return &alerts.Alert{ID: "inc_abc.1.mail", Channel: "mail", Languages: langs, Message: alerts.BuildMessage(in, n, langs, time.Now())}
}

func decodedBody(t *testing.T, raw []byte) (*mail.Message, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return m, string(b)
}

func TestSendOverSTARTTLS(t *testing.T) {
	srv, err := alertstest.NewSMTPServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := &Config{Host: srv.Host, Port: srv.Port, From: "kuzot <alerts@kuzot.example>", To: []string{"security@org-a.example"},
		CAFile: srv.CAFile}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ch, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), testAlert()); err != nil {
		t.Fatal(err)
	}
	mails := srv.Mails()
	if len(mails) != 1 || !mails[0].TLS || mails[0].To[0] != "security@org-a.example" {
		t.Fatalf("mails: %+v", mails)
	}
	m, body := decodedBody(t, mails[0].Data)
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subj != "[kuzot] New incident: member m-001 exposed, severity critical" {
		t.Fatalf("subject %q", subj)
	}
	if m.Header.Get("Message-Id") != "<inc_abc.1.mail@kuzot>" {
		t.Fatalf("Message-ID %q", m.Header.Get("Message-Id"))
	}
	for _, want := range []string{"phone number", "номер телефона", "claim about sexual orientation", "youtube / demo",
		"[person] — [sogi], звоните [phone]", "https://support.google.com/youtube/answer/142443", "Access Now Digital Security Helpline",
		"Что делать", "views 1200"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}

func TestRefusesServerWithoutTrustedCertificate(t *testing.T) {
	srv, err := alertstest.NewSMTPServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := &Config{Host: srv.Host, Port: srv.Port, From: "a@kuzot.example", To: []string{"b@org.example"}, Timeout: 5 * time.Second}
	ch, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), testAlert())
	if err == nil || errors.Is(err, alerts.ErrPermanent) {
		t.Fatalf("untrusted certificate must fail (retryably): %v", err)
	}
	if len(srv.Mails()) != 0 {
		t.Fatal("mail sent over an unverified connection")
	}
}

func TestConfigValidate(t *testing.T) {
	c := &Config{From: "not an address", To: []string{"x"}, Username: "u"}
	c.Defaults()
	err := c.Validate()
	for _, want := range []string{"host is required", "from", "to \"x\"", "password_env"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want %q", err, want)
		}
	}
	if _, err := New(&Config{CAFile: "/nonexistent/ca.pem"}, ""); err == nil {
		t.Fatal("missing CA file accepted")
	}
}
