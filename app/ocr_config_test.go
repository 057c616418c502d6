package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/media/intake"
)

// The ocr section's defaults, and every out-of-range value named with its key and line.
func TestOCRConfig(t *testing.T) {
	load := func(t *testing.T, yaml string) (*config.Config, error) {
		path := filepath.Join(t.TempDir(), "kuzot.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return app.LoadConfig(path)
	}
	cfg, err := load(t, "data_dir: ./x\n")
	if err != nil {
		t.Fatal(err)
	}
	oc, err := app.LoadOCRConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !oc.On() || oc.Workers != 1 || oc.OCRTimeout != time.Minute || oc.FetchTimeout != 30*time.Second ||
		oc.Limits() != intake.DefaultLimits() || oc.MaxImagesPerPost != 10 || oc.Languages != "rus+kir+uzb+uzb_cyrl+eng" ||
		oc.Nice == nil || *oc.Nice != app.DefaultOCRNice {
		t.Errorf("defaults: %+v", oc)
	}
	for _, tc := range []struct{ yaml, path string }{
		{"ocr:\n  workers: 0\n  max_bytes: -1\n", ""},
		{"ocr:\n  workers: 100\n", "ocr.workers"},
		{"ocr:\n  max_bytes: 100\n", "ocr.max_bytes"},
		{"ocr:\n  max_pixels: -5\n", "ocr.max_pixels"},
		{"ocr:\n  max_side: 60000\n", "ocr.max_side"},
		{"ocr:\n  max_images_per_post: 11\n", "ocr.max_images_per_post"},
		{"ocr:\n  languages: 'rus eng'\n", "ocr.languages"},
		{"ocr:\n  ocr_timeout: 1ms\n", "ocr.ocr_timeout"},
		{"ocr:\n  nice: 20\n", "ocr.nice"},
		{"ocr:\n  nice: -1\n", "ocr.nice"},
		{"ocr:\n  fetch_timeout: 1h\n", "ocr.fetch_timeout"},
		{"ocr:\n  allow_endpoints: ['ftp://x']\n", "ocr.allow_endpoints[0]"},
		{"ocr:\n  enabled: maybe\n", ""},
	} {
		_, err := load(t, tc.yaml)
		var ps config.Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Errorf("%q: error %v, want config problems", tc.yaml, err)
			continue
		}
		if tc.path != "" && (ps[0].Path != tc.path || ps[0].Line != 2) {
			t.Errorf("%q: problem %+v, want path %s line 2", tc.yaml, ps[0], tc.path)
		}
	}
	off, err := load(t, "ocr:\n  enabled: false\n  workers: 3\n")
	if err != nil {
		t.Fatal(err)
	}
	if oc, _ := app.LoadOCRConfig(off); oc.On() || oc.Workers != 3 {
		t.Errorf("enabled false: %+v", oc)
	}
}
