// Package phash computes perceptual hashes of images (github.com/corona10/goimagehash)
// and keeps a near-duplicate index, so that a re-upload of an exposing picture —
// recompressed, resized, cropped a little — joins the incident of the first upload.
//
// The fingerprint is two 64-bit hashes: the DCT perception hash (pHash) and the
// difference hash (dHash). A candidate matches when both are within their Hamming
// thresholds: pHash alone is robust to recompression and scaling, dHash cuts the chance
// that two unrelated pictures with similar low frequencies (two white documents with
// black text) collide. The thresholds are measured by `kuzot eval exposure --images`
// (docs/images.md).
package phash

import (
	"fmt"
	"image"
	"math/bits"
	"strings"
	"sync"

	"github.com/corona10/goimagehash"
)

// Hash is the fingerprint of one image; it is all kuzot keeps of a picture.
type Hash struct {
	P uint64 `json:"phash"`
	D uint64 `json:"dhash"`
}

// String formats the hash as 32 hex digits (pHash then dHash).
func (h Hash) String() string { return fmt.Sprintf("%016x%016x", h.P, h.D) }

// Of computes the fingerprint of img.
func Of(img image.Image) (Hash, error) {
	p, err := goimagehash.PerceptionHash(img)
	if err != nil {
		return Hash{}, fmt.Errorf("phash: perception hash: %w", err)
	}
	d, err := goimagehash.DifferenceHash(img)
	if err != nil {
		return Hash{}, fmt.Errorf("phash: difference hash: %w", err)
	}
	return Hash{P: p.GetHash(), D: d.GetHash()}, nil
}

// Distance returns the Hamming distances of the two hashes.
func Distance(a, b Hash) (p, d int) {
	return bits.OnesCount64(a.P ^ b.P), bits.OnesCount64(a.D ^ b.D)
}

// Thresholds bound the Hamming distances of a match: the sum of the pHash and dHash
// distances at most Sum, and each at most Max. A crop moves pHash more than dHash, a
// recompression the other way; the sum keeps both in one budget.
type Thresholds struct {
	Sum int `yaml:"sum"`
	Max int `yaml:"max"`
	// MinJaccard is the least estimated share of common words of two images that both
	// show text (TextSig.HasText); an image with text never joins one without.
	MinJaccard float64 `yaml:"min_jaccard"`
	// MinCombined applies instead of MinJaccard when both images show numbers
	// (TextSig.Num): the word Jaccard plus the number overlap must reach it. Measured on
	// the dev part (docs/images.md): re-uploads of documents sum to 1.0 or more, two
	// documents of one template with different people to 0.85 at most. 0 disables.
	MinCombined float64 `yaml:"min_combined"`
	// MinNumbers also applies when both images show numbers: their number overlap alone
	// must reach it. Two documents of one template whose holders share a name agree in
	// words (word Jaccard 0.81 measured on dev, docs/images.md) but not in numbers (0.125);
	// a re-upload keeps its numbers (0.375 at least over the 120 dev variants). 0 disables.
	MinNumbers float64 `yaml:"min_numbers"`
	// TextSum and TextMax are looser hash bounds for two images that both show text and
	// whose text agrees (the text rule above is then the evidence): a ±2° rotation or a
	// 3% crop of a screenshot moves pHash + dHash by up to 39 bits on the dev part. 0
	// keeps Sum and Max.
	TextSum int `yaml:"text_sum"`
	TextMax int `yaml:"text_max"`
}

// DefaultThresholds are the thresholds chosen on the dev part of the generated image set
// (docs/images.md): re-uploads within them, unrelated pictures beyond.
func DefaultThresholds() Thresholds {
	return Thresholds{Sum: 30, Max: 22, MinJaccard: 0.6, MinCombined: 0.92, MinNumbers: 0.3, TextSum: 40, TextMax: 26}
}

// withinText reports whether distances p and d are within the bounds for two images
// with text (the larger of the plain and the text bounds).
func (t Thresholds) withinText(p, d int) bool {
	sum, mx := max(t.Sum, t.TextSum), max(t.Max, t.TextMax)
	return p+d <= sum && p <= mx && d <= mx
}

// Within reports whether distances p and d are within t.
func (t Thresholds) Within(p, d int) bool { return p+d <= t.Sum && p <= t.Max && d <= t.Max }

// Match reports whether a and b are the same picture within t.
func (t Thresholds) Match(a, b Hash) bool { return t.Within(Distance(a, b)) }

// Index maps fingerprints of known exposing images to the incident they belong to. It
// is a linear scan of 16-byte entries (10,000 images scan in tens of microseconds); safe
// for concurrent use.
type Index struct {
	t  Thresholds
	mu sync.RWMutex
	es []entry
}

type entry struct {
	h   Hash
	sig TextSig
	id  string
}

// NewIndex returns an empty index matching within t.
func NewIndex(t Thresholds) *Index { return &Index{t: t} }

// Add records that the image with hash h and text sketch sig belongs to incident id.
func (x *Index) Add(h Hash, sig TextSig, id string) {
	x.mu.Lock()
	x.es = append(x.es, entry{h, sig, id})
	x.mu.Unlock()
}

// Len returns the number of fingerprints held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.es)
}

// Match is a lookup answer.
type Match struct {
	ID string
	P  int
	D  int
}

// Candidates returns the ids of the entries whose hashes are within the thresholds,
// before any text comparison (the pictures worth reading to confirm a join); entries
// with text count within the looser text bounds.
func (x *Index) Candidates(h Hash) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []string
	for _, e := range x.es {
		if p, d := Distance(h, e.h); x.t.Within(p, d) || (e.sig.HasText() && x.t.withinText(p, d)) {
			out = append(out, e.id)
		}
	}
	return out
}

// Joins reports whether two images are the same picture by the rule Nearest applies:
// hashes within t (within the looser text bounds when both show text) and, when they
// show text, text that agrees.
func (t Thresholds) Joins(a Hash, as TextSig, b Hash, bs TextSig) bool {
	p, d := Distance(a, b)
	return t.joinsAt(p, d, as, bs)
}

// joinsAt is the join rule for hash distances p and d: within t (within the looser text
// bounds when both images show text) and text that agrees.
func (t Thresholds) joinsAt(p, d int, as, bs TextSig) bool {
	within := t.Within(p, d) || (as.HasText() && bs.HasText() && t.withinText(p, d))
	return within && t.textAgrees(as, bs)
}

// textAgrees applies the text rule: two images without text agree; an image with text
// and one without do not; two with text agree when their sketches share enough words.
func (t Thresholds) textAgrees(a, b TextSig) bool {
	switch {
	case !a.HasText() && !b.HasText():
		return true
	case a.HasText() != b.HasText():
		return false
	}
	// The confirmed zone fields decide first: any of them that differs makes two
	// documents; the same document number and at least one more field agreeing make the
	// same document, whatever the words and printed numbers say (a re-upload's OCR may
	// lose many of them). Fewer fields compared leave the decision to the words.
	if n, same, sameNumber := CompareDocs(a, b); n > 0 {
		switch {
		case !same:
			return false
		case sameNumber && n >= 2:
			return true
		}
	}
	if n, ok := NumberOverlap(a, b); ok && t.MinCombined > 0 {
		return Jaccard(a, b)+n >= t.MinCombined && n >= t.MinNumbers
	}
	return Jaccard(a, b) >= t.MinJaccard
}

// Nearest returns the matching entry with the smallest pHash distance (then dHash) whose
// text agrees with sig, and false when none does.
func (x *Index) Nearest(h Hash, sig TextSig) (Match, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	best, found := Match{P: 65, D: 65}, false
	for _, e := range x.es {
		p, d := Distance(h, e.h)
		if !x.t.joinsAt(p, d, sig, e.sig) {
			continue
		}
		if p < best.P || (p == best.P && d < best.D) {
			best, found = Match{ID: e.id, P: p, D: d}, true
		}
	}
	return best, found
}

// Explain describes how the rule Nearest applies decides sig against every entry whose
// hashes make it a candidate (Candidates): the hash distances, the word Jaccard, the
// number overlap, the confirmed zone fields compared and the verdict. It is for
// analysing a single join (kuzot eval exposure --images --unrelated-only); it returns
// "no candidate" when no entry is near.
func (x *Index) Explain(h Hash, sig TextSig) string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var b strings.Builder
	fmt.Fprintf(&b, "tokens %d, zone fields %d", sig.N, sig.Doc.Fields())
	n := 0
	for _, e := range x.es {
		p, d := Distance(h, e.h)
		if !x.t.Within(p, d) && !(e.sig.HasText() && x.t.withinText(p, d)) {
			continue
		}
		n++
		num, ok := NumberOverlap(sig, e.sig)
		compared, same, sameNumber := CompareDocs(sig, e.sig)
		fmt.Fprintf(&b, "; %s at %d/%d: tokens %d, words %.2f, numbers %.2f (compared %v), zone fields %d/%d compared %d same %v number %v -> joins %v",
			e.id, p, d, e.sig.N, Jaccard(sig, e.sig), num, ok, sig.Doc.Fields(), e.sig.Doc.Fields(), compared, same, sameNumber, x.t.joinsAt(p, d, sig, e.sig))
	}
	if n == 0 {
		b.WriteString("; no candidate")
	}
	return b.String()
}
