package narrative

import (
	"strings"

	"github.com/kljensen/snowball/russian"
)

// Language bits of a lexicon entry. A word pattern accepts the inflection tails of
// every language it is tagged with.
const (
	langRU uint8 = 1 << iota
	langKY
	langEN
	langUZ
	langAll = langRU | langKY | langEN | langUZ
)

// parseLangs reads "ru", "ru,ky" or "*".
func parseLangs(s string) (uint8, bool) {
	if s == "*" {
		return langAll, true
	}
	var out uint8
	for _, p := range strings.Split(s, ",") {
		switch strings.TrimSpace(p) {
		case "ru":
			out |= langRU
		case "ky":
			out |= langKY
		case "en":
			out |= langEN
		case "uz":
			out |= langUZ
		default:
			return 0, false
		}
	}
	return out, out != 0
}

// tailSet is a set of normalised (folded, collapsed) inflection endings.
type tailSet map[string]struct{}

func newTailSet(tails ...string) tailSet {
	s := tailSet{}
	for _, t := range tails {
		s[foldString(t)] = struct{}{}
	}
	return s
}

func (s tailSet) has(t []rune) bool { _, ok := s[string(t)]; return ok }

// foldString normalises lexicon text exactly as tokenize normalises post text
// (letters only; symbols are not expected in lexicon words).
func foldString(s string) string {
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		if isApostrophe(r) {
			continue
		}
		rs = append(rs, foldLetter(r))
	}
	return string(collapseRunes(rs))
}

// morphology holds the inflection data used to accept "stem + tail" word forms. It is
// built once per compiled lexicon; nothing here is package-level mutable state.
type morphology struct {
	ruTails, ruShortTails, enTails, enShortTails tailSet
	kySuffixes, uzSuffixes                       [][]rune
}

func newMorphology() *morphology {
	m := &morphology{}
	// Russian endings: the suffix classes of the Snowball Russian stemmer (noun,
	// adjective, participle+adjective, verb, reflexive, perfective gerund,
	// superlative, derivational) and their usual combinations.
	nouns := []string{"", "а", "ев", "ов", "ие", "ье", "е", "иями", "ями", "ами", "еи", "ии", "и", "ией", "ей", "ой", "ий", "й", "иям", "ям", "ием", "ем", "ам", "ом", "о", "у", "ах", "иях", "ях", "ы", "ь", "ию", "ью", "ю", "ия", "ья", "я"}
	adjs := []string{"ее", "ие", "ые", "ое", "ими", "ыми", "ей", "ий", "ый", "ой", "ем", "им", "ым", "ом", "его", "ого", "ему", "ому", "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею"}
	parts := []string{"", "ем", "нн", "вш", "ющ", "щ", "ивш", "ывш", "ующ", "н", "ен", "ан"}
	verbs := []string{"ла", "на", "ете", "йте", "ли", "й", "л", "ем", "н", "ло", "но", "ет", "ют", "ны", "ть", "ешь", "нно", "ила", "ыла", "ена", "ейте", "уйте", "ите", "или", "ыли", "ей", "уй", "ил", "ыл", "им", "ым", "ен", "ило", "ыло", "ено", "ят", "ует", "уют", "ит", "ыт", "ены", "ить", "ыть", "ишь", "ую", "ю", "ать", "ять", "ал", "ала", "али", "ало", "ат", "ает", "ают", "ай", "айте", "ут", "ешь", "ат", "ого", "ова", "овать", "ует", "уют", "ируют", "ирует", "ировать", "ируя", "ируй"}
	refl := []string{"", "ся", "сь"}
	gerunds := []string{"ив", "ивши", "ившись", "ыв", "ывши", "ывшись", "в", "вши", "вшись", "я", "а"}
	var ru []string
	ru = append(ru, nouns...)
	for _, p := range parts {
		for _, a := range adjs {
			ru = append(ru, p+a)
		}
	}
	for _, v := range verbs {
		for _, r := range refl {
			ru = append(ru, v+r)
		}
	}
	ru = append(ru, gerunds...)
	for _, n := range nouns {
		ru = append(ru, "ост"+n, "ость"+n, "ейш"+n, "ейше"+n, "к"+n, "ик"+n, "ник"+n, "ств"+n, "изм"+n, "ист"+n)
	}
	m.ruTails = newTailSet(ru...)
	// Short words (гей, лгбт) take only noun endings, so that "гей" never matches
	// "гейм" or "гейша".
	m.ruShortTails = newTailSet("", "а", "у", "е", "ем", "ом", "ы", "и", "ев", "ов", "ям", "ям", "ями", "ах", "ях", "ю", "я", "ой", "ей", "ам", "ами", "шник", "шники", "шников", "шниками", "шникам", "шное", "шный", "шная", "шные", "шных", "шным", "шного", "ство", "ства", "ские", "ских", "ский", "ская", "ское", "ским", "скими", "ского", "ской")
	m.enTails = newTailSet("", "s", "es", "ed", "d", "ing", "er", "ers", "y", "ies", "ied", "ly", "ness", "ism", "isms", "ist", "ists", "ic", "al", "ally", "ion", "ions", "e")
	m.enShortTails = newTailSet("", "s", "es", "z")
	// Kyrgyz suffixes, folded (ө→о, ү→у, ң→н) and collapsed like the text: plural,
	// possessive, case, predicative (1st/2nd person), derivational, participle,
	// converb, imperative and verbal-noun endings. Negative -ба/-бе/-бо/-па/-пе/-по is
	// deliberately absent, so "жек көрбөйм" (I don't hate) never reads as "hate".
	ky := []string{
		"лар", "лер", "лор", "дар", "дер", "дор", "тар", "тер", "тор",
		"ым", "им", "ум", "м", "ын", "ин", "ун", "н", "ыбыз", "ибиз", "убуз", "быз", "биз", "буз",
		"ыныз", "иниз", "унуз", "ныз", "низ", "нуз", "ы", "и", "у", "сы", "си", "су",
		"нын", "нин", "нун", "дын", "дин", "дун", "тын", "тин", "тун",
		"га", "ге", "го", "ка", "ке", "ко", "а", "е", "о",
		"ны", "ни", "ну", "ды", "ди", "ду", "ты", "ти", "ту",
		"да", "де", "до", "та", "те", "то", "нда", "нде", "ндо",
		"дан", "ден", "дон", "тан", "тен", "тон", "нан", "нен", "нон", "ндан", "нден", "ндон",
		"мын", "мин", "мун", "сын", "син", "сун", "сыз", "сиз", "суз",
		"чы", "чи", "чу", "лык", "лик", "лук", "дык", "дик", "дук", "тык", "тик", "тук",
		"дай", "дей", "дой", "тай", "тей", "той", "ча", "че", "чо",
		"ган", "ген", "гон", "кан", "кен", "кон", "ып", "ип", "уп", "п",
		"гыла", "гиле", "гула", "гуло", "кыла", "киле", "кула", "куло", "ыла", "иле", "ула", "уло",
		"уу", "ыы", "ии", "ыш", "иш", "уш", "гы", "ги", "гу", "ат", "ет", "от", "йт", "т",
		"шы", "ши", "шу",
	}
	for _, s := range ky {
		m.kySuffixes = append(m.kySuffixes, []rune(foldString(s)))
	}
	// Uzbek suffixes in Latin (o‘ and g‘ lose their mark) and, transliterated, in
	// Cyrillic: plural, possessive, case, predicative and common derivations.
	uz := []string{
		"lar", "ning", "ni", "ga", "ka", "qa", "da", "dan", "ta", "tan",
		"im", "ing", "i", "si", "miz", "imiz", "ingiz", "ngiz", "m", "ng",
		"dir", "man", "san", "mi", "chi", "lik", "dek", "day", "ish", "sin", "sinlar",
		"gan", "moq", "adi", "ydi", "yapti", "ib", "b", "a", "y",
	}
	for _, s := range uz {
		m.uzSuffixes = append(m.uzSuffixes, []rune(foldString(s)))
		m.uzSuffixes = append(m.uzSuffixes, []rune(foldString(uzLatinToCyrillic(s))))
	}
	return m
}

// chain reports whether tail is a sequence of up to four suffixes from list.
func chain(tail []rune, list [][]rune, depth int) bool {
	if len(tail) == 0 {
		return true
	}
	if depth == 4 {
		return false
	}
	for _, s := range list {
		if len(s) <= len(tail) && runesHasPrefix(tail, s) && chain(tail[len(s):], list, depth+1) {
			return true
		}
	}
	return false
}

func runesHasPrefix(s, p []rune) bool {
	if len(p) > len(s) {
		return false
	}
	for i := range p {
		if s[i] != p[i] {
			return false
		}
	}
	return true
}

// acceptTail decides whether a token that starts with a lexicon key is an inflected
// form of it. whole holds the whole normalised token, for the Snowball check.
func (m *morphology) acceptTail(p *wordPat, tail, whole []rune) bool {
	switch p.mode {
	case modeExact:
		return len(tail) == 0
	case modePrefix:
		return true
	}
	if len(tail) == 0 {
		return true
	}
	if p.langs&langRU != 0 {
		if p.short {
			if m.ruShortTails.has(tail) {
				return true
			}
		} else if m.ruTails.has(tail) || (len(tail) <= 8 && stemRU(string(whole)) == p.stem) {
			return true
		}
	}
	// Short Kyrgyz words need a real suffix (two letters or more), so "гей" takes
	// "гейлер" and "гейди" but never Russian "гейм".
	if p.langs&langKY != 0 && (!p.short || len(tail) >= 2) && chain(tail, m.kySuffixes, 0) {
		return true
	}
	if p.langs&langEN != 0 {
		if p.short {
			if m.enShortTails.has(tail) {
				return true
			}
		} else if m.enTails.has(tail) {
			return true
		}
	}
	if p.langs&langUZ != 0 && (!p.short || len(tail) >= 2) && chain(tail, m.uzSuffixes, 0) {
		return true
	}
	return false
}

// stemRU is the Snowball Russian stem of a normalised word, normalised again.
func stemRU(w string) string { return foldString(russian.Stem(w, true)) }

// uzLatinToCyrillic transliterates Uzbek Latin (1995 alphabet) to Uzbek Cyrillic so
// that one lexicon line covers posts in either script.
func uzLatinToCyrillic(s string) string {
	rs := []rune(strings.ToLower(s))
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case (r == 'o' || r == 'g') && isApostrophe(next):
			if r == 'o' {
				b.WriteRune('ў')
			} else {
				b.WriteRune('ғ')
			}
			i++
		case r == 's' && next == 'h':
			b.WriteRune('ш')
			i++
		case r == 'c' && next == 'h':
			b.WriteRune('ч')
			i++
		case r == 'y' && next == 'o':
			b.WriteRune('ё')
			i++
		case r == 'y' && next == 'u':
			b.WriteRune('ю')
			i++
		case r == 'y' && next == 'a':
			b.WriteRune('я')
			i++
		case r == 'y' && next == 'e':
			b.WriteRune('е')
			i++
		case r == 't' && next == 's':
			b.WriteRune('ц')
			i++
		case isApostrophe(r):
			// tutuq belgisi (hard sign): dropped, as the text folding drops it.
		case r == 'e' && i == 0:
			b.WriteRune('э')
		default:
			if c, ok := uzLatin[r]; ok {
				b.WriteRune(c)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

var uzLatin = map[rune]rune{
	'a': 'а', 'b': 'б', 'd': 'д', 'e': 'е', 'f': 'ф', 'g': 'г', 'h': 'ҳ', 'i': 'и', 'j': 'ж',
	'k': 'к', 'l': 'л', 'm': 'м', 'n': 'н', 'o': 'о', 'p': 'п', 'q': 'қ', 'r': 'р', 's': 'с',
	't': 'т', 'u': 'у', 'v': 'в', 'x': 'х', 'y': 'й', 'z': 'з',
}
