package coordination_test

import (
	"slices"
	"testing"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/coordination/synth"
)

// The sliding-window baseline finds exactly the all-pairs baseline's clusters, on
// posts in any order (synthetic traffic shuffled by reversing it).
func TestNaiveWindowEqualsAllPairs(t *testing.T) {
	obs, truth := generate(t, 4_000, 4_000)
	slices.Reverse(obs)
	p := coordination.DefaultParams()
	all, err := coordination.NaiveAllPairs(obs, p)
	if err != nil {
		t.Fatal(err)
	}
	win, err := coordination.NaiveWindow(obs, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no clusters: the comparison would prove nothing")
	}
	if !slices.EqualFunc(all, win, slices.Equal[[]string]) {
		t.Fatalf("all pairs %v\nwindow %v", all, win)
	}
	if q := synth.Evaluate(win, truth); q.Recall < 0.5 {
		t.Fatalf("recall %.2f on the synthetic campaigns", q.Recall)
	}
}

// BenchmarkNaiveWindow20k is the sliding-window baseline on the detector's 20k posts.
func BenchmarkNaiveWindow20k(b *testing.B) {
	obs, truth := generate(b, 20_000, 20_000)
	b.ResetTimer()
	var cs [][]string
	for b.Loop() {
		var err error
		cs, err = coordination.NaiveWindow(obs, coordination.DefaultParams())
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
