package collectors_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/post"
)

// TestSourceRedirectToInternalPortRefused runs a real rss source built by its factory, as
// the collect role does: the feed on 127.0.0.1:A redirects to 127.0.0.1:B (standing in
// for ClickHouse's HTTP port). The configured endpoint is fetched, B never is.
func TestSourceRedirectToInternalPortRefused(t *testing.T) {
	var internalHits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		internalHits.Add(1)
		_, _ = w.Write([]byte(`<rss><channel><title>x</title></channel></rss>`))
	}))
	t.Cleanup(internal.Close)
	var feedHits atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		feedHits.Add(1)
		http.Redirect(w, r, internal.URL+"/?query=SELECT+1", http.StatusFound)
	}))
	t.Cleanup(site.Close)

	var node yaml.Node
	if err := yaml.Unmarshal([]byte("kind: rss\nurl: "+site.URL+"/feed.xml\n"), &node); err != nil {
		t.Fatal(err)
	}
	reg := all.Registry()
	cfg, err := reg.Decode(node.Content[0])
	if err != nil {
		t.Fatal(err)
	}
	f, err := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: "kuzot-test/1.0", HostRules: []collectors.HostRule{{Pattern: "*"}}, MaxTries: 1})
	if err != nil {
		t.Fatal(err)
	}
	fac, _ := reg.Factory("rss")
	col, err := fac.New(cfg, collectors.Deps{State: collectors.NewMemoryState(), HTTP: f.Client(nil), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	err = col.Collect(context.Background(), func(context.Context, post.Post) error { return nil })
	if !errors.Is(err, collectors.ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	if feedHits.Load() != 1 || internalHits.Load() != 0 {
		t.Fatalf("feed fetched %d times, internal port %d times; want 1 and 0", feedHits.Load(), internalHits.Load())
	}
}
