package coordination_test

import (
	"testing"
	"time"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/coordination/synth"
)

// runSynth streams a generated traffic through a detector, flushing every simulated
// minute like the pipeline's ticker, and returns the final active clusters.
func runSynth(t testing.TB, cfg synth.Config, p coordination.Params) ([]coordination.Cluster, synth.Truth, coordination.Stats) {
	t.Helper()
	g, err := synth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := coordination.NewDetector(p, coordination.WithClock(g.End))
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string]coordination.Cluster{}
	var nextFlush time.Time
	for {
		it, ok := g.Next()
		if !ok {
			break
		}
		if err := d.Observe(coordination.Observation{Post: it.Post, Frames: it.Frames, AccountCreatedAt: it.AccountCreatedAt}); err != nil {
			t.Fatalf("observe %s: %v", it.Post.ID, err)
		}
		if it.Post.PublishedAt.After(nextFlush) {
			collect(latest, d.Flush(it.Post.PublishedAt))
			nextFlush = it.Post.PublishedAt.Add(time.Minute)
		}
	}
	collect(latest, d.Flush(g.End()))
	var out []coordination.Cluster
	for _, c := range latest {
		out = append(out, c)
	}
	return out, g.Truth(), d.Stats()
}

// collect keeps the latest version of every cluster and drops merged ones.
func collect(latest map[string]coordination.Cluster, cs []coordination.Cluster) {
	for _, c := range cs {
		if c.Status == coordination.StatusMerged {
			delete(latest, c.ID)
			continue
		}
		latest[c.ID] = c
	}
}

func accountsOf(cs []coordination.Cluster) [][]string {
	out := make([][]string, len(cs))
	for i, c := range cs {
		out[i] = c.Accounts
	}
	return out
}

// TestAcceptanceSyntheticRecovery is issue 7's quality criterion: membership of injected
// networks is recovered with precision and recall >= 0.90 at default parameters, and
// organic accounts that share a viral link are not clustered.
func TestAcceptanceSyntheticRecovery(t *testing.T) {
	cases := []struct {
		name string
		cfg  func() synth.Config
	}{
		{"default mix", func() synth.Config { return synth.DefaultConfig(60_000) }},
		{"all paraphrased, slow jitter", func() synth.Config {
			c := synth.DefaultConfig(60_000)
			c.Seed, c.ParaphraseRate, c.Jitter = 11, 1, 3*time.Minute
			return c
		}},
		{"small networks, low participation", func() synth.Config {
			c := synth.DefaultConfig(60_000)
			c.Seed, c.MinNetworkSize, c.MaxNetworkSize, c.Participation, c.PostsPerDay = 23, 4, 12, 0.7, 40_000
			return c
		}},
		{"hot viral link", func() synth.Config {
			c := synth.DefaultConfig(60_000)
			c.Seed, c.HotLinkAccounts = 31, 3000
			return c
		}},
	}
	if raceEnabled {
		cases = cases[:1]
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clusters, truth, st := runSynth(t, tc.cfg(), coordination.DefaultParams())
			q := synth.Evaluate(accountsOf(clusters), truth)
			t.Logf("%s; %d clusters; stats %+v", q, len(clusters), st)
			if q.Precision < 0.90 || q.Recall < 0.90 {
				t.Errorf("quality below 0.90: %s", q)
			}
			if truth.HotLink != "" {
				for _, c := range clusters {
					for _, l := range c.Links {
						if l == "video.example.kg/watch/viral-clip-1" {
							t.Errorf("cluster %s is built on the hot link", c.ID)
						}
					}
				}
				if st.HotObjects == 0 {
					t.Errorf("the hot link was not capped")
				}
			}
		})
	}
}
