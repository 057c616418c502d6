package exposure

import (
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// issue15YAML is an invented watchlist for the unit cases of issue 15.
const issue15YAML = `orgs:
  - id: org-u
    members:
      - id: u-1
        names: ["Гулнара Абдраимова", "Gulnara Abdraimova"]
        phones: ["+996 555 901 234"]
      - id: u-2
        names: ["Шерзод Турсунов", "Sherzod Tursunov"]
        phones: ["+998 90 123 45 67"]
      - id: u-3
        names: ["Kerimbek Osmonov", "Керимбек Осмонов"]
`

func issue15Index(tb testing.TB) *watchlist.Index { return indexFromYAML(tb, issue15YAML) }

// indexFromYAML hashes every organisation of a plaintext watchlist with the test key.
func indexFromYAML(tb testing.TB, y string) *watchlist.Index {
	tb.Helper()
	h, err := watchlist.NewHasher([]byte(testKey))
	if err != nil {
		tb.Fatal(err)
	}
	f, err := watchlist.ParseFile(strings.NewReader(y))
	if err != nil {
		tb.Fatal(err)
	}
	var lists []*watchlist.HashedList
	for i := range f.Orgs {
		l, err := watchlist.Build(&f.Orgs[i], h)
		if err != nil {
			tb.Fatal(err)
		}
		lists = append(lists, l)
	}
	ix, err := watchlist.NewIndex(h, lists)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// TestIssue15Kinds covers every kind of issue 15 in ru, ky, uz and en, with negatives.
// The sentences are invented for these tests; they are not the evaluation corpus.
func TestIssue15Kinds(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		// Lists: numbered, dashed, tab-separated, header or footer carrying the SOGI.
		{"list/ru numbered header", "Вот они, все геи нашего района:\n1) Бекмуратов Нурлан, 1990\n2) Касымалиев Эрлан, 1988", want{true, true, false, 0, 0}},
		{"list/ky dashed header", "Бул тизмедегилердин баары лесбиянкалар:\n- Жумабаева Нуриза, Токмок\n- Абдыкадырова Айжамал, Кант", want{true, true, false, 0, 0}},
		{"list/uz rows", "Namangandagi geylar ro'yxati:\n1. Rahimov Jasur — 1995\n2. Karimov Bobur — 1999", want{true, true, false, 0, 0}},
		{"list/en tab rows footer", "from their signup sheet:\nAibek Sadykov\t1992\tOsh\nNurlan Beishenov\t1989\tOsh\nall of them gay", want{true, true, false, 0, 0}},
		{"list/ru inline after colon", "В клубе «Радуга» состоят: Маматов Улан, Сыдыкова Бегимай, Алиев Тимур — все из ЛГБТ", want{true, true, false, 0, 0}},
		{"list/ru member in list", "Список пидоров:\n1) Гулнара Абдраимова\n2) Осмонов Керимбек", want{true, true, false, 2, 0}},
		{"list/ky bare names", "Бишкектеги гейлердин тизмеси:\nАйбек Сатаров\nНурлан Бекмуратов\nЭрлан Касымалиев", want{true, true, false, 0, 0}},
		{"list/uz inline lgbt predicate", "Bu yigit LGBT: Otabek Qodirov, Sergeli, 1996", want{true, true, false, 0, 0}},
		{"list/en winners negative", "Olympiad winners:\n1. Aibek Sadykov, school 5\n2. Nurlan Beishenov, school 12", want{false, false, false, 0, 0}},
		{"list/ky speakers negative", "Конференциянын спикерлери:\n- Жумабаева Нуриза\n- Абдыкадырова Айжамал", want{false, false, false, 0, 0}},

		// Clause-level attachment: dashes, commas, сам/сама, case forms, a phone for the person.
		{"attach/ru dash", "Бекмуратов Нурлан, водитель маршрутки 110 — гей", want{true, true, false, 0, 0}},
		{"attach/ru сама из таких", "Эта Касымова с пятого этажа, сама из таких, все знают", want{true, true, false, 0, 0}},
		{"attach/ky genitive", "Сыдыкованын өзү ошондой экен, баары билет", want{true, true, false, 0, 0}},
		{"attach/ky phone stands for person", "0700 123 456 — бул номер гейдики, сак болгула", want{true, true, false, 0, 0}},
		{"attach/uz ekan", "Rahimov Jasur gey ekan, hamma biladi", want{true, true, false, 0, 0}},
		{"attach/en later sentence", "Remember Nurlan Beishenov from the bakery? Turns out he is gay.", want{true, true, false, 0, 0}},
		{"attach/ru topic negative", "Депутаты обсуждали закон о ЛГБТ-пропаганде, Бекмуратов выступил против.", want{false, false, false, 0, 0}},

		// Relatives, workplaces, schools, routes.
		{"relative/ru son", "Сын Асанбека Маматова — гей, живёт в Бишкеке", want{true, true, false, 0, 0}},
		{"relative/ky wife workplace", "Эрмек Касымовдун аялы дарыканада иштейт, ар күнү 9да чыгат. Жооп берсин", want{true, false, false, 0, 0}},
		{"relative/uz daughter school", "Zarina Karimovaning qizi 12-maktabda o'qiydi, har kuni soat 13 da chiqadi", want{true, false, false, 0, 0}},
		{"relative/en route", "Found where Aigul Sadykova lives. Her son goes to school 61 every day at 8", want{true, false, false, 0, 0}},
		{"workplace/ky neutral whereabouts negative", "Кечээ Нурлан Бекмуратов менен жолугуштук, ал Ошто жашайт, ишке барат.", want{false, false, false, 0, 0}},
		{"workplace/ru neutral news negative", "Айбек Сатаров работает в министерстве с 2019 года.", want{false, false, false, 0, 0}},

		// Euphemisms, innuendo, obfuscation, rainbow, former names.
		{"euphemism/ru из этих", "Бекмуратов Нурлан из этих, если понимаете", want{true, true, false, 0, 0}},
		{"euphemism/ru quoted friend", "Касымова Айгуль живёт с «подругой» уже десять лет", want{true, true, false, 0, 0}},
		{"euphemism/ru obfuscated", "Нурлан Бекмуратов п*дор, все знают", want{true, true, false, 0, 0}},
		{"euphemism/ky hints", "Эрлан Касымалиев 38де, үйлөнгөн жок, түнкү клубга барат. Түшүнгөн түшүндү", want{true, true, false, 0, 0}},
		{"euphemism/uz former name", "Bu \"Malika\"ning haqiqiy ismi Bobur, Rahimov Bobur", want{true, true, false, 0, 0}},
		{"euphemism/en roommate", "Nurlan Beishenov has had a \"roommate\" for ten years", want{true, true, false, 0, 0}},
		{"euphemism/en his boyfriend", "Nurlan Sadykov and his boyfriend live together on Manas ave, everyone should know", want{true, true, false, 0, 0}},
		{"euphemism/en rainbow list", "🌈 spotted at the party:\n- Aibek Sadykov\n- Nurlan Beishenov", want{true, true, false, 0, 0}},
		{"euphemism/ru homoglyph", "Эмиль Тайлаков — гeй, работает в салоне на Киевской", want{true, true, false, 0, 0}},
		{"euphemism/ru голубой sky negative", "Айбек Сатаров купил голубой автомобиль.", want{false, false, false, 0, 0}},

		// Public figures: still an outing.
		{"public/ru deputy", "Депутат Асанбек Маматов — гей, это все знают", want{true, true, false, 0, 0}},
		{"public/ky minister", "Министр Эрлан Касымалиев лесбиянка менен жашайт деп угуп калдык, ал өзү гей", want{true, true, false, 0, 0}},
		{"public/uz", "Vazir Bobur Karimov gey, hamma biladi", want{true, true, false, 0, 0}},
		{"public/en", "MP Aibek Sadykov is gay, his staff confirmed", want{true, true, false, 0, 0}},

		// Threats.
		{"threat/ru", "Бекмуратов Нурлан, мы знаем, где ты работаешь. Адрес следующим постом", want{false, false, true, 0, 0}},
		{"threat/ky member", "Гулнара Абдраимова, сенин дарегиңди жакында таратабыз", want{false, false, true, 1, 0}},
		{"threat/uz member", "Tursunov Sherzod, manzilingni hammaga tarqatamiz, kutib tur", want{false, false, true, 1, 0}},
		{"threat/en vocative member", "Osmonov, you're done. We know where you live and your address is next", want{false, false, true, 1, 0}},
		{"threat/en no data negative", "We will post the photos from the concert soon, Aibek Sadykov was great", want{false, false, false, 0, 0}},

		// Watch-listed members: exposure vs mention.
		{"member/ru phone exposed", "Вот номер Гулнары Абдраимовой: 0555 901 234", want{true, false, false, 1, 0}},
		{"member/ky mention", "Гулнара Абдраимова конференцияда сонун баяндама жасады", want{false, false, false, 0, 1}},
		{"member/uz mention", "Sherzod Tursunov yangi kitobini taqdim etdi", want{false, false, false, 0, 1}},
		{"member/en outing", "Kerimbek Osmonov is gay, everyone at work knows", want{true, true, false, 1, 0}},

		// Self-disclosure and ads: not exposures.
		{"member/uz local phone", "Tursunov Sherzod gey, uning raqami 90 123 45 67", want{true, true, false, 1, 0}},
		{"member/en possessive address", "Urgent: Gulnara Abdraimova's home address is Toktogul 100-5, share it", want{true, false, false, 1, 0}},
		{"euphemism/ru rainbow after name", "Айбек Сатаров 👉🏳️‍🌈", want{true, true, false, 0, 0}},
		{"self/ru volunteer coordinator", "Ищем волонтёров! Координатор Айгерим Сатарова, тел 0700 12 12 12", want{false, false, false, 0, 0}},
		{"self/ru ad", "Продаю Honda Fit 2012, цена 5500$. Звоните 0555 321 654, Азамат", want{false, false, false, 0, 0}},
		{"self/ky ad", "Репетитор англис тили, 5-11 класс. Чалыңыз 0700 654 321, Нуриза", want{false, false, false, 0, 0}},
		{"self/uz ad", "Nexia 3 sotaman, narxi 9000$. Qo'ng'iroq qiling +998 90 765 43 21, Jasur", want{false, false, false, 0, 0}},
		{"self/en tutor", "Math tutor, grades 5-11, 8 years of experience. Call me at 0555 123 987, Aigerim", want{false, false, false, 0, 0}},
		{"self/ky job ad", "Жумуш бар: сатуучу керек, Дордой базары. Чалыңыз 0777 65 43 21 Бакыт", want{false, false, false, 0, 0}},
		{"self/en lost passport", "Lost my passport near Osh bazaar, name Aibek Sadykov, AN 1234567. If found please call 0555 111 222", want{false, false, false, 0, 0}},
		{"doxx/ky possessed number negative for ads", "Нурлан Бекмуратовдун номери 0700 321 654, чалгыла", want{true, false, false, 0, 0}},
		{"self/ru lost passport", "Утерян паспорт на имя Сатарова Айбека, ID 1234567. Нашедшего прошу позвонить 0555 111 222", want{false, false, false, 0, 0}},
		{"self/ky lost wallet", "Капчыгымды жоготтум, ичинде паспорт, Жумабаева Нуриза деген. Табсаңар чалгыла 0700 222 333", want{false, false, false, 0, 0}},
		{"self/ru journalist contact", "Журналист Айгуль Касымова принимает истории: телеграм @aigul_news, почта aigul@example.org", want{false, false, false, 0, 0}},
		{"self/ru coming out", "Я гей, меня зовут Нурлан Бекмуратов, и мне больше нечего скрывать", want{false, false, false, 0, 0}},
		{"self/en coming out roommate", "I'm gay and my \"roommate\" of five years is my partner. Signing with my real name, Aibek Sadykov", want{false, false, false, 0, 0}},
		{"self/uz coming out", "Men geyman va buni yashirmayman. Rahimov Jasur", want{false, false, false, 0, 0}},
		{"news/ky negative", "Жогорку Кеңеш ЛГБТ пропагандасына каршы мыйзамды кабыл алды", want{false, false, false, 0, 0}},
	})
}

// TestIssue15Severity checks the severity rules of the new cases.
func TestIssue15Severity(t *testing.T) {
	ix := issue15Index(t)
	a := NewAnalyzer(func() time.Time { return testNow })
	for _, tc := range []struct {
		text string
		want Severity
	}{
		{"Гулнара Абдраимова, сенин дарегиңди жакында таратабыз", SeverityCritical},             // threat naming a member
		{"Бекмуратов Нурлан, мы знаем, где ты работаешь. Адрес следующим постом", SeverityHigh}, // threat, no member
		{"Депутат Асанбек Маматов — гей, это все знают", SeverityMedium},                        // public figure outing
		{"Бекмуратов Нурлан, водитель маршрутки 110 — гей", SeverityHigh},                       // private outing by name
		{"Бекмуратов Нурлан — гей, его номер 0555 321 987", SeverityCritical},                   // outing with an identifier
		{"Гулнара Абдраимова конференцияда сонун баяндама жасады", SeverityLow},                 // a member mentioned
	} {
		res, err := a.Analyze(tc.text, "", ix)
		if err != nil {
			t.Fatal(err)
		}
		if res.Severity != tc.want {
			t.Errorf("%q: severity %s, want %s (trace %v)", tc.text, res.Severity, tc.want, res.Trace)
		}
	}
}

// TestIndependentSplitIsFrozen pins the split rule: the same ids always land in the
// same part, and about 40% of the corpus is test.
func TestIndependentSplitIsFrozen(t *testing.T) {
	exs, err := ReadCorpus(strings.NewReader(string(independentFile("independent.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	test := 0
	for _, ex := range exs {
		if IndependentSplit(ex.ID) == "test" {
			test++
		}
		if ex.Outing && !ex.Exposed {
			t.Errorf("%s: outing without exposed in the labels", ex.ID)
		}
	}
	if share := float64(test) / float64(len(exs)); len(exs) < 300 || share < 0.33 || share > 0.47 {
		t.Errorf("%d posts, test share %.2f", len(exs), share)
	}
	// Pinned values of the rule (FNV-1a 64 of SplitSalt+id, mod 100 < 40).
	for id, want := range map[string]string{"xind-ru-0001": IndependentSplit("xind-ru-0001"), "d": "test", "b": "dev"} {
		if got := IndependentSplit(id); got != want {
			t.Errorf("IndependentSplit(%q) = %s, want %s", id, got, want)
		}
	}
}

// TestEvalDevSplit runs the evaluation on the dev split only (CI never asserts on test
// figures) and checks that the report separates languages and kinds and that --show
// refuses the test split.
func TestEvalDevSplit(t *testing.T) {
	var out, errb strings.Builder
	if err := EvalCommand(t.Context(), []string{"--split", "dev"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"split dev", "by language", "by kind", "self-disclosure/ads flagged", "watchlist precision"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if strings.Contains(out.String(), "split test") {
		t.Error("dev run printed the test split")
	}
	if err := EvalCommand(t.Context(), []string{"--show"}, &out, &errb); err == nil {
		t.Error("--show accepted on the test split")
	}
}

// TestIssue15Mechanisms covers the general mechanisms added with the second independent
// set (independent2.jsonl), in every language including mixed ru/ky, with negatives. The
// sentences are invented here and are not posts of either evaluation corpus.
func TestIssue15Mechanisms(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		// Uzbek case endings on Latin surnames let a claim in the next sentence bind.
		{"attach/uz accusative surname", "Samarqandlik Ravshan Tojiboyevni taniysizmi? Gey ekan, hamma biladi", want{true, true, false, 0, 0}},
		{"attach/uz dative surname negative", "Ravshan Tojiboyevga kitob sovg'a qildik, rahmat", want{false, false, false, 0, 0}},
		// A name stops at an emoji: the rainbow right after it is a label.
		{"euphemism/ky rainbow then town", "Нурбол Кадырбеков 🌈 Токмоктогу бакчада тарбиячы", want{true, true, false, 0, 0}},
		{"euphemism/en rainbow then town", "Bolot Asanaliev 🌈 Naryn, works at the bank", want{true, true, false, 0, 0}},
		// Quoted relationship words in any case form.
		{"euphemism/ru quoted boyfriend instrumental", "Видели Арсена Бекбоева с его «парнем» в кафе на Советской", want{true, true, false, 0, 0}},
		{"euphemism/uz quoted yigiti", "Bahrom Qurbonov \"yigiti\" bilan Chilonzorda yashaydi", want{true, true, false, 0, 0}},
		{"euphemism/ru quoted plural group negative", "Жоомарт Турдиев передал привет своим «друзьям» из клуба", want{false, false, false, 0, 0}},
		{"euphemism/uz lives with a man", "Alisher Yusupov erkak bilan yashaydi, 35 yoshda", want{true, true, false, 0, 0}},
		// A plural euphemism in a list header outs everyone listed.
		{"list/ru plural header голубые", "А вот и голубые нашего села:\n1) Кенжебаев Талант\n2) Эсенов Марлен", want{true, true, false, 0, 0}},
		{"list/mixed header", "Бул тизмедегилер все геи:\n- Сатыбалдиев Нурбек, 0709 441 250\n- Абылов Эмиль, Кант", want{true, true, false, 0, 0}},
		// A place adjective is no person, so a workplace binds to the relative's anchor.
		{"relative/mixed wife workplace", "Жена Канатбека Дуйшеева «Бакай банкта» иштейт, Кантский филиал, уулу 3-мектепте окуйт", want{true, false, false, 0, 0}},
		{"relative/ru district negative", "Свердловский районный суд рассмотрел дело о мошенничестве", want{false, false, false, 0, 0}},
		// Locating a member's relative exposes the member.
		{"relative/en member's mother", "Gulnara Abdraimova's mother lives at 22 Chui avenue, let's visit her", want{true, false, false, 1, 0}},
		{"relative/uz member's mother", "Gulnara Abdraimovaning onasi Bobur Mirzo ko'chasi 7 da yashaydi, borib aytamiz", want{true, false, false, 1, 0}},
		// Threats.
		{"threat/ru found office member", "Абдраимова, твой офис мы уже нашли. Дальше — адрес квартиры.", want{false, false, true, 1, 0}},
		{"threat/en we publish", "Talant Kenzhebaev is gay, +996 700 551 203. Next week we publish his home address", want{true, true, true, 0, 0}},
		{"threat/mixed", "Сатыбалдиев Нурбек, скоро все узнают где ты жашайсың, күтө тур", want{false, false, true, 0, 0}},
		// First-person number words in Kyrgyz and Uzbek: the author's own.
		{"self/uz raqamim", "Haydovchilik ishini qidiryapman, tajribam 10 yil. Raqamim +998 91 555 20 40, Bekzod", want{false, false, false, 0, 0}},
		{"self/ky номерим", "Үй тазалайм, арзан. Номерим 0700 311 442, Гүлжан", want{false, false, false, 0, 0}},
		{"self/mixed ad", "Сатам холодильник, абалы жакшы, 9000 сом. Звоните 0555 640 118", want{false, false, false, 0, 0}},
		// Mixed ru/ky, every kind.
		{"attach/mixed экен", "Вот этот Бакыт Жумагулов гей экен, Ошто жашайт", want{true, true, false, 0, 0}},
		{"public/mixed", "Депутат Асан Маматкулов из этих, баары билет", want{true, true, false, 0, 0}},
		{"member/mixed mention", "Гулнара Абдраимова выступила на форуме, жакшы сүйлөдү", want{false, false, false, 0, 1}},
		{"member/mixed outing", "Гулнара Абдраимова лесби, все знают, ал уюмда иштейт", want{true, true, false, 1, 0}},
		{"self/mixed coming out", "Мен геймин, да, я гей, и мне не стыдно", want{false, false, false, 0, 0}},
		{"news/mixed negative", "Жогорку Кеңеш принял закон, укук коргоочулар ЛГБТ адамдар үчүн тынчсызданышат", want{false, false, false, 0, 0}},
		{"lost/mixed negative", "Паспортумду жоготтум около ЦУМа, Садыкова Айжан. Тапкандар звоните 0700 902 118", want{false, false, false, 0, 0}},
	})
}

// TestIndependent2Shape checks the second independent set: labels consistent with the
// semantics, negatives flag nothing, every language present on both sides of the frozen
// split.
func TestIndependent2Shape(t *testing.T) {
	exs, err := ReadCorpus(strings.NewReader(string(independentFile("independent2.jsonl"))))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]int{}
	for _, ex := range exs {
		if ex.Outing && !ex.Exposed {
			t.Errorf("%s: outing without exposed", ex.ID)
		}
		if strings.HasPrefix(ex.Kind, "neg_") && (ex.Exposed || ex.Threat || len(ex.Watchlist) > 0) {
			t.Errorf("%s: a negative with a positive label", ex.ID)
		}
		parts[IndependentSplit(ex.ID)+"/"+ex.Lang]++
	}
	if len(exs) < 250 {
		t.Errorf("%d posts", len(exs))
	}
	for _, sp := range []string{"dev", "test"} {
		for _, l := range []string{"ru", "ky", "uz", "en", "mixed"} {
			if parts[sp+"/"+l] < 10 {
				t.Errorf("%s/%s has %d posts", sp, l, parts[sp+"/"+l])
			}
		}
	}
}

// TestEvalIndependentAllDevMeetsTargets asserts the issue-15 targets on the dev part of
// the first three independent sets (never on test): the same assertion as before
// independent4 was added, under the name the union had then (independent-1-2-3).
// independent4's dev part was measured untouched first and is not yet at the targets;
// TestIndependent4DevFloor keeps it from falling.
func TestEvalIndependentAllDevMeetsTargets(t *testing.T) {
	var out, errb strings.Builder
	if err := EvalCommand(t.Context(), []string{"--set", SetIndependent123, "--split", "dev", "--strict"}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if err := EvalCommand(t.Context(), []string{"--set", "independent2", "--split", "test", "--show"}, &out, &errb); err == nil {
		t.Error("--show accepted on the test split of independent2")
	}
}

// devFloor is what a set's dev part must keep: recalls and precisions at least, the
// self-disclosure/ads rate at most. A zero field sets no floor.
type devFloor struct {
	exposedR, exposedP, outingR, threatR, watchlistR, watchlistP, selfMax float64
}

// checkDevFloor evaluates the dev part of an independent set (wantPosts: the writer's
// count, 0 = not checked) and fails where it falls below the floor. Test parts are never
// asserted on.
func checkDevFloor(t *testing.T, set string, wantPosts int, f devFloor) {
	t.Helper()
	corpus, wls, _, ok, err := loadIndependentSet(set)
	if !ok || err != nil {
		t.Skipf("%s not in this build: %v", set, err)
	}
	exs, err := ReadCorpus(strings.NewReader(string(corpus)))
	if err != nil {
		t.Fatal(err)
	}
	var dev []Example
	for _, ex := range exs {
		if IndependentSplit(ex.ID) == "dev" {
			dev = append(dev, ex)
		}
	}
	if wantPosts > 0 && len(dev) != wantPosts {
		t.Errorf("%s dev has %d posts, the writer counted %d", set, len(dev), wantPosts)
	}
	ix, err := evalIndex(wls...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(NewAnalyzer(func() time.Time { return evalNow }), ix, dev)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Exposed.Recall() < f.exposedR || rep.Exposed.Precision() < f.exposedP || rep.Outing.Recall() < f.outingR ||
		rep.Threat.Recall() < f.threatR || rep.Watchlist.Recall() < f.watchlistR || rep.Watchlist.Precision() < f.watchlistP ||
		rep.SelfFlaggedRate() > f.selfMax+1e-9 {
		t.Errorf("%s dev: exposed P %.3f R %.3f, outing R %.3f, threat R %.3f, watch-list P %.3f R %.3f, self/ads %.3f; floor P %.3f R %.3f, outing R %.3f, threat R %.3f, watch-list P %.3f R %.3f, self <= %.3f",
			set, rep.Exposed.Precision(), rep.Exposed.Recall(), rep.Outing.Recall(), rep.Threat.Recall(), rep.Watchlist.Precision(),
			rep.Watchlist.Recall(), rep.SelfFlaggedRate(), f.exposedP, f.exposedR, f.outingR, f.threatR, f.watchlistP, f.watchlistR, f.selfMax)
	}
}

// TestIndependent4DevFloor keeps the dev part of independent4 from falling below its
// figures (measured untouched first, then after tuning on its dev part; see README). Its
// test part is never asserted on.
func TestIndependent4DevFloor(t *testing.T) {
	// First measured untouched (exposure/3 + this round's structural rules): exposed P
	// 0.947 R 0.833, outing R 0.868, self/ads 4/55. After tuning on its dev part
	// (exposure/4): the floor below. exposure/5 (tuned on independent5 dev) raised it to
	// 102/108, 88/91, watch-list 26/26; the floor follows: 102/108, 102/103, 88/91, 0/55.
	checkDevFloor(t, SetIndependent4, 0, devFloor{exposedR: 0.944, exposedP: 0.990, outingR: 0.967, selfMax: 0.0})
}

// TestIndependent5DevFloor keeps the dev part of independent5 from falling below its
// tuned figures. exposure/4 was measured untouched on it first (dev exposed P 0.950 R
// 0.807, outing R 0.743, watch-list R 0.737, self/ads 3/54; see README); exposure/5 was
// tuned on this dev part, so these figures are an upper bound. Its test part is never
// asserted on.
func TestIndependent5DevFloor(t *testing.T) {
	// exposure/5: 117/119, 117/118, 102/105, 15/15, watch-list 37/38 at P 1.000, 0/54.
	checkDevFloor(t, SetIndependent5, 216, devFloor{exposedR: 0.983, exposedP: 0.99, outingR: 0.971, threatR: 1.0,
		watchlistR: 0.973, watchlistP: 1.0, selfMax: 0.0})
}

// TestIndependent6DevFloor keeps the dev part of independent6 from falling below its
// tuned figures. exposure/5 was measured untouched on it first (dev exposed P 0.989 R
// 0.805, outing R 0.846, threat R 0.455, watch-list R 0.750, self/ads 1/37; see README);
// exposure/6 was tuned on this dev part, so these figures are an upper bound. Its test
// part is never asserted on.
func TestIndependent6DevFloor(t *testing.T) {
	// exposure/6: 95/113, 95/96, 79/91, 9/11, watch-list 38/48 at P 1.000, 1/37.
	checkDevFloor(t, SetIndependent6, 170, devFloor{exposedR: 0.840, exposedP: 0.989, outingR: 0.868, threatR: 0.818,
		watchlistR: 0.791, watchlistP: 1.0, selfMax: 1.0 / 37})
}

// TestIndependent7DevFloor keeps the dev part of independent7 from falling below the
// figures exposure/8 has on it (exposure/7 measured it untouched; round 8 was the first
// to read its dev part, see docs/benchmarks.md). Its test part is never asserted on.
func TestIndependent7DevFloor(t *testing.T) {
	// exposure/7 (untouched): exposed 82/100 (R 0.820) at P 0.976, outing 66/87, threat 4/6, watch-list 28/46 at P
	// 0.966, self/ads 2/44. exposure/8: exposed 88/100 at P 0.989, outing 72/87, threat 4/6, watch-list 32/46 at
	// P 0.970, self/ads 1/44.
	checkDevFloor(t, SetIndependent7, 178, devFloor{exposedR: 0.88, exposedP: 0.988, outingR: 0.827, threatR: 0.666,
		watchlistR: 0.695, watchlistP: 0.969, selfMax: 1.0 / 44})
}

// TestIndependent8DevFloor keeps the dev part of independent8 at the figures of
// exposure/8 (read untouched once with exposure/7 and the first exposure/8, then tuned
// on; see docs/benchmarks.md "Exposure round 8"). Its test part is never asserted on.
func TestIndependent8DevFloor(t *testing.T) {
	// untouched, exposure/7: exposed R 0.841 at P 0.990, outing 0.792, threat 5/12, watch-list 39/61 at P 1.0.
	// exposure/8 final (after the review's fixes): exposed 101/113 at P 0.990, outing 81/96, threat 8/12, watch-list
	// 48/61 at P 1.0, self/ads 0/44.
	checkDevFloor(t, SetIndependent8, 193, devFloor{exposedR: 0.893, exposedP: 0.99, outingR: 0.843, threatR: 0.666,
		watchlistR: 0.786, watchlistP: 1.0, selfMax: 0})
}
