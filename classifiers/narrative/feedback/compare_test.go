package feedback

import (
	"bytes"
	"context"
	"math"
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
	want := Figures{N: 5, TP: 2, FP: 1, FN: 1, TN: 1, FrameTP: 1, FrameFP: 1, FrameFN: 2, NegativeFlagged: 1, Negatives: 2}
	if f.N != want.N || f.TP != want.TP || f.FP != want.FP || f.FN != want.FN || f.TN != want.TN ||
		f.FrameTP != want.FrameTP || f.FrameFP != want.FrameFP || f.FrameFN != want.FrameFN ||
		f.NegativeFlagged != want.NegativeFlagged || f.Negatives != want.Negatives {
		t.Fatalf("counts %+v, want %+v", f, want)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(f.Precision, 2.0/3) || !near(f.Recall, 2.0/3) || !near(f.F1, 2.0/3) || !near(f.Accuracy, 0.6) ||
		!near(f.FrameF1, 2*0.5*(1.0/3)/(0.5+1.0/3)) || !near(f.NegativeFlaggedPct, 50) {
		t.Fatalf("rates %+v", f)
	}
}

func TestCompareRefusesWorse(t *testing.T) {
	good, bad := keywordClassifier{"bad", "foreign_agent"}, keywordClassifier{"weather", "foreign_agent"}
	sets := []EvalSet{{Name: "frozen", Examples: evalSet}, {Name: "labels", Examples: evalSet[3:], UseAccuracy: true}, {Name: "empty"}}
	cmp, err := Compare(context.Background(), good, bad, sets, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	// frozen: F1 2/3 -> 0; labels (accuracy): 1/2 -> 1/2, not worse; empty skipped.
	if len(cmp.Sets) != 2 || len(cmp.Worse) != 1 || cmp.Worse[0] != "frozen" {
		t.Fatalf("worse %v over %d sets", cmp.Worse, len(cmp.Sets))
	}
	var out bytes.Buffer
	cmp.Print(&out)
	for _, s := range []string{"candidate version: kw/weather", "frozen", "labels", "WORSE on: frozen"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("printed comparison lacks %q:\n%s", s, out.String())
		}
	}
	cmp, err = Compare(context.Background(), bad, good, sets, 0.01)
	if err != nil || len(cmp.Worse) != 0 {
		t.Fatalf("better candidate: worse %v %v", cmp.Worse, err)
	}
}

// The real classifier with its shipped model against rules only, on the frozen
// evaluation: both run, and the figures are those of a working classifier.
func TestCompareRealModelsOnFrozenEvaluation(t *testing.T) {
	held, name, err := FrozenEvaluation()
	if err != nil || len(held) == 0 || name == "" {
		t.Fatalf("frozen evaluation: %d examples %q %v", len(held), name, err)
	}
	shipped, err := narrative.New(narrative.Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := narrative.New(narrative.Config{Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmp, err := Compare(context.Background(), shipped, rules, []EvalSet{{Name: name, Examples: held}}, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.CurrentFigures) != 1 || cmp.CurrentFigures[0].N != len(held) {
		t.Fatalf("shipped model on the frozen evaluation: %+v", cmp.CurrentFigures)
	}
	// A quality floor is asserted on the dev part only: CI never asserts on test figures.
	corpus, err := narrative.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	_, dev, _ := narrative.SplitParts(corpus)
	devCmp, err := Compare(context.Background(), shipped, rules, []EvalSet{{Name: "own corpus, dev part", Examples: dev}}, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(devCmp.CurrentFigures) != 1 || devCmp.CurrentFigures[0].N != len(dev) || devCmp.CurrentFigures[0].F1 < 0.5 {
		t.Fatalf("shipped model on the dev part: %+v", devCmp.CurrentFigures)
	}
	train, _, err := BaseTraining()
	if err != nil || len(train) == 0 {
		t.Fatalf("base training %d %v", len(train), err)
	}
	ids := map[string]bool{}
	for _, e := range held {
		ids[e.ID] = true
	}
	for _, e := range train {
		if ids[e.ID] {
			t.Fatalf("%s is in both the training data and the frozen evaluation", e.ID)
		}
	}
}
