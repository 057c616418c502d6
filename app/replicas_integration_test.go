package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/reports"
	"github.com/kuzot/kuzot/storage"
)

// replicaConfig is testConfig for one of several replicas sharing the JetStream server
// bus (through its own connection, nats.url = url) and one ClickHouse database.
func replicaConfig(t *testing.T, shared *config.Config, url string) *config.Config {
	t.Helper()
	c := *shared
	c.DataDir = t.TempDir()
	c.NATS.URL = url
	return &c
}

// TestIntegrationCoordinateStandbyTakesOver runs two replicas of classify+coordinate.
// One holds the leader lease and finds a coordinated network; the other stands by.
// The leader's link to NATS is then cut (a crash, as far as the cluster can tell: it
// neither renews nor releases); the standby takes the lease once it expires, resumes
// from the saved detector state, and a new burst of the same network updates the
// cluster under its old id. The first replica started leads first, but a starved
// machine may already have moved the lease (a renewal stalled past the TTL, as the
// design wants), so the leader is read from the logs when the link is cut.
func TestIntegrationCoordinateStandbyTakesOver(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cfg := testConfig(t)
	cfg.NATS.Leases = config.Leases{TTL: 3 * time.Second, Renew: 500 * time.Millisecond}
	if err := yaml.Unmarshal([]byte("flush_interval: 200ms\nstate_interval: 1s\n"), &cfg.Coordination); err != nil {
		t.Fatal(err)
	}
	server := testenv.BusAt(t, cfg.NATS)
	proxyA := testenv.NewProxy(t, strings.TrimPrefix(server.ClientURL(), "nats://"))
	proxyB := testenv.NewProxy(t, strings.TrimPrefix(server.ClientURL(), "nats://"))
	roles, err := app.SelectRoles("classify,coordinate")
	if err != nil {
		t.Fatal(err)
	}
	var logsA, logsB syncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("replica a:\n" + logsA.String())
			t.Log("replica b:\n" + logsB.String())
		}
	})
	ctxA, cancelA := context.WithCancel(context.Background())
	defer cancelA()
	runA, err := app.Start(ctxA, replicaConfig(t, cfg, "nats://"+proxyA.Addr()), roles, slog.New(slog.NewTextHandler(&logsA, nil)))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, "replica a leading", func() bool {
		return strings.Contains(logsA.String(), "coordination detector started")
	})
	ctxB, cancelB := context.WithCancel(context.Background())
	defer cancelB()
	runB, err := app.Start(ctxB, replicaConfig(t, cfg, "nats://"+proxyB.Addr()), roles, slog.New(slog.NewTextHandler(&logsB, nil)))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "replica b standing by", func() bool {
		return strings.Contains(logsB.String(), "coordinate standby")
	})

	now := time.Now().UTC().Truncate(time.Second)
	farm := []string{"patriot_01", "patriot_02", "patriot_03", "patriot_04"}
	texts := []string{
		"Иностранные агенты опять получили гранты, чтобы разрушать наши семейные традиции, хватит это терпеть",
		"Требуем запретить пропаганду в школах, пока не поздно, защитим наших детей от западных ценностей",
		"Эти активисты работают на чужие деньги и позорят нашу страну перед всем миром, хватит терпеть",
		"Наш народ не примет чуждые западные ценности, мы будем защищать традиционную семью до конца",
	}
	pub := pipeline.NewPublisher(server.JS, pipeline.NewMetrics(prometheus.NewRegistry()))
	n := 0
	publishBurst := func(suffix string, at time.Time, wall string) {
		t.Helper()
		for c, text := range texts {
			for i, who := range farm {
				n++
				p := post.Post{ID: fmt.Sprintf("vk:-100_%d", n), Source: "vk", Channel: "demo_el_uchun", Author: who,
					Text: text + suffix, ReplyTo: fmt.Sprintf("vk:-100_%s%d", wall, c),
					PublishedAt: at.Add(time.Duration(c)*10*time.Minute + time.Duration(i)*20*time.Second), CollectedAt: now}
				if err := pub.PublishPost(context.Background(), p); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	publishBurst("", now.Add(-time.Hour), "wall")
	conn, err := storage.Open(context.Background(), cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var firstID string
	var firstVersion uint64
	testenv.Eventually(t, 30*time.Second, "a cluster found by the leader", func() bool {
		return conn.QueryRow(context.Background(), "SELECT id, version FROM coordination_clusters FINAL WHERE status = 'active' LIMIT 1").
			Scan(&firstID, &firstVersion) == nil && firstID != ""
	})
	// The replica leading now: its detector started last without a "lost" after it,
	// and it has saved its state since (the other one is not leading).
	type replica struct {
		name  string
		logs  *syncBuffer
		proxy *testenv.Proxy
		run   *app.Running
	}
	a, b := replica{"a", &logsA, proxyA, runA}, replica{"b", &logsB, proxyB, runB}
	leadingAndSaved := func(r replica) bool {
		s := r.logs.String()
		started := strings.LastIndex(s, "coordination detector started")
		return started >= 0 && strings.LastIndex(s, "coordinate leadership lost") < started &&
			strings.Contains(s[started:], "coordination state saved")
	}
	var leader, standby replica
	testenv.Eventually(t, 20*time.Second, "one replica leading with its state saved", func() bool {
		la, lb := leadingAndSaved(a), leadingAndSaved(b)
		switch {
		case la && !lb:
			leader, standby = a, b
		case lb && !la:
			leader, standby = b, a
		default:
			return false
		}
		return true
	})
	if leader.name != "a" {
		t.Logf("the lease had moved to replica %s before the cut (a renewal stalled past the TTL)", leader.name)
	}

	cut := time.Now()
	leaderFrom, standbyFrom := len(leader.logs.String()), len(standby.logs.String())
	leader.proxy.SetDown(true)
	testenv.Eventually(t, 20*time.Second, "the standby resuming from the saved state", func() bool {
		s := standby.logs.String()[standbyFrom:]
		return strings.Contains(s, "coordination detector started") && strings.Contains(s, "resumed=true")
	})
	t.Logf("standby %s took over %s after the leader was cut off (lease ttl %s, renew %s)", standby.name,
		time.Since(cut).Round(time.Millisecond), cfg.NATS.Leases.TTL, cfg.NATS.Leases.Renew)
	// The old leader's detector context ends with its lease (nothing more is written);
	// the log line comes once its loop has returned (a fetch has one 10 s attempt at most).
	testenv.Eventually(t, 30*time.Second, "the old leader giving up", func() bool {
		return strings.Contains(leader.logs.String()[leaderFrom:], "coordinate leadership lost")
	})
	t.Logf("the old leader gave up %s after it was cut off", time.Since(cut).Round(time.Millisecond))

	publishBurst(" снова", now.Add(-10*time.Minute), "again")
	var version uint64
	var ids []string
	testenv.Eventually(t, 30*time.Second, "the network's cluster updated under its old id by the new leader", func() bool {
		ids = ids[:0]
		rows, err := conn.Query(context.Background(), "SELECT id, version FROM coordination_clusters FINAL WHERE status = 'active'")
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
	cancelA()
	cancelB()
	if err := standby.run.Wait(); err != nil {
		t.Fatal(err)
	}
	_ = leader.run.Wait() // its NATS link is cut: closing may report it
}

// recordingGuard records, for each key, which replicas ran the work.
type recordingGuard struct {
	inner   reports.RunGuard
	replica string
	mu      *sync.Mutex
	ran     map[string][]string
}

func (g recordingGuard) Once(ctx context.Context, key string, fn func(ctx context.Context)) error {
	return g.inner.Once(ctx, key, func(ctx context.Context) {
		g.mu.Lock()
		g.ran[key] = append(g.ran[key], g.replica)
		g.mu.Unlock()
		fn(ctx)
	})
}

// TestIntegrationReportReplicasRunEachFireOnce runs two report schedulers (two replicas
// of the report role) on a schedule firing every second, with the run guard of the role:
// every fire is generated by exactly one of them.
func TestIntegrationReportReplicasRunEachFireOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	natsCfg := testenv.NATSConfig(t.TempDir())
	natsCfg.Leases = config.Leases{TTL: 2 * time.Second, Renew: 200 * time.Millisecond}
	bus := testenv.BusAt(t, natsCfg)
	dir := t.TempDir()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("output_dir: "+dir+"\ncatch_up: false\nschedules:\n  - {name: daily, cron: \"@every 1s\", period: day, formats: [json]}\n"), &node); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ran := map[string][]string{}
	var regs []*prometheus.Registry
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, replica := range []string{"a", "b"} {
		rc, err := reports.ParseConfig(node.Content[0], dir)
		if err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		regs = append(regs, reg)
		s, err := reports.NewScheduler(rc, conn, testenv.Logger(t), reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, err := app.NewReportGuard(ctx, bus, testenv.Logger(t))
		if err != nil {
			t.Fatal(err)
		}
		s.SetGuard(recordingGuard{inner: g, replica: replica, mu: &mu, ran: ran})
		wg.Go(func() {
			if err := s.Run(ctx); err != nil {
				t.Errorf("scheduler %s: %v", replica, err)
			}
		})
	}
	time.Sleep(5 * time.Second)
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	by := map[string]int{}
	for key, replicas := range ran {
		if len(replicas) != 1 {
			t.Errorf("fire %s ran on %v, want exactly one replica", key, replicas)
		}
		by[replicas[0]]++
	}
	if len(ran) < 3 {
		t.Fatalf("only %d fires ran in 5 s of a schedule firing every second", len(ran))
	}
	// Every report generated (kuzot_reports_generated_total of both) was a guarded fire.
	generated := 0.0
	for _, reg := range regs {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "kuzot_reports_generated_total" {
				for _, m := range mf.GetMetric() {
					generated += m.GetCounter().GetValue()
				}
			}
		}
	}
	if int(generated) != len(ran) {
		t.Fatalf("%v reports generated for %d fires: a fire was generated twice or outside the guard", generated, len(ran))
	}
	t.Logf("%d fires, each run once (by replica: %v)", len(ran), by)
}
