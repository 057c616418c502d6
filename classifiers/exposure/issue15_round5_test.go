package exposure

import "testing"

// TestIssue15Round5 covers the mechanisms of the fifth round (tuned on the dev parts of
// the independent sets, above all independent5): every case is invented (no corpus
// post), with a negative twin of the same shape next to it.
func TestIssue15Round5(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		// Person frames: a given name missing from the lexicon is a person when a frame
		// only a name fills holds it (relative clause, honorific, naming word, kin word,
		// English appositive).
		{"frame/ru relative clause", "Люся, та что в аптеке на Токтогула работает, лесби", want{true, true, false, 0, 0}},
		{"frame/ru relative clause negative", "Люся, та что в аптеке на Токтогула работает, всегда вежливая", want{false, false, false, 0, 0}},
		{"frame/ky honorific", "Чолпонай эже 40 жашта, күйөөсү жок, \"курбусу\" менен жашайт", want{true, true, false, 0, 0}},
		{"frame/ky honorific negative", "Чолпонай эже мектепте иштейт, бүгүн сабак өттү", want{false, false, false, 0, 0}},
		{"frame/uz honorific", "Шавкат ака, Чилонзордаги сартарош, \"boshqacha\" ekan", want{true, true, false, 0, 0}},
		{"frame/uz honorific negative", "Шавкат ака, Чилонзордаги сартарош, soch olishda usta", want{false, false, false, 0, 0}},
		{"frame/uz деган", "Элмурод деган бола гомик дейишади", want{true, true, false, 0, 0}},
		{"frame/uz деган negative", "Элмурод деган бола яхши футбол ўйнайди", want{false, false, false, 0, 0}},
		{"frame/ky дегенден", "Кыздар, Нуркыз дегенден абайлагыла, ал лесби", want{true, true, false, 0, 0}},
		{"frame/ky дегенден negative", "Кыздар, Нуркыз дегенден сурагыла, ал баарын билет", want{false, false, false, 0, 0}},
		{"frame/ky org named negative", "Көпүрө деген уюмда гейлердин укуктары боюнча тренинг болот", want{false, false, false, 0, 0}},
		{"frame/en kin", "Bakhyt's son Erzhigit is gay, lives in Osh", want{true, true, false, 0, 0}},
		{"frame/en kin negative", "Bakhyt's son Erzhigit is a doctor, lives in Osh", want{true, false, false, 0, 0}},
		{"frame/ky kin particle", "Гулмайрам апанын уулу Эрбол да ошолордон экен", want{true, true, false, 0, 0}},
		{"frame/ky kin particle negative", "Гулмайрам апанын уулу Эрбол да Москвада иштейт экен", want{false, false, false, 0, 0}},
		{"frame/uz kin place is no person", "Nodir Qambarovning onasi Jizzaxda yashaydi, bayram muborak", want{true, false, false, 0, 0}}, // a relative located (existing rule), no new person
		{"frame/en appositive", "Wendell the bus driver — gay, everyone on route 42 knows", want{true, true, false, 0, 0}},
		{"frame/en appositive negative", "Wendell the bus driver retired after thirty years on route 42", want{false, false, false, 0, 0}},
		{"frame/ru abbreviation negative", "ЦУМ, который на Чуй, закрыт на ремонт до понедельника", want{false, false, false, 0, 0}},
		// Any lexicon SOGI word with masked letters.
		{"masked/ru п*дик", "Эрбол Калыков тоже п*дик", want{true, true, false, 0, 0}},
		{"masked/ru other word negative", "Эрбол Калыков тоже п*дсказал", want{false, false, false, 0, 0}},
		{"masked/ky л*сби", "Байыш Осмонова л*сби экен", want{true, true, false, 0, 0}},
		{"masked/en l*sbian", "Aisha Turgunova is a l*sbian, works at the bakery", want{true, true, false, 0, 0}},
		{"masked/en swear negative", "Aisha Turgunova said the f**king bus was late again", want{false, false, false, 0, 0}},
		// Quoted kin and flat-sharing words, and the no-spouse hint, in every language.
		{"quoted/ru напарник", "Алмаз Бейшеев 45 лет, ни жены ни детей, вечно с \"напарником\" живёт", want{true, true, false, 0, 0}},
		{"quoted/ru напарник negative", "Алмаз Бейшеев 45 лет, ни жены ни детей, работает с напарником", want{false, false, false, 0, 0}},
		{"quoted/uz sherigi", "Dilshod Ergashev 42 yoshda, bo'ydoq, \"sherigi\" bilan yashaydi", want{true, true, false, 0, 0}},
		{"quoted/uz sherigi negative", "Dilshod Ergashev 42 yoshda, bo'ydoq, sherigi bilan do'kon ochdi", want{false, false, false, 0, 0}},
		{"quoted/en flatmate", "Marat Isakov, 39, no wife, always with his \"flatmate\"", want{true, true, false, 0, 0}},
		{"quoted/en flatmate negative", "Marat Isakov, 39, moved in with a flatmate to save on rent", want{false, false, false, 0, 0}},
		{"quoted/uz ukasi", "Бахтиёр ака 40га кирди, хотини йўқ, доим \"укаси\" билан юради", want{true, true, false, 0, 0}},
		// A scare-quoted innuendo adjective as a person's predicate; hearsay predicates.
		{"innuendo/ru «такая»", "Аня Петрова из 3 подъезда тоже «такая»", want{true, true, false, 0, 0}},
		{"innuendo/en \"special\"", "Kairat Sadykov from the gym is \"special\", if you know", want{true, true, false, 0, 0}},
		{"innuendo/uz unquoted negative", "Shavkat Yusupov boshqacha odam, hech kimga o'xshamaydi", want{false, false, false, 0, 0}},
		{"innuendo/ru quoted shop negative", "Магазин «Особенный» на Ахунбаева открылся, Айгерим Касымова пригласила всех", want{false, false, false, 0, 0}},
		{"hearsay/ky көк дешет", "Эрлан Токтоматов көк дешет, Аламединде жашайт", want{true, true, false, 0, 0}},
		{"hearsay/ky sky negative", "Эрлан Токтоматов айтат: асман көк дешет", want{false, false, false, 0, 0}},
	})
}
