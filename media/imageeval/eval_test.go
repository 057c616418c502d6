package imageeval

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/mrz"
)

func TestExact(t *testing.T) {
	h := mrz.Holder{DocumentCode: "ID", Issuer: "KGZ", DocumentNumber: "ID0412345", Nationality: "KGZ",
		BirthDate: time.Date(1994, 3, 15, 0, 0, 0, 0, time.UTC), ExpiryDate: time.Date(2031, 6, 30, 0, 0, 0, 0, time.UTC),
		Sex: "M", Surname: "TOKTOSUNOV", GivenNames: "AIBEK", Optional1: "21503199400123"}
	now := imagegen.DefaultNow
	zs := mrz.Find(strings.Join(mrz.ComposeTD1(h), "\n"), now)
	if !exact(zs, h) {
		t.Fatalf("the composed zone is not exact: %+v", zs)
	}
	other := h
	other.GivenNames = "AIBEKK"
	if exact(zs, other) {
		t.Error("a different given name counted as exact")
	}
	if exact(nil, h) {
		t.Error("no zone counted as exact")
	}
}

func TestParallel(t *testing.T) {
	var n atomic.Int64
	parallel(context.Background(), 3, 100, func(i int) { n.Add(int64(i)) })
	if n.Load() != 4950 {
		t.Errorf("sum = %d", n.Load())
	}
}

func TestSplitRefusals(t *testing.T) {
	var out, errw strings.Builder
	if err := Command(context.Background(), []string{"--images", "--split", "test", "--show"}, &out, &errw); err == nil || !strings.Contains(err.Error(), "dev split only") {
		t.Errorf("--show on test: %v", err)
	}
	if _, err := Run(context.Background(), Options{Split: "heldout"}, nil, &errw); err == nil {
		t.Error("unknown split accepted")
	}
}

// TestSplitRule pins the frozen rule: FNV-1a 32 of the id mod 5 == 0 is test, and
// about a fifth of a generated set falls there.
func TestSplitRule(t *testing.T) {
	test := 0
	for _, k := range imagegen.Kinds {
		for i := 0; i < 40; i++ {
			if imagegen.SplitOf(k+"-ru-"+string(rune('a'+i%26))+string(rune('0'+i/26))) == "test" {
				test++
			}
		}
	}
	if test < 30 || test > 90 {
		t.Errorf("%d of 280 ids in test; want about 56", test)
	}
}

func TestParseUnrelated(t *testing.T) {
	for _, c := range []struct {
		list string
		want []int
		err  bool
	}{
		{"unrelated-id_card-ky-6979,unrelated-id_card-en-8533", []int{6979, 8533}, false},
		{"12, 7,", []int{12, 7}, false},
		{"", nil, false},
		{"unrelated-id_card-ky-x", nil, true},
	} {
		got, err := parseUnrelated(c.list)
		if (err != nil) != c.err || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q: %v, %v; want %v (error %v)", c.list, got, err, c.want, c.err)
		}
	}
}

// TestUnrelatedBase pins the ids of the unrelated pictures, which --unrelated-only and
// docs/images.md name: kinds in rotation, languages in rotation every len(Kinds).
func TestUnrelatedBase(t *testing.T) {
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	ug := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed + 1_000_003, Now: imagegen.DefaultNow}
	for i, want := range map[int]string{6979: "unrelated-id_card-ky-6979", 8533: "unrelated-id_card-en-8533"} {
		if b := UnrelatedBase(ug, i); b.ID != want || b.Kind != "id_card" {
			t.Errorf("unrelated picture %d: %s (%s); want %s", i, b.ID, b.Kind, want)
		}
	}
}
