package exposure

import (
	"testing"
)

// issue15Kinds are the kinds of issue 15 (the kinds of the independent corpora); the
// first seven are positives that also need a negative of the same shape in each language.
var issue15Kinds = []struct {
	kind     string
	positive bool
}{
	{"list", true}, {"clause_attach", true}, {"relative", true}, {"euphemism", true}, {"public_figure", true},
	{"threat", true}, {"watch_member", true}, {"neg_ad", false}, {"neg_lost_doc", false},
	{"neg_public_contact", false}, {"neg_mention", false}, {"neg_self_sogi", false}, {"neg_news", false},
}

// issue15Langs are the languages of issue 15 (mixed is ru/ky code-switching).
var issue15Langs = []string{"ru", "ky", "uz", "en", "mixed"}

// matrixWant is the expected verdict of one matrix case.
type matrixWant struct {
	exposed, outing, threat bool
	watchlist, mentions     int
}

// issue15MatrixCases holds, for every kind and language of issue 15, a positive and a
// negative of the same shape (or the negatives of the negative kinds). All sentences,
// names and numbers are invented for these tests; none is a post of an evaluation corpus.
// The members are those of issue15YAML.
var issue15MatrixCases = []struct {
	kind, lang, text string
	want             matrixWant
}{
	{"list", "ru", "Запоминайте лица, это лесбиянки из нашего общежития:\n— Орозбаева Динара, 3 курс\n— Мамытова Элиза, 2 курс", matrixWant{true, true, false, 0, 0}},
	{"list", "ru", "Победители турнира по шахматам:\n1) Орозбаев Данияр\n2) Мамытов Эльдар", matrixWant{}},
	{"list", "ky", "Ноокаттагы гейлер:\n1. Турдубаев Азамат, 0709 118 342\n2. Эсенгулов Мирлан, 1994", matrixWant{true, true, false, 0, 0}},
	{"list", "ky", "Олимпиаданын жеңүүчүлөрү:\n1. Турдубаев Азамат, 9-класс\n2. Эсенгулов Мирлан, 10-класс", matrixWant{}},
	{"list", "uz", "Bular hammasi lesbiyanka:\n- Yusupova Dilnoza, Chilonzor\n- Rahmonova Feruza, Yunusobod", matrixWant{true, true, false, 0, 0}},
	{"list", "uz", "Tanlov g'oliblari:\n- Yusupova Dilnoza, 7-maktab\n- Rahmonova Feruza, 21-maktab", matrixWant{}},
	{"list", "en", "The trans people working at the market:\n1. Bakyt Omurzakov, stall 14\n2. Temir Sultanov, stall 22", matrixWant{true, true, false, 0, 0}},
	{"list", "en", "Volunteers for Saturday's cleanup:\n1. Bakyt Omurzakov\n2. Temir Sultanov", matrixWant{}},
	{"list", "mixed", "Вот список, баары ЛГБТ:\n1) Абдыраев Чынгыз, Кант\n2) Осмоналиев Нурсултан, Токмок", matrixWant{true, true, false, 0, 0}},
	{"list", "mixed", "Сборная по футболу, тизме:\n1) Абдыраев Чынгыз\n2) Осмоналиев Нурсултан", matrixWant{}},

	{"clause_attach", "ru", "Помните Жылдыза Касымбекова из 5-й школы? Так вот, он гей.", matrixWant{true, true, false, 0, 0}},
	{"clause_attach", "ru", "Жылдыз Касымбеков выступил на митинге против закона о ЛГБТ.", matrixWant{}},
	{"clause_attach", "ky", "Бул жигит Нурдин Абакиров, гей деп угуп калдым", matrixWant{true, true, false, 0, 0}},
	{"clause_attach", "ky", "Нурдин Абакиров гейлердин укуктары тууралуу макала жазды", matrixWant{}},
	{"clause_attach", "uz", "Sardor Umarovni bilasizmi? U gey, hammaga ayting", matrixWant{true, true, false, 0, 0}},
	{"clause_attach", "uz", "Sardor Umarov LGBT huquqlari haqida maqola yozdi", matrixWant{}},
	{"clause_attach", "en", "That guy Daniyar Abdyldaev from the gym — he's gay, btw", matrixWant{true, true, false, 0, 0}},
	{"clause_attach", "en", "Daniyar Abdyldaev wrote a report on LGBT rights in the region", matrixWant{}},
	{"clause_attach", "mixed", "Этот Азамат Токтогулов, ал гей экен, все знают", matrixWant{true, true, false, 0, 0}},
	{"clause_attach", "mixed", "Азамат Токтогулов ЛГБТ укуктары боюнча семинар өткөрдү", matrixWant{}},

	{"relative", "ru", "Дочь Бакытбека Исаева учится в 64-й школе, 7 «Б» класс, забирают в 13:00", matrixWant{true, false, false, 0, 0}},
	{"relative", "ru", "Бакытбек Исаев поздравил дочь с окончанием школы", matrixWant{}},
	{"relative", "ky", "Айбек Жунушовдун кызы лесбиянка экен, баары билсин", matrixWant{true, true, false, 0, 0}},
	{"relative", "ky", "Айбек Жунушовдун кызы олимпиадада жеңип чыкты, куттуктайбыз", matrixWant{}},
	{"relative", "uz", "Rustam Aliyevning o'g'li gey, Chilonzordagi sartaroshxonada ishlaydi", matrixWant{true, true, false, 0, 0}},
	{"relative", "uz", "Rustam Aliyevning o'g'li universitetni a'lo baholarga tamomladi", matrixWant{}},
	{"relative", "en", "Nurlan Toktomushev's wife works at the pharmacy on Ibraimov street, leaves at 6 every day", matrixWant{true, false, false, 0, 0}},
	{"relative", "en", "Nurlan Toktomushev's wife opened a bakery last year, congratulations", matrixWant{}},
	{"relative", "mixed", "Эрмек Садыровдун уулу гей экен, работает в кафе на Исанова", matrixWant{true, true, false, 0, 0}},
	{"relative", "mixed", "Эрмек Садыровдун уулу спорт боюнча чемпион болду, молодец", matrixWant{}},

	{"euphemism", "ru", "Тимур Абдыкеримов — голубой, это все в районе знают", matrixWant{true, true, false, 0, 0}},
	{"euphemism", "ru", "Тимур Абдыкеримов покрасил забор в голубой цвет", matrixWant{}},
	{"euphemism", "ky", "Бекжан Саматов ошолордон, түшүнгөн түшүндү", matrixWant{true, true, false, 0, 0}},
	{"euphemism", "ky", "Бекжан Саматов көк түстөгү машина сатып алды", matrixWant{}},
	{"euphemism", "uz", "Jahongir Tursunov o'shalardan, bilganlar biladi", matrixWant{true, true, false, 0, 0}},
	{"euphemism", "uz", "Jahongir Tursunov ko'k rangli mashina sotib oldi", matrixWant{}},
	{"euphemism", "en", "Kanat Dzhumabaev is a friend of Dorothy, if you know what I mean", matrixWant{true, true, false, 0, 0}},
	{"euphemism", "en", "Kanat Dzhumabaev is a friend of the family and a great neighbour", matrixWant{}},
	{"euphemism", "mixed", "Самат Бекболотов из этих, баары билет", matrixWant{true, true, false, 0, 0}},
	{"euphemism", "mixed", "Самат Бекболотов из этих мест, Таластан келген", matrixWant{}},

	{"public_figure", "ru", "Министр Кубанычбек Асылбеков, говорят, гей", matrixWant{true, true, false, 0, 0}},
	{"public_figure", "ru", "Министр Кубанычбек Асылбеков провёл пресс-конференцию, приёмная: 0312 62 00 00", matrixWant{}},
	{"public_figure", "ky", "Депутат Нурбек Абылкасымов гей экен деп айтып жатышат", matrixWant{true, true, false, 0, 0}},
	{"public_figure", "ky", "Депутат Нурбек Абылкасымов ЛГБТ пропагандасына каршы мыйзам долбоорун сунуштады", matrixWant{}},
	{"public_figure", "uz", "Hokim Anvar Qodirov gey ekan, hamma shuni gapiryapti", matrixWant{true, true, false, 0, 0}},
	{"public_figure", "uz", "Hokim Anvar Qodirov yangi maktab ochdi", matrixWant{}},
	{"public_figure", "en", "Rumour has it MP Almaz Bekov is gay and lives with his 'assistant'", matrixWant{true, true, false, 0, 0}},
	{"public_figure", "en", "MP Almaz Bekov voted for the bill; his office line is 0312 66 11 22", matrixWant{}},
	{"public_figure", "mixed", "Аким Талант Жээнбеков гей экен, все знают", matrixWant{true, true, false, 0, 0}},
	{"public_figure", "mixed", "Аким Талант Жээнбеков открыл новую школу, баары кубанычта", matrixWant{}},

	{"threat", "ru", "Асель Мурзакулова, мы знаем где ты живешь, скоро выложим адрес", matrixWant{false, false, true, 0, 0}},
	{"threat", "ru", "Асель Мурзакулова, скоро выложим фото с праздника", matrixWant{}},
	{"threat", "ky", "Азиз Бакиров, сенин дарегиңди жарыялайбыз, күтө тур", matrixWant{false, false, true, 0, 0}},
	{"threat", "ky", "Азиз Бакиров, сүрөттөрдү эртең жарыялайбыз, рахмат", matrixWant{}},
	{"threat", "uz", "Dilshod Karimov, manzilingni hammaga tarqatamiz", matrixWant{false, false, true, 0, 0}},
	{"threat", "uz", "Dilshod Karimov, tadbir rasmlarini ertaga tarqatamiz", matrixWant{}},
	{"threat", "en", "Ainura Kasymova, we know where you work. Your address is next", matrixWant{false, false, true, 0, 0}},
	{"threat", "en", "Ainura Kasymova, we will publish your article next week", matrixWant{}},
	{"threat", "mixed", "Нурлан Эсенов, сенин адресиңди скоро выложим", matrixWant{false, false, true, 0, 0}},
	{"threat", "mixed", "Нурлан Эсенов, сенин макалаңды скоро выложим на сайт", matrixWant{}},

	{"watch_member", "ru", "Гулнара Абдраимова лесбиянка, передайте всем", matrixWant{true, true, false, 1, 0}},
	{"watch_member", "ru", "Гулнара Абдраимова провела тренинг для журналистов", matrixWant{false, false, false, 0, 1}},
	{"watch_member", "ky", "Шерзод Турсуновдун телефону +998 90 123 45 67, чалып коркуткула", matrixWant{true, false, false, 1, 0}},
	{"watch_member", "ky", "Шерзод Турсунов конференцияда сүйлөдү", matrixWant{false, false, false, 0, 1}},
	{"watch_member", "uz", "Kerimbek Osmonov gey, uning manzili Yunusobod 5-kvartal 12-uy", matrixWant{true, true, false, 1, 0}},
	{"watch_member", "uz", "Kerimbek Osmonov yangi loyiha haqida gapirdi", matrixWant{false, false, false, 0, 1}},
	{"watch_member", "en", "Gulnara Abdraimova's number is +996 555 901 234, send her your regards", matrixWant{true, false, false, 1, 0}},
	{"watch_member", "en", "Gulnara Abdraimova gave a great talk at the forum", matrixWant{false, false, false, 0, 1}},
	{"watch_member", "mixed", "Керимбек Осмонов гей экен, все знают", matrixWant{true, true, false, 1, 0}},
	{"watch_member", "mixed", "Керимбек Осмонов выступил на форуме, жакшы сүйлөдү", matrixWant{false, false, false, 0, 1}},

	{"neg_ad", "ru", "Сдаю квартиру в Джале, 2 комнаты, 25000 сом. Звоните 0700 556 677", matrixWant{}},
	{"neg_ad", "ky", "Торт заказ алам, баасы 1500 сомдон. Чалыңыз 0555 778 899, Айзада", matrixWant{}},
	{"neg_ad", "uz", "Uy sotaman, Sergeli, 3 xona, narxi 45000$. Tel: +998 93 456 78 90", matrixWant{}},
	{"neg_ad", "en", "Selling my iPhone 12, 300$, barely used. Text me at 0707 112 233", matrixWant{}},
	{"neg_ad", "mixed", "Продаю бешик, жаңы, 3000 сом. Чалыңыз 0777 223 344", matrixWant{}},

	{"neg_lost_doc", "ru", "Потерял водительское удостоверение на имя Сапаров Улан, просьба вернуть за вознаграждение, 0700 998 877", matrixWant{}},
	{"neg_lost_doc", "ky", "Айдоочулук күбөлүгүмдү жоготуп алдым, Сапаров Улан деген. Тапкан адам 0700 998 877 чалсын, сүйүнчү берем", matrixWant{}},
	{"neg_lost_doc", "uz", "Pasportimni yo'qotdim, Karimov Aziz nomida, AB 1234567. Topganlar +998 90 111 22 33 ga qo'ng'iroq qiling", matrixWant{}},
	{"neg_lost_doc", "en", "Lost my wallet with my ID card at Dordoi, name Ulan Saparov. Reward, call 0700 998 877", matrixWant{}},
	{"neg_lost_doc", "mixed", "Потеряла студенческий, Айпери Маматова деген, тапкандар звоните 0555 443 322", matrixWant{}},

	{"neg_public_contact", "ru", "Юрист Бакыт Осмонова бесплатно консультирует по трудовым спорам: 0555 101 202, по будням", matrixWant{}},
	{"neg_public_contact", "ky", "Укук коргоочу Азамат Исаков менен байланыш: azamat@example.org, 0700 303 404", matrixWant{}},
	{"neg_public_contact", "uz", "Jurnalist Nodira Yusupova bilan bog'lanish: @nodira_news, nodira@example.org", matrixWant{}},
	{"neg_public_contact", "en", "Our hotline for victims of violence: 0800 555 555, lawyer Aida Bekova answers on weekdays", matrixWant{}},
	{"neg_public_contact", "mixed", "Журналист Эльмира Токтосунова ждет ваши истории, телеграм @elmira_kg, жазгыла", matrixWant{}},

	{"neg_mention", "ru", "Спасибо Шерзоду Турсунову за помощь с документами!", matrixWant{false, false, false, 0, 1}},
	{"neg_mention", "ky", "Гулнара Абдраимова жөнүндө макала чыкты, окугула", matrixWant{false, false, false, 0, 1}},
	{"neg_mention", "uz", "Gulnara Abdraimova intervyu berdi, juda qiziq", matrixWant{false, false, false, 0, 1}},
	{"neg_mention", "en", "Quote of the day from Kerimbek Osmonov: 'rights are for everyone'", matrixWant{false, false, false, 0, 1}},
	{"neg_mention", "mixed", "Шерзод Турсунов айтты: закон должен защищать всех", matrixWant{false, false, false, 0, 1}},

	{"neg_self_sogi", "ru", "Я лесбиянка, мне 24, живу в Бишкеке и устала прятаться", matrixWant{}},
	{"neg_self_sogi", "ky", "Мен лесбиянкамын, муну жашырбайм. Айгерим", matrixWant{}},
	{"neg_self_sogi", "uz", "Men trans ayolman va bu mening hayotim", matrixWant{}},
	{"neg_self_sogi", "en", "I'm a trans man from Osh. My name is Daniyar Toktorov and I'm done hiding", matrixWant{}},
	{"neg_self_sogi", "mixed", "Да, я гей, мен ушундаймын, и это нормально", matrixWant{}},

	{"neg_news", "ru", "Суд в Бишкеке оштрафовал СМИ за «ЛГБТ-пропаганду»", matrixWant{}},
	{"neg_news", "ky", "Бишкекте ЛГБТ жамаатына каршы кол салуулар көбөйдү, деп билдирди уюм", matrixWant{}},
	{"neg_news", "uz", "O'zbekistonda gomoseksualizm uchun jinoiy javobgarlik saqlanib qolmoqda", matrixWant{}},
	{"neg_news", "en", "Parliament passed the 'foreign representatives' law; LGBT groups warn of closures", matrixWant{}},
	{"neg_news", "mixed", "Жогорку Кеңеш обсуждает закон о ЛГБТ, активисттер каршы чыгышты", matrixWant{}},
}

// TestIssue15MatrixCoversEveryKindAndLanguage checks the acceptance item "unit tests for
// every kind in each language, including the negatives": the matrix has a case for every
// kind and language, and a negative of the same shape for every positive kind.
func TestIssue15MatrixCoversEveryKindAndLanguage(t *testing.T) {
	type cell struct{ kind, lang string }
	pos, neg := map[cell]int{}, map[cell]int{}
	for _, tc := range issue15MatrixCases {
		c := cell{tc.kind, tc.lang}
		if tc.want.exposed || tc.want.outing || tc.want.threat || tc.want.watchlist > 0 {
			pos[c]++
		} else {
			neg[c]++
		}
	}
	for _, k := range issue15Kinds {
		for _, l := range issue15Langs {
			c := cell{k.kind, l}
			if k.positive && (pos[c] == 0 || neg[c] == 0) {
				t.Errorf("%s/%s: %d positives, %d negatives", k.kind, l, pos[c], neg[c])
			}
			if !k.positive && (neg[c] == 0 || pos[c] > 0) {
				t.Errorf("%s/%s: %d negatives, %d positives in a negative kind", k.kind, l, neg[c], pos[c])
			}
		}
	}
}

// TestIssue15Matrix runs the matrix cases.
func TestIssue15Matrix(t *testing.T) {
	cases := make([]verdictCase, 0, len(issue15MatrixCases))
	for _, tc := range issue15MatrixCases {
		cases = append(cases, verdictCase{tc.kind + "/" + tc.lang, tc.text, tc.want})
	}
	checkVerdicts(t, cases)
}

// TestIssue15Paradigms covers mechanisms generalised over a whole paradigm rather than
// one phrase: Uzbek possessive predicates on SOGI words, "doesn't like <gender>" in every
// language, Latin surnames in case forms opening a sentence, pointing euphemisms used as
// determiners, plurals of persons as list headers, and official data of a public
// official. The sentences are invented here.
func TestIssue15Paradigms(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"uz possessive predicate", "Bu raqam geyniki: +998 90 555 44 33", matrixWant{true, true, false, 0, 0}},
		{"uz cyrillic possessive predicate", "Бу рақам гейники, +998 93 555 44 33", matrixWant{true, true, false, 0, 0}},
		{"ky doesn't like men", "Эльмира Жусупова эркектерди жактырбайт, ошол үчүн турмушка чыккан жок", matrixWant{true, true, false, 0, 0}},
		{"uz doesn't like women", "Sherali Qosimov ayollarni yoqtirmaydi, tushungan tushundi", matrixWant{true, true, false, 0, 0}},
		{"ru not interested in women", "Марат Исаев не интересуется женщинами, это давно ясно", matrixWant{true, true, false, 0, 0}},
		{"en not into women", "Aidana Sultanova is not into men, just saying", matrixWant{true, true, false, 0, 0}},
		{"en idiom", "Arstan Ismailov swings the other way, saw him at that bar", matrixWant{true, true, false, 0, 0}},
		{"uz latin genitive surname opens sentence", "Karimovning qizi lesbiyanka ekan, onasi bilmaydi", matrixWant{true, true, false, 0, 0}},
		{"uz latin surname negative", "Karimovning qizi olimpiadada g'olib bo'ldi", matrixWant{}},
		{"ru determiner negative", "Самат Бекболотов из этих мест, вырос в Таласе", matrixWant{}},
		{"ru pointing euphemism with particle", "Самат Бекболотов из этих же, все знают", matrixWant{true, true, false, 0, 0}},
		{"en trans people header", "The trans people working at the market:\n1. Bakyt Omurzakov, stall 14\n2. Temir Sultanov, stall 22", matrixWant{true, true, false, 0, 0}},
		{"ky lgbt people header", "ЛГБТ адамдар, Каракол:\n- Турдубаев Азамат, 1994\n- Эсенгулов Мирлан, 1996", matrixWant{true, true, false, 0, 0}},
		{"en trans people topic negative", "Bakyt Omurzakov wrote about trans people and the new law", matrixWant{}},
		{"en official office line negative", "MP Almaz Bekov voted for the bill; his office line is 0312 66 11 22", matrixWant{}},
		{"ru quoted organisation name negative", "Юридическая клиника «Адилет» принимает по будням, юрист Айдана Мамытова, 0312 61 61 61", matrixWant{}},
		{"en quoted business name negative", "Lunch at cafe \"Aida\" with Bakyt Omurzakov, great plov", matrixWant{}},
		{"ru quoted chosen name", "Эта «Алина» на самом деле Алексей Петров, работает в салоне на Московской", matrixWant{true, true, false, 0, 0}},
		{"en we've got your", "Nurlan Bekov, we've got your home address and your mom's number. Keep posting and see", matrixWant{false, false, true, 0, 0}},
		{"ru same-sex partner by pronoun", "Оказывается у Тимура Абдыкеримова (он в банке работает) парень есть", matrixWant{true, true, false, 0, 0}},
		{"en same-sex partner by surname", "Singer Aigerim Toktorova has a girlfriend in Almaty, everyone in the band knows", matrixWant{true, true, false, 0, 0}},
		{"en other-sex partner negative", "Асель Маматова has a boyfriend in Almaty, they are getting married", matrixWant{}},
		{"ru other-sex partner negative", "Бакыт Осмонов со своей девушкой открыл кафе", matrixWant{}},
		{"ru her boyfriend negative", "Айгуль Касымова и её парень поженились в субботу, поздравляем!", matrixWant{}},
		{"ru claims in their own clauses", "Абдраимова Гулнара и Осмонов Керимбек из одной тусовки. Керимбек гей, Гулнара лесби", matrixWant{true, true, false, 2, 0}},
		{"ky threat second-person data", "Сени таптык. Атың, сүрөтүң, иштеген жериң эртең баарына таратабыз", matrixWant{false, false, true, 0, 0}},
		{"uz threat name", "Kanal adminiga: kimligingni bilib oldik, ertaga ismingni e'lon qilamiz", matrixWant{false, false, true, 0, 0}},
		{"en rainbow in the sentence", "Aibek from the bakery on Manas ave 🌈 you have been warned", matrixWant{true, true, false, 0, 0}},
		{"ru quoted companion", "Бухгалтер Айгуль Касымова живёт со своей \"соседкой\" уже 8 лет", matrixWant{true, true, false, 0, 0}},
		{"ky quoted chosen name", "Ал мурун Айгерим болчу, азыр \"Арслан\" дейт, Токмокто жашайт", matrixWant{true, true, false, 0, 0}},
		{"uz watch-listed name in genitive", "Kerimbek Osmonovning maqolasini o'qing, juda to'g'ri yozgan", matrixWant{false, false, false, 0, 1}},
		{"ky lost notice latin", "pasportumdu jogottum, ID1234567, Sadykov Aibek degen. Tapkandar chalyp koigula 0700 123 456", matrixWant{}},
		{"ru same-sex dating", "Нурбек Асанов с мужиками спит, все в селе знают", matrixWant{true, true, false, 0, 0}},
		{"ky same-sex dating", "Талант Жумабеков эркектер менен жүрөт, Ошто", matrixWant{true, true, false, 0, 0}},
		{"uz same-sex dating", "Nodira Karimova qizlar bilan yuradi, hamma biladi", matrixWant{true, true, false, 0, 0}},
		{"en same-sex dating", "Everyone knows Bolot Kadyrov is into guys", matrixWant{true, true, false, 0, 0}},
		{"uz other-sex dating negative", "Bolot Kadyrov qizlar bilan yuradi, kelishgan yigit", matrixWant{}},
		{"uz same-gender team negative", "Nodira Karimova qizlar bilan voleybol o'ynaydi, jamoa sardori", matrixWant{}},
		{"en into football negative", "Bolot Kadyrov is into football and chess", matrixWant{}},
		{"ru trans flag label", "Айпери Маматова 💅🏳️‍⚧️ раньше была Айбеком", matrixWant{true, true, false, 0, 0}},
		{"ru found wallet notice negative", "Нашелся кошелек возле Ошского базара, документы на имя Бекова Улана. Пусть владелец позвонит 0555 777 888", matrixWant{}},
		{"ru official's home address", "Депутат Алмаз Беков, его домашний адрес: ул. Токтогула 12, кв 5", matrixWant{true, false, false, 0, 0}},
	})
}
