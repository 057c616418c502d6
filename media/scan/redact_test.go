package scan

import (
	"testing"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/ocr"
)

func TestRedactSpans(t *testing.T) {
	text := "Айбек Токтосунов гей\nтел +996 555 123 456\nродился 12.03.1995 ПИН 21203199500123\nIDKGZID0351703411802200885444<"
	ent := func(sub string, typ exposure.EntityType) exposure.Entity {
		i := indexOf(text, sub)
		return exposure.Entity{Type: typ, Start: i, End: i + len(sub)}
	}
	ents := []exposure.Entity{
		ent("Айбек Токтосунов", exposure.TypePerson),
		ent("гей", exposure.TypeSOGI),
		ent("+996 555 123 456", exposure.TypePhone),
		ent("21203199500123", exposure.TypeNationalID),
		ent("IDKGZID035", exposure.TypeNationalID), // inside the zone line: dropped
	}
	got, rel := redactSpans(&ocr.Result{Text: text}, ents, map[int]bool{})
	want := "[person] гей\nтел +996 *** *** 456\nродился [date] ПИН [national_id]\n[MRZ]"
	if got != want {
		t.Fatalf("redacted\n%q\nwant\n%q", got, want)
	}
	wantRel := []string{"[person]", "гей", "+996 *** *** 456", "[national_id]"}
	if len(rel) != len(wantRel) {
		t.Fatalf("relocated %+v", rel)
	}
	for i, e := range rel {
		if got[e.Start:e.End] != wantRel[i] {
			t.Errorf("entity %d (%s) points at %q, want %q", i, e.Type, got[e.Start:e.End], wantRel[i])
		}
	}
	if again, _ := exposure.Redact(got, rel, exposure.AudienceStored); again != got {
		t.Errorf("masking the redacted text again changed it: %q", again)
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	panic("no " + sub)
}
