package narrative

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
)

// PRF counts binary decisions.
type PRF struct{ TP, FP, FN, TN int }

func (p *PRF) add(pred, gold bool) {
	switch {
	case pred && gold:
		p.TP++
	case pred && !gold:
		p.FP++
	case !pred && gold:
		p.FN++
	default:
		p.TN++
	}
}

// Precision is TP/(TP+FP), 0 when nothing was predicted.
func (p PRF) Precision() float64 { return ratio(p.TP, p.TP+p.FP) }

// Recall is TP/(TP+FN), 0 when there is nothing to find.
func (p PRF) Recall() float64 { return ratio(p.TP, p.TP+p.FN) }

// F1 is the harmonic mean of precision and recall.
func (p PRF) F1() float64 {
	pr, rc := p.Precision(), p.Recall()
	if pr+rc == 0 {
		return 0
	}
	return 2 * pr * rc / (pr + rc)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Report holds the metrics issue 4 asks for.
type Report struct {
	N          int
	Homophobic PRF
	// FrameMicro pools all frames; Frames is per frame (frames count only on posts
	// the classifier flags).
	FrameMicro PRF
	Frames     map[Frame]*PRF
	Langs      map[string]*PRF
	// FalsePos counts, per hard-negative kind, flagged posts of that kind and all of it.
	FalsePos map[string][2]int
	// Errors lists misclassified example ids, for analysts.
	Errors []string
}

// FPR is the false-positive rate on one example kind.
func (r *Report) FPR(kind string) float64 {
	c := r.FalsePos[kind]
	return ratio(c[0], c[1])
}

// Evaluate classifies examples and scores the verdicts.
func (c *Classifier) Evaluate(ctx context.Context, exs []Example) (*Report, error) {
	r := &Report{Frames: map[Frame]*PRF{}, Langs: map[string]*PRF{}, FalsePos: map[string][2]int{}}
	for _, f := range frameList {
		r.Frames[f] = &PRF{}
	}
	for i, e := range exs {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		res := c.ClassifyText(e.Text)
		r.N++
		r.Homophobic.add(res.Homophobic, e.Homophobic)
		lang := e.Lang
		if lang == "" {
			lang = "?"
		}
		if r.Langs[lang] == nil {
			r.Langs[lang] = &PRF{}
		}
		r.Langs[lang].add(res.Homophobic, e.Homophobic)
		if res.Homophobic != e.Homophobic {
			r.Errors = append(r.Errors, fmt.Sprintf("%s (gold %v, score %.2f, rules %.2f, frames %v, guards %v)", e.ID, e.Homophobic, res.Prob, res.RuleScore, res.FrameList, res.Guards))
		}
		if e.Kind != "" && e.Kind != "hate" {
			c := r.FalsePos[e.Kind]
			c[1]++
			if res.Homophobic {
				c[0]++
			}
			r.FalsePos[e.Kind] = c
		}
		if !e.FramesKnown {
			continue
		}
		for _, f := range frameList {
			pred, gold := false, false
			for _, g := range res.FrameList {
				pred = pred || g == f
			}
			for _, g := range e.Frames {
				gold = gold || g == f
			}
			r.Frames[f].add(pred, gold)
			r.FrameMicro.add(pred, gold)
		}
	}
	return r, nil
}

// Print writes the report as an aligned table.
func (r *Report) Print(w io.Writer, frames bool) {
	row := func(name string, p PRF) {
		fmt.Fprintf(w, "  %-20s P=%.3f R=%.3f F1=%.3f  (tp=%d fp=%d fn=%d)\n", name, p.Precision(), p.Recall(), p.F1(), p.TP, p.FP, p.FN)
	}
	fmt.Fprintf(w, "posts: %d\n", r.N)
	row("homophobic", r.Homophobic)
	if frames {
		row("frames (micro)", r.FrameMicro)
		for _, f := range frameList {
			row("  "+string(f), *r.Frames[f])
		}
	}
	if len(r.Langs) > 1 {
		fmt.Fprintln(w, "  per language (homophobic):")
		langs := make([]string, 0, len(r.Langs))
		for l := range r.Langs {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, l := range langs {
			row("  "+l, *r.Langs[l])
		}
	}
	if len(r.FalsePos) > 0 {
		fmt.Fprintln(w, "  false-positive rate by hard-negative kind:")
		kinds := make([]string, 0, len(r.FalsePos))
		for k := range r.FalsePos {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			c := r.FalsePos[k]
			fmt.Fprintf(w, "    %-18s %5.1f%%  (%d of %d flagged)\n", k, 100*r.FPR(k), c[0], c[1])
		}
	}
}

// EvalCommand implements `kuzot eval narrative`: metrics on the held-out part of the
// corpus (overall, per frame, per language, false-positive rate per hard-negative
// kind) and the homophobic+transphobic class F1 on the LT-EDI 2022 English dev split
// when ../shared is present.
func EvalCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval narrative", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "labelled corpus JSONL (default: the embedded repo corpus)")
	split := fs.String("split", "heldout", "which part of the corpus: heldout, train or all")
	model := fs.String("model", "", "model file (default: embedded model; \"none\": rules only)")
	lexDir := fs.String("lexicon-dir", "", "lexicon directory (default: embedded lexicon)")
	ltedi := fs.String("ltedi", "auto", "LT-EDI 2022 English directory with dev.jsonl (\"auto\": find ../shared; \"\" to skip)")
	threshold := fs.Float64("threshold", DefaultThreshold, "score threshold")
	showErrors := fs.Bool("errors", false, "list misclassified example ids")
	noGate := fs.Bool("no-topic-gate", false, "let the model flag posts without an identity term (see Config.NoTopicGate)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *threshold <= 0 || *threshold > 1 {
		return fmt.Errorf("--threshold %v must be in (0,1]", *threshold)
	}
	c, err := New(Config{LexiconDir: *lexDir, Model: *model, Threshold: threshold, NoTopicGate: *noGate}, nil, nil)
	if err != nil {
		return err
	}
	exs, src, err := loadCorpus(*corpus, stderr)
	if err != nil {
		return err
	}
	train, held := Split(exs)
	var part []Example
	switch *split {
	case "heldout":
		part = held
	case "train":
		part = train
	case "all":
		part = exs
	default:
		return fmt.Errorf("--split %q: want heldout, train or all", *split)
	}
	fmt.Fprintf(stdout, "narrative classifier %s, threshold %.2f\n", c.Version(), c.threshold)
	if c.model != nil {
		fmt.Fprintf(stdout, "model trained on: %s\n", c.model.Meta.describeSources())
	}
	fmt.Fprintf(stdout, "\n== %s, %s part ==\n", src, *split)
	rep, err := c.Evaluate(ctx, part)
	if err != nil {
		return err
	}
	rep.Print(stdout, true)
	if *showErrors {
		for _, e := range rep.Errors {
			fmt.Fprintln(stdout, "  error:", e)
		}
	}

	dir := *ltedi
	if dir == "auto" {
		dir = DefaultLTEDIDir()
		if dir == "" {
			fmt.Fprintln(stdout, "\n== LT-EDI 2022 English dev: skipped (../shared/datasets/ltedi2022-en not found) ==")
			return nil
		}
	}
	if dir == "" {
		return nil
	}
	rows, errs, err := ReadExamplesFile(filepath.Join(dir, "dev.jsonl"), false)
	if err != nil {
		return err
	}
	reportLineErrors(stderr, "ltedi dev.jsonl", errs)
	if len(rows) == 0 {
		return errors.New("LT-EDI dev: no usable rows")
	}
	fmt.Fprintf(stdout, "\n== LT-EDI 2022 English dev (Chakravarthi et al. 2022, aclanthology.org/2022.ltedi-1.57), %d rows ==\n", len(rows))
	lr, err := c.Evaluate(ctx, rows)
	if err != nil {
		return err
	}
	neg := PRF{TP: lr.Homophobic.TN, FP: lr.Homophobic.FN, FN: lr.Homophobic.FP}
	fmt.Fprintf(stdout, "  homophobic+transphobic class: P=%.3f R=%.3f F1=%.3f (tp=%d fp=%d fn=%d)\n",
		lr.Homophobic.Precision(), lr.Homophobic.Recall(), lr.Homophobic.F1(), lr.Homophobic.TP, lr.Homophobic.FP, lr.Homophobic.FN)
	fmt.Fprintf(stdout, "  none class F1=%.3f; binary macro-F1=%s\n", neg.F1(), strconv.FormatFloat((neg.F1()+lr.Homophobic.F1())/2, 'f', 3, 64))
	return nil
}
