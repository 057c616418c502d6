package exposure

import "testing"

// review30OrgYAML is an invented watchlist for the review of exposure round 8: an
// organisation with an everyday-word alias ("Kelechek", future) and a generic
// two-word alias ("Public Foundation Nur"), and members whose given names are common
// (Айбек) or everyday words (Umid, hope). Every name is invented.
const review30OrgYAML = `orgs:
  - id: org-r
    name: Радуга Демо (invented test organisation)
    aliases: ["Raduga Demo", "Kelechek", "Public Foundation Nur"]
    members:
      - id: r-1
        names: ["Айбек Токтосунов", "Aibek Toktosunov"]
      - id: r-3
        names: ["Бермет Сатыбалдиева", "Bermet Satybaldieva"]
      - id: r-5
        names: ["Умид Рахматуллаев", "Umid Rakhmatullaev"]
`

// TestReview30FalseAlerts: the review's findings where round 8 put a member on the
// alert list although the post is about someone else (or no one); each expected
// verdict is what the post supports (fixed after the review).
func TestReview30FalseAlerts(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review30OrgYAML), []verdictCase{
		// A one-word alias that is an everyday word ("келечек", future) names the
		// organisation, and then any lone "Айбек" anywhere in the post is the member.
		{"everyday-word alias/ky", "Келечек жаштардын колунда. Айбек гей экен, Ахунбаева 12 үй 4 батирде жашайт.", want{true, true, false, 0, 0}},
		{"everyday-word alias/ru", "Kelechek — это будущее. Айбек гей, живёт в 5 мкр, дом 12.", want{true, true, false, 0, 0}},
		// Two generic words of a longer alias ("Public Foundation") name it.
		{"generic alias words/en", "Public Foundation Nur donated. Aibek is gay, he lives at 5 Chui Avenue apt 3.", want{true, true, false, 0, 0}},
		// The org named in one sentence, a common given name alone in another: not
		// "next to the organisation's name" as loneSurnameMember's comment says.
		{"given name far from org/ru", "Радуга Демо провела тренинг. Айбек — гей, живёт на Ахунбаева 12 кв 4.", want{true, true, false, 0, 0}},
		// A given name that is an everyday word: "Umid bor" is "there is hope".
		{"everyday-word given name/uz", "Raduga Demo. Umid bor: u gey ekan, Chilonzor 5 kvartal 12 uy.", want{true, true, false, 0, 0}},
		// The kin-anchor verdict reads the post-level Exposed: a member's brother who is
		// only praised becomes an alert because someone else in the post is exposed.
		{"kin anchor, someone else exposed/ky", "Айбек Токтосуновдун иниси футболду жакшы ойнойт. Ал эми Нурлан Асанов гей, Ахунбаева 12 үй 4 батирде жашайт.", want{true, true, false, 0, 1}},
	})
}

// TestReview30MissedOutings: a first-person plural before the label made it the
// author's own coming out even when the sentence labels a named third person, and a
// lone surname after "на"/"по" or before a number was taken for a street (fixed after
// the review).
func TestReview30MissedOutings(t *testing.T) {
	type want = matrixWant
	checkVerdictsWith(t, indexFromYAML(t, review30OrgYAML), []verdictCase{
		{"we know X 🌈/en", "We all know Aibek Toktosunov from the bakery 🌈 he lives at 5 Chui Avenue apt 3.", want{true, true, false, 1, 0}},
		{"we found X 🏳️‍🌈/ru", "Мы нашли его: Токтосунов Айбек, ул. Ахунбаева 12 🏳️‍🌈", want{true, true, false, 1, 0}},
		// A lone surname after "на"/"по"/"on" is taken for a street ("напали на …").
		{"lone surname after на/ru", "Напали на Сатыбалдиеву, она лесбиянка, живёт на Ахунбаева 12 кв 4.", want{true, true, false, 1, 0}},
		// A number after the surname is read as a street ("Токтогул 210"), also when
		// it is a market row ("12-катарда").
		{"lone surname before a number/ky", "Радуга Демо өз ишин улантат. Сатыбалдиева 12-катарда иштейт, лесби экен.", want{true, true, false, 1, 0}},
		{"lone surname after по/ru", "По Сатыбалдиевой видно, что она лесбиянка, живёт на Ахунбаева 12 кв 4.", want{true, true, false, 1, 0}},
	})
}

// TestReview30StreetWordAfterName: streetName dropped a person whose next word is
// "street" ("street vendor"); a Latin street word now counts only capitalised.
func TestReview30StreetWordAfterName(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		{"street vendor/en", "Nurlan Asanov street vendor at Osh bazaar is gay, row 14, every day 8 to 6.", want{true, true, false, 0, 0}},
	})
}

// TestReview30FalseThreat: familySendVerbs with "на работу" (going to work) and
// "фото" made an ordinary message a threat to tell; the verb now needs the media
// right before it and the recipient around it.
func TestReview30FalseThreat(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		{"going to work/ru", "Завтра все пойдут на работу, фото скину вечером.", want{false, false, false, 0, 0}},
		{"going to work/ky", "Сен жумушуңа барат элең, сүрөттөрдү кийин жиберем.", want{false, false, false, 0, 0}},
		{"dad goes to the store/en", "Your dad will go to the store, pics later!", want{false, false, false, 0, 0}},
	})
}

// TestReview30FalseOuting: Uzbek "moviy" (light blue) after any capitalised word ("the
// sky (Osmon) is blue") was read as a claim about a person; it now needs a person
// mention right before it.
func TestReview30FalseOuting(t *testing.T) {
	type want = matrixWant
	checkVerdicts(t, []verdictCase{
		{"sky is blue/uz", "Osmon moviy, havo ochiq, bugun sayrga chiqamiz.", want{false, false, false, 0, 0}},
		{"sky is blue/uz cyrillic", "Осмон мовий, ҳаво очиқ, бугун сайрга чиқамиз.", want{false, false, false, 0, 0}},
	})
}
