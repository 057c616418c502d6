package exposure

import (
	"errors"
	"strings"
	"testing"
)

// TestRedactAlert: the alert rule masks every span, SOGI and phones whole, and refuses
// spans that do not fit the text.
func TestRedactAlert(t *testing.T) {
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
			got, err := Redact(text, tc.entities, AudienceAlert)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Redact = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	if _, err := Redact("bad \xff utf8", nil, AudienceAlert); !errors.Is(err, ErrBadSpans) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
}

func FuzzRedactAlert(f *testing.F) {
	f.Add("Айбек +996 555 000 111", 0, 10, 11, 27)
	f.Add("", 0, 0, 0, 0)
	f.Add("abc", 2, 1, -5, 100)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		out, err := Redact(text, []Entity{{"person", s1, e1}, {"phone", s2, e2}}, AudienceAlert)
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
