package campaigns

import (
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

func TestTransliterationSchemes(t *testing.T) {
	cases := []struct {
		name string
		sc   scheme
		in   string
		want string
	}{
		{"icao", icaoScheme, "защитим наших детей 2026", "zashchitim nashikh detei 2026"},
		{"icao ya yu", icaoScheme, "язык юрист объём", "iazyk iurist obieem"},
		{"gost b", gostScheme, "цены выше хлеба", "czeny' vy'she xleba"},
		{"gost b kyrgyz", gostScheme, "үнүн өз таңуулатпайбыз", "u`nu`n o`z tan`uulatpajby'z"},
		{"turkic", turkicScheme, "шашылыш жок чындык", "şaşılış jok çındık"},
		{"turkic kyrgyz", turkicScheme, "үнүн өз таң #тег", "ünün öz tañ #teg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.sc.transliterate(tc.in); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Every phrase of the list, in every wording and scheme, comes out without Cyrillic
// letters, and the two languages of a phrase share no word.
func TestPhrasesTransliterateCompletely(t *testing.T) {
	for i, ph := range phrases {
		if len(ph.ru) < 2 || len(ph.ky) < 2 {
			t.Errorf("phrase %d: want at least two wordings per language", i)
		}
		ru := map[string]bool{}
		for _, w := range ph.ru {
			for _, f := range strings.Fields(w) {
				ru[f] = true
			}
		}
		for _, w := range ph.ky {
			for _, f := range strings.Fields(w) {
				if ru[f] && f != "бул" {
					t.Errorf("phrase %d: %q in both languages", i, f)
				}
			}
		}
		for _, sc := range []scheme{icaoScheme, gostScheme, turkicScheme} {
			for _, w := range append(append([]string{}, ph.ru...), ph.ky...) {
				for _, r := range sc.transliterate(w) {
					if unicode.Is(unicode.Cyrillic, r) {
						t.Fatalf("phrase %d %q: Cyrillic %q left", i, w, r)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	if phraseText(r, 0, true) == phraseText(r, 0, false) {
		t.Fatal("Kyrgyz and Russian wording coincide")
	}
}

// The generator is independent of the detector: it imports nothing of it.
func TestGeneratorImportsNoDetectorCode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	const detector = "github.com/kuzot/kuzot/coordination"
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			// The detector, its tuning generator and its tools: everything of
			// package coordination except this generator.
			if (p == detector || strings.HasPrefix(p, detector+"/")) && !strings.HasPrefix(p, detector+"/campaigns") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
