package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHighlight(t *testing.T) {
	text := "Эти НКО — иностранные агенты <b>!</b>"
	i := strings.Index(text, "иностранные")
	j := i + len("иностранные агенты")
	for _, tc := range []struct {
		name string
		ev   []Evidence
		want string
	}{
		{"one span", []Evidence{{Start: i, End: j, Frame: "foreign_agent"}},
			`Эти НКО — <mark class="ev" data-frame="foreign_agent" title="foreign agent">иностранные агенты</mark> &lt;b&gt;!&lt;/b&gt;`},
		{"none", nil, `Эти НКО — иностранные агенты &lt;b&gt;!&lt;/b&gt;`},
		{"out of range", []Evidence{{Start: i, End: len(text) + 5}}, `Эти НКО — иностранные агенты &lt;b&gt;!&lt;/b&gt;`},
		{"inside a rune", []Evidence{{Start: i + 1, End: j}}, `Эти НКО — иностранные агенты &lt;b&gt;!&lt;/b&gt;`},
		{"overlap keeps first", []Evidence{{Start: i, End: j, Frame: "a"}, {Start: i + 2, End: j, Frame: "b"}},
			`Эти НКО — <mark class="ev" data-frame="a" title="a">иностранные агенты</mark> &lt;b&gt;!&lt;/b&gt;`},
		{"frame escaped", []Evidence{{Start: 0, End: len("Эти"), Frame: `"><script>`}},
			`<mark class="ev" data-frame="&#34;&gt;&lt;script&gt;" title="&#34;&gt;&lt;script&gt;">Эти</mark> НКО — иностранные агенты &lt;b&gt;!&lt;/b&gt;`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(highlight(text, tc.ev)); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseEvidence(t *testing.T) {
	ev := NarrativeEvidence(`{"homophobic":true,"score":0.9,"frames":["x"],"evidence":[{"start":1,"end":3,"text":"ab","frame":"x"}]}`)
	if len(ev) != 1 || ev[0].End != 3 || ev[0].Frame != "x" {
		t.Fatalf("%+v", ev)
	}
	for _, bad := range []string{"", "{", `{"evidence":"no"}`, "null", `[]`} {
		if ev := NarrativeEvidence(bad); len(ev) != 0 {
			t.Fatalf("%q gave %+v", bad, ev)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/explorer?frame=x": "/explorer?frame=x", "//evil.invalid": "/", "https://evil.invalid": "/",
		"/\\evil.invalid": "/", "": "/", "explorer": "/"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTemplatesParse(t *testing.T) {
	p, err := loadPages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "error", "overview", "explorer", "post", "clusters", "cluster", "incidents",
		"incident", "alerts", "sources", "reports", "users", "audit"} {
		if p.sets[name] == nil {
			t.Errorf("no template %s", name)
		}
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add("Эти НКО — иностранные агенты", 10, 20)
	f.Add("<script>", 0, 8)
	f.Add(string([]byte{0xff, 0xfe, 'a'}), 0, 2)
	f.Fuzz(func(t *testing.T, text string, start, end int) {
		out := string(highlight(text, []Evidence{{Start: start, End: end, Frame: "f"}}))
		if strings.Contains(out, "<script") {
			t.Fatalf("markup injected: %s", out)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid text")
		}
	})
}
