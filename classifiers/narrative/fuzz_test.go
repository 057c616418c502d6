package narrative

import (
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"
)

// FuzzClassifyText checks that no input panics and that evidence always points at the
// bytes it quotes.
func FuzzClassifyText(f *testing.F) {
	for _, s := range []string{
		"", "Геи — больные люди", "г е й", "п@дики", "г*й", "«смерть извращенцам»", "\xff\xfe",
		"Гейлерди өлтүргүлө", "o'ldirish", "I'm gay", "gaaaay", "🏳️‍🌈", "a b c d e f g h i j k l m n",
		"п.и.д.о.р", "*@#$%", "Я не гей, но", "ГЕИ" + strings.Repeat("!", 100),
		">>геи больные\nНет.", ">", ">>", "\n>\n", "> 18 лет", "„цитата“ и «ещё»", "п€д0р€", "€", "Troon troon",
		"гейлерди сабагыла деп айткан эмесмин", "\xff>\n>\xfe",
	} {
		f.Add(s)
	}
	_, full := testClassifiers(f)
	f.Fuzz(func(t *testing.T, s string) {
		r := full.ClassifyText(s)
		if r.Prob < 0 || r.Prob > 1 {
			t.Fatalf("score %v", r.Prob)
		}
		if r.Homophobic && len(r.LabelList) == 0 {
			t.Fatalf("flagged without a label: %q", s)
		}
		if r.Homophobic && len(r.Evidence) == 0 {
			t.Fatalf("flagged without evidence: %q", s)
		}
		for _, e := range r.Evidence {
			if e.Start < 0 || e.End > len(s) || e.Start >= e.End || s[e.Start:e.End] != e.Text || !utf8.ValidString(e.Text) {
				t.Fatalf("bad evidence %+v for %q", e, s)
			}
		}
	})
}

// FuzzLexiconLine checks that no lexicon line panics the parser.
func FuzzLexiconLine(f *testing.F) {
	for _, s := range []string{
		"target\tru\tгей", "slur\ten\tfag*\treclaimable", "dehumanization\tru\tбольн*|=болен\tw=0.8",
		"negation\tky\t=эмес\tafter", "x\ty\tz", "target\t*\t", "target\tuz\to'g'il", "\t\t\t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		fsys := fstest.MapFS{"VERSION": {Data: []byte("f\n")}, "f.tsv": {Data: []byte(line)}}
		lx, err := loadLexicon(fsys)
		if err != nil {
			return
		}
		a := &analysis{}
		a.run(lx, line+" гей больные")
		a.applyRules()
	})
}

// FuzzReadExamples checks that the JSONL reader never panics and reports, not drops,
// bad lines.
func FuzzReadExamples(f *testing.F) {
	f.Add(`{"id":"a","text":"x","homophobic":true,"frames":["dehumanization"]}` + "\nnot json\n")
	f.Add("\n\n\n")
	f.Add(`{"id":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		exs, errs := ReadExamples(strings.NewReader(in), true)
		lines := strings.Count(in, "\n") + 1
		if len(exs)+len(errs) > lines {
			t.Fatalf("%d examples and %d errors from %d lines", len(exs), len(errs), lines)
		}
	})
}
