package watchlist

import (
	"strings"
	"unicode"
)

// Connectors are the Kyrgyz, Kazakh and Uzbek patronymic links ("Токтосун уулу Айбек",
// "Aibek Toktosun uulu"). They are gendered connectors, not name tokens: they are never
// hashed and the matcher skips them when it looks for the other tokens of a name.
var connectors = map[string]bool{
	"уулу": true, "кызы": true, "тегин": true, "улы": true, "қызы": true, "угли": true,
	"ўғли": true, "қизи": true, "кизи": true, "uulu": true, "kyzy": true, "kizi": true,
	"tegin": true, "uly": true, "ugli": true, "o'g'li": true, "qizi": true,
}

// IsConnector reports whether a lower-cased token is a patronymic connector.
func IsConnector(lower string) bool { return connectors[lower] }

// namePart is one token of a registered name; fatherOf marks a token followed by a
// connector ("Токтосун уулу"), i.e. a father's name in the surname slot.
type namePart struct {
	tok      string
	fatherOf string // the connector that follows, lower case, or ""
}

// nameParts is NameTokens with the connector that follows each token.
func nameParts(name string) []namePart {
	f := strings.FieldsFunc(name, func(r rune) bool {
		return !(unicode.IsLetter(r) || r == '\'' || r == '’' || r == 'ʻ' || unicode.Is(unicode.Mn, r))
	})
	var out []namePart
	for _, t := range f {
		l := strings.ToLower(t)
		if IsConnector(l) {
			if len(out) > 0 {
				out[len(out)-1].fatherOf = l
			}
			continue
		}
		if len([]rune(t)) < 2 {
			continue
		}
		out = append(out, namePart{tok: t})
	}
	return out
}

// patronymicSurnames gives the Russian-style surnames of a father's name: the same
// person may be written "Токтосун уулу Айбек" or "Айбек Токтосунов".
func patronymicSurnames(father, connector string) []string {
	f := father
	if isLatinWord(strings.ToLower(f)) {
		f = latinToCyrillic(f)
	}
	female := connector == "кызы" || connector == "kyzy" || connector == "қызы" || connector == "qizi" || connector == "кизи" || connector == "kizi"
	var out []string
	for _, suf := range []string{"ов", "ев"} {
		if female {
			out = append(out, f+suf+"а")
		} else {
			out = append(out, f+suf)
		}
	}
	return out
}

// NameTokens splits a registered name into its tokens (words joined by a hyphen are
// separate tokens, so a double surname matches either half together with a given name)
// and drops connectors and one-letter initials, which cannot be matched on their own.
func NameTokens(name string) []string {
	f := strings.FieldsFunc(name, func(r rune) bool {
		return !(unicode.IsLetter(r) || r == '\'' || r == '’' || r == 'ʻ' || unicode.Is(unicode.Mn, r))
	})
	out := f[:0]
	for _, t := range f {
		if IsConnector(strings.ToLower(t)) || len([]rune(t)) < 2 {
			continue
		}
		out = append(out, t)
	}
	return out
}

// kyrgyzSuffixes returns the Kyrgyz case suffixes (dative, genitive, accusative,
// ablative, locative, possessive) that can follow a word ending in last. The consonant
// follows the voicing rules (after a vowel: -га/-нын/-ны/-дан/-да; after a voiced
// consonant: -га/-дын/-ды/-дан/-да; after a voiceless one: -ка/-тын/-ты/-тан/-та); the
// vowel is left open (all four harmony variants), which costs a few hashes and never
// misses a form.
func kyrgyzSuffixes(last rune) []string {
	var dat, gen, abl string
	poss := false
	switch {
	case strings.ContainsRune("аеёиоуыэюяөү", last):
		dat, gen, abl, poss = "г", "н", "д", true
	case strings.ContainsRune("кптсшчфхцщ", last):
		dat, gen, abl = "к", "т", "т"
	default:
		dat, gen, abl = "г", "д", "д"
	}
	var out []string
	for _, v := range []string{"а", "е", "о", "ө"} {
		out = append(out, dat+v, abl+v, abl+v+"н")
	}
	for _, v := range []string{"ы", "и", "у", "ү"} {
		out = append(out, gen+v+"н", gen+v)
		if poss {
			out = append(out, "с"+v)
		}
	}
	return out
}

// CyrillicForms returns the forms a Cyrillic name token takes in Russian and Kyrgyz
// text: Russian case endings of given names, surnames (-ов/-ев/-ин, -ский) and
// patronymics (-ович, -овна), the other gender of a surname (Токтосунов ↔
// Токтосунова), and Kyrgyz case suffixes on every nominative form. The input is
// included. The Kyrgyz form "Токтосун уулу" of a surname is matched by Index.MatchNames,
// which derives "Токтосунов" from a word followed by a connector; the bare stem is not a
// key, because it is also a given name ("Холмат"). Tokens in other scripts are returned unchanged.
func CyrillicForms(tok string) []string {
	t := strings.ToLower(tok)
	if !isCyrillicWord(t) {
		return []string{t}
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var nominatives []string
	nom := func(s string) { nominatives = append(nominatives, s); add(s) }
	stemPlus := func(stem string, ends ...string) {
		for _, e := range ends {
			add(stem + e)
		}
	}
	switch {
	case hasAnySuffix(t, "ский", "цкий"):
		stem := t[:len(t)-len("ий")]
		nom(t)
		nom(stem + "ая")
		stemPlus(stem, "ого", "ому", "им", "ом", "ой", "ую")
	case hasAnySuffix(t, "ская", "цкая"):
		stem := t[:len(t)-len("ая")]
		nom(t)
		nom(stem + "ий")
		stemPlus(stem, "ого", "ому", "им", "ом", "ой", "ую")
	case hasAnySuffix(t, "ович", "евич", "ич"):
		nom(t)
		stemPlus(t, "а", "у", "ем", "е")
	case hasAnySuffix(t, "овна", "евна", "ична", "инична"):
		stem := t[:len(t)-len("а")]
		nom(t)
		stemPlus(stem, "ы", "е", "у", "ой")
	case hasAnySuffix(t, "ов", "ев", "ёв", "ин", "ын"):
		nom(t)
		nom(t + "а")
		stemPlus(t, "а", "у", "ым", "ом", "е", "ой", "ы", "ых")
	case hasAnySuffix(t, "ова", "ева", "ёва", "ина", "ына"):
		male := t[:len(t)-len("а")]
		nom(t)
		nom(male)
		stemPlus(male, "ой", "у", "ы", "ых", "ым", "ом", "е")
	case hasAnySuffix(t, "а", "я"):
		stem := t[:len(t)-len("а")]
		nom(t)
		soft := strings.HasSuffix(t, "я") || hasAnySuffix(stem, "г", "к", "х", "ж", "ш", "ч", "щ")
		if soft {
			stemPlus(stem, "и", "е", "ю", "у", "ей", "ой")
		} else {
			stemPlus(stem, "ы", "е", "у", "ой")
		}
	case hasAnySuffix(t, "ь"):
		stem := t[:len(t)-len("ь")]
		nom(t)
		stemPlus(stem, "и", "ю", "ью", "я", "ем", "е")
	case hasAnySuffix(t, "й"):
		stem := t[:len(t)-len("й")]
		nom(t)
		stemPlus(stem, "я", "ю", "ем", "е")
	default:
		nom(t)
		if lastIsConsonant(t) {
			stemPlus(t, "а", "у", "ом", "ем", "е", "ым")
		}
	}
	for _, n := range nominatives {
		var last rune
		for _, r := range n {
			last = r
		}
		for _, c := range kyrgyzSuffixes(last) {
			add(n + c)
		}
		// Uzbek case endings do not follow the Kyrgyz voicing rules: genitive -нинг,
		// accusative -ни, dative -га, ablative -дан, locative -да, possessive predicate
		// -ники ("Nazarovning maqolasi", "Alimovaga").
		for _, c := range uzbekSuffixes {
			add(n + c)
		}
	}
	return out
}

// uzbekSuffixes are the Uzbek case endings of a name (in Cyrillic; the skeleton maps the
// Latin spelling "ning", "ni", "ga", "dan", "da", "niki" onto the same keys).
var uzbekSuffixes = []string{"нинг", "ни", "га", "дан", "да", "ники"}

func hasAnySuffix(s string, sufs ...string) bool {
	for _, x := range sufs {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func lastIsConsonant(s string) bool {
	var last rune
	for _, r := range s {
		last = r
	}
	return !strings.ContainsRune("аеёиоуыэюяөүьъй", last)
}

func isCyrillicWord(s string) bool {
	cyr := 0
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			cyr++
		} else if unicode.IsLetter(r) {
			return false
		}
	}
	return cyr > 0
}

func isLatinWord(s string) bool {
	lat := 0
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			lat++
		} else if unicode.IsLetter(r) {
			return false
		}
	}
	return lat > 0
}

// informal renders a Cyrillic word with the BGN/PCGN and informal Central Asian
// spellings that Skeleton cannot merge with ICAO on its own: ё as yo (Диёр → Diyor),
// ж as j (Kyrgyz Latin "Jyldyz") and х as h. Spellings that would merge different
// names (ю as plain u: Касюмова vs Масумова) are deliberately not generated.
func informal(s string) string { return informalReplacer.Replace(s) }

// informalReplacer is immutable after initialisation and safe for concurrent use.
var informalReplacer = strings.NewReplacer("ё", "yo", "ж", "j", "х", "h")

// latinToCyrillic gives a plausible Cyrillic spelling of a Latin name token so that a
// member registered only in Latin is still found in Cyrillic posts (and, through
// CyrillicForms, in their inflected forms). It is a best effort; organisations should
// register both scripts.
func latinToCyrillic(s string) string {
	s = strings.ToLower(s)
	digraphs := []struct{ from, to string }{
		{"shch", "щ"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"}, {"ch", "ч"}, {"sh", "ш"},
		{"yu", "ю"}, {"iu", "ю"}, {"ya", "я"}, {"ia", "я"}, {"yo", "ё"}, {"ye", "е"},
		{"ng", "ң"}, {"oe", "ө"}, {"ue", "ү"},
	}
	single := map[byte]string{
		'a': "а", 'b': "б", 'v': "в", 'g': "г", 'd': "д", 'e': "е", 'z': "з", 'i': "и",
		'y': "ы", 'k': "к", 'l': "л", 'm': "м", 'n': "н", 'o': "о", 'p': "п", 'r': "р",
		's': "с", 't': "т", 'u': "у", 'f': "ф", 'h': "х", 'c': "ц", 'j': "ж", 'q': "к",
		'x': "кс", 'w': "в",
	}
	var b strings.Builder
outer:
	for i := 0; i < len(s); {
		for _, d := range digraphs {
			if strings.HasPrefix(s[i:], d.from) {
				b.WriteString(d.to)
				i += len(d.from)
				continue outer
			}
		}
		if c, ok := single[s[i]]; ok {
			b.WriteString(c)
		}
		i++
	}
	out := b.String()
	// "ai", "ei", "oi", "ui" at a syllable end are й in Cyrillic (Aibek → Айбек).
	for _, v := range []string{"а", "е", "о", "у"} {
		out = strings.ReplaceAll(out, v+"и", v+"й")
	}
	return out
}

// TokenKeys returns every skeleton key under which one registered name token is
// stored: the skeletons of all its Russian/Kyrgyz forms in ICAO and informal
// renderings, and for a Latin token also those of its Cyrillic spelling.
func TokenKeys(tok string) []string {
	seen := map[string]bool{}
	var out []string
	var buf []byte
	add := func(s string) {
		buf = Skeleton(buf[:0], s)
		if len(buf) < 2 {
			return
		}
		k := string(buf)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	lower := strings.ToLower(tok)
	add(lower)
	cyr := lower
	if isLatinWord(lower) {
		cyr = latinToCyrillic(lower)
	}
	if isCyrillicWord(cyr) {
		for _, f := range CyrillicForms(cyr) {
			add(f)
			add(informal(f))
		}
	}
	return out
}
