package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationClassifyReloadsPromotedModel runs the classify and store roles on a
// real JetStream and ClickHouse, promotes a model into the models directory while they
// run, and checks that the next classifications carry the promoted model's version (in
// classifications and in the explorer's narrative_posts), without a restart.
func TestIntegrationClassifyReloadsPromotedModel(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := testConfig(t)
	cfg.Models.Dir = filepath.Join(cfg.DataDir, "models")
	cfg.Models.WatchInterval = 200 * time.Millisecond
	roles, err := app.SelectRoles("store,classify")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := storage.Open(ctx, cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pub := pipeline.NewPublisher(run.Bus.JS, run.Metrics)
	base := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	publish := func(i int) string {
		p := post.Post{ID: fmt.Sprintf("telegram:reload/%d", i), Source: "telegram", Channel: "reload", Author: "Канал",
			Text: "ЛГБТ это проект иностранных спецслужб", Lang: "ru", PublishedAt: base.Add(time.Duration(i) * time.Minute),
			CollectedAt: base.Add(time.Hour)}
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	versionOf := func(id string) (classifierVersion, modelVersion string) {
		_ = conn.QueryRow(ctx, `SELECT classifier_version FROM classifications FINAL WHERE classifier = 'narrative' AND post_id = ?`, id).
			Scan(&classifierVersion)
		_ = conn.QueryRow(ctx, `SELECT argMax(model_version, version) FROM narrative_posts WHERE post_id = ?`, id).Scan(&modelVersion)
		return
	}
	first := publish(1)
	var before, beforeModel string
	testenv.Eventually(t, 30*time.Second, "first post classified", func() bool {
		before, beforeModel = versionOf(first)
		return before != "" && beforeModel != ""
	})
	if !strings.HasSuffix(before, "model/"+beforeModel) {
		t.Fatalf("narrative_posts model_version %q does not match classifier version %q", beforeModel, before)
	}

	// Train and promote a new model while the roles run.
	c, err := narrative.New(narrative.Config{Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := narrative.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Train(ctx, exs[:120], narrative.TrainOptions{Bits: 14, Epochs: 3, Sources: []string{"reload test"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := modeldir.Dir{Path: cfg.Models.Dir}
	v, err := dir.Install(m)
	if err != nil {
		t.Fatal(err)
	}
	if v == beforeModel {
		t.Fatalf("the new model has the running model's version %s", v)
	}
	if _, err := dir.Promote(v, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	// Posts published after the swap carry the new version; poll with fresh posts, as a
	// post classified just before the poll legitimately carries the old one.
	i := 2
	testenv.Eventually(t, 30*time.Second, "a classification by the promoted model", func() bool {
		id := publish(i)
		i++
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if cv, mv := versionOf(id); cv != "" && mv != "" {
				return strings.HasSuffix(cv, "model/"+v) && mv == v
			}
			time.Sleep(50 * time.Millisecond)
		}
		return false
	})
	cancel()
	select {
	case err := <-waitErr(run):
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("app did not stop within 30 s")
	}
}
