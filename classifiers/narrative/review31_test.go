package narrative

import (
	"slices"
	"testing"
)

// Review 31 of the session's narrative changes (8c5c8b0 quoted guards, euro sign,
// new slurs and targets, деген/degan and nafrat out of the guards; c634a7b person
// endings of the postposed negation; c02a5a2 identity denial without "only" and
// described couples; 947b091 the slur-as-hate reading). Every post below is invented
// for this review. Each test is one problem: the cases that fail are the findings, the
// twins that pass pin what is right and must stay so when the problem is fixed.
//
// The verdicts are the ones docs/annotation/narrative.md requires. Cases are checked on
// the shipped model ("full") unless layer is "rules".

type r31Case struct {
	name  string
	text  string
	want  bool   // homophobic, as the guidelines label the post
	layer string // "full" (default) or "rules"
}

func r31Run(t *testing.T, cases []r31Case) {
	t.Helper()
	rules, full := testClassifiers(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := full
			if tc.layer == "rules" {
				c = rules
			}
			r := c.ClassifyText(tc.text)
			if r.Homophobic != tc.want {
				t.Errorf("%q: homophobic=%v, want %v (score %.2f, rules %.2f, labels %v, frames %v, guards %v)",
					tc.text, r.Homophobic, tc.want, r.Prob, r.RuleScore, r.LabelList, r.FrameList, r.Guards)
			}
		})
	}
}

// Problem 1 (8c5c8b0, normalize.go opensReplyQuote): every line that opens with ">" is
// taken for the words of someone else, and the quoted flag it sets does more than drop
// counter/report guards: the frame evidence on that line is halved and, with no
// evidence elsewhere, the score is cut again (reported_speech). But a ">" line is often
// the author's own words: an imageboard post link ">>283746" followed by the reply on the
// same line, greentext ("> be me"), "> 18" meaning "over 18". The hate on such lines
// was flagged before this change and is missed now.
func TestReview31ReplyQuoteNotAQuote(t *testing.T) {
	r31Run(t, []r31Case{
		// findings: the author's own words on a ">" line
		{"ru post link then the reply on the same line", ">>283746 пидоры должны гореть, гнать их из страны", true, ""},
		{"en greentext story", "> be me\n> see gay parade downtown\n> faggots everywhere, they should all be locked up", true, ""},
		{"ru '> 18' meaning over 18", "> 18 лет исполнилось, а геи всё равно больные, надо их лечить", true, ""},
		// twins: right today
		{"twin: post link on its own line", ">>283746\nпидоры должны гореть, гнать их из страны", true, ""},
		{"twin: a real quote answered with counter-speech", ">>геи больные\nЭто ложь и гомофобия, хватит травли.", false, ""},
		{"twin: a real quote answered with a bare no", ">>геи больные\nНет.", false, ""},
	})
}

// Problem 2 (8c5c8b0, rules.go applyRules): a counter cue in quotation marks is not
// always someone else's. Writers put their own slogan, their own banner or their own
// repeated answer in quotes. The guideline (section 2, 6) labels these posts counter or
// news. They were not flagged before this change and are flagged now. The unquoted twins
// and the mocking use the change was made for stay right.
func TestReview31OwnQuotedCounter(t *testing.T) {
	r31Run(t, []r31Case{
		{"ru the author repeats their own slogan in quotes", "Хватит писать, что геев надо лечить и гнать из школ. Повторю ещё раз: «гомофобия — это не мнение».", false, ""},
		{"en the author answers with a quoted slogan", "To everyone saying gays should be banned from schools and treated as sick: \"love is love\". Deal with it.", false, ""},
		{"en the author's banner, the crowd's hate reported", "Our banner at the rally read \"Trans rights are human rights\" — the crowd shouted that trans people are sick and must be banned.", false, ""},
		// twins
		{"twin ru: the same without quotes", "Хватит писать, что геев надо лечить и гнать из школ. Повторю ещё раз: гомофобия — это не мнение.", false, ""},
		{"twin en: the same without quotes", "To everyone saying gays should be banned from schools and treated as sick: love is love. Deal with it.", false, ""},
		{"twin ru: the counter word quoted to mock it", "Гей-парад? Пидорам место в тюрьме. Это называют \"гомофобией\", ну и пусть.", true, ""},
	})
}

// Problem 3 (8c5c8b0 with normalize.go quoteKind): the Russian low-high quotes „…“
// close with U+201C, which quoteKind reads as another opening quote, so "quoted" stays
// set to the end of the post. Before, that only discounted frame evidence. Now every
// counter and report cue after a „…“ pair, in the author's own words, stops guarding.
// Counter-speech that quotes a homophobe with „…“ is flagged. The «…» and "…" twins
// are fine.
func TestReview31LowHighQuotes(t *testing.T) {
	r31Run(t, []r31Case{
		{"ru counter after „…“", "Геев надо лечить, гнать из школ? Так считает наш депутат: „это отклонение“. Это гомофобия и ложь.", false, ""},
		{"en counter after „…“", "Gays should be banned from schools — that's what „concerned parents“ keep writing. That is homophobia, report them.", false, ""},
		{"twin en: the same with straight quotes", "Gays should be banned from schools — that's what \"concerned parents\" keep writing. That is homophobia, report them.", false, ""},
		{"twin ru: the same with «…»", "Геев надо лечить и гнать из школ — так пишут в комментах, «защищая семью». Это гомофобия и травля.", false, ""},
	})
	rules, _ := testClassifiers(t)
	for _, text := range []string{
		"Депутат назвал геев „больными“. Это гомофобия и ложь, хватит травли.", // finding
		"Депутат назвал геев «больными». Это гомофобия и ложь, хватит травли.", // twin
	} {
		if r := rules.ClassifyText(text); !slices.Contains(r.Guards, GuardCounter) {
			t.Errorf("%q: the author's own counter cue after the quote does not guard (guards %v)", text, r.Guards)
		}
	}
}

// Problem 4 (c634a7b, guards.tsv negation ky/uz with "after"): a person-ending copula
// (эмесмин, эмессиң, emasman) negates the participle right before it, not a cue two
// words earlier. "I never doubted that gays are sick" and "I am not ashamed of hating
// gays" assert the cue. With postNegWindow = 2 they are now read as negation. These
// posts were flagged before c634a7b and are missed now.
func TestReview31PersonNegationScope(t *testing.T) {
	r31Run(t, []r31Case{
		{"ky never doubted they are sick", "Гейлер оорулуу экенинен шектенген эмесмин.", true, ""},
		{"uz never doubted they are sick", "Geylar kasal ekanidan shubhalangan emasman.", true, ""},
		{"ky not ashamed of hating gays", "Гейлерди жек көргөнүм үчүн уялган эмесмин.", true, ""},
		{"ky you are not alone in hating gays", "Гейлерди жек көрүүдө жалгыз эмессиң.", true, ""},
		// twins: the negation the change was made for, and a "but" clause
		{"twin ky: you did not say they are sick", "Сен гейлерди оорулуу деп айткан эмессиң, билем.", false, ""},
		{"twin uz: we did not say they are sick", "Biz geylarni kasal deb aytgan emasmiz, so'zimizni buzmang.", false, ""},
		{"twin ky: not a homophobe, but", "Мен гомофоб эмесмин, бирок гейлер оорулуу.", true, ""},
	})
}

// Problem 5 (8c5c8b0, guards.tsv report ky/uz): with деген/degan out of the reporting
// guard, real reported speech ("my neighbour said that ...", "the teacher said in class
// that ...") counts as the author's own words. The guideline says news ("reports or
// quotes homophobic speech ... without endorsing them"), or counter when the author
// disagrees. These were not flagged before and are flagged now.
func TestReview31ReportedDegen(t *testing.T) {
	r31Run(t, []r31Case{
		{"ky neighbour said, I disagree", "Кошунам гейлер оорулуу, аларды айдаш керек деген, мен ага макул эмесмин.", false, ""},
		{"uz neighbour said, I disagree", "Qo'shnim geylar kasal, ularni haydash kerak degan, men bunga qo'shilmayman.", false, ""},
		{"ky the teacher said in class", "Мугалим сабакта гейлер оорулуу, аларды өлкөдөн айдаш керек деген, балдар таң калышты.", false, ""},
		{"uz the teacher said in class", "O'qituvchi darsda geylar kasal, ularni yurtdan haydash kerak degan, bolalar hayron qolishdi.", false, ""},
		// twins
		{"twin ky: reported and called homophobia", "Депутат гейлерди оорулуу, аларды өлкөдөн айдаш керек деген. Бул гомофобия.", false, ""},
		{"twin uz: reported and called homophobia", "Deputat geylar kasal, ularni haydash kerak degan. Bu gomofobiya.", false, ""},
		{"twin ky: деген as 'so-called', the reason it left the guard", "ЛГБТ деген бир оору, аларды айылдан кууп чыгуу керек.", true, ""},
		{"twin uz: degan as 'so-called'", "Gey degan kasallar yurtdan haydalsin.", true, ""},
	})
}

// Problem 6 (8c5c8b0, guards.tsv counter ky/uz): taking out bare nafrat/нафрат/жек
// коруу also took out the "stop this hatred" of counter-speech. Only "жек корууну" and
// "nafrat tili" are left. Posts that report threats against gay people and call to
// stop the hatred are flagged now. They were not flagged before.
func TestReview31StopTheHatred(t *testing.T) {
	r31Run(t, []r31Case{
		{"uz comments reported, stop the hatred", "Geylarni o'ldirish kerak degan izohlar ko'paydi. Nafratni to'xtating, ular ham inson.", false, ""},
		{"ky attack reported, stop this hatred", "Бишкекте гей жигитти сабап, өлтүрөбүз деп коркутушту. Бул нафратты токтоткула!", false, ""},
		{"ky comments reported, let the hatred stop", "Гейлерди өлтүрүш керек деген комментарийлер көбөйдү. Жек көрүү токтосун, алар да адам.", false, ""},
		// twins
		{"twin ky: accusative form still guards", "Гейлерди өлтүрүш керек деген комментарийлер көбөйдү. Мындай жек көрүүнү токтоткула.", false, ""},
		{"twin uz: own hatred stays hate", "Geylar yurtdan haydalsin, ularga nafratim cheksiz.", true, ""},
	})
}

// Problem 7 (8c5c8b0, targets.tsv slurs): new slur entries match ordinary words. With no
// target near them they are flagged as hate or labelled. The guideline (2, step 1) says
// ordinary: homophobic false, labels empty. "troon" is also Troon, a Scottish town
// and golf course. "degeneracy" is a term of physics and genetics. "педрил*" matches
// Педрилло (Pedrillo, the opera character and the court jester).
func TestReview31SlurLookalikes(t *testing.T) {
	_, full := testClassifiers(t)
	for _, tc := range []struct {
		text  string
		clean bool // true: homophobic false and no labels; false: homophobic true
	}{
		{"Played 18 holes at Troon yesterday, the wind off the sea was brutal.", true},
		{"The Open returns to Royal Troon next summer, tickets are already sold out.", true},
		{"The degeneracy of the genetic code means several codons encode the same amino acid.", true},
		{"In quantum mechanics, degeneracy means two states share the same energy level.", true},
		{"Вчера в опере давали «Похищение из сераля», Педрилло пел лучше всех.", true},
		// twins: the slur aimed at LGBT people
		{"Another pride parade downtown. Troons should be banned from schools.", false},
		{"Гей-парад? Педрилам место в тюрьме.", false},
		{"Билет стоит 40€, едем в субботу.", true},
	} {
		r := full.ClassifyText(tc.text)
		if tc.clean && (r.Homophobic || len(r.LabelList) > 0) {
			t.Errorf("%q: ordinary post flagged or labelled (homophobic=%v, score %.2f, labels %v)", tc.text, r.Homophobic, r.Prob, r.LabelList)
		}
		if !tc.clean && !r.Homophobic {
			t.Errorf("%q: not flagged (score %.2f, labels %v)", tc.text, r.Prob, r.LabelList)
		}
	}
}

// Problem 8 (8c5c8b0, targets.tsv slur uz bachaboz*): in Uzbek "bachaboz" and
// "bachabozlik" name men who rape boys, and the custom of bacha bazi. Crime news about a
// child rapist is not about LGBT people (guideline step 1: target other). Making the word
// a slur that names LGBT people flags that news. Only the Uzbek-Cyrillic item and the
// one without a court word are flagged ("sud" guards the Latin one). So this is a
// flaw in the list, not a bad word.
func TestReview31Bachaboz(t *testing.T) {
	r31Run(t, []r31Case{
		{"uz-cyr a child rapist jailed", "Бачабоз 12 ёшли болани зўрлагани учун 15 йилга қамалди.", false, ""},
		{"uz the custom of bacha bazi condemned", "Afg'onistonda bachabozlik odati hali ham bor, bolalar zo'rlanmoqda, bu jinoyatni to'xtatish kerak.", false, ""},
		// twins
		{"twin uz: court news guarded", "Surxondaryoda bachaboz qo'lga olindi, u uchta o'smirni zo'rlagan, sud uni 15 yilga qamadi.", false, ""},
		{"twin uz: aimed at gay men", "Erkaklar bilan yotadigan bachabozlar yurtdan haydalsin.", true, ""},
	})
}

// Problem 9 (8c5c8b0, targets.tsv en coded targets): "pride month" is not only LGBT
// Pride Month (Disability Pride Month, in July). "alphabet mafia" is also said
// by LGBT people about themselves. Both now make any frame cue nearby into hate.
func TestReview31CodedTargets(t *testing.T) {
	r31Run(t, []r31Case{
		{"en disability pride month", "July is Disability Pride Month: ban stairs-only entrances and fire managers who ignore ramps.", false, ""},
		{"en self-post with the coded name", "I'm proudly part of the alphabet mafia and I'm sick of hiding who I am.", false, ""},
		// twins
		{"twin en: pride month, supportive", "Happy pride month! Our library has a display of queer authors, come by.", false, ""},
		{"twin en: the coded name in an attack", "The alphabet mafia wants our kids, ban them from schools.", true, ""},
	})
}

// Problem 10 (c02a5a2, targets.tsv described couples): "эркек менен эркек" and "erkak
// bilan erkak" are everyday phrases: wrestling ("man against man") and "let's talk
// man to man". "мужик с мужиком" has the same idiom in Russian, and the rule layer
// flags it (the model does not). A post that complains about a photo of two men
// kissing being censored is counter-speech, not hate. All of these are flagged now.
// (Lead, stop 31: the man-to-man phrases left the lexicon; the censorship complaint is
// flagged alike when it names "a gay couple" — a frame cue ("banned") next to a target,
// older than these commits — so TestReview31DescribedAsNamed pins that the described
// couple acts as a named one, and the complaint stays a known weakness.)
func TestReview31DescribedCouple(t *testing.T) {
	r31Run(t, []r31Case{
		{"ky wrestling, the loser chased off", "Күрөштө эркек менен эркек беттешет, жеңилгенин талаадан кууп чыгышат.", false, ""},
		{"uz let's talk man to man, or I fire you", "Keling, erkak bilan erkak gaplashaylik: qarzingni qaytar, bo'lmasa seni ishdan haydayman.", false, ""},
		{"uz wrestling, the loser chased off", "Kurashda erkak bilan erkak bellashadi, yutqazganini maydondan haydab chiqarishadi.", false, ""},
		{"ru man to man idiom (rule layer)", "Поговорили мы с соседом мужик с мужиком: ещё раз включит музыку в три ночи, выгоню из подъезда.", false, "rules"},
		// twins
		{"twin en: supportive", "Two men kissing at the wedding, and everyone cheered, so happy for them.", false, ""},
		{"twin ky: a couple attacked", "Эркек менен эркек бирге жашап жатышат, уят, аларды айылдан кууп чыгуу керек.", true, ""},
	})
}

// Problem 11 (c02a5a2, frames.tsv traditional_family "there are two genders", anchor):
// an anchor phrase is its own target, and "there are two genders" is what grammar
// and biology lessons say. The guideline labels identity denial only "when used against
// someone". These are flagged now.
func TestReview31TwoGenders(t *testing.T) {
	r31Run(t, []r31Case{
		{"en grammar", "In Spanish there are two genders for nouns, masculine and feminine; stop pretending it is hard.", false, ""},
		{"en biology", "Biology class: in this fish species there are two genders, but some fish change sex.", false, ""},
		{"ru grammar (rule layer)", "В испанском всего два пола у существительных? Нет, в испанском рода, а не пола.", false, "rules"},
		// twin: used against someone
		{"twin en: used against a trans woman", "There are two genders, and that trans activist is a man in a wig. Ban him from the women's league.", true, ""},
	})
}

// Problem 12 (8c5c8b0, slur spellings with the model's weights kept): the rule layer
// now finds "п€д0р-", "педор-", "педрил-", "пидр-". But the shipped model keeps
// 5ccf37d6's n-gram weights and never saw these spellings. A bare threat with the new
// spelling is not flagged, while the same post with the usual spelling is. The
// guideline's worked example "Все п*доры должны гореть" (a spelled-around slur and a
// threat, no other context) is hate.
func TestReview31NewSpellingsInModel(t *testing.T) {
	r31Run(t, []r31Case{
		// The lead's decision (stop 31): the shipped model keeps 5ccf37d6's weights, so
		// these two are pinned on the rule layer; the full classifier scores them 0.38
		// and 0.22 until a model trained with lexicon 2026-12-07 ships (docs/benchmarks.md).
		{"ru euro-sign spelling, the commit's own example (rule layer)", "п€д0рам не место среди живых", true, "rules"},
		{"ru пидр- spelling, bare exclusion (rule layer)", "пидрам место в тюрьме", true, "rules"},
		// twins
		{"twin ru: the usual spelling", "пидорам не место среди живых", true, ""},
		{"twin ru: the usual spelling, bare exclusion", "пидорам место в тюрьме", true, ""},
		{"twin ru: педор- spelling with a second threat", "педорам не место среди живых, пусть горят", true, ""},
		{"twin ru: the new spelling with a gay context", "Гей-парад? П€д0рам место в тюрьме.", true, ""},
	})
}

// Problem 13 (pre-existing in 5ccf37d6 as in 1ef97e9e, not caused by these commits; the
// threshold 0.41 was re-chosen and kept by 8c5c8b0): the shipped model flags one-word
// posts with no LGBT content. "ok" scores 0.44 with labels stereotype,
// dehumanisation, threat_violence and coded. The guideline: ordinary.
func TestReview31ShortPostsOutOfScope(t *testing.T) {
	r31Run(t, []r31Case{
		{"en ok", "ok", false, ""},
		{"twin ru: thanks", "спасибо", false, ""},
	})
}

// TestReview31DescribedAsNamed (lead, stop 31): a couple described by the new target
// phrases gets the verdict the same post gets when it names a gay couple.
func TestReview31DescribedAsNamed(t *testing.T) {
	_, full := testClassifiers(t)
	for _, pair := range [][2]string{
		{"A photo of two men kissing got my account banned on Facebook, this censorship is absurd.",
			"A photo of a gay couple kissing got my account banned on Facebook, this censorship is absurd."},
		{"Seeing two men kissing on the bus is disgusting, ban this filth",
			"Seeing a gay couple on the bus is disgusting, ban this filth"},
	} {
		a, b := full.ClassifyText(pair[0]), full.ClassifyText(pair[1])
		if a.Homophobic != b.Homophobic {
			t.Errorf("%q: %v (%.2f), but %q: %v (%.2f)", pair[0], a.Homophobic, a.Prob, pair[1], b.Homophobic, b.Prob)
		}
	}
}
