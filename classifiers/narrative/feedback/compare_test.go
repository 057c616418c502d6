package feedback

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/post"
)

// keywordClassifier flags texts containing its word and labels them with its frame: a
// transparent classifier for checking the arithmetic of Evaluate and Compare.
type keywordClassifier struct{ word, frame string }

type kwResult struct {
	flagged bool
	frames  []string
}

func (r kwResult) Flagged() bool    { return r.flagged }
func (r kwResult) Score() float64   { return 0 }
func (r kwResult) Labels() []string { return r.frames }

func (k keywordClassifier) Name() string    { return "kw" }
func (k keywordClassifier) Version() string { return "kw/" + k.word }
func (k keywordClassifier) Classify(_ context.Context, p *post.Post) (classifiers.Result, error) {
	if strings.Contains(p.Text, k.word) {
		return kwResult{true, []string{k.frame}}, nil
	}
	return kwResult{}, nil
}

var evalSet = []narrative.Example{
	{ID: "1", Text: "bad foreign", Homophobic: true, Frames: []narrative.Frame{"foreign_agent"}, FramesKnown: true},
	{ID: "2", Text: "bad family", Homophobic: true, Frames: []narrative.Frame{"traditional_family"}, FramesKnown: true},
	{ID: "3", Text: "quiet", Homophobic: true, Frames: []narrative.Frame{"foreign_agent"}, FramesKnown: true},
	{ID: "4", Text: "bad news report", Homophobic: false, Kind: "news"},
	{ID: "5", Text: "weather", Homophobic: false, Kind: "ordinary"},
}

func TestEvaluateFigures(t *testing.T) {
	f, err := Evaluate(context.Background(), keywordClassifier{"bad", "foreign_agent"}, evalSet)
	if err != nil {
		t.Fatal(err)
	}
	// Flags 1, 2, 4: TP 2, FP 1, FN 1, TN 1. Frames: 1 right; 2 wrong (FP + FN); 3 missed (FN).
	want := Figures{Homophobic: narrative.PRF{TP: 2, FP: 1, FN: 1, TN: 1}, Frames: narrative.PRF{TP: 1, FP: 1, FN: 2},
		NegativeFlagged: 1, Negatives: 2}
	if f != want {
		t.Fatalf("counts %+v, want %+v", f, want)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	h := f.Homophobic
	if f.N() != 5 || !near(h.Precision(), 2.0/3) || !near(h.Recall(), 2.0/3) || !near(h.F1(), 2.0/3) || !near(h.Accuracy(), 0.6) ||
		!near(f.Frames.F1(), 2*0.5*(1.0/3)/(0.5+1.0/3)) || !near(f.NegativeFlaggedPct(), 50) {
		t.Fatalf("rates %+v", f)
	}
}

// times repeats exs n times with distinct ids.
func times(exs []narrative.Example, n int) []narrative.Example {
	var out []narrative.Example
	for i := range n {
		for _, e := range exs {
			e.ID = fmt.Sprintf("%s/%d", e.ID, i)
			out = append(out, e)
		}
	}
	return out
}

// The promotion rule, set by set: dev parts refuse a significant drop beyond the
// tolerance, the labels' held-out part any drop, test parts are never gated.
func TestCompareRule(t *testing.T) {
	good, bad := keywordClassifier{"bad", "foreign_agent"}, keywordClassifier{"weather", "foreign_agent"}
	negatives := []narrative.Example{{ID: "n1", Text: "weather today"}, {ID: "n2", Text: "calm"}}
	sets := []EvalSet{
		{Name: "corpus dev", Examples: times(evalSet, 10), Gate: GateNoDrop},
		{Name: "corpus test", Examples: times(evalSet, 10), Gate: GateReport},
		{Name: "ordinary dev", Examples: times(negatives, 10), Gate: GateNoDrop},
		{Name: "labels test", Examples: evalSet[3:], Gate: GateNotWorse},
		{Name: "empty", Gate: GateNoDrop},
	}
	rule := Rule{Tolerance: 0.02, FlagRateTolerance: 0.001}
	cmp, err := Compare(context.Background(), good, bad, sets, rule)
	if err != nil {
		t.Fatal(err)
	}
	// corpus dev: F1 2/3 -> 0, lost 30 won 10, z 3.2 (worse); corpus test: not gated;
	// ordinary dev: flagged 0% -> 50%, lost 10, z 3.2 (worse); labels test (accuracy, no
	// positives): 1/2 -> 1/2, not worse; empty skipped.
	if len(cmp.Sets) != 4 || !slices.Equal(cmp.Worse, []string{"corpus dev", "ordinary dev"}) {
		t.Fatalf("worse %v over %d sets", cmp.Worse, len(cmp.Sets))
	}
	var out bytes.Buffer
	cmp.Print(&out)
	for _, s := range []string{"candidate version: kw/weather", "corpus test", "not worse", "WORSE on: corpus dev; ordinary dev"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("printed comparison lacks %q:\n%s", s, out.String())
		}
	}
	cmp, err = Compare(context.Background(), bad, good, sets, rule)
	if err != nil || len(cmp.Worse) != 0 {
		t.Fatalf("better candidate: worse %v %v", cmp.Worse, err)
	}
	// The labels' held-out part admits no drop at all, however small the tolerance.
	lbl := []EvalSet{{Name: "labels test", Examples: evalSet, Gate: GateNotWorse}}
	if cmp, _ := Compare(context.Background(), good, keywordClassifier{"bad foreign", "foreign_agent"}, lbl, Rule{Tolerance: 1}); len(cmp.Worse) != 1 {
		t.Fatalf("a drop on the held-out labels passed: %v", cmp.Worse)
	}
	// The same drop on a set too small to tell it from noise (lost 3, won 1: z 1) passes.
	small := []EvalSet{{Name: "small dev", Examples: evalSet, Gate: GateNoDrop}}
	if cmp, _ := Compare(context.Background(), good, bad, small, rule); len(cmp.Worse) != 0 || cmp.Paired[0] != (Paired{Lost: 3, Won: 1}) {
		t.Fatalf("a drop within noise refused: %v %+v", cmp.Worse, cmp.Paired)
	}
	if !strings.Contains(rule.String(), "0.020") {
		t.Fatalf("rule %q", rule)
	}
}

// The real classifier with its shipped model against rules only, on every data set's
// frozen parts (embedded corpora): both run on every set, dev parts gate and test parts
// are reported, and the shipped model's figures on the own corpus's dev part are those
// of a working classifier (CI asserts on dev only).
func TestCompareRealModelsOnFrozenEvaluation(t *testing.T) {
	sets, err := FrozenEvaluation(narrative.CommandData{Datasets: ""}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Gate{}
	for _, s := range sets {
		names[s.Name] = s.Gate
	}
	for _, want := range []string{narrative.DatasetCorpus + " dev", narrative.DatasetCorpus + " test", narrative.DatasetIndependent + " dev"} {
		if _, ok := names[want]; !ok {
			t.Fatalf("no set %q in %v", want, names)
		}
	}
	if names[narrative.DatasetCorpus+" dev"] != GateNoDrop || names[narrative.DatasetCorpus+" test"] != GateReport {
		t.Fatalf("gates %v", names)
	}
	shipped, err := narrative.New(narrative.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := narrative.New(narrative.Config{Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := Compare(context.Background(), shipped, rules, sets, Rule{Tolerance: 0.02, FlagRateTolerance: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Sets) != len(sets) {
		t.Fatalf("compared %d of %d sets", len(cmp.Sets), len(sets))
	}
	for i, s := range cmp.Sets {
		if cmp.CurrentFigures[i].N() != len(s.Examples) {
			t.Fatalf("%s: %d of %d evaluated", s.Name, cmp.CurrentFigures[i].N(), len(s.Examples))
		}
		if s.Name == narrative.DatasetCorpus+" dev" && cmp.CurrentFigures[i].Homophobic.F1() < 0.5 {
			t.Fatalf("shipped model on the own corpus's dev part: %+v", cmp.CurrentFigures[i])
		}
	}
	train, _, err := BaseTraining()
	if err != nil || len(train) == 0 {
		t.Fatalf("base training %d %v", len(train), err)
	}
	for _, e := range train {
		if narrative.SplitOf(e.ID) == narrative.PartTest {
			t.Fatalf("%s of the frozen test part is in the base training data", e.ID)
		}
	}
}
