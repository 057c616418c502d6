package scan

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/mrz"
	"github.com/kuzot/kuzot/media/ocr"
)

func TestMRZLike(t *testing.T) {
	for _, c := range []struct {
		line string
		want bool
	}{
		{"IDKGZID0351703411802200885444<", true},
		{"0802189F2801011KGZ<<<<<<<<<<<3", true},
		{"SATYBALDYOVA<<DINARA<<<<<<<<<<", true},
		{"Персональный номер (ПИН)", false},
		{"ИТОГО 1250.00", false},
	} {
		if got := mrzLike(c.line); got != c.want {
			t.Errorf("mrzLike(%q) = %v; want %v", c.line, got, c.want)
		}
	}
}

func TestZoneHint(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  bool
	}{
		{[]string{"ПАСПОРТ", "Р<И7ВМА7АВО\\<<МОО)ТВА<<<<<<<<<<<<<<<"}, true},
		{[]string{"AC96887503KGZ8201146M34120192140119825055960"}, true},
		{[]string{"ИТОГО 1250.00", "Спасибо за покупку!"}, false},
		{[]string{"ФН 0012345678901234 ФД 00012345"}, false},
	} {
		res := &ocr.Result{}
		for _, l := range c.lines {
			res.Lines = append(res.Lines, ocr.Line{Text: l})
		}
		if got := zoneHint(res); got != c.want {
			t.Errorf("zoneHint(%q) = %v; want %v", c.lines, got, c.want)
		}
	}
}

func TestCleanNames(t *testing.T) {
	now := imagegen.DefaultNow
	clean := "P<KGZKADYROVA<<BERMET<<<<<<<<<<<<<<<<<<<<<<<\nAC44544544KGZ0405177F33070101170520043503182"
	digit := strings.Replace(clean, "BERMET", "BERME1", 1)
	for _, c := range []struct {
		text string
		want int
	}{{clean, 1}, {digit, 0}, {"no zone here", 0}} {
		if got := cleanNames(mrz.Find(c.text, now), c.text); got != c.want {
			t.Errorf("cleanNames(%q) = %d; want %d", c.text, got, c.want)
		}
	}
}

func TestMaskDigitRuns(t *testing.T) {
	if got := maskDigitRuns("ПИН 2 15031990 00123, кв 12"); got != "ПИН [ID], кв 12" {
		t.Errorf("maskDigitRuns = %q", got)
	}
}

// TestScanGenerated runs Tesseract on dev pictures of the generated set: an ID-card
// mock-up must come back exposed with a valid zone, boxes inside the picture and no
// personal number or zone line in the redacted text; an ordinary picture must not.
func TestScanGenerated(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("tesseract is not installed (scripts/test.sh installs it)")
	}
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: imagegen.DefaultNow}
	var card imagegen.Base
	for _, b := range g.Bases(8) {
		if b.Kind == imagegen.KindIDCard && b.Split == "dev" && b.Truth.MRZValid {
			card = b
			break
		}
	}
	if card.Image == nil {
		t.Fatal("no dev ID card with a valid zone in the generated set")
	}
	photo := g.Base("photo-en-1", imagegen.KindPhoto, "en")
	cls, err := exposure.NewWithOptions(context.Background(), exposure.Options{Config: exposure.Config{WatchlistDir: t.TempDir()}, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	s := &Scanner{OCR: &ocr.Tesseract{}, Analyze: cls.Analyze, Now: func() time.Time { return imagegen.DefaultNow }}
	f, err := s.Scan(context.Background(), 2, card.Image, "")
	if err != nil {
		t.Fatal(err)
	}
	// Whether the zone is read exactly is measured by the evaluation; here the card
	// must be found as a document with its zone.
	if !f.Exposed || len(f.Zones) == 0 || f.Kind != KindIDCard || f.MediaIndex != 2 {
		t.Errorf("ID card: exposed %v, zones %d, kind %q, index %d", f.Exposed, len(f.Zones), f.Kind, f.MediaIndex)
	}
	b := card.Image.Bounds()
	sawMRZ := false
	for _, e := range f.Entities {
		if e.Box.W <= 0 || e.Box.H <= 0 || e.Box.X < 0 || e.Box.Y < 0 || e.Box.X+e.Box.W > b.Dx() || e.Box.Y+e.Box.H > b.Dy() {
			t.Errorf("entity %+v has a box outside the %v picture", e, b)
		}
		sawMRZ = sawMRZ || e.Source == "mrz"
	}
	if !sawMRZ {
		t.Errorf("no mrz entity in %+v", f.Entities)
	}
	if strings.Contains(f.Redacted, card.Truth.PIN) || strings.Contains(f.Redacted, card.Truth.Holder.Surname+"<<") {
		t.Errorf("redacted text keeps the personal number or the zone:\n%s", f.Redacted)
	}
	pf, err := s.Scan(context.Background(), 0, photo.Image, "")
	if err != nil {
		t.Fatal(err)
	}
	if pf.Exposed || pf.MRZValid {
		t.Errorf("ordinary picture judged exposed: %+v", pf)
	}
}
