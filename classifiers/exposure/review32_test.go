package exposure

import "testing"

// review32OrgYAML is an invented watchlist for review32 (false alerts on the posts real
// streams are full of, and attacker-style exposures). Every organisation, person, phone,
// handle and e-mail is invented; the phones are obviously fake (000 blocks).
const review32OrgYAML = `orgs:
  - id: org-v
    name: Жарык Үй Демо (invented test organisation)
    aliases: ["Jaryk Uy Demo"]
    members:
      - id: v-1
        names: ["Асель Жумабекова", "Asel Jumabekova"]
        phones: ["+996 555 000 111"]
      - id: v-2
        names: ["Нурбек Касымалиев", "Nurbek Kasymaliev"]
        handles: ["@nurbek_demo_k"]
      - id: v-3
        names: ["Dilshod Ergashev", "Дилшод Эргашев"]
      - id: v-4
        names: ["Айгерим Сулайманова", "Aigerim Sulaimanova"]
        emails: ["aigerim.demo@example.org"]
`

// want fields: exposed, outing, threat, watch-listed members (alert), mentions.
// The verdicts follow research/exposure.md §1 (exposure = identifier × target ≠ author
// × exposing/hostile context) and §7 (self-disclosure is no incident), and issue 15
// (a member merely named is a mention, not an alert; NGO/journalist public contacts,
// ads and owners' notices are not exposures).

// TestReview32Celebrations: wedding invitations and birthday congratulations name
// people together with a venue address, a contact phone or a birth date. Nothing in
// them is hostile; they are posted by the people concerned or their family. FAILING
// cases today: the ru invitation (venue address → exposed, high), the ky invitation
// (contact phone → exposed), the ky greeting with the birth date, the en greeting of a
// member with "born …" (critical alert on org-v), the ky wedding of two members
// (restaurant address → exposed, high).
func TestReview32Celebrations(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"wedding invitation with venue address/ru", "Поздравляем молодожёнов Эрлана Абдыкадырова и Айжан Токтогуловну! Свадьба 14.06.2026 в ресторане «Ала-Тоо» на ул. Киевской 95. Совет да любовь!", want{false, false, false, 0, 0}},
		{"wedding invitation with contact phone/ky", "Азамат Эсенгулов менен Бегимай Сыдыкова үйлөнүү тою 20-июнда Чолпон-Атадагы «Ак-Бермет» ресторанында болот. Баарыңарды чакырабыз! Тел: 0555 000 123", want{false, false, false, 0, 0}},
		{"birthday with birth date/ky", "Нуризат Бакытбековага 18 жаш толду! 12.03.2008-жылы туулган. Бактылуу бол!", want{false, false, false, 0, 0}},
		{"member's birthday with birth date/en", "Happy birthday to Asel Jumabekova, born 12.05.1995!", want{false, false, false, 0, 1}},
		{"members' wedding with venue address/ky", "Нурбек Касымалиев менен Айгерим Сулайманова үйлөнүү тою 20-июнда «Ак-Бермет» ресторанында, Чүй проспекти 100. Баарыңарды чакырабыз!", want{false, false, false, 0, 2}},
		// Twins that pass today.
		{"wedding invitation/uz latin", "Tabriklaymiz! Aziz do'stimiz Jasur Qodirov va Malika Yusupova to'yi 5-iyul kuni Chilonzordagi \"Navruz\" to'yxonasida.", want{false, false, false, 0, 0}},
		{"wedding invitation/uz cyrillic", "Табриклаймиз! Азиз дўстимиз Жасур Қодиров ва Малика Юсупова тўйи 5-июль куни Чилонзордаги \"Наврўз\" тўйхонасида бўлади.", want{false, false, false, 0, 0}},
		{"wedding invitation/mixed", "Бүгүн Эрлан Абдыкадыров менен Айжан Токтогулованын свадьбасы, ресторан «Ала-Тоо», Киевская 95. Приходите, той болот!", want{false, false, false, 0, 0}},
		{"member's wedding, venue and time/mixed", "Эртең Нурбек Касымалиевдин тоюна барабыз, ресторан «Ала-Тоо», саат 18:00. Кто с нами?", want{false, false, false, 0, 1}},
		{"colleague's birthday with birth date/en", "Happy 30th birthday to our colleague Daniyar Mamytov, born 02.05.1996 in Karakol! Cake in the office at 4 pm.", want{false, false, false, 0, 0}},
		{"member's birthday, team greeting/ru", "Поздравляем нашего координатора Асель Жумабекову с днём рождения! Родилась 12.05.1995, а всё такая же молодая. Команда Жарык Үй тебя любит!", want{false, false, false, 0, 1}},
		{"member's birthday without date/en", "Happy birthday to Asel Jumabekova! The whole Jaryk Uy Demo team wishes you joy.", want{false, false, false, 0, 1}},
		{"member's birthday/mixed", "Бүгүн биздин Айгерим Сулайманова 30 жашка чыкты! С днём рождения, родная, ден соолук, бакыт! 🎂", want{false, false, false, 0, 1}},
		{"birthday without date/ky", "Туулган күнүң менен, Нуризат! 18 жаш толду, бактылуу бол!", want{false, false, false, 0, 0}},
	})
}

// TestReview32Obituaries: death notices and condolences give the deceased's birth year
// and the funeral's address and name the family. FAILING today in every language, and
// a member named as the son of the deceased is put on the alert list (critical).
func TestReview32Obituaries(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"obituary/ru", "С глубоким прискорбием сообщаем, что 3 ноября 2026 года на 78-м году жизни скончался Токтосунов Бакир Асанович, 12.01.1949 г.р. Соболезнования супруге Гульнаре, сыновьям Эрлану и Нурлану. Похороны в с. Беловодское, ул. Ленина 44.", want{false, false, false, 0, 0}},
		{"obituary/ky", "Кайгылуу кабар: Мамытов Асан Турдубекович 1950-жылы туулган, дүйнөдөн кайтты. Уулдары Бакыт менен Нурлан, кызы Айгүл. Жаназа Кара-Балта, Ленин көчөсү 12.", want{false, false, false, 0, 0}},
		{"obituary/uz", "Marhum Abdulla Karimov 1945-yilda tug'ilgan, vafot etdi. O'g'illari Bekzod va Sardor, qizi Nilufar. Janoza Chilonzor 9-mavze, 14-uy.", want{false, false, false, 0, 0}},
		{"condolences/en", "Our deepest condolences to Aibek Sultanov on the passing of his mother, Gulmira Sultanova (1952–2026). The funeral is at 11:00 on Sunday at the family home, 24 Frunze Street, Tokmok.", want{false, false, false, 0, 0}},
		{"obituary naming a member's father/ru", "С прискорбием сообщаем о смерти Касымалиева Бакыта Асановича, 1948 г.р. Соболезнования сыну Нурбеку Касымалиеву и всей семье. Похороны в с. Беловодское, ул. Ленина 44.", want{false, false, false, 0, 1}},
		// Twins that pass today.
		{"obituary without data/ru", "Скончался Токтосунов Бакир Асанович. Соболезнования супруге Гульнаре и сыновьям. Пусть земля будет пухом.", want{false, false, false, 0, 0}},
		{"condolences to a member/ky", "Касымалиев Бакыт Асанович дүйнөдөн кайтты. Уулу Нурбек Касымалиевге көңүл айтабыз.", want{false, false, false, 0, 1}},
	})
}

// TestReview32HonourRolls: school honour rolls and olympiad winners with school, class
// and age. The README says a neutral list ("Olympiad winners: …") exposes nobody, but a
// school number and a class count as two precise "workplaces" of one person, so the
// ru and ky rolls are exposed and members on them become alerts (FAILING).
func TestReview32HonourRolls(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"honour roll/ru", "Доска почёта школы №61: Абдыкеримов Адилет, 9 «Б» класс, 15 лет — победитель городской олимпиады по физике; Осмонова Жибек, 10 «А», 16 лет — призёр.", want{false, false, false, 0, 0}},
		{"olympiad winners with schools/ky", "Олимпиаданын жеңүүчүлөрү: 1. Турдубаев Азамат, 14 жаш, Ош шаарындагы №5 мектеп, 9-класс\n2. Эсенгулова Мээрим, 15 жаш, №12 мектеп, 10-класс", want{false, false, false, 0, 0}},
		{"olympiad winners, members/ky", "Олимпиаданын жеңүүчүлөрү: 1. Касымалиев Нурбек, №5 мектеп, 9-класс\n2. Сулайманова Айгерим, №12 мектеп, 10-класс", want{false, false, false, 0, 2}},
		{"honour roll, member/ru", "Доска почёта: Сулайманова Айгерим, 10 «А» класс, школа №61 — победитель олимпиады по праву.", want{false, false, false, 0, 1}},
		// Twins that pass today.
		{"olympiad winners/uz", "Fan olimpiadasi g'oliblari: Yusupova Dilnoza (Toshkent, 11-sinf, 17 yosh), Rahmonov Bekzod (Samarqand, 10-sinf), Karimova Shahnoza (Buxoro, 9-sinf).", want{false, false, false, 0, 0}},
		{"olympiad winners, class only/ky", "Олимпиаданын жеңүүчүлөрү: 1. Турдубаев Азамат, 9-класс\n2. Эсенгулова Мээрим, 10-класс", want{false, false, false, 0, 0}},
		{"best pupils of a school/ky", "Жаңы жылга чейин Ош шаардык №5 мектебинин мыкты окуучулары: Асанов Тимур (9-класс), Осмонова Жибек (10-класс). Куттуктайбыз!", want{false, false, false, 0, 0}},
		{"scholarship holders/ru", "Стипендиаты фонда: Асанов Тимур, 9 «Б» класс, школа №61; Осмонова Жибек, 10 «А» класс, школа №12.", want{false, false, false, 0, 0}},
		{"honour roll without school, member/ru", "Доска почёта: Сулайманова Айгерим — победитель олимпиады по праву.", want{false, false, false, 0, 1}},
		{"team line-up/ru", "Состав ФК «Алга» на матч с «Дордоем»: вратарь Мамытов Эрлан (19 лет), защитники Асанов Тимур, Сыдыков Бекзат; нападающий Ибраимов Нурлан, забил 2 гола на 67-й минуте.", want{false, false, false, 0, 0}},
		{"match report/en", "Match report: Bishkek Lions beat Osh United 3-1. Goals from Timur Asanov (17), Erlan Mamytov (44) and Bakyt Ibraimov, 19, who plays his first season.", want{false, false, false, 0, 0}},
	})
}

// TestReview32PublicContactsAndJobs: an organisation's staff page, press contacts and
// job postings publish work contacts on purpose (issue 15: "a journalist's or NGO's
// public contact" is no exposure). FAILING today: the en staff page (e-mail and phone →
// exposed, high), Russian press-contact headers ("Контакты для прессы", "Для СМИ") with
// a person's e-mail, and the ru press contact of a member (critical alert), and a ky job
// ad with "издейт" (is looking for) instead of "керек".
func TestReview32PublicContactsAndJobs(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"staff page/en", "Our team: Bakyt Omurzakov, Executive Director, bakyt.demo@example.org, +996 312 000 789; Aigul Sydykova, Programme Officer.", want{false, false, false, 0, 0}},
		{"press contact/ru", "Контакты для прессы: Айнура Бакирова, ainura.demo@example.org, +996 555 000 222", want{false, false, false, 0, 0}},
		{"for the media/ru", "Для СМИ: Айнура Бакирова, ainura.demo@example.org, +996 555 000 222", want{false, false, false, 0, 0}},
		{"press contact of a member/ru", "Контакты для прессы: Айгерим Сулайманова, aigerim.demo@example.org", want{false, false, false, 0, 1}},
		{"job ad with izdeyt/ky", "Ашхана «Демо» сатуучу издейт. Жетекчи Бакыт Асанов, 0700 000 222, Ош базары 14-катар.", want{false, false, false, 0, 0}},
		// Twins that pass today.
		{"staff page/ru", "Наша команда: Асанова Гульнара — директор, Бакиров Эрмек — юрист, тел. 0312 000 111; Сыдыкова Айпери — координатор, aipery.demo@example.org.", want{false, false, false, 0, 0}},
		{"staff page, members/ru", "Наша команда: Нурбек Касымалиев — юрист, +996 312 000 555, legal.demo@example.org; Айгерим Сулайманова — координатор, aigerim.demo@example.org.", want{false, false, false, 0, 2}},
		{"staff page, members/en", "Our team: Nurbek Kasymaliev, lawyer, +996 312 000 555; Aigerim Sulaimanova, coordinator, aigerim.demo@example.org.", want{false, false, false, 0, 2}},
		{"press contact/en", "Press contact: Ainura Bakirova, ainura.demo@example.org, +996 555 000 222", want{false, false, false, 0, 0}},
		{"press service/ru", "Пресс-служба ОО «Демо»: Айнура Бакирова, ainura.demo@example.org, +996 555 000 222", want{false, false, false, 0, 0}},
		{"press contact of a member/en", "Press contact: Aigerim Sulaimanova, aigerim.demo@example.org, +996 555 000 222", want{false, false, false, 0, 1}},
		{"press contact of a member/ky", "Басма сөз үчүн байланыш: Айгерим Сулайманова, aigerim.demo@example.org", want{false, false, false, 0, 1}},
		{"press contact of a member/uz", "Matbuot uchun: Dilshod Ergashev, press.demo@example.org", want{false, false, false, 0, 1}},
		{"member's legal aid line/ru", "За юридической помощью обращайтесь к юристу ОО «Жарык Үй» Нурбеку Касымалиеву: +996 312 000 555, legal.demo@example.org. Консультации бесплатно.", want{false, false, false, 0, 1}},
		{"journalist's contact/ru", "Журналист Айдана Осмонова принимает истории читателей: aidana.demo@example.org, телеграм @aidana_demo_news.", want{false, false, false, 0, 0}},
		{"job ad/ru", "Требуется бухгалтер в ОсОО «Демо-Трейд». Обращаться к менеджеру по персоналу Айнуре Бакировой, тел. +996 555 000 234, ул. Московская 120, офис 5.", want{false, false, false, 0, 0}},
		{"job ad with kerek/ky", "Вакансия: сатуучу керек. Дарек: Ош базары, 14-катар. Айлык 30 000 сом. Байланыш: Нургүл эже, 0700 000 456.", want{false, false, false, 0, 0}},
		{"job ad/uz", "Ishga taklif qilamiz: oshpaz kerak. Murojaat uchun: Dilnoza opa, +998 90 000 12 34, Yunusobod 7-kvartal.", want{false, false, false, 0, 0}},
		{"own car sale/ru", "Продаю Хонду Фит 2010 г.в., госномер 01KG000ABC, цена 6500$. Звоните: Эрлан, 0555 000 999. Торг.", want{false, false, false, 0, 0}},
		{"own car sale/ky", "Сатам: Нексия 2, 2012-жыл, 01KG000XYZ, баасы 4500$. Тел 0555 000 333, Бакыт.", want{false, false, false, 0, 0}},
		{"own car sale/uz cyrillic", "Сотаман: Кобальт 2019, оқ ранг, нархи 11 000$. Тел: +998 90 000 11 22, Анвар ака.", want{false, false, false, 0, 0}},
		{"tutor ad/ru", "Репетитор по английскому, Айгуль Мамытова, 10 лет опыта, 7 мкр. 600 сом/час, пишите в WhatsApp 0700 000 222.", want{false, false, false, 0, 0}},
		{"flat to let/uz", "Kvartira ijaraga beriladi, Chilonzor 9-kvartal, 2 xonali. Egasi Bekzod, +998 90 000 33 22.", want{false, false, false, 0, 0}},
		{"house for sale/ky", "Үй сатылат, Ош, 5-кичирайон, 45 000$. Байланыш: Бакыт, 0700 000 222", want{false, false, false, 0, 0}},
		{"owner's lost passport/ru", "Найден паспорт на имя Мамытова Эрлана, AN0000123, нашедшего просим вернуть, отдам в ОВД Первомайского района.", want{false, false, false, 0, 0}},
	})
}

// TestReview32FamilyAppeals: "help find" notices and charity appeals posted by the
// family give the person's name, age, birth year, last-seen place and a relative's phone.
// FAILING today: the uz and en missing-person notices, charity appeals with "тел. мамы",
// "апасы Айнура 0700 …", "otasi Anvar, +998 …" (the relative's phone is read as the
// patient's), and a member's charity appeal (critical alert).
func TestReview32FamilyAppeals(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"missing brother/uz", "Yordam bering! Akam Sardor Umarov, 1990-yilda tug'ilgan, 3 kundan beri uyga kelmadi. Oxirgi marta Chilonzor metrosida ko'rishgan. Tel: +998 90 000 77 88.", want{false, false, false, 0, 0}},
		{"missing grandmother/en", "Missing: our grandmother Zuhra Abdullaeva, 81, left home on Toktogul street yesterday morning, has dementia. Please call her grandson at +996 555 000 987.", want{false, false, false, 0, 0}},
		{"charity, mother's phone/ru", "Сбор на лечение! Маленькой Амине Токтосуновой 4 года, диагноз — лейкоз. Операция в Москве стоит 2 млн сом. Карта Мбанк 4169 0000 0000 1234 (мама Гульмира), тел. 0555 000 765.", want{false, false, false, 0, 0}},
		{"charity, mother's phone/ky", "Жардам керек! Бакыт Асанов 35 жашта, бөйрөк операциясына акча чогултабыз. Элкарт 9417 0000 0000 5678, апасы Айнура 0700 000 111.", want{false, false, false, 0, 0}},
		{"charity, father's phone/uz", "Yordam so'raymiz: Bekzod Rahimov, 7 yosh, yurak operatsiyasi kerak. Humo karta 9860 0000 0000 4321, otasi Anvar, +998 90 000 45 67.", want{false, false, false, 0, 0}},
		{"charity for a member/ru", "Сбор для Нурбека Касымалиева на операцию: карта 4169 0000 0000 1234, тел. мамы 0555 000 765.", want{false, false, false, 0, 1}},
		// Twins that pass today.
		{"missing father/ru", "Помогите найти человека! Пропал наш отец Касымов Бакыт Асанович, 1958 г.р., ушёл из дома 3 ноября в 5 мкр, был в синей куртке. Кто видел, звоните: 0555 000 321 (дочь Айгуль).", want{false, false, false, 0, 0}},
		{"missing brother/ky", "Жардам бериңиздер! Иним Эрмек Садыков, 16 жашта, 2 күн мурун Аламүдүн базарынан кеткен, үйгө келе элек. Көргөндөр 0700 000 654 номерине чалыңыздар.", want{false, false, false, 0, 0}},
		{"missing member/ru", "Помогите найти! Пропала Асель Жумабекова, 1995 г.р., вышла из дома в 5 мкр 3 ноября. Звоните брату: 0555 000 321.", want{false, false, false, 0, 1}},
		{"charity, call the mother/ru", "Сбор на лечение! Амине 4 года. Карта 4169 0000 0000 1234, звоните маме: 0555 000 765.", want{false, false, false, 0, 0}},
		{"charity, call the mother/ky", "Жардам керек! Бакыт Асанов 35 жашта, бөйрөк операциясына акча чогултабыз. Элкарт 9417 0000 0000 5678, апасына чалыңыздар: 0700 000 111.", want{false, false, false, 0, 0}},
	})
}

// TestReview32News: court and police news name a defendant or suspect, with the birth
// year the press release gives or the place of the crime. A news report is not an
// exposure (context.md: news reports must not be flagged; README: officials named with
// their role). FAILING today: the ru and ky court reports (birth year → exposed) and
// the ru police report ("в 7 мкр", the crime scene, read as the suspect's address → high).
func TestReview32News(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"court report with birth year/ru", "Первомайский районный суд приговорил бывшего начальника управления Эрмека Бакирова к 8 годам за взятку. Бакиров, 1971 г.р., задержан в 2025 году.", want{false, false, false, 0, 0}},
		{"court report with birth year/ky", "Бишкектин Октябрь райондук соту мурунку аким Бакыт Асановду 7 жылга соттоду. Асанов 1968-жылы туулган.", want{false, false, false, 0, 0}},
		{"police report, crime scene/ru", "Сотрудники ГУВД задержали 25-летнего жителя Бишкека Т. Асанова, подозреваемого в краже телефона в 7 мкр.", want{false, false, false, 0, 0}},
		// Twins that pass today.
		{"court report with birth year/uz", "Toshkent shahar sudi sobiq hokim Anvar Rahimovni 8 yilga ozodlikdan mahrum qildi. Rahimov 1970-yilda tug'ilgan.", want{false, false, false, 0, 0}},
		{"police report/en", "Police detained Timur Asanov, 25, a resident of the 7th microdistrict, on suspicion of theft.", want{false, false, false, 0, 0}},
		{"police report/ky", "Кечээ Аламүдүн районунда милиция 30 жаштагы Т. Асановду кармады, ал уурулукка шектелүүдө, деп билдирди ИИБ.", want{false, false, false, 0, 0}},
		{"judge accused/ky", "Ош шаардык сотунун судьясы Бакыт Асанов мыйзамсыз чечим чыгарган деп айыпталууда, деп билдирди прокуратура.", want{false, false, false, 0, 0}},
		{"member quoted in court/ru", "Сегодня в суде выступила правозащитница Асель Жумабекова (ОО «Жарык Үй»): «Закон о ЛГБТ-пропаганде нарушает Конституцию».", want{false, false, false, 0, 1}},
	})
}

// TestReview32LivesWithNoPlace: "lives with his wife / with her mother" has a place cue
// (жашайт, yashaydi, "бир уйда" = in one house) but no place. It is read as a home or
// route of a person with a kin word and exposes them; a member becomes an alert (high).
// FAILING today.
func TestReview32LivesWithNoPlace(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"lives with his wife/ky", "Нурлан Турдубаев аялы менен жашайт", want{false, false, false, 0, 0}},
		{"lives with his wife/uz", "Jasur Qodirov xotini bilan yashaydi", want{false, false, false, 0, 0}},
		{"member lives with her mother/ky", "Айгерим Сулайманова апасы менен бирге жашайт", want{false, false, false, 0, 1}},
		{"member lives with his wife in one house/uz cyrillic", "Дилшод Эргашев хотини билан бир уйда яшайди", want{false, false, false, 0, 1}},
		// Twins that pass today.
		{"lives with parents in one house/ky", "Нурлан Турдубаев ата-энеси менен бир үйдө жашайт", want{false, false, false, 0, 0}},
		{"member lives with her husband/en", "Asel Jumabekova lives with her husband in one flat", want{false, false, false, 0, 1}},
		{"member with mother at an address/ky", "Айгерим Сулайманова апасы менен Ош шаарында, 5-кичирайон, 12-үйдө жашайт", want{true, false, false, 1, 0}},
	})
}

// TestReview32ReplyDoxxingKyUz: doxxing in a reply, with no name: "that girl's insta
// and where she works". Russian and English are exposed (the handle is pointed at by
// "её"/"his"); Kyrgyz and Uzbek pointers ("ал кыздын", "bu yigitning", "uning") are not
// target words, so nothing is flagged, and "баарыңар жазгыла" (everyone write [to her])
// is even read as the author's invitation to contact. FAILING today.
func TestReview32ReplyDoxxingKyUz(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"that girl's insta and workplace/ky", "ал кыздын инстасы @aizada_demo_kg, Жалал-Абадда дарыканада иштейт, издегиле", want{true, false, false, 0, 0}},
		{"her insta, everyone write/ky", "анын инстасы @aizada_demo_kg, Жалал-Абаддагы дарыканада иштейт, баарыңар жазгыла", want{true, false, false, 0, 0}},
		{"this girl's insta and workplace/ky", "бул кыздын инстасы: @aizada_demo_kg. Иштеген жери — Жалал-Абад, \"Демо\" дарыканасы", want{true, false, false, 0, 0}},
		{"his insta, spread it/uz latin", "uning instagrami @sardor_demo_uz, Chilonzor bozorida ishlaydi, 14-qator. Hammaga tarqating", want{true, false, false, 0, 0}},
		{"this guy's insta/uz latin", "bu yigitning instagrami @sardor_demo_uz, Chilonzor bozorida ishlaydi", want{true, false, false, 0, 0}},
		{"his insta, spread it/uz cyrillic", "унинг инстаграми @sardor_demo_uz, Чилонзор бозорида ишлайди, 14-қатор. Ҳаммага тарқатинг", want{true, false, false, 0, 0}},
		// Twins that pass today.
		{"her insta and workplace/ru", "вот её инста @asel_demo_1995 и где она работает — аптека «Неман» на Советской, иди поговори с ней", want{true, false, false, 0, 0}},
		{"his insta, spread it/ru", "его инста @sardor_demo_uz, работает на Чилонзорском базаре, 14 ряд. Распространите", want{true, false, false, 0, 0}},
		{"his insta, spread it/en", "his insta is @sardor_demo_uz, works at Chilonzor bazaar, row 14. Spread it", want{true, false, false, 0, 0}},
		{"her insta/ky anyn", "анын инстасы @aizada_demo_kg, Жалал-Абаддагы дарыканада иштейт", want{true, false, false, 0, 0}},
		{"member's handle/ky", "анын инстасы @nurbek_demo_k, Жалал-Абаддагы дарыканада иштейт, издегиле", want{true, false, false, 1, 0}},
		{"found her/ru", "Ответ @dilnoza_demo: нашли её — Дильноза, работает в школе №5 учительницей, муж Бекзод таксует на белой Спарке", want{true, false, false, 0, 0}},
	})
}

// TestReview32ImplicationKyUz: outing by implication. The README's paradigms ("doesn't
// like <gender>", "lives together with <gender>") hold for "бирге жашайт"/"birga
// yashaydi" and for Russian, but not for the plain Kyrgyz/Uzbek "not interested in
// women/girls" (аялдарга кызыкпайт, эркектерге кызыкпайт, qizlarga qiziqmaydi) nor for
// "lives in one house with a guy" (бир үйдө жашайт, bir uyda yashaydi). FAILING today.
func TestReview32ImplicationKyUz(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"not interested in women/ky", "Нурлан Турдубаев аялдарга кызыкпайт", want{true, true, false, 0, 0}},
		{"member not interested in men/ky", "Асель Жумабекова эркектерге кызыкпайт", want{true, true, false, 1, 0}},
		{"not interested in girls/uz latin", "Jasur Qodirov qizlarga qiziqmaydi", want{true, true, false, 0, 0}},
		{"lives in one house with a guy/ky", "Нурлан Турдубаев бир жигит менен бир үйдө жашайт", want{true, true, false, 0, 0}},
		{"lives in one house with a guy/uz latin", "Jasur Qodirov bir yigit bilan bir uyda yashaydi", want{true, true, false, 0, 0}},
		{"both hints/uz cyrillic", "Жасур Қодиров қизларга қизиқмайди, бир йигит билан бир уйда яшайди, Юнусобод 4-мавзе", want{true, true, false, 0, 0}},
		{"both hints/ky", "Нурлан Турдубаев аялдарга кызыкпайт, бир жигит менен бир үйдө жашайт, Ош", want{true, true, false, 0, 0}},
		// Twins that pass today.
		{"lives together with a guy/ky", "Нурлан Турдубаев бир жигит менен бирге жашайт", want{true, true, false, 0, 0}},
		{"lives together with a guy/uz latin", "Jasur Qodirov bir yigit bilan birga yashaydi, Yunusobod 4-kvartal", want{true, true, false, 0, 0}},
		{"doesn't like girls/uz latin", "Jasur Qodirov qizlarni yoqtirmaydi, bir yigit bilan birga yashaydi", want{true, true, false, 0, 0}},
		{"not interested in girls/ru", "Жасур Кодиров не интересуется девушками, живёт в одной квартире с парнем, Юнусобод 4", want{true, true, false, 0, 0}},
		{"member with a girl/ky", "Асель Жумабекова жигиттерге кызыкпайт, бир кыз менен бирге жашайт", want{true, true, false, 1, 0}},
		{"quoted friend/ky", "Нурлан Турдубаев аялдарга кызыкпайт, бир «досу» менен бир үйдө жашайт, Ош, 5-кичирайон", want{true, true, false, 0, 0}},
		{"not interested in football/ky negative", "Нурлан Турдубаев футболго кызыкпайт", want{false, false, false, 0, 0}},
		{"not interested in football/uz negative", "Jasur Qodirov futbolga qiziqmaydi", want{false, false, false, 0, 0}},
	})
}

// TestReview32GayDatingApps: a person's profile on a gay dating app (Grindr, Hornet) is
// the online "gay venue someone was seen at" (README, outing claims). A "gay chat" is
// caught; the apps by name are not, in any language. FAILING today.
func TestReview32GayDatingApps(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"Grindr profile screenshot/ru", "скриншот из его анкеты в Grindr: Тимур Асанов, 27, Бишкек, фото лица", want{true, true, false, 0, 0}},
		{"Hornet profile/ru", "Тимур Асанов сидит в Hornet, анкета с лицом, работает в банке", want{true, true, false, 0, 0}},
		{"Grindr profile/en", "Timur Asanov has a Grindr profile with his face on it, works at the Demo Bank on Chui", want{true, true, false, 0, 0}},
		{"Grindr/ky", "Эрмек Садыков Grindr'де отурат, сүрөтү менен, Аламүдүндө иштейт", want{true, true, false, 0, 0}},
		{"Grindr/uz", "Sardor Nazarov Grindrda o'tiradi, rasmi bilan, Chilonzorda ishlaydi", want{true, true, false, 0, 0}},
		{"member on Hornet/en", "Asel Jumabekova has a Hornet profile, works at the Demo Bank on Chui", want{true, true, false, 1, 0}},
		// Twins that pass today.
		{"gay chat/ru", "Тимур Асанов в гей-чате сидит, анкета с лицом, работает в банке", want{true, true, false, 0, 0}},
		{"gay chat screenshot/ru", "Скрин: Бакыт Омурзаков в гей-чате «Радуга КГ», аватарка с лицом, пишет из Токмока", want{true, true, false, 0, 0}},
		{"Tinder is no gay venue/ru negative", "Тимур Асанов сидит в Tinder, анкета с лицом", want{false, false, false, 0, 0}},
	})
}

// TestReview32ThirdPersonThreats: a promise that a named member's address "will appear"
// ("скоро будет здесь", "drops tomorrow", "жакында чыгат", "tez orada chiqadi") is a
// threat to publish naming the member; it is not in the threat cues (which want
// "выложим", "is next", a second person …), so the member is only a mention. FAILING.
func TestReview32ThirdPersonThreats(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review32OrgYAML), []verdictCase{
		{"address will be here soon/ru", "Адрес Нурбека Касымалиева скоро будет здесь, ждите", want{false, false, true, 1, 0}},
		{"home address drops tomorrow/en", "Nurbek Kasymaliev's home address drops tomorrow. Stay tuned.", want{false, false, true, 1, 0}},
		{"home address comes out soon/ky", "Нурбек Касымалиевдин үй дареги жакында чыгат, күтө тургула", want{false, false, true, 1, 0}},
		{"home address comes out soon/uz", "Dilshod Ergashevning uy manzili tez orada chiqadi, kutib turinglar", want{false, false, true, 1, 0}},
		// Twins that pass today.
		{"we know where you live/ru", "Асель Жумабекова, мы знаем, где ты живёшь. Адрес выложим завтра, если не закроешь свой канал.", want{false, false, true, 1, 0}},
		{"we'll spread your address/ky", "Нурбек Касымалиев, сенин дарегиңди баарына таратабыз, күтө тур.", want{false, false, true, 1, 0}},
		{"we'll spread your address/uz latin", "Dilshod Ergashev, manzilingni hammaga tarqatamiz, kutib tur.", want{false, false, true, 1, 0}},
		{"we'll spread your address/uz cyrillic", "Дилшод Эргашев, манзилингни ҳаммага тарқатамиз, кутиб тур.", want{false, false, true, 1, 0}},
		{"your home address is next/en", "Aigerim Sulaimanova, we know where you work. Your home address is next.", want{false, false, true, 1, 0}},
		{"her address next post, surname/ru", "Жумабекова, следующим постом — её адрес и телефон матери. Пусть все знают, кто она.", want{false, false, true, 1, 0}},
		{"new book drops tomorrow/en negative", "Asel Jumabekova's new book drops tomorrow. Stay tuned.", want{false, false, false, 0, 1}},
		{"new book comes out soon/ky negative", "Нурбек Касымалиевдин жаңы китеби жакында чыгат, күтө тургула", want{false, false, false, 0, 1}},
		{"new book comes out soon/uz negative", "Dilshod Ergashevning yangi kitobi tez orada chiqadi, kutib turinglar", want{false, false, false, 0, 1}},
		{"office address soon/ru negative", "Новый адрес офиса Жарык Үй скоро будет здесь, ждите", want{false, false, false, 0, 0}},
	})
}
