package coordination_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/coordination/synth"
)

// generate materialises n synthetic posts (default mix at perDay posts per day).
func generate(tb testing.TB, n, perDay int) ([]coordination.Observation, synth.Truth) {
	tb.Helper()
	cfg := synth.DefaultConfig(n)
	cfg.PostsPerDay = perDay
	g, err := synth.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]coordination.Observation, 0, n+n/10)
	for {
		it, ok := g.Next()
		if !ok {
			break
		}
		out = append(out, coordination.Observation{Post: it.Post, Frames: it.Frames, AccountCreatedAt: it.AccountCreatedAt})
	}
	return out, g.Truth()
}

// detectAll runs the streaming detector over obs with a flush per simulated minute.
func detectAll(tb testing.TB, obs []coordination.Observation) map[string]coordination.Cluster {
	tb.Helper()
	d, err := coordination.NewDetector(coordination.DefaultParams(),
		coordination.WithClock(func() time.Time { return obs[len(obs)-1].Post.PublishedAt }))
	if err != nil {
		tb.Fatal(err)
	}
	latest := map[string]coordination.Cluster{}
	var next time.Time
	for _, o := range obs {
		if err := d.Observe(o); err != nil {
			tb.Fatal(err)
		}
		if o.Post.PublishedAt.After(next) {
			collect(latest, d.Flush(o.Post.PublishedAt))
			next = o.Post.PublishedAt.Add(time.Minute)
		}
	}
	collect(latest, d.Flush(obs[len(obs)-1].Post.PublishedAt))
	return latest
}

func benchDetect(b *testing.B, n, perDay int) {
	obs, truth := generate(b, n, perDay)
	runtime.GC()
	b.ResetTimer()
	var latest map[string]coordination.Cluster
	for b.Loop() {
		latest = detectAll(b, obs)
	}
	b.StopTimer()
	cs := make([][]string, 0, len(latest))
	for _, c := range latest {
		cs = append(cs, c.Accounts)
	}
	q := synth.Evaluate(cs, truth)
	b.ReportMetric(float64(len(obs))*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	b.ReportMetric(q.Precision, "precision")
	b.ReportMetric(q.Recall, "recall")
}

// BenchmarkDetect100k, 300k and 1M measure the streaming detector on synthetic traffic
// at 100k posts per day (1, 3 and 10 days); generation is outside the timer. Run with
// -benchtime=1x; the coordbench harness adds peak memory per size.
func BenchmarkDetect100k(b *testing.B) { benchDetect(b, 100_000, 100_000) }
func BenchmarkDetect300k(b *testing.B) { benchDetect(b, 300_000, 100_000) }
func BenchmarkDetect1M(b *testing.B)   { benchDetect(b, 1_000_000, 100_000) }

// BenchmarkDetect20k is the detector on the naive baseline's input (one day of 20k
// posts), for the ratio.
func BenchmarkDetect20k(b *testing.B) { benchDetect(b, 20_000, 20_000) }

// BenchmarkNaiveAllPairs20k is the O(n²) all-pairs baseline on 20k posts.
func BenchmarkNaiveAllPairs20k(b *testing.B) {
	obs, truth := generate(b, 20_000, 20_000)
	b.ResetTimer()
	var cs [][]string
	for b.Loop() {
		var err error
		cs, err = coordination.NaiveAllPairs(obs, coordination.DefaultParams())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	q := synth.Evaluate(cs, truth)
	b.ReportMetric(float64(len(obs))*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	b.ReportMetric(q.Precision, "precision")
	b.ReportMetric(q.Recall, "recall")
}
