package imagepost_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/imagepost"
	"github.com/kuzot/kuzot/media/ocr"
	"github.com/kuzot/kuzot/media/scan"
	"github.com/kuzot/kuzot/post"
)

func TestPostIDRoundTrip(t *testing.T) {
	for _, c := range []struct {
		parent string
		index  int
	}{{"telegram:chan/12", 0}, {"web:https://x.example/a#b", 7}, {"vk:-1_2", 10}} {
		id := imagepost.PostID(c.parent, c.index)
		p, i, ok := imagepost.ParentOf(id)
		if !ok || p != c.parent || i != c.index {
			t.Errorf("ParentOf(%q) = %q %d %v", id, p, i, ok)
		}
	}
	for _, id := range []string{"telegram:chan/12", "x:a#imgz", "x:a#img-1"} {
		if _, _, ok := imagepost.ParentOf(id); ok {
			t.Errorf("ParentOf(%q) ok for an ordinary id", id)
		}
	}
}

// The invented holder of the test card, on org-a's watchlist under the Latin spelling
// only: the member is found through the zone's holder name.
var holder = imagegen.Person{Given: "Бермет", Family: "Осмонова", Birth: time.Date(1994, 3, 12, 0, 0, 0, 0, time.UTC)}

// TestBuildIDCard reads a generated ID-card mock-up of a watch-listed (invented) person
// and checks the derived result: exposed with high severity, the member in the exposure
// result, no name, number or zone in what is kept, and entities that fit the redacted
// text, so alerts.Redact of it is the identity.
func TestBuildIDCard(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("tesseract is not installed (scripts/test.sh installs it)")
	}
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: imagegen.DefaultNow}
	img, truth := g.IDCardOf("test-card", holder, "ky")
	dir := t.TempDir()
	wl := filepath.Join(dir, "wl.yaml")
	if err := os.WriteFile(wl, []byte("orgs:\n  - id: org-a\n    members:\n      - id: m-7\n        names: [\"Bermet Osmonova\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cls, err := exposure.NewWithOptions(context.Background(), exposure.Options{
		Config: exposure.Config{WatchlistDir: filepath.Join(dir, "lists"), WatchlistFile: wl},
		Getenv: func(string) string { return "imagepost-test-key-0123456789abcdef" }})
	if err != nil {
		t.Fatal(err)
	}
	s := &scan.Scanner{OCR: &ocr.Tesseract{}, Analyze: cls.Analyze, Now: func() time.Time { return imagegen.DefaultNow }}
	f, err := s.Scan(context.Background(), 1, img, "")
	if err != nil {
		t.Fatal(err)
	}
	parent := &post.Post{ID: "telegram:chan/5", Source: "telegram", Channel: "chan", URL: "https://t.me/chan/5",
		Text: "смотрите", PublishedAt: imagegen.DefaultNow, CollectedAt: imagegen.DefaultNow,
		Media: []post.Media{{Kind: "link", URL: "https://x.example"}, {Kind: "photo", URL: "https://cdn.example/5.jpg"}}}
	c, err := imagepost.Build(context.Background(), []classifiers.Classifier{cls}, parent, f, imagegen.DefaultNow)
	if err != nil {
		t.Fatal(err)
	}
	if c.Post.ID != "telegram:chan/5#img1" || c.Post.URL != parent.URL || len(c.Post.Media) != 1 || c.Post.Media[0].Kind != "photo" {
		t.Errorf("derived post %+v", c.Post)
	}
	e, err := exposure.DecodeResult(c.Results[exposure.Name])
	if err != nil {
		t.Fatal(err)
	}
	if !e.Exposed || e.Severity.Rank() < exposure.SeverityHigh.Rank() || len(e.Members()) != 1 || e.Members()[0].Member != "m-7" {
		t.Errorf("exposure result %s", c.Results[exposure.Name])
	}
	if _, err := exposure.Redact(c.Post.Text, e.Entities, exposure.AudienceAlert); err != nil {
		t.Errorf("exposure.Redact for an alert: %v", err)
	}
	var er exposure.Result
	if err := json.Unmarshal(c.Results[exposure.Name], &er); err != nil {
		t.Fatal(err)
	}
	if red, _ := exposure.Redact(c.Post.Text, er.Entities, exposure.AudienceStored); red != c.Post.Text || len(er.Entities) == 0 {
		t.Errorf("%d entities do not fit the redacted text:\n%s\nvs\n%s", len(er.Entities), red, c.Post.Text)
	}
	var ir imagepost.Result
	if err := json.Unmarshal(c.Results[imagepost.Name], &ir); err != nil || ir.ParentPostID != parent.ID || ir.MediaIndex != 1 || ir.Hash.P == 0 {
		t.Errorf("image result %s (%v)", c.Results[imagepost.Name], err)
	}
	data, _ := json.Marshal(c)
	for _, secret := range []string{"Осмонова", "ОСМОНОВА", "OSMONOVA", truth.PIN, truth.Holder.DocumentNumber, "12.03.1994"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the published result holds %q:\n%s", secret, data)
		}
	}
	var sawImage, sawExposure bool
	for _, s := range c.Summaries {
		sawImage = sawImage || (s.Classifier == imagepost.Name && s.Flagged)
		sawExposure = sawExposure || (s.Classifier == exposure.Name && s.Flagged)
	}
	if !sawImage || !sawExposure {
		t.Errorf("summaries %+v", c.Summaries)
	}
	t.Logf("redacted OCR text:\n%s", c.Post.Text)
}

// TestDecodeResult reads the image result the way alerts does, through the one decoder:
// a missing result is ErrNoResult, a broken one an error, a good one its fields.
func TestDecodeResult(t *testing.T) {
	for _, tc := range []struct {
		name, raw  string
		noResult   bool
		wantErr    bool
		wantParent string
		wantP      uint64
		wantSev    string
	}{
		{name: "absent", raw: "", noResult: true, wantErr: true},
		{name: "null", raw: "null", noResult: true, wantErr: true},
		{name: "broken", raw: `{"hash":`, wantErr: true},
		{name: "exposing", raw: `{"parent_post_id":"telegram:a/1","hash":{"phash":5,"dhash":6},"exposed":true,"severity":"high"}`,
			wantParent: "telegram:a/1", wantP: 5, wantSev: "high"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := imagepost.DecodeResult([]byte(tc.raw))
			if (err != nil) != tc.wantErr || errors.Is(err, imagepost.ErrNoResult) != tc.noResult {
				t.Fatalf("err %v, want error %v (no result %v)", err, tc.wantErr, tc.noResult)
			}
			if err != nil {
				return
			}
			if r.ParentPostID != tc.wantParent || r.Hash.P != tc.wantP || r.Severity != tc.wantSev || !r.Exposed {
				t.Fatalf("decoded %+v / %+v", r, r.Finding)
			}
		})
	}
}
