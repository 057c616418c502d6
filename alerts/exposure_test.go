package alerts

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// TestDecodeExposure: the alert role reads the exposure result through the classifier's
// own type (exposure.DecodeResult) and derives its severity, categories and members.
func TestDecodeExposure(t *testing.T) {
	e, err := exposure.DecodeResult([]byte(`{"exposed":true,"outing":true,"severity":"critical",
		"entities":[{"type":"person","start":0,"end":5},{"type":"phone","start":6,"end":9},{"type":"phone","start":10,"end":12}],
		"watchlist":[{"org":"org-a","member":"m-001"},{"org":"org-a","member":"m-001"},{"org":"org-b","member":"x"},{"org":"","member":"y"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if severityOf(e) != SeverityCritical || !slices.Equal(Categories(e), []string{"phone", "sogi"}) ||
		!slices.Equal(e.Members(), []watchlist.Ref{{Org: "org-a", Member: "m-001"}, {Org: "org-b", Member: "x"}}) {
		t.Fatalf("decoded %+v categories %v members %v", e, Categories(e), e.Members())
	}
	if _, err := exposure.DecodeResult(nil); !errors.Is(err, exposure.ErrNoResult) {
		t.Fatal(err)
	}
	if _, err := exposure.DecodeResult([]byte(`{"severity":"catastrophic"}`)); err == nil {
		t.Fatal("unknown severity accepted")
	}
	if _, err := exposure.DecodeResult([]byte(`{"exposed":`)); err == nil {
		t.Fatal("truncated JSON accepted")
	}
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
		e, err := exposure.DecodeResult(raw)
		if err != nil {
			return
		}
		_ = Categories(e)
		for _, m := range e.Members() {
			if m.Org == "" || m.Member == "" {
				t.Fatalf("empty member ref %+v", m)
			}
		}
		out, err := exposure.Redact(text, e.Entities, exposure.AudienceAlert)
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
		e, err := exposure.DecodeResult([]byte(tc.raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(Categories(e), ","); got != tc.want {
			t.Errorf("%s: categories %q, want %q", tc.raw, got, tc.want)
		}
	}
}
