package narrative

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestParseLayout(t *testing.T) {
	tests := []struct {
		in   string
		want Layout
		err  string
	}{
		{"3-5", Layout{CharMin: 3, CharMax: 5}, ""},
		{"1-3:0.5", Layout{CharMin: 1, CharMax: 3, WordWeight: 0.5}, ""},
		{"2-2:0", Layout{CharMin: 2, CharMax: 2}, ""},
		{"1-3:0.5+len", Layout{CharMin: 1, CharMax: 3, WordWeight: 0.5, Length: true}, ""},
		{"3-5+len", Layout{CharMin: 3, CharMax: 5, Length: true}, ""},
		{"0-3", Layout{}, "within 1-8"},
		{"4-3", Layout{}, "within 1-8"},
		{"1-9", Layout{}, "within 1-8"},
		{"1-3:1", Layout{}, "word weight"},
		{"1-3:x", Layout{}, "bad word weight"},
		{"abc", Layout{}, "want MIN-MAX"},
	}
	for _, tc := range tests {
		got, err := ParseLayout(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	if s := (Layout{CharMin: 1, CharMax: 3, WordWeight: 0.5}).String(); s != "chars1-3/words0.50" {
		t.Errorf("String: %q", s)
	}
	if s := (Layout{CharMin: 3, CharMax: 5, Length: true}).String(); s != "chars3-5/joint+len" {
		t.Errorf("String: %q", s)
	}
}

// TestFeatureLayout checks the n-gram layouts: the character range sets the number of
// character n-grams, and a word weight splits the L2 norm between the blocks.
func TestFeatureLayout(t *testing.T) {
	rules, _ := testClassifiers(t)
	a := &analysis{}
	lx := rules.lex.Load()
	a.run(lx, "мама мыла раму")
	ro := a.applyRules()
	var v vec
	// three 4-letter words: 3 unigrams + 2 bigrams; "^мама$" has 6 letters, so
	// 6 1-grams, 5 2-grams, 4 3-grams per word
	a.features(&v, &ro, featureSpec{bits: 18, charMin: 1, charMax: 3, wordWeight: 0.5}, false)
	if len(v.idx) != 5+3*(6+5+4) {
		t.Fatalf("%d features, want %d", len(v.idx), 5+3*15)
	}
	var words, chars float64
	// the first value is a word unigram; count the squared norm of each block by value
	wv := v.val[0]
	for _, x := range v.val {
		if x == wv {
			words += float64(x * x)
		} else {
			chars += float64(x * x)
		}
	}
	if d := words - 0.25; d > 1e-4 || d < -1e-4 {
		t.Errorf("word block squared norm %v, want 0.25", words)
	}
	if d := chars - 0.25; d > 1e-4 || d < -1e-4 {
		t.Errorf("char block squared norm %v, want 0.25", chars)
	}
	a.features(&v, &ro, defaultSpec(18), false)
	if len(v.idx) != 5+3*(4+3+2) {
		t.Errorf("default layout: %d features, want %d", len(v.idx), 5+3*9)
	}
	var all float64
	for _, x := range v.val {
		all += float64(x * x)
	}
	if d := all - 1; d > 1e-4 || d < -1e-4 {
		t.Errorf("default layout squared norm %v, want 1", all)
	}
}

// TestTrainOptionsRoundTrip trains with every new option (layout, NB scaling, data-set
// intercepts) and checks that the saved model records the layout and predicts as before
// saving, with the NB scale folded into its weights.
func TestTrainOptionsRoundTrip(t *testing.T) {
	rules, _ := testClassifiers(t)
	exs := []Example{
		{ID: "a", Text: "Геи — больные люди.", Homophobic: true, Dataset: "x"},
		{ID: "b", Text: "Я гей и счастлив.", Dataset: "x"},
		{ID: "c", Text: "Запретить гей-пропаганду!", Homophobic: true, Dataset: "y"},
		{ID: "d", Text: "Хорошая погода.", Dataset: "y"},
		{ID: "e", Text: "Купил хлеб и молоко.", Dataset: "z"},
	}
	opt := TrainOptions{Bits: 14, Epochs: 20, CharMin: 1, CharMax: 3, WordWeight: 0.5, NBScale: 0.5, DatasetOffsets: true}
	m, err := rules.Train(context.Background(), exs, opt)
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta.CharMin != 1 || m.Meta.CharMax != 3 || m.Meta.WordWeight != 0.5 {
		t.Fatalf("layout not recorded: %+v", m.Meta)
	}
	m2 := saveAndLoad(t, m)
	if m2.spec() != m.spec() {
		t.Errorf("layout after load %+v, before %+v", m2.spec(), m.spec())
	}
	for _, e := range exs {
		v := rules.featurize(e.Text, m2.spec(), true)
		z1, z2 := m.logit(&v), m2.logit(&v)
		if d := z1 - z2; d > 1e-3 || d < -1e-3 {
			t.Errorf("%s: logit %v before save, %v after", e.ID, z1, z2)
		}
		if (z2 > 0) != e.Homophobic {
			t.Errorf("%s: logit %v on its own training data", e.ID, z2)
		}
	}
	if _, err := rules.Train(context.Background(), exs, TrainOptions{CharMin: 4, CharMax: 2}); err == nil {
		t.Error("a reversed character range was accepted")
	}
}

// TestNBScale pins the naive-Bayes scale: a feature seen only in positives is scaled up,
// one seen equally in both classes gets 1-beta.
func TestNBScale(t *testing.T) {
	feats := []vec{
		{idx: []uint32{1, 2}, val: []float32{1, 1}},
		{idx: []uint32{1, 2}, val: []float32{1, 1}},
		{idx: []uint32{1, 3}, val: []float32{1, 1}},
		{idx: []uint32{1, 3}, val: []float32{1, 1}},
	}
	exs := []Example{{Homophobic: true}, {Homophobic: true}, {}, {}}
	s := nbScale(feats, exs, 8, 0.5)
	if d := s[1] - 0.5; d > 1e-6 || d < -1e-6 {
		t.Errorf("shared feature scale %v, want 0.5", s[1])
	}
	if s[2] <= 1 || s[3] <= 1 || s[2] != s[3] {
		t.Errorf("one-class features scaled %v and %v, want the same > 1", s[2], s[3])
	}
}

// TestSeedAveraging pins TrainOptions.Seed and Seeds: seed 0 is the original example
// order, another seed visits the examples in another order (different weights), and
// Seeds N stores the element-wise mean of the N runs with seeds Seed..Seed+N-1.
func TestSeedAveraging(t *testing.T) {
	rules, _ := testClassifiers(t)
	exs := []Example{
		{ID: "a", Text: "Геи — больные люди.", Homophobic: true, Dataset: "x"},
		{ID: "b", Text: "Я гей и счастлив.", Dataset: "x"},
		{ID: "c", Text: "Запретить гей-пропаганду!", Homophobic: true, Dataset: "y"},
		{ID: "d", Text: "Хорошая погода.", Dataset: "y"},
		{ID: "e", Text: "Купил хлеб и молоко.", Dataset: "z"},
		{ID: "f", Text: "Таких к детям пускать нельзя, извращенцы.", Homophobic: true, Dataset: "z"},
	}
	ctx := context.Background()
	train := func(o TrainOptions) *Model {
		t.Helper()
		o.Bits, o.Epochs = 14, 5
		m, err := rules.Train(ctx, exs, o)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m0, m0again, m1, m2 := train(TrainOptions{}), train(TrainOptions{}), train(TrainOptions{Seed: 1}), train(TrainOptions{Seed: 2})
	avg := train(TrainOptions{Seed: 1, Seeds: 2})
	differs := false
	for i := range m0.wBin {
		if m0.wBin[i] != m0again.wBin[i] {
			t.Fatalf("weight %d: %v then %v with the same seed", i, m0.wBin[i], m0again.wBin[i])
		}
		differs = differs || m0.wBin[i] != m1.wBin[i]
		want := (m1.wBin[i] + m2.wBin[i]) / 2
		if d := avg.wBin[i] - want; d > 1e-6 || d < -1e-6 {
			t.Fatalf("averaged weight %d: %v, want %v", i, avg.wBin[i], want)
		}
	}
	if !differs {
		t.Error("seed 1 trained the same weights as seed 0")
	}
	for h := range avg.bias {
		if d := avg.bias[h] - (m1.bias[h]+m2.bias[h])/2; d > 1e-6 || d < -1e-6 {
			t.Errorf("averaged bias %d: %v", h, avg.bias[h])
		}
	}
	if avg.Meta.Seed != 1 || avg.Meta.Seeds != 2 || m0.Meta.Seeds != 0 {
		t.Errorf("seeds not recorded: %+v / %+v", avg.Meta.Seed, avg.Meta.Seeds)
	}
}

// TestLengthFeature pins the post-length bucket: one feature of value 1 whose hash
// depends on the number of words (1-3, 4-7, 8-15, ...), present only when asked for.
func TestLengthFeature(t *testing.T) {
	for n, want := range map[int]int{1: 0, 3: 0, 4: 1, 7: 1, 8: 2, 15: 2, 16: 3, 32: 4, 63: 4, 64: 5, 10000: 5} {
		if got := lengthBucket(n); got != want {
			t.Errorf("lengthBucket(%d) = %d, want %d", n, got, want)
		}
	}
	rules, _ := testClassifiers(t)
	lx := rules.lex.Load()
	count := func(text string, on bool) (int, bool) {
		a := &analysis{}
		a.run(lx, text)
		ro := a.applyRules()
		var v vec
		a.features(&v, &ro, featureSpec{bits: 18, charMin: 1, charMax: 3, wordWeight: 0.5, length: on}, false)
		has := false
		for _, h := range lengthFeatureHashes {
			for i, f := range v.idx {
				has = has || (f == h&(1<<18-1) && v.val[i] == 1)
			}
		}
		return len(v.idx), has
	}
	nOff, hasOff := count("мама мыла раму", false)
	nOn, hasOn := count("мама мыла раму", true)
	if hasOff || !hasOn || nOn != nOff+1 {
		t.Errorf("length feature: off %d (%v), on %d (%v)", nOff, hasOff, nOn, hasOn)
	}
}

// TestSentenceGap pins the sentence-max gap: 0 for one sentence; for several, the
// highest logit of a sentence scored alone (without rule features, so each sentence's
// own featurisation is the reference) less the whole post's logit.
func TestSentenceGap(t *testing.T) {
	rules, _ := testClassifiers(t)
	exs := []Example{
		{ID: "a", Text: "Геи — больные люди.", Homophobic: true},
		{ID: "b", Text: "Хорошая погода сегодня.", Dataset: "x"},
		{ID: "c", Text: "Купил хлеб и молоко.", Dataset: "x"},
		{ID: "d", Text: "Извращенцы больные.", Homophobic: true},
	}
	opt := TrainOptions{Bits: 14, Epochs: 10, CharMin: 1, CharMax: 3, WordWeight: 0.5, Features: FeaturesNgrams}
	m, err := rules.Train(context.Background(), exs, opt)
	if err != nil {
		t.Fatal(err)
	}
	fs := m.spec()
	lx := rules.lex.Load()
	logitAlone := func(text string) float64 {
		v := rules.featurize(text, fs, false)
		return m.logit(&v)
	}
	gap := func(text string) (float64, float64) {
		a := &analysis{}
		a.run(lx, text)
		ro := a.applyRules()
		a.features(&a.feat, &ro, fs, false)
		return a.sentenceGap(m, &a.feat, fs), m.logit(&a.feat)
	}
	if g, _ := gap("Хорошая погода сегодня и хлеб."); g != 0 {
		t.Errorf("one sentence: gap %v, want 0", g)
	}
	s1, s2, s3 := "Купил хлеб и молоко.", "Хорошая погода сегодня.", "Геи больные люди."
	g, z := gap(s1 + " " + s2 + " " + s3)
	best := math.Max(logitAlone(s1), math.Max(logitAlone(s2), logitAlone(s3)))
	want := math.Max(0, best-z)
	if want <= 0 {
		t.Fatalf("test data: the hateful sentence alone (%v) should score above the post (%v)", best, z)
	}
	if d := g - want; d > 1e-4 || d < -1e-4 {
		t.Errorf("gap %v, want %v (best sentence %v, post %v)", g, want, best, z)
	}
}
