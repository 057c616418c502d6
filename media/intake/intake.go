// Package intake fetches and decodes post images under strict limits: a byte cap on the
// download, a pixel and side cap checked from the image header BEFORE any pixel is
// decoded (image.DecodeConfig), and a whitelist of formats (JPEG, PNG, GIF first frame,
// WebP) recognised by their magic bytes, not by what the server claims. An image bomb, a
// truncated file, a page served instead of an image or a 50 MB upload each end in a
// clear, testable error with bounded memory.
//
// Images stay in memory: nothing here writes to disk, and callers must not store the
// bytes (kuzot keeps only hashes, redacted OCR text, entity types and boxes).
package intake

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/webp"
)

// Errors an intake can end with; test with errors.Is.
var (
	// ErrTooManyBytes means the encoded image exceeds Limits.MaxBytes.
	ErrTooManyBytes = errors.New("image exceeds the byte cap")
	// ErrTooManyPixels means the header declares more pixels or a longer side than
	// allowed (an image bomb, or a picture too big to OCR); no pixel was decoded.
	ErrTooManyPixels = errors.New("image dimensions exceed the pixel cap")
	// ErrUnsupported means the bytes are not a JPEG, PNG, GIF or WebP image, or the
	// server declared a content type that is not an image.
	ErrUnsupported = errors.New("not a supported image")
	// ErrTruncated means the file ends before the image does.
	ErrTruncated = errors.New("image file is truncated")
	// ErrCorrupt means the decoder rejected the image for another reason.
	ErrCorrupt = errors.New("image file is corrupt")
)

// Format is an image format this package decodes.
type Format string

// Formats recognised by magic bytes.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	GIF  Format = "gif"
	WebP Format = "webp"
)

// Limits bound one image.
type Limits struct {
	// MaxBytes caps the encoded size (default 10 MiB).
	MaxBytes int64
	// MaxPixels caps width×height as declared by the header (default 24 megapixels,
	// about 96 MB decoded as RGBA).
	MaxPixels int64
	// MaxSide caps either side (default 10000 pixels).
	MaxSide int
}

// DefaultLimits are the limits of the ocr role when its configuration sets none.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxPixels: 24_000_000, MaxSide: 10_000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	return l
}

// Sniff names the format of data from its magic bytes ("" when none matches).
func Sniff(data []byte) Format {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return JPEG
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(data, []byte("GIF87a")) || bytes.HasPrefix(data, []byte("GIF89a")):
		return GIF
	case len(data) >= 12 && bytes.Equal(data[0:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return WebP
	}
	return ""
}

// contentTypeOK accepts a missing or generic declared type and any image/*; a page
// (text/html) or other media type served in place of an image is refused.
func contentTypeOK(ct string) bool {
	media, _, _ := strings.Cut(ct, ";")
	media = strings.ToLower(strings.TrimSpace(media))
	return media == "" || media == "application/octet-stream" || media == "binary/octet-stream" || strings.HasPrefix(media, "image/")
}

// Config checks data against the limits using only its header and returns the format
// and dimensions; contentType is what the server declared ("" when unknown).
func Config(data []byte, contentType string, lim Limits) (Format, image.Config, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return "", image.Config{}, fmt.Errorf("intake: %w (%d > %d bytes)", ErrTooManyBytes, len(data), lim.MaxBytes)
	}
	if !contentTypeOK(contentType) {
		return "", image.Config{}, fmt.Errorf("intake: %w: content type %q", ErrUnsupported, contentType)
	}
	f := Sniff(data)
	if f == "" {
		return "", image.Config{}, fmt.Errorf("intake: %w: unknown magic bytes (declared %q)", ErrUnsupported, contentType)
	}
	var (
		cfg image.Config
		err error
	)
	r := bytes.NewReader(data)
	switch f {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case PNG:
		cfg, err = png.DecodeConfig(r)
	case GIF:
		cfg, err = gif.DecodeConfig(r)
	case WebP:
		cfg, err = webp.DecodeConfig(r)
	}
	if err != nil {
		return f, cfg, decodeError(f, "header", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return f, cfg, fmt.Errorf("intake: %s header: %w: %dx%d", f, ErrCorrupt, cfg.Width, cfg.Height)
	}
	if cfg.Width > lim.MaxSide || cfg.Height > lim.MaxSide || int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return f, cfg, fmt.Errorf("intake: %s: %w (%dx%d; at most %d pixels, side %d)", f, ErrTooManyPixels, cfg.Width, cfg.Height, lim.MaxPixels, lim.MaxSide)
	}
	return f, cfg, nil
}

// Decode checks data with Config and, only if it passes, decodes the pixels (the first
// frame of a GIF).
func Decode(data []byte, contentType string, lim Limits) (image.Image, Format, error) {
	f, cfg, err := Config(data, contentType, lim)
	if err != nil {
		return nil, f, err
	}
	r := bytes.NewReader(data)
	var img image.Image
	switch f {
	case JPEG:
		img, err = jpeg.Decode(r)
	case PNG:
		img, err = png.Decode(r)
	case GIF:
		img, err = gif.Decode(r)
	case WebP:
		img, err = webp.Decode(r)
	}
	if err != nil {
		if truncated(f, data) {
			return nil, f, fmt.Errorf("intake: %s pixels: %w (%d bytes, no end marker): %v", f, ErrTruncated, len(data), err)
		}
		return nil, f, decodeError(f, "pixels", err)
	}
	if b := img.Bounds(); b.Dx() > cfg.Width || b.Dy() > cfg.Height || b.Empty() {
		return nil, f, fmt.Errorf("intake: %s: %w: header says %dx%d, frame is %dx%d", f, ErrCorrupt, cfg.Width, cfg.Height, b.Dx(), b.Dy())
	}
	return img, f, nil
}

func decodeError(f Format, what string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("intake: %s %s: %w: %v", f, what, ErrTruncated, err)
	}
	return fmt.Errorf("intake: %s %s: %w: %v", f, what, ErrCorrupt, err)
}

// truncated reports whether data lacks the end its format requires: JPEG's EOI marker,
// PNG's IEND chunk, GIF's trailer, or the length a WebP RIFF header declares. Decoders
// report a cut file as "short Huffman data" or "not enough pixel data"; this tells a
// cut file from a corrupt one.
func truncated(f Format, data []byte) bool {
	end := bytes.TrimRight(data, "\x00")
	switch f {
	case JPEG:
		return !bytes.HasSuffix(end, []byte{0xFF, 0xD9})
	case PNG:
		return !bytes.Contains(data[max(0, len(data)-64):], []byte("IEND"))
	case GIF:
		return !bytes.HasSuffix(end, []byte{0x3B})
	case WebP:
		return len(data) >= 8 && int64(binary.LittleEndian.Uint32(data[4:8]))+8 > int64(len(data))
	}
	return false
}
