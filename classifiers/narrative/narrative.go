// Package narrative flags homophobic and transphobic speech in all its forms, names the
// narrative frames (propaganda_ban, foreign_agent, western_values, traditional_family,
// child_protection, political_smear, dehumanization, violence_threat) and the taxonomy
// labels (derogation, stereotype, ..., slur_insult), in Russian, Kyrgyz, English and
// some Uzbek.
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
//  4. a hashed n-gram logistic regression trained on real data that also sees the rule
//     outcome, calibrated on dev data with the rules as a second stage (select.go), whose
//     score a fired guard can only lower.
//
// Every labelled item belongs to a frozen part (train, dev, test) by SplitOf; training
// reads train, every choice is made on dev, and test is only reported (EvalCommand).
//
// The lexicon lives in lexicon/*.tsv (embedded, or read from lexicon_dir so analysts
// can edit it; Reload re-reads it). Every flag carries evidence spans with byte offsets
// into the original text.
package narrative

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
)

// Name is the classifier's registry name and its key in the classify output.
const Name = "narrative"

// rulesVersion changes whenever the rule or feature code changes the output.
const rulesVersion = "2"

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
	// Threshold on the calibrated score for "homophobic": one per deployment. Empty:
	// the threshold chosen on dev data when the model was trained (DefaultThreshold
	// without a model).
	Threshold *float64 `yaml:"threshold"`
	// NoTopicGate lets the model flag posts without any identity term, slur or anchor
	// phrase under the "gate" combination (format 1 models). Off by default.
	NoTopicGate bool `yaml:"no_topic_gate"`
	// Combine overrides the model's combination with the rules ("model", "guard-cap",
	// "union", "gate", "topic-cap"; see ModelMeta.Combine and capScore). Empty: the mode
	// chosen on dev at training.
	Combine string `yaml:"combine"`
}

// ParseConfig decodes the YAML section strictly (unknown keys are errors) and applies
// overrides ("lexicon_dir", "model", "threshold") from the command line.
func ParseConfig(node *yaml.Node, overrides map[string]string) (Config, error) {
	var c Config
	if err := config.DecodeSection(node, "classifiers."+Name, &c); err != nil {
		return c, err
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
	switch c.Combine {
	case "", CombineModel, CombineGuardCap, CombineGate, CombineUnion, CombineTopicCap:
	default:
		return c, fmt.Errorf("narrative config: combine %q: want model, guard-cap, union or gate", c.Combine)
	}
	return c, nil
}

// Result is the narrative verdict on one post. It marshals as issue 4's object:
// {"homophobic":bool,"score":float,"frames":[…],"evidence":[{start,end,text,frame}]}.
type Result struct {
	Homophobic bool    `json:"homophobic"`
	Prob       float64 `json:"score"`
	FrameList  []Frame `json:"frames"`
	// LabelList are the taxonomy labels (derogation, stereotype, ..., slur_insult). A
	// post that is not homophobic can carry slur_insult alone: a slur used as a general
	// insult, for analysts to filter separately.
	LabelList []Label    `json:"labels"`
	Evidence  []Evidence `json:"evidence"`
	// Guards lists the guards that fired (not in the JSON output; for eval and
	// analysts' debugging tools).
	Guards []string `json:"-"`
	// RuleScore and ModelScore are the two inputs of the score (ModelScore is -1
	// without a model).
	RuleScore  float64 `json:"-"`
	ModelScore float64 `json:"-"`
	// Thread tells how the thread's root (post.Post.Context) weighed in: "" (no context,
	// or it changed nothing), ThreadImplicitTarget or ThreadOtherTopic (thread.go).
	Thread string `json:"thread,omitempty"`
}

// DecodeResult parses a result as the classify stage publishes it and ClickHouse stores
// it (classifications.result, narrative_posts.result). It is the one decoder of the
// narrative result: the web UI's evidence highlights and the reports' evidence phrases
// are read through it.
func DecodeResult(raw []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("narrative result: %w", err)
	}
	return &r, nil
}

// Flagged implements classifiers.Result.
func (r *Result) Flagged() bool { return r.Homophobic }

// Score implements classifiers.Result.
func (r *Result) Score() float64 { return r.Prob }

// Labels implements classifiers.Result: the frame ids, then the taxonomy labels.
func (r *Result) Labels() []string {
	out := make([]string, 0, len(r.FrameList)+len(r.LabelList))
	for _, f := range r.FrameList {
		out = append(out, string(f))
	}
	for _, l := range r.LabelList {
		out = append(out, string(l))
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
	combine   string
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
	r.Add(classifiers.Factory{Name: Name, CheckConfig: func(node *yaml.Node, _ string) error {
		_, err := ParseConfig(node, nil)
		return err
	}, New: func(ctx context.Context, deps classifiers.Deps) (classifiers.Classifier, error) {
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
	c.setModel(c.model)
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

// setModel installs m (nil: rules only) with its threshold and combination mode,
// unless the configuration sets them.
func (c *Classifier) setModel(m *Model) {
	c.model = m
	c.threshold = DefaultThreshold
	c.combine = CombineGate
	if m != nil {
		c.combine = m.combine()
		if m.Meta.Threshold > 0 {
			c.threshold = m.Meta.Threshold
		}
	}
	if c.cfg.Threshold != nil {
		c.threshold = *c.cfg.Threshold
	}
	if c.cfg.Combine != "" {
		c.combine = c.cfg.Combine
	}
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
	r := c.ClassifyInThread(p.Text, p.Context)
	if c.metrics != nil {
		c.metrics.posts.WithLabelValues(strconv.FormatBool(r.Homophobic)).Inc()
	}
	return r, nil
}

// ClassifyText classifies one text. It never fails: empty text is not homophobic,
// invalid UTF-8 bytes are treated as separators and text beyond MaxTextBytes is
// ignored.
func (c *Classifier) ClassifyText(text string) *Result {
	return c.ClassifyInThread(text, "")
}

// cutText cuts text to MaxTextBytes at a rune boundary.
func cutText(text string) string {
	if len(text) > MaxTextBytes {
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return text
}

func (c *Classifier) classify(a *analysis, lx *lexicon, text string, topic threadTopic) *Result {
	a.run(lx, text)
	a.threadLGBT = topic == topicLGBT
	ro := a.applyRules()
	res := &Result{RuleScore: ro.score, ModelScore: -1, FrameList: []Frame{}, LabelList: []Label{}, Evidence: []Evidence{}}
	for _, g := range guardOrder {
		if ro.guards.has(g) {
			res.Guards = append(res.Guards, g)
		}
	}
	score := ro.score
	if c.model != nil && len(a.toks) > 0 {
		// (a post without any word, such as "*@#$%", has nothing for the model to weigh)
		a.features(&a.feat, &ro, c.model.spec(), c.model.withRules())
		gap := 0.0
		if c.model.Meta.CalibF != 0 {
			gap = a.sentenceGap(c.model, &a.feat, c.model.spec())
		}
		score = c.model.predictBin(&a.feat, &ro, gap)
		res.ModelScore = score
		named := ro.target || c.cfg.NoTopicGate || (c.combine == CombineTopicCap && c.model.speaksOfTopic(text, &a.feat))
		score = capScore(c.combine, score, ro.score, named, len(res.Guards) > 0 || a.tooShortToJudge(&ro), ro.cue, c.threshold)
	}
	if topic == topicOther && !ro.target && score >= c.threshold {
		// The comment names no LGBT people and answers a root about something else:
		// whatever it says, it is not about LGBT people (thread.go).
		score = math.Nextafter(c.threshold, 0)
		res.Thread = ThreadOtherTopic
	}
	if topic == topicLGBT && ro.implicit {
		res.Thread = ThreadImplicitTarget
	}
	res.Prob = math.Round(score*1e4) / 1e4
	if score < c.threshold {
		if ro.slur && !ro.guards.has(GuardSelf) && !ro.guards.has(GuardCounter) && !ro.guards.has(GuardReported) {
			// Homophobic language without a narrative about LGBT people: reported for
			// analysts, not flagged.
			res.LabelList = append(res.LabelList, LabelSlurInsult)
			for _, e := range ro.evidence {
				if e.Frame == FrameDehumanization {
					res.Evidence = append(res.Evidence, e)
				}
			}
		}
		return res
	}
	for i, f := range frameList {
		if ro.frames[i] {
			res.FrameList = append(res.FrameList, f)
		}
	}
	var aux []float64
	if c.model != nil && c.model.nAux > 0 {
		aux = c.model.predictAux(&a.feat, a.aux)
		a.aux = aux
	}
	if len(res.FrameList) > 0 {
		for _, e := range ro.evidence {
			if ro.frames[frameIndex(e.Frame)] {
				res.Evidence = append(res.Evidence, e)
			}
		}
	} else if aux != nil {
		// The model flags without a rule frame: take its frame heads and explain with
		// the words that pushed the top frame most. A flag may have no frame (the
		// taxonomy's frames are optional) when no head reaches 0.5.
		best := 0
		for i := range frameList {
			if aux[i] >= 0.5 {
				res.FrameList = append(res.FrameList, frameList[i])
			}
			if aux[i] > aux[best] {
				best = i
			}
		}
		res.Evidence = a.modelEvidence(c.model, best)
	}
	res.LabelList = c.labels(&ro, res.FrameList, aux)
	res.Homophobic = true
	return res
}

// frameLabel is the taxonomy label a rule frame implies when the model's label heads
// name none (rules-only classifiers, or heads all under 0.5).
var frameLabel = [len(frameList)]Label{
	LabelExclusion,      // propaganda_ban: bans on "propaganda"
	LabelStereotype,     // foreign_agent
	LabelStereotype,     // western_values
	LabelExclusion,      // traditional_family: "nothing else will be allowed"
	LabelStereotype,     // child_protection: "a danger to children"
	LabelDerogation,     // political_smear
	LabelDehumanisation, // dehumanization
	LabelThreatViolence, // violence_threat
}

// minWordsToJudge is the fewest words the model may flag a post on by itself: in a
// shorter post with no frame cue or slur ("ok", "гей", "first!") a few character
// n-grams carry the whole L2-normalised vector, and the score says more about the
// letters than about the post.
const minWordsToJudge = 3

// tooShortToJudge reports a post the model alone must not flag: fewer than
// minWordsToJudge words and no frame cue or slur the rules counted. capScore caps it
// like a guarded post, so only the rule layer could flag it.
func (a *analysis) tooShortToJudge(ro *ruleOutcome) bool {
	return len(a.toks) < minWordsToJudge && !ro.cue && !ro.slur
}

// capScore combines the model score p with the rules under a combination mode. A cap
// maps the rule score onto the model's threshold, so that a capped post is flagged only
// when the rule layer alone would flag it too (rule score at or over DefaultThreshold):
//   - guard-cap: when a guard fired (self-reference, counter-speech, reported speech,
//     negation, reclaimed), guards only ever downgrade;
//   - gate: also when no identity term, slur or anchor phrase is present (the n-grams
//     alone cannot flag);
//   - union: guard-cap, and a post the rule layer flags without any guard on a frame
//     cue (not on slurs alone, which are as often general insults) is flagged too
//     (rules or model, the two-stage combination);
//   - model: the calibrated model score alone.
func capScore(mode string, p, rule float64, target, guarded, cue bool, threshold float64) float64 {
	capped := false
	switch mode {
	case CombineGate, CombineTopicCap:
		capped = guarded || !target
	case CombineGuardCap:
		capped = guarded
	case CombineUnion:
		capped = guarded
		if !guarded && cue && rule >= DefaultThreshold {
			// the rule layer flags on its own: map its score onto [threshold, 1]
			p = max(p, threshold+(rule-DefaultThreshold)*(1-threshold)/(1-DefaultThreshold))
		}
	}
	if !capped {
		return p
	}
	return min(p, rule*threshold/DefaultThreshold)
}

// labels names the taxonomy labels of a flagged post: the model's label heads at 0.5
// or above, a slur the rules found and a violence frame; when the heads name none, the
// labels the frames imply, and failing that the most likely head, so every flag
// carries at least one label.
func (c *Classifier) labels(ro *ruleOutcome, frames []Frame, aux []float64) []Label {
	var on [len(labelList)]bool
	if ro.slur {
		on[labelIndex(LabelSlur)] = true
	}
	nf := len(frameList)
	best, heads := -1, false
	if len(aux) >= nf+len(labelList) {
		for i, l := range labelList {
			if l == LabelSlurInsult {
				continue
			}
			p := aux[nf+i]
			if p >= 0.5 {
				on[i], heads = true, true
			}
			if best < 0 || p > aux[nf+best] {
				best = i
			}
		}
	}
	for _, f := range frames {
		if l := frameLabel[frameIndex(f)]; !heads || l == LabelThreatViolence {
			on[labelIndex(l)] = true
		}
	}
	out := []Label{}
	for i, l := range labelList {
		if on[i] {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		if best >= 0 {
			out = append(out, labelList[best])
		} else {
			out = append(out, LabelDerogation)
		}
	}
	return out
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
	fs := m.spec()
	mask := uint32(1)<<fs.bits - 1
	k := m.nAux
	var buf [64]rune
	for i := range a.toks {
		t := &a.toks[i]
		w := a.norm[t.n0:t.n1]
		if len(w) > 40 {
			w = w[:40]
		}
		var s float32
		add := func(f uint32) { s += m.wAux[int(f&mask)*k+fi] + m.wBin[f&mask] }
		add(hashRunes(nsWord, w))
		b := append(append(append(buf[:0], '^'), w...), '$')
		for n := fs.charMin; n <= fs.charMax; n++ {
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
