// Package mrz finds and parses ICAO Doc 9303 machine-readable zones (TD1 identity
// cards: three lines of 30 characters; TD3 passports: two lines of 44) in OCR text, and
// Kyrgyz ID-card personal numbers (ПИН) on the card front.
//
// OCR misreads machine-readable zones in a few typical ways: the letter O for the digit
// 0 (and I/1, S/5, B/8, Z/2 inside numeric fields), the filler '<' as '«', 'K' or a
// space, and a filler run one or two characters too short or too long. This package
// repairs those only where the ICAO check digits confirm the repair: a field whose check
// digit fails as read is tried with the confusable characters swapped, and a repair is
// kept only if it is the single smallest one that makes the check digit (and then the
// composite check digit) agree. Nothing else is guessed.
package mrz

import (
	"strings"
	"time"
)

// Format is the ICAO document format of a zone.
type Format string

// The two formats this package reads.
const (
	// TD1 is the ID-card format: three lines of 30 characters.
	TD1 Format = "TD1"
	// TD3 is the passport format: two lines of 44 characters.
	TD3 Format = "TD3"
)

const (
	td1Len = 30
	td3Len = 44
)

// Zone is one machine-readable zone as parsed. Dates are resolved to full years: a
// birth date in the century that puts it not after the reading time, an expiry date in
// the 2000s. Fields keep ICAO spelling (fillers removed, '<' inside names as spaces).
type Zone struct {
	Format         Format `json:"format"`
	DocumentCode   string `json:"document_code"`
	Issuer         string `json:"issuer"`
	DocumentNumber string `json:"document_number"`
	Nationality    string `json:"nationality"`
	// BirthDate and ExpiryDate are zero when the six digits are not a calendar date.
	BirthDate  time.Time `json:"birth_date"`
	ExpiryDate time.Time `json:"expiry_date"`
	// Sex is M, F or "" (unspecified).
	Sex        string `json:"sex"`
	Surname    string `json:"surname"`
	GivenNames string `json:"given_names"`
	// Optional1 and Optional2 are the optional data fields (fillers removed): TD3 has
	// only Optional1 (the personal number), TD1 has both.
	Optional1 string `json:"optional1,omitempty"`
	Optional2 string `json:"optional2,omitempty"`
	// PersonalNumber is a Kyrgyz ПИН found in an optional field, when there is one.
	PersonalNumber string `json:"personal_number,omitempty"`
	// Checks reports each check digit: document, birth, expiry, optional (TD3 only,
	// true when the field is empty and unchecked), composite.
	Checks Checks `json:"checks"`
	// Repairs counts the characters changed to make check digits agree (0 = read as is).
	Repairs int `json:"repairs"`
	// DocumentRepaired reports that the document number agrees with its check digit only
	// after letter/digit swaps. Its check digit then confirms little: several swaps are
	// tried and one in ten agrees by chance, and the composite check digit weighs the
	// number exactly as its own digit does, so it agrees too.
	DocumentRepaired bool `json:"document_repaired,omitempty"`
	// Lines are the zone's lines as finally read (after repairs).
	Lines []string `json:"lines"`
	// FirstLine is the index of the zone's first line in the input text's lines.
	FirstLine int `json:"first_line"`
}

// Checks holds the outcome of each check digit of a zone.
type Checks struct {
	Document  bool `json:"document"`
	Birth     bool `json:"birth"`
	Expiry    bool `json:"expiry"`
	Optional  bool `json:"optional"`
	Composite bool `json:"composite"`
}

// All reports whether every check digit agrees.
func (c Checks) All() bool {
	return c.Document && c.Birth && c.Expiry && c.Optional && c.Composite
}

// Valid reports whether every check digit of the zone agrees: a valid zone is a
// document image with near certainty.
func (z *Zone) Valid() bool { return z.Checks.All() }

// NumberConfirmed reports whether the document number is read right with near
// certainty, enough to tell two documents apart by it: its check digit and the
// composite check digit agree as read (no repair), and it is shaped as issued numbers
// are (docShape). A check digit alone confirms a number less than a date: a repair
// agrees by chance one time in ten (and the composite weighs the number as its own
// digit does, so it agrees with it); two letter/digit confusions can cancel (O for 0
// at weights 7 and 3: FA35O6O83 passes as FA3506083's digit), which the shape shows;
// and a line that lost or gained a character shifts the number, which the composite
// then shows.
func (z *Zone) NumberConfirmed() bool {
	return z.Checks.Document && z.Checks.Composite && !z.DocumentRepaired && z.DocumentNumber != "" && docShape(z.DocumentNumber)
}

// CheckDigit computes the ICAO 9303 check digit of a field (weights 7,3,1; digits as
// values, A–Z as 10–35, '<' as 0). ok is false for characters outside that alphabet.
func CheckDigit(field string) (d int, ok bool) {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(field); i++ {
		v, ok := charValue(field[i])
		if !ok {
			return 0, false
		}
		sum += v * w[i%3]
	}
	return sum % 10, true
}

func charValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == '<':
		return 0, true
	}
	return 0, false
}

// checkOK reports whether the character check is the check digit of field. A filler
// '<' as check digit stands for an empty field (ICAO allows it for optional data).
func checkOK(field string, check byte) bool {
	d, ok := CheckDigit(field)
	if !ok {
		return false
	}
	if check == '<' {
		return strings.Trim(field, "<") == "" && d == 0
	}
	return check >= '0' && check <= '9' && int(check-'0') == d
}

// Find returns every machine-readable zone in text (OCR output, one text line per
// line), valid or not, in order. now resolves two-digit birth years.
func Find(text string, now time.Time) []Zone {
	raw := strings.Split(text, "\n")
	lines := make([]string, len(raw))
	for i, l := range raw {
		lines[i] = normalizeLine(l)
	}
	var zones []Zone
	for i := 0; i < len(lines); i++ {
		if z, ok := tryTD3(lines, i, now); ok {
			zones = append(zones, z)
			i++
			continue
		}
		if z, ok := tryTD1(lines, i, now); ok {
			zones = append(zones, z)
			i += 2
		}
	}
	return zones
}

// homoglyphs folds Cyrillic capitals that OCR with a Cyrillic model returns for Latin
// MRZ letters, and the filler look-alikes.
var homoglyphs = strings.NewReplacer(
	"А", "A", "В", "B", "Е", "E", "К", "K", "М", "M", "Н", "H", "О", "O", "Р", "P",
	"С", "C", "Т", "T", "Х", "X", "У", "Y", "І", "I", "З", "3",
	"«", "<<", "‹", "<", "＜", "<", "≤", "<", "く", "<",
)

// normalizeLine upper-cases an OCR line, folds homoglyphs and drops spaces (OCR often
// splits filler runs with spaces). Lines that are not mostly MRZ characters come back
// empty.
func normalizeLine(l string) string {
	l = homoglyphs.Replace(strings.ToUpper(strings.TrimSpace(l)))
	var b strings.Builder
	bad := 0
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
		case (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<':
			b.WriteByte(c)
		default:
			bad++
		}
	}
	s := b.String()
	if len(s) < 10 || bad > 3 {
		return ""
	}
	return s
}

// fitLength brings a line to n characters by adding or removing fillers at the end
// (the place OCR most often loses or invents them); only a difference of at most three
// characters and only at a trailing filler run is accepted.
func fitLength(s string, n int) (string, bool) {
	d := len(s) - n
	switch {
	case d == 0:
		return s, true
	case d < 0 && d >= -3:
		return s + strings.Repeat("<", -d), true
	case d > 0 && d <= 3:
		if strings.HasSuffix(s, strings.Repeat("<", d+1)) {
			return s[:n], true
		}
	}
	return "", false
}

// fitInner brings a line to n characters by adding or removing fillers inside its
// longest filler run (an optional field or name padding), for lines whose last
// character is a check digit.
func fitInner(s string, n int) (string, bool) {
	d := len(s) - n
	if d == 0 {
		return s, true
	}
	if d < -3 || d > 3 {
		return "", false
	}
	start, length := longestFillerRun(s[:len(s)-1])
	if length == 0 || (d > 0 && length <= d) {
		return "", false
	}
	if d < 0 {
		return s[:start] + strings.Repeat("<", -d) + s[start:], true
	}
	return s[:start] + s[start+d:], true
}

// fitName brings a name line (TD3 line 1, TD1 line 3) to n characters. OCR drops long
// filler runs and reads their end as K, C, E or L: after the first run of three
// fillers that follows the surname separator, everything is padding; a short line
// that ends in fillers is padded. A name line carries no check digit, so this is only
// layout: the characters before the padding are kept as read (digits folded to their
// letter look-alikes, as no name holds a digit).
func fitName(s string, n, from int) (string, bool) {
	if len(s) <= from {
		return "", false
	}
	head, name := s[:from], []byte(s[from:])
	for i, c := range name {
		if l, ok := letterFold[c]; ok {
			name[i] = l
		}
	}
	body := string(name)
	if sep := strings.Index(body, "<<"); sep >= 0 {
		if end := strings.Index(body[sep+2:], "<<<"); end >= 0 {
			cut := sep + 2 + end
			if strings.Trim(body[cut:], "<KCEL") == "" || len(head)+cut <= n && len(s) > n {
				body = body[:cut]
			}
		}
	}
	line := head + body
	switch {
	case len(line) == n:
		return line, true
	case len(line) < n && (strings.HasSuffix(line, "<") || strings.Contains(body, "<<")):
		return line + strings.Repeat("<", n-len(line)), true
	case len(line) > n && len(line)-n <= 3 && strings.HasSuffix(line, strings.Repeat("<", len(line)-n+1)):
		return line[:n], true
	}
	return "", false
}

// letterFold maps the digits OCR returns for letters in fields that hold only letters
// (names, issuing state, nationality, document code).
var letterFold = map[byte]byte{'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B'}

// foldLetters maps digits in an alphabetic field to their letter look-alikes.
func foldLetters(s string) string {
	b := []byte(s)
	for i, c := range b {
		if l, ok := letterFold[c]; ok {
			b[i] = l
		}
	}
	return string(b)
}

func longestFillerRun(s string) (start, length int) {
	for i := 0; i < len(s); {
		if s[i] != '<' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '<' {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		i = j
	}
	return start, length
}
