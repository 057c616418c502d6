package collectors_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

// recorder counts the pages a collector requests (robots.txt excluded) and remembers
// their URLs, so the baseline can fetch exactly the same pages.
type recorder struct {
	h     http.Handler
	mu    sync.Mutex
	pages int
	urls  []string
	rec   bool
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path != "/robots.txt" {
		r.mu.Lock()
		r.pages++
		if r.rec {
			r.urls = append(r.urls, req.URL.RequestURI())
		}
		r.mu.Unlock()
	}
	r.h.ServeHTTP(w, req)
}

func benchSource(b *testing.B, kind string, base string) collectors.Config {
	b.Helper()
	var doc struct {
		Sources []yaml.Node `yaml:"sources"`
	}
	if err := yaml.Unmarshal([]byte(demosite.SourcesYAML(base)), &doc); err != nil {
		b.Fatal(err)
	}
	reg := all.Registry()
	for i := range doc.Sources {
		c, err := reg.Decode(&doc.Sources[i])
		if err != nil {
			b.Fatal(err)
		}
		if c.SourceKind() == kind {
			return c
		}
	}
	b.Fatalf("no demo source of kind %s", kind)
	return nil
}

// BenchmarkCollect measures one full collection (fresh state: every page, every post)
// of a demo source of each kind, reporting pages/s and posts/s, next to
// BenchmarkDemoSiteServe, the demo site's raw serving rate for the same pages.
//
//	go test ./collectors/ -run '^$' -bench 'Collect|DemoSiteServe' -benchtime 200x
func BenchmarkCollect(b *testing.B) {
	for _, kind := range []string{"rss", "telegram", "youtube", "vk", "web"} {
		b.Run(kind, func(b *testing.B) {
			rec, srv := benchSite(b)
			cfg := benchSource(b, kind, srv.URL)
			f, err := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: collectortest.UserAgent, HostRules: []collectors.HostRule{{Pattern: "*"}}})
			if err != nil {
				b.Fatal(err)
			}
			fac, _ := all.Registry().Factory(kind)
			posts := 0
			emit := func(context.Context, post.Post) error { posts++; return nil }
			rec.pages = 0
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				col, err := fac.New(cfg, collectors.Deps{State: collectors.NewMemoryState(), HTTP: f.Client(nil).WithEndpoints(srv.URL), UserAgent: collectortest.UserAgent, Now: time.Now})
				if err != nil {
					b.Fatal(err)
				}
				if err := col.Collect(context.Background(), emit); err != nil {
					b.Fatal(err)
				}
			}
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(rec.pages)/el, "pages/s")
			b.ReportMetric(float64(posts)/el, "posts/s")
			b.ReportMetric(float64(posts)/float64(b.N), "posts/op")
		})
	}
}

// BenchmarkDemoSiteServe is the baseline: the same pages fetched with a bare
// http.Client (no robots, pacing, decoding or parsing).
func BenchmarkDemoSiteServe(b *testing.B) {
	for _, kind := range []string{"rss", "telegram", "youtube", "vk", "web"} {
		b.Run(kind, func(b *testing.B) {
			rec, srv := benchSite(b)
			cfg := benchSource(b, kind, srv.URL)
			f, _ := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: collectortest.UserAgent, HostRules: []collectors.HostRule{{Pattern: "*"}}})
			fac, _ := all.Registry().Factory(kind)
			col, err := fac.New(cfg, collectors.Deps{State: collectors.NewMemoryState(), HTTP: f.Client(nil).WithEndpoints(srv.URL), UserAgent: collectortest.UserAgent, Now: time.Now})
			if err != nil {
				b.Fatal(err)
			}
			rec.rec = true
			if err := col.Collect(context.Background(), func(context.Context, post.Post) error { return nil }); err != nil {
				b.Fatal(err)
			}
			rec.rec = false
			urls := rec.urls
			client := &http.Client{}
			b.ResetTimer()
			start := time.Now()
			pages := 0
			for b.Loop() {
				for _, u := range urls {
					resp, err := client.Get(srv.URL + u)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					pages++
				}
			}
			b.ReportMetric(float64(pages)/time.Since(start).Seconds(), "pages/s")
		})
	}
}

func benchSite(b *testing.B) (*recorder, *httptest.Server) {
	b.Helper()
	site, err := demosite.New(demosite.Options{Seed: 1, Epoch: collectortest.Epoch, Now: func() time.Time { return collectortest.Epoch }})
	if err != nil {
		b.Fatal(err)
	}
	rec := &recorder{h: site}
	srv := httptest.NewServer(rec)
	b.Cleanup(srv.Close)
	return rec, srv
}
