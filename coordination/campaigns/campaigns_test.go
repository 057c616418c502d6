package campaigns

import (
	"strings"
	"testing"
)

func TestGeneratorDeterministicOrderedAndLabelled(t *testing.T) {
	cfg := DefaultConfig(TuningSeed, 60000)
	cfg.NewsShares, cfg.MemeShares, cfg.Fans = 300, 200, 300
	run := func() ([]Item, Truth) {
		g, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var items []Item
		for {
			it, ok := g.Next()
			if !ok {
				break
			}
			items = append(items, it)
		}
		return items, g.Truth()
	}
	a, truth := run()
	b, _ := run()
	if len(a) != cfg.Posts || len(b) != len(a) {
		t.Fatalf("got %d and %d posts, want %d", len(a), len(b), cfg.Posts)
	}
	perNet := map[int]int{}
	for i := range a {
		if a[i].Post.ID != b[i].Post.ID || a[i].Post.Text != b[i].Post.Text || !a[i].Post.PublishedAt.Equal(b[i].Post.PublishedAt) {
			t.Fatalf("post %d differs between runs with one seed", i)
		}
		if i > 0 && a[i].Post.PublishedAt.Before(a[i-1].Post.PublishedAt) {
			t.Fatalf("post %d is out of order", i)
		}
		if a[i].Network >= 0 {
			perNet[a[i].Network]++
			key := a[i].Post.Source + ":" + a[i].Post.Author
			if truth.Member[key] != a[i].Network {
				t.Fatalf("post %d of network %d by %s, a member of %d", i, a[i].Network, key, truth.Member[key])
			}
		}
	}
	if len(truth.Networks) != cfg.Networks || len(perNet) != cfg.Networks {
		t.Fatalf("%d networks in truth, %d posting; want %d", len(truth.Networks), len(perNet), cfg.Networks)
	}
	kinds := map[string]int{}
	for _, nw := range truth.Networks {
		kinds[nw.Rhythm+"/"+nw.Kind]++
		if nw.Bursts < 2 {
			t.Errorf("network %d (%s) has %d bursts", nw.ID, nw.Rhythm, nw.Bursts)
		}
		if nw.Kind == KindCrossPlatform {
			srcs := map[string]bool{}
			for _, a := range nw.Accounts {
				srcs[strings.SplitN(a, ":", 2)[0]] = true
			}
			if len(srcs) != len(Platforms) {
				t.Errorf("cross-platform network %d is on %d platforms", nw.ID, len(srcs))
			}
		}
	}
	if len(kinds) != len(Rhythms)*len(Kinds) {
		t.Errorf("rhythm×kind combinations: %v", kinds)
	}
	c := cfg
	c.Seed = FrozenSeed
	g, _ := New(c)
	it, _ := g.Next()
	if it.Post.Text == a[0].Post.Text {
		t.Error("another seed gave the same first post")
	}
}

func TestEvaluate(t *testing.T) {
	truth := Truth{Networks: []Network{
		{ID: 0, Rhythm: RhythmWeekly, Kind: KindCoText, Accounts: []string{"a", "b", "c", "d"}},
		{ID: 1, Rhythm: RhythmHourly, Kind: KindCoLink, Accounts: []string{"e", "f", "g"}},
	}, Member: map[string]int{"a": 0, "b": 0, "c": 0, "d": 0, "e": 1, "f": 1, "g": 1}}
	tests := []struct {
		name                  string
		clusters              [][]string
		prec, rec, weeklyRec  float64
		falseClusters, netsOK int
	}{
		{"perfect", [][]string{{"a", "b", "c", "d"}, {"e", "f", "g"}}, 1, 1, 1, 0, 2},
		{"one organic extra", [][]string{{"a", "b", "c", "x"}}, 0.75, 3.0 / 7, 0.75, 0, 1},
		{"false cluster", [][]string{{"x", "y", "z"}, {"e", "f", "g"}}, 0.5, 3.0 / 7, 0, 1, 1},
		{"nothing", nil, 1, 0, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(tc.clusters, truth)
			if r.All.Precision() != tc.prec || r.All.Recall() != tc.rec || r.ByRhythm[RhythmWeekly].Recall() != tc.weeklyRec ||
				r.FalseClusters != tc.falseClusters || r.All.NetworksFound != tc.netsOK || r.All.Clusters != len(tc.clusters)-tc.falseClusters {
				t.Fatalf("got p=%v r=%v weekly=%v false=%d found=%d", r.All.Precision(), r.All.Recall(),
					r.ByRhythm[RhythmWeekly].Recall(), r.FalseClusters, r.All.NetworksFound)
			}
		})
	}
}
