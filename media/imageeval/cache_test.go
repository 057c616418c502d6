package imageeval

import (
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/kuzot/kuzot/media/ocr"
)

func testPicture(c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

// TestTextCacheKey: the key follows the pixels and the settings, not the image type.
func TestTextCacheKey(t *testing.T) {
	c := &TextCache{OCR: &ocr.Tesseract{}}
	a, b := testPicture(color.White), testPicture(color.Black)
	if c.key(a) == c.key(b) {
		t.Error("two different pictures share a key")
	}
	if c.key(a) != c.key(testPicture(color.White)) {
		t.Error("the same pixels got two keys")
	}
	n := image.NewNRGBA(a.Bounds())
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			n.Set(x, y, a.At(x, y))
		}
	}
	if c.key(a) != c.key(n) {
		t.Error("the same opaque pixels in another image type got another key")
	}
	if c.key(a) != c.key(a.SubImage(a.Bounds())) {
		t.Error("a whole sub-image got another key")
	}
	if c.key(a) == c.key(a.SubImage(image.Rect(0, 0, 40, 10))) {
		t.Error("a crop shares the key of the whole picture")
	}
	other := &TextCache{OCR: &ocr.Tesseract{Languages: "eng"}}
	if c.key(a) == other.key(a) {
		t.Error("other OCR languages share the key")
	}
}

// TestTextCacheHit: a stored text is returned without running OCR (the tesseract path
// here does not exist, so a miss would fail), and a miss reports the OCR error and
// stores nothing.
func TestTextCacheHit(t *testing.T) {
	dir := t.TempDir()
	c := &TextCache{Dir: dir, OCR: &ocr.Tesseract{Path: filepath.Join(dir, "no-tesseract")}}
	img := testPicture(color.White)
	k := c.key(img)
	if err := os.MkdirAll(filepath.Join(dir, k[:2]), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, k[:2], k+".txt"), []byte("АЙБЕК ТОКТОСУНОВ"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := c.Text(context.Background(), img)
	if err != nil || got != "АЙБЕК ТОКТОСУНОВ" {
		t.Fatalf("hit: %q, %v", got, err)
	}
	if c.Hits.Load() != 1 || c.Misses.Load() != 0 {
		t.Errorf("hits %d misses %d", c.Hits.Load(), c.Misses.Load())
	}
	if _, err := c.Text(context.Background(), testPicture(color.Black)); err == nil {
		t.Fatal("a miss without tesseract returned no error")
	}
	if c.Misses.Load() != 1 {
		t.Errorf("misses %d", c.Misses.Load())
	}
	kb := c.key(testPicture(color.Black))
	if _, err := os.Stat(filepath.Join(dir, kb[:2], kb+".txt")); !os.IsNotExist(err) {
		t.Errorf("a failed read left a cache entry: %v", err)
	}
}
