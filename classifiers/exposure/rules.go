package exposure

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// postCues are what the whole post says beyond its spans (see cues.go).
type postCues struct {
	// ad: a sale, service, job or rental ad; contact: an invitation to call or write;
	// lost: a lost-document notice; firstPerson: the author speaks of themself;
	// publicContact: a journalist's, lawyer's or organisation's public contact.
	ad, contact, lost, firstPerson, publicContact bool
	// hostile: shaming, "everybody knows", calls to find or punish someone.
	hostile bool
	// threat: a promise to publish someone's data or "we know where you work".
	threat bool
	// secondPerson: the post addresses its target directly ("ты", "сен", "sen").
	secondPerson bool
	// secondPersonData: a data noun with a second-person possessive ("атың", "ismingni").
	secondPersonData bool
	// possessed: a number is said to be a named person's ("Номер Данияра …",
	// "Асылкуловдун номери"): an invitation to call it is no ad.
	possessed bool
	// announcement: congratulations, a death notice, an appeal for a missing person or
	// a treatment, court or police news (announcementCues).
	announcement bool
}

// selfDisclosure reports whether the post reads as the author's own or an
// organisation's public contact: an ad, a lost-document notice or a public contact,
// without a hostile word, a threat or a SOGI claim about someone.
func (c postCues) selfDisclosure(claim bool) bool {
	return (c.ad || c.lost || c.publicContact || c.announcement || (c.contact && (c.firstPerson || !c.possessed))) &&
		!c.hostile && !c.threat && !claim
}

// gayApp reports the name of a gay dating app, in any case ending ("Grindr'де",
// "Grindrda"); "hornet" only when capitalised.
func gayApp(w string, upper bool) bool {
	return strings.HasPrefix(w, "grindr") || strings.HasPrefix(w, "гриндр") || strings.HasPrefix(w, "planetromeo") ||
		strings.HasPrefix(w, "scruff") || (upper && (strings.HasPrefix(w, "hornet") || strings.HasPrefix(w, "хорнет")))
}

// appPresence reports a word of presence on an app in the sentence around token k:
// a profile, sitting there, a screenshot of it.
func (s *scan) appPresence(k int) bool {
	lo, hi := window(s.toks, k, k, 8, 8)
	return anyStem(s.toks, lo, hi, []string{"анкет", "профил", "сидит", "сидел", "зарегистр", "скрин", "аккаунт",
		"отурат", "отурган", "катталган", "o'tiradi", "o'tirgan", "ro'yxatdan", "profil", "akkaunt", "profile",
		"account", "screenshot", "uses"})
}

// venueClaim reports whether the SOGI venue at token k ("гей-клуб") is where someone was
// seen or goes: a seeing or going verb in the same sentence.
func (s *scan) venueClaim(k int) bool {
	lo, hi := window(s.toks, k, k, 8, 4)
	return anyStem(s.toks, lo, hi, []string{"видел", "видели", "ходит", "ходил", "бывает", "тусит", "тусуется",
		"засветил", "застукали", "көрүш", "көргөн", "көрдүм", "барат", "барган", "жүрөт", "ko'rish", "boradi",
		"seen", "goes", "went", "spotted"})
}

// sogiExtra adds SOGI claims that are not single SOGI words: euphemisms and innuendo,
// relationship words in quotes, a former name used against a trans person, obfuscated
// slurs and the rainbow emoji used as a label.
func (s *scan) sogiExtra(given map[string]bool, skels [][]byte) {
	t := s.toks
	first := len(s.spans)
	add := func(a, b int, sub string) {
		sp := span{Entity: Entity{Type: TypeSOGI, Start: a, End: b}, sub: sub, score: 0.6, person: -1}
		// "my \"roommate\"", "my real name": the author's own.
		k := tokenAt(t, a)
		lo, _ := window(t, k, k, 2, 0)
		for x := lo; x < k; x++ {
			if firstPersonWords[t[x].lower] && t[x].lower != "наш" && t[x].lower != "our" && (t[x].lower != "men" || t[x].brk) {
				sp.self = true
			}
		}
		s.spans = append(s.spans, sp)
	}
	hintCount := 0
	hasQuotes := strings.ContainsAny(s.text, "\"«“")
	masks := s.phraseMasks()
	phraseBits := hints.bit | euphemisms.bit | dislikedGender.bit | formerNameCues.bit
	for k := 0; k < len(t); k++ {
		if t[k].digits {
			continue
		}
		if masks[k]&phraseBits == 0 {
			goto single
		}
		if n := hints.matchAt(s, k); n > 0 {
			add(t[k].start, t[k+n-1].end, "hint")
			s.spans[len(s.spans)-1].group = true
			hintCount++
			k += n - 1
			continue
		}
		if n := euphemisms.matchAt(s, k); n > 0 {
			if !s.determinerBeforeNoun(k + n - 1) {
				add(t[k].start, t[k+n-1].end, "euphemism")
			}
			k += n - 1
			continue
		}
		if n := dislikedGender.matchAt(s, k); n > 0 {
			add(t[k].start, t[k+n-1].end, "euphemism")
			k += n - 1
			continue
		}
		if n := formerNameCues.matchAt(s, k); n > 0 {
			// A capitalised name within three words after the cue.
			for x := k + n; x < len(t) && x < k+n+3 && !t[x].sent; x++ {
				if t[x].upper && !t[x].digits {
					add(t[k].start, t[k+n-1].end, "former_name")
					break
				}
			}
			k += n - 1
			continue
		}
	single:
		w := t[k].lower
		if t[k].start > 0 && t[k].end < len(s.text) && isQuoteByte(s.text[t[k].start-1]) &&
			(isQuotedRelation(w) || quotedPronouns[w] || (t[k].upper && (given[string(skels[k])] || s.namingVerbAfter(k))) ||
				s.quotedCompanion(k)) {
			before, _ := utf8.DecodeLastRuneInString(s.text[:t[k].start])
			after, _ := utf8.DecodeRuneInString(s.text[t[k].end:])
			if (before == '«' || before == '"' || before == '“' || before == '\'') && (after == '»' || after == '"' || after == '”' || after == '\'') {
				if isQuotedRelation(w) || s.quotedCompanion(k) {
					add(t[k].start, t[k].end, "quoted_relation")
					// A Russian plural oblique form ("своим «подружкам»", "с «друзьями»")
					// speaks of a group, not of one person's partner.
					s.spans[len(s.spans)-1].group = !quotedRelations[w] && pluralOblique(w)
				} else if quotedPronouns[w] {
					// говорит что она "он": a pronoun of the other gender in quotes mocks
					// a trans person's identity.
					add(t[k].start, t[k].end, "quoted_pronoun")
				} else if t[k].upper && (given[string(skels[k])] || s.namingVerbAfter(k)) &&
					(k == 0 || t[k-1].digits || !hasPrefixIn(t[k-1].lower, orgNouns)) {
					// «Саша», "Kamila": a name in scare quotes is a trans person's chosen
					// name mocked — unless it names an organisation or a place
					// (клиника «Адилет», кафе "Aida").
					add(t[k].start, t[k].end, "quoted_name")
				}
			}
			continue
		}
		// A profile on a gay dating app is the claim itself ("сидит в Grindr", "has a
		// Hornet profile", "Grindr'де отурат"): the app's name with a word of presence
		// in the sentence (review32). "Hornet" is an insect too, so it counts only
		// capitalised; Tinder and the like are no claim.
		if gayApp(w, t[k].upper) && s.appPresence(k) {
			add(t[k].start, t[k].end, "venue")
			continue
		}
		// '"живёт с братом" (который ему не брат)': a relation or kin word inside a
		// quoted phrase is the same innuendo as a quoted relation word.
		if hasQuotes && (isQuotedRelation(w) || quotedKinStems(w)) && s.insideQuotes(k) {
			add(t[k].start, t[k].end, "quoted_relation")
			continue
		}
		// "көк" (blue) closing a clause about someone: "— тигилерден, көк.", "ko'k 🏳️‍🌈".
		// The same colour words as a predicate with a Kyrgyz/Uzbek evidential or copula
		// ("Айгерим көк экен", "Farrux ko'k ekan", "көк имиш"), and the Russian comparative
		// ("голубее неба"), are the same claim in another form.
		// The Uzbek words are also the sky's colour ("Osmon moviy"): said of a person
		// only when a person mention stands right before them.
		if (w == "moviy" || w == "мовий" || w == "havorang" || w == "ҳаворанг") &&
			!(k > 0 && s.personCovers(k-1)) && !(k > 1 && honorifics[t[k-1].lower] && s.personCovers(k-2)) {
			continue
		}
		if colourPredicates[w] &&
			(k+1 == len(t) || t[k+1].brk || t[k+1].sent || evidentials[t[k+1].lower] || s.hedgeAt(k+1)) &&
			(t[k].brk || (k > 0 && t[k-1].upper) || (k > 0 && (pronouns[t[k-1].lower] || ruEvidentials[t[k-1].lower] ||
				additiveParticles[t[k-1].lower] || t[k-1].lower == "эле" || t[k-1].lower == "ham"))) {
			add(t[k].start, t[k].end, "euphemism")
		}
		if (w == "голубее" || w == "голубенький" || w == "голубенькая") && s.personInSentence(t[k].start) {
			add(t[k].start, t[k].end, "euphemism")
		}
	}
	// A manner of the other gender said of a person ("Muhlisa Qodirova erkakcha
	// kiyinadi") and a scare-quoted word right before a gendered person noun ("\"nozik\"
	// yigit", "«башкача» жигит", "a \"special\" guy") are hints.
	for k := range t {
		if g, ok := crossGenderManner[t[k].lower]; ok && s.subjectGender(k) == g {
			add(t[k].start, t[k].end, "hint")
			s.spans[len(s.spans)-1].group = true
			hintCount++
		}
		// A quoted innuendo word in the plural ('"бошқача"лар рўйхати', '«көгілдірлер»
		// тізімі') names a group, which a list header turns into a claim about everyone
		// listed (independent5 dev i5-mixed-0004, mixed-0005).
		if hasQuotes && t[k].start > 0 && isQuoteByte(s.text[t[k].start-1]) && !t[k].digits {
			if st, ok := pluralStem(t[k].lower); ok && innuendoAdjectives[st] ||
				(innuendoAdjectives[t[k].lower] && k+1 < len(t) && t[k+1].start == t[k].end+1 && closingQuoteAt(s.text, t[k].end) &&
					pluralSuffixes[t[k+1].lower]) {
				add(t[k].start, t[k].end, "euphemism")
				s.spans[len(s.spans)-1].group = true
				continue
			}
		}
		if hasQuotes && t[k].start > 0 && isQuoteByte(s.text[t[k].start-1]) && !t[k].upper && innuendoAdjectives[t[k].lower] &&
			closingQuoteAt(s.text, t[k].end) && (k+1 == len(t) || t[k+1].brk || evidentials[t[k+1].lower]) &&
			s.personInSentence(t[k].start) {
			add(t[k].start, t[k].end, "euphemism")
			continue
		}
		if k+1 < len(t) && hasQuotes && t[k].start > 0 && isQuoteByte(s.text[t[k].start-1]) && !t[k].upper &&
			quotedPersonNouns[t[k+1].lower] && closingQuoteAt(s.text, t[k].end) {
			add(t[k].start, t[k+1].end, "hint")
			s.spans[len(s.spans)-1].group = true
			hintCount++
		}
	}
	// Hints make a claim together, or with a knowing wink.
	if hintCount >= 2 || (hintCount == 1 && hostileCues.any(s)) {
		for i := first; i < len(s.spans); i++ {
			if s.spans[i].sub == "hint" {
				s.spans[i].group = false
			}
		}
	}
	s.sameSexPartner()
	s.genderSwitchedSurname()
	s.chosenVersusReal()
	s.genderedDating()
	s.documentGender()
	if mayBeObfuscated(s.text) {
		for _, m := range obfuscatedSOGI.FindAllStringSubmatchIndex(s.text, -1) {
			add(m[2], m[3], "obfuscated")
		}
		// Any SOGI word of the lexicon with letters masked ("п*дик", "л*сби", "гом*к",
		// "g*y"): the regular expression above knows a few shapes only (independent5 dev
		// i5-ru-0009).
		for _, w := range maskedWords(s.text) {
			dup := false
			for i := first; i < len(s.spans); i++ {
				if s.spans[i].sub == "obfuscated" && overlaps(s.spans[i].Start, s.spans[i].End, w[0], w[1]) {
					dup = true
				}
			}
			if !dup && maskedSOGI(s.text[w[0]:w[1]]) {
				add(w[0], w[1], "obfuscated")
			}
		}
	}
	for _, label := range sogiLabels {
		if !strings.Contains(s.text, label) {
			continue
		}
		for off := 0; ; {
			i := strings.Index(s.text[off:], label)
			if i < 0 {
				break
			}
			a := off + i
			add(a, a+len(label), "rainbow")
			// A label for a list, not a claim on its own, unless it stands right after a
			// name ("Айбек Сатаров 👉🏳️‍🌈") or in a sentence about a person ("Этот
			// Эркин, продавец с рынка (ряд 14), 🏳️‍🌈", "Cholpon from the deli counter 🌈
			// just so y'all know"): then it labels that person.
			after := s.rightAfterPerson(a)
			s.spans[len(s.spans)-1].group = !after && !s.personInSentence(a)
			// "Биз экөөбүз Айдай менен … биргебиз 👭": in a sentence whose subject is
			// "we", the label is the author's own coming out.
			if !after && s.weInSentence(a) && !s.thirdPersonBefore(a) {
				s.spans[len(s.spans)-1].self = true
			}
			off = a + len(label)
		}
	}
}

// rightAfterPerson reports whether only spaces, punctuation and emoji (at most 16 bytes)
// separate the end of a person mention from byte offset off.
func (s *scan) rightAfterPerson(off int) bool {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || sp.End > off || off-sp.End > 16 {
			continue
		}
		letters := false
		for _, r := range s.text[sp.End:off] {
			if isWordRune(r) || r == '\n' {
				letters = true
			}
		}
		if !letters {
			return true
		}
	}
	return false
}

// pluralOblique reports a Russian plural dative, instrumental or prepositional ending
// (-ам, -ям, -ами, -ями, -ах, -ях).
func pluralOblique(w string) bool {
	for _, suf := range []string{"ам", "ям", "ами", "ями", "ах", "ях"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// isQuoteByte reports whether b is the last byte of a quote mark (", ', «, “).
func isQuoteByte(b byte) bool {
	return b == '"' || b == '\'' || b == 0xab /* « */ || b == 0x9c /* “ */
}

// quasi finds workplaces, schools, classes, jobs, homes, routines and routes: personal
// data that locates a person (TypeWorkplace, TypeLocation).
func (s *scan) quasi() {
	t := s.toks
	masks := s.phraseMasks()
	bits := workCues.bit | placeCues.bit
	if s.maskUnion&bits == 0 {
		return
	}
	for k := 0; k < len(t); k++ {
		if t[k].digits || masks[k]&bits == 0 {
			continue
		}
		typ := TypeWorkplace
		n := workCues.matchAt(s, k)
		if n == 0 {
			typ = TypeLocation
			n = placeCues.matchAt(s, k)
		}
		if n == 0 {
			continue
		}
		e := k + n - 1
		if typ == TypeLocation && livingVerbs[t[k].lower] && !s.placeNear(k, e) {
			// "апасы менен бирге жашайт", "lives with his wife": living with someone,
			// nowhere said, locates nobody (review32).
			k = e
			continue
		}
		// Extend over the rest of the clause, a few words at most ("в аптеке на
		// Ахунбаева", "9-мектептин 4А классында").
		for x := e + 1; x < len(t) && x <= e+4 && !t[x].brk && !(t[x].upper && !t[x].digits); x++ {
			e = x
		}
		// No markers: the cues are third-person forms, and official contexts do not apply.
		s.spans = append(s.spans, span{Entity: Entity{Type: typ, Start: t[k].start, End: t[e].end}, sub: string(typ),
			score: 0.4, quasi: true, person: -1})
		k = e
	}
}

// livingVerbs are the place cues that say only "lives": they locate someone only with a
// place next to them.
var livingVerbs = newWordSet("живет", "живёт", "живут", "проживает", "жашайт", "жашаган", "yashaydi", "яшайди",
	"turadi", "lives", "living")

// placeKindStems name a kind of place ("улица", "көчө", "ko'cha", "street");
// placeKindWords are the short ones, matched whole ("ул", "мкр", "st": as prefixes
// they would match "улуу" or "still").
var placeKindStems = []string{"улиц", "микрорайон", "район", "квартир", "общежити", "село", "город", "көчө", "кочо",
	"шаар", "айыл", "кыштак", "батир", "ko'cha", "кўча", "mahalla", "маҳалла", "tuman", "туман", "shahar", "шаҳар",
	"qishloq", "қишлоқ", "kvartira", "street", "avenue", "district", "village", "apartment", "dorm"}

var placeKindWords = newWordSet("ул", "кв", "мкр", "дом", "доме", "st", "town", "city", "flat")

// placeNear reports a place within four words of the cue tokens [k, e]: a number, a place noun, a capitalised word in a Kyrgyz or Uzbek locative
// ("Ошто", "Toshkentda") or after a preposition of place ("в Бишкеке", "in Osh").
func (s *scan) placeNear(k, e int) bool {
	t := s.toks
	for x := k - 4; x <= e+4; x++ {
		if x < 0 || x >= len(t) || (x >= k && x <= e) {
			continue
		}
		if t[x].digits || hasPrefixIn(t[x].lower, placeKindStems) || placeKindWords[t[x].lower] || placeNouns[t[x].lower] {
			return true
		}
		if !t[x].upper {
			continue
		}
		if utf8.RuneCountInString(t[x].lower) > 3 && locativeEnd(t[x].lower) {
			return true
		}
		if x > 0 {
			switch t[x-1].lower {
			case "в", "во", "на", "in", "at", "on", "из":
				return true
			}
		}
	}
	return false
}

// precise reports whether a workplace or routine span pins a person down: it holds a
// number or a time, or is a daily-routine phrase.
func (s *scan) precise(sp *span) bool {
	i, j := tokenRange(s.toks, sp.Start, sp.End)
	for k := i; k <= j+2 && k < len(s.toks); k++ {
		if s.toks[k].digits {
			return true
		}
	}
	w := s.toks[i].lower
	return w == "каждый" || w == "ар" || w == "har" || w == "ҳар" || w == "every" || w == "по" || w == "күн" ||
		w == "саат" || w == "soat" || w == "соат" || w == "забирают" || w == "забирает"
}

// genitiveEnd reports a Kyrgyz or Uzbek genitive ending ("Эрмектин", "Бакировдун",
// "Karimovning").
func genitiveEnd(w string) bool {
	for _, suf := range []string{"тин", "дин", "нин", "тын", "дын", "нын", "тун", "дун", "нун", "түн", "дүн", "нүн", "ning"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// kin marks person mentions that anchor a relative: a kin word right before the name
// ("сын Кубанычбека", "племянник акима Алтынбека") or right after a genitive name
// ("Бакировдун аялы", "Эрмектин кызы").
func (s *scan) kin() {
	t := s.toks
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson {
			continue
		}
		a, b := tokenRange(t, sp.Start, sp.End)
		// A kin word up to four words before, across a determiner and a role noun in
		// the genitive: "Жена того самого блогера Темира" (independent4 dev i4-ru-0020).
		for x := a - 1; x >= 0 && x >= a-4; x-- {
			if t[x].digits {
				break
			}
			if kinWords[t[x].lower] {
				sp.kin = true
				break
			}
			if t[x].sent || (x < a-1 && t[x+1].brk) {
				break
			}
		}
		if b+1 < len(t) && !t[b+1].digits && (kinWords[t[b+1].lower] || (kinAfterGenitive[t[b+1].lower] && genitiveEnd(t[b].lower))) {
			sp.kin = true
		}
		// "Бекболот деген активисттин апасы": the name, "деген" (called), a role noun in
		// the genitive, then the possessed kin word (independent4 dev i4-ky-0020).
		if b+3 < len(t) && (t[b+1].lower == "деген" || t[b+1].lower == "degan") && !t[b+2].brk && !t[b+3].brk &&
			genitiveEnd(t[b+2].lower) && (kinWords[t[b+3].lower] || kinAfterGenitive[t[b+3].lower]) {
			sp.kin = true
		}
	}
}

// kinAnchorMember matches a member named by surname alone as the anchor of a relative:
// a genitive or possessive surname right before a kin word ("Ergashevaning singlisi",
// "Serikbaeva's brother", "Осмонкуловдун атасы") or a genitive surname right after
// one ("сестра Эргашевой"). A lone surname is weak evidence (research/exposure.md:
// name only is review level), so it counts only here, where the post singles the
// family out, and only when it names exactly one member of the loaded lists.
func (s *scan) kinAnchorMember(ix *watchlist.Index, skels [][]byte) {
	t := s.toks
	persons := newSpanSet(s.spans, func(sp *span) bool { return sp.Type == TypePerson && len(sp.members) > 0 })
	try := func(y int, genitive bool) {
		if y < 0 || y >= len(t) || t[y].digits || !t[y].upper || functionWords[t[y].lower] {
			return
		}
		// The tokenizer keeps an English possessive inside the word's bounds and drops
		// it from the lower-cased form.
		w, raw := t[y].lower, s.text[t[y].start:t[y].end]
		possessive := strings.HasSuffix(raw, "'s") || strings.HasSuffix(raw, "’s")
		if genitive && !possessive && !genitiveEnd(w) {
			return
		}
		if !surnameShape(w) || persons.overlaps(t[y].start, t[y].end) {
			return
		}
		// Alone, and corroborated by the member's role: a given name before it names
		// someone else ("Abdurakhmon Kosimov's daughter" is not Jamshid Qosimov's
		// family), and a bare surname is shared by many families.
		if y > 0 && !t[y].brk && t[y-1].upper && !functionWords[t[y-1].lower] && !hasPrefixIn(t[y-1].lower, activistWords) {
			return
		}
		if !s.activistBefore(y) {
			return
		}
		refs := ix.MatchToken(skels[y])
		if len(refs) != 1 {
			return
		}
		ri := s.refIndex(refs[0])
		s.spans[s.memberSpan(y, ri, "watchlist_kin_anchor")].kin = true
	}
	for x := range t {
		if t[x].digits || !(kinWords[t[x].lower] || kinAfterGenitive[t[x].lower]) {
			continue
		}
		if x > 0 && !t[x].brk {
			try(x-1, true)
		}
		if x+1 < len(t) && !t[x+1].brk && kinWords[t[x].lower] && !isLatinASCII(t[x+1].lower) {
			try(x+1, false)
			// "брат активистки Абдраимовой": the role between the kin word and the name.
			if x+2 < len(t) && !t[x+2].brk && hasPrefixIn(t[x+1].lower, activistWords) {
				try(x+2, false)
			}
		}
	}
}

// loneSurnameMember matches a member named by one word only: a surname alone
// ("Сатыбалдиева — лесба", "Токтогулов и Жумагулова — …") or a given name next to the
// organisation's name ("Ак-Кайыңдагы Адилет"). One word is weak evidence
// (research/exposure.md: name only is review level; name + organisation escalates), so
// it needs corroboration: the post names the member's organisation, or, for a surname,
// an activist role stands right before it ("та активистка Абдраимова"). Without either,
// only an uncommon surname (commonSurname) of a private person counts. The word must
// stand alone (no capitalised word next to it in its clause other than the
// organisation's name, so "Abdurakhmon Kosimov" is someone else) and name exactly one
// member of the corroborated ones. The verdict then decides whether the post exposes
// that person or merely mentions them.
func (s *scan) loneSurnameMember(ix *watchlist.Index, skels [][]byte) {
	t := s.toks
	// Cheap first: most posts have no word that could be such a member.
	cands := 0
	for k := range t {
		if !t[k].digits && t[k].upper && !functionWords[t[k].lower] {
			cands++
		}
	}
	if cands == 0 {
		return
	}
	var named []string
	var orgAt []bool
	if ix.HasOrgNames() {
		// Only capitalised words are looked up as an organisation's name: each lookup is
		// a keyed hash, and a name written in lower case corroborates nothing.
		words := make([][][]byte, len(t))
		for k := range t {
			if t[k].digits || !t[k].upper || len(skels[k]) == 0 {
				continue
			}
			words[k] = [][]byte{skels[k]}
			if st := trimOrgSuffix(t[k].lower); st != t[k].lower {
				words[k] = append(words[k], watchlist.Skeleton(nil, st))
			}
		}
		// A one-word organisation name counts only where a name of an organisation
		// stands: in quotes or next to an organisation noun ("фонд «Келечек»").
		orgContext := func(k int) bool {
			if s.insideQuotes(k) {
				return true
			}
			for x := max(0, k-2); x <= k+2 && x < len(t); x++ {
				if x != k && hasPrefixIn(t[x].lower, orgNouns) {
					return true
				}
			}
			return false
		}
		named, orgAt = ix.OrgsNamed(words, orgContext)
	}
	isOrg := func(k int) bool { return orgAt != nil && orgAt[k] }
	capitalisedNeighbour := func(k int) bool {
		if k > 0 && !t[k].brk && t[k-1].upper && !t[k-1].digits && !functionWords[t[k-1].lower] && !isOrg(k-1) {
			return true
		}
		return k+1 < len(t) && !t[k+1].brk && t[k+1].upper && !t[k+1].digits && !functionWords[t[k+1].lower] && !isOrg(k+1)
	}
	for k := range t {
		if t[k].digits || !t[k].upper || isOrg(k) || functionWords[t[k].lower] || capitalisedNeighbour(k) {
			continue
		}
		// "Токтогул 210,", "ул. Ахунбаева": a street named after a person, not the member
		// (a house number closes the clause; "Сатыбалдиева 12-катарда иштейт" is a
		// person at a market row).
		if k+1 < len(t) && t[k+1].digits && !t[k+1].brk && (k+2 >= len(t) || t[k+2].brk || addressNumberWords[t[k+2].lower] ||
			numberCaseEndings[t[k+2].lower]) {
			continue
		}
		if k > 0 && streetPrepositions[t[k-1].lower] {
			continue
		}
		surname := surnameShape(t[k].lower)
		role := surname && s.activistBefore(k)
		lone := !role && len(named) == 0
		// A given name (not surname-shaped) is corroborated only by the organisation's
		// name right next to it in its clause ("Ак-Кайыңдагы Адилет"), not by the
		// organisation named elsewhere in the post: "Айбек" is too common a name.
		if !surname && !lone && !s.orgNameNext(k, orgAt) {
			continue
		}
		if lone {
			// No corroboration: only an uncommon surname of a private person (a common
			// one is shared by thousands, a judge's or a journalist's is theirs).
			// (-ин/-ын alone is too often a Kyrgyz genitive: "Эрмектин"; loneSurname.)
			if !surname || !loneSurname(t[k].lower) || commonSurname(skels[k]) {
				continue
			}
			probe := span{Entity: Entity{Type: TypePerson, Start: t[k].start, End: t[k].end}, person: -1}
			s.personContext(&probe, k, k)
			if probe.public {
				continue
			}
		}
		taken := false
		for i := range s.spans {
			sp := &s.spans[i]
			if overlaps(sp.Start, sp.End, t[k].start, t[k].end) {
				if sp.Type != TypePerson {
					taken = true // a place, an address, an organisation's name
					break
				}
				// The span may take the organisation's name in ("Yo'lakdagi Bermet"):
				// only its other words count.
				a, b := tokenRange(t, sp.Start, sp.End)
				for a < b && isOrg(a) {
					a++
				}
				if a != b || len(sp.members) > 0 {
					taken = true
				}
			}
		}
		if taken {
			continue
		}
		refs := ix.MatchToken(skels[k])
		if !role && !lone {
			refs = slices.DeleteFunc(refs, func(r watchlist.Ref) bool { return !slices.Contains(named, r.Org) })
		}
		if len(refs) != 1 {
			continue
		}
		s.memberSpan(k, s.refIndex(refs[0]), "watchlist_one_word")
	}
}

// personCovers reports whether token k lies inside a person mention.
func (s *scan) personCovers(k int) bool {
	for i := range s.spans {
		if sp := &s.spans[i]; sp.Type == TypePerson && sp.Start <= s.toks[k].start && s.toks[k].end <= sp.End {
			return true
		}
	}
	return false
}

// orgNameNext reports an organisation-name word (orgAt) within two words of token k,
// in the same clause. The clause is read off the text between the words (punctuation
// other than hyphens and quotes), not the tokens' brk flag, which a full stop after a
// word does not set.
func (s *scan) orgNameNext(k int, orgAt []bool) bool {
	if orgAt == nil {
		return false
	}
	t := s.toks
	gap := func(x, y int) bool { // punctuation between tokens x < y
		return strings.ContainsAny(s.text[t[x].end:t[y].start], ".,;:!?()\n")
	}
	for x := k - 1; x >= 0 && x >= k-2 && !gap(x, k); x-- {
		if orgAt[x] {
			return true
		}
	}
	for x := k + 1; x < len(t) && x <= k+2 && !gap(k, x); x++ {
		if orgAt[x] {
			return true
		}
	}
	return false
}

// refIndex returns the index of member r in s.refs, adding it if new: one ref per
// member, so the verdict lists it once however many mentions found it.
func (s *scan) refIndex(r watchlist.Ref) int {
	if i := slices.Index(s.refs, r); i >= 0 {
		return i
	}
	s.refs = append(s.refs, r)
	return len(s.refs) - 1
}

// memberSpan records member ref ri on the person mention at token k: on the person
// span that covers the word, or on a new one-word span (sub names the rule that found
// it). It returns the span's index.
func (s *scan) memberSpan(k, ri int, sub string) int {
	t := s.toks
	for i := range s.spans {
		if sp := &s.spans[i]; sp.Type == TypePerson && overlaps(sp.Start, sp.End, t[k].start, t[k].end) {
			sp.members = appendUnique(sp.members, ri)
			return i
		}
	}
	sp := span{Entity: Entity{Type: TypePerson, Start: t[k].start, End: t[k].end}, sub: sub, score: 0.6, person: -1, members: []int{ri}}
	s.personContext(&sp, k, k)
	s.spans = append(s.spans, sp)
	return len(s.spans) - 1
}

// numberCaseEndings are the Kyrgyz and Uzbek case endings written after a house number
// ("Айтмамбетов 12де": at number 12).
var numberCaseEndings = newWordSet("де", "да", "те", "та", "дө", "до", "тө", "то", "га", "ге", "ка", "ке", "dagi", "da", "ga")

// streetPrepositions come before a street named after a person ("ул. Ахунбаева"); "на",
// "по" and "on" are not among them: "напали на Сатыбалдиеву" is about a person.
var streetPrepositions = newWordSet("ул", "улица", "улице", "улицу", "улицы")

// commonSurnameStems are skeleton keys (watchlist.Skeleton) of the most frequent
// Kyrgyz, Uzbek, Kazakh and Russian surnames, in the male nominative: a surname that
// starts with one (any case or gender form: "Karimovaning", "Асановдун") is too common
// to name a member without corroboration. From general knowledge of the region's
// naming, not from any corpus post.
var commonSurnameStems = func() [][]byte {
	var out [][]byte
	for _, n := range []string{
		"Асанов", "Усенов", "Осмонов", "Токтогулов", "Абдыкадыров", "Алыбаев", "Жумабаев", "Касымов", "Мамытов",
		"Садыков", "Маматов", "Исаев", "Сыдыков", "Турдуев", "Абдрахманов", "Омуралиев", "Кадыров", "Токтосунов",
		"Аманов", "Алиев", "Ибраимов", "Калиев", "Исмаилов", "Ысмайылов", "Мамбетов", "Султанов", "Сулайманов",
		"Бекмуратов", "Орозбаев", "Кенжебаев", "Абдыкеримов", "Сапаров", "Эргешов", "Болотбеков", "Нуралиев",
		"Мамыров", "Джумабаев", "Абдиев", "Осмоналиев", "Шамшиев", "Иманкулов", "Байгазиев", "Бейшеналиев",
		"Каримов", "Рахимов", "Юсупов", "Абдуллаев", "Исмоилов", "Тошматов", "Ахмедов", "Эргашев", "Турсунов",
		"Назаров", "Рашидов", "Хасанов", "Усмонов", "Холматов", "Мирзаев", "Салимов", "Юлдашев", "Махмудов",
		"Умаров", "Азимов", "Кодиров", "Абдурахмонов", "Набиев", "Шарипов", "Алимов", "Собиров", "Халилов",
		"Муминов", "Рустамов", "Носиров", "Қосимов", "Косимов", "Ахметов", "Омаров", "Искаков", "Сейткалиев",
		"Нурланов", "Жаксылыков", "Абенов", "Сулейменов", "Ибрагимов", "Иванов", "Смирнов", "Кузнецов", "Попов",
		"Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Федоров", "Морозов", "Волков", "Алексеев",
		"Лебедев", "Семенов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров",
		"Никитин", "Захаров",
	} {
		out = append(out, watchlist.Skeleton(nil, strings.ToLower(n)))
	}
	return out
}()

// commonSurname reports whether a word's skeleton starts with a common surname stem.
func commonSurname(skel []byte) bool {
	for _, st := range commonSurnameStems {
		if bytes.HasPrefix(skel, st) {
			return true
		}
	}
	return false
}

// orgSuffixes are the Kyrgyz and Uzbek endings that make an attribute or a plural of an
// organisation's name ("Ак-Кайыңдагы Адилет", "Ак-Кайыңдагылар баары билет", "Mehr
// Nuridagi"); the name's plain case forms are among its hashed keys already.
var orgSuffixes = []string{"ндагылар", "ндагы", "дагылардын", "дагыларга", "дагылар", "тагылар", "дагы", "тагы", "деги", "теги",
	"догу", "тогу", "дөгү", "төгү", "даги", "dagilar", "dagi", "dagy", "dagylar"}

// trimOrgSuffix removes one organisation-attribute ending (orgSuffixes) from a word.
func trimOrgSuffix(w string) string {
	for _, suf := range orgSuffixes {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+3 {
			return strings.TrimSuffix(w, suf)
		}
	}
	return w
}

// activistBefore reports an activist role (activistWords) within three words before
// token k in its sentence ("та активистка Абдраимова", "Anavi faol Ergashevaning").
func (s *scan) activistBefore(k int) bool {
	t := s.toks
	for z := k - 1; z >= 0 && z >= k-3; z-- {
		if hasPrefixIn(t[z].lower, activistWords) {
			return true
		}
		if t[z].sent {
			break
		}
	}
	return false
}

// activistWords name the role of the people a watchlist protects (activists, NGO
// staff, volunteers): next to a lone surname they corroborate a member.
var activistWords = []string{"активист", "правозащит", "волонтер", "волонтёр", "activist", "volunteer", "faol",
	"фаол"}

// lists finds list structure: numbered or dashed lines, table rows of several persons,
// or "header: Name, Name, Name". Every person of a list is marked listed; a SOGI word
// in the header (even a plural or the rainbow) states everyone's orientation; a row with
// a number, a year or a workplace carries data about its person.
func (s *scan) lists() {
	text := s.text
	type line struct {
		a, b    int
		persons []int
		marker  bool
	}
	var lines []line
	for a := 0; a < len(text); {
		b := strings.IndexByte(text[a:], '\n')
		if b < 0 {
			b = len(text)
		} else {
			b += a
		}
		lines = append(lines, line{a: a, b: b, marker: isListMarker(text[a:b])})
		a = b + 1
	}
	for i := range s.spans {
		if s.spans[i].Type != TypePerson || s.spans[i].self {
			continue
		}
		for li := range lines {
			if s.spans[i].Start >= lines[li].a && s.spans[i].Start < lines[li].b {
				lines[li].persons = append(lines[li].persons, i)
				break
			}
		}
	}
	// Rows: marker lines with a person, or runs of two or more consecutive short lines
	// with a person each (a pasted table).
	isRow := make([]bool, len(lines))
	for li, l := range lines {
		if len(l.persons) > 0 && l.marker {
			isRow[li] = true
		}
	}
	for li := 0; li < len(lines); li++ {
		run := li
		for run < len(lines) && len(lines[run].persons) > 0 && lines[run].b-lines[run].a < 200 &&
			(s.rowShaped(lines[run].a, lines[run].b) || s.onlyNames(lines[run].a, lines[run].b, lines[run].persons)) {
			run++
		}
		if run-li >= 2 {
			for x := li; x < run; x++ {
				isRow[x] = true
			}
		}
		if run > li {
			li = run - 1
		}
	}
	rows := 0
	first := -1
	for li := range lines {
		if isRow[li] {
			rows += len(lines[li].persons)
			if first < 0 {
				first = li
			}
		}
	}
	if rows >= 2 {
		ha := lines[max(0, first-2)].a
		claim := s.headerClaim(ha, lines[first].a)
		// A footer about everyone listed: "баары ЛГБТ, далилдер бар", "all of them gay".
		for li := len(lines) - 1; li > first && !claim; li-- {
			if isRow[li] {
				break
			}
			if s.lineHas(lines[li].a, lines[li].b, listHeaderWords) {
				claim = s.headerClaim(lines[li].a, lines[li].b)
			}
		}
		for li := range lines {
			if !isRow[li] {
				continue
			}
			data, fields := s.rowHasData(lines[li].a, lines[li].b)
			for _, p := range lines[li].persons {
				s.spans[p].listed, s.spans[p].headerClaim, s.spans[p].rowData, s.spans[p].rowFields = true, claim, data, fields
			}
		}
		return
	}
	// "Header: Name, Name, Name" within one line.
	for _, l := range lines {
		c := strings.IndexByte(text[l.a:l.b], ':')
		if c < 0 || len(l.persons) < 2 {
			continue
		}
		c += l.a
		var after []int
		for _, p := range l.persons {
			if s.spans[p].Start > c {
				after = append(after, p)
			}
		}
		if len(after) < 2 {
			continue
		}
		// The claim may stand before the colon or after the names ("…: A, B, C — all
		// registered as \"men seeking men\"").
		claim := s.headerClaim(l.a, l.b)
		for _, p := range after {
			s.spans[p].listed, s.spans[p].headerClaim = true, claim
			s.spans[p].rowData, s.spans[p].rowFields = s.rowHasData(s.spans[p].End, min(l.b, s.spans[p].End+60))
		}
	}
}

// onlyNames reports whether text[a:b] holds nothing but the person mentions (a list of
// bare names, one a line).
func (s *scan) onlyNames(a, b int, persons []int) bool {
	n := 0
	for k := tokenAt(s.toks, a); k < len(s.toks) && s.toks[k].start < b; k++ {
		// A nickname in brackets after the name ("Абдыкадырова Чолпон (Чоко)") is part
		// of the row's name (independent4 dev i4-ky-0003).
		if st, en := s.toks[k].start, s.toks[k].end; st > 0 && en < len(s.text) && s.text[st-1] == '(' && s.text[en] == ')' {
			continue
		}
		n++
		in := false
		for _, p := range persons {
			if s.toks[k].start >= s.spans[p].Start && s.toks[k].end <= s.spans[p].End {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	return n > 0
}

// lineHas reports whether a word of the set occurs in text[a:b].
func (s *scan) lineHas(a, b int, set wordSet) bool {
	for k := tokenAt(s.toks, a); k < len(s.toks) && s.toks[k].start < b; k++ {
		if !s.toks[k].digits && set[s.toks[k].lower] {
			return true
		}
	}
	return false
}

// rowShaped reports whether a line looks like a table row or list entry: fields split
// by commas, dashes, tabs or pipes, or a number on it.
func (s *scan) rowShaped(a, b int) bool {
	l := s.text[a:b]
	return strings.ContainsAny(l, ",\t|—–") || strings.Contains(l, " - ") || strings.ContainsAny(l, "0123456789")
}

// headerClaim reports whether text[a:b] (a list header) carries a SOGI word that is not
// about a topic ("права ЛГБТ"): a single claim, a plural, "ЛГБТ" or the rainbow.
func (s *scan) headerClaim(a, b int) bool {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type == TypeSOGI && sp.Start >= a && sp.End <= b && !sp.self && (!sp.generic || sp.group) {
			return true
		}
	}
	return false
}

// rowHasData reports whether text[a:b] carries data about its person (data: an
// identifier or a year of birth) or further fields (a town, a job, a workplace, "(таксист,
// белый приус)"), which expose in a hostile post only.
func (s *scan) rowHasData(a, b int) (data, fields bool) {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type.IsIdentifier() && sp.Start >= a && sp.Start < b {
			if sp.quasi {
				fields = true
			} else {
				data = true
			}
		}
	}
	for k := tokenAt(s.toks, a); k < len(s.toks) && s.toks[k].start < b; k++ {
		tk := s.toks[k]
		if tk.digits && tk.end-tk.start == 4 {
			if y := atoi(s.text[tk.start:tk.end]); y >= 1930 && y <= s.now.Year()-12 {
				data = true
			}
		}
		if tk.brk && k > tokenAt(s.toks, a) {
			fields = true
		}
	}
	return data, fields
}

// cues reads the post-level cues.
func (s *scan) cues() postCues {
	t := s.toks
	var c postCues
	c.ad = adCues.any(s)
	c.contact = contactCues.any(s)
	c.lost = lostCues.any(s)
	c.publicContact = publicContactCues.any(s)
	c.announcement = announcementCues.any(s)
	c.hostile = hostileCues.any(s)
	for _, tk := range t {
		if tk.digits {
			continue
		}
		if firstPersonWords[tk.lower] {
			c.firstPerson = true
		}
		if secondPerson[tk.lower] {
			c.secondPerson = true
		}
		if secondPersonData[tk.lower] {
			c.secondPerson, c.secondPersonData = true, true
		}
	}
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson {
			continue
		}
		a, b := tokenRange(t, sp.Start, sp.End)
		if (b+1 < len(t) && hasPrefixIn(t[b+1].lower, possessedNumberWords)) || (a > 0 && hasPrefixIn(t[a-1].lower, possessedNumberWords)) {
			c.possessed = true
		}
	}
	// "анын инстасы …, баарыңар жазгыла", "uning raqami …": data a third-person
	// possessive points at is someone else's, and "write to her" sends readers there
	// (review32).
	for k := 0; k+1 < len(t); k++ {
		if targetWords[t[k].lower] && !t[k+1].digits && hasPrefixIn(t[k+1].lower, dataNounStems) {
			c.possessed = true
		}
	}
	// A journalist's or an NGO's public contact is their own; a post that locates their
	// relative ("журналист Сабыровдун аялы … тарбиячы", "jurnalist Karimovaning eri")
	// is about a private person (independent4 dev i4-ky-0018, uz-0017).
	for i := range s.spans {
		if s.spans[i].Type == TypePerson && s.spans[i].kin {
			c.publicContact = false
		}
	}
	// Two or more listed persons with data on their rows (a phone, an id) are other
	// people's contacts, not the author's own: a debt or scam list ("ДОЛЖНИКИ: Курманова
	// Сайкал 0552 … — 45 000 сом", "Qarzini bermayotganlar ro'yxati", "Мошенниктер! …") is
	// no ad for its prices and no invitation to call the author (independent6 dev
	// i6-ru-0003, ky-0003, uz-0003, mixed-0003).
	listedData := 0
	for i := range s.spans {
		if sp := &s.spans[i]; sp.Type == TypePerson && sp.listed && sp.rowData && !sp.self {
			listedData++
		}
	}
	if listedData >= 2 {
		c.contact = false
	}
	// A price: a number followed by a currency ("11500$", "25000 сом").
	if !c.ad && listedData < 2 {
		for k := 0; k+1 < len(t); k++ {
			if t[k].digits && !t[k+1].digits && hasPrefixIn(t[k+1].lower, []string{"сом", "руб", "тенге", "сум", "so'm", "usd", "долл"}) {
				c.ad = true
				break
			}
		}
		if !c.ad && (strings.IndexByte(s.text, '$') >= 0 || strings.Contains(s.text, "€")) {
			c.ad = true
		}
	}
	// "звоните ему", "call him": an invitation to contact someone else is no
	// self-disclosure.
	for _, tk := range t {
		switch tk.lower {
		// Also the plural and the forms after a preposition ("звоните им", "спросите у
		// него", "ularga qo'ng'iroq qiling"; independent6 dev i6-ru-0003, ru-0054).
		case "ему", "ей", "ага", "him", "her", "unga", "им", "него", "неё", "нее", "ней", "ularga", "аларга":
			c.contact = false
		}
	}
	// Kyrgyz and Uzbek second-person possessive accusatives on any noun ("ишканаңды",
	// "работаңды", "экениңди", "uyingni") point the data at the addressee.
	promise := false
	for _, tk := range t {
		if tk.digits {
			continue
		}
		if secondPersonVerb(tk.lower) {
			c.secondPerson = true
		}
		if secondPossAccusative(tk.lower) {
			c.secondPerson, c.secondPersonData = true, true
		}
		if disclosurePromise(tk.lower) {
			promise = true
		}
	}
	// A promise to tell, by morphology, threatens only when addressed to its target
	// ("… экениңди айтабыз"); "borib aytamiz" about someone's mother tells no one.
	// "сегодня номер, завтра адрес", "Завтра имя и место работы будут в паблике", "ertaga
	// manzilingni": a future time word right before a data noun is the promise itself
	// (independent5 dev i5-ru-0041, ru-0038).
	timed := false
	for k := range t {
		if t[k].digits || !futureTimeWords[t[k].lower] {
			continue
		}
		for x := k + 1; x < len(t) && x <= k+3 && !t[x].sent; x++ {
			if threatData.matchAt(s, x) > 0 {
				timed = true
			}
		}
	}
	if (threatCues.any(s) || (promise && c.secondPerson) || (timed && c.secondPerson)) && (c.secondPersonData || threatData.any(s)) {
		c.threat = true
	}
	if !c.threat && s.promisedPersonData() {
		c.threat = true
	}
	if !c.threat && familyRecipients.any(s) && (threatCues.any(s) || promise || s.mediaSentToFamily()) && (c.secondPersonData || mediaData.any(s)) {
		c.threat, c.secondPerson = true, true
	}
	// The addressee's own family or employer as who will find out ("вся твоя семья
	// прочтёт", "работа твоя узнает кто ты такой", "oilangga ham xabar beramiz", "your
	// manager's email is on our list"): a threat to tell, whatever the data (independent6
	// dev i6-ru-0083, ru-0046, uz-0033, en-0032).
	// Only in a hostile or threatening post, one that shows the addressee's data, says
	// they have something to hide or says something of someone's SOGI: "your family will
	// find out the good news" is no threat (lead's review of exposure/6).
	if !c.threat && !c.lost && !c.ad && learnVerbs.any(s) && (ownRecipients.any(s) || familyRecipients.any(s)) &&
		(c.hostile || threatCues.any(s) || secretPhrases.any(s) || mediaData.any(s) || s.othersSOGI()) {
		c.threat, c.secondPerson = true, true
	}
	// The owner's lost-document notice in the first person ("Утерял …, кто найдёт —
	// позвоните мне") promises nothing (independent5 dev i5-ru-0059).
	if c.threat && c.lost && c.firstPerson && !c.secondPerson && !c.hostile {
		c.threat = false
	}
	// A national id or a passport is never anyone's public contact (independent5 dev
	// i5-en-0032, mixed-0003: an NGO worker's PIN, petition signers' passports).
	for i := range s.spans {
		if sp := &s.spans[i]; (sp.Type == TypeNationalID || sp.Type == TypePassport) && !sp.self {
			c.publicContact = false
		}
	}
	return c
}

// mediaSentToFamily reports a sending verb (familySendVerbs) with media data
// (mediaData) as its subject right before it and the family recipient right around it:
// "видео апаңа барат", "скрины уйдут твоему отцу", "rasmlar eringning oilasiga boradi".
// "Все пойдут на работу, фото скину вечером" has the three words, but not together.
func (s *scan) mediaSentToFamily() bool {
	t := s.toks
	masks := s.phraseMasks()
	for k := range t {
		if t[k].digits || masks[k]&familySendVerbs.bit == 0 || familySendVerbs.matchAt(s, k) == 0 {
			continue
		}
		media, family := false, false
		for x := max(0, k-4); x < k; x++ {
			media = media || mediaData.matchAt(s, x) > 0
		}
		for x := max(0, k-3); x <= k+4 && x < len(t); x++ {
			family = family || (x != k && familyRecipients.matchAt(s, x) > 0)
		}
		if media && family {
			return true
		}
	}
	return false
}

// secondPossAccusative reports a Kyrgyz or Uzbek noun with a second-person possessive
// in the accusative ("ишканаңды", "экениңди", "работаңды", "uyingni", "ishingni").
func secondPossAccusative(w string) bool {
	// The nominative second-person possessive of a place or schedule noun ("grafiging",
	// "bekating", "kvartirang", "аялдамаң"; independent5 dev i5-uz-0028).
	if hasPrefixIn(w, scheduleStems) {
		for _, suf := range []string{"ing", "ng", "инг", "нг", "ың", "иң", "уң", "үң", "ң"} {
			if strings.HasSuffix(w, suf) {
				return true
			}
		}
	}
	n := utf8.RuneCountInString(w)
	if n < 6 || !hasPrefixIn(w, privateDataStems) {
		return false
	}
	for _, suf := range []string{"ңды", "ңди", "ңду", "ңдү", "ingni", "ингни"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// privateDataStems are the nouns of a person's private data and whereabouts (work,
// home, address, place, school, name, number, photos, what or who one is) that
// secondPossAccusative accepts: "сенин макалаңды" (your article) is no data.
// scheduleStems are nouns of a daily routine and a home (schedule, bus stop, flat,
// office) whose second-person possessive points them at the addressee.
var scheduleStems = []string{"grafi", "график", "bekat", "бекат", "аялдама", "kvartir", "квартир", "ofis", "офис",
	"ijara", "ижара", "marshrut", "маршрут"}

var privateDataStems = []string{"иш", "жумуш", "работ", "үй", "уй", "дарег", "дарек", "жер", "экен", "ким",
	"мектеб", "окуу", "номер", "телефон", "сүрөт", "ат", "жаша", "ish", "uy", "manzil", "joy", "kim", "ekan",
	"maktab", "ism", "telefon", "raqam", "rasm", "yasha", "ўқи", "ишхона", "уйинг", "манзил"}

// disclosureVerbStems are verbs of telling, showing, spreading and publishing (ky, uz)
// and firstPluralFuture their first-person plural future endings: "айтабыз",
// "көрсөтөбүз", "жиберебиз", "aytamiz", "yuboramiz", "joylaymiz". Stem x ending instead
// of a list of forms (independent4 dev i4-ky-0034, ky-0037, mixed-0022).
var (
	disclosureVerbStems = []string{"айт", "көрсөт", "тарат", "жарыяла", "чыгар", "жибер", "сал", "жай", "ташта",
		"ayt", "ko'rsat", "tarqat", "chiqar", "yubor", "joyla", "tashla", "oshkor", "айт", "кўрсат", "тарқат",
		"чиқар", "юбор", "жойла"}
	firstPluralFuture = []string{"абыз", "ебиз", "обуз", "өбүз", "йбыз", "йбиз", "йбуз", "йбүз", "amiz", "aymiz",
		"ymiz", "емиз", "амиз", "ймиз"}
)

// disclosurePromise reports a first-person plural future of a disclosure verb.
func disclosurePromise(w string) bool {
	for _, st := range disclosureVerbStems {
		if !strings.HasPrefix(w, st) {
			continue
		}
		rest := w[len(st):]
		for _, suf := range firstPluralFuture {
			if rest == suf || (len(rest) > len(suf) && strings.HasSuffix(rest, suf) && utf8.RuneCountInString(rest) <= utf8.RuneCountInString(suf)+2) {
				return true
			}
		}
	}
	return false
}

// vocativeMember matches the target of a threat addressed by surname alone
// ("Калысбеков, жакында …", "Kuliumov, you're done"): a capitalised surname-shaped word
// opening a sentence and followed by a comma, which names exactly one member.
func (s *scan) vocativeMember(ix *watchlist.Index, skels [][]byte) {
	t := s.toks
	for k := range t {
		if t[k].digits || !t[k].upper || !(k == 0 || t[k].sent) || !surnameShape(t[k].lower) {
			continue
		}
		if t[k].end >= len(s.text) || s.text[t[k].end] != ',' {
			continue
		}
		if k+1 < len(t) && !t[k+1].brk {
			continue
		}
		refs := ix.MatchToken(skels[k])
		if len(refs) != 1 {
			continue
		}
		// The member may already be matched by a phone or an id of the same post: one
		// ref per member, so the verdict lists it once (independent5 dev i5-ky-0031).
		ri := s.refIndex(refs[0])
		s.spans = append(s.spans, span{Entity: Entity{Type: TypePerson, Start: t[k].start, End: t[k].end},
			sub: "watchlist_vocative", score: 0.6, person: -1, members: []int{ri}})
	}
}

// attachLoose binds SOGI claims that attach found no person for (the claim stands in
// another sentence: "Айпери …, Салымбекова которая, сама из таких. видела её с
// девушкой") to the nearest person mention in the post: the last one before in the
// same line, else the last one before, else the first one after.
func (s *scan) attachLoose() {
	// Someone who comes out in the post ("I'm gay, …, my \"roommate\" …") speaks of
	// themself in the euphemisms too.
	selfPost := false
	for i := range s.spans {
		if s.spans[i].Type == TypeSOGI && s.spans[i].self && s.spans[i].sub == "sogi" {
			selfPost = true
		}
	}
	if selfPost {
		for i := range s.spans {
			sp := &s.spans[i]
			if sp.Type == TypeSOGI && sp.sub != "sogi" && sp.sub != "venue" && sp.sub != "obfuscated" {
				sp.self = true
			}
		}
	}
	var persons []int
	for i := range s.spans {
		if s.spans[i].Type == TypePerson {
			persons = append(persons, i)
		}
	}
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypeSOGI || sp.generic || sp.group || sp.self || sp.person >= 0 {
			continue
		}
		if len(persons) == 0 {
			// "0772 … — бул номер гейдики": a number on the claim's line stands for the
			// person.
			for j := range s.spans {
				id := &s.spans[j]
				if id.Type.IsIdentifier() && !id.quasi && id.person < 0 && !id.self && !id.official &&
					!strings.Contains(s.text[min(id.Start, sp.Start):max(id.End, sp.End)], "\n") {
					id.target = true
				}
			}
			continue
		}
		best := -1
		for _, p := range persons {
			if s.spans[p].End <= sp.Start {
				best = p
			}
		}
		if best < 0 {
			best = persons[0]
		}
		sp.person = best
	}
}

// officeStems are words that make a number or an address a workplace's: a public
// official's office line or reception ("his office line", "рабочий телефон",
// "кабинети", "ofis").
var officeStems = []string{"office", "приемн", "приёмн", "кабинет", "рабоч", "офис", "ofis", "кызмат", "xizmat"}

// officeContext reports whether an office word stands within four words before the
// identifier sp in its sentence.
func (s *scan) officeContext(sp *span) bool {
	k := tokenAt(s.toks, sp.Start)
	lo, _ := window(s.toks, k, k, 4, 0)
	return anyStem(s.toks, lo, min(k, len(s.toks)), officeStems)
}

// demonstratives end the euphemisms that only point ("из этих", "из таких", "one of
// those"); followed by a noun of their own clause they are determiners ("из этих мест",
// "one of those days"), not innuendo.
var demonstratives = newWordSet("этих", "таких", "those", "these")

// pointingFollowers are words that may follow a pointing euphemism in its clause without
// making it a determiner ("из этих самых", "из этих, ну", "из таких же").
var pointingFollowers = newWordSet("самых", "же", "ну", "вот", "походу", "видимо", "кажется", "наверное", "типа",
	"короче", "кстати", "тоже", "ведь", "и", "или", "да", "который", "которая", "которые", "кто", "что",
	"если", "как", "все", "всё", "ещё", "еще", "уже", "экен", "деп", "and", "guys", "if", "you", "who", "apparently")

// determinerBeforeNoun reports whether the euphemism ending at token e ends in a
// demonstrative that determines the next word of its clause: a lower-case word that is
// neither a particle nor a function word.
func (s *scan) determinerBeforeNoun(e int) bool {
	t := s.toks
	if !demonstratives[t[e].lower] || e+1 >= len(t) {
		return false
	}
	n := t[e+1]
	return !n.brk && !n.sent && !n.digits && !n.upper && !pointingFollowers[n.lower] && !functionWords[n.lower]
}

// orgNouns are stems of nouns that a quoted proper name follows when it names an
// organisation, a business or a place (клиника «Адилет», кафе "Aida", «Бакай» банкы).
var orgNouns = []string{"клиник", "центр", "фонд", "кафе", "ресторан", "магазин", "салон", "компани", "фирм",
	"осоо", "оао", "зао", "ооо", "ип", "тц", "трц", "отел", "гостиниц", "банк", "аптек", "школ", "лице",
	"гимнази", "детсад", "сад", "клуб", "студи", "агентств", "организаци", "объединени", "ассоциаци", "движени",
	"бирикме", "уюм", "борбор", "дүкөн", "дукон", "do'kon", "дўкон", "markaz", "марказ", "klinika", "клиника",
	"kafe", "restoran", "mehmonxona", "tashkilot", "ташкилот", "clinic", "center", "centre", "foundation", "cafe",
	"restaurant", "shop", "store", "salon", "company", "hotel", "bank", "pharmacy", "school", "club", "studio",
	"agency", "organisation", "organization", "ngo", "нко", "бренд", "brand", "журнал", "газет", "канал", "channel"}

// personInSentence reports whether a person mention (not the author) stands in the
// sentence of the word at or after byte offset off.
func (s *scan) personInSentence(off int) bool {
	if len(s.toks) == 0 {
		return false
	}
	k := min(tokenAt(s.toks, off), len(s.toks)-1)
	a, b := k, k
	for a > 0 && !s.toks[a].sent {
		a--
	}
	for b+1 < len(s.toks) && !s.toks[b+1].sent {
		b++
	}
	lo, hi := s.toks[a].start, s.toks[b].end
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type == TypePerson && !sp.self && sp.Start >= lo && sp.End <= hi {
			return true
		}
	}
	return false
}

// weSubjects are first-person plural subjects, and the Kyrgyz and Uzbek "we two"
// ("экөөбүз", "ikkimiz"), which include the author.
var weSubjects = newWordSet("мы", "биз", "экөөбүз", "экообуз", "biz", "ikkimiz", "ikkalamiz", "иккимиз", "иккаламиз", "we", "we're")

// weInSentence reports a first-person plural subject (weSubjects) before byte offset
// off in its sentence: the label closes a statement about "us" ("… экөөбүз тең кызбыз
// 🏳️‍🌈"), not one that only addresses the readers after it ("🌈 Nodira опа, биз
// ҳаммаси тушундик").
func (s *scan) weInSentence(off int) bool {
	b := len(s.toks) - 1
	for b >= 0 && s.toks[b].end > off {
		b-- // b: the last word before off
	}
	if b < 0 {
		return false
	}
	a := b
	for a > 0 && !s.toks[a].sent {
		a--
	}
	for x := a; x <= b; x++ {
		if weSubjects[s.toks[x].lower] {
			return true
		}
	}
	return false
}

// comitativeWords join a partner to "we" ("Биз Айдай менен", "мы с Айдай", "biz Dilnoza
// bilan", "me and Aidai"): the partner is part of the "we" that comes out.
var comitativeWords = newWordSet("менен", "bilan", "билан", "с", "со", "and", "with")

// thirdPersonBefore reports a person named in the sentence before byte offset off who
// is not joined to "we" as a partner: "We all know Aibek Toktosunov … 🌈" labels him.
func (s *scan) thirdPersonBefore(off int) bool {
	t := s.toks
	if len(t) == 0 {
		return false
	}
	sentenceOf := func(x int) int {
		for x > 0 && !t[x].sent {
			x--
		}
		return x
	}
	here := sentenceOf(min(tokenAt(t, off), len(t)-1))
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || sp.self || sp.End > off {
			continue
		}
		a, b := tokenRange(t, sp.Start, sp.End)
		if sentenceOf(a) != here {
			continue
		}
		partner := (b+1 < len(t) && comitativeWords[t[b+1].lower]) || (a > 0 && comitativeWords[t[a-1].lower])
		if !partner {
			return true
		}
	}
	return false
}

// quotedPronouns are third-person pronouns that, in quotes, mock someone's gender
// identity ("она «он»", "calls herself \"he\"").
// The oblique forms ("спросите у \"него\"", "с \"ней\"") mock the same way (independent6
// dev i6-ru-0054).
var quotedPronouns = newWordSet("он", "она", "его", "её", "ее", "he", "she", "him", "her", "his", "него", "неё", "нее",
	"ней", "ним", "нему", "ему", "ей", "нём", "нем")

// quotedKinStems reports kin words that, inside a quoted phrase, stand for a partner
// ('"живёт с братом"', '"his cousin"', '"сестрёнка"').
func quotedKinStems(w string) bool {
	return len(w) <= 16 && hasPrefixIn(w, kinInQuotesStems)
}

// kinInQuotesStems are the stems of quotedKinStems.
var kinInQuotesStems = []string{"брат", "сестр", "кузен", "кузин", "cousin", "племянни", "nephew", "niece", "sister",
	"brother", "ука", "эже", "singl", "opa", "aka",
	// The same words in the other languages of the corpus, and flat-sharing partners
	// ('"ukasi" bilan yuradi', '"напарник" у него ночует', 'her "flatmate"', '"jo'rasi"';
	// independent5 dev i5-uz-0063, ru-0084, en-0024, uz-0021).
	"uka", "jiyan", "жиян", "напарни", "соседк", "flatmate", "housemate", "jo'ra", "жўра", "жора", "шерик", "sherik"}

// namingVerbs follow a chosen name in quotes ('азыр "Алтай" дейт', '"Jahongir" deb
// yuradi', '«Алина» называет себя', '"Mardon" bo'lib olibdi').
var namingVerbs = newWordSet("дейт", "деп", "дейди", "деген", "deb", "деб", "dedi", "дейт.", "называет", "зовёт",
	"зовет", "называют", "зовут", "представляется", "calls", "goes", "named", "bo'lib", "бўлиб", "болуп", "болгон",
	"стал", "стала", "became", "now")

// namingVerbAfter reports whether a naming verb follows the quoted word k within two
// words of its sentence.
func (s *scan) namingVerbAfter(k int) bool {
	for x := k + 1; x < len(s.toks) && x <= k+2 && !s.toks[x].sent; x++ {
		if !s.toks[x].digits && namingVerbs[s.toks[x].lower] {
			return true
		}
	}
	return false
}

// companionWords introduce the person someone lives with ("живёт со своей
// «директоршей»", "sharing a flat with his \"cousin\"", '"opasi" bilan').
var companionWords = newWordSet("с", "со", "with", "bilan", "билан", "менен")

// livingStems are the verbs of living or sharing a home.
var livingStems = []string{"жив", "снима", "live", "living", "shar", "жаша", "yasha", "яша", "turadi",
	"туради", "together", "вместе", "бирге", "birga", "бирга"}

// quotedCompanion reports whether the quoted word k is someone's companion in a home:
// a companion word within two words before it (or right after it, in Kyrgyz and Uzbek)
// and a verb of living or sharing in its sentence.
func (s *scan) quotedCompanion(k int) bool {
	t := s.toks
	comp := false
	for x := k - 1; x >= 0 && x >= k-2; x-- {
		if !t[x].digits && companionWords[t[x].lower] {
			comp = true
		}
		if t[x+1].sent {
			break
		}
	}
	if k+1 < len(t) && !t[k+1].sent && (t[k+1].lower == "bilan" || t[k+1].lower == "билан" || t[k+1].lower == "менен") {
		comp = true
	}
	if !comp {
		return false
	}
	lo, hi := window(t, k, k, 8, 8)
	return anyStem(t, lo, hi, livingStems)
}

// insideQuotes reports whether token k stands inside a quoted phrase of its line: after
// an unclosed opening quote (« “ or an odd number of ") and before its closing quote.
func (s *scan) insideQuotes(k int) bool {
	text := s.text
	ls := strings.LastIndexByte(text[:s.toks[k].start], '\n') + 1
	le := strings.IndexByte(text[s.toks[k].end:], '\n')
	if le < 0 {
		le = len(text)
	} else {
		le += s.toks[k].end
	}
	before, after := text[ls:s.toks[k].start], text[s.toks[k].end:le]
	if len(before) > 80 {
		before = before[len(before)-80:]
	}
	if len(after) > 80 {
		after = after[:80]
	}
	if strings.LastIndex(before, "«") > strings.LastIndex(before, "»") && strings.Contains(after, "»") {
		return true
	}
	if strings.LastIndex(before, "“") > strings.LastIndex(before, "”") && strings.Contains(after, "”") {
		return true
	}
	return strings.Count(before, "\"")%2 == 1 && strings.Contains(after, "\"")
}

// evidentials are Kyrgyz and Uzbek evidential and hearsay predicates ("экен", "имиш"):
// after a bare "ЛГБТ" they make it a claim about the person named before.
var evidentials = newWordSet("экен", "eken", "ekan", "экан", "имиш", "эмиш", "emish", "imish",
	// "that he is …" ("moviy ekanini hamma biladi", "көк экенин баары билет").
	"ekanini", "ekanligini", "эканини", "эканлигини", "экенин", "экенини", "экендигин",
	// Hearsay predicates of the same role ("көк дешет", "nozik deyishadi"; independent5
	// dev i5-ky-0019).
	"дешет", "дейишет", "дейт", "дейишади", "deyishadi", "дейди", "deydi")

// innuendoAdjectives are the evaluative words that, scare-quoted as the predicate of a
// person ('"boshqacha" ekan', 'сама «такая»', 'he is "special"'), claim a SOGI
// (independent5 dev i5-ru-0011, uz-0023; independent4 dev i4-uz-0005).
var innuendoAdjectives = newWordSet("boshqacha", "башкача", "бошқача", "nozik", "нозик", "такой", "такая", "такие",
	"особенный", "особенная", "особенные", "special", "different", "moviy", "мовий", "көгілдір", "голубой", "голубая",
	"другой", "другая", "иной", "иная", "өзгөчө", "o'zgacha", "ўзгача")

// publicContactOnly reports whether the post is a self-disclosure only as a public
// contact (a journalist, lawyer or NGO), not as an ad, a lost-document notice or the
// author's own invitation to call.
func (c postCues) publicContactOnly() bool {
	return c.publicContact && !c.ad && !c.lost && !(c.contact && (c.firstPerson || !c.possessed))
}

// homeData reports whether an identifier locates a person's private life rather than a
// public contact: a vehicle plate, or an address after a verb of living ("Живёт на
// Московской 190, кв 37"). A public contact is never someone's home or car.
func (s *scan) homeData(sp *span) bool {
	if sp.Type == TypeVehiclePlate {
		return true
	}
	if sp.Type != TypeAddress {
		return false
	}
	k := tokenAt(s.toks, sp.Start)
	lo, _ := window(s.toks, k, k, 3, 0)
	return anyStem(s.toks, lo, min(k, len(s.toks)), []string{"жив", "прожив", "live", "жаша", "yasha", "яша"})
}

// corefGivenNames lets a later (or earlier) mention by the given name alone ("Нуржан
// гей, Бермет лесби") refer to the watch-listed member named in full elsewhere in the
// post ("Садыров Нуржан и Жолдошева Бермет"): the one-word mention takes the members
// of the full mention that contains the same word.
func (s *scan) corefGivenNames(skels [][]byte) {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || len(sp.members) > 0 {
			continue
		}
		a, b := tokenRange(s.toks, sp.Start, sp.End)
		if a != b || a >= len(skels) || len(skels[a]) == 0 {
			continue
		}
		for j := range s.spans {
			full := &s.spans[j]
			if j == i || full.Type != TypePerson || len(full.members) == 0 {
				continue
			}
			fa, fb := tokenRange(s.toks, full.Start, full.End)
			if fa == fb {
				continue
			}
			for x := fa; x <= fb && x < len(skels); x++ {
				if sameStem(skels[x], skels[a]) {
					sp.members = append([]int(nil), full.members...)
					break
				}
			}
			if len(sp.members) > 0 {
				break
			}
		}
	}
}

// partnerNouns are the words for a boyfriend (male) or a girlfriend (female) in ru, ky,
// uz and en; said of a person of the same gender they are a SOGI claim ("у Нургазы
// Бекова (он …) парень есть", "MP Kanybek Duishonbiev has a boyfriend").
var partnerNouns = map[string]byte{"парень": 'm', "парня": 'm', "парнем": 'm', "парню": 'm', "бойфренд": 'm',
	"boyfriend": 'm', "bf": 'm', "жигити": 'm', "yigiti": 'm', "йигити": 'm',
	"девушка": 'f', "девушку": 'f', "девушкой": 'f', "девушки": 'f', "girlfriend": 'f', "gf": 'f'}

// pronounGender are third-person pronouns with a gender.
var pronounGender = map[string]byte{"он": 'm', "его": 'm', "ему": 'm', "него": 'm', "нему": 'm', "им": 'm', "ним": 'm',
	"him": 'm', "he": 'm', "his": 'm', "he's": 'm',
	"она": 'f', "её": 'f', "ее": 'f', "ей": 'f', "неё": 'f', "нее": 'f', "ней": 'f', "she": 'f', "her": 'f', "she's": 'f'}

// surnameGender reads the gender of a surname in the nominative (-ов/-ев/-ин male,
// -ова/-ева/-ина female, Latin the same); 0 when the form does not tell.
func surnameGender(w string) byte {
	for _, suf := range []string{"ова", "ева", "ёва", "ина", "ova", "eva", "ina", "ская", "skaya"} {
		if strings.HasSuffix(w, suf) {
			return 'f'
		}
	}
	for _, suf := range []string{"ов", "ев", "ёв", "ин", "ov", "ev", "in", "ский", "sky", "skiy", "uulu", "уулу"} {
		if strings.HasSuffix(w, suf) {
			return 'm'
		}
	}
	return 0
}

// sameSexPartner adds a SOGI claim for a partner noun whose subject has the partner's
// gender: a gendered pronoun in the sentence before the noun, else the nominative
// surname of the nearest person before it in the sentence (not after "у"/"of", where a
// Russian genitive "Бекова" is ambiguous).
func (s *scan) sameSexPartner() {
	t := s.toks
	for k := range t {
		g, ok := partnerNouns[t[k].lower]
		if !ok || t[k].digits {
			continue
		}
		if s.subjectGender(k) == g {
			sp := span{Entity: Entity{Type: TypeSOGI, Start: t[k].start, End: t[k].end}, sub: "same_sex_partner", score: 0.5, person: -1}
			s.spans = append(s.spans, sp)
		}
	}
}

// subjectGender returns the gender ('m', 'f' or 0) of the subject of the word at token k:
// a gendered pronoun before it in its sentence or the one before, else the nominative
// surname of the nearest person before it there (not after "у"/"of", where a Russian
// genitive "Бекова" is ambiguous).
func (s *scan) subjectGender(k int) byte {
	t := s.toks
	lo, _ := window(t, k, k, 12, 0)
	if lo > 0 {
		// the subject may be named in the sentence before ("… Бекова. … парень есть")
		for lo > 0 && !t[lo].sent {
			lo--
		}
	}
	for x := k - 1; x >= lo; x-- {
		if pg, ok := pronounGender[t[x].lower]; ok {
			return pg
		}
	}
	// A gendered person noun of the clause before ("the Karakol guy who …", "бир жигит
	// … эркектер менен жүрөт"; independent5 dev i5-en-0008).
	for x := k - 1; x >= lo && x >= k-8; x-- {
		if g, ok := genderedPersonNouns[t[x].lower]; ok {
			return g
		}
		if t[x].brk && x < k-1 {
			break
		}
	}
	for i := len(s.spans) - 1; i >= 0; i-- {
		sp := &s.spans[i]
		if sp.Type != TypePerson || sp.End > t[k].start || sp.Start < t[lo].start {
			continue
		}
		a, b := tokenRange(t, sp.Start, sp.End)
		if a > 0 && (t[a-1].lower == "у" || t[a-1].lower == "of") {
			return 0
		}
		for x := b; x >= a; x-- {
			if g := surnameGender(t[x].lower); g != 0 {
				return g
			}
		}
		return 0
	}
	return 0
}

// genderedPlurals are plural nouns for men or women (ru, ky, uz, en) as the object of
// dating ("с мужиками спит", "эркектер менен жүрөт", "qizlar bilan yuradi", "dates
// women", "по мальчикам").
var genderedPlurals = map[string]byte{"мужиками": 'm', "мужиков": 'm', "парнями": 'm', "мальчикам": 'm',
	"мальчиками": 'm', "мужчинами": 'm', "эркектер": 'm', "жигиттер": 'm', "эркектерге": 'm', "жигиттерге": 'm',
	"erkaklar": 'm', "yigitlar": 'm', "эркаклар": 'm', "йигитлар": 'm', "men": 'm', "guys": 'm', "boys": 'm',
	"бабами": 'f', "девочкам": 'f', "девочками": 'f', "девушками": 'f', "женщинами": 'f', "кыздар": 'f',
	"аялдар": 'f', "кыздарга": 'f', "аялдарга": 'f', "qizlar": 'f', "ayollar": 'f', "қизлар": 'f', "аёллар": 'f',
	"women": 'f', "girls": 'f'}

// datingMarkers make a gendered plural near them the object of dating.
var datingMarkers = newWordSet("спит", "спала", "спал", "встречается", "встречалась", "встречался", "жүрөт",
	"жолугат", "жатат", "yuradi", "uchrashadi", "yotadi", "юради", "учрашади", "dates", "dating", "into",
	"sleeps", "по",
	// Company of one's own gender only ("faqat qizlar bilan", "only hangs with girls",
	// "только с девушками"; independent4 dev i4-uz-0023, en-0021).
	"faqat", "фақат", "only", "только", "гана")

// genderedDating adds a SOGI claim for dating a plural of the subject's own gender
// ("Нурбек Асанов с мужиками спит", "Nodira Karimova qizlar bilan yuradi", "Bolot
// Kadyrov is into guys"); "не по девочкам" stays with the euphemisms.
func (s *scan) genderedDating() {
	t := s.toks
	for k := range t {
		g, ok := genderedPlurals[t[k].lower]
		if !ok || t[k].digits {
			continue
		}
		marked := false
		for x := max(0, k-2); x <= k+3 && x < len(t); x++ {
			if x == k || (x > k && t[x].brk) || (x < k && t[x+1].brk && x+1 <= k) {
				continue
			}
			if (datingMarkers[t[x].lower] || (t[x].lower == "up" && x > 0 && strings.HasPrefix(t[x-1].lower, "hook"))) &&
				!(x > 0 && (t[x-1].lower == "не" || t[x-1].lower == "not")) {
				marked = true
			}
		}
		if marked && s.subjectGender(k) == g {
			s.spans = append(s.spans, span{Entity: Entity{Type: TypeSOGI, Start: t[k].start, End: t[k].end},
				sub: "same_sex_dating", score: 0.5, person: -1})
		}
	}
	s.nightVisitors()
}

// visitorPlurals are nominative plurals for men or women as the subject of a visit
// ("пацаны ходят", "жигиттер келет", "yigitlar keladi", "guys come over").
var visitorPlurals = map[string]byte{"пацаны": 'm', "парни": 'm', "мужики": 'm', "мужчины": 'm', "ребята": 'm',
	"жигиттер": 'm', "эркектер": 'm', "балдар": 'm', "yigitlar": 'm', "erkaklar": 'm', "йигитлар": 'm',
	"эркаклар": 'm', "guys": 'm', "men": 'm', "boys": 'm',
	"девушки": 'f', "девчонки": 'f', "бабы": 'f', "женщины": 'f', "кыздар": 'f', "аялдар": 'f', "qizlar": 'f',
	"ayollar": 'f', "қизлар": 'f', "аёллар": 'f', "girls": 'f', "women": 'f'}

// visitVerbStems are verbs of coming to someone's home (ru, ky, uz, en), and nightWords
// the time that turns a visit into innuendo.
var (
	visitVerbStems = []string{"ходят", "приходят", "заходят", "ездят", "приезжают", "шастают", "келет", "келишет",
		"келип", "барышат", "keladi", "kelishadi", "kelib", "келади", "келишади", "come", "comes", "coming", "visit"}
	nightWords = newWordSet("ночам", "ночью", "ночами", "түнкүсүн", "түндө", "түн", "түнү", "kechasi", "tunda",
		"kechalari", "кечаси", "тунда", "night", "nights", "overnight", "late")
)

// nightVisitors adds a SOGI claim when men (women) come to a man's (woman's) home at
// night: a plural of the subject's own gender as the subject of a visiting verb, with a
// night word in the same clause ("к нему по ночам пацаны ходят", "ага түнкүсүн
// жигиттер келет", "kechasi yigitlar keladi"). Paradigm from independent2 dev
// xind2-ru-0066, ky-0049, uz-0049: the gendered plural, the visit verb and the night
// word vary independently, so each is a list, not the phrase.
func (s *scan) nightVisitors() {
	t := s.toks
	for k := range t {
		g, ok := visitorPlurals[t[k].lower]
		if !ok || t[k].digits {
			continue
		}
		lo, hi := k, k
		for lo > 0 && k-lo < 5 && !t[lo].brk {
			lo--
		}
		for hi+1 < len(t) && hi-k < 4 && !t[hi+1].brk {
			hi++
		}
		if !anyWord(t, lo, hi+1, nightWords) || !anyStem(t, lo, hi+1, visitVerbStems) {
			continue
		}
		if s.subjectGender(k) == g {
			s.spans = append(s.spans, span{Entity: Entity{Type: TypeSOGI, Start: t[k].start, End: t[k].end},
				sub: "same_sex_visitors", score: 0.5, person: -1})
		}
	}
}

// sogiCollectives are group, chat and community nouns that a SOGI word can modify
// (ru, ky, uz, en), and groupRoles the roles a person holds in one.
var (
	sogiCollectives = []string{"групп", "чат", "сообществ", "тусовк", "паблик", "канал", "топ", "тобу", "тобун",
		"жамаат", "guruh", "chat", "jamoa", "гуруҳ", "group", "chat", "community", "forum", "форум", "клуб",
		"club", "guruhi", "guruhida", "guruhining"}
	groupRoles = newWordSet("админ", "админом", "админка", "администратор", "администратором", "модератор",
		"модератором", "участник", "участница", "участником", "участницей", "член", "членом", "состоит", "состоял",
		"состояла", "сидит", "организатор", "организатором", "мүчө", "мүчөсү", "мүчөсү", "админи", "admin", "admini",
		"moderator", "a'zo", "a'zosi", "аъзо", "аъзоси", "tashkilotchi", "member", "moderates", "runs", "organiser",
		"organizer", "уюштуруучу", "уюштуруучусу", "жетектейт", "башкарат", "boshqaradi")
)

// groupRole reports whether the SOGI word at token k modifies a group or chat noun
// (the word itself or the next one) and a role in it stands within three words of the
// pair in the same clause: the role holder is claimed to be of that group. Mechanism
// from independent3 dev xind3-uz-0012 ("Geylar guruhida admin"); the paradigm crosses
// the group noun, its case and the role word in ru/ky/uz/en.
func (s *scan) groupRole(k int) bool {
	t := s.toks
	g := -1
	if k+1 < len(t) && !t[k+1].sent && !t[k+1].digits && hasPrefixIn(t[k+1].lower, sogiCollectives) {
		g = k + 1
	} else if k > 0 && !t[k].sent && !t[k-1].digits && hasPrefixIn(t[k-1].lower, sogiCollectives) {
		g = k - 1 // "админ группы геев", "member of the gay group"
	}
	if g < 0 {
		return false
	}
	a, b := min(k, g), max(k, g)
	for x := a - 1; x >= 0 && x >= a-3; x-- {
		if groupRoles[t[x].lower] {
			return true
		}
		if t[x].brk || t[x].digits {
			break
		}
	}
	for x := b + 1; x < len(t) && x <= b+3; x++ {
		if t[x].brk || t[x].digits {
			break
		}
		if groupRoles[t[x].lower] {
			return true
		}
	}
	return false
}

// plurPredicates are plural SOGI words in the nominative, the form of a predicate
// ("Алина и Жанна — лесбиянки", "Эрлан менен Бакыт гейлер", "Sardor va Otabek geylar",
// "Timur and Aziz are gays"); oblique forms ("ненавидят геев") are objects, not claims.
var plurPredicates = newWordSet("геи", "гейлер", "лесбиянки", "лесбилер", "лесбиянкалар", "педики", "пидоры",
	"пидорасы", "гомики", "трансы", "трансгендеры", "трансгендерлер", "бисексуалы", "geylar", "lesbiyankalar",
	"gays", "lesbians", "queers", "faggots", "геялар", "лгбт", "lgbt", "gay", "геи-то")

// coordinators join persons into one subject ("и", "жана", "менен", "va", "bilan",
// "and"); bothWords say the predicate holds for each ("оба", "экөө тең", "ikkalasi").
var (
	coordinators = newWordSet("и", "а", "также", "жана", "менен", "va", "bilan", "ва", "билан", "and", "&")
	bothWords    = newWordSet("оба", "обе", "обои", "экөө", "экөөсү", "үчөө", "баары", "ikkalasi", "ikkovi",
		"иккаласи", "иккови", "both", "all", "вдвоём", "вдвоем", "двое")
)

// coordinatedPlural binds a plural SOGI predicate to every person of a coordinated
// subject before it in its sentence: two or more persons joined only by commas and
// coordinators, or with a "both" word in the sentence. Structural: the plural is
// otherwise read as a group (a topic), which is right for "права геев" but not when
// its subject is a row of named people. Invented unit cases, no dev post behind it.
func (s *scan) coordinatedPlural() {
	n := len(s.spans)
	for i := 0; i < n; i++ {
		sp := &s.spans[i]
		if sp.Type != TypeSOGI || !sp.group || sp.generic || sp.self || sp.sub != "sogi" {
			continue
		}
		k := tokenAt(s.toks, sp.Start)
		if k >= len(s.toks) || !plurPredicates[s.toks[k].lower] {
			continue
		}
		// The plural closes its clause or takes an evidential: a predicate ("…, лесбиянки",
		// "geylar, ikkalasi …"), not the subject of a clause of its own ("геи имеют права").
		if !(k+1 == len(s.toks) || s.toks[k+1].brk || s.toks[k+1].sent || evidentials[s.toks[k+1].lower]) {
			continue
		}
		a := k
		for a > 0 && !s.toks[a].sent {
			a--
		}
		var subj []int
		for j := range s.spans {
			p := &s.spans[j]
			if p.Type == TypePerson && !p.self && p.Start >= s.toks[a].start && p.End <= sp.Start {
				subj = append(subj, j)
			}
		}
		if len(subj) < 2 {
			continue
		}
		both := anyWord(s.toks, a, min(len(s.toks), k+4), bothWords)
		joined := true
		for x := 1; x < len(subj) && !both; x++ {
			for y := tokenAt(s.toks, s.spans[subj[x-1]].End); y < len(s.toks) && s.toks[y].start < s.spans[subj[x]].Start; y++ {
				if !coordinators[s.toks[y].lower] {
					joined = false
				}
			}
		}
		if !joined && !both {
			continue
		}
		// The last coordinated persons form the subject: drop earlier ones that are not
		// joined to the rest (handled by requiring every gap to be a coordinator).
		sp.group = false
		sp.person = subj[0]
		base := *sp
		for _, p := range subj[1:] {
			c := base
			c.person = p
			s.spans = append(s.spans, c)
		}
	}
}

// docStems are identity-document nouns (ru, ky, uz, en) in any case form, and
// genderNouns the sex a document states.
var (
	docStems    = []string{"паспорт", "документ", "pasport", "hujjat", "ҳужжат", "хужжат", "свидетельств", "метрик", "papers"}
	genderNouns = newWordSet("мужчина", "женщина", "мужик", "парень", "девушка", "эркек", "аял", "кыз", "эркак", "аёл",
		"erkak", "ayol", "қиз", "qiz", "йигит", "yigit", "male", "female", "man", "woman", "boy", "girl", "мужской",
		"женский", "м", "ж")
)

// documentGender adds a SOGI claim when a document's sex is set against the person:
// an identity-document noun in any case form ("паспортида", "по документам",
// "паспорту боюнча", "hujjatlarda", "on paper") followed within two words by a sex
// noun ("… паспортида эркак", "по паспорту он мужчина"). The paradigm crosses the
// document noun, its case ending and the sex noun in ru/ky/uz/en, replacing the single
// phrases "по паспорту мужчина", "hujjatlarda erkak" (independent4 dev i4-uz-0024).
func (s *scan) documentGender() {
	t := s.toks
	for k := range t {
		if t[k].digits || !hasPrefixIn(t[k].lower, docStems) || (t[k].lower == "papers" && (k == 0 || t[k-1].lower != "on")) {
			continue
		}
		for x := k + 1; x < len(t) && x <= k+3 && !t[x].sent; x++ {
			if t[x].digits || (t[x].brk && !strings.ContainsAny(s.text[t[x-1].end:t[x].start], "—–-")) {
				break
			}
			if genderNouns[t[x].lower] && (len(t[x].lower) > 2 || x == k+1) {
				s.spans = append(s.spans, span{Entity: Entity{Type: TypeSOGI, Start: t[k].start, End: t[x].end},
					sub: "document_sex", score: 0.5, person: -1})
				break
			}
		}
	}
}

// quotedPersonNouns are gendered person nouns that a scare-quoted adjective before them
// turns into a hint ("\"nozik\" yigit", "«башкача» жигит"; independent4 dev i4-uz-0025,
// independent2 dev xind2-ky-0049, uz-0049).
var quotedPersonNouns = newWordSet("жигит", "кыз", "yigit", "qiz", "йигит", "қиз", "парень", "девушка", "мужик",
	"пацан", "guy", "girl", "boy", "man", "woman", "бала", "bola")

// closingQuoteAt reports whether a closing quote mark starts at byte offset off.
func closingQuoteAt(text string, off int) bool {
	if off >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[off:])
	return r == '"' || r == '\'' || r == '»' || r == '”'
}

// ruEvidentials are Russian words of hearsay or discovery before a predicate, the
// counterpart of Kyrgyz "экен" ("оказывается голубой"; independent4 dev i4-ru-0013).
var ruEvidentials = newWordSet("оказывается", "оказался", "оказалась", "походу", "вроде", "тоже", "говорят")

// secondPersonVerb reports a Russian verb in the second person singular ("узнаешь",
// "живёшь", "работаешь", "пожалеешь"): the post addresses its target (independent4 dev
// i4-ru-0041). Short words ("лишь") are left out.
func secondPersonVerb(w string) bool {
	if utf8.RuneCountInString(w) < 6 {
		return false
	}
	return strings.HasSuffix(w, "ешь") || strings.HasSuffix(w, "ёшь") || strings.HasSuffix(w, "ишь")
}

// appearVerbs say that data will appear: "будет здесь", "появится", "drops", "чыгат",
// "chiqadi".
var appearVerbs = []string{"будет", "будут", "появ", "выйдет", "выложим", "выложу", "опубликуем", "drops", "drop",
	"coming", "comes", "will", "чыгат", "чыгарабыз", "чыгарам", "жарыяланат", "chiqadi", "chiqaramiz", "чиқади",
	"чиқарамиз", "e'lon"}

// promisedPersonData reports a named person's data promised for later, said of them in
// the third person: "Адрес Нурбека Касымалиева скоро будет здесь", "…'s home address
// drops tomorrow", "…дин үй дареги жакында чыгат", "…ning uy manzili tez orada
// chiqadi" (review32). A data noun next to a person mention, a future time word and a
// verb of appearing within a few words of each other, in one sentence.
func (s *scan) promisedPersonData() bool {
	t := s.toks
	for k := range t {
		if t[k].digits {
			continue
		}
		future := futureTimeWords[t[k].lower] || (t[k].lower == "tez" && k+1 < len(t) && t[k+1].lower == "orada")
		if !future {
			continue
		}
		lo, hi := window(t, k, k, 5, 4)
		appear := anyStem(t, lo, hi, appearVerbs)
		if !appear {
			continue
		}
		for x := lo; x < hi; x++ {
			if t[x].digits || threatData.matchAt(s, x) == 0 || !dataNoun(t[x].lower) {
				continue
			}
			if s.personWithin(x, 2) {
				return true
			}
		}
	}
	return false
}

// dataNoun reports a data noun (dataNounStems: an address, a phone, a passport, an
// account), not a verb such as "живёт", which threatData also holds.
func dataNoun(w string) bool {
	return hasPrefixIn(w, dataNounStems)
}

// personWithin reports a person mention (not the author) within n tokens of token x.
func (s *scan) personWithin(x, n int) bool {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || sp.self {
			continue
		}
		a, b := tokenRange(s.toks, sp.Start, sp.End)
		if (a > x && a-x <= n) || (b < x && x-b <= n) {
			return true
		}
	}
	return false
}

// futureTimeWords announce when a threat will be carried out ("завтра адрес", "эртең
// дарегиң", "ertaga manzil", "tomorrow your address").
var futureTimeWords = newWordSet("завтра", "послезавтра", "скоро", "вечером", "эртең", "жакында", "кечинде", "ertaga",
	"yaqinda", "кечкурун", "эртага", "яқинда", "tomorrow", "soon", "tonight")

// pluralSuffixes are the Kyrgyz, Kazakh and Uzbek plural endings, also written after a
// closing quote ('"бошқача"лар').
var pluralSuffixes = newWordSet("лар", "лер", "дар", "дер", "тар", "тер", "лор", "лөр", "дор", "дөр", "тор", "төр",
	"lar", "ler", "ларни", "лардин", "лардын", "larni", "larning")

// pluralStem strips a Kyrgyz, Kazakh or Uzbek plural ending ("көгілдірлер" →
// "көгілдір"); ok is false when the word has none.
func pluralStem(w string) (string, bool) {
	for suf := range pluralSuffixes {
		if len(w) > len(suf)+4 && strings.HasSuffix(w, suf) {
			return w[:len(w)-len(suf)], true
		}
	}
	return "", false
}

// genderedPersonNouns are singular nouns for a man or a woman that tell the subject's
// gender when no pronoun or surname does.
var genderedPersonNouns = map[string]byte{"guy": 'm', "man": 'm', "boy": 'm', "парень": 'm', "мужик": 'm',
	"мужчина": 'm', "жигит": 'm', "yigit": 'm', "йигит": 'm', "эркек": 'm', "erkak": 'm', "эркак": 'm',
	"girl": 'f', "woman": 'f', "lady": 'f', "девушка": 'f', "женщина": 'f', "баба": 'f', "кыз": 'f', "qiz": 'f',
	"қиз": 'f', "аял": 'f', "ayol": 'f', "аёл": 'f'}

// kinComparative extends a SOGI claim to a relative it compares the person with:
// "X-дун иниси Эрнис да агасындай эле көк" (like his elder brother), "Jasur Qodirovning
// ukasi Aziz ham akasiga o'xshab \"nozik\"", "как и его брат", "like his brother". The
// claim bound to one person of the sentence is also bound to the nearest other person
// before the comparative (independent5 dev i5-ky-0019, uz-0019).
func (s *scan) kinComparative() {
	t := s.toks
	for k := range t {
		if t[k].digits || !s.kinCompareAt(k) {
			continue
		}
		sent := s.sentenceBounds(k)
		n := len(s.spans)
		for i := 0; i < n; i++ {
			sp := s.spans[i]
			if sp.Type != TypeSOGI || sp.person < 0 || sp.generic || sp.self || sp.group || sp.Start < sent[0] || sp.End > sent[1] {
				continue
			}
			other := -1
			for j := range s.spans {
				q := &s.spans[j]
				if j == sp.person || q.Type != TypePerson || q.self || q.Start < sent[0] || q.End > t[k].start {
					continue
				}
				if other < 0 || q.Start > s.spans[other].Start {
					if !overlaps(q.Start, q.End, s.spans[sp.person].Start, s.spans[sp.person].End) {
						other = j
					}
				}
			}
			if other >= 0 {
				cp := sp
				cp.person = other
				cp.sub = "kin_comparative"
				s.spans = append(s.spans, cp)
			}
			break
		}
	}
}

// sentenceBounds returns the byte range of the sentence of token k.
func (s *scan) sentenceBounds(k int) [2]int {
	a, b := k, k
	for a > 0 && !s.toks[a].sent {
		a--
	}
	for b+1 < len(s.toks) && !s.toks[b+1].sent {
		b++
	}
	return [2]int{s.toks[a].start, s.toks[b].end}
}

// kinCompareAt reports a comparison with a relative at token k: a Kyrgyz similative
// kin word ("агасындай", "эжесиндей"), an Uzbek kin dative before "o'xshab" or a kin
// word with "-dek" ("akasiga o'xshab", "akasidek"), Russian "как (и) (его) брат" and
// English "like his brother".
func (s *scan) kinCompareAt(k int) bool {
	t := s.toks
	w := t[k].lower
	if hasPrefixIn(w, kinCompareStems) {
		for _, suf := range []string{"дай", "дей", "тай", "тей", "дой", "дөй", "dek", "дек", "dай"} {
			if strings.HasSuffix(w, suf) {
				return true
			}
		}
		if k+1 < len(t) && (t[k+1].lower == "o'xshab" || t[k+1].lower == "ўхшаб" || t[k+1].lower == "окшоп") {
			return true
		}
	}
	if w == "как" || w == "like" {
		for x := k + 1; x < len(t) && x <= k+3 && !t[x].brk; x++ {
			if kinWords[t[x].lower] {
				return true
			}
		}
	}
	return false
}

// kinCompareStems are the kin stems of kinCompareAt (ky, uz).
var kinCompareStems = []string{"ага", "ини", "эже", "сиңди", "карындаш", "бир тууган", "аке", "aka", "uka", "opa",
	"singl", "ака", "ука", "опа", "сингл", "жиян", "jiyan", "atas", "otas", "отас", "апа"}

// genderSwitchedSurname finds one surname written in the female and in the male form in
// one post with a word of contrast next to the second ("Айпери Мукашева? Да какая
// Айпери, это Эрлан Мукашев", "Мукашева эмес Мукашев!", "not Karimova but Karimov"): the
// other form is the person's former name used against them, a claim about their
// gender identity. Kin words between the two (a brother and a sister, spouses) rule it
// out (independent5 dev i5-ru-0029; i5-ky-0026 shape).
func (s *scan) genderSwitchedSurname() {
	t := s.toks
	type form struct {
		tok int
		g   byte
	}
	var forms []form
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson {
			continue
		}
		a, b := tokenRange(t, sp.Start, sp.End)
		for x := a; x <= b && x < len(t); x++ {
			if g := surnameGender(t[x].lower); g != 0 && t[x].upper && utf8.RuneCountInString(t[x].lower) >= 5 {
				forms = append(forms, form{x, g})
			}
		}
	}
	for i := range forms {
		for j := i + 1; j < len(forms); j++ {
			p, q := forms[i], forms[j]
			if p.g == q.g || q.tok <= p.tok {
				continue
			}
			mw, fw := t[p.tok].lower, t[q.tok].lower
			if p.g == 'f' {
				mw, fw = fw, mw
			}
			if !strings.HasPrefix(fw, mw) || utf8.RuneCountInString(fw)-utf8.RuneCountInString(mw) != 1 {
				continue
			}
			kin, contrast := false, false
			for x := p.tok + 1; x < q.tok; x++ {
				if kinWords[t[x].lower] || pairJoiners[t[x].lower] {
					kin = true
				}
			}
			for x := max(p.tok+1, q.tok-4); x < q.tok; x++ {
				if contrastWords[t[x].lower] {
					contrast = true
				}
			}
			if !kin && contrast {
				s.spans = append(s.spans, span{Entity: Entity{Type: TypeSOGI, Start: t[q.tok].start, End: t[q.tok].end},
					sub: "former_name", score: 0.6, person: -1})
			}
		}
	}
}

// contrastWords set a name against another ("это", "эмес", "not", "emas", "какая").
var contrastWords = newWordSet("это", "не", "а", "какая", "какой", "эмес", "чынында", "emas", "эмас", "aslida", "аслида",
	"not", "actually", "really", "вообще-то", "реально")

// pairJoiners join two different people ("Асанов и Асанова", "X менен Y").
var pairJoiners = newWordSet("и", "жана", "менен", "va", "ва", "bilan", "билан", "and", "с", "со")

// chosenVersusReal finds a name someone goes by set against the name they "really"
// have: "Айпери деп жүрөт го, чынында Эрлан Мукашев", "goes by Kamila, actually Kamol",
// "o'zini Malika deydi, aslida Mansur". A capitalised word before a naming verb ("деп
// жүрөт", "deb yuradi", "goes by") and a word of reality ("чынында", "aslida",
// "actually") right before another capitalised name: the second is the former name
// used against the person (independent5 dev i5-ky-0023).
func (s *scan) chosenVersusReal() {
	t := s.toks
	chosen := -1
	for k := range t {
		if chosen < 0 && t[k].upper && !t[k].digits && k+1 < len(t) && (s.namingVerbAfter(k) || (k > 0 && t[k-1].lower == "by")) {
			chosen = k
			continue
		}
		if chosen < 0 || k <= chosen || !realityWords[t[k].lower] {
			continue
		}
		for x := k + 1; x < len(t) && x <= k+2 && !t[x].sent; x++ {
			if t[x].upper && !t[x].digits && s.skelDiffers(chosen, x) {
				s.spans = append(s.spans, span{Entity: Entity{Type: TypeSOGI, Start: t[x].start, End: t[x].end},
					sub: "former_name", score: 0.6, person: -1})
				return
			}
		}
	}
}

// skelDiffers reports whether tokens a and b are different words.
func (s *scan) skelDiffers(a, b int) bool { return s.toks[a].lower != s.toks[b].lower }

// realityWords say what someone "really" is ("чынында", "aslida", "actually").
var realityWords = newWordSet("чынында", "чындыгында", "aslida", "аслида", "actually", "really", "реально",
	"вообще-то", "shynynda", "негизи")

// othersSOGI reports whether the post says something of the SOGI of someone other than
// its author (a SOGI span that is not a self-disclosure).
func (s *scan) othersSOGI() bool {
	for i := range s.spans {
		if sp := &s.spans[i]; sp.Type == TypeSOGI && !sp.self {
			return true
		}
	}
	return false
}
