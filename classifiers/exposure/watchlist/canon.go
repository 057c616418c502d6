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
	if len(intl) == 12 && strings.HasPrefix(intl, "996") {
		// Fast path for Kyrgyz numbers, the bulk of candidates: phonenumbers parses with
		// regular expressions and costs more than the rest of a post's analysis.
		switch p := " " + intl[3:6] + " "; {
		case strings.Contains(kgValidPrefixes, p):
			return "+" + intl, true
		case !strings.Contains(kgMixedPrefixes, p):
			return "", false
		}
	}
	num, err := phonenumbers.Parse("+"+intl, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// kgValidPrefixes are the 3-digit prefixes of Kyrgyz national numbers for which every
// 9-digit number is valid in libphonenumber's metadata (mobile ranges, Bishkek fixed
// lines); kgMixedPrefixes are those where validity depends on later digits and
// phonenumbers decides. TestKGPrefixTablesAgreeWithPhonenumbers keeps both in step with
// the library.
const (
	kgValidPrefixes = " 200 201 202 203 205 220 221 222 223 224 225 226 227 228 229 312 315 316 346 356 366 376 377 396" +
		" 500 501 502 503 504 505 506 507 508 509 510 511 512 513 514 515 516 517 518 519 520 521 522 523 524 525 526" +
		" 527 528 529 540 541 542 543 544 545 546 547 548 549 550 551 552 553 554 555 556 557 558 559 560 561 562 563" +
		" 564 565 566 567 568 569 570 571 572 573 574 575 576 577 578 579 600 609 612 622 623 624 700 701 702 703 704" +
		" 705 706 707 708 709 755 770 771 772 773 774 775 776 777 778 779 800 880 888 912 990 995 996 997 998 999 "
	kgMixedPrefixes = " 313 314 322 323 326 342 345 352 353 355 362 365 372 373 374 375 392 394 "
)

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
