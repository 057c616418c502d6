// Package lang tells the language of a short social-media text: Russian, Kyrgyz,
// English, Uzbek (Latin and Cyrillic) and Kazakh. Generic detectors confuse Kyrgyz with
// Russian or Kazakh and Uzbek Latin with anything; kuzot needs them apart because its
// classifiers and analysts work per language. The detector is deterministic and cheap:
// letters that only one of the languages uses decide first, then frequent function words.
package lang

import (
	"strings"
	"unicode"
)

// Codes returned by Detect (ISO 639-1). Unknown is returned when the text has too few
// letters or no evidence.
const (
	Russian = "ru"
	Kyrgyz  = "ky"
	English = "en"
	Uzbek   = "uz"
	Kazakh  = "kk"
	Unknown = ""
)

// Letters unique within the languages watched: ң ө ү are Kyrgyz (and Kazakh), Kazakh
// adds ә ғ қ ұ һ і; Uzbek Cyrillic has ў қ ғ ҳ.
var (
	kyKkLetters = map[rune]bool{'ң': true, 'ө': true, 'ү': true, 'Ң': true, 'Ө': true, 'Ү': true}
	kkOnly      = map[rune]bool{'ә': true, 'ұ': true, 'һ': true, 'і': true, 'Ә': true, 'Ұ': true, 'Һ': true, 'І': true}
	uzCyrOnly   = map[rune]bool{'ў': true, 'ҳ': true, 'Ў': true, 'Ҳ': true}
	kkUzShared  = map[rune]bool{'қ': true, 'ғ': true, 'Қ': true, 'Ғ': true}
)

// Frequent words per language (lower case). Kept short: they are evidence, not a model.
var words = map[string]map[string]bool{
	Russian: set("и в не на что это как с по к но из за от для все они он она мы вы так же уже был была были только их его её ее если или когда чтобы который которые надо нужно нет да этот эти наших наши детей"),
	Kyrgyz:  set("жана менен үчүн деп бул мен сен ал биз силер алар эмес болуп болот керек бар жок дагы да эле бир элдин кыргыз кыргызстан биздин анын жаштар балдар балдарды үй бүлө салт каршы тууралуу боюнча менен кийин азыр мына экен"),
	English: set("the and of to in is it that for on with as are this be was by not or at from have has they we you he she his her their our an will would should must these those who people"),
	Uzbek:   set("va bu uchun bilan emas bir ham edi bo'lib boʻlib qilish kerak yoshlar oila bolalar haqida biz siz ular u men lekin yoki endi juda barcha"),
	Kazakh:  set("және мен үшін деп бұл біз сіз олар емес болып болады керек бар жоқ тағы бір қазақ"),
}

// apostrophes folds the apostrophe variants of Uzbek Latin (oʻ, o’) to ASCII. A
// Replacer is immutable and safe for concurrent use.
var apostrophes = strings.NewReplacer("’", "'", "ʻ", "'", "‘", "'")

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Detect returns the language code of text, or Unknown.
func Detect(text string) string {
	var cyr, lat, kyk, kk, uzc, kkuz int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
			switch {
			case kyKkLetters[r]:
				kyk++
			case kkOnly[r]:
				kk++
			case uzCyrOnly[r]:
				uzc++
			case kkUzShared[r]:
				kkuz++
			}
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if cyr+lat < 3 {
		return Unknown
	}
	score := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != 'ʻ' && r != '’'
	}) {
		w = apostrophes.Replace(w)
		for code, ws := range words {
			if ws[w] {
				score[code]++
			}
		}
	}
	if cyr >= lat {
		switch {
		case kk > 0 && kk+kkuz >= uzc:
			return Kazakh
		case uzc > 0:
			return Uzbek
		case kkuz > 0 && kyk == 0:
			// қ/ғ without Kazakh-only letters: Uzbek Cyrillic unless Kazakh words win.
			if score[Kazakh] > score[Uzbek] {
				return Kazakh
			}
			return Uzbek
		case kyk > 0:
			if score[Kazakh] > score[Kyrgyz] {
				return Kazakh
			}
			return Kyrgyz
		}
		// No distinctive letters: Kyrgyz written without ң/ө/ү is still told by its words.
		if score[Kyrgyz] > score[Russian] {
			return Kyrgyz
		}
		return Russian
	}
	lower := strings.ToLower(text)
	uzMarks := strings.Count(lower, "o'") + strings.Count(lower, "g'") + strings.Count(lower, "oʻ") +
		strings.Count(lower, "gʻ") + strings.Count(lower, "o‘") + strings.Count(lower, "g‘")
	if score[Uzbek]+uzMarks > score[English] {
		return Uzbek
	}
	if score[English] > 0 {
		return English
	}
	// Latin text with no evidence: most Latin posts in the region's feeds are English.
	return English
}
