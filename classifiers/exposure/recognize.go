package exposure

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// scan is the state of one post's analysis.
type scan struct {
	text  string
	toks  []token
	used  []bool // digit tokens already claimed by a date or an identifier
	spans []span
	now   time.Time
	// officialCache remembers isOfficial per sentence (keyed by its first token).
	officialCache map[int]bool
	// plainDates are full dates without birth words, kept in case they turn out to be
	// part of a doxxing list (see promoteDates).
	plainDates []span
	// refs are the watch-listed members named or matched in the post; span.members
	// index into it.
	refs []watchlist.Ref
	// off are the pieces switched off (Analyzer.WithoutPieces).
	off Piece
	// masks are the phrase-set bits per token (see phraseMasks), maskUnion their union.
	masks     []uint32
	maskUnion uint32
	// officialNone: 0 not yet known, 1 no official-contact phrase in the whole post, 2
	// some (then isOfficial looks at the sentence).
	officialNone uint8
	// replyEnd is the end offset of the reply addressees opening the text (0: none);
	// see sentenceStart.
	replyEnd int
}

// Context stems (lower-case prefixes) looked for around a candidate, before and after:
// Russian and Kyrgyz put the keyword on either side ("номер 0555…", "0555… номери").
var (
	phoneCtx = []string{"тел", "номер", "моб", "звон", "позвон", "пиш", "whatsapp", "ватсап", "вотсап", "вацап",
		"телеграм", "telegram", "вайбер", "viber", "phone", "call", "text", "contact", "mobile", "чал", "байланыш", "ws", "wa",
		"raqam", "рақам", "telefon", "qo'ng'iroq", "қўнғироқ",
		// The Latin abbreviation "tel" of uz/ky/ru-Latin posts (independent4 dev i4-uz-0004).
		"tel"}
	nationalIDCtx = []string{"пин", "инн", "иин", "снилс", "pin", "inn", "iin", "snils", "идентификац", "соцфонд",
		"пинфл", "pinfl", "jshshir", "жшшир",
		"гнс", "налог", "персональн", "жеке", "личн", "personal", "tax", "social", "паспорт", "passport"}
	passportCtx = []string{"паспорт", "passport", "сери", "удостоверен", "kgz", "документ", "выдан", "паспорттун",
		"pasport", "uzb", "hujjat",
		"айди", "карт", "card"}
	plateCtx = []string{"госномер", "номер", "машин", "авто", "унаа", "plate", "car", "тачк", "мерс", "тойот",
		"хонд", "лексус", "лада", "vehicle", "гос", "ездит", "айдайт"}
	numberNegCtx = []string{"сом", "руб", "тенге", "тг", "сум", "usd", "долл", "евро", "цена", "стоим", "сумм",
		"заказ", "счет", "счёт", "платеж", "платёж", "транзакц", "реквизит", "бик", "квитанц", "накладн", "трек",
		"order", "invoice", "tracking", "price", "артикул", "баланс", "лицев", "договор", "iban", "swift", "бюджет",
		"тираж", "штрих", "серийн", "serial", "imei", "кредит", "перевод", "ref", "референс", "млн", "тыс", "som", "kgs",
		// "order" in Kyrgyz and Uzbek, bookings (independent5 dev i5-ky-0068).
		"буйрутма", "buyurtma", "буюртма", "booking", "брон"}
	birthCtx = []string{"родил", "рожд", "туулг", "born", "birth", "dob", "д.р", "г.р", "г. р", "жылы туул", "birthday"}
)

// Official contacts: the data belongs to an organisation or authority, not a private
// person. Matched as substrings of the lower-cased sentence.
var officialCtx = []string{"телефон доверия", "горячая линия", "горячей линии", "горячую линию", "приемная", "приёмная",
	"пресс-служб", "пресс служб", "пресс-центр", "колл-центр", "call-центр", "call center", "call-center", "hotline",
	"helpline", "для справок", "ишеним телефон", "кабылдама", "пресс-кызмат", "контакты организации", "наш офис",
	"our office", "наши контакты", "our contacts", "справочная", "дежурная часть", "единый номер", "кызмат телефону",
	"call centre", "info line", "служба поддержки", "support line", "канцеляри", "по всем вопросам"}

// officialAnchors are, for every officialCtx phrase, the first four letters of its
// longest word (cut at a hyphen): a word of the post starts with one of them whenever a
// phrase occurs.
var officialAnchors = func() stemIndex {
	var stems []string
	for _, p := range officialCtx {
		longest := ""
		for _, w := range strings.Fields(p) {
			if utf8.RuneCountInString(w) > utf8.RuneCountInString(longest) {
				longest = w
			}
		}
		if i := strings.IndexByte(longest, '-'); i > 0 {
			longest = longest[:i]
		}
		stems = append(stems, firstRunes(longest, 4))
	}
	return newStemIndex(stems)
}()

// Self-disclosure markers before an identifier ("мой номер", "пишите мне").
var selfWords = newWordSet("мой", "моя", "мое", "моё", "мои", "мне", "меня", "my", "me", "менин", "мага", "мени",
	"i", "i'm", "im", "мен", "наш", "наша", "our", "mening", "men", "bizning", "биздин", "менинг", "номерим",
	"телефонум", "телефоним", "raqamim", "рақамим", "telefonim", "номурум")

// plateCtxIndex indexes plateCtx by first rune.
var plateCtxIndex = newStemIndex(plateCtx)

// Third-person targeting before an identifier: the data points at someone.
// Generic pointers ("вот", "this") are deliberately absent: "вот номер такси" is an ad.
var targetWords = newWordSet("его", "её", "ее", "ней", "него", "неё", "анын", "his", "her", "their", "этого", "этой",
	"этих", "слив", "слили", "сливаем", "деанон", "вычислили", "нашли", "найдите", "найти",
	// Uzbek "his/her", and a person noun in the genitive after a demonstrative
	// ("ал кыздын инстасы", "bu yigitning instagrami"; review32).
	"uning", "унинг", "кыздын", "жигиттин", "баланын", "аялдын", "эркектин", "qizning", "yigitning", "ayolning",
	"erkakning", "bolaning", "қизнинг", "йигитнинг", "аёлнинг", "эркакнинг")

// dataNounStems name the data a possessive points at or a threat promises ("инстасы",
// "raqami", "address", "паспорт").
var dataNounStems = []string{"инста", "insta", "номер", "телефон", "raqam", "рақам", "telefon", "адрес", "дарег",
	"дарек", "manzil", "манзил", "паспорт", "pasport", "number", "phone", "address", "passport", "аккаунт",
	"akkaunt", "account", "профил", "profil"}

func (s *scan) ctxStem(i, j, before, after int, stems []string) bool {
	lo, hi := window(s.toks, i, j, before, after)
	return anyStem(s.toks, lo, hi, stems)
}

// sentenceLower returns the lower-cased text of the sentence around byte span
// [start, end), capped to 240 bytes on each side.
func (s *scan) sentenceLower(start, end int) string {
	lo := start
	for lo > 0 && start-lo < 240 {
		c := s.text[lo-1]
		if c == '\n' || c == '!' || c == '?' {
			break
		}
		lo--
	}
	hi := end
	for hi < len(s.text) && hi-end < 240 {
		c := s.text[hi]
		if c == '\n' || c == '!' || c == '?' {
			break
		}
		hi++
	}
	for lo < len(s.text) && !utf8.RuneStart(s.text[lo]) {
		lo++
	}
	for hi < len(s.text) && !utf8.RuneStart(s.text[hi]) {
		hi++
	}
	return strings.ToLower(s.text[lo:hi])
}

// isOfficial reports whether the sentence around [start, end) names an official
// contact. The answer is cached per sentence: posts often list several numbers.
func (s *scan) isOfficial(start, end int) bool {
	// Fast path: most posts name no official contact anywhere.
	if s.officialNone == 0 {
		s.officialNone = 1
		// Cheaper still: every phrase has an anchor stem that starts a word; without
		// one of them the phrases cannot occur and the text is not lower-cased.
		anchored := false
		for _, t := range s.toks {
			if !t.digits && officialAnchors.has(t.lower) {
				anchored = true
				break
			}
		}
		if !anchored {
			return false
		}
		low := strings.ToLower(s.text)
		for _, o := range officialCtx {
			if strings.Contains(low, o) {
				s.officialNone = 2
				break
			}
		}
	}
	if s.officialNone == 1 {
		return false
	}
	sid := s.sentenceAt(start)
	if v, ok := s.officialCache[sid]; ok {
		return v
	}
	sent := s.sentenceLower(start, end)
	v := false
	for _, o := range officialCtx {
		if strings.Contains(sent, o) {
			v = true
			break
		}
	}
	if s.officialCache == nil {
		s.officialCache = map[int]bool{}
	}
	s.officialCache[sid] = v
	return v
}

// sentenceAt returns the index of the token that starts the sentence around off.
func (s *scan) sentenceAt(off int) int {
	k := tokenAt(s.toks, off)
	if k >= len(s.toks) {
		k = len(s.toks) - 1
	}
	for stop := k - 64; k > 0 && k > stop && !s.toks[k].sent; k-- {
	}
	return k
}

// markers sets the self and target flags of an identifier span from the words before it.
func (s *scan) markers(sp *span, i int) {
	lo, _ := window(s.toks, i, i, 5, 0)
	for k := lo; k < i && k < len(s.toks); k++ {
		w := s.toks[k].lower
		if selfWords[w] {
			sp.self = true
		}
		if targetWords[w] {
			sp.target = true
		}
	}
	sp.official = s.isOfficial(sp.Start, sp.End)
}

func (s *scan) add(sp span, i int) {
	sp.person = -1
	s.markers(&sp, i)
	s.spans = append(s.spans, sp)
}

// gapIs reports whether text[a:b] consists only of runes accepted by ok and is at most
// max bytes long.
func gapIs(text string, a, b, max int, ok func(rune) bool) bool {
	if b-a > max || b < a {
		return false
	}
	for _, r := range text[a:b] {
		if !ok(r) {
			return false
		}
	}
	return true
}

func isNumSep(r rune) bool {
	switch r {
	case ' ', '-', '(', ')', '\u00a0', '\u2009', '\u202f', '‒', '–':
		return true
	}
	return isZeroWidth(r)
}

// --- dates ---------------------------------------------------------------------------

var monthStems = []struct {
	stem  string
	month int
}{
	{"янв", 1}, {"фев", 2}, {"мар", 3}, {"апр", 4}, {"мая", 5}, {"май", 5}, {"июн", 6}, {"июл", 7}, {"авг", 8},
	{"сен", 9}, {"окт", 10}, {"ноя", 11}, {"дек", 12},
	{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6}, {"jul", 7}, {"aug", 8},
	{"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12},
	// Kyrgyz month names.
	{"үчтүн", 3}, {"бирдин", 4}, {"жалган", 5}, {"чын", 6}, {"бугу", 7}, {"кулжа", 8}, {"теке", 9},
	{"тогуздун", 11}, {"жетинин", 12}, {"бештин", 2},
}

func monthOf(w string) int {
	for _, m := range monthStems {
		if strings.HasPrefix(w, m.stem) {
			return m.month
		}
	}
	return 0
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func (s *scan) birthContext(start, end int) bool {
	i, j := tokenRange(s.toks, start, end)
	lo, hi := window(s.toks, i, j, 6, 4)
	if lo >= len(s.toks) {
		return false
	}
	a, b := s.toks[lo].start, s.toks[hi-1].end
	if b+6 <= len(s.text) {
		b += 6 // the dots of a trailing "г.р."
	} else {
		b = len(s.text)
	}
	for b < len(s.text) && !utf8.RuneStart(s.text[b]) {
		b++
	}
	win := strings.ToLower(s.text[a:b])
	for _, c := range birthCtx {
		if strings.Contains(win, c) {
			return true
		}
	}
	return false
}

// dates finds dates of birth: numeric (12.03.1995, 12/03/1995, 1995-03-12), written
// ("12 марта 1995", "March 12, 1995", "1995-жылы 12-мартта"), and a bare year with
// "г.р." / "года рождения" / "жылы туулган". A date is a birth date only with birth
// context; news dates are not personal data.
func (s *scan) dates() {
	t := s.toks
	for k := 0; k < len(t); k++ {
		if !t[k].digits || s.used[k] {
			continue
		}
		var start, end, last int
		day, month, year := 0, 0, 0
		d := func(x int) string { return s.text[t[x].start:t[x].end] }
		isSep := func(r rune) bool { return r == '.' || r == '/' || r == '-' }
		switch {
		// D.M.Y or Y-M-D
		case k+2 < len(t) && t[k+1].digits && t[k+2].digits &&
			gapIs(s.text, t[k].end, t[k+1].start, 1, isSep) && gapIs(s.text, t[k+1].end, t[k+2].start, 1, isSep) &&
			s.text[t[k].end] == s.text[t[k+1].end]:
			a, b, c := d(k), d(k+1), d(k+2)
			switch {
			case len(a) == 4 && len(b) <= 2 && len(c) <= 2:
				year, month, day = atoi(a), atoi(b), atoi(c)
			case len(a) <= 2 && len(b) <= 2 && (len(c) == 4 || len(c) == 2):
				day, month, year = atoi(a), atoi(b), atoi(c)
				if len(c) == 2 {
					year += 1900
					if year+100 <= s.now.Year() {
						year += 100
					}
				}
			}
			start, end, last = t[k].start, t[k+2].end, k+2
		// D month Y
		case k+2 < len(t) && len(d(k)) <= 2 && !t[k+1].digits && monthOf(t[k+1].lower) > 0 && t[k+2].digits && len(d(k+2)) == 4:
			day, month, year = atoi(d(k)), monthOf(t[k+1].lower), atoi(d(k+2))
			start, end, last = t[k].start, t[k+2].end, k+2
		// Y жылы D-month (Kyrgyz) or Y month D
		case k+3 < len(t) && len(d(k)) == 4 && t[k+1].lower == "жылы" && t[k+2].digits && monthOf(t[k+3].lower) > 0:
			year, day, month = atoi(d(k)), atoi(d(k+2)), monthOf(t[k+3].lower)
			start, end, last = t[k].start, t[k+3].end, k+3
		// month D, Y (English)
		case k > 0 && k+1 < len(t) && len(d(k)) <= 2 && !t[k-1].digits && monthOf(t[k-1].lower) > 0 && t[k+1].digits && len(d(k+1)) == 4:
			month, day, year = monthOf(t[k-1].lower), atoi(d(k)), atoi(d(k+1))
			start, end, last = t[k-1].start, t[k+1].end, k+1
		// bare year with birth words right after: "1995 г.р.", "1995 года рождения", "1995-жылы туулган"
		case len(d(k)) == 4:
			y := atoi(d(k))
			if y < 1920 || y > s.now.Year() {
				continue
			}
			after := strings.ToLower(s.text[t[k].end:min(len(s.text), t[k].end+40)])
			for len(after) > 0 && !utf8.ValidString(after) {
				after = after[:len(after)-1]
			}
			after = strings.TrimLeft(after, " -")
			if strings.HasPrefix(after, "г.р") || strings.HasPrefix(after, "г. р") || strings.HasPrefix(after, "года рожд") ||
				strings.HasPrefix(after, "жылы туул") || strings.HasPrefix(after, "ж.т") || strings.HasPrefix(after, "year of birth") {
				s.used[k] = true
				s.add(span{Entity: Entity{Type: TypeBirthDate, Start: t[k].start, End: t[k].end}, sub: "birth_year", score: 0.85}, k)
			}
			continue
		default:
			continue
		}
		if !validDate(day, month, year, s.now) {
			continue
		}
		for x := k; x <= last; x++ {
			s.used[x] = true
		}
		k = last
		if s.birthContext(start, end) {
			s.add(span{Entity: Entity{Type: TypeBirthDate, Start: start, End: end}, sub: "date", score: 0.85}, tokenAt(t, start))
		} else if year <= s.now.Year()-12 && len(s.plainDates) < 64 {
			s.plainDates = append(s.plainDates, span{Entity: Entity{Type: TypeBirthDate, Start: start, End: end}, sub: "date_in_list", score: 0.5})
		}
	}
}

// --- numbers --------------------------------------------------------------------------

// digitGroups finds runs of digit tokens joined by spaces, dashes and brackets
// ("+996 (555) 12-34-56") and classifies every contiguous sub-run, longest first, so
// that two numbers written side by side are still told apart.
func (s *scan) digitGroups() {
	t := s.toks
	for k := 0; k < len(t); k++ {
		if !t[k].digits || s.used[k] {
			continue
		}
		m := k
		for m+1 < len(t) && t[m+1].digits && !s.used[m+1] && gapIs(s.text, t[m].end, t[m+1].start, 4, isNumSep) {
			m++
		}
		for i := k; i <= m; {
			matched := false
			// No identifier has more than 16 digit runs ("0 5 5 5 1 2 3 4 5 6" has 10):
			// bounding the sub-runs keeps a page of digits linear.
			for j := min(m, i+15); j >= i; j-- {
				if s.classifyNumber(i, j) {
					i = j + 1
					matched = true
					break
				}
			}
			if !matched {
				i++
			}
		}
		k = m
	}
}

func (s *scan) joinDigits(i, j int) string {
	var b strings.Builder
	for x := i; x <= j; x++ {
		b.WriteString(s.text[s.toks[x].start:s.toks[x].end])
	}
	return b.String()
}

// letterBefore returns the letters glued (or separated by one space, dash or "№") to
// the left of token i, upper-cased with Cyrillic look-alikes folded ("АN" → "AN").
func (s *scan) letterBefore(i int) string {
	if i == 0 || s.toks[i-1].digits {
		return ""
	}
	p := s.toks[i-1]
	if !gapIs(s.text, p.end, s.toks[i].start, 4, func(r rune) bool { return r == ' ' || r == '-' || r == '№' }) {
		return ""
	}
	var b strings.Builder
	for _, r := range s.text[p.start:p.end] {
		b.WriteRune(watchlist.FoldHomoglyph(r))
	}
	return b.String()
}

// classifyNumber decides what the digit tokens i..j are, adds the span and reports
// whether they were claimed.
func (s *scan) classifyNumber(i, j int) bool {
	t := s.toks
	digits := s.joinDigits(i, j)
	start, end := t[i].start, t[j].end
	plus := start > 0 && s.text[start-1] == '+'
	if plus {
		start--
	} else if start > 1 && s.text[start-1] == ' ' && s.text[start-2] == '+' {
		plus = true
		start -= 2
	}
	// Include an opening bracket whose closing one is inside the number: "(0555) 12 34 56".
	if start > 0 && s.text[start-1] == '(' && strings.IndexByte(s.text[start:end], ')') >= 0 {
		start--
	}
	// Glued to letters on the right ("123abc") or to a decimal point: not an identifier.
	if end < len(s.text) {
		r, _ := utf8.DecodeRuneInString(s.text[end:])
		if unicode.IsLetter(r) {
			return false
		}
	}
	neg := s.ctxStem(i, j, 2, 2, numberNegCtx)
	claim := func(sp span) bool {
		for x := i; x <= j; x++ {
			s.used[x] = true
		}
		s.add(sp, i)
		return true
	}
	n := len(digits)
	// Letter-prefixed documents: ID1234567 (KG ID card), AN1234567 (KG passport), other
	// two-letter series with 7 digits (KZ N…, UZ AA…) when passport words are near.
	if n == 7 {
		if pre := s.letterBefore(i); pre != "" {
			sub := ""
			switch {
			case pre == "ID":
				sub = "kg_id_card"
			case pre == "AN" || pre == "AC" || pre == "AA" || pre == "AB" || pre == "AD" || pre == "N":
				sub = "passport_series"
			}
			if sub != "" && (s.ctxStem(i-1, j, 6, 4, passportCtx) || sub == "kg_id_card" && (s.ctxStem(i-1, j, 6, 4, nationalIDCtx) || s.surnameBefore(i-1))) {
				return claim(span{Entity: Entity{Type: TypePassport, Start: t[i-1].start, End: end}, sub: sub, score: 0.85, canon: pre + digits})
			}
		}
		return false
	}
	if plus || strings.HasPrefix(digits, "00") {
		if e164, ok := watchlist.CanonPhone("+" + strings.TrimPrefix(digits, "00")); ok && !neg {
			return claim(span{Entity: Entity{Type: TypePhone, Start: start, End: end}, sub: "phone_intl", score: 0.9, canon: e164})
		}
		return false
	}
	if neg {
		return false
	}
	phoneCtxHere := s.ctxStem(i, j, 6, 3, phoneCtx)
	switch n {
	case 14:
		if ValidKGPIN(digits, s.now) {
			return claim(span{Entity: Entity{Type: TypeNationalID, Start: start, End: end}, sub: "kg_pin", score: 0.75, canon: digits})
		}
		if ValidUZPINFL(digits) {
			return claim(span{Entity: Entity{Type: TypeNationalID, Start: start, End: end}, sub: "uz_pinfl", score: 0.8, canon: digits})
		}
	case 12:
		idCtx := s.ctxStem(i, j, 6, 3, nationalIDCtx)
		switch {
		case strings.HasPrefix(digits, "996"):
			if e164, ok := watchlist.CanonPhone(digits); ok && phoneCtxHere {
				return claim(span{Entity: Entity{Type: TypePhone, Start: start, End: end}, sub: "phone_kg", score: 0.8, canon: e164})
			}
		case ValidKZIIN(digits) && (idCtx || i == j):
			return claim(span{Entity: Entity{Type: TypeNationalID, Start: start, End: end}, sub: "kz_iin", score: 0.85, canon: digits})
		case ValidRUINN12(digits) && idCtx:
			return claim(span{Entity: Entity{Type: TypeNationalID, Start: start, End: end}, sub: "ru_inn", score: 0.85, canon: digits})
		}
	case 11:
		if ValidSNILS(digits) && s.ctxStem(i, j, 6, 3, nationalIDCtx) {
			return claim(span{Entity: Entity{Type: TypeNationalID, Start: start, End: end}, sub: "ru_snils", score: 0.9, canon: digits})
		}
		if digits[0] == '8' || digits[0] == '7' {
			if e164, ok := watchlist.CanonPhone(digits); ok && (digits[0] == '8' || phoneCtxHere) {
				return claim(span{Entity: Entity{Type: TypePhone, Start: start, End: end}, sub: "phone_7", score: 0.7, canon: e164})
			}
		}
	case 10:
		if digits[0] == '0' {
			if e164, ok := watchlist.CanonPhone(digits); ok {
				return claim(span{Entity: Entity{Type: TypePhone, Start: start, End: end}, sub: "phone_kg", score: 0.8, canon: e164})
			}
		}
		if s.ctxStem(i, j, 6, 3, []string{"паспорт", "passport", "сери"}) && !ValidRUINN10(digits) {
			return claim(span{Entity: Entity{Type: TypePassport, Start: start, End: end}, sub: "ru_passport", score: 0.75, canon: digits})
		}
	case 9:
		if phoneCtxHere {
			if e164, ok := watchlist.CanonPhone(digits); ok {
				return claim(span{Entity: Entity{Type: TypePhone, Start: start, End: end}, sub: "phone_kg_nsn", score: 0.6, canon: e164})
			}
			// Uzbek numbers are written without +998 ("90 123 45 67").
			if e164, ok := watchlist.CanonPhone("+998" + digits); ok {
				return claim(span{Entity: Entity{Type: TypePhone, Start: start, End: end}, sub: "phone_uz_nsn", score: 0.6, canon: e164})
			}
		}
		if s.ctxStem(i, j, 6, 3, []string{"загранпаспорт", "паспорт", "passport"}) {
			return claim(span{Entity: Entity{Type: TypePassport, Start: start, End: end}, sub: "ru_foreign_passport", score: 0.7, canon: digits})
		}
	}
	return false
}

// --- e-mails, handles, profile links --------------------------------------------------

func isEmailLocal(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
}

func isHandleByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
}

// officialMailboxes are role addresses of organisations, not of a person.
var officialMailboxes = []string{"info", "press", "office", "contact", "admin", "support", "hello", "media", "pr",
	"priemnaya", "kancelyariya", "mail", "secretariat", "reception", "noreply", "no-reply", "help", "hr", "news"}

// atSigns finds e-mail addresses and @handles.
func (s *scan) atSigns() {
	text := s.text
	for off := 0; off < len(text); {
		k := strings.IndexByte(text[off:], '@')
		if k < 0 {
			return
		}
		at := off + k
		off = at + 1
		a := at
		for a > 0 && isEmailLocal(text[a-1]) {
			a--
		}
		b := at + 1
		for b < len(text) && isDomainByte(text[b]) {
			b++
		}
		for b > at+1 && (text[b-1] == '.' || text[b-1] == '-') {
			b--
		}
		if a < at {
			// e-mail: local@domain.tld
			dom := text[at+1 : b]
			dot := strings.LastIndexByte(dom, '.')
			if dot <= 0 || len(dom)-dot-1 < 2 {
				continue
			}
			local := strings.ToLower(text[a:at])
			sp := span{Entity: Entity{Type: TypeEmail, Start: a, End: b}, sub: "email", score: 0.9, canon: watchlist.CanonEmail(text[a:b])}
			s.add(sp, tokenAt(s.toks, a))
			last := &s.spans[len(s.spans)-1]
			for _, m := range officialMailboxes {
				if local == m {
					last.official = true
				}
			}
			if strings.HasSuffix(strings.ToLower(dom), ".gov.kg") || strings.HasSuffix(strings.ToLower(dom), ".gov.ru") || strings.HasSuffix(strings.ToLower(dom), ".gov.kz") {
				last.official = true
			}
			off = b
			continue
		}
		// handle: @name, not inside a URL path we already handled.
		e := at + 1
		for e < len(text) && isHandleByte(text[e]) {
			e++
		}
		for e > at+1 && text[e-1] == '.' {
			e--
		}
		if e-at-1 < 3 || e-at-1 > 32 {
			continue
		}
		if at > 0 && text[at-1] == '/' {
			continue // part of a profile link (tiktok.com/@x), found by links()
		}
		s.add(span{Entity: Entity{Type: TypeSocialHandle, Start: at, End: e}, sub: "handle", score: 0.6, canon: watchlist.CanonHandle(text[at:e])}, tokenAt(s.toks, at))
		off = e
	}
}

var profileHosts = []string{"t.me/", "telegram.me/", "instagram.com/", "vk.com/", "facebook.com/", "fb.com/",
	"tiktok.com/", "twitter.com/", "x.com/", "youtube.com/", "ok.ru/", "threads.net/", "m.facebook.com/"}

// links finds profile links (t.me/name, instagram.com/name, ...).
func (s *scan) links() {
	text := s.text
	if strings.IndexByte(text, '/') < 0 {
		return
	}
	lower := ""
	handles := newSpanSet(s.spans, func(sp *span) bool { return sp.Type == TypeSocialHandle })
	var found []int
	for _, h := range profileHosts {
		if lower == "" {
			if !strings.Contains(text, ".") {
				return
			}
			lower = asciiLower(text)
		}
		for off := 0; off < len(lower); {
			k := strings.Index(lower[off:], h)
			if k < 0 {
				break
			}
			a := off + k
			off = a + len(h)
			if a > 0 && (isHandleByte(lower[a-1]) && lower[a-1] != '.' || lower[a-1] == '-') {
				continue // "fox.com/", "myvk.com/": another host
			}
			// Extend left over the scheme and "www."
			st := a
			for _, p := range []string{"https://www.", "http://www.", "https://", "http://", "www."} {
				if st >= len(p) && lower[st-len(p):st] == p {
					st -= len(p)
					break
				}
			}
			e := off
			if e < len(lower) && lower[e] == '@' {
				e++
			}
			for e < len(lower) && (isHandleByte(lower[e]) || lower[e] == '-') {
				e++
			}
			for e > off && lower[e-1] == '.' {
				e--
			}
			if e-off < 2 {
				continue
			}
			if handles.overlaps(st, e) || (len(found) > 0 && found[len(found)-1] > st) {
				continue
			}
			found = append(found, e)
			s.add(span{Entity: Entity{Type: TypeSocialHandle, Start: st, End: e}, sub: "profile_link", score: 0.8, canon: watchlist.CanonHandle(text[st:e])}, tokenAt(s.toks, st))
		}
	}
}

// asciiLower lower-cases ASCII letters only, keeping every byte offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// surnameBefore reports whether a surname-shaped word stands within three words before
// token i in its sentence: "Бекмуратов Улан ID2210548", "Айгерим Осмоналиева
// ID4417302" — a KG ID-card number next to a name is that person's (independent4 dev
// i4-ru-0008, ru-0042).
func (s *scan) surnameBefore(i int) bool {
	for x := i - 1; x >= 0 && x >= i-3; x-- {
		if s.toks[x].digits || s.toks[x+1].sent {
			return false
		}
		if s.toks[x].upper && surnameShape(s.toks[x].lower) {
			return true
		}
	}
	return false
}
