package intake

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors"
)

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// twoFrameGIF has a 40x30 first frame and a second frame.
func twoFrameGIF(t testing.TB) []byte {
	a := image.NewPaletted(image.Rect(0, 0, 40, 30), palette.Plan9)
	b := image.NewPaletted(image.Rect(0, 0, 40, 30), palette.Plan9)
	for i := range b.Pix {
		b.Pix[i] = 7
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{a, b}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngBomb is a valid small PNG whose IHDR claims w×h (CRC fixed): decoding the pixels
// would allocate w×h×4 bytes.
func pngBomb(t testing.TB, w, h uint32) []byte {
	b := encodePNG(t, testImage(8, 8))
	// signature (8) + length (4) + "IHDR" (4) + width, height.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// jpegBomb patches the frame header (SOF0) of a small JPEG to claim 65000×65000.
func jpegBomb(t testing.TB) []byte {
	b := encodeJPEG(t, testImage(16, 16))
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(b[i+5:], 65000)
	binary.BigEndian.PutUint16(b[i+7:], 65000)
	return b
}

func TestDecode(t *testing.T) {
	webpData, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp")
	if err != nil {
		t.Fatal(err)
	}
	small := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4000}
	jpg := encodeJPEG(t, testImage(120, 80))
	cases := []struct {
		name   string
		data   []byte
		ctype  string
		lim    Limits
		format Format
		w, h   int
		err    error
	}{
		{"png", encodePNG(t, testImage(64, 48)), "image/png", small, PNG, 64, 48, nil},
		{"jpeg", jpg, "image/jpeg", small, JPEG, 120, 80, nil},
		{"jpeg declared as octet-stream", jpg, "application/octet-stream", small, JPEG, 120, 80, nil},
		{"jpeg served as png (magic wins)", jpg, "image/png", small, JPEG, 120, 80, nil},
		{"gif first frame", twoFrameGIF(t), "image/gif", small, GIF, 40, 30, nil},
		{"webp", webpData, "image/webp", small, WebP, 0, 0, nil},
		{"png bomb 100k x 100k", pngBomb(t, 100_000, 100_000), "image/png", small, PNG, 0, 0, ErrTooManyPixels},
		{"png long side", pngBomb(t, 5000, 10), "image/png", small, PNG, 0, 0, ErrTooManyPixels},
		{"jpeg bomb", jpegBomb(t), "image/jpeg", small, JPEG, 0, 0, ErrTooManyPixels},
		{"truncated jpeg", jpg[:len(jpg)/2], "image/jpeg", small, JPEG, 0, 0, ErrTruncated},
		{"truncated png", encodePNG(t, testImage(64, 48))[:200], "image/png", small, PNG, 0, 0, ErrTruncated},
		{"html page", []byte("<!doctype html><title>login</title>"), "text/html; charset=utf-8", small, "", 0, 0, ErrUnsupported},
		{"html bytes declared as image", []byte("<!doctype html><title>login</title>"), "image/jpeg", small, "", 0, 0, ErrUnsupported},
		{"jpeg declared as html", jpg, "text/html", small, "", 0, 0, ErrUnsupported},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), "image/bmp", small, "", 0, 0, ErrUnsupported},
		{"50 MB image", append(append([]byte{}, jpg[:3]...), make([]byte, 50<<20)...), "image/jpeg", Limits{}, "", 0, 0, ErrTooManyBytes},
		{"empty", nil, "", small, "", 0, 0, ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, f, err := Decode(c.data, c.ctype, c.lim)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v; want %v", err, c.err)
				}
				if img != nil {
					t.Fatal("an image came back with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if f != c.format {
				t.Errorf("format = %q; want %q", f, c.format)
			}
			if c.w > 0 && (img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h) {
				t.Errorf("size = %v; want %dx%d", img.Bounds(), c.w, c.h)
			}
		})
	}
}

// allocDuring returns the bytes allocated while f runs.
func allocDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestBombBoundedMemory: the bombs are refused from their headers; decoding a 65000²
// JPEG or a 100000² PNG would allocate gigabytes.
func TestBombBoundedMemory(t *testing.T) {
	for name, data := range map[string][]byte{"png": pngBomb(t, 100_000, 100_000), "jpeg": jpegBomb(t)} {
		var err error
		alloc := allocDuring(func() { _, _, err = Decode(data, "", Limits{}) })
		if !errors.Is(err, ErrTooManyPixels) {
			t.Fatalf("%s: err = %v", name, err)
		}
		if alloc > 1<<20 {
			t.Errorf("%s bomb: allocated %d KiB before refusing", name, alloc>>10)
		}
	}
}

func newImageServer(t *testing.T) *httptest.Server {
	t.Helper()
	jpg := encodeJPEG(t, testImage(120, 80))
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("User-agent: *\nAllow: /\n")) })
	mux.HandleFunc("/photo.jpg", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpg)
	})
	mux.HandleFunc("/bomb.png", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBomb(t, 100_000, 100_000))
	})
	mux.HandleFunc("/truncated.jpg", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpg[:len(jpg)/2])
	})
	mux.HandleFunc("/login.jpg", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>please log in</html>"))
	})
	fifty := func(w http.ResponseWriter, chunked bool) {
		w.Header().Set("Content-Type", "image/jpeg")
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(50<<20))
		}
		w.Write(jpg[:3])
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < 50<<20; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	mux.HandleFunc("/huge.jpg", func(w http.ResponseWriter, _ *http.Request) { fifty(w, false) })
	mux.HandleFunc("/huge-chunked.jpg", func(w http.ResponseWriter, _ *http.Request) { fifty(w, true) })
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestFetch(t *testing.T) {
	s := newImageServer(t)
	lim := Limits{MaxBytes: 4 << 20, MaxPixels: 16_000_000, MaxSide: 8000}
	cf, err := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: "kuzot-test/1.0 (+https://github.com/kuzot/kuzot)",
		HostRules: []collectors.HostRule{{Pattern: "*"}}, MaxBodyBytes: lim.MaxBytes, MaxTries: 1, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{Client: cf.Client(nil).WithEndpoints(s.URL), Limits: lim}
	for _, c := range []struct {
		path     string
		err      error
		maxAlloc uint64
	}{
		{"/photo.jpg", nil, 4 << 20},
		{"/bomb.png", ErrTooManyPixels, 4 << 20},
		{"/truncated.jpg", ErrTruncated, 4 << 20},
		{"/login.jpg", ErrUnsupported, 4 << 20},
		{"/huge.jpg", ErrTooManyBytes, 24 << 20},
		{"/huge-chunked.jpg", ErrTooManyBytes, 24 << 20},
	} {
		t.Run(c.path, func(t *testing.T) {
			var (
				img *Image
				err error
			)
			alloc := allocDuring(func() { img, err = f.Fetch(context.Background(), s.URL+c.path) })
			if c.err == nil && (err != nil || img.Format != JPEG || img.Image.Bounds().Dx() != 120) {
				t.Fatalf("Fetch = %+v, %v", img, err)
			}
			if c.err != nil && !errors.Is(err, c.err) {
				t.Fatalf("err = %v; want %v", err, c.err)
			}
			if alloc > c.maxAlloc {
				t.Errorf("allocated %d MiB; want at most %d", alloc>>20, c.maxAlloc>>20)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(pngBomb(f, 8, 8))
	f.Add(encodeJPEG(f, testImage(9, 9)))
	f.Add(twoFrameGIF(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, _, err := Decode(data, "", Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 16, MaxSide: 1024})
		if err == nil && img.Bounds().Dx()*img.Bounds().Dy() > 1<<16 {
			t.Fatalf("decoded %v past the pixel cap", img.Bounds())
		}
	})
}
