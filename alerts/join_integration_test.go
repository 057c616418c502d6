package alerts_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/alerts/webhook"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// withExposure rewrites a test result's exposure section.
func withExposure(c pipeline.Classified, edit func(map[string]any)) pipeline.Classified {
	var res map[string]any
	_ = json.Unmarshal(c.Results["exposure"], &res)
	edit(res)
	c.Results = map[string]json.RawMessage{}
	c.Results["exposure"], _ = json.Marshal(res)
	return c
}

// TestIntegrationAlertsOnlyAfterJoining: an organisation is alerted only about posts
// collected after it joined and a member only about posts collected after it was
// registered; a mention never alerts; a threat naming a member does. A new deployment's
// consumer does not start at the beginning of a results stream full of older
// exposures, and a restart keeps both the join time and the consumer's position.
func TestIntegrationAlertsOnlyAfterJoining(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	ctx := context.Background()
	// History: exposures kuzot classified days before the organisation was configured.
	for _, id := range []string{"telegram:old/1", "telegram:old/2"} {
		c := exposingMember(id, "m-400")
		c.Post.CollectedAt = time.Now().Add(-72 * time.Hour)
		publish(t, b, c)
	}
	_, rcv2, run := hookServiceOn(t, b, time.Second)
	joined, err := run.svc.Joined(ctx, "org-a")
	if err != nil || time.Since(joined) > time.Minute {
		t.Fatalf("join time %v, %v: want about now", joined, err)
	}
	var cons jetstream.Consumer
	testenv.Eventually(t, 10*time.Second, "the alert consumer", func() bool {
		cons, err = b.JS.Consumer(ctx, pipeline.ResultsStream, alerts.ResultsConsumer)
		return err == nil
	})
	if cfg := cons.CachedInfo().Config; cfg.DeliverPolicy != jetstream.DeliverByStartTimePolicy || cfg.OptStartTime == nil ||
		cfg.OptStartTime.Before(joined.Add(-alerts.JoinClockSkew-time.Second)) {
		t.Fatalf("a new alert consumer starts with %v at %v; want by start time at the join time", cfg.DeliverPolicy, cfg.OptStartTime)
	}

	now := time.Now().UTC()
	backlog := exposingMember("telegram:backlog/1", "m-401") // collected before the org joined, classified now
	backlog.Post.CollectedAt = joined.Add(-10 * time.Minute)
	fresh := exposingMember("telegram:fresh/1", "m-402")
	newMember := withExposure(exposingMember("telegram:member/1", "m-403"), func(res map[string]any) {
		// registered an hour after this post was collected
		res["watchlist"] = []any{map[string]any{"org": "org-a", "member": "m-403", "since": now.Add(time.Hour).Unix()}}
	})
	oldMember := withExposure(exposingMember("telegram:member/2", "m-406"), func(res map[string]any) {
		res["watchlist"] = []any{map[string]any{"org": "org-a", "member": "m-406", "since": now.Add(-time.Hour).Unix()}}
	})
	mention := withExposure(exposingMember("telegram:mention/1", "m-404"), func(res map[string]any) {
		res["exposed"], res["outing"], res["severity"] = false, false, "none"
		res["entities"] = []any{}
		res["watchlist"] = []any{}
		res["mentions"] = []any{map[string]any{"org": "org-a", "member": "m-404"}}
	})
	threat := withExposure(exposingMember("telegram:threat/1", "m-405"), func(res map[string]any) {
		res["exposed"], res["outing"], res["threat"], res["severity"] = false, false, true, "high"
	})
	noCollected := exposingMember("telegram:import/1", "m-408") // no collection time: classified now
	noCollected.Post.CollectedAt = time.Time{}
	for _, c := range []pipeline.Classified{backlog, fresh, newMember, oldMember, mention, threat, noCollected} {
		publish(t, b, c)
	}
	want := []string{"m-402", "m-405", "m-406", "m-408"}
	testenv.Eventually(t, 20*time.Second, "four alerts", func() bool { return len(rcv2.Received()) >= len(want) })
	time.Sleep(2 * time.Second)
	var got []string
	for _, g := range rcv2.Received() {
		got = append(got, g.Message.Member)
		if g.Message.Member == "m-405" && !slices.Contains(g.Message.Categories, "threat") {
			t.Fatalf("threat alert categories %v", g.Message.Categories)
		}
		noPlaintext(t, "webhook body", g.Body)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("alerts for %v, want %v (no history, no backlog, no member registered later, no mention; a post without a collection time counts from its classification)", got, want)
	}
	run.stop(t)

	// A restart keeps the join time and resumes where the consumer was.
	run2 := start(t, b, settings(time.Second, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv2)}, 0)
	again, err := run2.svc.Joined(ctx, "org-a")
	if err != nil || !again.Equal(joined) {
		t.Fatalf("join time after restart %v (%v), want %v", again, err, joined)
	}
	publish(t, b, exposingMember("telegram:fresh/2", "m-407"))
	testenv.Eventually(t, 20*time.Second, "the fifth alert", func() bool { return len(rcv2.Received()) == 5 })
	time.Sleep(time.Second)
	if n := len(rcv2.Received()); n != 5 {
		t.Fatalf("%d alerts after the restart, want 5 (nothing replayed)", n)
	}
	run2.stop(t)

	// An organisation added through the API joins at that moment.
	before := time.Now()
	if err := run2.svc.SetRule(ctx, alerts.Rule{Org: "org-late", MinSeverity: alerts.SeverityHigh, Channels: []string{"hook"}}); err != nil {
		t.Fatal(err)
	}
	late, err := run2.svc.Joined(ctx, "org-late")
	if err != nil || late.Before(before.Add(-time.Second)) {
		t.Fatalf("org-late joined %v (%v), want after %v", late, err, before)
	}
}

// TestIntegrationBackfillDigest: an explicit backfill of a bounded period sends one
// digest per channel, with counts per member and no personal data, and only the
// organisation's own exposures; asking again sends nothing more; requests outside the
// bounds are refused.
func TestIntegrationBackfillDigest(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	b := testenv.Bus(t)
	_, rcv, run := hookServiceOn(t, b, time.Second)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	row := func(id string, ago time.Duration, org, member string, outing bool) storage.Exposure {
		cats := []string{"phone"}
		if outing { // as the store role writes it: the classifier's labels, "outing" among them
			cats = append(cats, "outing")
		}
		return storage.Exposure{PostID: id, Source: "telegram", Channel: "leaks", Author: "troll", URL: "https://t.me/leaks/" + id,
			Lang: "ru", PublishedAt: now.Add(-ago - time.Hour), CollectedAt: now.Add(-ago), Exposed: true, Outing: outing,
			Severity: "high", Categories: cats, RedactedText: "[person] [phone]", Orgs: []string{org},
			Members: []string{member}, ClassifierVersion: "test", ClassifiedAt: now.Add(-ago)}
	}
	if err := storage.InsertExposures(ctx, conn, []storage.Exposure{
		row("p1", 2*time.Hour, "org-a", "m-001", true),
		row("p2", 26*time.Hour, "org-a", "m-001", false),
		row("p3", 50*time.Hour, "org-a", "m-002", false),
		row("p4", 3*time.Hour, "org-b", "m-900", false),     // another organisation
		row("p5", 10*24*time.Hour, "org-a", "m-003", false), // before the period
	}); err != nil {
		t.Fatal(err)
	}
	req := alerts.BackfillRequest{Org: "org-a", From: now.Add(-7 * 24 * time.Hour), To: now.Truncate(time.Minute)}
	res, err := run.svc.Backfill(ctx, conn, req)
	if err != nil || res.Posts != 3 || res.Listed != 3 || !slices.Equal(res.Channels, []string{"hook"}) {
		t.Fatalf("backfill %+v %v", res, err)
	}
	testenv.Eventually(t, 20*time.Second, "the digest", func() bool { return len(rcv.Received()) >= 1 })
	if _, err := run.svc.Backfill(ctx, conn, req); err != nil { // the same request again
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	got := rcv.Received()
	if len(got) != 1 {
		t.Fatalf("%d messages, want one digest", len(got))
	}
	m := got[0].Message
	if m.Type != alerts.TypeDigest || m.Digest == nil || m.Digest.Posts != 3 || len(m.Digest.Members) != 2 ||
		m.Digest.Members[0].Member != "m-001" || m.Digest.Members[0].Posts != 2 || !slices.Contains(m.Categories, "sogi") || slices.Contains(m.Categories, "outing") {
		t.Fatalf("digest %+v / %+v", m, m.Digest)
	}
	if strings.Contains(string(got[0].Body), "m-900") || strings.Contains(string(got[0].Body), "p5") {
		t.Fatalf("the digest names another organisation's member or a post outside the period:\n%s", got[0].Body)
	}
	ds, err := run.svc.Delivery(ctx, got[0].ID)
	if err != nil || ds.State != alerts.StateSent || ds.Kind != alerts.KindDigest {
		t.Fatalf("delivery state %+v %v", ds, err)
	}
	for _, bad := range []alerts.BackfillRequest{
		{Org: "org-a", From: now.Add(-31 * 24 * time.Hour)},
		{Org: "org-a", From: now.Add(-time.Hour), Limit: alerts.MaxBackfillItems + 1},
		{Org: "org-a"},
		{Org: "org-unknown", From: now.Add(-time.Hour)},
	} {
		if _, err := run.svc.Backfill(ctx, conn, bad); !errors.Is(err, alerts.ErrBadBackfill) {
			t.Errorf("backfill %+v: %v, want ErrBadBackfill", bad, err)
		}
	}
	run.stop(t)
}

// TestIntegrationBackfillRespectsChannelBinding: a rule stored before its channel was
// bound to another organisation does not carry a digest there, as it does not carry an
// incident alert: the delivery is recorded as failed and nothing is sent.
func TestIntegrationBackfillRespectsChannelBinding(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	t.Cleanup(rcv.Close)
	set := settings(time.Second, "hook")
	set.Channels = []alerts.ChannelConfig{&webhook.Config{
		ChannelCommon: alerts.ChannelCommon{Name: "hook", Kind: webhook.Kind, Orgs: []string{"org-z"}}, URL: rcv.URL}}
	run := start(t, b, set, map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	if err := storage.InsertExposures(ctx, conn, []storage.Exposure{{PostID: "p1", Source: "telegram", Channel: "leaks",
		URL: "https://t.me/leaks/1", Lang: "ru", PublishedAt: now.Add(-2 * time.Hour), CollectedAt: now.Add(-time.Hour),
		Exposed: true, Severity: "high", Categories: []string{"phone"}, Orgs: []string{"org-a"}, Members: []string{"m-001"},
		ClassifierVersion: "test", ClassifiedAt: now.Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	res, err := run.svc.Backfill(ctx, conn, alerts.BackfillRequest{Org: "org-a", From: now.Add(-24 * time.Hour), To: now})
	if err != nil || res.Posts != 1 || len(res.Channels) != 0 {
		t.Fatalf("backfill %+v %v: want the post counted and no channel queued", res, err)
	}
	ds, err := run.svc.Delivery(ctx, res.DigestID+".hook")
	if err != nil || ds.State != alerts.StateFailed || !strings.Contains(ds.LastError, "other organisations") {
		t.Fatalf("delivery state %+v %v, want failed: channel belongs to other organisations", ds, err)
	}
	time.Sleep(time.Second)
	if n := len(rcv.Received()); n != 0 {
		t.Fatalf("%d messages reached another organisation's channel", n)
	}
	run.stop(t)
}
