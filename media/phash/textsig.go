package phash

import (
	"hash/fnv"
	"math/bits"
	"strings"
	"unicode"
)

// SigSize is the number of MinHash values in a text signature.
const SigSize = 32

// TextSig is a MinHash sketch of the words an image shows (OCR tokens of three or more
// letters or digits, lower-cased). Perceptual hashes cannot tell two documents of the
// same template apart (two ID-card mock-ups differ only in their text: pHash distance
// 0–4 bits, measured in docs/images.md), so a join of two images with text also needs
// their words to agree. The sketch keeps 32 minima of salted 32-bit hashes, not the
// words; N is the number of distinct tokens.
//
// Num sketches the numbers the image shows (runs of six or more digits, with '.', '/'
// or '-' inside allowed and dropped: dates, document and personal numbers): each sets
// one bit of 64 chosen by its hash, so the bitmap keeps about six bits of each number,
// not the number. Two documents of one template differ above all in their numbers, which
// OCR reads more steadily than names.
type TextSig struct {
	Min [SigSize]uint32 `json:"min"`
	N   int             `json:"n"`
	Num uint64          `json:"num,omitempty"`
}

// MinTokens is the number of tokens from which an image counts as having text.
const MinTokens = 4

// SigOf sketches text.
func SigOf(text string) TextSig {
	var s TextSig
	for i := range s.Min {
		s.Min[i] = ^uint32(0)
	}
	seen := map[string]bool{}
	for _, tok := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(tok)) < 3 || seen[tok] {
			continue
		}
		seen[tok] = true
		for i := range s.Min {
			h := fnv.New32a()
			h.Write([]byte{byte(i), byte(i >> 8)})
			h.Write([]byte(tok))
			if v := h.Sum32(); v < s.Min[i] {
				s.Min[i] = v
			}
		}
	}
	s.N = len(seen)
	s.Num = numberBits(text)
	return s
}

// MinNumbers is the number of bits of Num from which two sketches compare their numbers.
const MinNumbers = 2

// numberBits sets one bit per run of six or more digits in text. Lines with an MRZ
// filler ('<') count only when the other lines show fewer than MinNumbers numbers: a
// machine-readable zone glues its numbers to letters and fillers, so one misread
// character there (JPEG, a slight rotation) changes the whole run, while the same numbers
// printed in the document's fields read steadily; a document whose fields show too few
// numbers is compared on its zone as before. Measured on the ocr role's re-upload case
// (app/ocr_integration_test.go): a JPEG-60 re-upload shared 2 of 6 numbers with its
// original when the zone counted, 2 of 3 without; another person's card of the same
// template shared none either way.
func numberBits(text string) uint64 {
	var fields strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if !strings.ContainsAny(line, "<«‹") {
			fields.WriteString(line)
			fields.WriteByte('\n')
		}
	}
	if out := numberRuns(fields.String()); bits.OnesCount64(out) >= MinNumbers {
		return out
	}
	return numberRuns(text)
}

// numberRuns sets one bit per run of six or more digits in text.
func numberRuns(text string) uint64 {
	var out uint64
	var cur []byte
	flush := func() {
		if len(cur) >= 6 {
			h := fnv.New64a()
			h.Write(cur)
			out |= 1 << (h.Sum64() % 64)
		}
		cur = cur[:0]
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			cur = append(cur, c)
		case (c == '.' || c == '/' || c == '-') && len(cur) > 0 && i+1 < len(text) && text[i+1] >= '0' && text[i+1] <= '9':
		default:
			flush()
		}
	}
	flush()
	return out
}

// NumberOverlap is the share of common bits of two number bitmaps (Jaccard of the bit
// sets), and false when either has fewer than MinNumbers bits.
func NumberOverlap(a, b TextSig) (float64, bool) {
	if bits.OnesCount64(a.Num) < MinNumbers || bits.OnesCount64(b.Num) < MinNumbers {
		return 0, false
	}
	return float64(bits.OnesCount64(a.Num&b.Num)) / float64(bits.OnesCount64(a.Num|b.Num)), true
}

// HasText reports whether the sketch holds enough tokens to compare.
func (s TextSig) HasText() bool { return s.N >= MinTokens }

// Jaccard estimates the share of common tokens of two sketches.
func Jaccard(a, b TextSig) float64 {
	eq := 0
	for i := range a.Min {
		if a.Min[i] == b.Min[i] {
			eq++
		}
	}
	return float64(eq) / SigSize
}
