package tipline

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/post"
)

const (
	imapUser     = "tips@org-a.demo.invalid"
	imapPassword = "imap-password-0123456789"
)

// imapServer is a real IMAP server (go-imap's server with its in-memory backend) on
// implicit TLS with a certificate made for the test.
type imapServer struct {
	addr   string
	caFile string
	user   *imapmemserver.User
}

func startIMAP(t *testing.T) *imapServer { return startIMAPServer(t, false) }

// startIMAPServer serves on implicit TLS, or with starttls in clear text that must be
// upgraded (STARTTLS) before a login is accepted.
func startIMAPServer(t *testing.T, starttls bool) *imapServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kuzot test imap"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(imapUser, imapPassword)
	for _, mb := range []string{"INBOX", "Tipline/Done"} {
		if err := user.Create(mb, nil); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(user)
	tc := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	opt := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		Logger: log.New(&bytes.Buffer{}, "", 0),
	}
	var ln net.Listener
	if starttls {
		opt.TLSConfig = tc
		opt.Caps[imap.CapStartTLS] = struct{}{}
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tc)
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(opt)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &imapServer{addr: ln.Addr().String(), caFile: caFile, user: user}
}

func (s *imapServer) deliver(t *testing.T, raw string) {
	t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader([]byte(strings.ReplaceAll(raw, "\n", "\r\n"))), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (s *imapServer) count(t *testing.T, mailbox string) (messages, unseen uint32) {
	t.Helper()
	st, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true})
	if err != nil {
		t.Fatal(err)
	}
	return *st.NumMessages, *st.NumUnseen
}

// Invented members' addresses.
const (
	mailMemberOne = "aidai.member@mail.demo.invalid"
	mailMemberTwo = "bolot.member@mail.demo.invalid"
)

var imapMails = []string{
	"From: Invented Member <" + mailMemberOne + ">\nTo: " + imapUser + "\nSubject: Fwd: SMS\nContent-Type: text/plain; charset=utf-8\n\n" +
		"---------- Forwarded message ----------\nDate: 10 Mar 2026\n\nFrom: VOTE-KG\n" + smsVariants[0] + "\n",
	"From: " + mailMemberTwo + "\nTo: " + imapUser + "\nSubject: screenshots\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n\n" +
		"--b1\nContent-Type: text/plain; charset=utf-8\n\nseen in a closed chat, two screens\n" +
		"--b1\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==\n" +
		"--b1\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==\n--b1--\n",
	"To: " + imapUser + "\nSubject: no sender\n\nsecret address Demo street 5\n",
}

func imapRig(t *testing.T) (*rig, *imapServer) {
	t.Helper()
	srv := startIMAP(t)
	r := newRig(t)
	r.cfg.Telegram = nil
	r.cfg.IMAP = &IMAPConfig{Addr: srv.addr, CAFile: srv.caFile, Username: imapUser, Password: imapPassword,
		Done: "Tipline/Done", MaxMessageBytes: 4096, Timeout: 5 * time.Second}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return r, srv
}

// TestIMAPIntake: forwarded SMS and screenshots (every image kept as a media reference)
// are read from a real IMAP server over TLS; messages move to the done mailbox only
// after the tips are published and the UID saved; a failed publish leaves them in the
// inbox and reads them again; a restart reads only what is new; a malformed or oversized
// e-mail is skipped; the mailbox is polled at its own interval.
func TestIMAPIntake(t *testing.T) {
	r, srv := imapRig(t)
	for _, m := range imapMails {
		srv.deliver(t, m)
	}
	srv.deliver(t, "From: "+mailMemberOne+"\nSubject: big\n\n"+strings.Repeat("long text ", 500)+"\n")

	// The pipeline refuses the posts: nothing moves, no UID is saved.
	c := r.collector()
	err := c.Collect(context.Background(), func(context.Context, post.Post) error { return errors.New("jetstream down") })
	if err == nil {
		t.Fatal("a failed publish must fail the poll")
	}
	if n, _ := srv.count(t, "INBOX"); n != 4 {
		t.Fatalf("inbox has %d messages after a failed publish, want 4", n)
	}
	if _, err := r.state.Get(context.Background(), c.imapKey()); !errors.Is(err, collectors.ErrNoState) {
		t.Fatalf("uid saved after a failed publish: %v", err)
	}
	// Not due yet: the mailbox is polled every imap.interval.
	if got := r.collect(c); len(got) != 0 {
		t.Fatalf("polled before the interval: %+v", got)
	}
	r.now = r.now.Add(time.Minute)
	got := r.collect(c)
	kinds := byKind(got)
	sms, shot := kinds[KindSMS], kinds[KindScreenshot]
	if len(got) != 2 || sms.Tip == nil || sms.Tip.SMSSender != "VOTE-KG" || !strings.HasPrefix(sms.Text, "Уважаемый Азамат") {
		t.Fatalf("imap sms: %+v", got)
	}
	if shot.Tip == nil || shot.Text != "seen in a closed chat, two screens" || len(shot.Media) != 2 ||
		!strings.HasPrefix(shot.Media[0].URL, "email-sha256:") || shot.Media[0].URL == shot.Media[1].URL {
		t.Fatalf("imap screenshot: %+v", shot)
	}
	if n, _ := srv.count(t, "INBOX"); n != 0 {
		t.Errorf("inbox still has %d messages", n)
	}
	if n, _ := srv.count(t, "Tipline/Done"); n != 4 {
		t.Errorf("done mailbox has %d messages, want 4", n)
	}
	// The malformed and the oversized e-mail, counted at each of the two reads.
	if v := counterValue(t, r.reg, "kuzot_tipline_updates_total", "malformed"); v != 4 {
		t.Errorf("malformed/oversized %v, want 4", v)
	}
	var st imapState
	if _, err := collectors.LoadJSON(context.Background(), r.state, c.imapKey(), &st); err != nil || st.LastUID != 4 || st.UIDValidity == 0 {
		t.Fatalf("imap state %+v (%v)", st, err)
	}

	// Restart: only the new message is read; it joins the SMS campaign.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	srv.deliver(t, "From: "+mailMemberTwo+"\nSubject: sms\nContent-Type: text/plain; charset=utf-8\n\n"+smsVariants[1]+"\n")
	r.now = r.now.Add(time.Minute)
	c = r.collector()
	got = r.collect(c)
	if len(got) != 1 || got[0].Tip.Submissions != 2 || got[0].ID != sms.ID {
		t.Fatalf("after restart: %+v", got)
	}

	// /forget by e-mail unlinks the member; the screenshot only they sent is withdrawn.
	srv.deliver(t, "From: "+mailMemberTwo+"\nSubject: /forget\n\n/forget\n")
	r.now = r.now.Add(time.Minute)
	got = r.collect(c)
	if len(got) != 1 || !got[0].Tip.Withdrawn || got[0].Tip.Kind != KindScreenshot {
		t.Fatalf("forget: %+v", got)
	}

	postsJSON, _ := json.Marshal(r.posts)
	all := string(postsJSON) + r.state.dump() + r.logs.String() + gatherText(t, r.reg)
	for _, s := range []string{mailMemberOne, mailMemberTwo, "aidai.member", "bolot.member", "Invented Member", imapPassword, "Demo street"} {
		if strings.Contains(all, s) {
			t.Errorf("%q found in posts, state, logs or metrics", s)
		}
	}
}

// TestIMAPNeedsTLS: a server whose certificate is not trusted is refused before login.
func TestIMAPNeedsTLS(t *testing.T) {
	r, srv := imapRig(t)
	r.cfg.IMAP.CAFile = ""
	srv.deliver(t, imapMails[0])
	c := r.collector()
	err := c.Collect(context.Background(), func(context.Context, post.Post) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	if n, _ := srv.count(t, "INBOX"); n != 1 {
		t.Fatal("the message must stay")
	}
	if strings.Contains(err.Error(), imapPassword) {
		t.Fatal("password in error")
	}
}

// TestIMAPFlagsSeen: without a done mailbox, taken messages stay in the inbox flagged
// \Seen and are not read again (UID state), even when the member reopens them.
func TestIMAPFlagsSeen(t *testing.T) {
	r, srv := imapRig(t)
	r.cfg.IMAP.Done = ""
	srv.deliver(t, imapMails[0])
	c := r.collector()
	if got := r.collect(c); len(got) != 1 {
		t.Fatalf("%d posts", len(got))
	}
	if n, unseen := srv.count(t, "INBOX"); n != 1 || unseen != 0 {
		t.Fatalf("inbox %d messages, %d unseen; want 1 and 0", n, unseen)
	}
	r.now = r.now.Add(time.Minute)
	if got := r.collect(c); len(got) != 0 {
		t.Fatalf("read again: %+v", got)
	}
}

// TestIMAPStartTLS: a server on the clear-text port is upgraded with STARTTLS before the
// login; without starttls the source refuses to talk to it (no clear-text mode).
func TestIMAPStartTLS(t *testing.T) {
	srv := startIMAPServer(t, true)
	r := newRig(t)
	r.cfg.Telegram = nil
	r.cfg.IMAP = &IMAPConfig{Addr: srv.addr, StartTLS: true, CAFile: srv.caFile, Username: imapUser, Password: imapPassword, Timeout: 5 * time.Second}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	srv.deliver(t, imapMails[0])
	if got := r.collect(r.collector()); len(got) != 1 || got[0].Tip.Kind != KindSMS {
		t.Fatalf("starttls: %+v", got)
	}
	r.cfg.IMAP.StartTLS = false
	r.now = r.now.Add(time.Minute)
	srv.deliver(t, imapMails[1])
	c := r.collector()
	if err := c.Collect(context.Background(), func(context.Context, post.Post) error { return nil }); err == nil {
		t.Fatal("implicit TLS against a clear-text port must fail")
	}
}
