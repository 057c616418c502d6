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

const webhookSecret = "test-webhook-secret_0123456789"

// webhookRig is a rig whose bot is in webhook mode, on a free local port.
func webhookRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r.cfg.Telegram.Webhook = &WebhookConfig{Listen: addr, URL: "http://" + addr, SecretToken: webhookSecret, AcceptTimeout: 5 * time.Second}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// deliver lets the stand-in post its queued updates to the webhook while the collector
// polls with emit, as the runner would, and returns the delivery's result.
func (r *rig) deliver(c *Collector, emit func(context.Context, post.Post) error) (int, error, []post.Post) {
	r.t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := r.bot.DeliverWebhook(context.Background(), &http.Client{Timeout: 10 * time.Second})
		done <- result{n, err}
	}()
	var got []post.Post
	deadline := time.After(15 * time.Second)
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
			// A last poll takes what the final delivery left in the queue (none: it waited).
			r.posts = append(r.posts, got...)
			return res.n, res.err, got
		case <-deadline:
			r.t.Fatal("webhook delivery did not finish")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func acceptAll(context.Context, post.Post) error { return nil }

// TestWebhook: kuzot sets the webhook at its secret path with the secret token, takes
// tips delivered there through the getUpdates path (every kind, malformed skipped,
// receipts after saving), refuses a wrong path or token, answers 503 while a tip cannot
// be published (Telegram redelivers it, nothing lost), drops a repeated update_id even
// after a restart, and a bot taken back to polling removes the webhook.
func TestWebhook(t *testing.T) {
	r := webhookRig(t)
	c := r.collector()
	r.collect(c)
	u, secret := r.bot.Webhook()
	if u != r.cfg.Telegram.Webhook.URL+WebhookPath(webhookSecret) || secret != webhookSecret {
		t.Fatalf("webhook set to %q with secret %q", u, secret)
	}
	if r.bot.Calls("getUpdates") != 0 {
		t.Fatal("webhook mode must not call getUpdates")
	}

	first := r.bot.Push(msg(memberAigerim, memberAigerim, "ru", r.now.Add(-time.Hour), map[string]any{"text": "От: VOTE-KG\n" + smsVariants[0]}))
	r.bot.Push(msg(memberBakyt, groupOrgB, "ky", r.now.Add(-50*time.Minute), map[string]any{"text": smsVariants[1]}))
	r.bot.PushRaw(150, `{"update_id":150,"message":{"message_id":7,"date":1773132000,"text":"secret address Demo street 5"}}`)
	r.bot.Push(msg(memberChynara, memberChynara, "en", r.now.Add(-40*time.Minute), map[string]any{"text": "https://t.me/kg_demo_patriot/420"}))
	n, err, got := r.deliver(c, acceptAll)
	if err != nil || n != 4 || r.bot.Pending() != 0 {
		t.Fatalf("delivered %d (%v), %d pending", n, err, r.bot.Pending())
	}
	kinds := byKind(got)
	if sms := kinds[KindSMS]; sms.Tip == nil || sms.Tip.Submissions != 2 || sms.Author != "VOTE-KG" {
		t.Fatalf("webhook sms: %+v", got)
	}
	if kinds[KindLink].URL != "https://t.me/kg_demo_patriot/420" {
		t.Fatalf("webhook link: %+v", kinds[KindLink])
	}
	if v := counterValue(t, r.reg, "kuzot_tipline_updates_total", "malformed"); v != 1 {
		t.Errorf("malformed %v", v)
	}
	if s := r.bot.Sent(); len(s) != 3 || !strings.Contains(s[0].Text, "Спасибо") {
		t.Fatalf("receipts %+v", s)
	}

	// Wrong path or token: refused before anything is queued.
	hook := "http://" + c.WebhookAddr()
	for _, tc := range []struct {
		path, token string
		want        int
	}{
		{WebhookPath(webhookSecret), "wrong-secret-token-000000000", http.StatusUnauthorized},
		{WebhookPath(webhookSecret), "", http.StatusUnauthorized},
		{"/tipline/telegram/0123456789abcdef0123456789abcdef", webhookSecret, http.StatusNotFound},
		{"/", webhookSecret, http.StatusNotFound},
	} {
		req, _ := http.NewRequest(http.MethodPost, hook+tc.path, strings.NewReader(`{"update_id":999}`))
		if tc.token != "" {
			req.Header.Set(WebhookHeader, tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s with token %q: %d, want %d", tc.path, tc.token, resp.StatusCode, tc.want)
		}
	}
	if len(c.hook.queue) != 0 {
		t.Fatal("a refused delivery was queued")
	}

	// The pipeline is down: the delivery is answered 503 and stays with Telegram.
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", r.now.Add(-time.Minute), map[string]any{"text": "https://t.me/kg_demo_patriot/421"}))
	n, err, _ = r.deliver(c, func(context.Context, post.Post) error { return errors.New("jetstream down") })
	if n != 0 || err == nil || !strings.Contains(err.Error(), "503") || r.bot.Pending() != 1 {
		t.Fatalf("failed publish: delivered %d (%v), pending %d", n, err, r.bot.Pending())
	}
	if n, err, got = r.deliver(c, acceptAll); n != 1 || err != nil || len(got) != 1 || got[0].URL != "https://t.me/kg_demo_patriot/421" {
		t.Fatalf("redelivery: %d %v %+v", n, err, got)
	}

	// Restart: the webhook is set again; Telegram repeating an update already taken
	// (its 200 was lost) is answered 200 and dropped.
	sent := len(r.bot.Sent())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c = r.collector()
	r.collect(c)
	if r.bot.Calls("setWebhook") != 2 {
		t.Errorf("setWebhook calls %d, want 2", r.bot.Calls("setWebhook"))
	}
	var again map[string]any
	raw, _ := json.Marshal(msg(memberAigerim, memberAigerim, "ru", r.now.Add(-time.Hour), map[string]any{"text": "От: VOTE-KG\n" + smsVariants[0]}))
	_ = json.Unmarshal(raw, &again)
	again["update_id"] = first
	r.bot.Push(again)
	if n, err, got = r.deliver(c, acceptAll); n != 1 || err != nil || len(got) != 0 {
		t.Fatalf("repeated update: %d %v %+v", n, err, got)
	}
	if v := counterValue(t, r.reg, "kuzot_tipline_updates_total", "duplicate"); v != 1 {
		t.Errorf("duplicate counter %v", v)
	}
	if len(r.bot.Sent()) != sent {
		t.Error("a repeated update was answered again")
	}

	// Webhook mode turned off: getUpdates meets 409, the webhook is removed and the
	// next poll reads the queue.
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	r.cfg.Telegram.Webhook = nil
	c = r.collector()
	r.bot.Push(msg(memberChynara, memberChynara, "en", r.now, map[string]any{"text": smsVariants[2]}))
	r.collect(c)
	if u, _ := r.bot.Webhook(); u != "" || r.bot.Calls("deleteWebhook") != 1 {
		t.Fatalf("webhook not removed: %q", u)
	}
	if got := r.collect(c); len(got) != 1 || got[0].Tip.Submissions != 3 {
		t.Fatalf("polling after webhook: %+v", got)
	}
	postsJSON, _ := json.Marshal(r.posts)
	for name, text := range map[string]string{"posts": string(postsJSON), "state": r.state.dump(), "logs": r.logs.String(), "metrics": gatherText(t, r.reg)} {
		AssertNoSender(t, "webhook "+name, text)
	}
	if strings.Contains(r.logs.String(), WebhookPath(webhookSecret)) || strings.Contains(r.logs.String(), webhookSecret) {
		t.Error("the webhook's secret path or token was logged")
	}
}

// TestWebhookConfig: the secret token is required and shaped as Telegram wants; the
// path is derived from it.
func TestWebhookConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		hook WebhookConfig
		want string
	}{
		{"ok", WebhookConfig{URL: "https://tips.example.org/", SecretToken: webhookSecret}, ""},
		{"no secret", WebhookConfig{URL: "https://tips.example.org"}, "secret_token"},
		{"short secret", WebhookConfig{URL: "https://tips.example.org", SecretToken: "short"}, "secret_token"},
		{"bad chars", WebhookConfig{URL: "https://tips.example.org", SecretToken: "has spaces in it 0123456789"}, "secret_token"},
		{"no url", WebhookConfig{SecretToken: webhookSecret}, "webhook.url"},
		{"plain http", WebhookConfig{URL: "http://tips.example.org", SecretToken: webhookSecret}, "webhook.url"},
		{"local bot api", WebhookConfig{URL: "http://127.0.0.1:8443", SecretToken: webhookSecret}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KUZOT_TIPLINE_WEBHOOK_SECRET", "")
			h := tc.hook
			h.defaults()
			err := h.validate()
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("validate: %v, want %q", err, tc.want)
			}
			if tc.name == "ok" && h.URL != "https://tips.example.org" {
				t.Errorf("url %q", h.URL)
			}
		})
	}
	if p := WebhookPath(webhookSecret); !strings.HasPrefix(p, "/tipline/telegram/") || len(p) != len("/tipline/telegram/")+32 ||
		p == WebhookPath(webhookSecret+"x") || strings.Contains(p, webhookSecret) {
		t.Errorf("path %q", p)
	}
}
