package narrative

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// Model is a hashed-feature logistic regression with one head for "homophobic", one
// per frame and one per taxonomy label. Features are the post's normalised words and
// word bigrams, character 3-5-grams inside words and (Meta.Features "ngrams+rules") the
// rule layer's outcome (frames found, guards fired), so the one trained score combines
// rules and statistics. The homophobic score is calibrated on dev data (Platt scaling,
// Meta.CalibA/CalibB). It is immutable once built.
type Model struct {
	// Meta describes how and on what the model was trained.
	Meta ModelMeta
	bits uint
	// wBin is the homophobic head; wAux holds the frame heads then the label heads,
	// row-major by feature (nAux values per feature).
	wBin []float32
	wAux []float32
	nAux int
	bias []float32 // 1 + nAux
	hash string
}

// ModelMeta is the JSON header of a model file.
type ModelMeta struct {
	Format string  `json:"format"`
	Bits   uint    `json:"bits"`
	Frames []Frame `json:"frames"`
	// Labels are the taxonomy label heads after the frame heads (absent in format 1).
	Labels    []Label   `json:"labels,omitempty"`
	Lexicon   string    `json:"lexicon"`
	TrainedOn []string  `json:"trained_on"`
	Examples  int       `json:"examples"`
	Epochs    int       `json:"epochs"`
	Bias      []float32 `json:"bias"`
	// Features is "ngrams+rules" (n-grams and the rule outcome) or "ngrams".
	Features string `json:"features,omitempty"`
	// Combine is how the classifier combines the model score with the rules:
	// "model" (the calibrated model score alone), "guard-cap" (a fired guard caps the
	// score at the guarded rule score), "union" (guard-cap, and an unguarded rule flag
	// flags) or "gate" (also: no identity term, slur or anchor caps it). Empty means
	// "gate" (format 1 models). See capScore.
	Combine string `json:"combine,omitempty"`
	// CalibA..CalibE calibrate the homophobic head:
	// p = sigmoid(A*z + B + C*[no identity term, slur or anchor] + D*r + E*[slur only]) for the raw
	// logit z and the unguarded rule score r (0 when a guard fired or only slurs
	// counted), fitted on dev data. A = 0 means uncalibrated (p = sigmoid(z)).
	CalibA float64 `json:"calib_a,omitempty"`
	CalibB float64 `json:"calib_b,omitempty"`
	CalibC float64 `json:"calib_c,omitempty"`
	CalibD float64 `json:"calib_d,omitempty"`
	// CalibE weighs "an unguarded slur is the only evidence".
	CalibE float64 `json:"calib_e,omitempty"`
	// CalibF weighs the sentence-max gap (analysis.sentenceGap; 0: not used, and not
	// computed).
	CalibF float64 `json:"calib_f,omitempty"`
	// Threshold is the score threshold chosen on dev data; the classifier uses it unless
	// the configuration sets one (0 means DefaultThreshold).
	Threshold float64 `json:"threshold,omitempty"`
	// BalancedDatasets tells that the homophobic head was trained with every data set
	// weighing the same (TrainOptions.BalanceDatasets).
	BalancedDatasets bool `json:"balanced_datasets,omitempty"`
	// CharMin and CharMax are the character n-gram range (0: 3 to 5).
	CharMin int `json:"char_min,omitempty"`
	CharMax int `json:"char_max,omitempty"`
	// WordWeight splits the n-gram norm between words and character n-grams (0:
	// normalised together); see featureSpec.
	WordWeight float64 `json:"word_weight,omitempty"`
	// Selection records the candidates compared on dev and the winner, for reports.
	Selection []string `json:"selection,omitempty"`
	// Seed is the first example-order seed and Seeds the number of runs whose weights
	// were averaged (TrainOptions.Seed, Seeds; 0 and 0: one run in the original order).
	Seed  uint64 `json:"seed,omitempty"`
	Seeds int    `json:"seeds,omitempty"`
	// LengthFeature tells that the input has the post-length bucket (featureSpec.length).
	LengthFeature bool `json:"length_feature,omitempty"`
	// TopicHead tells that one more head follows the label heads: "is this post about
	// LGBT people?" (the examples' target, or the shared data sets' lgbt_related),
	// read by the topic-cap combination (topicAt).
	TopicHead bool `json:"topic_head,omitempty"`
}

// Model formats: 1 has frame heads only; 2 adds label heads, calibration, threshold.
const (
	modelFormatV1 = "kuzot-narrative-lr/1"
	modelFormat   = "kuzot-narrative-lr/2"
)

// Feature sets and combination modes (ModelMeta.Features, ModelMeta.Combine).
const (
	FeaturesNgramsRules = "ngrams+rules"
	FeaturesNgrams      = "ngrams"
	CombineModel        = "model"
	CombineGuardCap     = "guard-cap"
	CombineGate         = "gate"
	CombineUnion        = "union"
	// CombineTopicCap is guard-cap, and a post with no identity term, slur or anchor
	// phrase is capped unless it speaks of LGBT people's topics (a pride march, a rainbow
	// flag, the rainbow emoji: topicSignal) or its thread does: the n-grams alone cannot
	// turn "Таких надо гнать из страны" into a flag, but an unnamed target under a
	// rainbow or a pride headline can be.
	CombineTopicCap = "topic-cap"
)

//go:embed model/narrative.model
var embeddedModel []byte

// featureBits is the default hash space (2^18 features, 1 MiB for the main head).
const featureBits = 18

// Feature namespaces, mixed into the hash so a word and a char n-gram never collide
// by construction.
const (
	nsWord uint32 = iota + 1
	nsBigram
	nsChar
	nsRule
)

const fnvOffset, fnvPrime = 2166136261, 16777619

func hashRunes(ns uint32, rs []rune) uint32 {
	h := uint32(fnvOffset) ^ ns*0x9E3779B9
	for _, r := range rs {
		h ^= uint32(r)
		h *= fnvPrime
	}
	return h
}

func hashMix(a, b uint32) uint32 {
	h := a ^ (b + 0x9E3779B9 + (a << 6) + (a >> 2))
	h ^= h >> 15
	h *= 0x2C1B3C6D
	h ^= h >> 12
	return h
}

// vec is a sparse feature vector: hashed indices and their values.
type vec struct {
	idx []uint32
	val []float32
}

func (v *vec) reset() { v.idx, v.val = v.idx[:0], v.val[:0] }

func (v *vec) add(i uint32, x float32) {
	v.idx = append(v.idx, i)
	v.val = append(v.val, x)
}

// featureSpec is the n-gram layout of a model: hash bits, the character n-gram range
// and how words and character n-grams share the feature norm.
type featureSpec struct {
	bits             uint
	charMin, charMax int
	// wordWeight, when > 0, normalises the word block (unigrams and bigrams) and the
	// character block separately, to L2 norms wordWeight and 1-wordWeight; 0
	// normalises them together (the layout of models before it existed).
	wordWeight float32
	// length adds one feature for the post's length in words (a bucket, value 1): the
	// L2 normalisation of the n-grams removes it (issue 14: on LT-EDI the hateful
	// comments are about twice as long as the others).
	length bool
}

// defaultSpec is the layout of a model whose header names none.
func defaultSpec(bits uint) featureSpec { return featureSpec{bits: bits, charMin: 3, charMax: 5} }

// spec is m's n-gram layout.
func (m *Model) spec() featureSpec {
	fs := defaultSpec(m.bits)
	if m.Meta.CharMin > 0 {
		fs.charMin, fs.charMax = m.Meta.CharMin, m.Meta.CharMax
	}
	fs.wordWeight = float32(m.Meta.WordWeight)
	fs.length = m.Meta.LengthFeature
	return fs
}

// lengthBucket is the length bucket of a post of n words: 1-3, 4-7, 8-15, 16-31,
// 32-63, 64 and more (0 words: no feature).
func lengthBucket(n int) int {
	b := 0
	for n >= 4 && b < 5 {
		n >>= 1
		b++
	}
	return b
}

var lengthFeatureHashes = func() []uint32 {
	out := make([]uint32, 6)
	for i := range out {
		out[i] = hashRunes(nsRule, []rune(fmt.Sprintf("length:%d", i)))
	}
	return out
}()

// features fills v with the post's features: word unigrams and bigrams and character
// n-grams inside words (3-5 unless fs says otherwise), L2-normalised (together, or as
// two blocks, see featureSpec), and the rule layer's outcome at full weight (value 1,
// and the rule score itself), so that a handful of rule features is not drowned by
// hundreds of n-grams.
func (a *analysis) features(v *vec, ro *ruleOutcome, fs featureSpec, withRules bool) {
	v.reset()
	mask := uint32(1)<<fs.bits - 1
	var prev uint32
	var buf [64]rune
	nWord := 0
	a.sentStart = a.sentStart[:0]
	for i := range a.toks {
		t := &a.toks[i]
		if i == 0 || a.toks[i-1].sent != t.sent {
			a.sentStart = append(a.sentStart, len(v.idx))
		}
		w := a.norm[t.n0:t.n1]
		if len(w) > 40 {
			w = w[:40]
		}
		hw := hashRunes(nsWord, w)
		v.add(hw&mask, 1)
		nWord++
		if i > 0 && a.toks[i-1].sent == t.sent {
			v.add(hashMix(prev, hw)&mask, 1)
			nWord++
		}
		prev = hw
		// char n-grams with word boundaries
		b := buf[:0]
		b = append(b, '^')
		b = append(b, w...)
		b = append(b, '$')
		for n := fs.charMin; n <= fs.charMax; n++ {
			for s := 0; s+n <= len(b); s++ {
				v.add(hashRunes(nsChar, b[s:s+n])&mask, 2) // 2 marks the char block
			}
		}
	}
	a.nGram = len(v.idx)
	a.blockMark = append(a.blockMark[:0], v.val...)
	if n := len(v.val); n > 0 {
		if fs.wordWeight > 0 && nWord < n {
			wn := fs.wordWeight / float32(math.Sqrt(float64(nWord)))
			cn := (1 - fs.wordWeight) / float32(math.Sqrt(float64(n-nWord)))
			for i := range v.val {
				if v.val[i] == 1 {
					v.val[i] = wn
				} else {
					v.val[i] = cn
				}
			}
		} else {
			norm := float32(1 / math.Sqrt(float64(n)))
			for i := range v.val {
				v.val[i] = norm
			}
		}
	}
	if fs.length && len(a.toks) > 0 {
		v.add(lengthFeatureHashes[lengthBucket(len(a.toks))]&mask, 1)
	}
	if !withRules {
		return
	}
	// Lexicon hits anywhere in the post, paired or not: the lexicon covers ru/ky/uz/en,
	// so these carry what the model learns in one language to the others ("a frame cue
	// and a pronoun", "a slur and a counter-speech cue").
	var seen uint64
	for _, h := range a.hits {
		e := &a.lx.entries[h.entry]
		i := int(e.kind)
		if e.kind == kindFrame {
			i = lexFrameBase + frameIndex(e.frame)
		}
		if i < 0 || i >= len(lexFeatureHashes) {
			continue
		}
		if a.negated(h) {
			i += lexNegated
		}
		if i < len(lexFeatureHashes) && seen&(1<<uint(i)) == 0 {
			seen |= 1 << uint(i)
			v.add(lexFeatureHashes[i]&mask, 1)
		}
	}
	for i := range ruleFeatureHashes {
		if ro.has(i) {
			v.add(ruleFeatureHashes[i]&mask, 1)
		}
	}
	v.add(ruleScoreHash&mask, float32(ro.score))
}

// ruleFeatureNames are the rule layer's outcomes as model features; has(i) tells
// whether feature i is on. The hashes are computed once (read-only tables).
var ruleFeatureNames = func() []string {
	var out []string
	for _, f := range frameList {
		out = append(out, "frame:"+string(f), "guarded:"+string(f))
	}
	out = append(out, "frame:any", "rules:strong")
	for _, g := range guardOrder {
		out = append(out, "guard:"+g)
	}
	return append(out, "target", "no-target", "quoted")
}()

var ruleFeatureHashes = func() []uint32 {
	out := make([]uint32, len(ruleFeatureNames))
	for i, n := range ruleFeatureNames {
		out[i] = hashRunes(nsRule, []rune(n))
	}
	return out
}()

var ruleScoreHash = hashRunes(nsRule, []rune("rules:score"))

// Lexicon-hit features: index kind (1..kindAnaphor) or lexFrameBase+frame, plus
// lexNegated when the hit is negated.
const (
	lexFrameBase = int(kindAnaphor) + 1
	lexNegated   = lexFrameBase + len(frameList)
)

var lexFeatureHashes = func() []uint32 {
	out := make([]uint32, 2*lexNegated)
	for i := range out {
		name := fmt.Sprintf("lex:%d", i)
		out[i] = hashRunes(nsRule, []rune(name))
	}
	return out
}()

// guardOrder is the fixed order of guards in features and output.
var guardOrder = [...]string{GuardSelf, GuardReclaimed, GuardCounter, GuardReported, GuardNegation}

// has reports whether rule feature i (an index into ruleFeatureNames) is on.
func (ro *ruleOutcome) has(i int) bool {
	nf := 2 * len(frameList)
	switch {
	case i < nf:
		if i%2 == 0 {
			return ro.frames[i/2]
		}
		return ro.guarded[i/2]
	case i == nf:
		return ro.anyFrame()
	case i == nf+1:
		return ro.anyFrame() && ro.score >= 0.5
	case i < nf+2+len(guardOrder):
		return ro.guards.has(guardOrder[i-nf-2])
	case i == nf+2+len(guardOrder):
		return ro.target
	case i == nf+3+len(guardOrder):
		return !ro.target
	default:
		return ro.quoted
	}
}

func (ro *ruleOutcome) anyFrame() bool {
	for _, f := range ro.frames {
		if f {
			return true
		}
	}
	return false
}

func sigmoid(x float64) float64 {
	if x < -30 {
		return 0
	}
	if x > 30 {
		return 1
	}
	return 1 / (1 + math.Exp(-x))
}

// logit returns the raw homophobic logit of v.
func (m *Model) logit(v *vec) float64 {
	s := float64(m.bias[0])
	for i, f := range v.idx {
		s += float64(m.wBin[f] * v.val[i])
	}
	return s
}

// predictBin returns the calibrated homophobic probability of v given the rule outcome
// and sentGap, the sentence-max gap of the post (sentenceGap; used only when the
// calibration weighs it, CalibF).
func (m *Model) predictBin(v *vec, ro *ruleOutcome, sentGap float64) float64 {
	f := calibFeatures(m.logit(v), ro.target, unguardedRule(ro.score, ro.guards != 0, ro.cue), ro.slur && !ro.cue && ro.guards == 0, sentGap)
	return calibrated(m.calibration(), f)
}

// calibration is the stored calibration weights in calibFeatures order.
func (m *Model) calibration() [calibDim]float64 {
	return [calibDim]float64{m.Meta.CalibA, m.Meta.CalibB, m.Meta.CalibC, m.Meta.CalibD, m.Meta.CalibE, m.Meta.CalibF}
}

// sentenceGap is how much higher the model's logit is on the post's most hateful
// sentence, scored alone (its n-grams re-normalised as if it were the whole post, with
// the post's rule features), than on the whole post: max(0, max_s z_s - z). It is 0 for
// a one-sentence post. A long comment with one hateful sentence among neutral ones is
// diluted by the L2 normalisation; the calibration (a second stage fitted on dev)
// decides how much this gap counts (CalibF). It reads the segments that features
// recorded for v.
func (a *analysis) sentenceGap(m *Model, v *vec, fs featureSpec) float64 {
	if len(a.sentStart) < 2 || a.nGram > len(v.idx) || len(a.blockMark) != a.nGram {
		return 0
	}
	rest := float64(m.bias[0])
	for i := a.nGram; i < len(v.idx); i++ {
		rest += float64(m.wBin[v.idx[i]] * v.val[i])
	}
	z := m.logit(v)
	best := math.Inf(-1)
	for s, start := range a.sentStart {
		end := a.nGram
		if s+1 < len(a.sentStart) {
			end = a.sentStart[s+1]
		}
		var sw, sc float64
		nw, nc := 0, 0
		for i := start; i < end; i++ {
			w := float64(m.wBin[v.idx[i]])
			if a.blockMark[i] == 1 {
				sw += w
				nw++
			} else {
				sc += w
				nc++
			}
		}
		if nw+nc == 0 {
			continue
		}
		var zs float64
		if fs.wordWeight > 0 && nc > 0 {
			zs = float64(fs.wordWeight)/math.Sqrt(float64(nw))*sw + (1-float64(fs.wordWeight))/math.Sqrt(float64(nc))*sc
		} else {
			zs = (sw + sc) / math.Sqrt(float64(nw+nc))
		}
		best = math.Max(best, zs+rest)
	}
	if gap := best - z; gap > 0 {
		return gap
	}
	return 0
}

// withRules reports whether the model's features include the rule outcome.
func (m *Model) withRules() bool { return m.Meta.Features != FeaturesNgrams }

// combine is the model's combination mode with the rules.
func (m *Model) combine() string {
	if m.Meta.Combine == "" {
		return CombineGate
	}
	return m.Meta.Combine
}

// predictAux returns the probabilities of the auxiliary heads (frames, then labels).
func (m *Model) predictAux(v *vec, out []float64) []float64 {
	k := m.nAux
	out = append(out[:0], make([]float64, k)...)
	for i, f := range v.idx {
		row := m.wAux[int(f)*k : int(f)*k+k]
		x := v.val[i]
		for j := range row {
			out[j] += float64(row[j] * x)
		}
	}
	for j := range out {
		out[j] = sigmoid(float64(m.bias[1+j]) + out[j])
	}
	return out
}

// topicAt returns the topic head's probability that v is about LGBT people, and false
// when the model has no topic head.
func (m *Model) topicAt(v *vec) (float64, bool) {
	if !m.Meta.TopicHead {
		return 0, false
	}
	k := m.nAux
	j := k - 1
	s := float64(m.bias[1+j])
	for i, f := range v.idx {
		s += float64(m.wAux[int(f)*k+j] * v.val[i])
	}
	return sigmoid(s), true
}

// speaksOfTopic reports whether a post speaks of LGBT people's topics for topic-cap: a
// topic phrase or flag emoji (topicSignal), or the topic head (when the model has one)
// at 0.5 or above, which reads the words the lexicon does not know.
func (m *Model) speaksOfTopic(text string, v *vec) bool {
	if topicSignal(text) {
		return true
	}
	p, ok := m.topicAt(v)
	return ok && p >= 0.5
}

// predictFrames returns the per-frame probabilities of v.
func (m *Model) predictFrames(v *vec) [len(frameList)]float64 {
	var out [len(frameList)]float64
	copy(out[:], m.predictAux(v, nil))
	return out
}

// Version identifies the weights (a hash of the model file).
func (m *Model) Version() string { return m.hash }

// minWeight prunes near-zero weights when saving, keeping model files small.
const minWeight = 1e-4

// Save writes the model as gzip(magic, JSON header, sparse rows).
func (m *Model) Save(w io.Writer) error {
	zw := gzip.NewWriter(w)
	bw := bufio.NewWriter(zw)
	m.Meta.Format = modelFormat
	m.Meta.Bits = m.bits
	m.Meta.Frames = AllFrames()
	m.Meta.Labels = nil
	if m.nAux > len(frameList) {
		m.Meta.Labels = AllLabels()
	}
	m.Meta.Bias = m.bias
	hdr, err := json.Marshal(m.Meta)
	if err != nil {
		return fmt.Errorf("model header: %w", err)
	}
	bw.WriteString("KNLR")
	binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
	bw.Write(hdr)
	k := m.nAux
	row := make([]float32, 1+k)
	for f := 0; f < len(m.wBin); f++ {
		row[0] = m.wBin[f]
		copy(row[1:], m.wAux[f*k:f*k+k])
		keep := false
		for _, v := range row {
			if v > minWeight || v < -minWeight {
				keep = true
				break
			}
		}
		if !keep {
			continue
		}
		binary.Write(bw, binary.LittleEndian, uint32(f))
		binary.Write(bw, binary.LittleEndian, row)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}

// MaxModelBytes bounds the decompressed size of a model file.
const MaxModelBytes = 64 << 20

// LoadModel reads a model written by Save. It rejects foreign or truncated files with
// a clear error instead of returning a half-filled model.
func LoadModel(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("model: not a gzip file: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, MaxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if len(data) > MaxModelBytes {
		return nil, fmt.Errorf("model: larger than %d bytes", MaxModelBytes)
	}
	if len(data) < 8 || string(data[:4]) != "KNLR" {
		return nil, errors.New("model: bad magic (not a kuzot narrative model)")
	}
	n := binary.LittleEndian.Uint32(data[4:8])
	if int(n) > len(data)-8 {
		return nil, errors.New("model: truncated header")
	}
	m := &Model{}
	if err := json.Unmarshal(data[8:8+n], &m.Meta); err != nil {
		return nil, fmt.Errorf("model header: %w", err)
	}
	if m.Meta.Format != modelFormat && m.Meta.Format != modelFormatV1 {
		return nil, fmt.Errorf("model: format %q, want %q", m.Meta.Format, modelFormat)
	}
	if m.Meta.Bits < 10 || m.Meta.Bits > 24 {
		return nil, fmt.Errorf("model: bits %d out of range", m.Meta.Bits)
	}
	if len(m.Meta.Frames) != len(frameList) {
		return nil, errors.New("model: frame list differs from this build")
	}
	for i, f := range m.Meta.Frames {
		if f != frameList[i] {
			return nil, fmt.Errorf("model: frame %d is %q, want %q", i, f, frameList[i])
		}
	}
	if len(m.Meta.Labels) != 0 && len(m.Meta.Labels) != len(labelList) {
		return nil, errors.New("model: label list differs from this build")
	}
	for i, l := range m.Meta.Labels {
		if l != labelList[i] {
			return nil, fmt.Errorf("model: label %d is %q, want %q", i, l, labelList[i])
		}
	}
	switch m.Meta.Combine {
	case "", CombineModel, CombineGuardCap, CombineGate, CombineUnion, CombineTopicCap:
	default:
		return nil, fmt.Errorf("model: unknown combine mode %q", m.Meta.Combine)
	}
	switch m.Meta.Features {
	case "", FeaturesNgramsRules, FeaturesNgrams:
	default:
		return nil, fmt.Errorf("model: unknown feature set %q", m.Meta.Features)
	}
	if m.Meta.CharMin != 0 && (m.Meta.CharMin < 1 || m.Meta.CharMax < m.Meta.CharMin || m.Meta.CharMax > 8) {
		return nil, fmt.Errorf("model: character n-gram range %d-%d out of [1,8]", m.Meta.CharMin, m.Meta.CharMax)
	}
	if m.Meta.WordWeight < 0 || m.Meta.WordWeight >= 1 || math.IsNaN(m.Meta.WordWeight) {
		return nil, fmt.Errorf("model: word weight %v out of [0,1)", m.Meta.WordWeight)
	}
	if m.Meta.Threshold < 0 || m.Meta.Threshold > 1 || math.IsNaN(m.Meta.Threshold) {
		return nil, fmt.Errorf("model: threshold %v out of [0,1]", m.Meta.Threshold)
	}
	k := len(m.Meta.Frames) + len(m.Meta.Labels)
	if m.Meta.TopicHead {
		if len(m.Meta.Labels) == 0 {
			return nil, errors.New("model: a topic head without label heads")
		}
		k++
	}
	if len(m.Meta.Bias) != 1+k {
		return nil, errors.New("model: bias count differs from its heads")
	}
	m.bits = m.Meta.Bits
	m.nAux = k
	m.bias = append([]float32(nil), m.Meta.Bias...)
	dim := 1 << m.bits
	m.wBin = make([]float32, dim)
	m.wAux = make([]float32, dim*k)
	body := data[8+n:]
	rec := 4 + 4*(1+k)
	if len(body)%rec != 0 {
		return nil, errors.New("model: truncated weights")
	}
	for off := 0; off < len(body); off += rec {
		f := binary.LittleEndian.Uint32(body[off:])
		if int(f) >= dim {
			return nil, fmt.Errorf("model: feature %d out of range", f)
		}
		m.wBin[f] = math.Float32frombits(binary.LittleEndian.Uint32(body[off+4:]))
		for j := 0; j < k; j++ {
			m.wAux[int(f)*k+j] = math.Float32frombits(binary.LittleEndian.Uint32(body[off+8+4*j:]))
		}
	}
	sum := sha256.Sum256(data)
	m.hash = hex.EncodeToString(sum[:4])
	return m, nil
}

// LoadModelFile loads a model from a path.
func LoadModelFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	m, err := LoadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// EmbeddedModel loads the model shipped in the binary, trained by `kuzot train` on the
// training part of the repository corpus only.
func EmbeddedModel() (*Model, error) {
	if len(embeddedModel) == 0 {
		return nil, errors.New("no embedded model")
	}
	return LoadModel(bytes.NewReader(embeddedModel))
}

// Example is one labelled training or evaluation post.
type Example struct {
	ID         string  `json:"id"`
	Lang       string  `json:"lang"`
	Text       string  `json:"text"`
	Homophobic bool    `json:"homophobic"`
	Frames     []Frame `json:"frames"`
	// Labels are the taxonomy sub-labels (TAXONOMY.md); empty unless homophobic, except
	// slur_insult.
	Labels []Label `json:"labels,omitempty"`
	// Kind is hate or a negative kind: self, reclaimed, counter, news, negation,
	// neutral, ordinary, slur_insult. Public data sets have no kind.
	Kind string `json:"kind,omitempty"`
	// Target is lgbt, other or none when annotated (TargetLGBT, TargetOther,
	// TargetNone); the loaders of the shared data sets set it from lgbt_related.
	Target string `json:"target,omitempty"`
	// Dataset names the data set the example comes from (see datasets.go).
	Dataset string `json:"dataset,omitempty"`
	// Part is the frozen part (train, dev, test) set by the loaders; empty means
	// SplitOf(ID).
	Part Part `json:"-"`
	// FramesKnown is false for data without frame labels (LT-EDI): frame heads skip it.
	FramesKnown bool `json:"-"`
	// LabelsKnown is false for data without taxonomy labels: label heads skip it.
	LabelsKnown bool `json:"-"`
	// Weight scales the example's loss in training (0 means 1).
	Weight float64 `json:"-"`
	// Context is the thread's root (title and text) of a comment, as post.Post.Context
	// (issue 17); empty for posts.
	Context string `json:"context,omitempty"`
}

// Example targets (Example.Target).
const (
	TargetLGBT  = "lgbt"
	TargetOther = "other"
	TargetNone  = "none"
)

// TrainOptions control Train.
type TrainOptions struct {
	Bits   uint
	Epochs int
	// L2 is the per-step weight decay.
	L2 float64
	// LR is the AdaGrad learning rate.
	LR float64
	// Sources names the data, recorded in the model header.
	Sources []string
	// Features is FeaturesNgramsRules (default) or FeaturesNgrams.
	Features string
	// Combine is recorded in the model (default CombineGuardCap); see ModelMeta.Combine.
	Combine string
	// BalanceDatasets weighs every data set the same in total, with its positives and
	// negatives balanced inside it, for the homophobic head (instead of balancing
	// positives and negatives over the pooled data, where the largest set dominates).
	// DatasetWeight multiplies a data set's total (default 1).
	BalanceDatasets bool
	DatasetWeight   map[string]float64
	// DatasetOffsets gives every data set its own intercept in the homophobic head
	// while training (not stored: the model has one intercept, re-fitted by the
	// calibration on dev), so that the n-gram weights learn what a post says rather
	// than which data set it comes from (MLMA is almost all hostile tweets, the
	// Russian forum posts are all negatives).
	DatasetOffsets bool
	// NBScale scales every hashed feature by its naive-Bayes log-count ratio
	// (NB-LR, Wang & Manning 2012) computed on the training data, interpolated as
	// 1 - NBScale + NBScale*|r|; 0 is off. The scale is folded into the stored
	// weights, so classification costs nothing more.
	NBScale float64
	// CharMin, CharMax and WordWeight set the n-gram layout (see ModelMeta). CharMin 0
	// means the shipped model's layout: character 1-3-grams, WordWeight 0.5.
	CharMin, CharMax int
	WordWeight       float64
	// Length adds the post-length bucket feature (ModelMeta.LengthFeature).
	Length bool
	// TopicHead trains the topic head (ModelMeta.TopicHead).
	TopicHead bool
	// Seed varies the order in which every epoch visits the examples (0: the order of
	// models before it existed). Seeds, when > 1, trains that many models on the same
	// data with seeds Seed, Seed+1, ... and averages their weights (one model, so
	// classification costs nothing more): the dev objective of a single run moves by
	// several points with the visiting order alone (issue 14), and averaging removes
	// that part of the variance.
	Seed  uint64
	Seeds int
}

func (o *TrainOptions) defaults() {
	if o.Bits == 0 {
		o.Bits = featureBits
	}
	if o.Epochs == 0 {
		o.Epochs = 15
	}
	if o.L2 == 0 {
		o.L2 = 1e-6
	}
	if o.LR == 0 {
		o.LR = 0.5
	}
	if o.Features == "" {
		o.Features = FeaturesNgramsRules
	}
	if o.Combine == "" {
		o.Combine = CombineGuardCap
	}
	if o.CharMin == 0 {
		// no layout given: the layout of the shipped model (chosen on dev, issue 14)
		o.CharMin, o.CharMax, o.WordWeight = 1, 3, 0.5
	}
}

// shuffle is a deterministic Fisher-Yates driven by an xorshift state, so a training
// run is reproducible without global rand state.
func shuffle(idx []int, seed uint64) {
	s := seed | 1
	for i := len(idx) - 1; i > 0; i-- {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		j := int(s % uint64(i+1))
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// auxTargets fills y and on for the auxiliary heads (frames, then labels) of e. The
// frame and label heads are conditional on a flag (they name the frames and labels of
// posts the homophobic head flags), so they learn from homophobic examples only; the
// slur_insult head learns from every example with label annotations.
func auxTargets(e *Example, y []float64, on []bool) {
	nf := len(frameList)
	for j := range y {
		y[j] = 0
		on[j] = false
	}
	if ti := nf + len(labelList); len(y) > ti {
		// The topic head: homophobic posts are about LGBT people; otherwise the
		// annotated target says (lgbt, or other/none), when there is one.
		switch {
		case e.Homophobic || e.Target == TargetLGBT:
			y[ti], on[ti] = 1, true
		case e.Target != "":
			on[ti] = true
		}
	}
	if !e.Homophobic {
		if e.LabelsKnown {
			si := nf + labelIndex(LabelSlurInsult)
			on[si] = true
			for _, l := range e.Labels {
				if l == LabelSlurInsult {
					y[si] = 1
				}
			}
		}
		return
	}
	if e.FramesKnown {
		for j := 0; j < nf; j++ {
			on[j] = true
		}
		for _, f := range e.Frames {
			if fi := frameIndex(f); fi >= 0 {
				y[fi] = 1
			}
		}
	}
	if e.LabelsKnown {
		for j := range labelList {
			on[nf+j] = true
		}
		for _, l := range e.Labels {
			if li := labelIndex(l); li >= 0 {
				y[nf+li] = 1
			}
		}
	}
}

// datasetWeights returns per-example weights for the homophobic head when
// opt.BalanceDatasets is set (nil otherwise): every data set gets the same total weight
// times DatasetWeight, split equally between its positives and negatives (a set with
// one class gets it all), scaled so that the mean example weight is 1.
func datasetWeights(exs []Example, opt TrainOptions) []float64 {
	if !opt.BalanceDatasets {
		return nil
	}
	type key struct {
		d string
		y bool
	}
	n := map[key]float64{}
	classes := map[string]int{}
	for _, e := range exs {
		k := key{e.Dataset, e.Homophobic}
		if n[k] == 0 {
			classes[e.Dataset]++
		}
		n[k]++
	}
	out := make([]float64, len(exs))
	var sum float64
	for i, e := range exs {
		dw := 1.0
		if w, ok := opt.DatasetWeight[e.Dataset]; ok {
			dw = w
		}
		ew := e.Weight
		if ew == 0 {
			ew = 1
		}
		out[i] = dw * ew / (float64(classes[e.Dataset]) * n[key{e.Dataset, e.Homophobic}])
		sum += out[i]
	}
	for i := range out {
		out[i] *= float64(len(exs)) / sum
	}
	return out
}

// trainLR fits all heads with AdaGrad on L2-normalised binary features, with class
// weights that balance positives and negatives per head and per-example weights.
func trainLR(feats []vec, exs []Example, opt TrainOptions) *Model {
	dim := 1 << opt.Bits
	k := len(frameList) + len(labelList)
	if opt.TopicHead {
		k++
	}
	heads := 1 + k
	m := &Model{bits: opt.Bits, wBin: make([]float32, dim), wAux: make([]float32, dim*k), nAux: k, bias: make([]float32, heads)}
	g2 := make([]float32, dim*heads) // AdaGrad accumulators
	bg2 := make([]float64, heads)
	y := make([]float64, heads)
	on := make([]bool, heads)
	binW := datasetWeights(exs, opt)
	// class weights
	pos, cnt := make([]float64, heads), make([]float64, heads)
	for i := range exs {
		e := &exs[i]
		w := e.Weight
		if w == 0 {
			w = 1
		}
		auxTargets(e, y[1:], on[1:])
		y[0], on[0] = 0, true
		if e.Homophobic {
			y[0] = 1
		}
		for h := 0; h < heads; h++ {
			if on[h] {
				cnt[h] += w
				pos[h] += w * y[h]
			}
		}
	}
	wPos, wNeg := make([]float64, heads), make([]float64, heads)
	for h := 0; h < heads; h++ {
		wPos[h], wNeg[h] = 1, 1
		if h == 0 && binW != nil {
			continue // balanced per data set
		}
		if pos[h] > 0 && cnt[h] > pos[h] {
			wPos[h] = cnt[h] / (2 * pos[h])
			wNeg[h] = cnt[h] / (2 * (cnt[h] - pos[h]))
		}
	}
	var scale []float32
	if opt.NBScale > 0 {
		scale = nbScale(feats, exs, dim, opt.NBScale)
		feats = scaleFeatures(feats, scale)
	}
	// per-data-set intercepts of the homophobic head (training only)
	var dsIndex []int
	var dsOff, dsG2 []float64
	if opt.DatasetOffsets {
		ids := map[string]int{}
		dsIndex = make([]int, len(exs))
		for i := range exs {
			j, ok := ids[exs[i].Dataset]
			if !ok {
				j = len(ids)
				ids[exs[i].Dataset] = j
			}
			dsIndex[i] = j
		}
		dsOff, dsG2 = make([]float64, len(ids)), make([]float64, len(ids))
	}
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	s := make([]float64, heads)
	for ep := 0; ep < opt.Epochs; ep++ {
		shuffle(order, uint64(ep+1)*0x9E3779B97F4A7C15+opt.Seed*0xD1B54A32D192ED03)
		for _, i := range order {
			v := &feats[i]
			if len(v.idx) == 0 {
				continue
			}
			e := &exs[i]
			ew := e.Weight
			if ew == 0 {
				ew = 1
			}
			y[0], on[0] = 0, true
			if e.Homophobic {
				y[0] = 1
			}
			auxTargets(e, y[1:], on[1:])
			anyAux := false
			for _, o := range on[1:] {
				anyAux = anyAux || o
			}
			for h := range s {
				s[h] = 0
			}
			for n, f := range v.idx {
				x := float64(v.val[n])
				s[0] += float64(m.wBin[f]) * x
				if anyAux {
					row := m.wAux[int(f)*k : int(f)*k+k]
					for j := 0; j < k; j++ {
						s[1+j] += float64(row[j]) * x
					}
				}
			}
			for h := 0; h < heads; h++ {
				if !on[h] {
					continue
				}
				off := 0.0
				if h == 0 && dsOff != nil {
					off = dsOff[dsIndex[i]]
				}
				p := sigmoid(float64(m.bias[h]) + off + s[h])
				cw := wNeg[h]
				if y[h] == 1 {
					cw = wPos[h]
				}
				hw := ew
				if h == 0 && binW != nil {
					hw = binW[i]
				}
				g := (p - y[h]) * cw * hw
				bg2[h] += g * g
				m.bias[h] -= float32(opt.LR * g / math.Sqrt(bg2[h]+1e-8))
				if h == 0 && dsOff != nil {
					d := dsIndex[i]
					gd := g + 1e-3*dsOff[d]
					dsG2[d] += gd * gd
					dsOff[d] -= opt.LR * gd / math.Sqrt(dsG2[d]+1e-8)
				}
				for n, f := range v.idx {
					var w *float32
					if h == 0 {
						w = &m.wBin[f]
					} else {
						w = &m.wAux[int(f)*k+h-1]
					}
					gi := g*float64(v.val[n]) + opt.L2*float64(*w)
					acc := &g2[int(f)*heads+h]
					*acc += float32(gi * gi)
					*w -= float32(opt.LR * gi / math.Sqrt(float64(*acc)+1e-8))
				}
			}
		}
	}
	if scale != nil {
		// fold the feature scale into the weights: w·(x⊙s) = (w⊙s)·x
		for f := 0; f < dim; f++ {
			m.wBin[f] *= scale[f]
			row := m.wAux[f*k : f*k+k]
			for j := range row {
				row[j] *= scale[f]
			}
		}
	}
	m.Meta = ModelMeta{Examples: len(exs), Epochs: opt.Epochs, TrainedOn: opt.Sources, Features: opt.Features, Combine: opt.Combine, BalancedDatasets: opt.BalanceDatasets,
		WordWeight: opt.WordWeight, Seed: opt.Seed, LengthFeature: opt.Length, TopicHead: opt.TopicHead}
	if opt.CharMin != 3 || opt.CharMax != 5 {
		m.Meta.CharMin, m.Meta.CharMax = opt.CharMin, opt.CharMax
	}
	return m
}

// averageModels returns the element-wise mean of the weights and biases of ms (same
// layout, same heads); the metadata is ms[0]'s.
func averageModels(ms []*Model) *Model {
	out := &Model{bits: ms[0].bits, nAux: ms[0].nAux, Meta: ms[0].Meta,
		wBin: make([]float32, len(ms[0].wBin)), wAux: make([]float32, len(ms[0].wAux)), bias: make([]float32, len(ms[0].bias))}
	inv := 1 / float32(len(ms))
	for _, m := range ms {
		for i, w := range m.wBin {
			out.wBin[i] += w * inv
		}
		for i, w := range m.wAux {
			out.wAux[i] += w * inv
		}
		for i, w := range m.bias {
			out.bias[i] += w * inv
		}
	}
	return out
}

// nbScale returns the per-feature scale 1 - beta + beta*|r| for the naive-Bayes
// log-count ratio r = log((p_f/|p|) / (q_f/|q|)) of the homophobic label, where p and q
// count (with add-one smoothing) the positive and negative training examples in which
// feature f occurs, positives and negatives weighing the same in total.
func nbScale(feats []vec, exs []Example, dim int, beta float64) []float32 {
	pc, nc := make([]float64, dim), make([]float64, dim)
	var npos, nneg float64
	for i := range exs {
		if exs[i].Homophobic {
			npos++
		} else {
			nneg++
		}
	}
	if npos == 0 || nneg == 0 {
		out := make([]float32, dim)
		for f := range out {
			out[f] = 1
		}
		return out
	}
	wp, wn := 1/npos, 1/nneg
	for i := range feats {
		c, w := nc, wn
		if exs[i].Homophobic {
			c, w = pc, wp
		}
		for _, f := range feats[i].idx {
			c[f] += w
		}
	}
	const alpha = 1e-3 // smoothing, in units of "one class's total weight"
	var sp, sn float64
	for f := 0; f < dim; f++ {
		sp += pc[f] + alpha
		sn += nc[f] + alpha
	}
	out := make([]float32, dim)
	for f := 0; f < dim; f++ {
		r := math.Log((pc[f] + alpha) / sp / ((nc[f] + alpha) / sn))
		out[f] = float32(1 - beta + beta*math.Abs(r))
	}
	return out
}

// scaleFeatures returns copies of feats with every value multiplied by its feature's scale.
func scaleFeatures(feats []vec, scale []float32) []vec {
	out := make([]vec, len(feats))
	for i := range feats {
		v := vec{idx: feats[i].idx, val: make([]float32, len(feats[i].val))}
		for n, f := range v.idx {
			v.val[n] = feats[i].val[n] * scale[f]
		}
		out[i] = v
	}
	return out
}

// describeSources renders TrainedOn for reports.
func (m ModelMeta) describeSources() string { return strings.Join(m.TrainedOn, ", ") }
