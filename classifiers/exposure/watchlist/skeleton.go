package watchlist

import (
	"unicode"
	"unicode/utf8"
)

// Skeleton reduces one name token, in any script and spelling, to the Latin key that
// both sides of the match are hashed from. It transliterates Cyrillic (Russian, Kyrgyz,
// Kazakh and Uzbek letters) with the ICAO Doc 9303 table, folds Latin diacritics, and
// then collapses the differences between ICAO, BGN/PCGN, MVD and informal spellings:
//
//   - y is read as i (й/ы/ий/ый in every table), and i between a vowel or the word
//     start and e is dropped (Алексеев = Alekseyev = Alekseev, Евгений = Yevgeniy);
//   - kh/h, zh/dzh/dj, shch/sch/sh, ts/tz are each one sound (х, ж, щ/ш, ц);
//   - Latin j is ж at the word start and after a vowel (Jyldyz, Aijan) and the
//     iotation of German spellings after a consonant (Kuljumova = Kuliumova);
//   - ng before a consonant or at the end is Kyrgyz ң (Mingbaev = Миңбаев);
//   - German-style oe/ue are ө/ү; w is v, q is k, ph is f, x is ks;
//   - doubled letters are single and every non-letter is dropped.
//
// Vowels are never merged with each other, so different names that a string distance
// would confuse keep different keys (Касимова "kasimova" vs Касюмова "kasiumova").
// The result is appended to dst so that the hot path can reuse one buffer.
func Skeleton(dst []byte, token string) []byte {
	var buf [96]byte
	raw := buf[:0]
	for _, r := range token {
		if r < utf8.RuneSelf {
			switch {
			case r >= 'a' && r <= 'z':
				raw = append(raw, byte(r))
			case r >= 'A' && r <= 'Z':
				raw = append(raw, byte(r)+'a'-'A')
			}
			continue
		}
		if r >= 'А' && r <= 'Я' {
			r += 'а' - 'А'
		} else if r < 'а' || r > 'я' {
			r = unicode.ToLower(r)
		}
		raw = append(raw, foldRune(r)...)
		if len(raw) > 80 {
			break // longer than any name; the rest cannot change a match decision
		}
	}
	return collapse(dst, raw)
}

// foldRune maps one lower-case non-ASCII letter to its ICAO-style Latin rendering.
// Letters without a rendering (other scripts, punctuation, zero-width marks) vanish.
func foldRune(r rune) string {
	switch r {
	case 'а', 'ә':
		return "a"
	case 'б':
		return "b"
	case 'в':
		return "v"
	case 'г', 'ғ', 'ğ':
		return "g"
	case 'д':
		return "d"
	case 'е', 'ё', 'э', 'é', 'è', 'ê', 'ë':
		return "e"
	case 'ж', 'җ', 'ž':
		return "zh"
	case 'з':
		return "z"
	case 'и', 'і', 'ı', 'í', 'ì', 'î', 'ï':
		return "i"
	case 'й':
		return "i"
	case 'к', 'қ':
		return "k"
	case 'л':
		return "l"
	case 'м':
		return "m"
	case 'н', 'ң', 'ñ':
		return "n"
	case 'о', 'ө', 'ö', 'ó', 'ò', 'ô', 'ō':
		return "o"
	case 'п':
		return "p"
	case 'р':
		return "r"
	case 'с':
		return "s"
	case 'т':
		return "t"
	case 'у', 'ү', 'ұ', 'ў', 'ü', 'ú', 'ù', 'û', 'ū':
		return "u"
	case 'ф':
		return "f"
	case 'х', 'һ', 'ҳ':
		return "kh"
	case 'ц':
		return "ts"
	case 'ч', 'ç', 'č':
		return "ch"
	case 'ш', 'ş', 'š':
		return "sh"
	case 'щ':
		return "shch"
	case 'ы':
		return "y"
	case 'ю':
		return "iu"
	case 'я':
		return "ia"
	case 'á', 'à', 'â', 'ä', 'ā':
		return "a"
	case 'ß':
		return "ss"
	}
	return "" // ъ, ь, apostrophes, modifier letters, other scripts
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// collapse applies the spelling-equivalence rules of Skeleton to a lower-case ASCII key.
func collapse(dst, s []byte) []byte {
	// Pass 1: multi-letter sounds to one marker byte (upper case markers cannot occur in s).
	// H = х, J = ж, S = ш/щ, C = ц, K = ks.
	var buf [128]byte
	a := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		rest := s[i:]
		switch {
		case hasPrefix(rest, "shch"):
			a = append(a, 'S')
			i += 3
		case hasPrefix(rest, "sch"):
			a = append(a, 'S')
			i += 2
		case hasPrefix(rest, "sh"):
			a = append(a, 'S')
			i++
		case hasPrefix(rest, "dzh"):
			a = append(a, 'J')
			i += 2
		case hasPrefix(rest, "zh"), hasPrefix(rest, "dj"):
			a = append(a, 'J')
			i++
		case hasPrefix(rest, "kh"):
			a = append(a, 'H')
			i++
		case hasPrefix(rest, "ts"), hasPrefix(rest, "tz"):
			a = append(a, 'C')
			i++
		case hasPrefix(rest, "ch"):
			a = append(a, 'T') // ч
			i++
		case hasPrefix(rest, "ph"):
			a = append(a, 'f')
			i++
		case hasPrefix(rest, "ck"):
			a = append(a, 'k')
			i++
		case c == 'h':
			a = append(a, 'H')
		case c == 'x':
			a = append(a, 'k', 's')
		case c == 'w':
			a = append(a, 'v')
		case c == 'q':
			a = append(a, 'k')
		case c == 'j':
			if i == 0 || isVowel(s[i-1]) {
				a = append(a, 'J')
			} else {
				a = append(a, 'i')
			}
		case c == 'y':
			a = append(a, 'i')
		case c == 'n' && i+1 < len(s) && s[i+1] == 'g' && (i+2 == len(s) || !isVowel(s[i+2])):
			a = append(a, 'n') // Kyrgyz ң written ng
			i++
		case (c == 'o' || c == 'u') && i+1 < len(s) && s[i+1] == 'e' && (i == 0 || !isVowel(s[i-1])):
			a = append(a, c) // German-style ö/ü
			i++
		default:
			a = append(a, c)
		}
	}
	// Pass 2: drop i before e at the start or after a vowel (ye/ie of BGN), collapse
	// doubled letters, and lower the markers to stable bytes.
	start := len(dst)
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c == 'i' && i+1 < len(a) && a[i+1] == 'e' && (i == 0 || isVowel(a[i-1])) {
			continue
		}
		if len(dst) > start && dst[len(dst)-1] == markerByte(c) {
			continue
		}
		dst = append(dst, markerByte(c))
	}
	return dst
}

// markerByte turns the internal upper-case markers into the bytes used in keys.
func markerByte(c byte) byte {
	switch c {
	case 'H':
		return 'h'
	case 'J':
		return 'j'
	case 'S':
		return 'w' // ш/щ; w itself was folded to v, so no clash
	case 'C':
		return 'c'
	case 'T':
		return 'q' // ч; q itself was folded to k
	}
	return c
}

func hasPrefix(s []byte, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if s[i] != p[i] {
			return false
		}
	}
	return true
}
