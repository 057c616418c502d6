package phash

import (
	"hash/fnv"
	"math/bits"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/kuzot/kuzot/media/mrz"
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
// OCR reads more steadily than names. The lines of a machine-readable zone are left out
// of Num: their numbers count through Doc, and only where a check digit confirms them.
//
// Doc sketches the fields of the text's machine-readable zone whose ICAO 9303 check digit
// agrees (DocSig): the document number, the birth date and the expiry date. A field whose
// check digit fails is not in it, so an OCR misread never makes two readings of one
// document differ, and two documents (two holders with the same name) differ wherever
// both show a confirmed field.
type TextSig struct {
	Min [SigSize]uint32 `json:"min"`
	N   int             `json:"n"`
	Num uint64          `json:"num,omitempty"`
	Doc DocSig          `json:"doc,omitempty"`
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
	zones := mrz.Find(text, zoneNow)
	s.Num = numberBits(text, zones)
	s.Doc = docSigOf(zones).withBirth(frontBirth(text))
	return s
}

// pinNow bounds the birth dates of the personal numbers the sketch reads (mrz.ParsePIN
// refuses a birth after it). The sketch confirms a number's date by the printed date, so
// the instant only has to lie after any birth; a fixed one keeps the sketch of one text
// the same whenever it is made.
var pinNow = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// frontBirth returns the birth date the document's front confirms: a Kyrgyz personal
// number (ПИН, mrz.FindPINs: sex digit, then the birth date DDMMYYYY) whose date is also
// printed on its own (DD.MM.YYYY, '/' or '-' allowed) elsewhere in the text. Neither
// reading carries a check digit, but two readings of different print agreeing on one
// date confirm it as a zone's check digit does: a misread in either makes them differ.
// Two cards of one template read without their zone (the first, multilingual OCR pass
// garbles zones) are then still told apart by their holders' birth dates
// (docs/images.md: unrelated-id_card-ky-6979 joined id_card-ky-1 at hash distance 0/0 on
// its words and a chance overlap of its printed numbers' bits). ok is false when no
// number is so confirmed or when the text confirms more than one date (a list).
func frontBirth(text string) (birth time.Time, ok bool) {
	printed := map[time.Time]bool{}
	for _, m := range printedDate.FindAllStringSubmatch(text, -1) {
		if t, err := time.Parse("02.01.2006", m[1]+"."+m[2]+"."+m[3]); err == nil {
			printed[t] = true
		}
	}
	for _, p := range mrz.FindPINs(text, pinNow) {
		if !printed[p.BirthDate] {
			continue
		}
		if ok && !p.BirthDate.Equal(birth) {
			return time.Time{}, false
		}
		birth, ok = p.BirthDate, true
	}
	return birth, ok
}

// printedDate is a date printed as DD.MM.YYYY (or with '/' or '-'), not inside a longer
// run of digits.
var printedDate = regexp.MustCompile(`(?:^|[^0-9])([0-3][0-9])[./-]([01][0-9])[./-]((?:19|20)[0-9]{2})(?:[^0-9]|$)`)

// birthField sketches a birth date as the zone's birth field (its six digits YYMMDD), so
// that a birth date the front confirms and one a zone's check digit confirms compare.
func birthField(t time.Time) DocSig {
	return DocSig(fieldHash("birth", t.Format("060102"))&0xff)<<docBirthShift | docHasBirth
}

// withBirth adds a confirmed birth date to d when d has none (a zone's own confirmed
// birth date is kept: it is the same date when both are read right).
func (d DocSig) withBirth(t time.Time, ok bool) DocSig {
	if !ok || d&docHasBirth != 0 {
		return d
	}
	return d | birthField(t)
}

// zoneNow resolves the two-digit years of zones for the sketch. The sketch keeps the six
// digits the zone shows (YYMMDD), so the instant only decides whether a date parses; a
// fixed one keeps the sketch of one text the same whenever it is made.
var zoneNow = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// MinNumbers is the number of bits of Num from which two sketches compare their numbers.
const MinNumbers = 2

// numberBits sets one bit per run of six or more digits in the lines of text outside
// its machine-readable zones: the lines of the zones found (mrz.Find) and every line
// with an MRZ filler ('<'). A zone glues its numbers to letters and fillers, so one
// misread character there (JPEG, a slight rotation) changes the whole run, while the
// same numbers printed in the document's fields read steadily; the zone's numbers are
// compared through DocSig instead, field by field and only where a check digit confirms
// them. Measured on the ocr role's re-upload case (app/ocr_integration_test.go): a
// JPEG-60 re-upload shared 2 of 6 numbers with its original when the zone counted, 2 of
// 3 without. A document whose zone is its only numbers has no Num (NumberOverlap does not
// compare): raw zone runs let a namesake's passport whose zone OCR garbled differently
// join on the printed dates (docs/images.md).
func numberBits(text string, zones []mrz.Zone) uint64 {
	skip := map[int]bool{}
	for _, z := range zones {
		for i := range z.Lines {
			skip[z.FirstLine+i] = true
		}
	}
	var fields strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if !skip[i] && !strings.ContainsAny(line, "<«‹") {
			fields.WriteString(line)
			fields.WriteByte('\n')
		}
	}
	return numberRuns(fields.String())
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

// DocSig is the sketch of the check-digit-confirmed fields of a machine-readable zone:
// 16 bits of a hash of the document number, 8 bits of a hash of the birth date and 8 of
// the expiry date, and a presence bit for each (a field whose ICAO check digit fails is
// absent). It keeps a few bits of each field, not the field: one document number in
// 65,536 and one date in 256 share a sketch, which is what a join of two different
// documents by chance would need in every field both confirm. Zero: no confirmed field.
type DocSig uint64

// The fields of a DocSig: their bits within the sketch and their presence bits.
const (
	docNumberBits = 0xffff
	docBirthShift = 16
	docExpShift   = 24
	docHasNumber  = 1 << 32
	docHasBirth   = 1 << 33
	docHasExpiry  = 1 << 34
)

// fieldHash hashes one zone field, salted by the field's name.
func fieldHash(name, value string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return h.Sum64()
}

// Fields is the number of confirmed fields the sketch holds.
func (d DocSig) Fields() int { return bits.OnesCount64(uint64(d >> 32)) }

// WithZones returns s with the confirmed fields of zones read apart from its text (the
// scanner's second pass over the zone region, media/scan) when they confirm at least as
// many fields as the text's own: the first, multilingual pass often garbles a zone's
// first characters (a Cyrillic б for G) so that no zone is found in its text at all,
// and such a document could then only be told apart by its words.
//
// A birth date s confirmed (by its text's zone or by its front, frontBirth) is kept when
// the second pass's zone confirms none.
func (s TextSig) WithZones(zones []mrz.Zone) TextSig {
	d := docSigOf(zones)
	if d.Fields() > 0 && d&docHasBirth == 0 {
		d |= s.Doc & (docHasBirth | 0xff<<docBirthShift)
	}
	if d.Fields() > 0 && d.Fields() >= s.Doc.Fields() {
		s.Doc = d
	}
	return s
}

// docSigOf sketches the confirmed fields of the zone that confirms most of them (the
// first such zone on a tie).
func docSigOf(zones []mrz.Zone) DocSig {
	var best DocSig
	for _, z := range zones {
		var s DocSig
		// The number counts only when confirmed beyond its own check digit (repairs,
		// cancelling confusions and shifted lines pass that one time in ten; dev: three
		// re-uploads of ID cards read a wrong number so confirmed). Dates need no more:
		// a single misread digit always fails its check.
		if z.NumberConfirmed() {
			s |= DocSig(fieldHash("document", z.DocumentNumber)&docNumberBits) | docHasNumber
		}
		if z.Checks.Birth && !z.BirthDate.IsZero() {
			s |= birthField(z.BirthDate)
		}
		if z.Checks.Expiry && !z.ExpiryDate.IsZero() {
			s |= DocSig(fieldHash("expiry", z.ExpiryDate.Format("060102"))&0xff)<<docExpShift | docHasExpiry
		}
		if s.Fields() > best.Fields() {
			best = s
		}
	}
	return best
}

// CompareDocs compares the confirmed zone fields two sketches both show. compared is the
// number of such fields; same is false when any of them differs (two documents: a field
// confirmed by its check digit is read right, whatever OCR did elsewhere) and otherwise
// true. sameNumber reports that the document number is among the fields compared and
// agrees.
func CompareDocs(a, b TextSig) (compared int, same, sameNumber bool) {
	fields := []struct {
		has  DocSig
		mask DocSig
	}{
		{docHasNumber, docNumberBits},
		{docHasBirth, 0xff << docBirthShift},
		{docHasExpiry, 0xff << docExpShift},
	}
	same = true
	for i, f := range fields {
		if a.Doc&f.has == 0 || b.Doc&f.has == 0 {
			continue
		}
		compared++
		eq := a.Doc&f.mask == b.Doc&f.mask
		same = same && eq
		if i == 0 {
			sameNumber = eq
		}
	}
	return compared, same && compared > 0, sameNumber
}
