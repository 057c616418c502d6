package coordination

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/coordination/campaigns"
)

func TestWeeklyCampaignIsFoundWithDefaultsAndHasItsRhythm(t *testing.T) {
	cases := []struct {
		name   string
		gap    time.Duration
		bursts int
		rhythm string
	}{
		{"weekly, four weeks", 7 * 24 * time.Hour, 4, RhythmWeekly},
		{"every other day", 47 * time.Hour, 5, RhythmDaily},
		{"hourly pile-on", 90 * time.Minute, 4, RhythmHourly},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newTestDetector(t, nil)
			farm := []string{"w1", "w2", "w3", "w4"}
			for i := range tc.bursts {
				observe(t, d, campaign(farm, time.Duration(i)*tc.gap, 500+i)...)
				// Ordinary traffic in between keeps event time moving.
				observe(t, d, obs("bystander", time.Duration(i)*tc.gap+tc.gap/2, sentence(9000+i, 8), ""))
			}
			cs := d.Flush(t0.Add(time.Duration(tc.bursts) * tc.gap))
			if len(cs) != 1 || len(cs[0].Accounts) != 4 {
				t.Fatalf("want one cluster of 4, got %+v", cs)
			}
			r := cs[0].Rhythm
			if r == nil || r.Bursts != tc.bursts || r.Kind != tc.rhythm ||
				time.Duration(r.MedianGapSec)*time.Second != tc.gap.Truncate(slotSeconds*time.Second) && r.MedianGapSec != int64(tc.gap/time.Second) {
				t.Fatalf("rhythm %+v, want %d bursts, %s, gap %v", r, tc.bursts, tc.rhythm, tc.gap)
			}
			if len(r.Timeline) != tc.bursts || r.Timeline[0].Accounts != 4 || !r.First.Equal(t0.Truncate(10*time.Minute)) {
				t.Fatalf("timeline %+v", r.Timeline)
			}
			if !slices.Equal(cs[0].Platforms, []string{"vk"}) {
				t.Fatalf("platforms %v", cs[0].Platforms)
			}
		})
	}
}

func TestPruneKeepsPairsBoundedAndClustersIntact(t *testing.T) {
	d := newTestDetector(t, func(p *Params) { p.MaxPairs = 1000 })
	farm := []string{"f1", "f2", "f3"}
	for i := range 3 {
		observe(t, d, campaign(farm, time.Duration(i)*time.Hour, 700+i)...)
	}
	// 4,000 one-off pairs: 80 crowds of 10 strangers replying to one post each.
	for c := range 400 {
		at := 4*time.Hour + time.Duration(c)*time.Minute
		for k := range 10 {
			observe(t, d, obs(fmt.Sprintf("crowd_%d_%d", c, k), at, "", fmt.Sprintf("telegram:post-%d", c)))
		}
		if n := len(d.edges); n > 1000 {
			t.Fatalf("after crowd %d: %d pairs exceed MaxPairs", c, n)
		}
	}
	st := d.Stats()
	if st.PrunedEdges == 0 || st.StrongEdges != 3 {
		t.Fatalf("stats %+v: want pruned weak pairs and the 3 strong ones kept", st)
	}
	cs := d.FlushAll(t0.Add(12 * time.Hour))
	if len(cs) != 1 || !slices.Equal(cs[0].Accounts, []string{"vk:f1", "vk:f2", "vk:f3"}) {
		t.Fatalf("clusters after pruning: %+v", cs)
	}
}

// TestSaveLoadResumes saves the state in the middle of a month of campaign traffic,
// loads it into a new detector, replays ReplayMargin and continues: the clusters at the
// end are those of the detector that never stopped, with the same ids.
func TestSaveLoadResumes(t *testing.T) {
	cfg := campaigns.DefaultConfig(campaigns.TuningSeed, 30000)
	cfg.Networks, cfg.NewsShares, cfg.MemeShares, cfg.Fans = 12, 200, 200, 200
	g, err := campaigns.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var all []Observation
	for {
		it, ok := g.Next()
		if !ok {
			break
		}
		all = append(all, Observation{Post: it.Post})
	}
	p := DefaultParams()
	clock := WithClock(g.End)
	a, _ := NewDetector(p, clock)
	cut := len(all) / 2
	for _, o := range all[:cut] {
		if err := a.Observe(o); err != nil {
			t.Fatal(err)
		}
	}
	a.Flush(all[cut-1].Post.PublishedAt)
	var state bytes.Buffer
	if err := a.Save(&state); err != nil {
		t.Fatal(err)
	}
	saved := state.Len()
	b, err := Load(&state, clock)
	if err != nil {
		t.Fatal(err)
	}
	if b.Params() != p {
		t.Fatalf("params after load %+v", b.Params())
	}
	from := all[cut-1].Post.PublishedAt.Add(-ReplayMargin(p))
	replay := slices.IndexFunc(all, func(o Observation) bool { return !o.Post.PublishedAt.Before(from) })
	for i, o := range all[replay:] {
		if replay+i >= cut {
			if err := a.Observe(o); err != nil {
				t.Fatal(err)
			}
		}
		// Posts the saved state already counted only rebuild the window state.
		replayPost := b.Observe
		if replay+i < cut {
			replayPost = b.Rebuild
		}
		if err := replayPost(o); err != nil {
			t.Fatal(err)
		}
	}
	end := all[len(all)-1].Post.PublishedAt
	ca, cb := a.FlushAll(end), b.FlushAll(end)
	if len(ca) < 6 {
		t.Fatalf("only %d clusters in the uninterrupted run", len(ca))
	}
	if len(ca) != len(cb) {
		t.Fatalf("%d clusters without restart, %d after (state %d bytes)", len(ca), len(cb), saved)
	}
	for i := range ca {
		if ca[i].ID != cb[i].ID || !slices.Equal(ca[i].Accounts, cb[i].Accounts) {
			t.Fatalf("cluster %d: %s %v vs %s %v", i, ca[i].ID, ca[i].Accounts, cb[i].ID, cb[i].Accounts)
		}
	}
}

func TestLoadRejectsGarbage(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("not gzip"), {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := Load(bytes.NewReader(in)); !errors.Is(err, ErrState) {
			t.Errorf("Load(%q) = %v, want ErrState", in, err)
		}
	}
}

func TestTransliterationFolding(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		same bool
	}{
		{"russian and its latin transliteration", "Гей пропаганда запрещена в нашей стране сегодня", "gey propaganda zapreshchena v nashey strane segodnya", true},
		{"phone spellings w and x", "шахтёры хотят жить", "waxtyory xotyat zhit", true},
		{"kyrgyz letters", "Өлкөдө үй-бүлө баалуулуктары маанилүү экенин унутпайлы", "Olkodo uy-bulo baaluuluktary maaniluu ekenin unutpayly", true},
		{"different words stay different", "закон принят сегодня утром", "закон отклонен вчера вечером", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x, y := tokenize(tc.a, nil, nil), tokenize(tc.b, nil, nil)
			if (x.exact == y.exact) != tc.same {
				t.Fatalf("exact hashes equal=%v, want %v", x.exact == y.exact, tc.same)
			}
		})
	}
}

func TestHashtags(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Смотрите #Выборы2026 и #KR #kr!", []string{"kr", "vybory2026"}},
		{"a#notatag #x #ok_tag", []string{"ok_tag"}},
		{"#Бишкек\n#bishkek", []string{"bishkek"}},
		{"no tags", nil},
	}
	for _, tc := range cases {
		if got := hashtags(tc.in, nil); !slices.Equal(got, tc.want) {
			t.Errorf("hashtags(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestHashtagSynchronyJoinsTranslations(t *testing.T) {
	d := newTestDetector(t, nil)
	farm := []string{"ru_1", "ru_2", "ky_1", "ky_2"}
	for burst := range 3 {
		for i, a := range farm {
			text := sentence(100+burst, 10) // Russian version
			if strings.HasPrefix(a, "ky") {
				text = sentence(300+burst, 10) // its Kyrgyz version: no shared word
			}
			text += fmt.Sprintf(" #акция%d #суд_над_активистами", burst)
			observe(t, d, obs(a, time.Duration(burst)*72*time.Hour+time.Duration(i)*time.Minute, text, ""))
		}
	}
	cs := d.Flush(t0.Add(10 * 24 * time.Hour))
	if len(cs) != 1 || len(cs[0].Accounts) != 4 || !slices.Contains(cs[0].Behaviours, BehaviourCoHashtag) || len(cs[0].Hashtags) == 0 {
		t.Fatalf("translated farm: %+v", cs)
	}
}
