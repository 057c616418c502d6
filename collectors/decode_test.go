package collectors

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// bombMember is one gzip member of 1 MiB of zeros (about 1 KB compressed). Concatenated
// members are one valid gzip stream (RFC 1952 §2.2), so writing it bombRepeats times sends
// a body that decodes to 10 GiB while only about 10 MB cross the wire.
const bombRepeats = 10 << 10

func gzipOf(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeBomb writes member repeatedly until the client hangs up or 10 GiB decoded were sent.
func writeBomb(w http.ResponseWriter, member []byte, sent *atomic.Int64) {
	for range bombRepeats {
		n, err := w.Write(member)
		sent.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// heapPeak samples the live heap every millisecond until stop is called, and returns the
// largest value seen (bytes of heap objects, runtime/metrics).
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		peak uint64
		wg   sync.WaitGroup
	)
	done := make(chan struct{})
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak {
			peak = v
		}
	}
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		read()
		return peak
	}
}

// TestDecompressionBombRefused is issue 19 item 1: a hostile site answers with a gzip body
// that expands to 10 GiB, declared three ways colly v2.3.0 would gunzip without a limit
// (Content-Encoding, a gzip Content-Type, a .gz path). Each poll must fail with
// ErrBodyTooLarge after decoding at most the cap, with the heap far below 200 MB.
func TestDecompressionBombRefused(t *testing.T) {
	member := gzipOf(t, make([]byte, 1<<20))
	var sent atomic.Int64
	bomb := func(set func(http.Header)) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			set(w.Header())
			writeBomb(w, member, &sent)
		}
	}
	s := newSite(t, "", map[string]http.HandlerFunc{
		"/content-encoding": bomb(func(h http.Header) {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Encoding", "gzip")
		}),
		"/content-type": bomb(func(h http.Header) { h.Set("Content-Type", "application/gzip") }),
		"/sitemap.xml.gz": bomb(func(h http.Header) {
			h.Set("Content-Type", "application/octet-stream")
		}),
		"/archive.gz": bomb(func(h http.Header) { h.Set("Content-Type", "application/octet-stream") }),
	})
	const limit = 4 << 20
	f := testFetcher(t, func(o *FetcherOptions) { o.MaxBodyBytes = limit })
	cl := f.Client(nil).WithEndpoints(s.URL)
	for _, path := range []string{"/content-encoding", "/content-type", "/sitemap.xml.gz", "/archive.gz"} {
		t.Run(path[1:], func(t *testing.T) {
			sent.Store(0)
			runtime.GC()
			stop := heapPeak()
			start := time.Now()
			_, err := cl.Get(context.Background(), s.URL+path)
			peak := stop()
			if !errors.Is(err, ErrBodyTooLarge) {
				t.Fatalf("err = %v, want ErrBodyTooLarge", err)
			}
			t.Logf("refused after %s, %d compressed bytes sent, heap peak %.1f MiB: %v",
				time.Since(start).Round(time.Millisecond), sent.Load(), float64(peak)/(1<<20), err)
			if peak > 200<<20 {
				t.Fatalf("heap peaked at %d bytes, want < 200 MB", peak)
			}
			if got := s.hits[path].Load(); got != 1 {
				t.Errorf("%d requests, want 1 (a bomb is final, not retried)", got)
			}
			s.hits[path].Store(0)
		})
	}
}

// TestContentEncodings: every coding we advertise is decoded (and bounded); codings we did
// not ask for are refused instead of being handed to colly.
func TestContentEncodings(t *testing.T) {
	page := bytes.Repeat([]byte("<p>Демо</p>"), 1000)
	var zl, raw bytes.Buffer
	zw := zlib.NewWriter(&zl)
	_, _ = zw.Write(page)
	_ = zw.Close()
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	_, _ = fw.Write(page)
	_ = fw.Close()
	serve := func(coding string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if got := r.Header.Get("Accept-Encoding"); got != acceptEncoding {
				t.Errorf("Accept-Encoding %q, want %q", got, acceptEncoding)
			}
			if coding != "" {
				w.Header().Set("Content-Encoding", coding)
			}
			_, _ = w.Write(body)
		}
	}
	s := newSite(t, "", map[string]http.HandlerFunc{
		"/gzip":         serve("gzip", gzipOf(t, page)),
		"/x-gzip":       serve("x-gzip", gzipOf(t, page)),
		"/deflate-zlib": serve("deflate", zl.Bytes()),
		"/deflate-raw":  serve("deflate", raw.Bytes()),
		"/identity":     serve("", page),
		"/br":           serve("br", []byte{0x1b, 0x00}),
		"/zstd":         serve("zstd", []byte{0x28, 0xb5, 0x2f, 0xfd}),
		"/stacked":      serve("gzip, gzip", gzipOf(t, gzipOf(t, page))),
		"/not-gzip":     serve("gzip", []byte("plain text pretending")),
		"/big-deflate":  serve("deflate", zl.Bytes()),
	})
	f := testFetcher(t, nil)
	small := testFetcher(t, func(o *FetcherOptions) { o.MaxBodyBytes = int64(len(page)) - 1 })
	for _, tc := range []struct {
		path string
		f    *Fetcher
		is   error
	}{
		{path: "/gzip", f: f},
		{path: "/x-gzip", f: f},
		{path: "/deflate-zlib", f: f},
		{path: "/deflate-raw", f: f},
		{path: "/identity", f: f},
		{path: "/br", f: f, is: ErrBadEncoding},
		{path: "/zstd", f: f, is: ErrBadEncoding},
		{path: "/stacked", f: f, is: ErrBadEncoding},
		{path: "/not-gzip", f: f, is: ErrBadEncoding},
		{path: "/big-deflate", f: small, is: ErrBodyTooLarge},
	} {
		t.Run(tc.path[1:], func(t *testing.T) {
			resp, err := tc.f.Client(nil).WithEndpoints(s.URL).Get(context.Background(), s.URL+tc.path)
			if tc.is != nil {
				if !errors.Is(err, tc.is) {
					t.Fatalf("err = %v, want %v", err, tc.is)
				}
				if got := s.hits[tc.path].Load(); got != 1 {
					t.Errorf("%d requests, want 1 (final, not retried)", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, page) {
				t.Fatalf("body %d bytes, want the %d-byte page", len(resp.Body), len(page))
			}
			if ce := resp.Header.Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding %q left on a decoded body", ce)
			}
		})
	}
}

// TestRobotsDecompressionBomb: colly's own robots.txt request goes through the same bound.
func TestRobotsDecompressionBomb(t *testing.T) {
	member := gzipOf(t, make([]byte, 1<<20))
	var sent atomic.Int64
	s := newSite(t, "", map[string]http.HandlerFunc{"/page": ok("x")})
	mux := s.Config.Handler
	s.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Header().Set("Content-Encoding", "gzip")
			writeBomb(w, member, &sent)
			return
		}
		mux.ServeHTTP(w, r)
	})
	f := testFetcher(t, func(o *FetcherOptions) { o.MaxBodyBytes = 1 << 20 })
	stop := heapPeak()
	_, err := f.Client(nil).WithEndpoints(s.URL).Get(context.Background(), s.URL+"/page")
	peak := stop()
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
	if peak > 200<<20 {
		t.Fatalf("heap peaked at %d bytes, want < 200 MB", peak)
	}
	if s.hits["/page"].Load() != 0 {
		t.Errorf("the page was fetched after an unreadable robots.txt")
	}
}
