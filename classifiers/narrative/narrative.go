// Package narrative flags posts that push homophobic or transphobic narratives and
// names the frame they use (propaganda_ban, foreign_agent, western_values,
// traditional_family, child_protection, political_smear, dehumanization,
// violence_threat), in Russian, Kyrgyz, English and some Uzbek.
//
// It is built to avoid what off-the-shelf toxicity models do to the people kuzot
// protects: an identity term is never evidence on its own, and a guard layer downgrades
// self-reference ("я гей"), reclaimed language, counter-speech, reported speech and
// negated cues. The pipeline per post is:
//
//  1. one pass of normalisation (case, Cyrillic/Latin look-alikes, leetspeak, masked
//     letters, repeated and spaced-out letters, Kyrgyz and Uzbek letters);
//  2. token-level lexicon lookups (a character trie with Snowball Russian stems and
//     Kyrgyz/Uzbek suffix chains, then a word-level phrase trie);
//  3. rules that need a frame cue and a target close together, and the guards;
//  4. a hashed n-gram logistic regression that also sees the rule outcome and gives
//     the final score in [0,1].
//
// The lexicon lives in lexicon/*.tsv (embedded, or read from lexicon_dir so analysts
// can edit it; Reload re-reads it). Every flag carries evidence spans with byte offsets
// into the original text.
package narrative

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/post"
)

// Name is the classifier's registry name and its key in the classify output.
const Name = "narrative"

// rulesVersion changes whenever the rule or feature code changes the output.
const rulesVersion = "1"

// DefaultThreshold is the score at and above which a post is flagged.
const DefaultThreshold = 0.5

// MaxTextBytes is how much of a post is analysed; the rest is ignored (the pipeline
// already truncates posts to post.MaxTextBytes).
const MaxTextBytes = post.MaxTextBytes

// Config is the classifier's section under `classifiers: narrative:` in the config.
type Config struct {
	// LexiconDir replaces the embedded lexicon with the *.tsv and VERSION files of
	// this directory (for analysts' edits; Reload re-reads it).
	LexiconDir string `yaml:"lexicon_dir"`
	// Model is the path of a model written by `kuzot train`; empty means the embedded
	// model and "none" means rules only.
	Model string `yaml:"model"`
	// Threshold on the score for "homophobic" (default 0.5).
	Threshold *float64 `yaml:"threshold"`
	// NoTopicGate lets the model flag posts without any identity term, slur or anchor
	// phrase (implicit hate such as "they should be punished"), at the cost of more
	// false positives on ordinary posts. Off by default.
	NoTopicGate bool `yaml:"no_topic_gate"`
}

// ParseConfig decodes the YAML section strictly (unknown keys are errors) and applies
// overrides ("lexicon_dir", "model", "threshold") from the command line.
func ParseConfig(node *yaml.Node, overrides map[string]string) (Config, error) {
	var c Config
	if node != nil && node.Kind != 0 {
		raw, err := yaml.Marshal(node)
		if err != nil {
			return c, fmt.Errorf("narrative config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return c, fmt.Errorf("narrative config: %w", err)
		}
	}
	for k, v := range overrides {
		switch k {
		case "lexicon_dir":
			c.LexiconDir = v
		case "model":
			c.Model = v
		case "threshold":
			t, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return c, fmt.Errorf("narrative: threshold override %q: %w", v, err)
			}
			c.Threshold = &t
		}
	}
	if c.Threshold != nil && (*c.Threshold <= 0 || *c.Threshold > 1 || math.IsNaN(*c.Threshold)) {
		return c, fmt.Errorf("narrative config: threshold %v must be in (0,1]", *c.Threshold)
	}
	return c, nil
}

// Result is the narrative verdict on one post. It marshals as issue 4's object:
// {"homophobic":bool,"score":float,"frames":[…],"evidence":[{start,end,text,frame}]}.
type Result struct {
	Homophobic bool       `json:"homophobic"`
	Prob       float64    `json:"score"`
	FrameList  []Frame    `json:"frames"`
	Evidence   []Evidence `json:"evidence"`
	// Guards lists the guards that fired (not in the JSON output; for eval and
	// analysts' debugging tools).
	Guards []string `json:"-"`
	// RuleScore and ModelScore are the two inputs of the score (ModelScore is -1
	// without a model).
	RuleScore  float64 `json:"-"`
	ModelScore float64 `json:"-"`
}

// Flagged implements classifiers.Result.
func (r *Result) Flagged() bool { return r.Homophobic }

// Score implements classifiers.Result.
func (r *Result) Score() float64 { return r.Prob }

// Labels implements classifiers.Result: the frame ids.
func (r *Result) Labels() []string {
	out := make([]string, len(r.FrameList))
	for i, f := range r.FrameList {
		out[i] = string(f)
	}
	return out
}

// Classifier is the narrative classifier. It is safe for concurrent use; Reload swaps
// the lexicon atomically while Classify calls run.
type Classifier struct {
	logger    *slog.Logger
	cfg       Config
	threshold float64
	lex       atomic.Pointer[lexicon]
	model     *Model
	pool      sync.Pool
	reloadMu  sync.Mutex
	metrics   *metrics
}

type metrics struct {
	posts   *prometheus.CounterVec
	reloads *prometheus.CounterVec
}

// Register adds the "narrative" factory to a classifier registry.
func Register(r *classifiers.Registry) {
	r.Add(classifiers.Factory{Name: Name, New: func(ctx context.Context, deps classifiers.Deps) (classifiers.Classifier, error) {
		cfg, err := ParseConfig(deps.Config, deps.Overrides)
		if err != nil {
			return nil, err
		}
		return New(cfg, deps.Logger, deps.Registerer)
	}})
}

// New builds a classifier. logger and reg may be nil.
func New(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*Classifier, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Classifier{logger: logger, cfg: cfg, threshold: DefaultThreshold}
	if cfg.Threshold != nil {
		c.threshold = *cfg.Threshold
	}
	c.pool.New = func() any { return &analysis{} }
	lx, err := c.loadLex()
	if err != nil {
		return nil, err
	}
	c.lex.Store(lx)
	switch cfg.Model {
	case "none":
	case "":
		m, err := EmbeddedModel()
		if err != nil {
			return nil, fmt.Errorf("narrative: embedded model: %w", err)
		}
		c.model = m
	default:
		m, err := LoadModelFile(cfg.Model)
		if err != nil {
			return nil, fmt.Errorf("narrative: %w", err)
		}
		c.model = m
	}
	if reg != nil {
		m := &metrics{
			posts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kuzot_narrative_posts_total",
				Help: "Posts classified by the narrative classifier, by verdict."}, []string{"flagged"}),
			reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kuzot_narrative_lexicon_reloads_total",
				Help: "Lexicon reloads, by result."}, []string{"result"}),
		}
		for _, col := range []*prometheus.CounterVec{m.posts, m.reloads} {
			if err := reg.Register(col); err != nil {
				return nil, fmt.Errorf("narrative metrics: %w", err)
			}
		}
		c.metrics = m
	}
	logger.Info("narrative classifier ready", "version", c.Version(), "threshold", c.threshold)
	return c, nil
}

func (c *Classifier) loadLex() (*lexicon, error) {
	if c.cfg.LexiconDir != "" {
		lx, err := loadLexiconDir(c.cfg.LexiconDir)
		if err != nil {
			return nil, fmt.Errorf("narrative: %w", err)
		}
		return lx, nil
	}
	lx, err := loadLexicon(EmbeddedLexicon())
	if err != nil {
		return nil, fmt.Errorf("narrative: embedded lexicon: %w", err)
	}
	return lx, nil
}

// Reload re-reads the lexicon (from lexicon_dir, or the embedded one) and swaps it in
// atomically; the lead calls it on SIGHUP. On error the old lexicon stays in use.
func (c *Classifier) Reload() error {
	c.reloadMu.Lock()
	defer c.reloadMu.Unlock()
	lx, err := c.loadLex()
	if c.metrics != nil {
		res := "ok"
		if err != nil {
			res = "error"
		}
		c.metrics.reloads.WithLabelValues(res).Inc()
	}
	if err != nil {
		c.logger.Error("narrative lexicon reload failed; keeping the old lexicon", "err", err)
		return err
	}
	old := c.lex.Swap(lx)
	c.logger.Info("narrative lexicon reloaded", "old", old.version, "new", lx.version)
	return nil
}

// Name implements classifiers.Classifier.
func (c *Classifier) Name() string { return Name }

// Version implements classifiers.Classifier: rules, lexicon and model versions.
func (c *Classifier) Version() string {
	mv := "none"
	if c.model != nil {
		mv = c.model.Version()
	}
	return "narrative/" + rulesVersion + " lexicon/" + c.lex.Load().version + " model/" + mv
}

// Classify implements classifiers.Classifier.
func (c *Classifier) Classify(ctx context.Context, p *post.Post) (classifiers.Result, error) {
	if p == nil {
		return nil, errors.New("narrative: nil post")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := c.ClassifyText(p.Text)
	if c.metrics != nil {
		c.metrics.posts.WithLabelValues(strconv.FormatBool(r.Homophobic)).Inc()
	}
	return r, nil
}

// ClassifyText classifies one text. It never fails: empty text is not homophobic,
// invalid UTF-8 bytes are treated as separators and text beyond MaxTextBytes is
// ignored.
func (c *Classifier) ClassifyText(text string) *Result {
	if len(text) > MaxTextBytes {
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	a := c.pool.Get().(*analysis)
	defer c.pool.Put(a)
	return c.classify(a, c.lex.Load(), text)
}

func (c *Classifier) classify(a *analysis, lx *lexicon, text string) *Result {
	a.run(lx, text)
	ro := a.applyRules()
	res := &Result{RuleScore: ro.score, ModelScore: -1, FrameList: []Frame{}, Evidence: []Evidence{}}
	for _, g := range guardOrder {
		if ro.guards.has(g) {
			res.Guards = append(res.Guards, g)
		}
	}
	score := ro.score
	if c.model != nil {
		a.features(&a.feat, &ro, c.model.bits)
		score = c.model.predictBin(&a.feat)
		res.ModelScore = score
		if (!ro.target && !c.cfg.NoTopicGate) || len(res.Guards) > 0 {
			// Topic gate: with no identity term, slur or anchor phrase, the n-grams
			// alone must not flag a post ("запретить энергетики несовершеннолетним").
			// Guards only ever downgrade: when one fired (self-reference, counter-speech,
			// reported speech, negation, reclaimed), the model cannot score above the
			// guarded rule score. Chosen by 4-fold cross-validation on the training part
			// over model-only, rules-only, mean and geometric mean.
			score = min(score, ro.score)
		}
	}
	res.Prob = math.Round(score*1e4) / 1e4
	if score < c.threshold {
		return res
	}
	for i, f := range frameList {
		if ro.frames[i] {
			res.FrameList = append(res.FrameList, f)
		}
	}
	if len(res.FrameList) > 0 {
		for _, e := range ro.evidence {
			if ro.frames[frameIndex(e.Frame)] {
				res.Evidence = append(res.Evidence, e)
			}
		}
	} else if c.model != nil {
		// The model flags without a rule frame: take its frame heads and explain with
		// the words that pushed the top frame most.
		pf := c.model.predictFrames(&a.feat)
		best := 0
		for i := range pf {
			if pf[i] >= 0.5 {
				res.FrameList = append(res.FrameList, frameList[i])
			}
			if pf[i] > pf[best] {
				best = i
			}
		}
		if len(res.FrameList) == 0 {
			res.FrameList = append(res.FrameList, frameList[best])
		}
		res.Evidence = a.modelEvidence(c.model, best)
	}
	res.Homophobic = true
	return res
}

// modelEvidence returns the (up to three) tokens whose word and character features add
// most to frame head fi, as explanation spans of a model-only flag.
func (a *analysis) modelEvidence(m *Model, fi int) []Evidence {
	type cand struct {
		t int
		s float32
	}
	var top [3]cand
	for i := range top {
		top[i].t = -1
	}
	mask := uint32(1)<<m.bits - 1
	k := len(frameList)
	var buf [64]rune
	for i := range a.toks {
		t := &a.toks[i]
		w := a.norm[t.n0:t.n1]
		if len(w) > 40 {
			w = w[:40]
		}
		var s float32
		add := func(f uint32) { s += m.wFrames[int(f&mask)*k+fi] + m.wBin[f&mask] }
		add(hashRunes(nsWord, w))
		b := append(append(append(buf[:0], '^'), w...), '$')
		for n := 3; n <= 5; n++ {
			for j := 0; j+n <= len(b); j++ {
				add(hashRunes(nsChar, b[j:j+n]))
			}
		}
		for j := range top {
			if top[j].t < 0 || s > top[j].s {
				copy(top[j+1:], top[j:len(top)-1])
				top[j] = cand{i, s}
				break
			}
		}
	}
	var ev []Evidence
	for i, c := range top {
		// Keep the strongest word even when no word pushes the frame up, so that a
		// flag always carries evidence.
		if c.t < 0 || (c.s <= 0 && i > 0) {
			continue
		}
		t := &a.toks[c.t]
		ev = append(ev, Evidence{Start: t.start, End: t.end, Text: a.text[t.start:t.end], Frame: frameList[fi]})
	}
	return dedupEvidence(ev)
}
