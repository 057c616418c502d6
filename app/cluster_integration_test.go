package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/app"
	classifiersall "github.com/kuzot/kuzot/classifiers/all"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
)

// TestIntegrationClusterNodeLossLedger is the short cluster test of make test (issue
// 18): a 3-node JetStream cluster with every stream, consumer and bucket at R3, two
// replicas of store+classify sharing the durable consumers, and loadgen publishing 3,000
// posts; one NATS node (the leader of the posts stream) is killed mid-load. Then the
// ledger check: every acknowledged post stored exactly once after FINAL, each with one
// classification per classifier (so each message was handled, and no result lost).
func TestIntegrationClusterNodeLossLedger(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	started := time.Now()
	cl := testenv.StartCluster(t, 3, 3)
	cfg := testConfig(t)
	cfg.NATS = cl.ClientConfig()
	roles, err := app.SelectRoles("store,classify")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var runs []*app.Running
	for range 2 {
		c := replicaConfig(t, cfg, cl.URL)
		rctx, rcancel := context.WithCancel(ctx)
		run, err := app.Start(rctx, c, roles, testenv.Logger(t))
		if err != nil {
			rcancel()
			t.Fatal(err)
		}
		runs = append(runs, run)
		t.Cleanup(func() { rcancel(); _ = run.Wait() })
	}
	client := cl.Client(t)
	t.Logf("cluster and two replicas up after %s", time.Since(started).Round(time.Millisecond))

	gen, err := loadgen.NewGenerator("cl18", 7, loadgen.DefaultMix, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	const posts = 3000
	ledger := loadgen.NewLedger(posts)
	js, err := jetstream.New(client.NC, jetstream.WithPublishAsyncTimeout(5*time.Second), jetstream.WithPublishAsyncMaxPending(512))
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		st  loadgen.Stats
		err error
	}
	published := make(chan result, 1)
	go func() {
		st, err := loadgen.Publish(ctx, js, gen, ledger, loadgen.Options{Posts: posts, Window: 256, Rate: 1500})
		published <- result{st, err}
	}()
	testenv.Eventually(t, 30*time.Second, "a third of the posts published", func() bool { return ledger.Len() > posts/3 })
	s, err := client.JS.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		t.Fatal(err)
	}
	leader := cl.NodeIndex(s.CachedInfo().Cluster.Leader)
	if leader < 0 {
		t.Fatalf("posts stream leader %q unknown", s.CachedInfo().Cluster.Leader)
	}
	killed := time.Now()
	cl.Kill(leader)
	t.Logf("killed NATS node %d (posts stream leader) after %d posts", leader+1, ledger.Len())
	res := <-published
	if res.err != nil {
		t.Fatalf("publish: %v (stats %+v)", res.err, res.st)
	}
	t.Logf("published %+v; done %s after the kill", res.st, time.Since(killed).Round(time.Millisecond))

	var rep *loadgen.Report
	testenv.Eventually(t, 60*time.Second, "the ledger check passing", func() bool {
		rep, err = loadgen.Check(ctx, runs[0].CH, gen, ledger, loadgen.CheckOptions{Classifiers: classifiersall.Registry().Names(), MaxRawDuplicates: -1})
		return err == nil && rep.Err() == nil
	})
	if rep.MustAppear != posts {
		t.Fatalf("ledger: %d acknowledged posts, want %d", rep.MustAppear, posts)
	}
	// Both replicas took part: the durable consumers are shared, not duplicated (the
	// check above already proved each post stored and classified once after FINAL).
	for i, run := range runs {
		mfs, err := run.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		handled := 0.0
		for _, mf := range mfs {
			if mf.GetName() == "kuzot_consumer_messages_total" {
				for _, m := range mf.GetMetric() {
					handled += m.GetCounter().GetValue()
				}
			}
		}
		if handled == 0 {
			t.Fatalf("replica %d handled no message", i)
		}
		t.Logf("replica %d handled %v messages", i, handled)
	}
	t.Logf("ledger check: %s (total %s)", rep, time.Since(started).Round(time.Millisecond))
}
