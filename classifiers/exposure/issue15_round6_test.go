package exposure

import "testing"

// TestIssue15Round6 covers the mechanisms of the sixth round (tuned on the dev part of
// independent6): every case is invented (no corpus post), with a negative twin of the
// same shape next to it.
func TestIssue15Round6(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		// A list of two or more persons, each with a number on their row, is other
		// people's data: prices (a debt list) and "call them" make no ad.
		{"debt list/ru", "ДОЛЖНИКИ, верните деньги:\nСатыбалдиева Нурзат 0555 123 456 — 20 000 сом\nОморов Бакыт 0700 654 321 — 5 000 сом\nзвоните им", want{true, false, false, 0, 0}},
		{"debt list/ru negative: an ad", "Продаю мебель:\nдиван — 15 000 сом\nстол — 5 000 сом\nзвоните 0555 123 456", want{false, false, false, 0, 0}},
		{"debt list/ky", "Карызын бербегендер:\nАсанов Нурбек — 0555 111 222, 10 миң сом\nТөлөгөнова Айпери — 0700 333 444, 5 миң сом", want{true, false, false, 0, 0}},
		{"debt list/ky negative: one seller", "Диван сатам, баасы 10 миң сом. Асанов Нурбек, 0555 111 222", want{false, false, false, 0, 0}},
		{"debt list/uz", "Qarzdorlar ro'yxati:\nToshmatova Zarina +998 90 111 22 33 — 3 mln so'm\nRahimov Bekzod +998 91 444 55 66 — 1 mln so'm\nqo'ng'iroq qiling", want{true, false, false, 0, 0}},
		{"debt list/en", "Owe me money:\nZarina Toshmatova 0555 111 222 — 300$\nBekzod Rahimov 0700 333 444 — 150$", want{true, false, false, 0, 0}},
		// The addressee's family or employer as the one who will find out is a threat
		// to tell; the author's own family is not.
		{"tell family/ru", "Айбек, вся твоя семья узнает, чем ты занимаешься по ночам", want{false, false, true, 0, 0}},
		{"tell family/ru negative", "Айбек, моя семья узнает об этом завтра", want{false, false, false, 0, 0}},
		{"tell family/uz", "Dilshod, kimligingni Toshkentdagi oilangga xabar beramiz", want{false, false, true, 0, 0}},
		{"tell family/uz negative", "Dilshod, to'y haqida oilamga xabar beramiz", want{false, false, false, 0, 0}},
		{"tell family/en", "Timur, your boss will find out what you do on weekends", want{false, false, true, 0, 0}},
		{"tell family/en negative", "Timur, my boss will find out on Monday", want{false, false, false, 0, 0}},
		// Good news told to the family or the employer is no threat (lead's review): the
		// rule needs a hostile or threatening post, the addressee's data, something to hide
		// ("what you do", "ким экениңди") or a SOGI claim.
		{"tell family/en negative: good news", "Your family will find out the good news on Sunday when the baby arrives!", want{false, false, false, 0, 0}},
		{"tell family/ru negative: good news", "Работа твоя узнает о повышении завтра, не переживай.", want{false, false, false, 0, 0}},
		{"tell family/uz negative: a wedding", "Oilangga ham xabar beramiz, to'y kuni belgilandi!", want{false, false, false, 0, 0}},
		{"tell family/ky", "Нурбек, апаң билип калат ким экениңди", want{false, false, true, 0, 0}},
		{"tell family/ky negative: a wedding", "Нурбек, апаң билип калат тойдун күнүн", want{false, false, false, 0, 0}},
		// A person placed among a SOGI plural that closes the clause is one of them.
		{"among/ky", "Бакыт Осмонов да ушул гейлердин арасында.", want{true, true, false, 0, 0}},
		{"among/ky negative: a topic", "Бакыт Осмонов гейлердин арасында иштеген психолог жөнүндө китеп жазды", want{false, false, false, 0, 0}},
		{"among/ru", "Тимур Асанов тоже среди геев.", want{true, true, false, 0, 0}},
		{"among/ru negative: a statement about the group", "Среди геев много врачей, сказал Тимур Асанов", want{false, false, false, 0, 0}},
		{"among/uz", "Sardor Qodirov ham geylar orasida.", want{true, true, false, 0, 0}},
		// An oblique pronoun of the other gender in quotes mocks a trans person, and
		// "спросите у него" invites to call someone else, not the author.
		{"quoted oblique/ru", "вот номер 0555 987 654, это Сыдыкова. спросите у \"него\" как дела", want{true, true, false, 0, 0}},
		{"quoted oblique/ru negative", "вот номер 0555 987 654, это Сыдыкова. спросите у нее как дела", want{true, false, false, 0, 0}},
	})
}
