package coordination

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// fixedClock keeps "now" after every test post so no post is in the future.
func fixedClock() time.Time { return t0.Add(30 * 24 * time.Hour) }

func newTestDetector(t *testing.T, mod func(*Params)) *Detector {
	t.Helper()
	p := DefaultParams()
	if mod != nil {
		mod(&p)
	}
	d, err := NewDetector(p, WithClock(fixedClock))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var seq int

// obs builds a post of author at offset with text and optional link / reply target.
func obs(author string, at time.Duration, text, replyTo string) Observation {
	seq++
	return Observation{Post: post.Post{ID: fmt.Sprintf("vk:%d", seq), Source: "vk", Author: author,
		Text: text, ReplyTo: replyTo, PublishedAt: t0.Add(at)}}
}

func observe(t *testing.T, d *Detector, os ...Observation) {
	t.Helper()
	for _, o := range os {
		if err := d.Observe(o); err != nil {
			t.Fatalf("observe %s: %v", o.Post.ID, err)
		}
	}
}

func edgeWeight(d *Detector, a, b string) int {
	x, y := d.names["vk:"+a], d.names["vk:"+b]
	if x == 0 || y == 0 {
		return 0
	}
	if x > y {
		x, y = y, x
	}
	return int(d.edges[uint64(x)<<32|uint64(y)].weight)
}

// Conformance tests from the research notes §8 and issue 7.
func TestPairingWindowIsSlidingNotBinned(t *testing.T) {
	cases := []struct {
		name string
		gap  time.Duration
		want int
	}{
		// 09:59:59.5 and 10:00:00.5 straddle a minute/bin edge: still one co-action.
		{"one second across a bin edge", time.Second, 1},
		{"exactly the window", 10 * time.Minute, 1},
		{"window plus one second", 10*time.Minute + time.Second, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newTestDetector(t, nil)
			start := -time.Second / 2
			observe(t, d,
				obs("aigerim_t", start, "", "youtube:video-1"),
				obs("bakyt_s", start+tc.gap, "", "youtube:video-1"))
			if got := edgeWeight(d, "aigerim_t", "bakyt_s"); got != tc.want {
				t.Fatalf("weight %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWeightCountsDistinctObjects(t *testing.T) {
	d := newTestDetector(t, nil)
	observe(t, d,
		obs("a1", 0, "смотрите https://news.example.kg/a/1", ""),
		obs("a2", time.Second, "https://news.example.kg/a/1 читайте", ""),
		// a2 shares the same link again: still one co-action on that object
		obs("a2", 2*time.Second, "ещё раз https://news.example.kg/a/1?utm_source=x", ""),
		obs("a1", 3*time.Second, "снова https://www.news.example.kg/a/1/", ""),
		// a different link is a second distinct co-action
		obs("a1", 4*time.Second, "https://news.example.kg/a/2", ""),
		obs("a2", 5*time.Second, "https://news.example.kg/a/2", ""),
	)
	if got := edgeWeight(d, "a1", "a2"); got != 2 {
		t.Fatalf("weight %d, want 2 (two distinct links)", got)
	}
	// The pair key is symmetric: one edge however the pair is ordered.
	if len(d.edges) != 1 {
		t.Fatalf("%d edges, want 1", len(d.edges))
	}
}

func TestHotObjectIsCappedAndReported(t *testing.T) {
	const capN = 5
	d := newTestDetector(t, func(p *Params) { p.MaxObjectActors = capN })
	for i := range capN + 1 {
		observe(t, d, obs(fmt.Sprintf("acc%02d", i), time.Duration(i)*time.Second, "", "youtube:video-hot"))
	}
	st := d.Stats()
	if st.HotObjects != 1 || st.CappedActions != 1 {
		t.Fatalf("hot %d capped %d, want 1 and 1", st.HotObjects, st.CappedActions)
	}
	// Pairs only among the first capN actors: capN*(capN-1)/2.
	if want := int64(capN * (capN - 1) / 2); st.Pairs != want {
		t.Fatalf("pairs %d, want %d", st.Pairs, want)
	}
	// Later actors pair with nobody while the object stays hot.
	observe(t, d, obs("late", 10*time.Second, "", "youtube:video-hot"))
	if d.Stats().Pairs != int64(capN*(capN-1)/2) {
		t.Fatal("a hot object produced pairs")
	}
}

func TestHotLinkOfTenThousandAccountsStaysBounded(t *testing.T) {
	d := newTestDetector(t, nil)
	for i := range 10_000 {
		observe(t, d, obs(fmt.Sprintf("viewer%05d", i), time.Duration(i)*100*time.Millisecond,
			"", "youtube:video-viral"))
	}
	st := d.Stats()
	max := int64(DefaultParams().MaxObjectActors)
	if st.Pairs > max*max/2 {
		t.Fatalf("%d pairs for one hot object; the cap allows at most %d", st.Pairs, max*max/2)
	}
	if st.Edges > int(max*max/2) {
		t.Fatalf("%d edges", st.Edges)
	}
	if cs := d.Flush(t0); len(cs) != 0 {
		t.Fatalf("viewers of one viral video were clustered: %d clusters", len(cs))
	}
}

func TestNearDuplicateText(t *testing.T) {
	base := "депутаты должны запретить пропаганду среди молодежи потому что это угрожает традиционным семьям страны"
	cases := []struct {
		name  string
		other string
		same  bool
	}{
		{"exact after normalisation", "  ДЕПУТАТЫ должны запретить пропаганду, среди молодежи! потому что это угрожает традиционным семьям страны @admin", true},
		{"reworded (Jaccard about 0.8)", "депутаты обязаны запретить пропаганду среди молодежи потому что это угрожает традиционным семьям нашей страны", true},
		{"different endings only", "депутаты должны запретить пропаганда среди молодежью потому что это угрожают традиционные семьи страны", true},
		{"unrelated (Jaccard about 0.3)", "депутаты должны обсудить бюджет города потому что дороги требуют ремонта этой весной", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newTestDetector(t, nil)
			observe(t, d, obs("troll_1", 0, base, ""), obs("troll_2", time.Minute, tc.other, ""))
			got := edgeWeight(d, "troll_1", "troll_2") == 1
			if got != tc.same {
				a := tokenize(base, nil, nil)
				b := tokenize(tc.other, nil, nil)
				t.Fatalf("co_text %v, want %v (jaccard %.2f)", got, tc.same, jaccard(a.set, b.set))
			}
		})
	}
}

func TestShortTextsAreIgnored(t *testing.T) {
	d := newTestDetector(t, nil)
	observe(t, d, obs("x1", 0, "позор им всем", ""), obs("x2", time.Second, "позор им всем", ""))
	if w := edgeWeight(d, "x1", "x2"); w != 0 {
		t.Fatalf("short identical texts paired (weight %d)", w)
	}
}

func TestObserveRejects(t *testing.T) {
	d := newTestDetector(t, nil)
	observe(t, d, obs("a", 3*time.Hour, "", ""))
	future := obs("a", 0, "", "")
	future.Post.PublishedAt = fixedClock().Add(2 * time.Hour)
	withCollected := obs("a", 0, "", "")
	withCollected.Post.CollectedAt = t0
	withCollected.Post.PublishedAt = t0.Add(2 * time.Hour)
	cases := []struct {
		name string
		o    Observation
		want error
	}{
		{"no id", Observation{Post: post.Post{Author: "a", PublishedAt: t0}}, ErrInvalidObservation},
		{"no author or channel", Observation{Post: post.Post{ID: "vk:1", PublishedAt: t0}}, ErrInvalidObservation},
		{"no time", Observation{Post: post.Post{ID: "vk:1", Author: "a"}}, ErrInvalidObservation},
		{"older than lateness", obs("a", time.Hour-time.Second, "", ""), ErrTooLate},
		{"dated after the clock", future, ErrFuture},
		{"dated after its collection", withCollected, ErrFuture},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := d.Stats().Posts
			err := d.Observe(tc.o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if d.Stats().Posts != before {
				t.Fatal("a rejected post changed the state")
			}
		})
	}
	if !errors.Is(ErrInvalidObservation, post.ErrInvalid) {
		t.Fatal("ErrInvalidObservation must wrap post.ErrInvalid for dead-lettering")
	}
	// Within lateness: accepted.
	observe(t, d, obs("b", 2*time.Hour+time.Minute, "", ""))
}

// words is a small invented vocabulary for distinct test texts.
var words = strings.Fields(`алма бака вода гора дала ерке жер зат ийне кала
лента мама нан орун пара рака сала тоо урук чака шам ыр эне юрта ясак борбор
кыял талаа мектеп китеп дарак булак жол көл асман күн ай жылдыз`)

// sentence returns n words that differ between different seeds.
func sentence(seed, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = words[(seed*7919+i*104729+seed*i*31)%len(words)]
	}
	return strings.Join(out, " ")
}

// campaign makes accounts post the same comment under the same target, one second apart.
func campaign(accounts []string, at time.Duration, n int) []Observation {
	var out []Observation
	text := sentence(1000+n, 12)
	for i, a := range accounts {
		out = append(out, obs(a, at+time.Duration(i)*time.Second, text,
			fmt.Sprintf("youtube:video-attack-%d", n)))
	}
	return out
}

func TestClusterLifecycle(t *testing.T) {
	d := newTestDetector(t, func(p *Params) { p.MinAffinity = 0 })
	farm := []string{"farm_a", "farm_b", "farm_c"}
	for i := range 3 {
		observe(t, d, campaign(farm, time.Duration(i)*time.Hour, i)...)
	}
	cs := d.Flush(t0.Add(3 * time.Hour))
	if len(cs) != 1 {
		t.Fatalf("%d clusters, want 1", len(cs))
	}
	c := cs[0]
	if want := []string{"vk:farm_a", "vk:farm_b", "vk:farm_c"}; !slices.Equal(c.Accounts, want) {
		t.Fatalf("accounts %v", c.Accounts)
	}
	if !slices.Equal(c.Behaviours, []string{BehaviourCoReply, BehaviourCoText}) {
		t.Fatalf("behaviours %v", c.Behaviours)
	}
	if len(c.Posts) != 9 || c.Status != StatusActive || c.Score <= 0 || c.Score >= 1 {
		t.Fatalf("posts %d status %s score %v", len(c.Posts), c.Status, c.Score)
	}
	if !c.First.Equal(t0) || !c.Last.Equal(t0.Add(2*time.Hour+2*time.Second)) {
		t.Fatalf("first %v last %v", c.First, c.Last)
	}
	if len(c.Texts) != 3 || len(c.ReplyTargets) != 3 || len(c.Edges) != 3 || len(c.Members) != 3 {
		t.Fatalf("evidence texts %d targets %d edges %d members %d", len(c.Texts), len(c.ReplyTargets), len(c.Edges), len(c.Members))
	}
	// Nothing changed: nothing to report.
	if again := d.Flush(t0.Add(4 * time.Hour)); len(again) != 0 {
		t.Fatalf("unchanged cluster reported again: %d", len(again))
	}
	// A second farm forms its own cluster, then a joint campaign merges them.
	farm2 := []string{"farm_x", "farm_y", "farm_z"}
	for i := range 3 {
		observe(t, d, campaign(farm2, 3*time.Hour+time.Duration(i)*time.Hour, 10+i)...)
	}
	second := d.Flush(t0.Add(6 * time.Hour))
	if len(second) != 1 || second[0].ID == c.ID {
		t.Fatalf("second farm: %+v", second)
	}
	all := append(slices.Clone(farm), farm2...)
	for i := range 3 {
		observe(t, d, campaign(all, 6*time.Hour+time.Duration(i)*time.Hour, 20+i)...)
	}
	merged := d.Flush(t0.Add(9 * time.Hour))
	var active, tomb []Cluster
	for _, m := range merged {
		if m.Status == StatusMerged {
			tomb = append(tomb, m)
		} else {
			active = append(active, m)
		}
	}
	if len(active) != 1 || len(active[0].Accounts) != 6 || len(tomb) != 1 || tomb[0].MergedInto != active[0].ID {
		t.Fatalf("merge: active %d tomb %+v", len(active), tomb)
	}
	if active[0].ID != c.ID && active[0].ID != second[0].ID {
		t.Fatalf("merged cluster got a new id %s instead of keeping one of %s, %s", active[0].ID, c.ID, second[0].ID)
	}
}

func TestStateExpiresWithWindowAndHorizon(t *testing.T) {
	d := newTestDetector(t, func(p *Params) { p.MinAffinity, p.Horizon = 0, 24*time.Hour })
	farm := []string{"e1", "e2", "e3"}
	for i := range 3 {
		observe(t, d, campaign(farm, time.Duration(i)*time.Minute*20, i)...)
	}
	if len(d.Flush(t0)) != 1 {
		t.Fatal("no cluster")
	}
	full := d.Stats()
	if full.Buckets == 0 || full.Texts == 0 || full.Edges == 0 {
		t.Fatalf("no state: %+v", full)
	}
	// A lone post two horizons later advances event time; everything old expires.
	observe(t, d, obs("someone", 49*time.Hour, "", ""))
	st := d.Stats()
	if st.Buckets != 0 || st.Texts != 0 || st.Edges != 0 || st.StrongEdges != 0 || st.Accounts != 1 {
		t.Fatalf("state survived the horizon: %+v", st)
	}
	// The expired cluster is not reported again (its last version stays in storage).
	if cs := d.Flush(t0.Add(49 * time.Hour)); len(cs) != 0 {
		t.Fatalf("expired cluster reported: %+v", cs)
	}
}

func TestAffinityRejectsHubs(t *testing.T) {
	// A heavy commenter answers under 180 popular posts, one every 5 minutes, each also
	// answered by a one-off visitor. Fifteen occasional commenters each comment under
	// four of those posts within a minute of the hub: each meets the hub four times.
	feed := func(d *Detector) {
		for i := range 180 {
			target := fmt.Sprintf("youtube:popular-%d", i)
			at := time.Duration(i) * 5 * time.Minute
			observe(t, d, obs("hub", at, "", target), obs(fmt.Sprintf("visitor%03d", i), at+2*time.Minute, "", target))
			if i%3 == 0 {
				observe(t, d, obs(fmt.Sprintf("leaf%02d", (i/3)%15), at+time.Minute, "", target))
			}
		}
	}
	d := newTestDetector(t, nil)
	feed(d)
	if w := edgeWeight(d, "hub", "leaf01"); w != 4 {
		t.Fatalf("setup: weight %d", w)
	}
	if cs := d.Flush(t0.Add(16 * time.Hour)); len(cs) != 0 {
		t.Fatalf("a busy commenter and chance partners were clustered: %v", cs[0].Accounts)
	}
	// Control: without the affinity test the star is one "cluster".
	d = newTestDetector(t, func(p *Params) { p.MinAffinity = 0 })
	feed(d)
	if cs := d.Flush(t0.Add(16 * time.Hour)); len(cs) != 1 || len(cs[0].Accounts) != 16 {
		t.Fatalf("control: %d clusters", len(cs))
	}
}

func TestClusterJSONContract(t *testing.T) {
	d := newTestDetector(t, func(p *Params) { p.MinAffinity = 0 })
	for i := range 3 {
		observe(t, d, campaign([]string{"j1", "j2", "j3"}, time.Duration(i)*time.Hour, i)...)
	}
	cs := d.Flush(t0.Add(3 * time.Hour))
	b, err := json.Marshal(cs[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "accounts", "posts", "behaviours", "score", "first", "last", "params"} {
		if _, ok := m[k]; !ok {
			t.Errorf("cluster JSON lacks %q: %s", k, b)
		}
	}
	var first string
	_ = json.Unmarshal(m["first"], &first)
	if _, err := time.Parse(time.RFC3339, first); err != nil || strings.Contains(first, ".") {
		t.Errorf("first %q is not plain RFC 3339", first)
	}
	var p Params
	if err := json.Unmarshal(m["params"], &p); err != nil {
		t.Fatal(err)
	}
	want := DefaultParams()
	want.MinAffinity = 0
	if p != want {
		t.Fatalf("params round trip: %+v, want %+v", p, want)
	}
}

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Params)
	}{
		{"window below a second", func(p *Params) { p.Window = time.Millisecond }},
		{"similarity zero", func(p *Params) { p.Similarity = 0 }},
		{"similarity above one", func(p *Params) { p.Similarity = 1.5 }},
		{"min weight zero", func(p *Params) { p.MinWeight = 0 }},
		{"affinity above one", func(p *Params) { p.MinAffinity = 2 }},
		{"cluster of one", func(p *Params) { p.MinClusterSize = 1 }},
		{"cap of one", func(p *Params) { p.MaxObjectActors = 1 }},
		{"horizon shorter than the window", func(p *Params) { p.Horizon = time.Hour }},
		{"too many hashes", func(p *Params) { p.LSHBands, p.LSHRows = 100, 100 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			tc.mod(&p)
			if _, err := NewDetector(p); !errors.Is(err, ErrParams) {
				t.Fatalf("error %v, want ErrParams", err)
			}
		})
	}
	if err := DefaultParams().Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestDetectorAgreesWithNaiveBaseline cross-checks the streaming detector (without the
// affinity test, which the baseline lacks) against the O(n²) baseline on small traffic.
func TestDetectorAgreesWithNaiveBaseline(t *testing.T) {
	var all []Observation
	farm := []string{"f1", "f2", "f3", "f4"}
	for i := range 4 {
		all = append(all, campaign(farm, time.Duration(i)*40*time.Minute, i)...)
	}
	for i := range 40 { // organic noise
		all = append(all, obs(fmt.Sprintf("o%d", i%13), time.Duration(i)*4*time.Minute,
			sentence(i, 10), ""))
	}
	slices.SortStableFunc(all, func(a, b Observation) int { return a.Post.PublishedAt.Compare(b.Post.PublishedAt) })
	p := DefaultParams()
	p.MinAffinity = 0
	naive, err := NaiveAllPairs(all, p)
	if err != nil {
		t.Fatal(err)
	}
	d := newTestDetector(t, func(q *Params) { *q = p })
	observe(t, d, all...)
	cs := d.Flush(t0.Add(4 * time.Hour))
	if len(naive) != 1 || len(cs) != 1 || !slices.Equal(naive[0], cs[0].Accounts) {
		t.Fatalf("naive %v, detector %v", naive, cs)
	}
}

func TestRestoreKeepsClusterIDsAcrossRestarts(t *testing.T) {
	farm := []string{"r_a", "r_b", "r_c"}
	d := newTestDetector(t, func(p *Params) { p.MinAffinity = 0 })
	for i := range 3 {
		observe(t, d, campaign(farm, time.Duration(i)*time.Hour, 40+i)...)
	}
	before := d.Flush(t0.Add(3 * time.Hour))
	if len(before) != 1 {
		t.Fatalf("%d clusters", len(before))
	}
	// The process restarts: a fresh detector, restored from storage, sees new campaigns.
	run := func(restore bool) string {
		d2 := newTestDetector(t, func(p *Params) { p.MinAffinity = 0 })
		if restore {
			d2.Restore([]Cluster{{ID: before[0].ID, Status: StatusActive, Accounts: before[0].Accounts, Last: before[0].Last}})
		}
		for i := range 3 {
			observe(t, d2, campaign(farm, 5*time.Hour+time.Duration(i)*time.Hour, 50+i)...)
		}
		after := d2.Flush(t0.Add(9 * time.Hour))
		if len(after) != 1 {
			t.Fatalf("%d clusters after restart", len(after))
		}
		return after[0].ID
	}
	if id := run(true); id != before[0].ID {
		t.Fatalf("restored detector gave id %s, want %s", id, before[0].ID)
	}
	if id := run(false); id == before[0].ID {
		t.Fatal("control: without Restore the id should differ (first activity differs)")
	}
}

func TestFlushVersionsIncrease(t *testing.T) {
	d := newTestDetector(t, func(p *Params) { p.MinAffinity = 0 })
	var last uint64
	for i := range 5 {
		observe(t, d, campaign([]string{"v1", "v2", "v3"}, time.Duration(i)*time.Hour, 60+i)...)
		for _, c := range d.Flush(t0) { // same flush time every round
			if c.Version <= last {
				t.Fatalf("version %d after %d", c.Version, last)
			}
			last = c.Version
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	d := newTestDetector(t, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			_ = d.Flush(t0.Add(time.Duration(i) * time.Second))
			_ = d.Stats()
		}
	}()
	for i := range 2000 {
		o := obs(fmt.Sprintf("c%d", i%50), time.Duration(i)*time.Second, sentence(i%40, 8), fmt.Sprintf("vk:t%d", i%30))
		if err := d.Observe(o); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if d.Stats().Posts != 2000 {
		t.Fatal("lost posts")
	}
}

func TestRedactorAppliesToEvidenceTexts(t *testing.T) {
	p := DefaultParams()
	p.MinAffinity = 0
	d, err := NewDetector(p, WithClock(fixedClock), WithRedactor(func(s string) string {
		return strings.ReplaceAll(s, "+996 700 000 001", "+996 *** *** 001")
	}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		text := sentence(200+i, 8) + " звоните ему +996 700 000 001"
		for j, a := range []string{"d1", "d2", "d3"} {
			observe(t, d, obs(a, time.Duration(i)*time.Hour+time.Duration(j)*time.Second, text, ""))
		}
	}
	cs := d.Flush(t0.Add(3 * time.Hour))
	if len(cs) != 1 || len(cs[0].Texts) != 3 {
		t.Fatalf("clusters %+v", cs)
	}
	b, _ := json.Marshal(cs[0])
	if strings.Contains(string(b), "700 000 001") || !strings.Contains(string(b), "*** *** 001") {
		t.Fatalf("evidence not redacted: %s", cs[0].Texts)
	}
}

func TestTrimRingKeepsRecentInOrder(t *testing.T) {
	a := &account{}
	for i := range ringSize + 5 { // wraps: head points at the oldest entry
		notePost(a, coPost{id: fmt.Sprint(i), t: int64(i), obj: uint64(i)})
	}
	trimRing(a, int64(ringSize+5-3))
	if len(a.ring) != 3 || a.ring[0].id != fmt.Sprint(ringSize+2) || a.ring[2].id != fmt.Sprint(ringSize+4) || a.head != 0 {
		t.Fatalf("ring %+v head %d", a.ring, a.head)
	}
	notePost(a, coPost{id: "new", t: 100, obj: 100})
	if len(a.ring) != 4 || a.ring[3].id != "new" {
		t.Fatalf("ring after append %+v", a.ring)
	}
	trimRing(a, 1000)
	if a.ring != nil {
		t.Fatal("ring not emptied")
	}
}
