package narrative

import (
	"slices"
	"testing"
)

// TestGuards checks each guard kind of issue 4 on the rule layer alone (so the test
// pins the rules, not the trained weights) and on the full classifier.
func TestGuards(t *testing.T) {
	rules, full := testClassifiers(t)
	tests := []struct {
		name      string
		text      string
		flagged   bool
		wantGuard string // a guard that must fire ("" for none)
	}{
		// self-reference
		{"self ru", "Я гей, и мне говорят, что я больной. Мне 27 и я счастлив.", false, GuardSelf},
		{"self en", "I am a lesbian and a mother; people call us a threat to family values.", false, GuardSelf},
		{"self ky", "Мен гей, мени оорулуу дешет, бирок мен бактылуумун.", false, GuardSelf},
		{"negated self is not self", "Я не гей, но геи — больные люди.", true, ""},
		{"self cue far from target", "Я считаю, что геи — больные люди.", true, ""},
		{"object is not a self-label ru", "Я геев считаю больными людьми.", true, ""},
		{"object is not a self-label ky", "Мен гейлерди оорулуу деп эсептейм, аларды дарылоо керек.", true, ""},
		// reclaimed language
		{"reclaimed dyke", "Proud dyke here, proud of my wife and our little queer family.", false, GuardReclaimed},
		{"reclaimed dyke march", "Dyke march on Saturday, bring your loudest signs!", false, GuardReclaimed},
		{"slur used against", "Dykes are disgusting.", true, ""},
		// counter-speech
		{"counter ru", "Называть геев больными — это гомофобия и ложь.", false, GuardCounter},
		{"counter en", "Calling trans people freaks is transphobia. Stop the hate.", false, GuardCounter},
		{"counter ky", "Гейлерди оорулуу деп атоо гомофобия жана дискриминация.", false, GuardCounter},
		// reported speech, quotes and news
		{"news ru", "Депутат заявил, что «геи — это болезнь общества», сообщает издание.", false, GuardReported},
		{"news en", "A lawmaker said gay propaganda must be banned, according to local media.", false, GuardReported},
		{"quote only", "«Смерть извращенцам» — такие комментарии пишут под каждым постом.", false, GuardReported},
		// negation
		{"negation ru", "Геи — не больные, это обычные люди.", false, GuardNegation},
		{"negation en", "Homosexuality is not a disease.", false, GuardNegation},
		{"negation ky postposition", "Гейлер оорулуу эмес.", false, GuardNegation},
		{"negation uz postposition", "Geylar kasal emas.", false, GuardNegation},
		// the same cues without guards are flagged
		{"plain ru", "Геи — больные люди, их надо лечить.", true, ""},
		{"plain en", "Gay propaganda must be banned to protect our children.", true, ""},
		{"plain ky", "Гейлер оорулуу, аларды дарылоо керек.", true, ""},
		// ordinary family/children/values talk has no target
		{"ordinary family", "Традиционные семейные ценности — это уважение к старшим и забота о детях.", false, ""},
		{"ordinary children", "Protect our children from online scams: five tips for parents.", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rules.ClassifyText(tc.text)
			if r.Homophobic != tc.flagged {
				t.Errorf("rules: homophobic=%v, want %v (score %.2f, guards %v, frames %v)", r.Homophobic, tc.flagged, r.Prob, r.Guards, r.FrameList)
			}
			if tc.wantGuard != "" && !slices.Contains(r.Guards, tc.wantGuard) {
				t.Errorf("rules: guard %s did not fire (guards %v)", tc.wantGuard, r.Guards)
			}
			f := full.ClassifyText(tc.text)
			if f.Homophobic != tc.flagged {
				t.Errorf("full: homophobic=%v, want %v (score %.2f rules %.2f, frames %v)", f.Homophobic, tc.flagged, f.Prob, f.RuleScore, f.FrameList)
			}
		})
	}
}

func TestFramesByLanguage(t *testing.T) {
	rules, _ := testClassifiers(t)
	tests := []struct {
		text string
		want Frame
	}{
		{"Запретить гей-пропаганду немедленно!", FramePropagandaBan},
		{"ЛГБТ-организации — иностранные агенты на западные гранты.", FrameForeignAgent},
		{"Гомосексуализм навязан Западом, это чуждо нашему народу.", FrameWesternValues},
		{"Брак — только союз мужчины и женщины, никаких однополых браков.", FrameTraditionalFamily},
		{"Защитим наших детей от ЛГБТ!", FrameChildProtection},
		{"Оппозиция — сплошь геи, не голосуйте за эту партию.", FramePoliticalSmear},
		{"Трансы — психически больные уроды.", FrameDehumanization},
		{"Геев надо выгнать из страны.", FrameViolenceThreat},
		{"ЛГБТ Батыштын баалуулуктары, кыргыз элине жат.", FrameWesternValues},
		{"Гейлерди өлтүргүлө!", FrameViolenceThreat},
		{"Foreign agents on Soros money run these LGBT NGOs.", FrameForeignAgent},
		{"LGBTdan bolalarni himoya qilish kerak!", FrameChildProtection},
	}
	for _, tc := range tests {
		r := rules.ClassifyText(tc.text)
		if !r.Homophobic || !slices.Contains(r.FrameList, tc.want) {
			t.Errorf("%q: got homophobic=%v frames %v, want %s", tc.text, r.Homophobic, r.FrameList, tc.want)
		}
	}
}

// TestIssue14PlainStatements: the plain statements issue 14 names as missed
// (conspiracy, "a family is a husband and a wife", bare hatred) are flagged through
// general lexicon patterns (lexicon 2026-12-06.1), and their reported, countered and
// ordinary twins are not.
func TestIssue14PlainStatements(t *testing.T) {
	_, full := testClassifiers(t)
	for _, tc := range []struct {
		text    string
		flagged bool
	}{
		{"ЛГБТ это проект иностранных спецслужб", true},
		{"LGBT is a project of foreign intelligence services", true},
		{"Семья это муж и жена, и больше ничего у нас не будет", true},
		{"A family is a husband and a wife, nothing else will ever be allowed here", true},
		{"I hate gay people", true},
		{"Говорить, что ЛГБТ — проект спецслужб, — ложь и гомофобия", false},
		{"Депутат заявил, что ЛГБТ — проект иностранных спецслужб", false},
		{"Мы с мужем и женой соседа ездили на дачу", false},
		{"ЦРУ опубликовало новый доклад", false},
		{"I hate Mondays", false},
		{"Я гей и я ненавижу, когда меня называют больным", false},
	} {
		if r := full.ClassifyText(tc.text); r.Homophobic != tc.flagged {
			t.Errorf("%q: homophobic=%v, want %v (score %.2f rules %.2f, frames %v, guards %v)", tc.text, r.Homophobic, tc.flagged, r.Prob, r.RuleScore, r.FrameList, r.Guards)
		}
	}
}
