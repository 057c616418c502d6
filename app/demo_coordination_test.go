package app_test

import (
	"context"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/collectors"
	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestDemoCommentBurstMakesCluster is what `make run` shows on the Clusters page: the
// demo configuration's sources polled once against the demo site (all of them at once,
// so posts reach the detector in whatever order the sources deliver them), every post
// and comment observed by a detector with the demo configuration's coordination
// parameters, as the coordinate role does, and the demo's Telegram comment network is
// a cluster at the first flush. The classify stage is left out: frames do not make
// clusters.
func TestDemoCommentBurstMakesCluster(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	raw, err := os.ReadFile("../configs/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(strings.NewReader(strings.ReplaceAll(string(raw), "http://127.0.0.1:8090", env.Server.URL)))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := app.DecodeSources(collectorsall.Registry(), cfg.Sources)
	if err != nil {
		t.Fatal(err)
	}
	var polled []collectors.Config
	for _, s := range srcs {
		if s.SourceKind() != "tipline" { // members' tips: no comments, and it listens for SMTP
			polled = append(polled, s)
		}
	}
	cc, err := coordination.LoadConfig(&cfg.Coordination)
	if err != nil {
		t.Fatal(err)
	}
	params, err := cc.Params()
	if err != nil {
		t.Fatal(err)
	}
	det, err := coordination.NewDetector(params, coordination.WithClock(env.Clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	r, err := collectors.NewRunner(collectors.RunnerOptions{Registry: collectorsall.Registry(), Sources: polled,
		State: collectors.NewMemoryState(), Fetcher: env.Fetcher, Now: env.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	posts, comments, late := 0, 0, 0
	err = r.RunOnce(context.Background(), func(_ context.Context, p post.Post) error {
		mu.Lock()
		defer mu.Unlock()
		posts++
		if p.RootID != "" {
			comments++
		}
		if err := det.Observe(coordination.Observation{Post: p}); err != nil {
			late++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if comments == 0 {
		t.Fatalf("%d posts and no comments collected", posts)
	}
	// The network of data/comments.yaml's Telegram bursts ("Демо Бот 1..4").
	want := []string{"telegram:Демо Бот 1", "telegram:Демо Бот 2", "telegram:Демо Бот 3", "telegram:Демо Бот 4"}
	clusters := det.Flush(env.Clock.Now())
	for _, c := range clusters {
		if c.Status != coordination.StatusActive {
			continue
		}
		found := true
		for _, a := range want {
			found = found && slices.Contains(c.Accounts, a)
		}
		if found {
			if len(c.Accounts) != len(want) {
				t.Errorf("the cluster holds other accounts too: %v", c.Accounts)
			}
			return
		}
	}
	var got [][]string
	for _, c := range clusters {
		got = append(got, c.Accounts)
	}
	t.Fatalf("no cluster of %v among %d posts (%d comments, %d not usable): clusters %v", want, posts, comments, late, got)
}

// TestIntegrationDemoClusterWithinTwoMinutes runs `make run`'s pipeline (collect,
// classify, coordinate with the default flush interval) against the demo site started
// now, and waits for the Telegram comment network's cluster in ClickHouse, where the
// Clusters page reads it: it must be there within two minutes.
func TestIntegrationDemoClusterWithinTwoMinutes(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	start := time.Now()
	site, err := demosite.New(demosite.Options{Seed: 1, Epoch: start.UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	demo := httptest.NewServer(site)
	defer demo.Close()
	cfg, err := config.Parse(strings.NewReader(demosite.SourcesYAML(demo.URL)))
	if err != nil {
		t.Fatal(err)
	}
	base := testConfig(t)
	cfg.DataDir, cfg.HTTP, cfg.NATS, cfg.CH, cfg.Store = base.DataDir, base.HTTP, base.NATS, base.CH, base.Store
	roles, err := app.SelectRoles("collect,classify,coordinate")
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
	var accounts []string
	testenv.Eventually(t, 2*time.Minute-time.Since(start), "the demo bot network's cluster", func() bool {
		rows, err := conn.Query(ctx, "SELECT accounts FROM coordination_clusters FINAL WHERE status = 'active'")
		if err != nil {
			return false
		}
		defer rows.Close()
		for rows.Next() {
			var as []string
			if rows.Scan(&as) == nil && slices.Contains(as, "telegram:Демо Бот 1") {
				accounts = as
			}
		}
		return accounts != nil
	})
	t.Logf("cluster %v stored %.1fs after the demo site started", accounts, time.Since(start).Seconds())
	if len(accounts) != 4 {
		t.Errorf("cluster accounts %v, want the four demo bots", accounts)
	}
	cancel()
	if err := run.Wait(); err != nil {
		t.Fatal(err)
	}
}
