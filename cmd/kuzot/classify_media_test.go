package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/scan"
)

// TestClassifyMedia: `kuzot classify --media` judges a post's ID-card photo, reports a
// bomb-free truncated image as an error, and still classifies the text.
func TestClassifyMedia(t *testing.T) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		t.Skip("tesseract is not installed (scripts/test.sh installs it)")
	}
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		t.Fatal(err)
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: imagegen.DefaultNow}
	var card bytes.Buffer
	if err := png.Encode(&card, g.Base("id_card-ky-1", imagegen.KindIDCard, "ky").Image); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("User-agent: *\nAllow: /\n")) })
	mux.HandleFunc("/card.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(card.Bytes())
	})
	mux.HandleFunc("/cut.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(card.Bytes()[:card.Len()/3])
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cls, err := exposure.NewWithOptions(context.Background(), exposure.Options{Config: exposure.Config{WatchlistDir: t.TempDir()}, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	media, err := newMediaFunc(context.Background(), "kuzot-test/1.0 (+https://github.com/kuzot/kuzot)", []classifiers.Classifier{cls}, []string{srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	in := `{"id":"t:1","text":"вот её документ, звоните 0555 123 456","media":[{"kind":"photo","url":"` + srv.URL + `/card.png"},{"kind":"photo","url":"` + srv.URL + `/cut.png"}]}` + "\n"
	var out, errw bytes.Buffer
	if err := classifyStreamMedia(context.Background(), []classifiers.Classifier{cls}, media, strings.NewReader(in), &out, &errw); err != nil {
		t.Fatalf("%v: %s", err, errw.String())
	}
	var got struct {
		Exposure json.RawMessage    `json:"exposure"`
		Media    []scan.MediaResult `json:"media"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if len(got.Exposure) == 0 || len(got.Media) != 2 {
		t.Fatalf("output %s", out.String())
	}
	if f := got.Media[0].Finding; f == nil || !f.Exposed || f.Kind != scan.KindIDCard || len(f.Entities) == 0 {
		t.Errorf("card: %+v", got.Media[0])
	}
	if got.Media[1].Finding != nil || !strings.Contains(got.Media[1].Error, "truncated") {
		t.Errorf("truncated image: %+v", got.Media[1])
	}
	if strings.Contains(out.String(), `"text":`) || strings.Contains(out.String(), "4566456") {
		t.Errorf("plain OCR text or the document number in the output: %s", out.String())
	}
}
