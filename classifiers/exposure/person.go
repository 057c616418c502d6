package exposure

import (
	"strings"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// nameRole is what one word can be in a person mention.
type nameRole uint8

const (
	roleNone nameRole = iota
	roleGiven
	roleSurname
	roleInitial
	roleConnector
	roleUnknownCap // capitalised word of unknown kind, accepted next to a known one
)

func (s *scan) role(k int, given map[string]bool, skels [][]byte) nameRole {
	t := s.toks[k]
	if t.digits {
		return roleNone
	}
	if watchlist.IsConnector(t.lower) {
		return roleConnector
	}
	if !t.upper {
		return roleNone
	}
	if utf8.RuneCountInString(t.lower) == 1 {
		if t.dotAfter {
			return roleInitial
		}
		return roleNone
	}
	if stopCapitalised[t.lower] || roleStemIndex.has(t.lower) {
		return roleNone
	}
	if given[string(skels[k])] {
		return roleGiven
	}
	if surnameShape(t.lower) {
		return roleSurname
	}
	// A capitalised word of unknown kind that starts a sentence is most likely just the
	// first word ("Вчера Айбек …"), unless a connector follows ("Токтосун уулу").
	if t.sent && !(k+1 < len(s.toks) && watchlist.IsConnector(s.toks[k+1].lower)) {
		return roleNone
	}
	return roleUnknownCap
}

// persons finds person mentions: runs of capitalised words in one clause that contain
// a known given name or a surname/patronymic shape, with initials ("А. Токтосунов",
// "Токтосунов А.Б.") and connectors ("Токтосун уулу Айбек"). A lone capitalised
// surname counts when it does not start a sentence; a lone given name counts too (with
// an identifier next to it, "Айбек, 0555 …" identifies a person).
func (s *scan) persons(given map[string]bool, skels [][]byte) {
	t := s.toks
	roles := make([]nameRole, len(t))
	for k := range t {
		roles[k] = s.role(k, given, skels)
	}
	for k := 0; k < len(t); k++ {
		if roles[k] == roleNone || roles[k] == roleConnector {
			continue
		}
		m := k
		for m+1 < len(t) && roles[m+1] != roleNone && (!t[m+1].brk || roles[m] == roleInitial) && m-k < 4 &&
			!symbolBetween(s.text[t[m].end:t[m+1].start]) {
			m++
		}
		for m > k && roles[m] == roleConnector {
			m--
		}
		known, strong, unknown := 0, 0, 0
		for x := k; x <= m; x++ {
			switch roles[x] {
			case roleGiven:
				known++
			case roleSurname:
				known++
				strong++
			case roleUnknownCap:
				unknown++
			}
		}
		hasConnector := false
		for x := k; x <= m; x++ {
			if roles[x] == roleConnector {
				hasConnector = true
			}
		}
		ok := false
		switch {
		case known >= 1 && m > k:
			ok = true
		case hasConnector && unknown >= 2:
			ok = true
		case m == k && roles[k] == roleSurname && !t[k].sent && loneSurname(t[k].lower) &&
			!(k > 0 && placePrepositions[t[k-1].lower]):
			ok = true
		case m == k && roles[k] == roleSurname && t[k].sent && loneSurname(t[k].lower) && longSurnameStem(t[k].lower):
			ok = true // "Сыдыкованын өзү …": a long surname in a case form opening a sentence
		case m == k && roles[k] == roleGiven:
			ok = true
		}
		// A run of only unknown capitalised words next to one given name at a sentence
		// start ("Айбек Новости ...") is still a mention; runs of 4+ unknown words are
		// titles, not names.
		if unknown > 2 && strong == 0 {
			ok = false
		}
		if ok && m == k && placeAdjective(t[k].lower) && k+1 < len(t) && placeNouns[t[k+1].lower] {
			ok = false // "Токмокский филиал", "Свердловский район"
		}
		if !ok {
			k = m
			continue
		}
		sp := span{Entity: Entity{Type: TypePerson, Start: t[k].start, End: t[m].end}, sub: "name", score: 0.6, person: -1}
		if roles[m] == roleInitial && t[m].dotAfter {
			sp.End = t[m].end + 1
		}
		s.personContext(&sp, k, m)
		s.spans = append(s.spans, sp)
		k = m
	}
}

// placeNouns follow a place adjective ("Свердловский район", "Токмокский филиал"), which
// has the -ский shape of a surname.
var placeNouns = newWordSet("район", "района", "районе", "филиал", "филиала", "филиале", "рынок", "рынке", "рынка",
	"базар", "базаре", "суд", "суда", "суде", "университет", "университете", "парк", "парке", "проспект", "проспекте",
	"округ", "округе", "областной", "городской", "микрорайон", "вокзал", "вокзале", "district", "branch")

// placeAdjective reports a Russian adjective ending (-ский, -ская, -ское, -цкий, ...).
func placeAdjective(w string) bool {
	for _, suf := range []string{"ский", "ская", "ское", "ского", "ском", "цкий", "цкая", "цкое"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// symbolBetween reports whether the gap between two words holds a symbol other than
// spaces, quotes, dots, hyphens and brackets (an emoji, an arrow): a name does not run
// across it ("Жоомарт Исаев 🌈🌈 Кара-Балтадагы").
func symbolBetween(gap string) bool {
	for _, r := range gap {
		switch {
		case r == ' ' || r == '\u00a0' || r == '.' || r == '-' || r == '\'' || r == '"' || r == '(' || r == ')' ||
			r == '«' || r == '»' || r == '“' || r == '”' || r == ',' || r == '\t':
		case r < 0x80:
			return true
		default:
			if r >= 0x2000 {
				return true
			}
		}
	}
	return false
}

// personContext marks a mention as a public official (role words around it) or as the
// author's own name ("меня зовут ...").
func (s *scan) personContext(sp *span, k, m int) {
	lo, hi := window(s.toks, k, m, 3, 3)
	for x := lo; x < hi; x++ {
		if x >= k && x <= m {
			continue
		}
		if roleStemIndex.has(s.toks[x].lower) {
			sp.public = true
		}
	}
	// "меня зовут X", "менин атым X", "my name is X", "I'm X", "я X" — but not "его
	// зовут X" or "the suspect is X".
	if k > 0 && selfIntro[s.toks[k-1].lower] && !s.toks[k].sent {
		prev2 := ""
		if k > 1 {
			prev2 = s.toks[k-2].lower
		}
		switch s.toks[k-1].lower {
		case "зовут":
			sp.self = prev2 == "меня"
		case "is":
			sp.self = prev2 == "name"
		default:
			sp.self = true
		}
	}
}

// longSurnameStem reports a surname with at least five letters before its -ов/-ев/-ин
// stem ("Сыдыкова", "Калысбеков"), too long to be a capitalised sentence opener such
// as "Готовы".
func longSurnameStem(w string) bool {
	if isLatinASCII(strings.ReplaceAll(w, "'", "")) {
		// Latin script: "Karimovning", "Mirzayevni" (the same rule on the Uzbek stem).
		w = trimUzbekCase(strings.TrimSuffix(w, "'s"))
		for _, stem := range []string{"ov", "ev", "ova", "eva"} {
			if strings.HasSuffix(w, stem) && len(w)-len(stem) >= 5 {
				return true
			}
		}
		return false
	}
	for _, stem := range []string{"ов", "ев", "ёв", "ин", "ын"} {
		if k := strings.LastIndex(w, stem); k > 0 && utf8.RuneCountInString(w[:k]) >= 5 {
			return true
		}
	}
	return false
}

// placePrepositions precede place names ("в Нарыне", "из Ростова"), which share the
// -ов/-ин shapes of surnames.
var placePrepositions = newWordSet("в", "во", "из", "на", "по", "до", "под", "над", "за", "через", "in", "from", "to", "at")

// loneSurname reports whether a surname-shaped word can stand alone as a mention:
// -ов/-ев/-ский forms can; -ин/-ын forms alone are too often Kyrgyz genitives
// ("Кеңештин") or place names.
func loneSurname(w string) bool {
	for _, stem := range []string{"ов", "ев", "ёв", "ович", "евич", "овна", "евна", "ский", "ская", "цкий", "цкая"} {
		if k := strings.LastIndex(w, stem); k >= 4 && utf8.RuneCountInString(w[k+len(stem):]) <= 4 {
			return true
		}
	}
	if isLatinASCII(strings.ReplaceAll(w, "'", "")) {
		w = trimUzbekCase(strings.TrimSuffix(w, "'s"))
		for _, suf := range []string{"ov", "ev", "ova", "eva", "ovich", "ovna", "evna", "sky", "skaya", "uulu", "kyzy"} {
			if strings.HasSuffix(w, suf) && len(w) >= len(suf)+3 {
				return true
			}
		}
	}
	return false
}
