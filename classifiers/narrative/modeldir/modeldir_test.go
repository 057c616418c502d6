package modeldir_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/post"
)

// trainTiny trains a small model on the first n corpus examples (different n give
// different weights, hence different versions).
func trainTiny(t *testing.T, n int) *narrative.Model {
	t.Helper()
	c, err := narrative.New(narrative.Config{Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := narrative.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Train(context.Background(), exs[:n], narrative.TrainOptions{Bits: 12, Epochs: 2, Sources: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInstallPromoteList(t *testing.T) {
	d := modeldir.Dir{Path: t.TempDir()}
	if _, err := d.Current(); !errors.Is(err, modeldir.ErrNoCurrent) {
		t.Fatalf("empty dir: current %v", err)
	}
	v1, err := d.Install(trainTiny(t, 40))
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.Install(trainTiny(t, 40))
	if err != nil || again != v1 {
		t.Fatalf("re-installing the same weights: %s %v, want %s", again, err, v1)
	}
	v2, err := d.Install(trainTiny(t, 60))
	if err != nil || v2 == v1 {
		t.Fatalf("second model: %s %v", v2, err)
	}
	m, err := d.Load(v2)
	if err != nil || m.Version() != v2 {
		t.Fatalf("load %s: %v", v2, err)
	}
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	if prev, err := d.Promote(v1, "ops", now); err != nil || prev != "" {
		t.Fatalf("promote %s: %q %v", v1, prev, err)
	}
	if prev, err := d.Promote(v2, "ops", now.Add(time.Hour)); err != nil || prev != v1 {
		t.Fatalf("promote %s: previous %q %v", v2, prev, err)
	}
	if cur, err := d.Current(); err != nil || cur != v2 {
		t.Fatalf("current %q %v, want %s", cur, err, v2)
	}
	log, err := os.ReadFile(filepath.Join(d.Path, "narrative", "promotions.log"))
	if err != nil || strings.Count(string(log), "\n") != 2 || !strings.Contains(string(log), "previous="+v1) {
		t.Fatalf("promotions log %q %v", log, err)
	}
	es, err := d.List()
	if err != nil || len(es) != 2 {
		t.Fatalf("list: %+v %v", es, err)
	}
	for _, e := range es {
		if e.Current != (e.Version == v2) || e.Meta.Examples == 0 {
			t.Fatalf("entry %+v", e)
		}
	}
	// Refused: unknown versions, path tricks, and a file whose content changed.
	for _, bad := range []string{"deadbeef", "../x", "", "ABCDEF12"} {
		if _, err := d.Promote(bad, "ops", now); err == nil {
			t.Fatalf("promoted %q", bad)
		}
	}
	if err := os.WriteFile(d.File("0123abcd"), []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Promote("0123abcd", "ops", now); err == nil {
		t.Fatal("promoted a broken file")
	}
	if cur, _ := d.Current(); cur != v2 {
		t.Fatalf("a refused promotion changed current to %s", cur)
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(filepath.Join(d.Path, "narrative"))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Fatalf("left %s", e.Name())
		}
	}
}

// A Live classifier swaps in a promoted model on the next check while classifications
// run concurrently, and every result carries the version of the model that produced it.
func TestLiveSwapsPromotedModel(t *testing.T) {
	d := modeldir.Dir{Path: t.TempDir()}
	reg := prometheus.NewRegistry()
	// The classifier built at start registers the narrative metrics; a swapped-in model
	// (nil Builder: Classifier.WithModel) keeps counting on them.
	initial, err := narrative.New(narrative.Config{}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	live := modeldir.NewLive(initial, "", d, nil, nil)
	if err := live.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if swapped, err := live.Check(); swapped || err != nil {
		t.Fatalf("check without a promoted model: %v %v", swapped, err)
	}
	embedded := live.Version()
	v, err := d.Install(trainTiny(t, 80))
	if err != nil {
		t.Fatal(err)
	}
	p := &post.Post{ID: "t:1", Text: "ЛГБТ это проект иностранных спецслужб", Lang: "ru"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	seen := make(chan string, 1<<16)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, ver, err := live.ClassifyVersioned(ctx, p); err != nil {
					t.Error(err)
					return
				} else {
					select {
					case seen <- ver:
					default:
					}
				}
			}
		}()
	}
	go live.Watch(ctx, 20*time.Millisecond)
	if _, err := d.Promote(v, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for live.Swaps() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("promoted model not swapped in")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	close(seen)
	want := "model/" + v
	if !strings.HasSuffix(live.Version(), want) {
		t.Fatalf("version after the swap %q, want one ending %q", live.Version(), want)
	}
	for ver := range seen {
		if ver != embedded && ver != live.Version() {
			t.Fatalf("a result carries version %q, neither the old %q nor the new %q", ver, embedded, live.Version())
		}
	}
	// A broken promoted file keeps the model in use.
	if err := os.WriteFile(d.File("0123abcd"), []byte("broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.Path, "narrative", "current"), []byte("0123abcd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if swapped, err := live.Check(); swapped || err == nil {
		t.Fatalf("broken promoted model: swapped %v, err %v", swapped, err)
	}
	if !strings.HasSuffix(live.Version(), want) {
		t.Fatalf("a broken promotion replaced the model: %s", live.Version())
	}
	for result, n := range map[string]float64{"ok": 1, "error": 1} {
		if got := counterValue(t, reg, "kuzot_narrative_model_reloads_total", "result", result); got != n {
			t.Fatalf("reloads{result=%s} = %v, want %v", result, got, n)
		}
	}
	// The per-post metrics go on counting on the swapped-in model.
	before := counterSum(t, reg, "kuzot_narrative_posts_total")
	for range 3 {
		if _, _, err := live.ClassifyVersioned(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	after := counterSum(t, reg, "kuzot_narrative_posts_total")
	if after-before != 3 {
		t.Fatalf("kuzot_narrative_posts_total rose by %v over 3 posts on the swapped-in model", after-before)
	}
}

// A Builder receives the model Check has read and verified: one read per swap, and the
// classifier it builds uses that very model.
func TestLiveReadsEachModelOnce(t *testing.T) {
	d := modeldir.Dir{Path: t.TempDir()}
	initial, err := narrative.New(narrative.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var built []*narrative.Model
	live := modeldir.NewLive(initial, "", d, func(m *narrative.Model) (*narrative.Classifier, error) {
		built = append(built, m)
		return initial.WithModel(m), nil
	}, nil)
	v, err := d.Install(trainTiny(t, 80))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Promote(v, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := live.Check(); err != nil {
			t.Fatal(err)
		}
	}
	if len(built) != 1 || built[0].Version() != v || live.Current().Model() != built[0] {
		t.Fatalf("built %d classifiers for one promotion", len(built))
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label && lp.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("%s{%s=%s} not found", name, label, value)
	return 0
}

// counterSum sums every series of counter name.
func counterSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
