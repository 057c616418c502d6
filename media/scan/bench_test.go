package scan

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os/exec"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/ocr"
	"github.com/kuzot/kuzot/media/phash"
)

// Every benchmark here reads one image at a time: tesseract runs with
// OMP_THREAD_LIMIT=1 (as the ocr role runs it) and the hashes are computed on one
// goroutine, so the images/s/core metric is the throughput of one core; the ocr role's
// throughput is about ocr.workers times it on as many free cores.

// benchImages are the same pictures for every benchmark: an ID card, a list screenshot
// and an ordinary picture of the generated set.
func benchImages(b *testing.B) []image.Image {
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		b.Fatal(err)
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: imagegen.DefaultSeed, Now: imagegen.DefaultNow}
	return []image.Image{
		g.Base("id_card-ky-1", imagegen.KindIDCard, "ky").Image,
		g.Base("list-ru-0", imagegen.KindList, "ru").Image,
		g.Base("photo-en-1", imagegen.KindPhoto, "en").Image,
	}
}

func needTesseract(b *testing.B) {
	if _, err := exec.LookPath("tesseract"); err != nil {
		b.Skip("tesseract is not installed")
	}
}

// BenchmarkTesseractAlone is the floor: tesseract on the same PNG bytes with the same
// languages, one process per image, nothing else.
func BenchmarkTesseractAlone(b *testing.B) {
	needTesseract(b)
	imgs := benchImages(b)
	pngs := make([][]byte, len(imgs))
	for i, img := range imgs {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			b.Fatal(err)
		}
		pngs[i] = buf.Bytes()
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command("tesseract", "stdin", "stdout", "-l", ocr.DefaultLanguages, "--psm", "3", "tsv")
		cmd.Stdin = bytes.NewReader(pngs[i%len(pngs)])
		cmd.Env = append(cmd.Environ(), "OMP_THREAD_LIMIT=1")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s/core")
}

// BenchmarkOCR is kuzot's OCR pass alone (ocr.Tesseract.Recognize: the upscaling of
// small pictures, PNG encoding, one tesseract process, the TSV parse), on the same images.
func BenchmarkOCR(b *testing.B) {
	needTesseract(b)
	imgs := benchImages(b)
	t := &ocr.Tesseract{}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := t.Recognize(context.Background(), imgs[i%len(imgs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s/core")
}

// BenchmarkScan is the whole image path per image: hashes, OCR (upscaling, the MRZ
// second pass when a zone-like line shows), zones, numbers, the exposure analysis.
func BenchmarkScan(b *testing.B) {
	needTesseract(b)
	imgs := benchImages(b)
	cls, err := exposure.NewWithOptions(context.Background(), exposure.Options{Config: exposure.Config{WatchlistDir: b.TempDir()}, Getenv: func(string) string { return "" }})
	if err != nil {
		b.Fatal(err)
	}
	s := &Scanner{OCR: &ocr.Tesseract{}, Analyze: cls.Analyze}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := s.Scan(context.Background(), 0, imgs[i%len(imgs)], ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s/core")
}

// BenchmarkHash is the perceptual fingerprint alone.
func BenchmarkHash(b *testing.B) {
	imgs := benchImages(b)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := phash.Of(imgs[i%len(imgs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s/core")
}
