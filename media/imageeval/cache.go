package imageeval

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/kuzot/kuzot/media/ocr"
)

// TextCache keeps the OCR text of generated pictures on disk, so that a rerun of the
// false-join count (thousands of unrelated pictures, most of them a hash candidate that
// must be read) costs only the pictures not read before. It stores only the text
// tesseract returned, never a picture, in files named by the SHA-256 of the tesseract
// settings and the picture's pixels: a changed generator or setting misses the cache
// rather than reusing stale text. It is for the evaluation of generated (invented)
// pictures only; the ocr role never uses it.
type TextCache struct {
	Dir string
	OCR *ocr.Tesseract
	// Hits and Misses count lookups.
	Hits, Misses atomic.Int64
}

// key identifies the picture and the settings that shape its OCR text.
func (c *TextCache) key(img image.Image) string {
	h := sha256.New()
	fmt.Fprintf(h, "kuzot-ocr-text/1|%s|%d|%g|", c.OCR.Languages, c.OCR.MinHeight, c.OCR.MaxScale)
	b := img.Bounds()
	var dims [16]byte
	binary.LittleEndian.PutUint32(dims[0:], uint32(b.Min.X))
	binary.LittleEndian.PutUint32(dims[4:], uint32(b.Min.Y))
	binary.LittleEndian.PutUint32(dims[8:], uint32(b.Dx()))
	binary.LittleEndian.PutUint32(dims[12:], uint32(b.Dy()))
	h.Write(dims[:])
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Stride != 4*b.Dx() {
		rgba = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	}
	h.Write(rgba.Pix[:4*b.Dx()*b.Dy()])
	return hex.EncodeToString(h.Sum(nil))
}

// Text returns the OCR text of img, from the cache when it was read before.
func (c *TextCache) Text(ctx context.Context, img image.Image) (string, error) {
	k := c.key(img)
	path := filepath.Join(c.Dir, k[:2], k+".txt")
	if b, err := os.ReadFile(path); err == nil {
		c.Hits.Add(1)
		return string(b), nil
	}
	c.Misses.Add(1)
	res, err := c.OCR.Recognize(ctx, img)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	// Write then rename, so that an interrupted run never leaves a truncated entry.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return "", err
	}
	if _, err := tmp.WriteString(res.Text); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", err
	}
	return res.Text, nil
}
