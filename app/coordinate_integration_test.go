package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// A burst of near-identical comments by a small account network, among organic posts,
// becomes one cluster in ClickHouse through classify -> results -> coordinate.
func TestIntegrationCoordinateRoleFindsNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := testConfig(t)
	if err := yaml.Unmarshal([]byte("flush_interval: 200ms\n"), &cfg.Coordination); err != nil {
		t.Fatal(err)
	}
	roles, err := app.SelectRoles("classify,coordinate")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Now().UTC().Truncate(time.Second)
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	pub := pipeline.NewPublisher(run.Bus.JS, run.Metrics)
	texts := []string{
		"Иностранные агенты опять получили гранты, чтобы разрушать наши семейные традиции, звоните их куратору +996 700 555 123",
		"Требуем запретить пропаганду в школах, пока не поздно, защитим наших детей от западных ценностей",
		"Эти активисты работают на чужие деньги и позорят нашу страну перед всем миром, хватит терпеть",
		"Наш народ не примет чуждые западные ценности, мы будем защищать традиционную семью до конца",
	}
	farm := []string{"patriot_01", "patriot_02", "patriot_03", "patriot_04"}
	n := 0
	for c, text := range texts {
		for i, who := range farm {
			n++
			p := post.Post{ID: fmt.Sprintf("vk:-100_%d", n), Source: "vk", Channel: "demo_el_uchun", Author: who,
				Text: text, ReplyTo: fmt.Sprintf("vk:-100_wall%d", c),
				PublishedAt: now.Add(-time.Hour + time.Duration(c)*10*time.Minute + time.Duration(i)*20*time.Second),
				CollectedAt: now}
			if err := pub.PublishPost(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range 12 { // organic accounts, each with its own words
		p := post.Post{ID: fmt.Sprintf("vk:-100_org%d", i), Source: "vk", Channel: "demo_el_uchun",
			Author: fmt.Sprintf("citizen_%d", i), Text: fmt.Sprintf("Сегодня в парке номер %d гуляли с семьёй, погода отличная", i),
			PublishedAt: now.Add(-50 * time.Minute), CollectedAt: now}
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := storage.Open(ctx, cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var accounts []string
	testenv.Eventually(t, 30*time.Second, "a cluster in coordination_clusters", func() bool {
		rows, err := conn.Query(ctx, "SELECT accounts FROM coordination_clusters FINAL WHERE status = 'active'")
		if err != nil {
			return false
		}
		defer rows.Close()
		for rows.Next() {
			_ = rows.Scan(&accounts)
		}
		return len(accounts) > 0
	})
	var texts2 []string
	if err := conn.QueryRow(ctx, "SELECT texts FROM coordination_clusters FINAL WHERE status = 'active' LIMIT 1").Scan(&texts2); err != nil {
		t.Fatal(err)
	}
	for _, tx := range texts2 {
		if strings.Contains(tx, "555 123") {
			t.Fatalf("cluster evidence keeps a phone number: %q", tx)
		}
	}
	if len(accounts) != len(farm) {
		t.Fatalf("cluster accounts %v, want the %d farm accounts", accounts, len(farm))
	}
	for _, a := range accounts {
		if a[:len("vk:patriot_")] != "vk:patriot_" {
			t.Fatalf("organic account %s clustered", a)
		}
	}
	var firstID string
	var firstVersion uint64
	if err := conn.QueryRow(ctx, "SELECT id, version FROM coordination_clusters FINAL WHERE status = 'active' LIMIT 1").Scan(&firstID, &firstVersion); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatal(err)
	}
	postsBefore := counterValue(t, run.Registry, "kuzot_coordination_posts_total")
	if postsBefore == 0 {
		t.Fatal("no posts counted by the coordination detector")
	}

	// Restart: the role saved its state on shutdown; the new run loads it and replays
	// only from shortly before the save, and the network keeps its cluster id.
	var logs syncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	run2, err := app.Start(ctx2, cfg, roles, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 30*time.Second, "the coordinate role resumed from its saved state", func() bool {
		return strings.Contains(logs.String(), "coordination detector started") && strings.Contains(logs.String(), "resumed=true")
	})
	for _, o := range []string{"farm again: " + texts[0]} { // a new burst of the same farm after the restart
		for i, who := range farm {
			n++
			p := post.Post{ID: fmt.Sprintf("vk:-100_%d", n), Source: "vk", Channel: "demo_el_uchun", Author: who,
				Text: o + " снова", ReplyTo: "vk:-100_wall-again", PublishedAt: now.Add(time.Duration(i) * time.Second), CollectedAt: now}
			if err := pipeline.NewPublisher(run2.Bus.JS, run2.Metrics).PublishPost(ctx2, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	var ids []string
	var version uint64
	testenv.Eventually(t, 30*time.Second, "the farm's cluster updated under its old id", func() bool {
		ids = ids[:0]
		rows, err := conn.Query(ctx2, "SELECT id, version FROM coordination_clusters FINAL WHERE status = 'active'")
		if err != nil {
			return false
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			_ = rows.Scan(&id, &version)
			ids = append(ids, id)
		}
		return len(ids) == 1 && ids[0] == firstID && version > firstVersion
	})
	t.Logf("cluster %s version %d -> %d", firstID, firstVersion, version)
	// The replayed results the saved state already held are rebuilt, not counted again:
	// the detector has counted the posts before the restart and the new burst only.
	if got, want := counterValue(t, run2.Registry, "kuzot_coordination_posts_total"), postsBefore+float64(len(farm)); got != want {
		t.Fatalf("posts counted after the restart %v, want %v (the replay was counted twice)", got, want)
	}
	cancel2()
	if err := run2.Wait(); err != nil {
		t.Fatal(err)
	}
}

// counterValue reads one unlabelled counter from a registry.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}
