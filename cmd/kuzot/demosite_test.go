package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDemoSiteCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runDemoSite(ctx, []string{"--listen", "127.0.0.1:0", "--epoch", "2026-03-01T12:00:00Z"}, stdio{out: io.Discard, err: &errb})
	}()
	addr := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addr.FindStringSubmatch(errb.String()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("demo site did not start: %s", errb.String())
	}
	for _, path := range []string{"/robots.txt", "/rss/news.xml", "/s/kg_demo_patriot", "/watch?v=dEmOvid0001", "/forum/thread/1"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	var out bytes.Buffer
	if err := runDemoSite(context.Background(), []string{"--listen", "127.0.0.1:9999", "--print-sources"}, stdio{out: &out, err: io.Discard}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"rss", "telegram", "youtube", "vk", "web"} {
		if !strings.Contains(out.String(), "kind: "+kind) {
			t.Errorf("--print-sources lacks kind %s", kind)
		}
	}
	if err := runDemoSite(context.Background(), []string{"--epoch", "yesterday"}, stdio{out: io.Discard, err: io.Discard}); err == nil {
		t.Error("bad --epoch accepted")
	}
}
