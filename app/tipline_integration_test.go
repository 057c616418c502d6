package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationTiplineRoles runs the collect, store and tipline roles against a local
// Bot API with one bulk SMS reported by three invented members within an hour: one
// merged post, one tip_campaigns row with 3 submissions and one sms_campaign cluster.
// Then the posts stream, every ClickHouse table, the logs and /metrics are searched for
// the members' Telegram ids.
func TestIntegrationTiplineRoles(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	members := []int64{5550007701, 5550007702, 5550007703}
	texts := []string{
		"От: VOTE-KG\nУважаемый Азамат! Партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 10 октября за традиционные ценности!",
		"Уважаемая Гульнара, партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 11 октября за традиционные ценности",
		"Уважаемый Нурлан! Партия Жаңы Жол поддерживает права ЛГБТ и пропаганду среди детей!! Голосуйте 10 октября за традиционные ценности!",
	}
	bot := demosite.NewBotAPI(demosite.DemoBotToken)
	bot.MaxWait = 200 * time.Millisecond
	now := time.Now().UTC()
	for i, id := range members {
		at := now.Add(-time.Hour + time.Duration(i)*20*time.Minute)
		bot.Push(map[string]any{"message": map[string]any{"message_id": i + 1, "date": at.Unix(), "text": texts[i],
			"from": map[string]any{"id": id, "first_name": "Invented", "language_code": "ru"},
			"chat": map[string]any{"id": id, "type": "private"}}})
	}
	srv := httptest.NewServer(bot)
	defer srv.Close()

	cfg := testConfig(t)
	var src yaml.Node
	if err := yaml.Unmarshal(fmt.Appendf(nil, `kind: tipline
name: tipline:test
reporter_key: test-only-reporter-key-0123456789
default_org: org-a
telegram: {base_url: %q, token: %q, long_poll: 1s}
`, srv.URL, demosite.DemoBotToken), &src); err != nil {
		t.Fatal(err)
	}
	cfg.Sources = []yaml.Node{*src.Content[0]}
	roles, err := app.SelectRoles("collect,store,tipline")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := storage.Open(ctx, cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var subs uint32
	var orgs []string
	testenv.Eventually(t, 60*time.Second, "the campaign stored", func() bool {
		err := conn.QueryRow(ctx, "SELECT submissions, orgs FROM tip_campaigns FINAL WHERE kind = 'sms'").Scan(&subs, &orgs)
		return err == nil && subs == 3
	})
	var clusters, posts uint64
	testenv.Eventually(t, 30*time.Second, "the sms_campaign cluster and the merged post stored", func() bool {
		_ = conn.QueryRow(ctx, "SELECT count() FROM coordination_clusters FINAL WHERE has(behaviours, 'sms_campaign') AND status = 'active'").Scan(&clusters)
		_ = conn.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE source = 'tipline'").Scan(&posts)
		return clusters == 1 && posts == 1
	})
	if len(orgs) != 1 || orgs[0] != "org-a" || len(bot.Sent()) != 3 {
		t.Fatalf("orgs %v, %d receipts", orgs, len(bot.Sent()))
	}

	// Everything a sender id could leak into.
	var haystack strings.Builder
	stream, err := run.Bus.JS.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := stream.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		haystack.Write(m.Data)
		for k, v := range m.Header {
			fmt.Fprintf(&haystack, "%s=%v\n", k, v)
		}
	}
	if !strings.Contains(haystack.String(), `"source":"tipline"`) {
		t.Fatal("the posts stream holds no tipline post")
	}
	rows, err := conn.Query(ctx, `SELECT concat(id, ' ', source, ' ', channel, ' ', author, ' ', url, ' ', title, ' ', text) FROM posts
		UNION ALL SELECT concat(fingerprint, ' ', post_id, ' ', text, ' ', sms_sender, ' ', arrayStringConcat(orgs, ',')) FROM tip_campaigns
		UNION ALL SELECT concat(id, ' ', arrayStringConcat(accounts, ','), ' ', arrayStringConcat(posts, ','), ' ', arrayStringConcat(texts, ','), ' ', params) FROM coordination_clusters`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		haystack.WriteString(s + "\n")
	}
	rows.Close()
	resp, err := http.Get("http://" + run.MetricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(metrics, []byte("kuzot_tipline_updates_total")) {
		t.Fatal("tipline metrics not exposed")
	}
	haystack.Write(metrics)
	haystack.WriteString(logs.String())
	all := haystack.String()
	if !strings.Contains(all, "tip received") {
		t.Fatal("logs not captured")
	}
	for _, id := range members {
		if i := strings.Index(all, fmt.Sprint(id)); i >= 0 {
			t.Errorf("sender id %d found: …%s…", id, all[max(0, i-80):min(len(all), i+30)])
		}
	}
}
