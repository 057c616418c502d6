package exposure

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file holds the post-level rules of issue 15: euphemisms and obfuscated slurs as
// SOGI claims, workplaces, schools, routines and "where she lives" as personal data,
// relatives, list structure, threats to publish, and the self-disclosure detector (ads,
// lost documents, public contacts) that stops false alarms.

// phrase is a sequence of word patterns: a pattern ending in "*" matches a word that
// starts with it, any other one the whole word.
type phrase []string

// phraseSet indexes phrases by their first word (exact first words) plus the phrases
// whose first word is a prefix, by the first two letters of that prefix. bit is the
// set's bit in phraseIndex, which says for any word which sets may start there.
type phraseSet struct {
	byFirst  map[string][]phrase
	byPrefix map[string][]phrase
	bit      uint32
}

// phraseIndex maps a first word (exact) or the first two letters of a word (prefix
// patterns) to the bits of the phrase sets that have a phrase starting there; it is
// filled once while the package's phrase sets are initialised and only read afterwards.
// One lookup per word then tells which of the dozen sets need a look at all.
var phraseIndex = struct {
	exact, prefix map[string]uint32
	n             int
}{exact: map[string]uint32{}, prefix: map[string]uint32{}}

// firstRunes returns the first n runes of w (all of w when shorter).
func firstRunes(w string, n int) string {
	i := 0
	for k := 0; k < n && i < len(w); k++ {
		_, size := utf8.DecodeRuneInString(w[i:])
		i += size
	}
	return w[:i]
}

func newPhraseSet(list ...string) phraseSet {
	if phraseIndex.n >= 32 {
		panic("exposure: more than 32 phrase sets")
	}
	ps := phraseSet{byFirst: map[string][]phrase{}, byPrefix: map[string][]phrase{}, bit: 1 << phraseIndex.n}
	phraseIndex.n++
	for _, l := range list {
		p := phrase(strings.Fields(l))
		if strings.HasSuffix(p[0], "*") {
			key := firstRunes(p[0], 2)
			ps.byPrefix[key] = append(ps.byPrefix[key], p)
			phraseIndex.prefix[key] |= ps.bit
			continue
		}
		ps.byFirst[p[0]] = append(ps.byFirst[p[0]], p)
		phraseIndex.exact[p[0]] |= ps.bit
	}
	return ps
}

func wordMatches(pat, w string) bool {
	if strings.HasSuffix(pat, "*") {
		return strings.HasPrefix(w, pat[:len(pat)-1])
	}
	return pat == w
}

// phraseMasks returns, for every token, the bits of the phrase sets that may start at
// it (computed once per post).
func (s *scan) phraseMasks() []uint32 {
	if s.masks != nil {
		return s.masks
	}
	s.masks = make([]uint32, len(s.toks))
	for k, t := range s.toks {
		if !t.digits {
			s.masks[k] = phraseIndex.exact[t.lower] | phraseIndex.prefix[firstRunes(t.lower, 2)]
			s.maskUnion |= s.masks[k]
		}
	}
	return s.masks
}

// matchAt returns the number of tokens of the first phrase that matches at token k (0:
// none). Phrases do not cross a sentence boundary.
func (ps phraseSet) matchAt(s *scan, k int) int {
	if s.phraseMasks()[k]&ps.bit == 0 {
		return 0
	}
	toks := s.toks
	try := func(p phrase) int {
		if k+len(p) > len(toks) {
			return 0
		}
		for i, pat := range p {
			t := toks[k+i]
			if t.digits || (i > 0 && t.sent) || !wordMatches(pat, t.lower) {
				return 0
			}
		}
		return len(p)
	}
	t := toks[k]
	for _, p := range ps.byFirst[t.lower] {
		if n := try(p); n > 0 {
			return n
		}
	}
	for _, p := range ps.byPrefix[firstRunes(t.lower, 2)] {
		if n := try(p); n > 0 {
			return n
		}
	}
	return 0
}

// any reports whether any phrase of the set occurs in the post.
func (ps phraseSet) any(s *scan) bool {
	masks := s.phraseMasks()
	if s.maskUnion&ps.bit == 0 {
		return false
	}
	for k := range s.toks {
		if masks[k]&ps.bit != 0 && ps.matchAt(s, k) > 0 {
			return true
		}
	}
	return false
}

// mayBeObfuscated reports whether text has a symbol or digit glued between letters
// ("г@й", "п*дор", "l3sbian"), the only case in which obfuscatedSOGI can match.
func mayBeObfuscated(text string) bool {
	isLetterByte := func(c byte) bool { return c >= 0x80 || (c|0x20) >= 'a' && (c|0x20) <= 'z' }
	for i := 1; i+1 < len(text); i++ {
		j := strings.IndexAny(text[i:len(text)-1], "*@013")
		if j < 0 {
			return false
		}
		i += j
		switch text[i] {
		case '*', '@', '0', '1', '3':
			if !isLetterByte(text[i-1]) || !(isLetterByte(text[i+1]) || text[i+1] == '*') {
				continue
			}
			// At most three letters before the symbol: "п*дор", "пид@р", not "aibek@mail".
			runes, j := 0, i
			for j > 0 && isLetterByte(text[j-1]) && runes <= 3 {
				_, size := utf8.DecodeLastRuneInString(text[:j])
				j -= size
				runes++
			}
			// The letters must start a word: "bakyt_s@example" is an e-mail.
			if runes <= 3 && (j == 0 || text[j-1] == ' ' || text[j-1] == '\n' || text[j-1] == '\t' || text[j-1] == ',') {
				return true
			}
		}
	}
	return false
}

// euphemisms are innuendo and euphemisms that state a SOGI about a person (ru, ky, uz,
// en): "из этих", "не по девочкам", "ошолордон", "o'shanaqa", "not into girls".
var euphemisms = newPhraseSet(
	"из этих", "из таких", "не по девочкам", "не по мальчикам", "не по бабам",
	"не по женщинам", "не по мужикам", "не той ориентации", "нетрадиционной ориентации",
	"нетрадиционная ориентация", "нетрадиционного", "нетрадиционной", "сам такой", "сама такая",
	"живет с бабой", "живёт с бабой", "живет с мужиком", "живёт с мужиком", "с девушкой живет", "с девушкой живёт",
	"живет с девушкой", "живёт с девушкой", "видела её с девушкой", "видели её с девушкой", "видели его с парнем",
	"никакая она не", "никакой он не", "бывший мужчина", "бывшая женщина", "ходил в платьях", "ходит в платьях",
	"красится как", "голубизна", "голубок", "голубк*", "голубочк*", "голубочек",
	"ошондой экен", "өзү ошондой", "ошолордон", "ошолордун", "ушундайлардан", "ушундай экен", "тигилерден",
	"тигилердин", "көк жалгандар", "көк жалган", "көктөр", "кыз менен жашайт", "кыз менен бирге",
	"жигит менен жашайт", "эжеке менен", "аял менен жашайт", "эркек менен жашайт", "кыз сыяктуу",
	"аял сыяктуу", "бет боёйт", "эркек ал", "аял эмес", "кыз эмес",
	"o'shalardan", "o'shanaqa", "shunaqalardan", "bunaqalardan", "o'shalar", "qiz bilan yashaydi",
	"yigit bilan yashaydi", "erkak bilan yashaydi", "ayol bilan yashaydi", "эркак билан яшайди",
	"аёл билан яшайди", "йигит билан яшайди", "қиз билан яшайди", "lives with a man", "ayol emas", "erkak emas", "у него в москве",
	"not into girls", "not into guys", "plays for the other team", "one of those", "roommate", "roommates",
	"lives with a woman", "lives with his boyfriend", "lives with her girlfriend", "born a man", "born a woman",
	"his boyfriend", "her girlfriend", "his husband", "her wife",
	"её девушка", "ее девушка", "его парень", "жигити менен", "сүйлөшкөн жигити", "qiz do'sti", "yigit do'sti",
	"one of them", "men seeking men", "women seeking women", "friend of dorothy", "doesn't like girls",
	"doesn't like boys", "doesn't like women", "doesn't like men", "male on paper", "female on paper",
	"on paper a man", "on paper a woman", "по документам мужчина", "по документам женщина", "по паспорту мужчина",
	"по паспорту женщина", "hujjatlarda erkak", "hujjatlarda ayol", "ҳужжатларда эркак", "ҳужжатларда аёл",
	"документ боюнча эркек", "документ боюнча аял", "паспорт боюнча эркек", "паспорт боюнча аял",
	"o'zi shunaqa", "shunaqa ekan", "ўзи шунақа", "шунақа экан", "ўшалардан", "шунақалардан",
	"мужчина ищет мужчину", "женщина ищет женщину", "не любит девушек", "не любит парней",
	"кыздарды жактырбайт", "qizlarni yoqtirmaydi",
	"confirmed bachelor", "swings the other way",
	// The "blue blood" pun and "from that side" (round 8: two writers each).
	"голубых кровей", "голубой крови", "тиги тараптан", "ошол тараптан", "ошо тараптан", "o'sha tarafdan",
	"ўша тарафдан", "osha tarafdan",
	// Born as the other sex, in every language (independent5 dev i5-ky-0039).
	"эркек болуп туулган", "кыз болуп туулган", "аял болуп туулган", "бала болуп туулган", "o'g'il bola bo'lib tug'ilgan",
	"qiz bola bo'lib tug'ilgan", "erkak bo'lib tug'ilgan", "ayol bo'lib tug'ilgan", "ўғил бола бўлиб туғилган",
	"қиз бола бўлиб туғилган", "родилась мальчиком", "родился девочкой", "родилась мужчиной", "родился женщиной",
	"born a boy", "born a girl", "born male", "born female",
	// "его/её" + the partner noun in any case form ("видели её с её девушкой", "с его
	// парнем"): a woman's girlfriend, a man's boyfriend (independent3 dev ru-0090).
	"её девушк*", "ее девушк*", "его парн*", "его парен*", "bats for the other team", "bats for the other side", "not the marrying kind",
)

// dislikedGender is the paradigm "doesn't like <women|men|girls|boys>" in every
// language (ru, ky, uz Latin and Cyrillic, en): said of someone, it is innuendo about
// their orientation whichever gender is named. It extends euphemisms.
var dislikedGender = newPhraseSet(crossPhrases(
	[]string{"не любит", "не интересуется"}, []string{"девушек", "девушками", "женщин", "женщинами", "парней", "парнями", "мужчин", "мужчинами", "баб", "мужиков"},
	[]string{"кыздарды", "аялдарды", "эркектерди", "жигиттерди"}, []string{"жактырбайт", "жакшы көрбөйт", "карабайт"},
	[]string{"qizlarni", "ayollarni", "erkaklarni", "yigitlarni"}, []string{"yoqtirmaydi", "sevmaydi"},
	// "lives (together) with a woman/man", the dash-inserted apposition included
	// ("продюсери — аёл — билан бирга яшайди", independent3 dev uz-0029).
	[]string{"аёл", "эркак", "йигит", "қиз", "ayol", "erkak", "yigit", "qiz"}, []string{"билан бирга яшайди", "bilan birga yashaydi", "билан бирга туради", "bilan birga turadi"},
	[]string{"аял", "эркек", "жигит", "кыз"}, []string{"менен бирге жашайт"},
	[]string{"қизларни", "аёлларни", "эркакларни", "йигитларни"}, []string{"ёқтирмайди", "севмайди"},
	[]string{"doesn't like", "does not like", "not into", "isn't into", "never liked"}, []string{"women", "men", "girls", "boys", "guys"},
	// "not interested in women", with the dative, and "lives in one house with a man"
	// (review32).
	[]string{"кыздарга", "аялдарга", "эркектерге", "жигиттерге"}, []string{"кызыкпайт"},
	[]string{"qizlarga", "ayollarga", "erkaklarga", "yigitlarga"}, []string{"qiziqmaydi"},
	[]string{"қизларга", "аёлларга", "эркакларга", "йигитларга"}, []string{"қизиқмайди"},
	[]string{"аял", "эркек", "жигит", "кыз"}, []string{"менен бир үйдө жашайт", "менен бир уйдо жашайт"},
	[]string{"ayol", "erkak", "yigit", "qiz"}, []string{"bilan bir uyda yashaydi", "bilan bir uyda turadi"},
	[]string{"аёл", "эркак", "йигит", "қиз"}, []string{"билан бир уйда яшайди", "билан бир уйда туради"},
)...)

// crossPhrases returns, for each pair of lists (firsts, seconds), every phrase "first
// second"; the lists are given in the word order of their language.
func crossPhrases(lists ...[]string) []string {
	var out []string
	for i := 0; i+1 < len(lists); i += 2 {
		for _, a := range lists[i] {
			for _, b := range lists[i+1] {
				out = append(out, a+" "+b)
			}
		}
	}
	return out
}

// hints are innuendo that says nothing alone ("35 лет, не замужем") and a claim when two
// of them, or one and a knowing wink ("ну вы поняли", "тушунган тушунди"), come together.
var hints = newPhraseSet("не замужем", "не женат", "не женился", "не вышла замуж", "үйлөнгөн жок", "үйлөнбөгөн",
	"күйөөсү жок", "күйөөгө тийбейт", "күйөөгө чыкпаган", "турмушка чыкпаган", "уйланмаган", "турмушга чиқмаган",
	"turmushga chiqmagan", "uylanmagan", "never married", "not married", "ночным клубам", "ночные клубы",
	"ночной клуб", "түнкү клуб*", "тунги клуб*", "tungi klub*", "night club*", "nightclub*",
	"ну вы поняли", "если понимаете", "тушунган тушунди", "tushungan tushundi", "түшүнгөн түшүндү",
	"if you get what i mean", "you know what i mean", "ким экени түшүнүктүү", "алар кимдер экени",
	// The same hint kinds in every language (independent4 dev i4-ky-0029, uz-0025,
	// en-0021, ru-0031): no spouse at an age, living with one's mother, a knowing wink.
	"аялы жок", "жубайы жок", "xotini yo'q", "хотини йўқ", "eri yo'q", "эри йўқ", "жены нет", "нет жены",
	"мужа нет", "нет мужа", "no wife", "no husband", "ни жены", "ни мужа", "без жены", "без мужа", "bo'ydoq",
	"бўйдоқ", "бойдок", "бойдоқ", "бессемейный", "still single", "onasi bilan yashaydi", "онаси билан яшайди",
	"апасы менен жашайт", "живёт с мамой", "живет с мамой", "lives with his mother", "lives with her mother",
	"bilasizlar qanaqa", "билиб олинглар", "we know what that means", "сами понимаете", "понятно какой",
	"понятно какая", "түшүнөсүңөр", "tushunasizlar", "ну не пацанка", "tomboy")

// crossGenderManner are adverbs and attributes of the other gender's manner: a hint
// when said of a person of the other gender ("erkakcha kiyinadi", "по-мужски
// одевается", "men's clothes"; independent4 dev i4-uz-0023, en-0021).
var crossGenderManner = map[string]byte{"erkakcha": 'f', "эркакча": 'f', "эркекче": 'f', "по-мужски": 'f',
	"мужскую": 'f', "мужской": 'f', "men's": 'f', "manly": 'f', "ayollarcha": 'm', "аёлларча": 'm', "аялча": 'm',
	"по-женски": 'm', "женскую": 'm', "женской": 'm', "women's": 'm', "girly": 'm', "qizlarcha": 'm', "кызча": 'm'}

// formerNameCues before a capitalised name use a trans person's former name against
// them ("на самом деле Александр", "мурунку аты Жаңыбек", "real name").
var formerNameCues = newPhraseSet("на самом деле", "настоящее имя", "раньше звали", "в паспорте",
	"чыныгы аты", "мурунку аты", "чыныгы аты-жөнү", "haqiqiy ismi", "oldingi ismi", "pasportda", "real name",
	"deadname", "legal name", "formerly", "used to be", "раньше был", "раньше была", "раньше его звали",
	"раньше её звали", "мурун аты", "ilgari ismi", "avval ismi")

// quotedRelationStems are the stems of relationship words in every case form
// ("«подружки»", "с его «парнем»", "\"yigiti\" bilan"); in quotes they are innuendo like
// quotedRelations.
var quotedRelationStems = []string{"sevgi", "севги", "любим", "сүйгөн", "жаным", "подруг", "подружк", "друж", "парн", "парен", "девушк", "бойфренд",
	"сожител", "курбу", "жигит", "yigit", "dugona", "do'st", "дўст", "дугона", "йигит", "roommate", "boyfriend",
	"girlfriend", "partner", "friend", "сүйлөшкөн"}

// isQuotedRelation reports whether w, put in quotes, is a relationship word used as
// innuendo: one of quotedRelations or a case form of quotedRelationStems.
func isQuotedRelation(w string) bool {
	return quotedRelations[w] || hasPrefixIn(w, quotedRelationStems)
}

// quotedRelations are relationship words that are innuendo when put in quotes
// ("живёт с «подругой»", a "roommate").
var quotedRelations = newWordSet("подруга", "подругой", "подругу", "подруги", "подружка", "подружкой",
	"друг", "другом", "друга", "дружок", "дружком", "братик", "братиком", "сестричка",
	"сестричкой", "roommate", "roommates", "friend", "girlfriend", "boyfriend", "эжеке", "досу", "курбусу",
	"dugonasi", "dugona", "do'sti", "кыз", "жигит", "кызы", "подругасы", "дўсти", "дугонаси", "дўсти билан",
	"partner", "дос", "dost", "do'st", "дўст")

// obfuscatedSOGI finds slurs and SOGI words written with symbols or digits in place of
// letters ("г@й", "п*дор", "пид0р", "l3sbian").
var obfuscatedSOGI = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])((?:г[@*0оo.]й|g[@*0.]y|п[*@иi1.]д[*@оаoa0.]р\p{L}*|пид[*@.]р\p{L}*|п[*@]др\p{L}*|п\*\*р\p{L}*|л[*@е3]сб[*@и]\p{L}*|l[*@3]sb\p{L}*|гом[*@]к\p{L}*|тр[*@]нс\p{L}*|f[*@]g\p{L}*))`)

// colourPredicates are the colour words that, said of a person, mean gay: Kyrgyz and
// Uzbek "blue" (көк, ko'k, кўк), Uzbek "light blue" (moviy, мовий, havorang,
// ҳаворанг), like the Russian "голубой".
var colourPredicates = newWordSet("көк", "ko'k", "кўк", "голубой", "голубая", "moviy", "мовий", "havorang", "ҳаворанг")

// hedgeAt reports a hedge that closes a predicate at token k: Uzbek "bo'lsa kerak"
// (must be), Russian "по ходу" / "походу" (looks like) — "Sardor moviy bo'lsa kerak".
func (s *scan) hedgeAt(k int) bool {
	t := s.toks
	if k >= len(t) {
		return false
	}
	switch t[k].lower {
	case "bo'lsa", "бўлса":
		return k+1 < len(t) && (t[k+1].lower == "kerak" || t[k+1].lower == "керак")
	case "походу":
		return true
	case "по":
		return k+1 < len(t) && t[k+1].lower == "ходу"
	}
	return false
}

// sogiLabels are the emoji used as a label about a person or a list: the rainbow (and
// its flag), the transgender symbol, and the same-sex couples ("👭 экөө бир үйдө
// жашашат").
var sogiLabels = []string{rainbow, transSymbol, "👭", "👬", "👩‍❤️‍👩", "👨‍❤️‍👨", "👩‍❤️‍💋‍👩", "👨‍❤️‍💋‍👨"}

// rainbow is the rainbow emoji (and flag), used as a label about listed people.
const rainbow = "🌈"

// transSymbol is the transgender symbol (also inside the transgender flag "🏳️‍⚧️"), used
// as a label like the rainbow.
const transSymbol = "⚧"

// kinWords name a relative; next to a named person they make the relative identifiable
// through that person ("сын Кубанычбека", "Бакировдун аялы", "Karimovning o'g'li").
var kinWords = newWordSet(
	"сын", "сына", "сыну", "сыном", "сынок", "дочь", "дочка", "дочери", "дочку", "дочкой", "жена", "жены", "жене",
	"женой", "муж", "мужа", "мужу", "мать", "матери", "мама", "мамы", "отец", "отца", "папа", "брат", "брата",
	"брату", "братом", "сестра", "сестры", "сестру", "сестрой", "племянник", "племянника", "племянница",
	"племянницы", "внук", "внука", "внучка", "внучки", "зять", "невестка", "свекровь", "тёща", "теща", "родители",
	"родителей", "родственник", "родственница", "кузен", "кузина",
	"аялы", "аялын", "күйөөсү", "апасы", "атасы", "иниси", "агасы", "карындашы", "эжеси", "сиңдиси", "жээни",
	"небереси", "келини", "күйөө", "мамасы", "мамасын", "папасы", "папасын", "агасын", "эжесин", "уулун", "кызын", "баласы", "балдары", "ата-энеси", "тууганы", "балаңдын",
	"хотини", "қизи", "ўғли", "эри", "онаси", "отаси", "укаси", "акаси", "синглиси", "опаси", "жияни",
	"o'g'li", "qizi", "xotini", "eri", "onasi", "otasi", "ukasi", "akasi", "singlisi", "opasi", "jiyani", "nevarasi",
	"son", "daughter", "wife", "husband", "mother", "father", "brother", "sister", "nephew", "niece", "cousin",
	"parents", "son-in-law", "mom", "dad", "mum",
)

// kinAfterGenitive are Kyrgyz and Uzbek kin words that follow a genitive ("Эрмектин
// кызы", "Бакировдун уулу"): "кызы" and "уулу" are otherwise patronymic connectors.
var kinAfterGenitive = newWordSet("кызы", "уулу", "o'g'li", "qizi", "ўғли", "қизи")

// workCues put a person at a workplace, school or class ("работает в аптеке",
// "4А классында окуйт", "учитель физики", "Politexda o'qiydi").
var workCues = newPhraseSet(
	"работает*", "работал*", "трудится", "учится", "учатся", "учитель*", "учительниц*", "преподает*", "преподаёт*",
	"завуч*", "директор*", "врач*", "главврач*", "медсестр*", "бухгалтер*", "официант*", "продавщиц*", "из бухгалтерии",
	"из школы", "из 5-й", "школ*", "гимнази*", "лице*", "класс*", "курс*", "курста", "факультет*", "универ*",
	"колледж*", "политех*", "в аптеке", "в банке", "в больнице", "в поликлинике", "на заводе", "в офисе", "в магазине",
	"иштейт", "иштеген", "иштээр*", "иштеп", "окуйт", "окуйду", "мугалим*", "мектеп*", "мектептин", "ишкана*",
	"дарыкана*", "прораб*", "кызматкер*", "кызматында", "ооруканада", "банкында",
	"ishlaydi", "ishlagan", "o'qiydi", "o'qituvchi*", "maktab*", "kasalxona*", "ofisda", "ишлайди", "ишлаган",
	"ўқийди", "ўқитувчи*", "мактаб*", "синф*", "sinf*", "дорихона*", "dorixona*", "поликлиника*", "ҳамшира*",
	"kassir*", "кассир*", "мугалими", "ишке",
	// An office's floor and room ("в налоговой …, 2 этаж, 214 каб.", independent3 dev
	// mixed-0013).
	"каб", "кабинет*", "этаж*", "кабинети*",
	"works", "worked", "working", "teaches", "teacher", "studies", "school", "class", "office", "clinic", "pharmacy",
	"sells", "stall", "market", "salon", "bazaar", "shop",
)

// placeCues say where a person lives, when they leave home and which way they go
// ("живёт в Бишкеке", "каждый день с 9 до 6", "саат 12де чыгат", "забирают в 14:30").
var placeCues = newPhraseSet(
	"живет", "живёт", "живут", "проживает", "живущ*", "где живет", "где живёт", "каждый день", "каждое утро",
	"каждый вечер", "по пятницам", "по субботам", "по выходным", "тусит", "тусуется", "забирают", "забирает",
	"у ворот", "у подъезда", "возле дома", "ездит", "ходит в", "ходит на", "ходит по",
	"жашайт", "жашаган", "жашаарын", "жашаарын*", "жашайсың", "үйү", "үйүн", "үйлөрү", "үйүңдүн", "ар күнү",
	"күн сайын", "саат", "чыгат", "барат", "жүрөт", "жакта", "turadi", "yashaydi", "har kuni", "uyi", "chiqadi",
	"каттамы", "маршрут*", "эртең менен", "вечера", "утра", "обратно", "яшайди", "яшашини", "yashashini",
	"ҳар куни", "соат", "soat", "чиқади", "boradi", "боради", "qaytadi", "қайтади", "uyidan", "уйидан", "уйи",
	"mavze*", "мавзе*",
	"lives", "living", "every day", "every morning", "goes to", "picks up", "leaves home", "drives", "entrance",
	"bldg", "row",
	// Weekly routines by weekday, in every language (round 8: independent6 and 7 dev
	// posted a relative's weekly visit or training day).
	"по понедельникам", "по вторникам", "по средам", "по четвергам", "по воскресеньям", "каждый понедельник",
	"каждый вторник", "каждую среду", "каждый четверг", "каждую пятницу", "каждую субботу", "каждое воскресенье",
	"каждые выходные", "ар дүйшөмбү", "ар шейшемби", "ар шаршемби", "ар бейшемби", "ар жума", "ар ишемби",
	"ар жекшемби", "жекшемби сайын", "ишемби сайын", "жума сайын", "har dushanba", "har seshanba", "har chorshanba",
	"har payshanba", "har juma", "har shanba", "har yakshanba", "yakshanba kunlari", "shanba kunlari", "juma kunlari",
	"ҳар душанба", "ҳар жума", "ҳар шанба", "ҳар якшанба", "every monday", "every tuesday", "every wednesday",
	"every thursday", "every friday", "every saturday", "every sunday", "every weekend", "every mon", "every tue",
	"every wed", "every thu", "every fri", "every sat", "on mondays", "on tuesdays", "on wednesdays", "on thursdays",
	"on fridays", "on saturdays", "on sundays",
	// A country house as where someone lives.
	"на даче", "дачада", "dachada", "дачасында",
)

// Self-disclosure and ad cues (post level).
var (
	adCues = newPhraseSet(
		"продаю", "продам", "продается", "продаётся", "продаются", "сдаю", "сдается", "сдаётся", "куплю", "цена",
		"стоимость", "требуется", "требуются", "вакансия", "репетитор*", "такси", "доставка", "услуги", "услуга",
		"ремонт", "опыт", "график", "недорого", "скидк*", "акция", "заказ*", "прайс", "торг", "выезд",
		"жумуш бар", "сатуучу керек", "ish bor", "vakansiya", "job", "vacancy", "for rent",
		"издейт", "издейбиз", "издеп жатабыз", "ишке алабыз", "кызматкер керек", "ishga olamiz", "xodim kerak",
		"сатам", "сатылат", "сатабыз", "сатып", "баасы", "баасы:", "ижарага", "жумушка", "кызмат көрсөтөбүз",
		"арзан", "алабыз", "сотаман", "сотилади", "нархи", "сотувда",
		"sotaman", "sotiladi", "sotuvda", "narxi", "ijaraga", "xizmat*", "arzon", "taksi", "repetitor",
		"for sale", "selling", "price", "hiring", "tutor", "taxi", "delivery", "discount",
		// Home services by appointment (independent4 dev i4-ru-0054): sign-up verbs and
		// "at home / I come to you" in ru, ky, uz, en.
		"записыва*", "запись", "на дому", "выезжаю", "выезжаем", "жазылыңыз", "жазылгыла", "жазылуу", "үйгө барам",
		"yoziling", "yozilish", "uyga boraman", "book now", "appointments", "house calls",
		// A craftsman's service with a warranty, installation or repair in ru, ky, uz, en
		// (independent5 dev i5-uz-0039).
		"kafolat*", "кафолат*", "гарантия", "гарантией", "кепилдик*", "warranty", "guarantee*", "o'rnatish*",
		"ўрнатиш*", "установка", "орнотуу", "installation", "ta'mirlash*", "таъмирлаш*", "оңдоо*", "repair*",
	)
	contactCues = newPhraseSet(
		"звоните", "звонить", "позвоните", "позвонить", "пишите", "напишите", "обращаться", "обращайтесь",
		"связаться", "свяжитесь", "ждёт ваших", "ждет ваших", "принимает", "консультаци*", "бесплатно",
		"чалыңыз", "чалгыла", "чалыңыздар", "чалсаңыз", "чалып", "жазыңыз", "жазгыла", "жазгылачы", "жазыңыздар",
		"кайрылыңыз", "кайрылгыла", "кайрылыңыздар", "кабыл алат", "акысыз", "байланыш*",
		"chalyp", "chalygyla", "chalyngyz", "chalgyla", "chalsangar", "jazyngyz", "jazgyla",
		"qo'ng'iroq", "murojaat", "yozing", "bog'laning", "bepul", "қўнғироқ", "мурожаат", "ёзинг", "боғланинг",
		"call", "text", "contact", "reach", "dm", "whatsapp", "free",
	)
	lostCues = newPhraseSet(
		"утерян", "утеряна", "утеряно", "утеряны", "утерял*", "потерял*", "потеряна", "потерян", "нашедш*",
		"вознагражд*", "найден", "найдена", "прошу вернуть", "жоготтум", "жоготуп", "жоголду", "жоголгон",
		"табылды", "табсаңар", "табсаңыз", "таап", "тапкан*", "yo'qotdim", "yo'qoldi", "yo'qotib", "topib", "topgan*",
		"калтырып кеттим", "калтырып", "йўқолди", "йўқотдим", "топиб", "топган*",
		"нашелся", "нашёлся", "нашлась", "нашлось", "нашлись", "пусть владелец", "владельца", "владелец звоните",
		"lost", "reward", "if found", "you found", "found it", "found my", "found a", "found this",
		// Latin-script Kyrgyz and "who found it?" (independent3 dev ky-0081, mixed-0033).
		"jogottum", "jogotup", "jogoldu", "jogolgon", "tapkandar", "tapsangar", "tapsangyz", "tapkan*", "suyunchu",
		"syilyk", "сыйлык", "сүйүнчү*", "тапты", "таптыңарбы", "таптыңызбы",
		// The owner's notice that a lost document is void ("Считать недействительным",
		// "Жараксыз деп эсептелсин", "Haqiqiy emas deb hisoblansin") (independent4 dev
		// i4-ru-0060, ky-0053, uz-0044).
		"недействительн*", "жараксыз*", "haqiqiy emas", "ҳақиқий эмас", "hisoblansin", "ҳисоблансин",
		"эсептелсин", "null and void", "declared invalid", "is invalid",
	)
	// firstPersonWords make a post the author's own ("мой номер", "менин", "mening").
	firstPersonWords = newWordSet("я", "мой", "моя", "мое", "моё", "мои", "мне", "меня", "мною", "менин", "мен", "мага",
		"мени", "биздин", "наш", "наша", "наши", "нашего", "нашей", "men", "mening", "meni", "menga", "bizning",
		"i", "my", "me", "our", "we", "капчыгымды", "картам", "билетим", "паспортумду", "номерим", "атым",
		"документтеримди", "паспортим", "pasportim", "рақамим", "raqamim", "телефоним", "telefonim")
	// publicContactCues name a journalist's, lawyer's or organisation's public contact.
	publicContactCues = newPhraseSet(
		"журналист*", "корреспондент*", "редакци*", "редактор*", "адвокат*", "юрист*", "пресс-секретар*",
		"пресс-служб*", "правового центра", "правозащитн*", "фонд*", "фонда", "нко", "ngo", "уюм*", "борбор*",
		"jurnalist*", "advokat*", "huquqshunos*", "tashkilot*",
		"journalist*", "lawyer*", "attorney", "press", "foundation", "organisation", "organization",
		"репортер*", "репортёр*", "собирает истории", "ждёт историй", "ждет историй", "muxbir*", "мухбир*",
		"координатор*", "волонт*", "ищем", "приглашаем", "coordinator", "volunteer*", "ыктыярчы*", "koordinator*",
		// A human-rights defender's or a legal clinic's public contact in Kyrgyz and Uzbek
		// (independent5 dev i5-ky-0051).
		"укук коргоочу*", "юридикалык кеңеш*", "huquq himoyachi*", "ҳуқуқ ҳимоячи*", "yuridik maslahat*",
		"юридик маслаҳат*",
		// Press contacts and staff pages (review32).
		"для прессы", "для сми", "пресс-контакт*", "наша команда", "our team", "meet the team", "биздин команда",
		"bizning jamoa", "бизнинг жамоа", "маалымат каражаттары үчүн", "ommaviy axborot vositalari uchun",
	)
)

// announcementCues mark a family or community announcement: congratulations on a
// birthday or a wedding, a death notice or condolences, an appeal to find a missing
// person or to fund a treatment, and court or police news. The names, dates, venues
// and the relatives' phones such a post gives are what it is for: it exposes nobody
// unless it is also hostile, threatens or makes a SOGI claim (review32).
var announcementCues = newPhraseSet(
	// ru
	"поздравля*", "с днём рождения", "с днем рождения", "с юбилеем", "с днём свадьбы", "с днем свадьбы",
	"молодожён*", "молодожен*", "свадьб*", "бракосочетани*", "соболезнова*", "скончал*", "ушёл из жизни",
	"ушел из жизни", "ушла из жизни", "светлая память", "вечная память", "похорон*", "прощание", "джаназа",
	"помогите найти", "пропал без вести", "пропала без вести", "ушёл из дома и не вернулся", "сбор средств",
	"собираем на лечение", "помощь на лечение", "на операцию", "сбор на лечение", "сбор на операцию", "на лечение", "суд приговорил", "приговорил*", "приговорён*",
	"приговорен*", "задержали", "задержан", "задержана", "мвд сообщает", "пресс-служба мвд",
	// ky
	"куттуктайбыз", "куттуктайм", "куттуктайлы", "туулган күнүң", "туулган күнүңүз", "туулган күнү менен",
	"үйлөнүү тою*", "тоюбуз*", "тойго", "көз жумду", "дүйнөдөн кайтты", "жаназа*", "кайгыруу*", "маркум*",
	"табууга жардам", "дайынсыз жоголду", "жардам сурайбыз", "дарылоого жардам", "соттоду", "соттолду", "кармалды",
	"жаш толду", "бактылуу бол", "акча чогултабыз", "операциясына", "үйгө келе элек", "үйгө келген жок",
	// uz, Latin and Cyrillic
	"tabriklaymiz", "tabriklayman", "tug'ilgan kun*", "to'y*", "nikoh", "vafot etdi", "janoza*", "ta'ziya*",
	"marhum*", "yordam so'raymiz", "topishga yordam", "bedarak", "davolanishga yordam", "hukm qildi", "qamaldi",
	"yordam bering", "uyga kelmadi", "uyga qaytmadi", "ёрдам беринг", "уйга келмади",
	"hibsga olindi", "табриклаймиз", "табриклайман", "туғилган кун*", "тўй*", "вафот этди", "жаноза*", "таъзия*",
	"марҳум*", "ёрдам сўраймиз", "топишга ёрдам", "бедарак", "ҳукм қилди", "қамалди", "ҳибсга олинди",
	// en
	"happy birthday", "congratulations", "congrats", "happy anniversary", "wedding", "passed away", "funeral",
	"condolences", "rest in peace", "in loving memory", "help find", "missing since", "help us find", "fundraiser",
	"please donate", "medical bills", "was sentenced", "were sentenced", "was arrested", "police said",
	"left home", "went missing", "is missing", "has dementia",
	// Honour rolls, prizes and scholarships.
	"доска почёта", "доска почета", "олимпиад*", "победител*", "призёр*", "призер*", "стипендиат*",
	"жеңүүчү*", "мыкты окуучу*", "olimpiada*", "g'olib*", "ғолиб*", "олимпиада*",
	"honour roll", "honor roll", "winners", "winner of", "scholarship*",
)

// possessedNumberWords next to a name make the number that person's ("номер Айбека",
// "Айбектин номери", "Aibekning raqami").
var possessedNumberWords = []string{"номер", "телефон", "raqam", "telefon", "рақам", "number", "phone", "дарег", "адрес"}

// hostileCues make a post about someone hostile: calls to find, shame or punish them,
// "everybody knows", innuendo endings.
var hostileCues = newPhraseSet(
	"позор*", "пусть ответит", "ответит", "ответят", "расскажем", "знайте", "знакомьтесь", "слив*", "деанон*",
	"найдите", "накажите", "вот кто", "кто знает", "все знают", "это все знают", "ну вы поняли", "если понимаете",
	"репост*", "распространите", "разберемся", "разберёмся", "мразь", "твар*", "извращен*", "больн*",
	"бардыгы билсин", "баары билсин", "билсин", "тааныгыла", "таанып алгыла", "ким билет", "баары билет",
	"белгилүү", "түшүнүктүү", "уят*", "жооп берет", "жооп берсин", "билесиңерби", "таратып", "жазып жүрөт",
	"сак болгула", "сактангыла", "шерменде*", "found where", "осторожно", "тарқатинглар", "tarqatinglar",
	"ҳаммага", "hammaga", "share before", "share it", "share this", "repost", "пусть знает", "пусть знают", "скажите все", "скажите всё",
	"что думаете", "айтып койгула", "билип койсун",
	"hammasi bilsin", "uyat", "sharmanda*", "javob beradi",
	"found her", "found him", "нашли её", "нашли ее", "нашли его", "нашла её", "нашёл её",
	"shame", "expose", "everyone knows", "you know what i mean", "find him", "find her",
	// A leak said of the data (independent5 dev i5-en-0032, mixed-0003).
	"leaked", "слили", "слил", "утекл*", "чыгарып жиберди", "тарап кетти", "chiqarib yubordi",
)

// threatCues promise to publish someone's data or say "we know where you are".
var threatCues = newPhraseSet(
	"сольём", "сольем", "солью", "сливаем", "выложим", "выложу", "выкладываем", "опубликуем", "опубликую",
	"опубликуем остальное", "следующий пост", "следующим постом", "все узнают", "жди",
	"собираем на", "собираем данные", "собираем инфу", "у нас есть", "всё у нас есть", "все у нас есть", "мы знаем", "знаем где", "знаем, где",
	"раскроем", "покажем всем", "кто репостнет", "кто скинет", "кто найдёт", "начнём оттуда",
	"начнем оттуда", "доберемся", "доберёмся", "найдем тебя", "найдём тебя",
	"таратабыз", "жарыялайбыз", "жазабыз", "чыгарабыз", "көрсөтөбүз", "билебиз", "даярдан", "акыркы эскертүү",
	"дарег* чыгат", "дарек* чыгат", "таратам", "жарыялайм",
	"e'lon qilamiz", "tarqatamiz", "chiqaramiz", "bilamiz", "joylaymiz", "kutib tur", "bizda bor",
	"we know where", "we know", "will publish", "will post", "will leak", "is next", "are next", "coming soon",
	"we have your", "we've got your", "we got your", "we've got", "we have got your", "we'll release", "will release", "next post", "already have your", "comes out", "you're done",
	"everyone will know", "баары чыгат", "бардыгы чыгат", "маалыматың чыгат", "hammasi chiqadi", "ҳаммаси чиқади",
	"күтө тур", "знаем", "тарқатамиз", "чиқарамиз", "биламиз", "жойлаймиз",
	"узнает где", "узнают где", "узнает, где", "узнают, где", "уже нашли", "мы нашли", "дальше", "we found",
	"we publish", "we'll publish", "we will publish", "we'll post", "таптык", "topdik", "топдик",
	// The data will be everywhere: "во всех чатах", "бардык чаттарда болот", "go public",
	// "we'll spread" (independent4 dev i4-ru-0038, mixed-0023, en-0028, en-0030, ky-0035).
	"во всех чат*", "во всех групп*", "во всех паблик*", "по всем чат*", "бардык чат*", "бардык топ*",
	"barcha chat*", "barcha guruh*", "go public", "goes public", "going public", "we'll spread", "will spread",
	"all the chats", "every chat", "есть у нас", "колубузда", "қўлимизда", "qo'limizda", "in our hands", "у нас в руках",
	// Sending the data to the target's family, employer or village, and "it is on the
	// way" (independent3 dev: ru-0041, ru-0042, uz-0034, en-0031, en-0032).
	"отправим", "разошлём", "разошлем", "скинем", "получит", "получат", "на подходе", "жиберебиз", "жөнөтөбүз",
	"yuboramiz", "юборамиз", "jo'natamiz", "жўнатамиз", "we'll send", "we will send", "will be sent", "go to your",
	"goes to your", "go out", "goes out", "will go out", "we figured out", "we found out",
	"билип алдык", "bilib oldik", "билиб олдик", "узнали кто",
	// Bringing the data to someone, and "we figured you out" (independent5 dev i5-uz-0031,
	// ru-0038).
	"olib boramiz", "олиб борамиз", "алып барабыз", "алып барам", "принесём", "принесем", "занесём", "занесем",
	"we'll bring", "we will bring", "вычислили", "эсептеп алдык", "aniqladik", "аниқладик",
)

// threatData are the data a threat promises ("адрес", "номер", "где работаешь").
var threatData = newPhraseSet(
	"адрес*", "номер*", "телефон*", "паспорт*", "данны*", "пин", "инн", "работаешь", "работает", "живешь",
	"живёшь", "живет", "живёт", "всех", "остальное", "дарег*", "дарек*", "телефонуң*", "паспортуң*",
	"жумуш*", "иштээр*", "үйүң*", "үйүн", "үй", "maʼlumot*", "ma'lumot*", "manzil*", "telefon*", "pasport*",
	"ishxona*", "address*", "number", "phone", "passport", "data", "works", "lives", "home", "маалымат*",
	"мектеб*", "манзил*", "уйинг*", "uying*", "yashaydi", "яшайди", "hammasi", "ҳаммаси", "rest", "баары",
	"номериң", "үйүң", "жашайсың", "иштейсиң", "жашаганыңды", "иштегениңди", "офис*", "office", "flat", "квартир*", "where you live", "where you work", "uyingni",
	"үйүңдү", "всё", "баарын", "бардыгын", "hammasini", "ҳаммасини", "everything",
	// Identity and private life as promised data: name, photos, chats ("атың, сүрөтүң",
	// "ismingni", "твои переписки", "your name and workplace").
	// Photos and names only with a second-person possessive: "we will post the photos
	// from the concert" promises nothing about anyone.
	"переписк*", "yozishma*", "ёзишма*", "chats", "workplace", "your name", "your photos", "your pictures",
	// The workplace as data (independent5 dev i5-ru-0038).
	"место работы", "места работы", "иш ордуң*", "ish joying*",
	"your messages", "твои фото*", "твои фотк*", "твоё имя", "твое имя", "твою фамилию", "твои скрин*",
)

// secondPersonData are data nouns with a second-person singular possessive (Kyrgyz -ың/
// -иң, Uzbek -ing/-ingni): they are promised data of a threat and address its target
// ("атың, сүрөтүң, иштеген жериң", "kimligingni … ismingni", "кайда жашаарың").
var secondPersonData = newWordSet(
	"атың", "атыңды", "сүрөтүң", "сүрөттөрүң", "сүрөттөрүңдү", "жериң", "жериңди", "дарегиң", "дарегиңди",
	"номериң", "номериңди", "телефонуң", "телефонуңду", "жашаарың", "жашаганың", "жашаганыңды", "иштээриң",
	"иштегениң", "иштегениңди", "апаң", "атаң", "ата-энең", "ата-энеңе", "кат алышууларың", "ким экениң",
	"ismingni", "isming", "ismingiz", "rasmlaring", "rasmlaringni", "manzilingni", "manziling", "ishxonang",
	"ishxonangni", "kimligingni", "kimliging", "yozishmalaring", "yozishmalaringni", "telefoning", "raqaming",
	"исмингни", "расмларингни", "манзилингни", "ишхонангни", "кимлигингни", "ёзишмаларинг", "рақаминг",
)

// secondPerson are words addressing the target directly in a threat.
var secondPerson = newWordSet("ты", "тебя", "тебе", "тобой", "твой", "твоя", "твое", "твоё", "твои", "твоей",
	"твоего", "твоих", "вас", "вам", "ваш", "ваши", "сен", "сени", "сага", "сенин", "силер", "сиз", "сизди",
	"sen", "seni", "senga", "sening", "siz", "sizni", "you", "your")

// listHeaderWords make a line a header about every person listed after it ("все",
// "список", "баары", "тизмеси").
var listHeaderWords = newWordSet("все", "всех", "эти", "этих", "список", "списке", "баары", "бардыгы", "булар",
	"тизмеси", "тизме", "hammasi", "ro'yxat", "ro'yxati", "bular", "all", "list", "these")

// placeWordSuffix reports words such as "Оштон", "Нарындан", "Москвада": Kyrgyz
// ablative/locative case forms of a capitalised place are locations in a list row.
func isListMarker(line string) bool {
	l := strings.TrimLeft(line, " \t")
	if l == "" {
		return false
	}
	r, size := utf8.DecodeRuneInString(l)
	switch r {
	case '-', '•', '*', '—', '–', '·', '▪', '►', '✅', '❌', '👉', '🔸', '🔹':
		return true
	}
	if r >= '0' && r <= '9' {
		i := size
		for i < len(l) && l[i] >= '0' && l[i] <= '9' {
			i++
		}
		return i < len(l) && (l[i] == ')' || l[i] == '.') && i <= 3
	}
	return false
}

// isMaskRune reports a symbol or digit written in place of a letter ("п*дик", "г@й",
// "l3sbian").
func isMaskRune(r rune) bool {
	return r == '*' || r == '@' || r == '0' || r == '1' || r == '3' || r == '$'
}

// maskedWords returns the byte ranges of the words of text that mix letters with at
// most two mask symbols, at least two letters and a letter first ("п*дик", "g**y" is
// not: too few letters).
func maskedWords(text string) [][2]int {
	var out [][2]int
	// lead counts the letters before the first mask: at most three, as in "п*дик",
	// "лес*и" ("aibek@example.org" is an e-mail, not a masked word).
	start, letters, masks, lead := -1, 0, 0, 0
	flush := func(end int) {
		if start >= 0 && masks > 0 && masks <= 2 && letters >= 2 && lead <= 3 && letters+masks <= 16 {
			out = append(out, [2]int{start, end})
		}
		start, letters, masks, lead = -1, 0, 0, 0
	}
	for i, r := range text {
		switch {
		case isWordRune(r):
			if start < 0 {
				start = i
			}
			letters++
			if masks == 0 {
				lead++
			}
		case isMaskRune(r) && start >= 0:
			masks++
		default:
			flush(i)
		}
	}
	flush(len(text))
	// A trailing mask is punctuation or a footnote ("гей*"), not a masked letter.
	for i := range out {
		for out[i][1] > out[i][0] && isMaskRune(rune(text[out[i][1]-1])) {
			out[i][1]--
		}
	}
	return out
}

// maskedSOGI reports whether a masked word matches a SOGI word of the lexicon with
// each mask standing for one letter: a whole word of sogiExact of the same length, or
// a stem of sogiStems at its start (the rest unmasked). At least one mask must stand
// inside the match.
func maskedSOGI(word string) bool {
	w := []rune(strings.ToLower(word))
	match := func(c []rune, whole bool) bool {
		if len(c) < 3 || len(w) < len(c) || (whole && len(w) != len(c)) {
			return false
		}
		masked := false
		for i, r := range c {
			switch {
			case isMaskRune(w[i]):
				masked = true
			case w[i] != r:
				return false
			}
		}
		for _, r := range w[len(c):] {
			if isMaskRune(r) {
				return false
			}
		}
		return masked
	}
	for _, cand := range maskedCandidates {
		if match(cand.word, cand.whole) {
			return true
		}
	}
	return false
}

// maskedCandidates are the lexicon words maskedSOGI compares with, as runes: the
// whole words of sogiExact and the stems of sogiStems.
var maskedCandidates = func() []struct {
	word  []rune
	whole bool
} {
	var out []struct {
		word  []rune
		whole bool
	}
	for w := range sogiExact {
		out = append(out, struct {
			word  []rune
			whole bool
		}{[]rune(w), true})
	}
	for _, st := range sogiStems {
		out = append(out, struct {
			word  []rune
			whole bool
		}{[]rune(st), false})
	}
	return out
}()

// familyRecipients are the target's family or employer as the recipient of a threat
// ("твоей маме отправим", "otangga olib boramiz", "апаңа жиберебиз", "we'll send your
// mom"); with media data (screenshots, photos, chats) they make a sending cue a threat
// (independent5 dev i5-ru-0039, uz-0031).
var familyRecipients = newPhraseSet("твоей маме", "твоей матери", "твоему отцу", "твоему папе", "твоим родителям",
	"твоей семье", "твоим родным", "твоей жене", "твоему мужу", "твоему начальнику", "на работу", "otangga",
	"onangga", "oilangga", "ota-onangga", "отангга", "онангга", "оилангга", "ота-онангга", "апаңа", "атаңа",
	"ата-энеңе", "үй-бүлөңө", "туугандарыңа", "жумушуңа", "your mom", "your mother", "your dad", "your father",
	"your parents", "your family", "your boss", "your employer", "ishxonangga",
	// Polite and plural "you", and a spouse's family (round 8).
	"ата-энеңерге", "ата-энеңизге", "апаңызга", "атаңызга", "үй-бүлөңүзгө", "мектебиңерге", "иштеген жериңе",
	"ata-onangizga", "otangizga", "onangizga", "oilangizga", "eringning oilasiga", "xotiningning oilasiga",
	"твоим родителям и", "вашим родителям", "вашей семье", "your husband's family", "your wife's family")

// familySendVerbs say that the data "will go" somewhere ("видео апаңа барат", "скрины
// уйдут твоему отцу", "rasmlar oilasiga boradi"): next to a family recipient and media
// data they are the sending cue of a threat to tell. Too common alone to be a threat
// cue ("мектепке барат" is a child going to school), so only the family rule reads them.
var familySendVerbs = newPhraseSet("уйдут", "уйдёт", "уйдет", "пойдут", "попадут", "барат", "барышат", "жетет",
	"boradi", "ketadi", "боради", "кетади", "will go to", "come with your", "comes with your")

// ownRecipients are the addressee's family or employer named in the nominative with a
// second-person possessive ("вся твоя семья", "работа твоя", "your manager", "oilang",
// "үй-бүлөң"): with a verb of learning or telling (learnVerbs) they are who will be told.
// English has no case: "your family", "your boss" and the like are in familyRecipients,
// which the rule reads as well.
var ownRecipients = newPhraseSet("твоя семья", "семья твоя", "твоя работа", "работа твоя", "твои родители",
	"родители твои", "твоя мать", "твоя мама", "твой отец", "твой начальник", "твоё начальство", "твое начальство",
	"oilang", "ota-onang", "onang", "otang", "ishxonang", "оиланг", "ота-онанг", "үй-бүлөң", "ата-энең", "апаң",
	"атаң", "жумушуң", "your manager", "your manager's", "your boss's")

// learnVerbs are verbs of finding out, reading or telling ("узнает", "прочтёт", "xabar
// beramiz", "билип калат", "will find out", "on our list").
var learnVerbs = newPhraseSet("узнает", "узнают", "узнаёт", "прочтёт", "прочтет", "прочитает", "прочитают",
	"увидит", "увидят", "xabar beramiz", "xabar qilamiz", "bilib oladi", "bilib qoladi", "хабар берамиз",
	"билип калат", "билип алат", "билет", "көрөт", "кабар беребиз", "will find out", "will know", "will read",
	"will see", "will learn", "on our list", "finds out", "find out")

// secretPhrases say that the addressee has something to hide ("кто ты такой", "чем ты
// занимаешься", "what you do", "kimligingni", "ким экениңди"): with learnVerbs and a
// recipient they make a threat to tell (lead's review of exposure/6).
var secretPhrases = newPhraseSet("кто ты такой", "кто ты такая", "кто ты есть", "чем ты занимаешься",
	"чем ты занимаешся", "чем ты там занимаешься", "what you do", "what you did", "who you are", "what you are",
	"what you've been doing", "kimligingni", "kim ekaningni", "nima qilayotganingni", "кимлигингни",
	"ким экениңди", "ким экенинди", "эмне кылып жүргөнүңдү")

// mediaData are photos, screenshots and chats as promised data.
var mediaData = newPhraseSet("скрин*", "фото*", "фотк*", "переписк*", "видео*", "screenshot*", "photos", "pictures", "video*", "pics",
	"chats", "messages", "rasm*", "skrin*", "yozishma*", "видео*", "сүрөт*", "скрин*", "surat*")
