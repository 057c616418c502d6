package watchlist

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// CanonPhone turns a phone number written in any format ("+996 555 123 456",
// "0555-12-34-56", "(0555) 123456", "8 701 234 5678", "00996555123456", "555123456")
// into E.164 ("+996555123456"), and reports whether it is a valid number. Numbers
// without a country code are read as Kyrgyz (trunk 0, or a bare 9-digit national
// number) or, with the trunk prefix 8 and 11 digits, as Russian/Kazakh.
func CanonPhone(raw string) (string, bool) {
	var d [24]byte
	n := 0
	plus := false
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = byte(r)
			n++
		case r == '+' && n == 0 && i < 3:
			plus = true
		}
	}
	digits := string(d[:n])
	var intl string
	switch {
	case plus:
		intl = digits
	case strings.HasPrefix(digits, "00"):
		intl = digits[2:]
	case n == 10 && digits[0] == '0':
		intl = "996" + digits[1:]
	case n == 11 && digits[0] == '8':
		intl = "7" + digits[1:]
	case n == 9 && strings.IndexByte("235679", digits[0]) >= 0:
		intl = "996" + digits
	case n == 12 && strings.HasPrefix(digits, "996"), n == 11 && digits[0] == '7':
		intl = digits
	default:
		return "", false
	}
	if len(intl) < 8 || len(intl) > 15 {
		return "", false
	}
	num, err := phonenumbers.Parse("+"+intl, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// homoglyphs folds Cyrillic letters that look like Latin ones, so that "АN 1234567"
// typed with a Cyrillic А is the same document number as "AN1234567".
var homoglyphs = map[rune]rune{
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P',
	'С': 'C', 'Т': 'T', 'Х': 'X', 'І': 'I', 'У': 'Y',
	'а': 'A', 'в': 'B', 'е': 'E', 'к': 'K', 'м': 'M', 'н': 'H', 'о': 'O', 'р': 'P',
	'с': 'C', 'т': 'T', 'х': 'X', 'і': 'I', 'у': 'Y',
}

// FoldHomoglyph returns the Latin capital a Cyrillic look-alike stands for, or the
// upper-cased rune itself.
func FoldHomoglyph(r rune) rune {
	if l, ok := homoglyphs[r]; ok {
		return l
	}
	return unicode.ToUpper(r)
}

// CanonID normalises a personal, passport or ID-card number: Cyrillic look-alikes are
// folded to Latin, letters upper-cased, and spaces, dashes, dots and "№" dropped
// ("ID 1234567" = "id-1234567" = "ID1234567").
func CanonID(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case unicode.IsLetter(r):
			b.WriteRune(FoldHomoglyph(r))
		}
	}
	return b.String()
}

// CanonHandle normalises a social handle or profile link to the lower-case account
// name: "@Aibek_T", "t.me/aibek_t", "https://instagram.com/aibek_t/" → "aibek_t".
func CanonHandle(raw string) string {
	s := strings.TrimSpace(strings.ToLower(raw))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimLeft(s, "@")
}

// CanonEmail normalises an e-mail address (lower case, surrounding space removed).
func CanonEmail(raw string) string { return strings.ToLower(strings.TrimSpace(raw)) }
