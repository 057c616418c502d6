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
		// Given names of the region tell a name from a capitalised word; a case form of
		// a name that is also a frequent word ("Илья" / "или", "Жанна" / "жаңы") is not
		// in the lexicon.
		{"given name/uz obfuscated slur", "Bu Dilmurod, kafe ofitsianti, p*dar, hamma biladi, kechqurun 6 dan keyin ishlaydi", want{true, true, false, 0, 0}},
		{"given name/ky", "Нодирбек — бармен, көк экен, Ошто иштейт", want{true, true, false, 0, 0}},
		{"given name/ky negative: a word, not a name", "Жаңы Таң уюму жаңы кеңсе ачты, Токтогул 210", want{false, false, false, 0, 0}},
		{"given name/ru negative: a pronoun", "Ему сказали, что гей-парады запрещены", want{false, false, false, 0, 0}},
	})
}
