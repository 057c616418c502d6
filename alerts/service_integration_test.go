package alerts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/alerts/email"
	"github.com/kuzot/kuzot/alerts/webhook"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

const (
	hookSecret = "whsec_a3V6b3QtdGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzISE="
	// Invented member data: it must never appear in an alert.
	memberName  = "Айбек Токтосунов"
	memberPhone = "+996 555 000 111"
)

var leakText = "Вот он, " + memberName + ", работает в НКО на улице Фиктивной, телефон " + memberPhone +
	", и он гей. Все должны знать, кто он такой и с кем живёт. Распространите!"

// exposing builds a classified post exposing member m-001 of org-a, as the exposure
// classifier reports it (entity offsets into the text).
func exposing(id, source, url, prefix string, sev string) pipeline.Classified {
	text := prefix + leakText
	span := func(typ, s string) map[string]any {
		i := strings.Index(text, s)
		return map[string]any{"type": typ, "start": i, "end": i + len(s)}
	}
	res, _ := json.Marshal(map[string]any{"exposed": true, "outing": true, "severity": sev,
		"entities":  []any{span("person", memberName), span("phone", memberPhone), span("sogi", "он гей")},
		"watchlist": []any{map[string]string{"org": "org-a", "member": "m-001"}}})
	now := time.Now().UTC()
	return pipeline.Classified{
		Post: post.Post{ID: id, Source: source, Channel: "demo", Author: "troll", URL: url, Text: text,
			PublishedAt: now.Add(-time.Minute), CollectedAt: now, Views: 321, Media: []post.Media{}},
		Results:      map[string]json.RawMessage{"exposure": res},
		Summaries:    []pipeline.Summary{{Classifier: "exposure", Version: "test", Flagged: true, Labels: []string{}}},
		ClassifiedAt: now,
	}
}

func publish(t *testing.T, b *pipeline.Bus, c pipeline.Classified) {
	t.Helper()
	publishFlagged(t, b, c, "")
}

// publishFlagged publishes a result with a Kuzot-Flagged header (none when flagged is "").
func publishFlagged(t *testing.T, b *pipeline.Bus, c pipeline.Classified, flagged string) {
	t.Helper()
	data, _ := json.Marshal(c)
	msg := &nats.Msg{Subject: pipeline.ResultsSubject + "." + c.Post.Source, Data: data, Header: nats.Header{}}
	msg.Header.Set(pipeline.HeaderSchema, pipeline.ResultsSchemaVersion)
	if flagged != "" {
		msg.Header.Set(pipeline.HeaderFlagged, flagged)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := b.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(c.MsgID())); err != nil {
		t.Fatal(err)
	}
}

func settings(window time.Duration, channels ...string) *alerts.Settings {
	c := alerts.DefaultConfig()
	c.RetryInitial, c.RetryMax, c.SendTimeout = 50*time.Millisecond, 300*time.Millisecond, 5*time.Second
	return &alerts.Settings{Config: c, Rules: map[string]alerts.Rule{"org-a": {Org: "org-a", MinSeverity: alerts.SeverityHigh,
		Channels: channels, GroupWindow: window, Languages: []string{"en", "ru"}, Source: "config"}}}
}

type running struct {
	svc    *alerts.Service
	cancel context.CancelFunc
	done   chan error
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("service stopped with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("service did not stop")
	}
}

func start(t *testing.T, b *pipeline.Bus, s *alerts.Settings, chans map[string]alerts.Channel, ackWait time.Duration) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := alerts.New(ctx, alerts.Options{Settings: s, Bus: b, Registerer: prometheus.NewRegistry(), Log: testenv.Logger(t),
		Channels: chans, AckWait: ackWait})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	r := &running{svc: svc, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- svc.Run(ctx) }()
	t.Cleanup(func() { cancel() })
	return r
}

func hook(t *testing.T, rcv *alertstest.WebhookReceiver) alerts.Channel {
	t.Helper()
	key, err := webhook.ParseSecret(hookSecret)
	if err != nil {
		t.Fatal(err)
	}
	return webhook.New(&webhook.Config{URL: rcv.URL}, [][]byte{key}, rcv.Client(), nil)
}

func noPlaintext(t *testing.T, what string, data []byte) {
	t.Helper()
	for _, s := range []string{memberName, "Токтосунов", memberPhone, "555 000 111", "он гей"} {
		if strings.Contains(string(data), s) {
			t.Fatalf("%s contains the plaintext %q:\n%s", what, s, data)
		}
	}
}

func TestIntegrationFailingReceiverGetsTheAlertOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 5)
	defer rcv.Close()
	r := start(t, b, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
	publish(t, b, exposing("telegram:demo/1", "telegram", "https://t.me/demo/1", "", "critical"))
	testenv.Eventually(t, 20*time.Second, "the alert after 5 failures", func() bool { return len(rcv.Received()) == 1 })
	time.Sleep(time.Second)
	got := rcv.Received()
	if len(got) != 1 || rcv.Requests() != 6 || rcv.Rejected() != nil {
		t.Fatalf("received %d, requests %d, rejected %v", len(got), rcv.Requests(), rcv.Rejected())
	}
	m := got[0].Message
	if m.Type != alerts.TypeIncidentNew || m.Org != "org-a" || m.Member != "m-001" || m.Severity != "critical" ||
		strings.Join(m.Categories, ",") != "phone,sogi" || m.Where[0].URL != "https://t.me/demo/1" || m.Where[0].Views != 321 ||
		!strings.Contains(m.Evidence, "[person]") || len(m.NextSteps["ru"]) == 0 || !strings.Contains(strings.Join(m.NextSteps["en"], " "), "abuse@telegram.org") {
		t.Fatalf("message %+v", m)
	}
	noPlaintext(t, "webhook body", got[0].Body)
	ds, err := r.svc.Delivery(context.Background(), got[0].ID)
	if err != nil || ds.State != alerts.StateSent || ds.Attempts != 6 || !strings.Contains(ds.LastError, "500") {
		t.Fatalf("delivery state %+v %v", ds, err)
	}
	r.stop(t)
}

func TestIntegrationRepostsGiveOneIncidentAndOneUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	defer rcv.Close()
	smtpSrv, err := alertstest.NewSMTPServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	mcfg := &email.Config{Host: smtpSrv.Host, Port: smtpSrv.Port, From: "kuzot@kuzot.example", To: []string{"sec@org-a.example"}, CAFile: smtpSrv.CAFile}
	mcfg.Defaults()
	mail, err := email.New(mcfg, "")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, b, settings(1500*time.Millisecond, "hook", "mail"), map[string]alerts.Channel{"hook": hook(t, rcv), "mail": mail}, 0)
	publish(t, b, exposing("telegram:a/1", "telegram", "https://t.me/a/1", "", "critical"))
	testenv.Eventually(t, 10*time.Second, "the first alert", func() bool { return len(rcv.Received()) == 1 })
	// Three more accounts re-post it (one forwards with a comment) within the window.
	publish(t, b, exposing("telegram:b/7", "telegram", "https://t.me/b/7", "Переслано: ", "critical"))
	publish(t, b, exposing("telegram:c/3", "telegram", "https://t.me/c/3", "", "critical"))
	publish(t, b, exposing("vk:wall-5_1", "vk", "https://vk.com/wall-5_1", "Смотрите! ", "high"))
	testenv.Eventually(t, 10*time.Second, "one update", func() bool { return len(rcv.Received()) == 2 })
	time.Sleep(2 * time.Second)
	got := rcv.Received()
	if len(got) != 2 {
		t.Fatalf("%d webhooks, want the new incident and one update", len(got))
	}
	up := got[1].Message
	if up.IncidentID != got[0].Message.IncidentID || up.Kind != alerts.KindUpdate || up.Copies != 4 ||
		strings.Join(up.Platforms, ",") != "telegram,vk" || !strings.Contains(strings.Join(up.Changes, ","), alerts.ChangeNewPlatform) {
		t.Fatalf("update %+v", up)
	}
	testenv.Eventually(t, 10*time.Second, "two mails", func() bool { return len(smtpSrv.Mails()) == 2 })
	for _, m := range smtpSrv.Mails() {
		if !m.TLS {
			t.Fatal("mail without STARTTLS")
		}
		noPlaintext(t, "mail", m.Data)
	}
	in, err := r.svc.Incident(context.Background(), "org-a", up.IncidentID)
	if err != nil || in.Copies != 4 || len(in.Notifications) != 2 {
		t.Fatalf("incident %+v %v", in, err)
	}
	if _, err := r.svc.Incident(context.Background(), "org-b", up.IncidentID); !errors.Is(err, alerts.ErrNotFound) {
		t.Fatalf("another org sees the incident: %v", err)
	}
	r.stop(t)
}

func TestIntegrationAcknowledgeStopsUpdates(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	defer rcv.Close()
	r := start(t, b, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
	ctx := context.Background()
	publish(t, b, exposing("telegram:a/1", "telegram", "https://t.me/a/1", "", "critical"))
	testenv.Eventually(t, 10*time.Second, "the first alert", func() bool { return len(rcv.Received()) == 1 })
	id := rcv.Received()[0].Message.IncidentID
	if err := r.svc.Acknowledge(ctx, "org-b", id, "intruder"); !errors.Is(err, alerts.ErrNotFound) {
		t.Fatalf("another org acknowledged: %v", err)
	}
	if err := r.svc.Acknowledge(ctx, "org-a", "inc_nope", "x"); !errors.Is(err, alerts.ErrNotFound) {
		t.Fatalf("unknown incident: %v", err)
	}
	if err := r.svc.Acknowledge(ctx, "org-a", id, "coordinator@org-a"); err != nil {
		t.Fatal(err)
	}
	publish(t, b, exposing("youtube:v1", "youtube", "https://youtube.com/watch?v=abcdefgh", "", "critical"))
	time.Sleep(3 * time.Second)
	if n := len(rcv.Received()); n != 1 {
		t.Fatalf("%d alerts after acknowledgement", n)
	}
	in, err := r.svc.Incident(ctx, "org-a", id)
	if err != nil || in.Status != alerts.StatusAcknowledged || in.AcknowledgedBy != "coordinator@org-a" || in.Copies != 2 {
		t.Fatalf("incident %+v %v", in, err)
	}
	r.stop(t)
}

func TestIntegrationRulesAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	defer rcv.Close()
	r := start(t, b, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
	ctx := context.Background()
	if err := r.svc.SetRule(ctx, alerts.Rule{Org: "org-c", MinSeverity: alerts.SeverityHigh, Channels: []string{"nope"}}); err == nil {
		t.Fatal("rule with an unknown channel accepted")
	}
	if err := r.svc.SetRule(ctx, alerts.Rule{Org: "org-a", MinSeverity: alerts.SeverityCritical, Channels: []string{"hook"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.SetRule(ctx, alerts.Rule{Org: "org-c", MinSeverity: alerts.SeverityLow, Channels: []string{"hook"}}); err != nil {
		t.Fatal(err)
	}
	rules, err := r.svc.Rules(ctx)
	if err != nil || len(rules) != 2 || rules[0].Org != "org-a" || rules[0].Source != "api" || rules[0].MinSeverity != alerts.SeverityCritical {
		t.Fatalf("rules %+v %v", rules, err)
	}
	publish(t, b, exposing("telegram:a/1", "telegram", "https://t.me/a/1", "", "high"))
	time.Sleep(2 * time.Second)
	if len(rcv.Received()) != 0 {
		t.Fatal("alert below the API-set minimum severity")
	}
	if err := r.svc.ResetRule(ctx, "org-a"); err != nil {
		t.Fatal(err)
	}
	publish(t, b, exposing("telegram:a/2", "telegram", "https://t.me/a/2", "", "high"))
	testenv.Eventually(t, 10*time.Second, "alert under the config rule again", func() bool { return len(rcv.Received()) == 1 })
	r.stop(t)
}

// blocking is a channel that hangs like a process about to be killed; with sendFirst it
// delivers first and hangs before it can record "sent".
type blocking struct {
	inner     alerts.Channel
	sendFirst bool
	calls     atomic.Int32
}

func (c *blocking) Send(ctx context.Context, a *alerts.Alert) error {
	c.calls.Add(1)
	if c.sendFirst {
		if err := c.inner.Send(ctx, a); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

func TestIntegrationCrashBetweenQueuedAndSentDeliversOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	for _, tc := range []struct {
		name      string
		sendFirst bool
		want      int
	}{
		{"killed before sending", false, 1},
		// Delivered but killed before "sent" was recorded: the only case a receiver sees
		// the alert twice, with the same webhook-id so it recognises the duplicate.
		{"killed after sending, before recording", true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ncfg := testenv.NATSConfig(dir)
			ncfg.Embedded.Port = freePort(t)
			b1 := testenv.BusAt(t, ncfg)
			rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
			defer rcv.Close()
			bl := &blocking{inner: hook(t, rcv), sendFirst: tc.sendFirst}
			r1 := start(t, b1, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": bl}, 2*time.Second)
			publish(t, b1, exposing("telegram:a/1", "telegram", "https://t.me/a/1", "", "critical"))
			testenv.Eventually(t, 10*time.Second, "the job in flight", func() bool { return bl.calls.Load() == 1 })
			// Kill: stop the worker and the JetStream server without acking.
			r1.stop(t)
			b1.Close()

			b2 := testenv.BusAt(t, ncfg)
			r2 := start(t, b2, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 2*time.Second)
			// The restarted server recovers its store and the new sender declares its
			// consumer before the job comes back after AckWait: seconds here, but once over
			// 20 s in CI with the race detector on a loaded machine.
			testenv.Eventually(t, 60*time.Second, "delivery after restart", func() bool { return len(rcv.Received()) == tc.want })
			time.Sleep(3 * time.Second)
			got := rcv.Received()
			if len(got) != tc.want || got[0].ID != got[len(got)-1].ID {
				t.Fatalf("received %d (ids %v), want %d with one id", len(got), ids(got), tc.want)
			}
			ds, err := r2.svc.Delivery(context.Background(), got[0].ID)
			if err != nil || ds.State != alerts.StateSent {
				t.Fatalf("state %+v %v", ds, err)
			}
			// A third start sends nothing more: "sent" was recorded before the ack.
			r2.stop(t)
			r3 := start(t, b2, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 2*time.Second)
			time.Sleep(2 * time.Second)
			if len(rcv.Received()) != tc.want {
				t.Fatalf("resent after a clean restart: %d", len(rcv.Received()))
			}
			r3.stop(t)
		})
	}
}

func ids(rs []alertstest.Received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var port int
	_, _ = fmt.Sscanf(l.Addr().String()[strings.LastIndex(l.Addr().String(), ":")+1:], "%d", &port)
	return port
}

// hookService starts the alert service with one webhook channel "hook" for org-a and
// the given group window, on a fresh embedded JetStream.
func hookService(t *testing.T, window time.Duration) (*pipeline.Bus, *alertstest.WebhookReceiver, *running) {
	t.Helper()
	return hookServiceOn(t, testenv.Bus(t), window)
}

// hookServiceOn is hookService on a given bus.
func hookServiceOn(t *testing.T, b *pipeline.Bus, window time.Duration) (*pipeline.Bus, *alertstest.WebhookReceiver, *running) {
	t.Helper()
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	t.Cleanup(rcv.Close)
	return b, rcv, start(t, b, settings(window, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
}

// exposingMember is exposing() naming another invented member of org-a.
func exposingMember(id, member string) pipeline.Classified {
	c := exposing(id, "telegram", "https://t.me/"+strings.ReplaceAll(id, ":", "/"), "", "critical")
	var res map[string]any
	_ = json.Unmarshal(c.Results["exposure"], &res)
	res["watchlist"] = []any{map[string]string{"org": "org-a", "member": member}}
	c.Results["exposure"], _ = json.Marshal(res)
	return c
}

// TestIntegrationBatchOfManyMembers hands one batch with twenty members exposed once
// each and ten reposts of one member's leak to HandleBatch, which handles different
// members in parallel: every member gets one incident and one "new" alert, the reposts
// all join the one incident, and a second run of the same batch (a redelivery) sends
// nothing new.
func TestIntegrationBatchOfManyMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	_, rcv, r := hookService(t, time.Hour)
	var batch []pipeline.Classified
	for i := range 10 {
		id := fmt.Sprintf("telegram:repost/%d", i)
		batch = append(batch, exposing(id, "telegram", "https://t.me/repost/"+fmt.Sprint(i), "", "critical"))
		batch = append(batch, exposingMember(fmt.Sprintf("telegram:one/%d", i), fmt.Sprintf("m-%03d", 100+i)))
		batch = append(batch, exposingMember(fmt.Sprintf("telegram:two/%d", i), fmt.Sprintf("m-%03d", 200+i)))
	}
	ctx := context.Background()
	for range 2 {
		if err := r.svc.HandleBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	// 21 "new" alerts; m-001's reposts wait for its group window (an hour) as one update.
	testenv.Eventually(t, 20*time.Second, "21 alerts", func() bool { return len(rcv.Received()) >= 21 })
	time.Sleep(time.Second)
	got := rcv.Received()
	members := map[string]int{}
	for _, g := range got {
		if g.Message.Kind != alerts.KindNew {
			t.Fatalf("unexpected %s alert %s", g.Message.Kind, g.ID)
		}
		members[g.Message.Member]++
	}
	if len(got) != 21 || len(members) != 21 || members["m-001"] != 1 {
		t.Fatalf("%d alerts for %d members (%v), want one for each of 21", len(got), len(members), members)
	}
	id := alerts.IncidentID("org-a", "m-001", "telegram:repost/0")
	in, err := r.svc.Incident(ctx, "org-a", id)
	if err != nil || in.Copies != 10 || len(in.PostIDs) != 10 {
		t.Fatalf("incident of the reposts: %+v %v; want every repost in it once", in, err)
	}
	r.stop(t)
}

// TestIntegrationSkipsResultsNotFlaggedByExposure: the alert role trusts the results'
// Kuzot-Flagged header and does not decode results the exposure classifier did not flag;
// a flagged one alerts as usual.
func TestIntegrationSkipsResultsNotFlaggedByExposure(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b, rcv, r := hookService(t, time.Second)
	send := func(c pipeline.Classified, flagged string) { t.Helper(); publishFlagged(t, b, c, flagged) }
	send(exposingMember("telegram:skip/1", "m-301"), "narrative")
	send(exposingMember("telegram:skip/2", "m-302"), "-")
	send(exposingMember("telegram:flag/3", "m-303"), "exposure,narrative")
	testenv.Eventually(t, 10*time.Second, "the flagged result's alert", func() bool { return len(rcv.Received()) == 1 })
	time.Sleep(time.Second)
	if got := rcv.Received(); len(got) != 1 || got[0].Message.Member != "m-303" {
		t.Fatalf("alerts %v, want only m-303's", ids(got))
	}
	r.stop(t)
}
