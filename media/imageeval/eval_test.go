package imageeval

import (
	"context"
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
