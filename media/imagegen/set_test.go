package imagegen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/media/mrz"
)

func TestDeterministic(t *testing.T) {
	f, err := LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	a := (&Generator{Fonts: f, Seed: DefaultSeed, Now: DefaultNow}).Base("id_card-ky-1", KindIDCard, "ky")
	b := (&Generator{Fonts: f, Seed: DefaultSeed, Now: DefaultNow}).Base("id_card-ky-1", KindIDCard, "ky")
	if !bytes.Equal(a.Image.Pix, b.Image.Pix) || a.Truth.PIN != b.Truth.PIN {
		t.Error("the same id rendered two different pictures")
	}
	c := (&Generator{Fonts: f, Seed: DefaultSeed + 1, Now: DefaultNow}).Base("id_card-ky-1", KindIDCard, "ky")
	if c.Truth.PIN == a.Truth.PIN {
		t.Error("another seed rendered the same person")
	}
}

// TestTruth: the labels agree with what was drawn: valid zones pass every check digit,
// broken ones do not; personal numbers are well formed; non-document kinds are not
// exposures.
func TestTruth(t *testing.T) {
	f, err := LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	g := &Generator{Fonts: f, Seed: DefaultSeed, Now: DefaultNow}
	valid, broken := 0, 0
	for _, b := range g.Bases(8) {
		if b.Split != SplitOf(b.ID) {
			t.Errorf("%s: split %s", b.ID, b.Split)
		}
		switch b.Kind {
		case KindIDCard, KindPassport:
			lines := mrz.ComposeTD1(b.Truth.Holder)
			if b.Kind == KindPassport {
				lines = mrz.ComposeTD3(b.Truth.Holder)
			}
			zs := mrz.Find(strings.Join(lines, "\n"), DefaultNow)
			if len(zs) != 1 || !zs[0].Valid() {
				t.Errorf("%s: composed zone does not parse valid: %+v", b.ID, zs)
			}
			if b.Truth.MRZValid {
				valid++
			} else {
				broken++
				bz := mrz.Find(strings.Join(breakZone(lines, g.rng(b.ID)), "\n"), DefaultNow)
				if len(bz) == 1 && bz[0].Valid() {
					t.Errorf("%s: broken zone parses valid", b.ID)
				}
			}
			if b.Truth.PIN != "" {
				if _, ok := mrz.ParsePIN(b.Truth.PIN, DefaultNow); !ok {
					t.Errorf("%s: personal number %s invalid", b.ID, b.Truth.PIN)
				}
			}
		case KindList:
			if !b.Truth.Exposed {
				t.Errorf("%s: a list is an exposure", b.ID)
			}
		default:
			if b.Truth.Exposed || b.Truth.HasMRZ {
				t.Errorf("%s: %s labelled exposed", b.ID, b.Kind)
			}
		}
	}
	if valid == 0 || broken == 0 {
		t.Errorf("%d valid and %d broken zones; want both", valid, broken)
	}
}
