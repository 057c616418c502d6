package modeldir

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/storage"
)

// The analysts' feedback loop on the command line (issue 14, docs/narrative.md); cmd/kuzot
// dispatches to these:
//
//	kuzot train narrative --labels   TrainCommand: a candidate with the analysts' labels, installed
//	kuzot model list                 ModelCommand: installed models, the current one marked
//	kuzot model compare CANDIDATE    ModelCommand: candidate against the current model
//	kuzot model promote VERSION      ModelCommand: compare, refuse a worse candidate unless --force, promote
//	kuzot eval narrative --model CANDIDATE --against current   CompareCommand

// stdio carries a command's output streams.
type stdio struct{ out, err io.Writer }

func configFlag(fs *flag.FlagSet) *string {
	return fs.String("config", os.Getenv("KUZOT_CONFIG"), "configuration file (YAML; see kuzot.example.yaml); empty = built-in defaults")
}

// ModelCommand implements `kuzot model list|compare|promote`.
func ModelCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runModel(ctx, args, stdio{stdout, stderr})
}

// CompareCommand implements `kuzot eval narrative --model CANDIDATE --against REF`
// (the same as `kuzot model compare`).
func CompareCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, err := runModelCompare(ctx, "eval narrative --against", args, stdio{stdout, stderr}, false)
	return err
}

// TrainCommand implements `kuzot train narrative --labels`.
func TrainCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return trainNarrativeWithLabels(ctx, args, stdout, stderr)
}

func runModel(ctx context.Context, args []string, s stdio) error {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, `Usage:
  kuzot model list [--config FILE]
  kuzot model compare [--config FILE] [--against current|VERSION|FILE] [--no-labels] [--datasets DIR] [--tolerance 0.02] CANDIDATE
  kuzot model promote [--config FILE] [--force] [--no-labels] [--datasets DIR] [--tolerance 0.02] VERSION
CANDIDATE is an installed version (kuzot model list) or a model file; "current" is the promoted
model, or the configured one (classifiers.narrative.model, default the shipped model) before any
promotion. Comparisons use the dev and frozen test part of every data set (as kuzot eval narrative)
and the dev and held-out part of the analysts' labels (read from ClickHouse; --no-labels skips
them). Promotion refuses, unless --force, a candidate whose F1 drops by more than --tolerance on
any data set's dev part (flagged share up by more than --flag-rate-tolerance on a dev part without
positives) or that is worse at all on the labels' held-out part; test parts are reported only.
Running classify roles load the promoted model within models.watch_interval.`)
	}
	if len(args) == 0 {
		usage(s.err)
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return runModelList(args[1:], s)
	case "compare":
		_, err := runModelCompare(ctx, "model compare", args[1:], s, false)
		return err
	case "promote":
		_, err := runModelCompare(ctx, "model promote", args[1:], s, true)
		return err
	case "-h", "--help", "help":
		usage(s.out)
		return flag.ErrHelp
	}
	usage(s.err)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func runModelList(args []string, s stdio) error {
	fs := flag.NewFlagSet("model list", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	dir := Dir{Path: cfg.Models.Dir}
	es, err := dir.List()
	if err != nil {
		return err
	}
	if len(es) == 0 {
		fmt.Fprintf(s.out, "no models installed in %s (kuzot train narrative --labels installs one)\n", cfg.Models.Dir)
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "version\tcurrent\tinstalled\texamples\ttrained on")
	for _, e := range es {
		cur := ""
		if e.Current {
			cur = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", e.Version, cur, e.Installed.UTC().Format(time.RFC3339), e.Meta.Examples,
			strings.Join(e.Meta.TrainedOn, "; "))
	}
	return tw.Flush()
}

// modelEnv is what the model commands share: the configuration, the models directory
// and, when labels are used, a ClickHouse connection.
type modelEnv struct {
	cfg  *config.Config
	dir  Dir
	conn driver.Conn
}

func openModelEnv(ctx context.Context, cfgPath string, withCH bool) (*modelEnv, func(), error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	env := &modelEnv{cfg: cfg, dir: Dir{Path: cfg.Models.Dir}}
	if !withCH {
		return env, func() {}, nil
	}
	conn, err := storage.Open(ctx, cfg.CH, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return nil, nil, err
	}
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg.CH)); err != nil {
		conn.Close()
		return nil, nil, err
	}
	env.conn = conn
	return env, func() { conn.Close() }, nil
}

// classifier builds the deployment's narrative classifier (its configured lexicon and
// threshold) with the model named by spec: "current" (the promoted model, or the
// configured one when none is promoted), an installed version, or a model file.
func (m *modelEnv) classifier(spec string) (*narrative.Classifier, string, error) {
	node := m.cfg.Classifiers[narrative.Name]
	ov := map[string]string{}
	desc := spec
	switch {
	case spec == "current":
		v, err := m.dir.Current()
		switch {
		case errors.Is(err, ErrNoCurrent):
			desc = "current (configured model; none promoted)"
		case err != nil:
			return nil, "", err
		default:
			ov["model"], desc = m.dir.File(v), "current ("+v+")"
		}
	case ValidVersion(spec):
		if _, err := m.dir.Load(spec); err != nil {
			return nil, "", err
		}
		ov["model"] = m.dir.File(spec)
	default:
		ov["model"] = spec
	}
	cfg, err := narrative.ParseConfig(&node, ov)
	if err != nil {
		return nil, "", err
	}
	c, err := narrative.New(cfg, nil, nil)
	return c, desc, err
}

// labelledPosts reads the latest analysts' label of every post with its text.
func (m *modelEnv) labelledPosts(ctx context.Context, stderr io.Writer) ([]feedback.LabelledPost, error) {
	st := feedback.Store{Conn: m.conn}
	ls, err := st.Latest(ctx)
	if err != nil {
		return nil, err
	}
	ps, missing, err := st.WithTexts(ctx, ls)
	if err != nil {
		return nil, err
	}
	if missing > 0 {
		fmt.Fprintf(stderr, "%d labelled posts are no longer stored (retention) and are skipped\n", missing)
	}
	return ps, nil
}

// runModelCompare compares a candidate with a reference model and, for promote, makes
// it current unless it is worse (or --force). It returns the comparison.
func runModelCompare(ctx context.Context, name string, args []string, s stdio, promote bool) (feedback.Comparison, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	against := fs.String("against", "current", "reference model: current, an installed version or a model file")
	candidateFlag := fs.String("model", "", "candidate model (instead of the positional argument)")
	noLabels := fs.Bool("no-labels", false, "compare on the data sets' frozen parts only (no ClickHouse)")
	datasets := fs.String("datasets", "auto", "public data sets directory (\"auto\": find ../shared/datasets; \"\": embedded corpora only)")
	exclude := fs.String("exclude", "", "comma-separated data set names to leave out of the comparison")
	tolerance := fs.Float64("tolerance", 0.02, "how much lower a data set's dev F1 may be")
	flagTolerance := fs.Float64("flag-rate-tolerance", 0.001, "how much higher the flagged share of a dev part without positives may be")
	force := fs.Bool("force", false, "promote even when the candidate is worse")
	if err := fs.Parse(args); err != nil {
		return feedback.Comparison{}, err
	}
	candidate := *candidateFlag
	if candidate == "" && fs.NArg() == 1 {
		candidate = fs.Arg(0)
	}
	if candidate == "" || fs.NArg() > 1 {
		return feedback.Comparison{}, errors.New("name exactly one candidate model (a version from kuzot model list, or a file)")
	}
	if promote && !ValidVersion(candidate) {
		return feedback.Comparison{}, fmt.Errorf("promote: %q is not an installed version (kuzot train installs models; kuzot model list shows them)", candidate)
	}
	if *tolerance < 0 || *tolerance > 1 || *flagTolerance < 0 || *flagTolerance > 1 {
		return feedback.Comparison{}, errors.New("--tolerance, --flag-rate-tolerance: 0..1")
	}
	env, closeEnv, err := openModelEnv(ctx, *cfgPath, !*noLabels)
	if err != nil {
		return feedback.Comparison{}, err
	}
	defer closeEnv()
	cur, curDesc, err := env.classifier(*against)
	if err != nil {
		return feedback.Comparison{}, fmt.Errorf("reference model: %w", err)
	}
	cand, candDesc, err := env.classifier(candidate)
	if err != nil {
		return feedback.Comparison{}, fmt.Errorf("candidate model: %w", err)
	}
	sets, err := feedback.FrozenEvaluation(narrative.CommandData{Datasets: *datasets, Exclude: *exclude}, s.err)
	if err != nil {
		return feedback.Comparison{}, err
	}
	if !*noLabels {
		ps, err := env.labelledPosts(ctx, s.err)
		if err != nil {
			return feedback.Comparison{}, err
		}
		ls := feedback.LabelSets(ps)
		if !slices.ContainsFunc(ls, func(e feedback.EvalSet) bool { return e.Part == narrative.PartTest }) {
			fmt.Fprintf(s.err, "no held-out analysts' labels yet (%d labels, none in the test part): comparing on the data sets' frozen parts only\n", len(ps))
		}
		sets = append(sets, ls...)
	}
	rule := feedback.Rule{Tolerance: *tolerance, FlagRateTolerance: *flagTolerance}
	fmt.Fprintf(s.out, "reference: %s\ncandidate: %s\n%s\n", curDesc, candDesc, rule)
	cmp, err := feedback.Compare(ctx, cur, cand, sets, rule)
	if err != nil {
		return cmp, err
	}
	cmp.Print(s.out)
	if !promote {
		return cmp, nil
	}
	if len(cmp.Worse) > 0 && !*force {
		return cmp, fmt.Errorf("refusing to promote %s: worse than %s on %s (--force promotes anyway)", candidate, curDesc,
			strings.Join(cmp.Worse, "; "))
	}
	who := os.Getenv("USER")
	prev, err := env.dir.Promote(candidate, who, time.Now())
	if err != nil {
		return cmp, err
	}
	if len(cmp.Worse) > 0 {
		fmt.Fprintf(s.out, "FORCED: promoting a candidate that is worse on %s\n", strings.Join(cmp.Worse, "; "))
	}
	fmt.Fprintf(s.out, "promoted %s (previous: %s); classify roles load it within %s\n", candidate, orDash(prev),
		env.cfg.Models.WatchInterval)
	return cmp, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// trainNarrativeWithLabels trains a candidate as `kuzot train narrative` does (the same
// data, narrative.LoadCommandData, and the same candidate selection on the dev parts,
// narrative.TrainAndSelect) with the analysts' labels added as one more data set
// (feedback.DatasetLabels; the latest label per post wins; its frozen test part is kept
// for `kuzot model compare`). By default the candidate starts from the recipe of the
// model in use (feature set, combination mode, weighting, epochs, bits: --recipe
// current), so that the comparison measures the labels; --recipe all runs the trainer's
// full candidate set. It installs the candidate in the models directory and prints its
// version. It never promotes.
func trainNarrativeWithLabels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train narrative --labels", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := configFlag(fs)
	fs.Bool("labels", true, "train with the analysts' labels from ClickHouse (clickhouse section of --config)")
	out := fs.String("out", "", "also write the model to this file")
	datasets := fs.String("datasets", "auto", "public data sets directory (\"auto\": find ../shared/datasets; \"\": embedded corpora only)")
	noEmbedded := fs.Bool("no-embedded", false, "leave out the embedded corpora")
	exclude := fs.String("exclude", "", "comma-separated data set names to leave out")
	recipe := fs.String("recipe", "current", "candidates: current (the recipe of the model in use) or all (the trainer's full candidate set)")
	epochs := fs.Int("epochs", 0, "training epochs (default: the recipe's)")
	bits := fs.Uint("bits", 0, "feature hash bits (default: the recipe's)")
	weight := fs.Float64("label-weight", 1, "how much each analyst label weighs in training, as an example weight (0.1..20)")
	var extra stringList
	fs.Var(&extra, "extra", "also train on this labelled JSONL (corpus schema, repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *weight < 0.1 || *weight > 20 {
		return errors.New("--label-weight: 0.1..20")
	}
	if *recipe != "current" && *recipe != "all" {
		return fmt.Errorf("--recipe %q: current or all", *recipe)
	}
	env, closeEnv, err := openModelEnv(ctx, *cfgPath, true)
	if err != nil {
		return err
	}
	defer closeEnv()
	ps, err := env.labelledPosts(ctx, stderr)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return errors.New("no analysts' labels yet: label posts in the web UI first (or train without --labels)")
	}
	data, err := narrative.LoadCommandData(narrative.CommandData{Datasets: *datasets, Corpus: strings.Join(extra, ","),
		NoEmbedded: *noEmbedded, Exclude: *exclude}, stderr)
	if err != nil {
		return err
	}
	opt := narrative.SelectOptions{}
	recipeDesc := "the trainer's full candidate set"
	if *recipe == "current" {
		ref, refDesc, err := env.classifier("current")
		if err != nil {
			return fmt.Errorf("recipe of the current model: %w", err)
		}
		if m := ref.Model(); m != nil {
			opt = m.Recipe()
			recipeDesc = fmt.Sprintf("recipe of %s (%s)", refDesc, opt.RecipeString())
		} else {
			recipeDesc = refDesc + " has no model: the trainer's full candidate set"
		}
	}
	if *epochs > 0 {
		opt.Train.Epochs = *epochs
	}
	if *bits > 0 {
		opt.Train.Bits = *bits
	}
	labelled := feedback.TrainingExamples(ps, *weight)
	var parts [3]int
	pos := 0
	for _, e := range labelled {
		switch e.Part {
		case narrative.PartTest:
			parts[2]++
		case narrative.PartDev:
			parts[1]++
		default:
			parts[0]++
			if e.Homophobic {
				pos++
			}
		}
	}
	exs := append(data.Examples, labelled...)
	train, dev, test := narrative.SplitParts(exs)
	sources := append([]string(nil), data.Sources...)
	sources = append(sources,
		fmt.Sprintf("analysts' labels: %d posts (%d homophobic) weight %g, %d in dev, %d held out for comparison",
			parts[0], pos, *weight, parts[1], parts[2]),
		fmt.Sprintf("parts by kuzot-split-v1: train %d, dev %d (selection and calibration), test %d (not used)", len(train), len(dev), len(test)),
		recipeDesc)
	opt.Train.Sources = sources
	opt.Log = stdout
	node := env.cfg.Classifiers[narrative.Name]
	ncfg, err := narrative.ParseConfig(&node, map[string]string{"model": "none"})
	if err != nil {
		return err
	}
	c, err := narrative.New(ncfg, nil, nil)
	if err != nil {
		return err
	}
	m, err := c.TrainAndSelect(ctx, exs, opt)
	if err != nil {
		return err
	}
	version, err := env.dir.Install(m)
	if err != nil {
		return err
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("write model: %w", err)
		}
		if err := m.Save(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("write model: %w", err)
		}
	}
	fmt.Fprintf(stdout, "trained narrative candidate %s on %d examples (%s)\ninstalled %s\n", version, len(train),
		strings.Join(sources, "; "), env.dir.File(version))
	fmt.Fprintf(stdout, "next: kuzot model compare %s, then kuzot model promote %s\n", version, version)
	return nil
}
