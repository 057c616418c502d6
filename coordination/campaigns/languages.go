package campaigns

import (
	"math/rand/v2"
	"strings"
)

// Kyrgyz and Russian versions of campaign messages, written for this generator and
// independent of the detector (which has its own folding table): a phrase list with
// word-level variants in both languages, and transliteration by published standards
// that people actually meet, each of which spells some letters differently from the
// "phone" spelling (ш sh, х kh, я ya) a detector is likely to expect.

// phrase is one campaign sentence in Russian and Kyrgyz, each with a few wordings that
// members pick from (word-level variation within one language).
type phrase struct {
	ru, ky []string
}

// phrases are invented campaign sentences of the kind pressure campaigns around court
// hearings, bills and events post. They name no person and no organisation.
var phrases = []phrase{
	{ru: []string{"защитим наших детей от чужой пропаганды", "защитим детей от чуждой пропаганды", "сбережём наших детей от пропаганды"},
		ky: []string{"балдарыбызды чет элдик пропагандадан коргойлу", "балдарды жат пропагандадан коргойлу", "балдарыбызды пропагандадан сактайлы"}},
	{ru: []string{"поддержите закон о иностранных представителях", "поддержим закон об иностранных представителях", "голосуйте за закон о представителях"},
		ky: []string{"чет элдик өкүлдөр жөнүндө мыйзамды колдогула", "чет элдик өкүлдөр тууралуу мыйзамды колдойлу", "өкүлдөр жөнүндө мыйзамга добуш бергиле"}},
	{ru: []string{"все на заседание суда в четверг", "приходите на заседание суда в четверг", "в четверг все к зданию суда"},
		ky: []string{"баарыбыз бейшембиде сот отурумуна", "бейшембиде сот отурумуна келгиле", "бейшембиде баарыбыз соттун имаратына"}},
	{ru: []string{"наши традиции не продаются за гранты", "традиции не продаются за иностранные гранты", "наши ценности не продаются за гранты"},
		ky: []string{"салтыбыз гранттарга сатылбайт", "салттарыбыз чет элдик гранттарга сатылбайт", "баалуулуктарыбыз гранттарга сатылбайт"}},
	{ru: []string{"эти организации работают на чужие деньги", "эти фонды живут на чужие деньги", "эти организации кормятся чужими деньгами"},
		ky: []string{"бул уюмдар бөтөн акчага иштешет", "бул фонддор бөтөн акчага жашашат", "бул уюмдар чет элдин акчасына иштейт"}},
	{ru: []string{"журналисты опять врут народу", "эти журналисты снова обманывают народ", "журналисты снова врут людям"},
		ky: []string{"журналисттер элге дагы калп айтып жатышат", "бул журналисттер элди кайра алдап жатышат", "журналисттер элге кайра калп айтышат"}},
	{ru: []string{"распространите это сообщение пока не удалили", "перешлите это пока не удалили", "делитесь этим пока не удалили"},
		ky: []string{"өчүрүп салганга чейин бул кабарды таркаткыла", "өчүрүлгөнгө чейин муну жөнөткүлө", "өчүрүп салганга чейин муну бөлүшкүлө"}},
	{ru: []string{"народ требует закрыть этот фонд", "люди требуют закрыть этот фонд", "мы требуем закрыть этот фонд"},
		ky: []string{"эл бул фондду жабууну талап кылат", "элдер бул фондду жабууну талап кылышат", "биз бул фондду жабууну талап кылабыз"}},
	{ru: []string{"не дадим навязать нам чужие порядки", "не позволим навязать нам чужие порядки", "чужие порядки нам не навяжут"},
		ky: []string{"бизге бөтөн тартипти таңуулатпайбыз", "бөтөн тартипти бизге таңуулоого жол бербейбиз", "бизге жат тартипти таңуулай албайт"}},
	{ru: []string{"выходите на митинг в субботу у площади", "в субботу все на митинг у площади", "приходите в субботу на митинг у площади"},
		ky: []string{"ишемби күнү аянттагы митингге чыккыла", "ишембиде баарыбыз аянттагы митингге", "ишемби күнү аянттагы митингге келгиле"}},
	{ru: []string{"депутаты должны услышать голос народа", "пусть депутаты услышат голос народа", "депутаты обязаны услышать народ"},
		ky: []string{"депутаттар элдин үнүн угушу керек", "депутаттар элдин үнүн уксун", "депутаттар элди угууга милдеттүү"}},
	{ru: []string{"подписывайте обращение к министерству", "подпишите обращение в министерство", "все подписываем обращение к министерству"},
		ky: []string{"министрликке кайрылууга кол койгула", "министрликке кайрылууга кол коюңуз", "баарыбыз министрликке кайрылууга кол коёлу"}},
}

// campaignPhrase draws a phrase index for one message.
func campaignPhrase(r *rand.Rand) int { return r.IntN(len(phrases)) }

// phraseText is one member's wording of phrase i in Kyrgyz or Russian.
func phraseText(r *rand.Rand, i int, kyrgyz bool) string {
	if kyrgyz {
		return pick(r, phrases[i].ky)
	}
	return pick(r, phrases[i].ru)
}

// A transliteration scheme: a map from lower-case Cyrillic letters; upper-case letters
// are not generated (messages are lower case).
type scheme map[rune]string

// Transliteration schemes. A member who writes in Latin letters sticks to one.
var (
	// icaoScheme is the Russian passport transliteration (ICAO Doc 9303, used in Russian
	// passports since 2013): й i, ю iu, я ia, ъ ie, ь dropped. Kyrgyz letters, which it
	// does not cover, as Kyrgyz passports spell them (ң n, ө o, ү u).
	icaoScheme = scheme{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
		'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
		'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "",
		'э': "e", 'ю': "iu", 'я': "ia", 'ң': "n", 'ө': "o", 'ү': "u",
	}
	// gostScheme is GOST 7.79-2000 system B (ASCII only): й j, х x, ц cz, щ shh, ы y',
	// э e`, ъ ``, ь `, with Kyrgyz ң n`, ө o`, ү u`.
	gostScheme = scheme{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z", 'и': "i",
		'й': "j", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
		'у': "u", 'ф': "f", 'х': "x", 'ц': "cz", 'ч': "ch", 'ш': "sh", 'щ': "shh", 'ъ': "``", 'ы': "y'", 'ь': "`",
		'э': "e`", 'ю': "yu", 'я': "ya", 'ң': "n`", 'ө': "o`", 'ү': "u`",
	}
	// turkicScheme is the Turkic-style Latin many Kyrgyz users type (as in the Kyrgyz
	// Latin alphabet proposals): ш ş, ч ç, ж j, ы ı, ң ñ, ө ö, ү ü, х h, й y.
	turkicScheme = scheme{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "j", 'з': "z", 'и': "i",
		'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
		'у': "u", 'ф': "f", 'х': "h", 'ц': "ts", 'ч': "ç", 'ш': "ş", 'щ': "şç", 'ъ': "", 'ы': "ı", 'ь': "",
		'э': "e", 'ю': "yu", 'я': "ya", 'ң': "ñ", 'ө': "ö", 'ү': "ü",
	}
	// russianSchemes and kyrgyzSchemes are what writers of each language use.
	russianSchemes = []scheme{icaoScheme, gostScheme}
	kyrgyzSchemes  = []scheme{turkicScheme, icaoScheme, gostScheme}
)

// transliterate writes Cyrillic text in Latin letters by sc; other characters (digits,
// hashtags' '#', emoji) stay.
func (sc scheme) transliterate(s string) string {
	var b strings.Builder
	for _, r := range s {
		if l, ok := sc[r]; ok {
			b.WriteString(l)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
