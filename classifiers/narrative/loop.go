package narrative

import (
	"io"
	"strings"
)

// What the analysts' feedback loop (package feedback, package modeldir) shares with
// `kuzot train narrative` and `kuzot eval narrative`, so that a candidate trained with
// the analysts' labels is built and measured exactly like the shipped model (issue 14).

// CommandData names the labelled data of the train and eval commands, as their flags do.
type CommandData struct {
	// Datasets is the public data sets directory: "auto" finds ../shared/datasets, ""
	// means the embedded corpora only.
	Datasets string
	// Corpus is a comma-separated list of extra corpus-schema JSONL files.
	Corpus string
	// NoEmbedded leaves out the embedded corpora.
	NoEmbedded bool
	// Exclude is a comma-separated list of data set names to leave out.
	Exclude string
}

// LoadCommandData assembles the labelled data as `kuzot train narrative` and `kuzot eval
// narrative` do (LoadData, every example with its Dataset and frozen Part), reporting bad
// lines and a missing ../shared/datasets to stderr.
func LoadCommandData(d CommandData, stderr io.Writer) (*Data, error) {
	return loadData(d.Datasets, d.Corpus, d.NoEmbedded, d.Exclude, stderr)
}

// Recipe returns the options of TrainAndSelect that rebuild a model the way m was built:
// its feature set, combination mode, weighting, epochs and feature bits as its header
// records them. A candidate trained with the analysts' labels starts from the recipe of
// the model in use, so that the comparison measures the labels, not another recipe.
func (m *Model) Recipe() SelectOptions {
	o := SelectOptions{Train: TrainOptions{Bits: m.Meta.Bits, Epochs: m.Meta.Epochs}}
	if m.Meta.Features != "" {
		o.FeatureSets = []string{m.Meta.Features}
	}
	o.Modes = []string{m.combine()}
	if m.Meta.BalancedDatasets {
		o.Weightings = []string{WeightPerDataset}
	} else {
		o.Weightings = []string{WeightPooled}
	}
	return o
}

// RecipeString describes a recipe in one line, for logs and model headers.
func (o SelectOptions) RecipeString() string {
	join := func(xs []string) string {
		if len(xs) == 0 {
			return "default"
		}
		return strings.Join(xs, ",")
	}
	return "features=" + join(o.FeatureSets) + " combine=" + join(o.Modes) + " weighting=" + join(o.Weightings)
}

// Model returns the classifier's model (nil for rules only).
func (c *Classifier) Model() *Model { return c.model }

// WithModel returns a classifier that uses model m (nil: rules only) with c's
// configuration, logger, lexicon and metrics: a model swapped in at run time keeps
// counting kuzot_narrative_posts_total. The threshold and combination mode follow m
// unless the configuration sets them, as in New.
func (c *Classifier) WithModel(m *Model) *Classifier {
	n := &Classifier{logger: c.logger, cfg: c.cfg, metrics: c.metrics}
	n.pool.New = func() any { return &analysis{} }
	n.lex.Store(c.lex.Load())
	n.setModel(m)
	n.logger.Info("narrative classifier ready", "version", n.Version(), "threshold", n.threshold)
	return n
}

// Add counts one decision: pred is the verdict, gold the label.
func (p *PRF) Add(pred, gold bool) { p.add(pred, gold) }

// N is the number of decisions counted.
func (p PRF) N() int { return p.TP + p.FP + p.FN + p.TN }

// Accuracy is (TP+TN)/N, 0 when nothing was counted.
func (p PRF) Accuracy() float64 { return ratio(p.TP+p.TN, p.N()) }

// IsFrame reports whether s names one of the eight narrative frames (a classifier
// result's Labels() lists frames, then taxonomy labels).
func IsFrame(s string) bool { return frameIndex(Frame(s)) >= 0 }
