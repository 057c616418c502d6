package phash

import (
	"hash/fnv"
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
type TextSig struct {
	Min [SigSize]uint32 `json:"min"`
	N   int             `json:"n"`
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
	return s
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
