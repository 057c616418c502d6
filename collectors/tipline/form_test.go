package tipline

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
)

const formSecret = "test-form-secret-0123456789"

// formRig is a rig whose tipline has only the web form's intake, on a free port.
func formRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r.cfg.Telegram = nil
	r.cfg.Form = &FormConfig{Listen: addr, SecretToken: formSecret, AcceptTimeout: 5 * time.Second}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// submit hands ft over with the form client while the collector polls with emit.
func (r *rig) submit(c *Collector, ft FormTip, emit func(context.Context, post.Post) error) (FormReceipt, error, []post.Post) {
	r.t.Helper()
	type result struct {
		rc  FormReceipt
		err error
	}
	done := make(chan result, 1)
	go func() {
		rc, err := NewFormClient(&r.cfg).Submit(context.Background(), ft)
		done <- result{rc, err}
	}()
	var got []post.Post
	deadline := time.After(10 * time.Second)
	for {
		_ = c.Collect(context.Background(), func(ctx context.Context, p post.Post) error {
			if err := emit(ctx, p); err != nil {
				return err
			}
			got = append(got, p)
			return nil
		})
		select {
		case res := <-done:
			r.posts = append(r.posts, got...)
			return res.rc, res.err, got
		case <-deadline:
			r.t.Fatal("form submission not answered")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestFormIntake: a web-form tip (text, SMS sender, link) goes through the same intake
// as the bot's, is answered only once published, merges with a near-identical tip of
// another account, is not counted twice for one account, refuses an unknown org, an
// empty tip and a wrong secret, and the forget request unlinks the account; the
// accounts' names appear in no post, state, log or metric.
func TestFormIntake(t *testing.T) {
	r := formRig(t)
	c := r.collector()
	r.collect(c) // starts the intake
	rc, err, got := r.submit(c, FormTip{Org: "org-a", Submitter: "web:invented-analyst", Text: smsVariants[0], SMSSender: "VOTE-KG"}, acceptAll)
	if err != nil || len(rc.Ref) != 8 || rc.Repeat || rc.Kind != KindSMS || len(got) != 1 || got[0].Author != "VOTE-KG" {
		t.Fatalf("first tip: %+v %v %+v", rc, err, got)
	}
	rc2, err, got := r.submit(c, FormTip{Org: "org-b", Submitter: "web:invented-orguser", Text: smsVariants[1]}, acceptAll)
	if err != nil || rc2.Ref != rc.Ref || len(got) != 1 || got[0].Tip.Submissions != 2 {
		t.Fatalf("near-identical tip of another account: %+v %v %+v", rc2, err, got)
	}
	if rc3, err, got := r.submit(c, FormTip{Org: "org-a", Submitter: "web:invented-analyst", Text: smsVariants[2]}, acceptAll); err != nil || !rc3.Repeat || len(got) != 0 {
		t.Fatalf("repeat: %+v %v %+v", rc3, err, got)
	}
	// A link tip: its link is the tip.
	if rc4, err, got := r.submit(c, FormTip{Org: "org-a", Submitter: "web:invented-analyst", Link: "https://t.me/kg_demo_patriot/230"}, acceptAll); err != nil || rc4.Kind != KindLink || len(got) != 1 || got[0].URL != "https://t.me/kg_demo_patriot/230" {
		t.Fatalf("link tip: %+v %v %+v", rc4, err, got)
	}
	// The pipeline is down: the form is not confirmed.
	if _, err, _ := r.submit(c, FormTip{Org: "org-a", Submitter: "web:invented-analyst", Text: "Совсем другой текст о выборах и кандидатах района"},
		func(context.Context, post.Post) error { return errors.New("jetstream down") }); err == nil || errors.Is(err, ErrRefused) {
		t.Fatalf("failed publish: %v", err)
	}
	for _, ft := range []FormTip{
		{Org: "org-zzz", Submitter: "web:x", Text: "text"},
		{Org: "org-a", Submitter: "web:x", Text: "   "},
		{Org: "org-a", Text: "a tip without a submitter"},
	} {
		if _, err, _ := r.submit(c, ft, acceptAll); !errors.Is(err, ErrRefused) {
			t.Errorf("%+v: %v, want refused", ft, err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+c.FormAddr()+FormPath, strings.NewReader(`{"org":"org-a","submitter":"web:x","text":"x"}`))
	req.Header.Set("Authorization", "Bearer wrong-secret-0000000000")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %v %v", resp, err)
	}
	// Forget: the link tip only the analyst sent is withdrawn; the shared SMS keeps its count.
	rc5, err, got := r.submit(c, FormTip{Org: "org-a", Submitter: "web:invented-analyst", Forget: true}, acceptAll)
	if err != nil || rc5.Unlinked != 2 || rc5.Withdrawn != 1 || len(got) != 1 || !got[0].Tip.Withdrawn {
		t.Fatalf("forget: %+v %v %+v", rc5, err, got)
	}
	postsJSON, _ := json.Marshal(r.posts)
	all := string(postsJSON) + r.state.dump() + r.logs.String() + gatherText(t, r.reg)
	for _, s := range []string{"invented-analyst", "invented-orguser", formSecret} {
		if strings.Contains(all, s) {
			t.Errorf("%q found in posts, state, logs or metrics", s)
		}
	}
}
