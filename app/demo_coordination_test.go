package app_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/classifiers/coordination"
	"github.com/kuzot/kuzot/collectors"
	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
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
	cc, err := app.LoadCoordinationConfig(cfg)
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
