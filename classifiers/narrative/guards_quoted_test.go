package narrative

import (
	"slices"
	"testing"
)

// TestGuardsInQuotes pins that counter-speech and reporting cues guard a post only in
// the author's own words (stop 31): a cue inside quotation marks or in a quoted reply
// line (">>…", the comment being answered) is someone else's. The twins keep the cue
// in the author's words and keep the guard.
func TestGuardsInQuotes(t *testing.T) {
	rules, _ := testClassifiers(t)
	tests := []struct {
		name      string
		text      string
		wantGuard string // the guard that must (or, with absent, must not) fire
		absent    bool
	}{
		{"uz reply line quotes the counter cue", ">>geylar ham inson, ularning ham huquqi bor\nHuquq? Qanaqa huquq? Bizda ular uchun huquq yo'q va bo'lmaydi",
			GuardCounter, true},
		{"uz twin: the author says it", ">>geylar kasal\nYolg'on gapirma, geylar ham inson, ularning ham huquqi bor",
			GuardCounter, false},
		{"en scare quotes", `Foreign-funded "human rights" NGOs are just fronts for the LGBT lobby. Shut them all down.`,
			GuardCounter, true},
		{"en twin without quotes", "Human rights groups say calling LGBT people a lobby is a smear.",
			GuardCounter, false},
		{"ru scare-quoted authority", "Гомосексуализм — психическое расстройство, и никакие «ВОЗ» меня не переубедят",
			GuardCounter, true},
		{"ru twin: the authority cited", "ВОЗ давно исключила гомосексуальность из списка болезней, хватит врать",
			GuardCounter, false},
		{"ru reply line quotes a report cue", ">>в новостях сообщили, что в городе прошёл марш\nГеев надо гнать из страны, нечего им тут маршировать",
			GuardReported, true},
		{"ru twin: the author reports", "Депутат заявил, что геев надо сажать, сообщает издание.",
			GuardReported, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rules.ClassifyText(tc.text)
			if got := slices.Contains(r.Guards, tc.wantGuard); got == tc.absent {
				t.Errorf("guard %s fired=%v, want %v (guards %v, score %.2f)", tc.wantGuard, got, !tc.absent, r.Guards, r.Prob)
			}
		})
	}
}

// TestSlurSpellings pins spellings and leetspeak that evade the slur list: the euro
// sign as an e, "педор-"/"педрил-" spellings, the English "troon" (lower case only:
// review31_test.go has Troon the town). The Uzbek "bachaboz" is a target, not a slur
// (its literal sense fills crime news; targets.tsv).
func TestSlurSpellings(t *testing.T) {
	rules, _ := testClassifiers(t)
	for _, text := range []string{
		"п€д0рам не место среди живых",
		"педоров надо гнать из страны",
		"just another troon, they are all mentally ill",
	} {
		r := rules.ClassifyText(text)
		if !slices.Contains(r.LabelList, LabelSlur) && !slices.Contains(r.LabelList, LabelSlurInsult) {
			t.Errorf("%q: no slur found (labels %v, frames %v)", text, r.LabelList, r.FrameList)
		}
	}
	// Look-alikes stay clean: a price in euros, "Педро" the name, "педиатр".
	for _, text := range []string{
		"Билет стоит 40€, едем в субботу",
		"Педро Альмодовар снял новый фильм",
		"Записались к педиатру на вторник",
	} {
		if r := rules.ClassifyText(text); len(r.LabelList) > 0 || r.Homophobic {
			t.Errorf("%q: flagged or labelled (labels %v, score %.2f)", text, r.LabelList, r.Prob)
		}
	}
}

// verdictCase is a post and whether the rule layer must flag it.
type verdictCase struct {
	text    string
	flagged bool
}

// checkRuleVerdicts asserts the rule layer's verdict on every case.
func checkRuleVerdicts(t *testing.T, cases []verdictCase) {
	t.Helper()
	rules, _ := testClassifiers(t)
	for _, tc := range cases {
		r := rules.ClassifyText(tc.text)
		if r.Homophobic != tc.flagged {
			t.Errorf("%q: homophobic=%v, want %v (score %.2f, guards %v, frames %v)", tc.text, r.Homophobic, tc.flagged, r.Prob, r.Guards, r.FrameList)
		}
	}
}

// TestNegationPersonForms pins the postposed negation with a person ending (Kyrgyz
// "эмесмин", Uzbek "emasman": "I did not / I am not"), and its flagged twins.
func TestNegationPersonForms(t *testing.T) {
	checkRuleVerdicts(t, []verdictCase{
		{"Мен гейлерди оорулуу деп айткан эмесмин, түшүнбөй туруп жазба", false},
		{"Мен гейлерди оорулуу деп эсептейм, аларды дарылоо керек", true},
		{"Men geylarni kasal deb aytgan emasman, gapimni burmalama", false},
		{"Geylar kasal, ularni davolash kerak", true},
	})
}

// TestDescribedTargets pins a same-sex couple described instead of named, kissing
// ("two men kissing", "два мужика целуются"), as a target for a frame cue; supportive
// posts and "man to man" phrases are not flagged (review31_test.go has wrestling and
// grammar look-alikes).
func TestDescribedTargets(t *testing.T) {
	checkRuleVerdicts(t, []verdictCase{
		{"Seeing two men kissing on the bus is disgusting, ban this filth", true},
		{"Два мужика целуются прямо во дворе, позор, гнать таких из подъезда", true},
		{"Two men kissing at the wedding, and everyone cheered, so happy for them", false},
		{"Разговор мужчины с мужчиной: как выбрать первую машину", false},
	})
}
