package mrz

import (
	"strings"
	"unicode"
)

// icaoCyrillic is ICAO 9303 Part 3's transliteration of Cyrillic (Russian, with the
// Kyrgyz letters Ң, Ү, Ө), upper case.
var icaoCyrillic = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "E", 'Ж': "ZH", 'З': "Z", 'И': "I", 'Й': "I",
	'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P", 'Р': "R", 'С': "S", 'Т': "T", 'У': "U", 'Ф': "F",
	'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH", 'Щ': "SHCH", 'Ы': "Y", 'Ъ': "IE", 'Э': "E", 'Ю': "IU", 'Я': "IA",
	'Ң': "N", 'Ү': "U", 'Ө': "O", 'Ь': "",
}

// ICAOWord writes a printed name word as an MRZ would: upper case, Cyrillic
// transliterated; "" when it holds anything but letters.
func ICAOWord(w string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(w) {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case icaoCyrillic[r] != "" || r == 'Ь':
			b.WriteString(icaoCyrillic[r])
		default:
			return ""
		}
	}
	return b.String()
}

// ConfirmNames repairs the name fields of z with the name as printed elsewhere on the
// document (front is the OCR text of the picture without its zone lines). Names carry
// no check digit, so a misread letter in the zone ("BERMEI") cannot be found from the
// zone alone; a second, independent reading can confirm one. A zone name word of four
// or more letters that is not printed on the front is replaced by the single printed
// word (transliterated) of the same length that differs from it in exactly one letter;
// with none, or more than one, it stays as read. It returns the number of words
// replaced.
func ConfirmNames(z *Zone, front string) int {
	printed := map[string]bool{}
	for _, tok := range strings.FieldsFunc(front, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if w := ICAOWord(tok); len(w) >= 3 {
			printed[w] = true
		}
	}
	if len(printed) == 0 {
		return 0
	}
	repairs := 0
	fix := func(field string) string {
		words := strings.Fields(field)
		for i, w := range words {
			if len(w) < 4 || printed[w] {
				continue
			}
			match, n := "", 0
			for p := range printed {
				if len(p) == len(w) && oneApart(p, w) {
					match, n = p, n+1
				}
			}
			if n == 1 {
				words[i] = match
				repairs++
			}
		}
		return strings.Join(words, " ")
	}
	z.Surname = fix(z.Surname)
	z.GivenNames = fix(z.GivenNames)
	return repairs
}

// oneApart reports whether a and b (same length) differ in exactly one byte.
func oneApart(a, b string) bool {
	d := 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			d++
			if d > 1 {
				return false
			}
		}
	}
	return d == 1
}
