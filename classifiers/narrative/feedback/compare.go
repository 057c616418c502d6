package feedback

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/post"
)

// FrozenEvaluation returns the frozen evaluation examples every comparison of models
// uses, and their name. It is the corpus's held-out split (narrative.Split) for now;
// it is the one place to switch to the per-dataset frozen test splits.
func FrozenEvaluation() ([]narrative.Example, string, error) {
	exs, err := narrative.Corpus()
	if err != nil {
		return nil, "", fmt.Errorf("frozen evaluation: %w", err)
	}
	_, held := narrative.Split(exs)
	return held, "repo corpus, held-out split", nil
}

// BaseTraining returns the examples a model is trained on before analysts' labels are
// added (the training side of FrozenEvaluation's split), and their name.
func BaseTraining() ([]narrative.Example, string, error) {
	exs, err := narrative.Corpus()
	if err != nil {
		return nil, "", fmt.Errorf("base training data: %w", err)
	}
	train, held := narrative.Split(exs)
	return train, fmt.Sprintf("repo corpus, training split (%d of %d, %d held out)", len(train), len(exs), len(held)), nil
}

// Figures are one model's results on one evaluation set.
type Figures struct {
	N                  int
	TP, FP, FN, TN     int
	FrameTP, FrameFP   int
	FrameFN            int
	NegativeFlagged    int
	Negatives          int
	Precision, Recall  float64
	F1, Accuracy       float64
	FrameF1            float64
	NegativeFlaggedPct float64
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Evaluate runs c over exs (as the pipeline does, through classifiers.Classifier) and
// scores the homophobic verdict and, on homophobic examples with known frames, the
// frames.
func Evaluate(ctx context.Context, c classifiers.Classifier, exs []narrative.Example) (Figures, error) {
	var f Figures
	for i, e := range exs {
		res, err := c.Classify(ctx, &post.Post{ID: e.ID, Text: e.Text, Lang: e.Lang})
		if err != nil {
			return f, fmt.Errorf("evaluate %s: %w", e.ID, err)
		}
		if i%512 == 0 && ctx.Err() != nil {
			return f, ctx.Err()
		}
		f.N++
		got := res.Flagged()
		switch {
		case got && e.Homophobic:
			f.TP++
		case got && !e.Homophobic:
			f.FP++
		case !got && e.Homophobic:
			f.FN++
		default:
			f.TN++
		}
		if !e.Homophobic {
			f.Negatives++
			if got {
				f.NegativeFlagged++
			}
		}
		if e.Homophobic && e.FramesKnown {
			pred := res.Labels()
			for _, fr := range e.Frames {
				if slices.Contains(pred, string(fr)) {
					f.FrameTP++
				} else {
					f.FrameFN++
				}
			}
			for _, p := range pred {
				if !slices.Contains(e.Frames, narrative.Frame(p)) {
					f.FrameFP++
				}
			}
		}
	}
	f.Precision, f.Recall = ratio(f.TP, f.TP+f.FP), ratio(f.TP, f.TP+f.FN)
	f.F1 = f1(f.Precision, f.Recall)
	f.Accuracy = ratio(f.TP+f.TN, f.N)
	f.FrameF1 = f1(ratio(f.FrameTP, f.FrameTP+f.FrameFP), ratio(f.FrameTP, f.FrameTP+f.FrameFN))
	f.NegativeFlaggedPct = 100 * ratio(f.NegativeFlagged, f.Negatives)
	return f, nil
}

// EvalSet is a named evaluation set.
type EvalSet struct {
	Name     string
	Examples []narrative.Example
	// UseAccuracy compares by accuracy rather than F1 (the analysts' labels: a small
	// set, often without positives).
	UseAccuracy bool
}

// Comparison is a candidate against the model in use, on every evaluation set.
type Comparison struct {
	Current, Candidate string
	Sets               []EvalSet
	CurrentFigures     []Figures
	CandidateFigures   []Figures
	// Worse lists the sets on which the candidate is worse by more than the tolerance.
	Worse []string
}

// Compare evaluates both classifiers on every set. The candidate is worse on a set when
// its F1 (accuracy for UseAccuracy sets) is lower than the current one's by more than
// tolerance; empty sets are skipped.
func Compare(ctx context.Context, current, candidate classifiers.Classifier, sets []EvalSet, tolerance float64) (Comparison, error) {
	cmp := Comparison{Current: current.Version(), Candidate: candidate.Version()}
	for _, s := range sets {
		if len(s.Examples) == 0 {
			continue
		}
		cur, err := Evaluate(ctx, current, s.Examples)
		if err != nil {
			return cmp, err
		}
		cand, err := Evaluate(ctx, candidate, s.Examples)
		if err != nil {
			return cmp, err
		}
		cmp.Sets = append(cmp.Sets, s)
		cmp.CurrentFigures = append(cmp.CurrentFigures, cur)
		cmp.CandidateFigures = append(cmp.CandidateFigures, cand)
		a, b := cur.F1, cand.F1
		if s.UseAccuracy {
			a, b = cur.Accuracy, cand.Accuracy
		}
		if b < a-tolerance {
			cmp.Worse = append(cmp.Worse, s.Name)
		}
	}
	return cmp, nil
}

// Print writes the comparison as a table, one row per set and model.
func (c Comparison) Print(w io.Writer) {
	fmt.Fprintf(w, "reference version: %s\ncandidate version: %s\n\n", c.Current, c.Candidate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "evaluation set\tmodel\tn\tprecision\trecall\tF1\taccuracy\tframe F1\tnegatives flagged")
	for i, s := range c.Sets {
		for j, f := range []Figures{c.CurrentFigures[i], c.CandidateFigures[i]} {
			name := "current"
			if j == 1 {
				name = "candidate"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.1f%% (%d/%d)\n", s.Name, name, f.N, f.Precision, f.Recall,
				f.F1, f.Accuracy, f.FrameF1, f.NegativeFlaggedPct, f.NegativeFlagged, f.Negatives)
		}
	}
	tw.Flush()
	if len(c.Worse) > 0 {
		fmt.Fprintf(w, "\nverdict: the candidate is WORSE on: %s\n", strings.Join(c.Worse, "; "))
	} else {
		fmt.Fprintln(w, "\nverdict: the candidate is not worse on any evaluation set")
	}
}
