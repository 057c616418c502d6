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
