package exposure

import "testing"

// TestIssue15Round8 covers the mechanisms of the eighth round (tuned on the dev parts of
// the seven independent sets; independent7's dev part was read for the first time in
// this round). Every case is invented for this test, with a negative twin of the same
// shape. The members are those of issue15YAML (Гулнара Абдраимова, Шерзод Турсунов,
// Керимбек Осмонов).
func TestIssue15Round8(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		// A relative located or outed through a member named in full: the member is on
		// the alert list, not merely mentioned.
		{"kin anchor/ky", "Гулнара Абдраимованын иниси Эрлан Ошто базарда иштейт, 5-катар", want{true, false, false, 1, 0}},
		{"kin anchor/ru", "Брат Гулнары Абдраимовой работает в аптеке на Советской, каждый день с 9 до 18", want{true, false, false, 1, 0}},
		{"kin anchor/uz", "Sherzod Tursunovning singlisi Chilonzordagi 12-maktabda o'qiydi, 7-sinf", want{true, false, false, 1, 0}},
		{"kin anchor/en", "Kerimbek Osmonov's sister works at the pharmacy on Kievskaya, evening shift", want{true, false, false, 1, 0}},
		{"kin anchor/ky negative: nothing located", "Гулнара Абдраимованын иниси Эрлан футболду жакшы ойнойт", want{false, false, false, 0, 1}},
		{"kin anchor/en negative: praise", "Kerimbek Osmonov's sister sings beautifully, what a voice", want{false, false, false, 0, 1}},
		// A member named by surname alone as the anchor of a relative counts only with
		// the role that makes the surname theirs (an activist) and no other given name.
		{"lone surname anchor/uz activist", "Anavi faol Tursunovning singlisi Dilbar Chilonzor bozorida do'kon ochgan, 14-qator, har kuni 7 dan 5 gacha", want{true, false, false, 1, 0}},
		{"lone surname anchor/ru activist", "Брат активистки Абдраимовой работает таксистом, белая Хонда 01KG123ABC", want{true, false, false, 1, 0}},
		{"lone surname anchor/uz negative: no role", "Tursunovning singlisi Dilbar Chilonzor bozorida do'kon ochgan, 14-qator, har kuni 7 dan 5 gacha", want{true, false, false, 0, 0}},
		{"lone surname anchor/en negative: another given name", "Activist Abdurakhmon Tursunov's daughter studies at school 24, grade 9", want{true, false, false, 0, 0}},
		// An uncommon surname alone names the member when the post outs or exposes that
		// person; a common surname, or a public official's, needs corroboration.
		{"lone uncommon surname/ru", "Абдраимова — лесби, это все знают, живёт на Ахунбаева 12", want{true, true, false, 1, 0}},
		{"lone uncommon surname/en", "Abdraimova is a lesbian, everyone at the market knows", want{true, true, false, 1, 0}},
		{"lone common surname/ru negative", "Турсунов — гей, это все знают", want{true, true, false, 0, 0}},
		{"lone surname of an official/ru negative", "Судья Абдраимова — лесби, это все знают", want{true, true, false, 0, 0}},
		{"lone uncommon surname, praise/ru", "Огромное спасибо Абдраимовой за лекцию о правах человека", want{false, false, false, 0, 1}},
		// Media that "will go" to the addressee's family is a threat to tell.
		{"send to family/ru", "Эльвира, даём сутки, потом скрины уйдут твоему отцу в Кочкор", want{false, false, true, 0, 0}},
		{"send to family/ky", "Жигит, 50 миң которбосоң видео апаңа барат", want{false, false, true, 0, 0}},
		{"send to family/uz", "Lobar, jumagacha jim bo'lmasang, rasmlar eringning oilasiga boradi", want{false, false, true, 0, 0}},
		{"send to family/en", "Timur, pay up or the videos will go to your father", want{false, false, true, 0, 0}},
		{"send to family/ky negative: no media", "Балам ар күнү мектепке барат, апаңа салам айт", want{false, false, false, 0, 0}},
		// "From that side" and "that he is …" claims.
		{"that side/ky", "Айнура Сапарова тиги тараптан экен, базарда иштейт, 3-катар", want{true, true, false, 0, 0}},
		{"that side/uz", "Гулчехра Раҳимова 38 ёшда, турмушга чиқмаган, ўша тарафдан. Юнусобод 7", want{true, true, false, 0, 0}},
		{"that side/ky negative: a bus", "Тиги тараптан автобус келди, тез чыккыла", want{false, false, false, 0, 0}},
		{"that he is/uz", "Bobur Nazarov moviy ekanini hamma biladi, Chilonzorda ishlaydi", want{true, true, false, 0, 0}},
		// The "blue blood" pun said of a named person.
		{"blue blood/ru", "В Zara кассир Даниэль Асанбеков, голубых кровей наш принц 💅, работает с 10 до 22", want{true, true, false, 0, 0}},
		{"blue blood/ru negative: a cat", "Наша кошка голубых кровей, британка, продаём котят", want{false, false, false, 0, 0}},
		// Given names of the region tell a name from a capitalised word; a case form of
		// a name that is also a frequent word ("Илья" / "или", "Жанна" / "жаңы") is not
		// in the lexicon.
		{"given name/uz obfuscated slur", "Bu Dilmurod, kafe ofitsianti, p*dar, hamma biladi, kechqurun 6 dan keyin ishlaydi", want{true, true, false, 0, 0}},
		{"given name/ky", "Нодирбек — бармен, көк экен, Ошто иштейт", want{true, true, false, 0, 0}},
		{"given name/ky negative: a word, not a name", "Жаңы Таң уюму жаңы кеңсе ачты, Токтогул 210", want{false, false, false, 0, 0}},
		{"given name/ru negative: a pronoun", "Ему сказали, что гей-парады запрещены", want{false, false, false, 0, 0}},
		// Uzbek "light blue" said of a person, like "голубой" and "көк", also with a
		// hedge ("bo'lsa kerak", "походу").
		{"colour/uz moviy hedged", "Sardor Nazarov moviy bo'lsa kerak, Olmaliqdagi zavodda ishlaydi", want{true, true, false, 0, 0}},
		{"colour/uz moviy after a dash", "Bekzod aka — moviy, Chirchiqda sartarosh", want{true, true, false, 0, 0}},
		{"colour/uz negative: a shirt", "Moviy ko'ylak sotaman, narxi 100 ming so'm", want{false, false, false, 0, 0}},
		{"colour/ru hedged", "Тимур Асанов голубой походу, работает в банке", want{true, true, false, 0, 0}},
		{"colour/ru negative: a car", "Тимур Асанов продаёт голубой Матиз походу", want{false, false, false, 0, 0}},
		// A street named like a person ("на Жибек Жолу") is no person: the workplace
		// belongs to the relative the post is about.
		{"street/ru", "Жена Урмата Калыбекова (прокурор района) работает в аптеке \"Неман\" на Жибек Жолу, смена с 8 до 17", want{true, false, false, 0, 0}},
		{"street/ru negative: a shop's own address", "Аптека \"Неман\" на Жибек Жолу работает с 8 до 17, звоните", want{false, false, false, 0, 0}},
		// A relative's weekly routine by weekday locates them.
		{"weekday/ru", "Сын прокурора Асанова Тимур по четвергам тренируется в ДЮСШ на Ахунбаева", want{true, false, false, 0, 0}},
		{"weekday/ky", "Прокурор Шамшиевдин атасы ар жекшемби Кой-Таштагы базарга барат, көк Портер", want{true, false, false, 0, 0}},
		{"weekday/uz", "Prokuror Yo'ldoshevning akasi har juma Samarqand darvozadagi choyxonada o'tiradi", want{true, false, false, 0, 0}},
		{"weekday/en", "the police chief Kanybek Dosaliev's son Aidar trains every Tue/Thu at Dinamo stadium", want{true, false, false, 0, 0}},
		{"weekday/en negative: an event", "The chess club meets every Thursday at Dinamo stadium, everyone welcome", want{false, false, false, 0, 0}},
		// Same-sex couple emoji label a person like the rainbow; about oneself they do not.
		{"couple emoji/ky", "Айпери Садыкова 👭 бир кыз менен бир үйдө жашайт, Кок-Жар", want{true, true, false, 0, 0}},
		{"couple emoji/en", "Daniyar Asanov from the bank 👬 with his 'roommate' for ten years", want{true, true, false, 0, 0}},
		{"couple emoji/ky negative: about ourselves", "Биз экөөбүз Айдай менен беш жылдан бери биргебиз 👭 ата-энелерибиз али билишпейт", want{false, false, false, 0, 0}},
	})
}

// round8OrgYAML has organisations with names (one of them with an alias): a post that
// names the organisation corroborates a member named by one word. Every name is
// invented for this test.
const round8OrgYAML = `orgs:
  - id: org-t
    name: Көк Бөрү Жолу (invented test initiative)
    members:
      - id: t-1
        names: ["Бермет Сооронбаева", "Bermet Sooronbaeva"]
      - id: t-2
        names: ["Нурлан Айтмамбетов"]
  - id: org-w
    name: Yorqin Yo'lak
    aliases: ["Ёрқин Йўлак"]
    members:
      - id: w-1
        names: ["Zilola Rahmatullayeva", "Зилола Раҳматуллаева"]
      - id: w-2
        names: ["Bermet Toktobaeva"]
`

// TestIssue15Round8OrgCorroboration: a member named by one word (a surname alone, or a
// given name next to the organisation's name) is matched only when the post names the
// member's organisation or an activist role stands before the surname.
func TestIssue15Round8OrgCorroboration(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, round8OrgYAML), []verdictCase{
		{"surname + org/ru", "Сооронбаева — лесба. кто не понял о ком, она в этом их «Көк Бөрү Жолунда» главная", want{true, true, false, 1, 0}},
		// Without the organisation an uncommon surname still names the member (the lone
		// rule); an official's surname does not.
		{"surname without org/ru", "Сооронбаева — лесба. кто не понял о ком, она у них в офисе главная", want{true, true, false, 1, 0}},
		{"official's surname without org/ru negative", "Судья Сооронбаева — лесба. кто не понял о ком, она у них в суде главная", want{true, true, false, 0, 0}},
		{"given name + org/ky threat", "Көк Бөрү Жолундагы Бермет, сенин апаң кайсы мектепте иштээрин билебиз. Каналыңды өчүрбөсөң, баары чыгат", want{false, false, true, 1, 0}},
		{"given name + the other org/ky", "Yorqin Yo'lakdagi Bermet, сенин апаң кайсы мектепте иштээрин билебиз. Каналыңды өчүрбөсөң, баары чыгат", want{false, false, true, 1, 0}},
		{"given name, no org/ky negative", "Бермет, сенин апаң кайсы мектепте иштээрин билебиз. Каналыңды өчүрбөсөң, баары чыгат", want{false, false, true, 0, 0}},
		{"surname + alias/uz", "Раҳматуллаева ҳам ўшалардан, лесбиянка. Ёрқин Йўлак офисида ўтиради", want{true, true, false, 1, 0}},
		{"surname + org/en", "Rahmatullayeva from Yorqin Yo'lak is a lesbian, everybody there knows", want{true, true, false, 1, 0}},
		{"surname, org only in praise/en", "Thanks to Rahmatullayeva and the Yorqin Yo'lak team for the workshop", want{false, false, false, 0, 1}},
		{"activist + surname/ru", "Та активистка Сооронбаева — лесба, все знают", want{true, true, false, 1, 0}},
		{"street named like the member/ky negative", "Көк Бөрү Жолунун кеңсеси Айтмамбетов 12де, келгиле", want{false, false, false, 0, 0}},
		{"one word of the org name alone/ky negative", "Жолдо Бермет, сенин апаң кайсы мектепте иштээрин билебиз. Каналыңды өчүрбөсөң, баары чыгат", want{false, false, true, 0, 0}},
	})
}
