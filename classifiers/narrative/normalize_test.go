package narrative

import (
	"strings"
	"testing"
)

func TestNormalisationDefeatsEvasion(t *testing.T) {
	rules, _ := testClassifiers(t)
	tests := []struct {
		name, text, want string // want: a kind or frame that must be matched
	}{
		{"case", "ГЕИ", "target"},
		{"latin look-alike in Cyrillic word", "гeи", "target"}, // Latin e
		{"cyrillic look-alike in Latin word", "gаy", "target"}, // Cyrillic а
		{"latin capital look-alikes", "ПИДOPЫ", "slur"},        // Latin O and P
		{"leetspeak digit", "f4gs", "slur"},                    // 4 → a
		{"leetspeak at sign read as letter", "g@ys", "target"}, // @ → a
		{"symbol masking a letter", "г*й", "target"},           // * → any letter
		{"leet symbol retried as mask", "п@дик", "slur"},       // @ is not а here
		{"repeated letters", "гееееей", "target"},
		{"repeated letters latin", "gaaaaays", "target"},
		{"spaced-out letters", "г е й", "target"},
		{"dotted letters", "п.и.д.о.р", "slur"},
		{"hyphen-spaced letters", "g-a-y", "target"},
		{"russian stemming", "пропагандой", "propaganda_ban"},
		{"russian stemming plural genitive", "извращенцами", "slur"},
		{"russian snowball stem of adjective", "традиционными семейными ценностями", "traditional_family"},
		{"kyrgyz plural accusative", "гейлерди", "target"},
		{"kyrgyz case chain", "лгбтнын пропагандасына", "propaganda_ban"},
		{"kyrgyz loose letters", "балдарды коргоо", "child_protection"}, // коргоо: ө-less keyboard
		{"kyrgyz proper letters", "өлтүргүлө", "violence_threat"},
		{"uzbek latin apostrophe", "o'ldirish", "violence_threat"},
		{"uzbek latin modifier letter", "targʻiboti", "propaganda_ban"},
		{"uzbek cyrillic", "тарғиботини", "propaganda_ban"},
		{"uzbek cyrillic plural", "гейларни", "target"},
		{"english inflection", "grooming", "child_protection"},
		{"hashtag and emphasis", "#гей!!!", "target"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, toks := matchedKinds(rules, tc.text)
			if !got[tc.want] {
				t.Errorf("%q: %s not matched; tokens %q, matched %v", tc.text, tc.want, toks, got)
			}
		})
	}
}

func TestNormalisationKeepsOrdinaryWords(t *testing.T) {
	rules, _ := testClassifiers(t)
	tests := []struct{ text, notWant string }{
		{"гейм окончен", "target"},  // game, not gay
		{"гейша танцует", "target"}, // geisha
		{"я в и с", "slur"},         // one-letter words stay words
		{"кот", "slur"},
		{"семинар", "traditional_family"},
		{"больница на углу", "dehumanization"}, // hospital, not sick
		{"жек көрбөйм", "dehumanization"},      // Kyrgyz negative verb: "I do not hate"
	}
	for _, tc := range tests {
		got, toks := matchedKinds(rules, tc.text)
		if got[tc.notWant] {
			t.Errorf("%q: unexpectedly matched %s (tokens %q)", tc.text, tc.notWant, toks)
		}
	}
}

func TestTokenOffsetsAreOriginalBytes(t *testing.T) {
	text := "🏳️‍🌈 «ГЕИ»\xff — п@дики, г е й!"
	a := &analysis{}
	a.tokenize(text)
	var got []string
	for _, tk := range a.toks {
		got = append(got, text[tk.start:tk.end])
	}
	want := []string{"ГЕИ", "п@дики", "г", "е", "й"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("tokens %q, want %q", got, want)
	}
	if !a.toks[0].quoted || a.toks[1].quoted {
		t.Errorf("quote state wrong: %+v", a.toks[:2])
	}
}

// TestNormalisationFalsePositives pins the false flags of issue 14 found in real
// Russian forum posts that mention nothing LGBT-related: ordinary words must not turn
// into slurs or anchors through stemming, prefixes or masks.
func TestNormalisationFalsePositives(t *testing.T) {
	rules, full := testClassifiers(t)
	tests := []struct{ name, text string }{
		{"baking soda", "Купил соду и уксус, сода пищевая, содой почистил"},
		{"pedicure", "Сделала педикюр вчера, педикюрный салон у дома"},
		{"pupated", "/f/f11/t/ я утром искал - тоже не мог найти. Подумал - окуклились, уже было такое."},
		{"degenerate as a general insult", "Ты дегенерат, выродок и вообще"},
		{"board name with digits", "f11 опять лежит"},
	}
	for _, tc := range tests {
		k, toks := matchedKinds(rules, tc.text)
		if k["slur"] || k["western_values"] {
			t.Errorf("%s: matched %v in %v", tc.name, k, toks)
		}
		for name, c := range map[string]*Classifier{"rules": rules, "full": full} {
			if r := c.ClassifyText(tc.text); r.Homophobic || len(r.LabelList) > 0 {
				t.Errorf("%s: %s flagged %+v", tc.name, name, r)
			}
		}
	}
	// The real words still match.
	for _, tc := range []struct{ text, want string }{
		{"педики", "slur"}, {"педиков", "slur"}, {"Содом и Гоморра", "western_values"}, {"п@дик", "slur"},
	} {
		if k, toks := matchedKinds(rules, tc.text); !k[tc.want] {
			t.Errorf("%q: %s not matched (%v, %v)", tc.text, tc.want, k, toks)
		}
	}
	// A general insult next to an LGBT target is still a frame cue.
	if r := rules.ClassifyText("Геи — дегенераты."); !r.Homophobic {
		t.Errorf("\"Геи — дегенераты\" not flagged: %+v", r)
	}
}
