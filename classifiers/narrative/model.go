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

// Model is a hashed-feature logistic regression with one head for "homophobic" and one
// per frame. Features are the post's normalised words and word bigrams, character
// 3-5-grams inside words, and the rule layer's outcome (frames found, guards fired), so
// the one trained score combines rules and statistics. It is immutable once built.
type Model struct {
	// Meta describes how and on what the model was trained.
	Meta ModelMeta
	bits uint
	// wBin is the homophobic head; wFrames holds the frame heads row-major by feature.
	wBin    []float32
	wFrames []float32
	bias    [1 + len(frameList)]float32
	hash    string
}

// ModelMeta is the JSON header of a model file.
type ModelMeta struct {
	Format    string    `json:"format"`
	Bits      uint      `json:"bits"`
	Frames    []Frame   `json:"frames"`
	Lexicon   string    `json:"lexicon"`
	TrainedOn []string  `json:"trained_on"`
	Examples  int       `json:"examples"`
	Epochs    int       `json:"epochs"`
	Bias      []float32 `json:"bias"`
}

const modelFormat = "kuzot-narrative-lr/1"

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

// features fills v with the post's features: word unigrams and bigrams and character
// 3-5-grams inside words, L2-normalised together, and the rule layer's outcome at
// full weight (value 1, and the rule score itself), so that a handful of rule features
// is not drowned by hundreds of n-grams.
func (a *analysis) features(v *vec, ro *ruleOutcome, bits uint) {
	v.reset()
	mask := uint32(1)<<bits - 1
	var prev uint32
	var buf [64]rune
	for i := range a.toks {
		t := &a.toks[i]
		w := a.norm[t.n0:t.n1]
		if len(w) > 40 {
			w = w[:40]
		}
		hw := hashRunes(nsWord, w)
		v.add(hw&mask, 1)
		if i > 0 && a.toks[i-1].sent == t.sent {
			v.add(hashMix(prev, hw)&mask, 1)
		}
		prev = hw
		// char n-grams with word boundaries
		b := buf[:0]
		b = append(b, '^')
		b = append(b, w...)
		b = append(b, '$')
		for n := 3; n <= 5; n++ {
			for s := 0; s+n <= len(b); s++ {
				v.add(hashRunes(nsChar, b[s:s+n])&mask, 1)
			}
		}
	}
	if n := len(v.val); n > 0 {
		norm := float32(1 / math.Sqrt(float64(n)))
		for i := range v.val {
			v.val[i] = norm
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

// predictBin returns the homophobic probability of v.
func (m *Model) predictBin(v *vec) float64 {
	s := float64(m.bias[0])
	for i, f := range v.idx {
		s += float64(m.wBin[f] * v.val[i])
	}
	return sigmoid(s)
}

// predictFrames returns the per-frame probabilities of v.
func (m *Model) predictFrames(v *vec) [len(frameList)]float64 {
	var s [len(frameList)]float64
	k := len(frameList)
	for i, f := range v.idx {
		row := m.wFrames[int(f)*k : int(f)*k+k]
		for j := range s {
			s[j] += float64(row[j] * v.val[i])
		}
	}
	var out [len(frameList)]float64
	for j := range out {
		out[j] = sigmoid(float64(m.bias[1+j]) + s[j])
	}
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
	m.Meta.Bias = m.bias[:]
	hdr, err := json.Marshal(m.Meta)
	if err != nil {
		return fmt.Errorf("model header: %w", err)
	}
	bw.WriteString("KNLR")
	binary.Write(bw, binary.LittleEndian, uint32(len(hdr)))
	bw.Write(hdr)
	k := len(frameList)
	row := make([]float32, 1+k)
	for f := 0; f < len(m.wBin); f++ {
		row[0] = m.wBin[f]
		copy(row[1:], m.wFrames[f*k:f*k+k])
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
	if m.Meta.Format != modelFormat {
		return nil, fmt.Errorf("model: format %q, want %q", m.Meta.Format, modelFormat)
	}
	if m.Meta.Bits < 10 || m.Meta.Bits > 24 {
		return nil, fmt.Errorf("model: bits %d out of range", m.Meta.Bits)
	}
	if len(m.Meta.Frames) != len(frameList) || len(m.Meta.Bias) != 1+len(frameList) {
		return nil, errors.New("model: frame list differs from this build")
	}
	for i, f := range m.Meta.Frames {
		if f != frameList[i] {
			return nil, fmt.Errorf("model: frame %d is %q, want %q", i, f, frameList[i])
		}
	}
	m.bits = m.Meta.Bits
	copy(m.bias[:], m.Meta.Bias)
	dim := 1 << m.bits
	k := len(frameList)
	m.wBin = make([]float32, dim)
	m.wFrames = make([]float32, dim*k)
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
			m.wFrames[int(f)*k+j] = math.Float32frombits(binary.LittleEndian.Uint32(body[off+8+4*j:]))
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
	// Kind is hate, self, reclaimed, counter, news, ordinary, negation or neutral (the
	// hard-negative kinds of issue 4); LT-EDI rows have no kind.
	Kind string `json:"kind,omitempty"`
	// FramesKnown is false for data without frame labels (LT-EDI): frame heads skip it.
	FramesKnown bool `json:"-"`
}

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

// trainLR fits all heads with AdaGrad on L2-normalised binary features, with class
// weights that balance positives and negatives per head.
func trainLR(feats []vec, exs []Example, opt TrainOptions) *Model {
	dim := 1 << opt.Bits
	k := len(frameList)
	m := &Model{bits: opt.Bits, wBin: make([]float32, dim), wFrames: make([]float32, dim*k)}
	heads := 1 + k
	g2 := make([]float32, dim*heads) // AdaGrad accumulators
	var bg2 [1 + len(frameList)]float64
	// class weights
	var pos, cnt [1 + len(frameList)]float64
	for i, e := range exs {
		_ = i
		cnt[0]++
		if e.Homophobic {
			pos[0]++
		}
		if e.FramesKnown {
			for j := 0; j < k; j++ {
				cnt[1+j]++
			}
			for _, f := range e.Frames {
				if fi := frameIndex(f); fi >= 0 {
					pos[1+fi]++
				}
			}
		}
	}
	var wPos, wNeg [1 + len(frameList)]float64
	for h := 0; h < heads; h++ {
		wPos[h], wNeg[h] = 1, 1
		if pos[h] > 0 && cnt[h] > pos[h] {
			wPos[h] = cnt[h] / (2 * pos[h])
			wNeg[h] = cnt[h] / (2 * (cnt[h] - pos[h]))
		}
	}
	order := make([]int, len(exs))
	for i := range order {
		order[i] = i
	}
	var y [1 + len(frameList)]float64
	var on [1 + len(frameList)]bool
	for ep := 0; ep < opt.Epochs; ep++ {
		shuffle(order, uint64(ep+1)*0x9E3779B97F4A7C15)
		for _, i := range order {
			v := &feats[i]
			if len(v.idx) == 0 {
				continue
			}
			e := &exs[i]
			y[0], on[0] = 0, true
			if e.Homophobic {
				y[0] = 1
			}
			for j := 0; j < k; j++ {
				y[1+j], on[1+j] = 0, e.FramesKnown
			}
			for _, f := range e.Frames {
				if fi := frameIndex(f); fi >= 0 {
					y[1+fi] = 1
				}
			}
			var s [1 + len(frameList)]float64
			for n, f := range v.idx {
				x := float64(v.val[n])
				s[0] += float64(m.wBin[f]) * x
				row := m.wFrames[int(f)*k : int(f)*k+k]
				for j := 0; j < k; j++ {
					s[1+j] += float64(row[j]) * x
				}
			}
			for h := 0; h < heads; h++ {
				if !on[h] {
					continue
				}
				p := sigmoid(float64(m.bias[h]) + s[h])
				cw := wNeg[h]
				if y[h] == 1 {
					cw = wPos[h]
				}
				g := (p - y[h]) * cw
				bg2[h] += g * g
				m.bias[h] -= float32(opt.LR * g / math.Sqrt(bg2[h]+1e-8))
				for n, f := range v.idx {
					var w *float32
					if h == 0 {
						w = &m.wBin[f]
					} else {
						w = &m.wFrames[int(f)*k+h-1]
					}
					gi := g*float64(v.val[n]) + opt.L2*float64(*w)
					acc := &g2[int(f)*heads+h]
					*acc += float32(gi * gi)
					*w -= float32(opt.LR * gi / math.Sqrt(float64(*acc)+1e-8))
				}
			}
		}
	}
	m.Meta = ModelMeta{Examples: len(exs), Epochs: opt.Epochs, TrainedOn: opt.Sources}
	return m
}

// describeSources renders TrainedOn for reports.
func (m ModelMeta) describeSources() string { return strings.Join(m.TrainedOn, ", ") }
