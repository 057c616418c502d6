package exposure

import (
	"regexp"
	"strings"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// --- SOGI statements ----------------------------------------------------------------

// sogiExact are whole words (ru, ky, en) that state a sexual orientation or gender
// identity, including slurs that mean the same. Short, ambiguous stems ("гей" also
// starts "гейм", "гейзер"; "транс" is also "trance") are listed as whole forms.
var sogiExact = newWordSet(
	"гей", "гея", "гею", "геем", "гее", "геи", "геев", "геям", "геями", "геях", "гейлер", "гейлерди", "гейлердин",
	"гейлерге", "гейсиң", "гейсиз", "гейби", "гейлиги", "гейлигин", "гейлигин", "гей-активист",
	"транс", "трансы", "трансом", "голубой", "голубая", "голубым", "голубого", "голубую", "голубые", "голубых",
	"gay", "gays", "trans", "queer", "dyke", "fag", "faggot", "tranny", "lgbt", "lgbtq", "lgbtqi", "lgbti", "lgbtiq",
	"lesbian", "lesbians", "bisexual", "transgender", "transsexual", "homosexual", "nonbinary", "homo",
	// Russian and Kyrgyz written in Latin letters ("gey eken", "on gei", "pidor").
	"gey", "gei", "geiler", "geyler", "lesbiyanka", "lesbianka", "lesbiianka", "pidor", "pidr", "pidar",
	"gomik", "transgendr", "gomoseksualist", "pride", "прайд", "прайда", "лезбиянка", "lezbiyanka", "геялар",
	// The clipped slur "лесба" in every case, English slur plurals (independent4 dev
	// i4-ru-0043, en-0001).
	"лесба", "лесбы", "лесбу", "лесбой", "лесбе", "лесбам", "лесбами", "лесбах",
	"dykes", "fags", "faggots", "homos", "trannies", "queers",
)

// slurPrefixes and slurWords are the SOGI words above that are slurs (also after
// slurText's folding of obfuscation: "п*дор", "f@g"): a slur thrown at a reply's
// addressee is an insult, not an outing (verdict, addresseeOnly).
var (
	slurPrefixes = []string{"пид", "пдр", "пдор", "пдар", "падор", "падар", "бачабоз", "бачабаз", "bachabo", "bachaba",
		"заднеприв", "педик", "педераст", "гомик", "гомосек", "петух", "fag", "fg", "dyke", "trann", "pidor", "pidar",
		"pdor", "pdar", "pidr", "pedik", "gomik", "shemale", "ладыбой"}
	slurWords = map[string]bool{"homo": true, "homos": true, "fggot": true, "pd": true, "пд": true}
)

// notColourNext are words after "голубой/голубые" that cannot be the coloured noun
// ("голубые нашего села", "голубые из клуба"): the word is the slur, not the colour.
var notColourNext = newWordSet("нашего", "нашей", "наши", "нашем", "наших", "вашего", "ваши", "этого", "этой",
	"этих", "эти", "из", "в", "на", "с", "со", "и", "у", "все", "всё", "тоже", "же")

// sogiStems are prefixes long enough to be unambiguous.
var sogiStems = []string{
	"лесби", "лесбух", "бисексуал", "трансгендер", "трансух", "трансвестит", "транссексуал", "гомосексуал",
	"гомосек", "гомик", "педик", "педераст", "пидор", "пидар", "пидр", "пидорас", "пидарас", "заднеприводн",
	"лгбт", "квир", "небинарн", "бачабоз", "бачабаз", "гейлер", "лезбиян", "лезби",
	"gomoseksual", "lezbi", "lesbi", "transgender", "bachaboz", "bachabaz", "geylar", "pidoras", "gomik",
}

// kySOGISuffixes are Kyrgyz and Uzbek case and plural endings after "гей"/"gey"
// ("гейдики", "гейди", "geylar"); the bare prefix would also match "гейм", "гейзер".
var kySOGISuffixes = newWordSet("ди", "дин", "дики", "ге", "ден", "де", "ко", "лер", "лерди", "лердин", "лерге",
	"лерден", "лерчи", "ча", "чи", "lar", "larni", "ni", "ning", "ga", "dan", "ler", "sin", "siz", "ман", "man",
	"miz", "мыз", "сың", "сиң", "сиз", "ка", "ныкы", "нын", "ны", "лар", "ларни", "ларнинг",
	// Uzbek possessive predicates ("bu raqam geyniki": this number is a gay's) and cases.
	"niki", "ники", "larniki", "ларники", "larga", "ларга", "lardan", "лардан", "дыкы", "тики",
	// The Kyrgyz third-person possessive ("Кызгалдактын гейи Тимур"; independent5 dev
	// i5-mixed-0031).
	"и", "ин", "ине", "инин")

// firstPersonSuffix marks Kyrgyz predicate endings of the first person ("геймин",
// "лесбиянкамын") on a SOGI word: self-disclosure.
var firstPersonSuffix = []string{"мин", "мын", "мун", "мүн", "пиз", "биз", "быз", "ман", "man", "miz", "мыз"}

// sogiWord reports whether a lower-cased word states a SOGI and whether the word itself
// is in the first person.
func sogiWord(w string) (sogi, first bool) {
	if strings.HasPrefix(w, "педикюр") { // pedicure, not "педик" (independent4 dev i4-ru-0054)
		return false, false
	}
	if sogiExact[w] {
		return true, false
	}
	if w == "геймин" || w == "геймын" || w == "геймиз" {
		return true, true
	}
	for _, g := range []string{"гей", "гея", "gey", "gay"} {
		if strings.HasPrefix(w, g) && kySOGISuffixes[w[len(g):]] {
			for _, s := range firstPersonSuffix {
				if strings.HasSuffix(w, s) {
					return true, true
				}
			}
			return true, false
		}
	}
	if sogiStemIndex.has(w) {
		for _, s := range firstPersonSuffix {
			if strings.HasSuffix(w, s) && !strings.HasPrefix(w, "лгбт") {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}

// sogiGeneric are words that, right after a SOGI word, make it a topic or a group
// ("ЛГБТ-пропаганда", "гей-парад", "gay rights"), not a claim about a person.
var sogiGeneric = []string{"пропаганд", "сообществ", "движен", "парад", "прав", "брак", "людей", "люди",
	"персон", "тематик", "повестк", "community", "rights", "propaganda", "pride", "parade", "marriage", "people",
	"agenda", "закон", "law", "организац", "ngo", "нко", "идеолог", "ideology", "культур", "lobby", "лобби",
	"клуб", "бар", "club", "bar", "жамаат", "коомчулу", "укуктар", "укугу", "групп", "group", "фильм", "film",
	"контент", "content", "пар", "couple", "семь", "family", "ассоциац", "центр", "center", "centre",
	"инициатив", "пропагандасы", "ценност", "values", "ориентац", "orientation", "identity", "идентичност",
	"активистов", "activists", "сообщество", "мыйзам", "тема"}

// peopleNouns are plural nouns for persons: after a SOGI word ("trans people", "ЛГБТ
// адамдар") they make a group.
var peopleNouns = newWordSet("people", "persons", "люди", "людей", "адамдар", "адамдарды", "адамдардын", "odamlar",
	"odamlarni", "одамлар", "персоны")

// sogiVenues are the generic words that name a place ("гей-клуб", "гей-сауна").
var sogiVenues = []string{"клуб", "бар", "саун", "club", "bar", "sauna"}

// sogiPluralStems are plural forms of SOGI words (ru, ky): about a group unless a list
// header carries them.
var sogiPluralStems = []string{"лесбиянки", "лесбиянок", "лесбиянкалар", "педики", "педиков", "пидоры", "пидоров",
	"пидорасы", "пидорасов", "гомики", "гомиков", "трансгендеры", "трансгендеров", "трансгендерлер", "геилер",
	"лесбилер", "бисексуалы", "lesbiyankalar", "lesbians", "faggots", "queers", "геялар", "geylar", "прайд",
	"pride", "лесбы", "лесбам", "лесбами", "лесбах", "dykes", "fags", "homos", "trannies"}

// personNouns are nouns for a person that can carry a bare "ЛГБТ" as their predicate.
var personNouns = newWordSet("жигит", "кыз", "бала", "адам", "киши", "парень", "девушка", "человек", "мужик",
	"баба", "тип", "yigit", "qiz", "odam", "guy", "girl", "он", "она", "ал", "u")

// sogiGenericBefore are lower-case words right before a SOGI word that make it a topic
// ("права ЛГБТ", "пропаганда гомосексуализма", "against gay").
var sogiGenericBefore = []string{"прав", "пропаганд", "сообществ", "против", "against", "защит", "движен",
	"популяризац", "запрет", "укуктар", "темы", "тему", "тема"}

// sogiGenericBeforeWords are short words of the same role, matched whole.
var sogiGenericBeforeWords = newWordSet("про", "pro", "anti", "анти", "ban", "about", "о", "об")

// selfSOGI are words before a SOGI word that make it a self-disclosure ("я гей", "I am
// gay", "мен геймин", "as a queer woman").
var selfSOGI = newWordSet("я", "i", "i'm", "im", "am", "мен", "мы", "we", "we're", "биз", "as", "being", "men", "biz")

// pronouns point back at the last person mentioned ("Он гей", "She is a lesbian").
var pronouns = newWordSet("он", "она", "ал", "he", "she", "he's", "she's", "u", "его", "её", "ее", "анын", "him", "her", "этот", "эта",
	"этого", "этой", "ушул", "тот", "та", "this", "that", "they", "они")

// --- addresses ------------------------------------------------------------------------

// addressAnchors start an address; postAnchors follow the street name (Kyrgyz "X
// көчөсү", English "X Street").
var (
	addressAnchors = newWordSet("ул", "улица", "улице", "улицу", "улицы", "проспект", "проспекте", "пр", "просп",
		"бульвар", "бульваре", "переулок", "переулке", "пер", "мкр", "мкрн", "микрорайон", "микрорайоне",
		"кичирайон", "кичирайону", "жилмассив", "жилмассиве", "дом", "д", "кв", "квартира", "квартире", "кв-ра",
		"үй", "үйүң", "үйү", "уйи", "uyi", "батир", "батири", "apt", "apartment", "flat", "house", "адрес", "адресу", "дареги", "address")
	postAnchors = newWordSet("көчөсү", "көчөсүндө", "көчөсүнө", "көч", "street", "st", "avenue", "ave", "road",
		"rd", "проспекти", "проспектиси", "бульвары", "ko'chasi", "ko'chasida", "кўчаси", "кўчасида", "жолу", "жолунда")
	addressNumberWords = newWordSet("дом", "д", "кв", "квартира", "квартире", "үй", "батир", "apt", "flat", "корпус", "блок", "подъезд", "этаж")
)

// --- vehicle plates -------------------------------------------------------------------

// Plates are rare and short, so they are looked for only when a vehicle word is in the
// post, with regular expressions that accept Cyrillic look-alike letters.
var (
	plateNew = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])((?:0[1-9])[ -]?(?:KG[ -]?)?[0-9]{3}[ -]?[A-ZАВЕКМНОРСТУХ]{2,3})(?:$|[^\p{L}\p{N}])`)
	plateOld = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])([A-ZАВЕКМНОРСТУХ][ -]?[0-9]{4}[ -]?[A-ZАВЕКМНОРСТУХ]{1,2})(?:$|[^\p{L}\p{N}])`)
)

// --- person names ---------------------------------------------------------------------

// givenNames are common given names of the region (Kyrgyz, Kazakh, Uzbek, Russian,
// English). They are not personal data; they only help tell a name from a capitalised
// word. Stored as skeleton keys of all their forms so any spelling and case matches.
var givenNameList = []string{
	"Айбек", "Азамат", "Бакыт", "Нурлан", "Эрлан", "Улан", "Тимур", "Руслан", "Данияр", "Санжар", "Бекзат",
	"Чынгыз", "Эльдар", "Марат", "Канат", "Эрмек", "Адилет", "Нурбек", "Темирлан", "Алмаз", "Жанышбек", "Мирлан",
	"Курманбек", "Өмүрбек", "Кубаныч", "Самат", "Медер", "Мирбек", "Асан", "Үсөн", "Бектур", "Жоомарт", "Нурсултан",
	"Ерлан", "Арман", "Айдар", "Талант", "Бакай", "Эркин", "Дастан", "Аман", "Бекболот", "Кайрат", "Жыргал",
	"Асель", "Айгуль", "Айгерим", "Айжан", "Айпери", "Бермет", "Гульнара", "Динара", "Жылдыз", "Назгуль", "Нургуль",
	"Чолпон", "Айзада", "Алина", "Бегимай", "Эльмира", "Жибек", "Мээрим", "Каныкей", "Акылай", "Айым",
	"Толкун", "Гулзат", "Зарема", "Салтанат", "Камила", "Аида", "Асем", "Нуриза", "Айнура", "Венера", "Элнура",
	"Алишер", "Фарход", "Шахзод", "Сардор", "Бобур", "Жасур", "Дильноза", "Нигора", "Зарина", "Малика", "Азиза",
	"Диёр", "Отабек", "Шерзод", "Улугбек", "Феруза", "Гулнора", "Мадина", "Лола", "Умид", "Рустам", "Илхом",
	"Алексей", "Андрей", "Дмитрий", "Сергей", "Иван", "Николай", "Павел", "Ольга", "Елена", "Татьяна", "Наталья",
	"Анна", "Мария", "Ирина", "Светлана", "Екатерина", "Юлия", "Евгений", "Виктор", "Михаил", "Владимир",
	"Александр", "Александра", "Анастасия", "Дарья", "Максим", "Артем", "Кирилл", "Игорь", "Олег", "Роман",
	"Вадим", "Константин", "Людмила", "Валентина", "Оксана", "Марина", "Кристина", "Виктория", "Полина", "Ксения",
	"Mary", "John", "Sarah", "David", "James", "Daniel", "Laura",
	// More frequent Kyrgyz, Kazakh, Uzbek and English given names (a vocative "Сапар, …"
	// or "Назира из фонда" is a person only when its given name is known). The first
	// line and a few others (Айкол, Алтынай, Мардон, Дилором, Шерали, Igor) are names
	// that independent3 dev posts use: the lexicon is still far from complete, and the
	// test split measures what a name missing from it costs.
	"Сапар", "Назира", "Айдана", "Нуржамал", "Сейит", "Нуржан", "Нургазы", "Бектур", "Сыймык", "Эрлан", "Азиз",
	"Айкол", "Алтынай", "Айсулуу", "Айзат", "Айназик", "Айдай", "Айжамал", "Айсалкын", "Бегайым", "Гулайым",
	"Гүлжан", "Гулмира", "Жамиля", "Жазгуль", "Жаркынай", "Жибек", "Зарина", "Зуура", "Калыйча", "Канышай",
	"Мирим", "Назима", "Насира", "Нургиза", "Перизат", "Рахат", "Роза", "Сайкал", "Санира", "Толгонай", "Урмат",
	"Чынара", "Элиза", "Элмира", "Эльнура", "Мээрим", "Аселя", "Бактыгуль", "Венера", "Гульзат", "Жылдызкан",
	"Абдыкадыр", "Азамат", "Айбар", "Алибек", "Арслан", "Арстан", "Асылбек", "Бакытбек", "Бактыбек", "Белек",
	"Болот", "Жаныбек", "Жениш", "Жолдош", "Исмаил", "Кайрат", "Канатбек", "Кубат", "Кубанычбек", "Мамат",
	"Марлен", "Медет", "Мелис", "Муратбек", "Нурдин", "Нурсултан", "Нурислам", "Омурбек", "Өмүр", "Рысбек",
	"Садыр", "Салават", "Самат", "Сүйүнбек", "Таалай", "Талгат", "Тилек", "Токтосун", "Турат", "Уланбек",
	"Усен", "Чолпонбек", "Шамиль", "Эмиль", "Эркин", "Эрмек", "Ырыс", "Икрам", "Максат", "Нурбол",
	"Жусуп", "Адилет", "Аскар", "Бекжан", "Даир", "Ерболат", "Ержан", "Жандос", "Куаныш", "Мейрам", "Серик",
	"Айдос", "Абай", "Гаухар", "Динара", "Жанар", "Жансая", "Камшат", "Мадина", "Сауле", "Айсауле", "Томирис",
	"Анвар", "Бахром", "Бекзод", "Дилшод", "Жахонгир", "Жамшид", "Жавлон", "Зафар", "Иброхим", "Камол",
	"Мардон", "Мухаммад", "Нодир", "Одил", "Равшан", "Санжар", "Сардор", "Шерали", "Шохрух", "Фаррух", "Хуршид",
	"Улугбек", "Абдулла", "Акбар", "Азамжон", "Бахтиёр", "Баходир", "Дилором", "Дилноза", "Дилфуза", "Гулнора",
	"Гулчехра", "Зулфия", "Кумуш", "Мохира", "Мунира", "Нафиса", "Нилуфар", "Нодира", "Сабина", "Севара",
	"Шахноза", "Шахло", "Умида", "Феруза", "Хилола", "Юлдуз", "Барно", "Саида", "Комила", "Лайло",
	"Igor", "Michael", "Alex", "Nick", "Kate", "Lisa", "Peter", "Helen", "Olga",
	// A third batch (round 8): frequent Kyrgyz, Uzbek, Kazakh and Russian given
	// names from general knowledge of the region's naming, not from any corpus post; words
	// that are also common nouns (Майрам "holiday", Сезим "feeling") and names one of whose
	// case forms is a frequent word of the corpora (Илья/"или", Жанна/"жаңы", Яна/"yana", Осмон/"osmon" (sky),
	// Георгий/"Georgia") are left out,
	// and so are English names: on real English comments they turned slurs thrown at
	// named people into outings (realtext dev, 11 more flags).
	"Абдырахман", "Абдыразак", "Абдыманап", "Абдижалил", "Адахан", "Айдарбек", "Айтбек", "Акылбек", "Алмазбек",
	"Алымбек", "Аманбек", "Азизбек", "Арсен", "Атабек", "Бактияр", "Барсбек", "Бейшен", "Бекмамат", "Бекназар",
	"Бектен", "Болотбек", "Дөөлөт", "Жаманкул", "Жанболот", "Жанарбек", "Жээнбек", "Замир", "Зарлык", "Илияз", "Исабек",
	"Кадыр", "Калысбек", "Кантемир", "Кенешбек", "Кыялбек", "Мамасалы", "Мурат", "Нурмухаммед", "Нурэл", "Нуржигит",
	"Нурали", "Орозбек", "Пазыл", "Райымбек", "Рамис", "Ринат", "Русланбек", "Саламат", "Самаган", "Сапарбек",
	"Сүйүнбай", "Табылды", "Таалайбек", "Талантбек", "Токтогул", "Төлөгөн", "Улукбек", "Урматбек", "Чыңгыз",
	"Шайлообек", "Шаршен", "Эрнис", "Эрмекбек", "Элдияр", "Элмурат", "Эмилбек", "Ырысбек", "Баха", "Бакыбек", "Жумабек",
	"Жаныш", "Дастанбек", "Нурсейит", "Тынар", "Акжигит", "Эрбол", "Байыш", "Кайыпбек", "Айганыш", "Айжаркын",
	"Айкөкүл", "Айчүрөк", "Асема", "Асылкан", "Бактыгүл", "Бурул", "Гүлбара", "Гүлмайрам", "Гүлнур", "Гүлсана",
	"Гүлзада", "Жаннат", "Жаңыл", "Жыпар", "Зейнеп", "Зууракан", "Калича", "Күмүш", "Назгүл", "Нургүл", "Суйкайым",
	"Таттыбүбү", "Урпиа", "Чинара", "Элеонора", "Эльвира", "Аруузат", "Бегимжан", "Бурулай", "Жазгүл", "Айдина",
	"Айтурган", "Айсезим", "Айнагүл", "Гүлнара", "Айгүл", "Абдулазиз", "Абдурахмон", "Абдурашид", "Абдусалом", "Акмал",
	"Асрор", "Аъзам", "Ботир", "Бобомурод", "Валижон", "Даврон", "Дилмурод", "Достон", "Жалолиддин", "Жўрабек", "Зокир",
	"Исломбек", "Камолиддин", "Комил", "Лазиз", "Мансур", "Мирзо", "Мухаммадали", "Мухиддин", "Нодирбек", "Нурмухаммад",
	"Одилбек", "Ойбек", "Рахмон", "Саидакбар", "Сардорбек", "Сарвар", "Сирожиддин", "Собир", "Темур", "Тохир",
	"Улуғбек", "Умиджон", "Файзулла", "Хасан", "Хусан", "Шавкат", "Шухрат", "Элёр", "Юсуф", "Абдуллох", "Аброр",
	"Асадбек", "Бекзодбек", "Жавохир", "Журабек", "Зиёд", "Исмоил", "Мирзохид", "Рахим", "Саидкарим", "Хамид",
	"Шамсиддин", "Эльдор", "Қосим", "Тўхтасин", "Дониёр", "Гавхар", "Гулбахор", "Гулжахон", "Гулноза", "Гулрух",
	"Дилафруз", "Дилбар", "Дилдора", "Дилрабо", "Дурдона", "Зилола", "Зухра", "Ирода", "Камола", "Лобар", "Мавжуда",
	"Махлиё", "Мафтуна", "Мехрибон", "Мохинур", "Муниса", "Мукаддас", "Насиба", "Нигина", "Озода", "Ойгул", "Робия",
	"Рухшона", "Сабохат", "Сайёра", "Сохиба", "Сурайё", "Фарида", "Фарангиз", "Хадича", "Холида", "Шоира", "Ёркиной",
	"Гулшан", "Муаззам", "Мухлиса", "Нозима", "Шоҳида", "Асхат", "Бауыржан", "Берик", "Дархан", "Ерасыл", "Ербол",
	"Жанибек", "Мухтар", "Олжас", "Ермек", "Даурен", "Дамир", "Ильяс", "Мейрамбек", "Нурболат", "Жасулан", "Алмат",
	"Абылай", "Асылжан", "Айнур", "Акмарал", "Ботагоз", "Жулдыз", "Индира", "Назерке", "Толганай", "Улжан",
	"Меруерт", "Айман", "Аружан", "Дильназ", "Карлыгаш", "Ляззат", "Макпал", "Молдир", "Мөлдір", "Акерке", "Райхан",
	"Шынар", "Артур", "Богдан", "Валерий", "Василий", "Виталий", "Владислав", "Вячеслав", "Глеб", "Григорий",
	"Денис", "Егор", "Леонид", "Матвей", "Никита", "Петр", "Пётр", "Родион", "Святослав", "Семен", "Семён",
	"Станислав", "Степан", "Тарас", "Федор", "Фёдор", "Юрий", "Ярослав", "Антон", "Борис", "Геннадий", "Эдуард",
	"Аркадий", "Валентин", "Алена", "Алёна", "Алиса", "Анжела", "Валерия", "Галина", "Евгения",
	"Карина", "Лариса", "Лидия", "Маргарита", "Милана", "Нина", "Регина", "Софья", "София", "Тамара", "Ульяна",
	"Эвелина", "Арина", "Варвара", "Вероника", "Диана", "Елизавета", "Лилия", "Нелли", "Таисия",
}

func buildGivenNames() map[string]bool {
	out := map[string]bool{}
	for _, n := range givenNameList {
		for _, k := range watchlist.TokenKeys(n) {
			out[k] = true
		}
	}
	return out
}

// surnameShape reports whether a lower-cased word looks like a surname or patronymic in
// any case form: Russian -ов/-ев/-ин/-ский and their endings, -ович/-овна, Kyrgyz
// -бек(ов), Latin -ov/-ova/-ev/-eva/-sky/-uulu.
func surnameShape(w string) bool {
	n := len(w)
	if n < 8 { // fewer than 4 Cyrillic letters or 8 Latin ones is too short to tell
		if !(n >= 5 && isLatinASCII(w)) {
			return false
		}
	}
	for _, suf := range []string{"ович", "евич", "овна", "евна", "ична", "ский", "ская", "цкий", "цкая", "ского",
		"ской", "скому", "ским", "скую"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	// -ов/-ев/-ин/-ын followed by at most a short case ending.
	for _, stem := range []string{"ов", "ев", "ёв", "ин", "ын"} {
		k := strings.LastIndex(w, stem)
		if k < 4 {
			continue
		}
		rest := w[k+len(stem):]
		switch rest {
		case "", "а", "у", "ым", "ом", "е", "ой", "ы", "ых", "ою", "ах",
			"го", "дун", "дин", "ду", "дон", "до", "дан", "да",
			"ага", "анын", "аны", "адан", "ада", "нинг", "анинг", "ни", "ани", "га",
			// The Kyrgyz family plural ("Абдыкеримовдордун балдары"; independent5 dev
			// i5-ky-0018).
			"дор", "дордун", "дорго", "дорду", "дер", "дердин", "дерге", "дерди":
			return true
		}
	}
	if isLatinASCII(strings.ReplaceAll(w, "'", "")) {
		w = trimUzbekCase(w)
		for _, suf := range []string{"ov", "ova", "ev", "eva", "ovich", "ovna", "evna", "sky", "skiy", "skaya", "uulu", "kyzy", "bekov", "bekova", "baev", "baeva", "ova's", "ov's"} {
			if strings.HasSuffix(w, suf) {
				return true
			}
		}
	}
	return false
}

// uzbekCaseEndings are the Uzbek (Latin) case endings a surname takes: genitive
// "Karimovning", accusative "Mirzayevni", dative "-ga", ablative "-dan", locative "-da".
var uzbekCaseEndings = []string{"ning", "ni", "ga", "dan", "da"}

// trimUzbekCase removes one Uzbek case ending from a Latin surname-shaped word, so that
// "mirzayevni" is checked as "mirzayev"; words that do not end in one come back as they
// are.
func trimUzbekCase(w string) string {
	for _, e := range uzbekCaseEndings {
		if strings.HasSuffix(w, e) && len(w) > len(e)+4 {
			return w[:len(w)-len(e)]
		}
	}
	return w
}

func isLatinASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c == '\'') {
			return false
		}
	}
	return w != ""
}

// sogiStemIndex and roleStemIndex index sogiStems and roleStems by first rune.
var (
	sogiStemIndex = newStemIndex(sogiStems)
	roleStemIndex = newStemIndex(roleStems)
)

// roleStems mark a public official named in the news ("депутат Асанов", "министр").
var roleStems = []string{"депутат", "министр", "президент", "премьер", "спикер", "мэр", "аким", "губернатор",
	"полпред", "омбудсмен", "глава", "главы", "председател", "сенатор", "судья", "судьи", "пресс-секретар",
	"вице", "посол", "прокурор", "генпрокурор", "замминистр", "советник", "руководител", "начальник",
	"чиновник", "төрага", "министри", "президенти", "депутаты", "minister", "president", "mp", "deputy",
	"mayor", "senator", "spokes", "ambassador", "chairman", "chairwoman", "governor", "judge", "official",
	"prosecutor", "advisor", "politician", "политик", "лидер", "leader", "кандидат", "candidate", "ректор",
	"директор гкнб", "мэрия", "акимиат", "жогорку", "парламент", "parliament"}

// selfIntro are words right before a name that make it the author's own ("меня зовут",
// "my name is", "менин атым").
var selfIntro = newWordSet("зовут", "атым", "is", "я", "i'm", "мен",
	// "Аты-жөнүм …", "Ismim …", "Фамилиям …" in an owner's notice (independent5 dev
	// i5-ky-0049).
	"жөнүм", "ismim", "исмим", "фамилиям", "familiyam")

// stopCapitalised are capitalised words that start sentences but are never names.
var stopCapitalised = newWordSet("вот", "это", "этот", "эта", "кто", "все", "всем", "мы", "вы", "они", "он", "она",
	"его", "ее", "её", "ал", "бул", "мына", "this", "that", "here", "the", "his", "her", "he", "she", "они",
	"срочно", "внимание", "жители", "люди", "друзья", "коллеги", "ребята", "телефон", "тел", "адрес", "номер",
	"паспорт", "пин", "инн", "иин", "лгбт", "lgbt", "кыргызстан", "бишкек", "ош", "россия", "казахстан", "москва",
	"алматы", "ташкент", "kyrgyzstan", "bishkek", "osh", "russia", "kazakhstan", "moscow", "almaty", "tashkent",
	"жогорку", "кеңеш", "кеңештин", "кенеш", "кенешa", "нко", "ngo", "осоо", "оао", "зао", "ооо", "министерство",
	"мвд", "гкнб", "гнс", "соцфонд", "минздрав", "мэрия", "правозащитники", "правозащитник", "говорят", "поздравляем",
	"видели", "пишите", "звоните", "знаете", "турнир", "слив", "личные", "нашли", "ваш", "наш", "продаю", "такси",
	"реквизиты", "баасы", "ишеним", "менин", "кто", "call", "leaked", "congratulations", "everyone", "minister")

// functionWords are frequent words that are never part of a name; the watchlist matcher
// does not hash them (a keyed hash per word is the main cost of matching).
var functionWords = newWordSet(
	"и", "в", "во", "на", "не", "что", "это", "как", "по", "но", "из", "за", "с", "со", "к", "ко", "у", "о", "об",
	"от", "до", "для", "же", "бы", "ли", "то", "все", "всё", "так", "его", "её", "ее", "он", "она", "они", "мы",
	"вы", "я", "ты", "их", "мне", "меня", "был", "была", "было", "были", "есть", "уже", "еще", "ещё", "вот",
	"там", "тут", "где", "когда", "кто", "этот", "эта", "эти", "этого", "этой", "тоже", "только", "очень", "или",
	"а", "да", "нет", "при", "под", "над", "без", "чтобы", "если", "вас", "нас", "им", "ему", "ей", "него", "нее",
	"номер", "телефон", "тел", "адрес", "ул", "кв", "дом", "г", "р", "пин", "инн", "паспорт", "гей",
	"жана", "менен", "бул", "ал", "мен", "сен", "биз", "алар", "деп", "экен", "үчүн", "да", "дагы", "бир", "эле",
	"the", "a", "an", "and", "or", "is", "are", "was", "were", "of", "to", "in", "on", "at", "for", "with", "by",
	"he", "she", "it", "they", "his", "her", "this", "that", "from", "as", "be", "has", "have", "not", "number",
	"phone", "street", "lives", "born",
)
