package loadgen

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var t0 = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

func mustGen(t testing.TB, run string) *Generator {
	t.Helper()
	g, err := NewGenerator(run, 7, DefaultMix, t0)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGeneratorDeterministicAndValid(t *testing.T) {
	g1, g2 := mustGen(t, "a1"), mustGen(t, "a1")
	for n := range uint64(3000) {
		p1, p2 := g1.Post(n), g2.Post(n)
		if p1.ID != p2.ID || p1.Text != p2.Text || p1.Lang != p2.Lang || p1.Author != p2.Author {
			t.Fatalf("post %d differs between two generators of the same run:\n%+v\n%+v", n, p1, p2)
		}
		if err := p1.Validate(); err != nil {
			t.Fatalf("post %d invalid: %v", n, err)
		}
		if !utf8.ValidString(p1.Text) || p1.Text == "" {
			t.Fatalf("post %d has bad text %q", n, p1.Text)
		}
		if got, ok := g1.ParseID(p1.ID); !ok || got != n {
			t.Fatalf("ParseID(%q) = %d, %v", p1.ID, got, ok)
		}
	}
	if other := mustGen(t, "b2"); other.Post(5).ID == g1.Post(5).ID {
		t.Fatal("two runs produced the same id")
	}
}

func TestGeneratorMix(t *testing.T) {
	g := mustGen(t, "mix")
	const n = 20000
	kinds := map[Kind]int{}
	langs := map[string]int{}
	for i := range uint64(n) {
		kinds[g.KindOf(i)]++
		langs[g.Post(i).Lang]++
	}
	// Bursts: 20 of every 1000 posts; the rest split by the per-mille shares.
	if got := kinds[KindCoordinated]; got != n/1000*20 {
		t.Errorf("coordinated = %d, want %d", got, n/1000*20)
	}
	within := func(k Kind, want float64) {
		got := float64(kinds[k]) / n
		if got < want*0.8 || got > want*1.2 {
			t.Errorf("%s share %.3f, want about %.3f", k, got, want)
		}
	}
	within(KindNarrative, 0.2*0.98)
	within(KindExposure, 0.03*0.98)
	for _, l := range []string{"ru", "ky", "en", "uz"} {
		if langs[l] < n/20 {
			t.Errorf("language %s has only %d of %d posts", l, langs[l], n)
		}
	}
	// Every post of a burst has the same text and a different author.
	first := g.Post(1000)
	authors := map[string]bool{}
	for i := uint64(1000); i < 1020; i++ {
		p := g.Post(i)
		if p.Text != first.Text {
			t.Fatalf("burst post %d text %q differs from %q", i, p.Text, first.Text)
		}
		authors[p.Author] = true
	}
	if len(authors) != 20 {
		t.Errorf("burst has %d distinct authors, want 20", len(authors))
	}
}

func TestGeneratorExposuresAreFictional(t *testing.T) {
	g := mustGen(t, "exp")
	seen := 0
	for i := range uint64(5000) {
		if g.KindOf(i) != KindExposure {
			continue
		}
		seen++
		if txt := g.Post(i).Text; !strings.Contains(txt, "+996 000 ") {
			t.Fatalf("exposure post %d lacks the fictional +996 000 phone range: %q", i, txt)
		}
	}
	if seen == 0 {
		t.Fatal("no exposure posts generated")
	}
}

func TestNewGeneratorRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		run string
		mix Mix
	}{
		{"", DefaultMix},
		{"a:b", DefaultMix},
		{"a-b", DefaultMix},
		{"ok", Mix{NarrativePermille: 900, ExposurePermille: 200}},
		{"ok", Mix{NarrativePermille: -1}},
		{"ok", Mix{BurstEvery: 10, BurstSize: 20}},
	} {
		if _, err := NewGenerator(tc.run, 1, tc.mix, t0); err == nil {
			t.Errorf("NewGenerator(%q, %+v) accepted", tc.run, tc.mix)
		}
	}
	g := mustGen(t, "x")
	for _, id := range []string{"", "telegram", "telegram:lgx-", "telegram:lgx-abc", "vk:lgx-0", "telegram:lgy-0", "telegram:lgx-00"} {
		if n, ok := g.ParseID(id); ok {
			t.Errorf("ParseID(%q) = %d, accepted", id, n)
		}
	}
}

func TestLedgerRoundTripAndStored(t *testing.T) {
	l := NewLedger(4)
	for n := range uint64(4) {
		if err := l.begin(n, KindNarrative, t0.Add(time.Duration(n)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.begin(9, KindNeutral, t0); err == nil {
		t.Fatal("out-of-order begin accepted")
	}
	l.settle(0, 1, false, t0.Add(2*time.Millisecond))
	l.settle(1, 2, false, t0.Add(3*time.Millisecond))
	l.settle(2, 2, true, t0.Add(4*time.Millisecond))
	// Post 3 stays indeterminate.
	l.ApplyStored([]FloorSample{{t0.Add(10 * time.Millisecond), 1}, {t0.Add(20 * time.Millisecond), 5}})
	r0, _ := l.Get(0)
	r1, _ := l.Get(1)
	r3, _ := l.Get(3)
	if r0.Stored != t0.Add(10*time.Millisecond).UnixNano() || r1.Stored != t0.Add(20*time.Millisecond).UnixNano() || r3.Stored != 0 {
		t.Fatalf("stored times: %d %d %d", r0.Stored, r1.Stored, r3.Stored)
	}
	c := l.Counts()
	if c[Acked] != 2 || c[Duplicate] != 1 || c[Indeterminate] != 1 {
		t.Fatalf("counts %v", c)
	}
	lat := StoredLatency(l.Snapshot())
	if lat.N != 3 || lat.Max != 19*time.Millisecond {
		t.Fatalf("latency %+v", lat)
	}

	var buf bytes.Buffer
	if _, err := l.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLedger(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.Snapshot(), l.Snapshot(); len(got) != len(want) {
		t.Fatalf("read %d records, wrote %d", len(got), len(want))
	} else {
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("record %d: read %+v, wrote %+v", i, got[i], want[i])
			}
		}
	}
}

func TestReadLedgerRejectsBadInput(t *testing.T) {
	for name, in := range map[string]string{
		"malformed":     `{"n":0,`,
		"gap":           `{"n":1,"kind":"neutral","outcome":"acked","published_ns":1}`,
		"unknown kind":  `{"n":0,"kind":"spam","outcome":"acked","published_ns":1}`,
		"unknown field": `{"n":0,"kind":"neutral","outcome":"acked","published_ns":1,"name":"x"}`,
		"bad outcome":   `{"n":0,"kind":"neutral","outcome":"maybe","published_ns":1}`,
		"huge line":     `{"n":0,"kind":"` + strings.Repeat("x", MaxLedgerLine) + `"}`,
	} {
		if _, err := ReadLedger(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("%s: err = %v, want an error naming the line", name, err)
		}
	}
}

func FuzzReadLedger(f *testing.F) {
	f.Add([]byte(`{"n":0,"kind":"neutral","outcome":"acked","seq":1,"published_ns":5,"acked_ns":6}` + "\n"))
	f.Add([]byte(`{"n":0,"kind":"exposure","outcome":"indeterminate","published_ns":5}` + "\n" + `{"n":1}`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ReadLedger(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := l.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := ReadLedger(&buf)
		if err != nil || again.Len() != l.Len() {
			t.Fatalf("a ledger that parsed does not round-trip: %v", err)
		}
	})
}

func TestRealLengthsFollowRealPosts(t *testing.T) {
	mix := DefaultMix
	mix.RealLengths = true
	g, err := NewGenerator("len", 3, mix, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := NewGenerator("len", 3, DefaultMix, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var lens []int
	for n := range uint64(4000) {
		p, q := g.Post(n), plain.Post(n)
		if !strings.HasPrefix(p.Text, q.Text) && !strings.HasPrefix(q.Text, p.Text) {
			t.Fatalf("post %d: padded text %q does not start with the plain one %q", n, p.Text, q.Text)
		}
		if p.ID != q.ID || p.Lang != q.Lang || p.Author != q.Author {
			t.Fatalf("post %d: padding changed more than the text", n)
		}
		lens = append(lens, len([]rune(p.Text)))
	}
	slices.Sort(lens)
	median, p99 := lens[len(lens)/2], lens[len(lens)*99/100]
	if median < 240 || median > 380 || p99 < 2000 || lens[len(lens)-1] > 8000 {
		t.Fatalf("lengths: median %d, p99 %d, max %d; want a median near 300 and a tail to thousands", median, p99, lens[len(lens)-1])
	}
	t.Logf("lengths: median %d, p99 %d, max %d", median, p99, lens[len(lens)-1])
}
