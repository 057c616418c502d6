package synth

import (
	"reflect"
	"testing"
)

func collectN(t *testing.T, cfg Config, n int) []Item {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []Item
	for len(out) < n {
		it, ok := g.Next()
		if !ok {
			break
		}
		out = append(out, it)
	}
	return out
}

func TestStreamIsDeterministicOrderedAndValid(t *testing.T) {
	cfg := DefaultConfig(20_000)
	a := collectN(t, cfg, 20_000)
	b := collectN(t, cfg, 20_000)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same config gave different streams")
	}
	if len(a) < 18_000 || len(a) > 22_000 {
		t.Fatalf("%d posts for a target of 20000", len(a))
	}
	ids := map[string]bool{}
	for i, it := range a {
		p := it.Post
		if err := p.Validate(); err != nil {
			t.Fatalf("post %d invalid: %v", i, err)
		}
		if ids[p.ID] {
			t.Fatalf("duplicate id %s", p.ID)
		}
		ids[p.ID] = true
		if i > 0 && p.PublishedAt.Before(a[i-1].Post.PublishedAt) {
			t.Fatalf("post %d out of order", i)
		}
	}
	other := cfg
	other.Seed++
	if c := collectN(t, other, 100); reflect.DeepEqual(c, a[:100]) {
		t.Fatal("a different seed gave the same stream")
	}
}

func TestTruthMatchesTheStream(t *testing.T) {
	cfg := DefaultConfig(30_000)
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr := g.Truth()
	if len(tr.Members) != cfg.Networks {
		t.Fatalf("%d networks", len(tr.Members))
	}
	coordinated := map[int]int{} // network -> posts carrying frames
	for {
		it, ok := g.Next()
		if !ok {
			break
		}
		key := it.Post.Source + ":" + it.Post.Author
		if n := tr.Network[key]; n > 0 && len(it.Frames) > 0 {
			coordinated[n]++
		}
	}
	for n, members := range tr.Members {
		if len(members) < cfg.MinNetworkSize || len(members) > cfg.MaxNetworkSize {
			t.Fatalf("network %d has %d members", n+1, len(members))
		}
		if coordinated[n+1] == 0 {
			t.Fatalf("network %d posted no campaign", n+1)
		}
	}
}

func TestEvaluate(t *testing.T) {
	tr := Truth{Network: map[string]int{"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}, Members: [][]string{{"a", "b", "c"}, {"d", "e"}}}
	cases := []struct {
		name     string
		clusters [][]string
		p, r     float64
		organic  int
	}{
		{"perfect", [][]string{{"a", "b", "c"}, {"d", "e"}}, 1, 1, 0},
		{"nothing found", nil, 1, 0, 0},
		{"organic hanger-on", [][]string{{"a", "b", "c", "x"}}, 0.75, 0.6, 1},
		{"two networks merged", [][]string{{"a", "b", "c", "d", "e"}}, 0.6, 0.6, 0},
		{"network split in two", [][]string{{"a", "b"}, {"c", "z"}}, 0.75, 0.6, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := Evaluate(tc.clusters, tr)
			if q.Precision != tc.p || q.Recall != tc.r || q.OrganicClustered != tc.organic {
				t.Fatalf("got %s, want precision %.2f recall %.2f organic %d", q, tc.p, tc.r, tc.organic)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"no posts":         func(c *Config) { c.Posts = 0 },
		"no organic":       func(c *Config) { c.OrganicAccounts = 0 },
		"network of one":   func(c *Config) { c.MinNetworkSize = 1 },
		"min above max":    func(c *Config) { c.MinNetworkSize, c.MaxNetworkSize = 9, 5 },
		"participation>1":  func(c *Config) { c.Participation = 2 },
		"shares above one": func(c *Config) { c.ViralShare, c.ReplyShare = 0.6, 0.6 },
	} {
		c := DefaultConfig(1000)
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
