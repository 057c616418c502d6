package narrative

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// featurize runs the rule layer on text and returns its model features.
func (c *Classifier) featurize(text string, bits uint) vec {
	a := &analysis{}
	a.run(c.lex.Load(), text)
	ro := a.applyRules()
	var v vec
	a.features(&v, &ro, bits)
	return v
}

// Train fits a model on examples with the classifier's lexicon (its rule features are
// part of the model input). The classifier's own model is not used.
func (c *Classifier) Train(ctx context.Context, exs []Example, opt TrainOptions) (*Model, error) {
	if len(exs) == 0 {
		return nil, errors.New("train: no examples")
	}
	opt.defaults()
	if opt.Bits < 10 || opt.Bits > 24 {
		return nil, fmt.Errorf("train: bits %d out of range [10,24]", opt.Bits)
	}
	feats := make([]vec, len(exs))
	for i, e := range exs {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		feats[i] = c.featurize(e.Text, opt.Bits)
	}
	m := trainLR(feats, exs, opt)
	m.Meta.Lexicon = c.lex.Load().version
	return m, nil
}

// DefaultLTEDIDir finds ../shared/datasets/ltedi2022-en from the working directory or
// one of its parents (tests run in the package directory, commands at the repo root).
// It returns "" when the shared folder is absent, as on a plain clone.
func DefaultLTEDIDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		for _, cand := range []string{
			filepath.Join(dir, "..", "shared", "datasets", "ltedi2022-en"),
			filepath.Join(dir, "shared", "datasets", "ltedi2022-en"),
		} {
			if st, err := os.Stat(filepath.Join(cand, "dev.jsonl")); err == nil && !st.IsDir() {
				return cand
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// TrainCommand implements `kuzot train narrative`: it trains the model on the training
// part of the labelled corpus (never the held-out part) and, with --ltedi, also on the
// LT-EDI 2022 English train split (Chakravarthi et al. 2022, LT-EDI@ACL 2022,
// https://aclanthology.org/2022.ltedi-1.57/; see that folder's README for the licence:
// a model trained on it must not be bundled into a release).
func TrainCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train narrative", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "labelled corpus JSONL (default: the embedded repo corpus); only its training part is used")
	ltedi := fs.String("ltedi", "", "also train on DIR/train.jsonl of LT-EDI 2022 English (\"auto\" finds ../shared/datasets/ltedi2022-en)")
	out := fs.String("out", "", "write the model here (required)")
	lexDir := fs.String("lexicon-dir", "", "lexicon directory (default: embedded lexicon)")
	epochs := fs.Int("epochs", 15, "training epochs")
	bits := fs.Uint("bits", featureBits, "feature hash bits")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	c, err := New(Config{LexiconDir: *lexDir, Model: "none"}, nil, nil)
	if err != nil {
		return err
	}
	exs, src, err := loadCorpus(*corpus, stderr)
	if err != nil {
		return err
	}
	train, held := Split(exs)
	sources := []string{fmt.Sprintf("%s (training part: %d of %d, %d held out)", src, len(train), len(exs), len(held))}
	if *ltedi != "" {
		dir := *ltedi
		if dir == "auto" {
			if dir = DefaultLTEDIDir(); dir == "" {
				return errors.New("--ltedi auto: ../shared/datasets/ltedi2022-en not found")
			}
		}
		rows, errs, err := ReadExamplesFile(filepath.Join(dir, "train.jsonl"), false)
		if err != nil {
			return err
		}
		reportLineErrors(stderr, "ltedi train.jsonl", errs)
		train = append(train, rows...)
		sources = append(sources, fmt.Sprintf("LT-EDI 2022 English train (%d rows)", len(rows)))
	}
	m, err := c.Train(ctx, train, TrainOptions{Epochs: *epochs, Bits: *bits, Sources: sources})
	if err != nil {
		return err
	}
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("create model: %w", err)
	}
	if err := m.Save(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	fmt.Fprintf(stdout, "trained narrative model on %d examples (%v), lexicon %s -> %s\n", len(train), sources, m.Meta.Lexicon, *out)
	return nil
}

// loadCorpus reads the corpus at path, or the embedded one when path is "".
func loadCorpus(path string, stderr io.Writer) ([]Example, string, error) {
	if path == "" {
		exs, err := Corpus()
		return exs, "repo corpus", err
	}
	exs, errs, err := ReadExamplesFile(path, true)
	if err != nil {
		return nil, "", err
	}
	reportLineErrors(stderr, path, errs)
	if len(exs) == 0 {
		return nil, "", fmt.Errorf("%s: no usable examples", path)
	}
	return exs, path, nil
}

func reportLineErrors(w io.Writer, name string, errs []error) {
	for i, e := range errs {
		if i == 20 {
			fmt.Fprintf(w, "%s: ... and %d more bad lines\n", name, len(errs)-20)
			return
		}
		fmt.Fprintf(w, "%s: %v (skipped)\n", name, e)
	}
}
