package alerts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	text := "Айбек Токтосунов гей, звоните +996 555 000 111"
	person := len("Айбек Токтосунов")
	sogiStart := person + 1
	sogiEnd := sogiStart + len("гей")
	phoneStart := strings.Index(text, "+996")
	for _, tc := range []struct {
		name     string
		entities []Entity
		want     string
		err      error
	}{
		{"every span masked", []Entity{{"person", 0, person}, {"sogi", sogiStart, sogiEnd}, {"phone", phoneStart, len(text)}},
			"[person] [sogi], звоните [phone]", nil},
		{"unsorted input", []Entity{{"phone", phoneStart, len(text)}, {"person", 0, person}},
			"[person] гей, звоните [phone]", nil},
		{"nested span", []Entity{{"person", 0, person}, {"person", 0, len("Айбек")}}, "[person] гей, звоните +996 555 000 111", nil},
		{"overlapping spans", []Entity{{"phone", phoneStart, phoneStart + 8}, {"phone", phoneStart + 4, len(text)}},
			"Айбек Токтосунов гей, звоните [phone]", nil},
		{"no entities", nil, text, nil},
		{"out of range", []Entity{{"phone", phoneStart, len(text) + 1}}, "", ErrBadSpans},
		{"negative", []Entity{{"phone", -1, 3}}, "", ErrBadSpans},
		{"empty span", []Entity{{"phone", 3, 3}}, "", ErrBadSpans},
		{"splits a character", []Entity{{"person", 1, 4}}, "", ErrBadSpans},
		{"odd label", []Entity{{"<b>x</b>", 0, person}}, "[data] гей, звоните +996 555 000 111", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Redact(text, tc.entities)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Redact = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := Redact("bad \xff utf8", nil); !errors.Is(err, ErrBadSpans) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
}

func TestDecodeExposure(t *testing.T) {
	e, err := DecodeExposure([]byte(`{"exposed":true,"outing":true,"severity":"critical",
		"entities":[{"type":"person","start":0,"end":5},{"type":"phone","start":6,"end":9},{"type":"phone","start":10,"end":12}],
		"watchlist":[{"org":"org-a","member":"m-001"},{"org":"org-a","member":"m-001"},{"org":"org-b","member":"x"},{"org":"","member":"y"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if e.Severity != SeverityCritical || !slices.Equal(e.Categories(), []string{"phone", "sogi"}) ||
		!slices.Equal(e.Members(), []MemberRef{{"org-a", "m-001"}, {"org-b", "x"}}) {
		t.Fatalf("decoded %+v categories %v members %v", e, e.Categories(), e.Members())
	}
	if _, err := DecodeExposure(nil); !errors.Is(err, ErrNoExposure) {
		t.Fatal(err)
	}
	if _, err := DecodeExposure([]byte(`{"severity":"catastrophic"}`)); err == nil {
		t.Fatal("unknown severity accepted")
	}
	if _, err := DecodeExposure([]byte(`{"exposed":`)); err == nil {
		t.Fatal("truncated JSON accepted")
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("Айбек +996 555 000 111", 0, 10, 11, 27)
	f.Add("", 0, 0, 0, 0)
	f.Add("abc", 2, 1, -5, 100)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		out, err := Redact(text, []Entity{{"person", s1, e1}, {"phone", s2, e2}})
		if err != nil {
			if out != "" {
				t.Fatal("text returned with an error")
			}
			return
		}
		// Every masked byte range is gone from the output unless it also occurs unmasked.
		if len(out) > len(text)+2*len("[person]") {
			t.Fatalf("output grew: %q -> %q", text, out)
		}
	})
}

// FuzzExposureResult feeds arbitrary classifier output and post text through what
// Handle does before touching state: decode, categories, members and redaction. It must
// never panic, and redaction either fails or masks every span it was given.
func FuzzExposureResult(f *testing.F) {
	f.Add([]byte(`{"exposed":true,"severity":"high","entities":[{"type":"phone","start":0,"end":4}],"watchlist":[{"org":"o","member":"m"}]}`), "1234 and more")
	f.Add([]byte(`{"entities":[{"type":"person","start":5,"end":2}]}`), "short")
	f.Add([]byte(`{"severity":"none","entities":null,"watchlist":[{}]}`), "")
	f.Add([]byte(`[]`), "x")
	f.Fuzz(func(t *testing.T, raw []byte, text string) {
		e, err := DecodeExposure(raw)
		if err != nil {
			return
		}
		_ = e.Categories()
		for _, m := range e.Members() {
			if m.Org == "" || m.Member == "" {
				t.Fatalf("empty member ref %+v", m)
			}
		}
		out, err := Redact(text, e.Entities)
		if err != nil {
			return
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", text)
		}
	})
}

// TestCategoriesPreferTheClassifiers: an exposure/2 result names its data categories, so
// an entity span the verdict did not count (a workplace word in a post exposing a phone)
// is not announced; an older result without them falls back to its entity types.
func TestCategoriesPreferTheClassifiers(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want string
	}{
		{`{"exposed":true,"outing":true,"severity":"high","entities":[{"type":"person","start":0,"end":1},{"type":"phone","start":1,"end":2},{"type":"workplace","start":2,"end":3}],"categories":["phone"]}`, "phone,sogi"},
		{`{"exposed":true,"outing":false,"severity":"high","entities":[{"type":"person","start":0,"end":1},{"type":"phone","start":1,"end":2},{"type":"workplace","start":2,"end":3}]}`, "phone,workplace"},
		{`{"exposed":false,"threat":true,"severity":"critical","entities":[],"categories":[]}`, "threat"},
	} {
		e, err := DecodeExposure([]byte(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(e.Categories(), ","); got != tc.want {
			t.Errorf("%s: categories %q, want %q", tc.raw, got, tc.want)
		}
	}
}
