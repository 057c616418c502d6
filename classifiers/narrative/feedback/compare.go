package feedback

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/post"
)

// Gate is the part an evaluation set plays in the promotion rule (docs/feedback.md).
type Gate int

const (
	// GateReport sets are printed only: the frozen test parts of the data sets (tuning,
	// and a promotion is a choice, never looks at them) and the labels' dev part (the
	// candidate's calibration saw it).
	GateReport Gate = iota
	// GateNoDrop sets refuse a candidate whose F1 drops significantly by more than the
	// tolerance or, on a set without positives, whose share of flagged posts rises
	// significantly by more than the flag-rate tolerance (see Rule): every data set's dev
	// part.
	GateNoDrop
	// GateNotWorse sets refuse a candidate that is worse at all: the held-out (test) part
	// of the analysts' labels, by F1 (accuracy when it has no positives).
	GateNotWorse
)

// FrozenEvaluation returns the evaluation sets of every comparison of models: the dev
// and the frozen test part of every data set `kuzot eval narrative` reports (loaded by
// narrative.LoadCommandData, parts by kuzot-split-v1), one set per data set and part, in
// name order. Dev parts gate a promotion (GateNoDrop); test parts are reported only.
func FrozenEvaluation(data narrative.CommandData, stderr io.Writer) ([]EvalSet, error) {
	d, err := narrative.LoadCommandData(data, stderr)
	if err != nil {
		return nil, fmt.Errorf("frozen evaluation: %w", err)
	}
	byKey := map[string]*EvalSet{}
	for _, e := range d.Examples {
		if e.Part != narrative.PartDev && e.Part != narrative.PartTest {
			continue
		}
		k := e.Dataset + " " + string(e.Part)
		s := byKey[k]
		if s == nil {
			s = &EvalSet{Name: k, Dataset: e.Dataset, Part: e.Part}
			if e.Part == narrative.PartDev {
				s.Gate = GateNoDrop
			}
			byKey[k] = s
		}
		s.Examples = append(s.Examples, e)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]EvalSet, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byKey[k])
	}
	return out, nil
}

// LabelSets returns the evaluation sets of the analysts' labels: their dev part
// (reported; a candidate's calibration saw it) and their held-out test part
// (GateNotWorse). Empty parts are left out.
func LabelSets(ps []LabelledPost) []EvalSet {
	dev := EvalSet{Name: DatasetLabels + " dev", Dataset: DatasetLabels, Part: narrative.PartDev}
	test := EvalSet{Name: DatasetLabels + " test (held out)", Dataset: DatasetLabels, Part: narrative.PartTest, Gate: GateNotWorse}
	for _, p := range ps {
		switch e := p.Example(); e.Part {
		case narrative.PartDev:
			dev.Examples = append(dev.Examples, e)
		case narrative.PartTest:
			test.Examples = append(test.Examples, e)
		}
	}
	var out []EvalSet
	for _, s := range []EvalSet{dev, test} {
		if len(s.Examples) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// BaseTraining returns the own corpus's train and dev parts (kuzot-split-v1), the data a
// test model may be trained on without touching any frozen test part, and their name.
func BaseTraining() ([]narrative.Example, string, error) {
	exs, err := narrative.Corpus()
	if err != nil {
		return nil, "", fmt.Errorf("base training data: %w", err)
	}
	train, held := narrative.Split(exs)
	return train, fmt.Sprintf("repo corpus, train and dev parts (%d of %d, %d held out)", len(train), len(exs), len(held)), nil
}

// Figures are one model's results on one evaluation set.
type Figures struct {
	// Homophobic scores the verdict; Frames the frames of homophobic examples with known
	// frames (narrative.PRF, as `kuzot eval narrative` counts).
	Homophobic narrative.PRF
	Frames     narrative.PRF
	// NegativeFlagged of Negatives non-homophobic examples were flagged.
	NegativeFlagged, Negatives int
}

// N is the number of examples evaluated.
func (f Figures) N() int { return f.Homophobic.N() }

// NegativeFlaggedPct is the share of non-homophobic examples flagged, in percent.
func (f Figures) NegativeFlaggedPct() float64 {
	if f.Negatives == 0 {
		return 0
	}
	return 100 * float64(f.NegativeFlagged) / float64(f.Negatives)
}

// Evaluate runs c over exs (as the pipeline does, through classifiers.Classifier, with
// each example's thread context) and scores the homophobic verdict and, on homophobic
// examples with known frames, the frames.
func Evaluate(ctx context.Context, c classifiers.Classifier, exs []narrative.Example) (Figures, error) {
	f, _, err := evaluate(ctx, c, exs)
	return f, err
}

// evaluate is Evaluate that also returns the verdict on every example.
func evaluate(ctx context.Context, c classifiers.Classifier, exs []narrative.Example) (Figures, []bool, error) {
	var f Figures
	preds := make([]bool, len(exs))
	for i, e := range exs {
		if i%512 == 0 && ctx.Err() != nil {
			return f, nil, ctx.Err()
		}
		res, err := c.Classify(ctx, &post.Post{ID: e.ID, Text: e.Text, Lang: e.Lang, Context: e.Context})
		if err != nil {
			return f, nil, fmt.Errorf("evaluate %s: %w", e.ID, err)
		}
		got := res.Flagged()
		preds[i] = got
		f.Homophobic.Add(got, e.Homophobic)
		if !e.Homophobic {
			f.Negatives++
			if got {
				f.NegativeFlagged++
			}
		}
		if e.Homophobic && e.FramesKnown {
			pred := res.Labels()
			for _, fr := range e.Frames {
				f.Frames.Add(slices.Contains(pred, string(fr)), true)
			}
			for _, p := range pred {
				if narrative.IsFrame(p) && !slices.Contains(e.Frames, narrative.Frame(p)) {
					f.Frames.Add(true, false)
				}
			}
		}
	}
	return f, preds, nil
}

// EvalSet is a named evaluation set.
type EvalSet struct {
	Name     string
	Dataset  string
	Part     narrative.Part
	Examples []narrative.Example
	Gate     Gate
}

// Comparison is a candidate against the model in use, on every evaluation set.
type Comparison struct {
	Current, Candidate string
	Sets               []EvalSet
	CurrentFigures     []Figures
	CandidateFigures   []Figures
	// Paired counts, per set, the posts the two models decide differently.
	Paired []Paired
	// Worse lists the sets on which the candidate breaks the promotion rule.
	Worse []string
}

// Rule is the promotion rule of Compare (docs/feedback.md, "The promotion rule").
type Rule struct {
	// Tolerance is how much lower a GateNoDrop set's F1 may be (e.g. 0.02).
	Tolerance float64
	// FlagRateTolerance is how much higher a GateNoDrop set without positives may have
	// its share of flagged posts (e.g. 0.001, a tenth of a percentage point).
	FlagRateTolerance float64
}

// minSignificance is the z of the paired sign test (McNemar) a drop on a dev part must
// reach to count: two retrainings of the same recipe on nearly the same data differ by a
// few posts on every dev part, and such a difference is noise, not a drop.
const minSignificance = 2.0

// String states the rule in one line.
func (r Rule) String() string {
	return fmt.Sprintf("promotion rule: on every data set's dev part F1 may not drop by more than %.3f where the drop is "+
		"significant (paired sign test over the posts the two models decide differently, z > %.0f); a dev part without "+
		"positives: flagged share may not rise by more than %.2f points, significantly; on the analysts' labels' held-out part F1 "+
		"(accuracy without positives) must not drop at all; test parts are reported, never gated",
		r.Tolerance, minSignificance, 100*r.FlagRateTolerance)
}

// Paired counts the examples two models decide differently: Lost are the ones the
// current model gets right and the candidate wrong, Won the other way round.
type Paired struct{ Lost, Won int }

// Z is the McNemar statistic of a loss: (Lost - Won) / sqrt(Lost + Won), 0 when the
// models agree everywhere.
func (p Paired) Z() float64 {
	if p.Lost+p.Won == 0 {
		return 0
	}
	return float64(p.Lost-p.Won) / math.Sqrt(float64(p.Lost+p.Won))
}

func pairedOf(exs []narrative.Example, cur, cand []bool) Paired {
	var p Paired
	for i, e := range exs {
		a, b := cur[i] == e.Homophobic, cand[i] == e.Homophobic
		switch {
		case a && !b:
			p.Lost++
		case b && !a:
			p.Won++
		}
	}
	return p
}

// worse reports whether candidate figures b break the rule against current figures a.
func (r Rule) worse(s EvalSet, a, b Figures, p Paired) bool {
	pos := a.Homophobic.TP + a.Homophobic.FN
	switch s.Gate {
	case GateNoDrop:
		if p.Z() <= minSignificance {
			return false
		}
		if pos == 0 {
			return b.NegativeFlaggedPct()/100 > a.NegativeFlaggedPct()/100+r.FlagRateTolerance
		}
		return b.Homophobic.F1() < a.Homophobic.F1()-r.Tolerance
	case GateNotWorse:
		if pos == 0 {
			return b.Homophobic.Accuracy() < a.Homophobic.Accuracy()-1e-12
		}
		return b.Homophobic.F1() < a.Homophobic.F1()-1e-12
	}
	return false
}

// Compare evaluates both classifiers on every set and applies the promotion rule; empty
// sets are skipped.
func Compare(ctx context.Context, current, candidate classifiers.Classifier, sets []EvalSet, rule Rule) (Comparison, error) {
	cmp := Comparison{Current: current.Version(), Candidate: candidate.Version()}
	for _, s := range sets {
		if len(s.Examples) == 0 {
			continue
		}
		cur, curPreds, err := evaluate(ctx, current, s.Examples)
		if err != nil {
			return cmp, err
		}
		cand, candPreds, err := evaluate(ctx, candidate, s.Examples)
		if err != nil {
			return cmp, err
		}
		p := pairedOf(s.Examples, curPreds, candPreds)
		cmp.Sets = append(cmp.Sets, s)
		cmp.CurrentFigures = append(cmp.CurrentFigures, cur)
		cmp.CandidateFigures = append(cmp.CandidateFigures, cand)
		cmp.Paired = append(cmp.Paired, p)
		if rule.worse(s, cur, cand, p) {
			cmp.Worse = append(cmp.Worse, s.Name)
		}
	}
	return cmp, nil
}

// Print writes the comparison as a table, one row per set and model.
func (c Comparison) Print(w io.Writer) {
	fmt.Fprintf(w, "reference version: %s\ncandidate version: %s\n\n", c.Current, c.Candidate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "evaluation set\tgate\tmodel\tn\tprecision\trecall\tF1\taccuracy\tframe F1\tnegatives flagged\tcandidate lost/won (z)")
	gates := map[Gate]string{GateReport: "report", GateNoDrop: "no drop", GateNotWorse: "not worse"}
	for i, s := range c.Sets {
		for j, f := range []Figures{c.CurrentFigures[i], c.CandidateFigures[i]} {
			name := "current"
			if j == 1 {
				name = "candidate"
			}
			h := f.Homophobic
			paired := ""
			if j == 1 {
				p := c.Paired[i]
				paired = fmt.Sprintf("%d/%d (%.1f)", p.Lost, p.Won, p.Z())
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f%% (%d/%d)\t%s\n", s.Name, gates[s.Gate], name, f.N(),
				h.Precision(), h.Recall(), h.F1(), h.Accuracy(), f.Frames.F1(), f.NegativeFlaggedPct(), f.NegativeFlagged, f.Negatives, paired)
		}
	}
	tw.Flush()
	if len(c.Worse) > 0 {
		fmt.Fprintf(w, "\nverdict: the candidate is WORSE on: %s\n", strings.Join(c.Worse, "; "))
	} else {
		fmt.Fprintln(w, "\nverdict: the candidate is not worse on any gated evaluation set")
	}
}
