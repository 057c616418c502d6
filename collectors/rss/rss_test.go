package rss

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/post"
)

func newCollector(t *testing.T, env *collectortest.Env, feedURL string) *Collector {
	t.Helper()
	return collectortest.New(t, env, Config{URL: feedURL}, nil, New)
}

// TestDemoFeeds asserts that each demo feed yields exactly the fixture posts: ids, dates,
// titles, texts, authors and languages, windows-1251 included.
func TestDemoFeeds(t *testing.T) {
	for _, tc := range []struct{ path, query string }{
		{"/rss/news.xml", ""},
		{"/atom/blog.xml", ""},
		{"/rss/cp1251.xml", ""},
		{"/rss/cp1251.xml", "?cs=header"},
		{"/rss/cp1251.xml", "?cs=prolog"},
	} {
		t.Run(tc.path+tc.query, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			feedURL := env.Server.URL + tc.path + tc.query
			got, err := collectortest.Collect(t, newCollector(t, env, feedURL))
			if err != nil {
				t.Fatal(err)
			}
			want := env.Site.Visible("rss", tc.path)
			if len(want) == 0 {
				t.Fatal("fixture has no visible posts")
			}
			if len(got) != len(want) {
				t.Fatalf("got %d posts %v, want %d", len(got), collectortest.IDs(got), len(want))
			}
			u, _ := url.Parse(feedURL)
			for i, w := range want {
				g := got[i]
				if id := "rss:" + u.Host + tc.path + ":" + collectors.ShortHash(w.NativeID); g.ID != id {
					t.Errorf("post %d id %q, want %q", i, g.ID, id)
				}
				if !g.PublishedAt.Equal(env.Site.PublishedAt(w)) {
					t.Errorf("%s published %v, want %v", w.Key, g.PublishedAt, env.Site.PublishedAt(w))
				}
				if g.Title != w.Title || g.Text != w.Text || g.Author != w.Author {
					t.Errorf("%s = %q / %q / %q, want %q / %q / %q", w.Key, g.Title, g.Text, g.Author, w.Title, w.Text, w.Author)
				}
				if g.Lang != w.Lang {
					t.Errorf("%s lang %q, want %q", w.Key, g.Lang, w.Lang)
				}
				if g.Source != Kind || g.Channel == "" {
					t.Errorf("%s source %q channel %q", w.Key, g.Source, g.Channel)
				}
			}
		})
	}
}

// TestIncremental: a second poll publishes nothing (conditional GET answers 304); a new
// fixture post is published exactly once.
func TestIncremental(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, env.Server.URL+"/rss/news.xml")
	first, err := collectortest.Collect(t, c)
	if err != nil || len(first) != 3 {
		t.Fatalf("first poll: %d posts, err %v", len(first), err)
	}
	again, err := collectortest.Collect(t, c)
	if err != nil || len(again) != 0 {
		t.Fatalf("second poll: %v, err %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(6 * time.Minute)
	fresh, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh) != 1 || !strings.Contains(fresh[0].Title, "Правозащитники") {
		t.Fatalf("after 6 min: %v", fresh)
	}
	if more, err := collectortest.Collect(t, c); err != nil || len(more) != 0 {
		t.Fatalf("repeat: %v, %v", collectortest.IDs(more), err)
	}
	// A restart with the same state publishes nothing either.
	c2 := newCollector(t, env, env.Server.URL+"/rss/news.xml")
	if more, err := collectortest.Collect(t, c2); err != nil || len(more) != 0 {
		t.Fatalf("after restart: %v, %v", collectortest.IDs(more), err)
	}
}

// TestConditionalGET checks the validators are sent back and a 304 emits nothing.
func TestConditionalGET(t *testing.T) {
	var sawINM, sawIMS atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			sawINM.Add(1)
		}
		if r.Header.Get("If-Modified-Since") != "" {
			sawIMS.Add(1)
		}
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Sun, 01 Mar 2026 10:00:00 GMT")
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<rss><channel><title>T</title><item><guid>a</guid><title>A</title><pubDate>Sun, 01 Mar 2026 10:00:00 +0000</pubDate></item></channel></rss>`))
	}))
	defer srv.Close()
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, srv.URL+"/feed")
	for i, want := range []int{1, 0, 0} {
		got, err := collectortest.Collect(t, c)
		if err != nil || len(got) != want {
			t.Fatalf("poll %d: %d posts, err %v", i, len(got), err)
		}
	}
	if sawINM.Load() != 2 || sawIMS.Load() != 2 {
		t.Errorf("validators sent %d/%d times, want 2/2", sawINM.Load(), sawIMS.Load())
	}
}

// TestRetryAfterAndTTL: a 429 with a long Retry-After ends the poll with an error and the
// next poll waits it out; a feed's <ttl> longer than the interval delays the next fetch.
func TestRetryAfterAndTTL(t *testing.T) {
	var hits atomic.Int32
	var limited atomic.Bool
	limited.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		if limited.Load() {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`<rss><channel><ttl>120</ttl><item><guid>a</guid><title>A</title></item></channel></rss>`))
	}))
	defer srv.Close()
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, srv.URL+"/feed")
	if _, err := collectortest.Collect(t, c); err == nil {
		t.Fatal("429 with Retry-After 3600 should fail the poll")
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("a Retry-After beyond the backoff cap must not be retried at once, got %d hits", n)
	}
	limited.Store(false)
	if got, err := collectortest.Collect(t, c); err != nil || len(got) != 0 || hits.Load() != 1 {
		t.Fatalf("poll inside Retry-After fetched: hits %d, posts %d, err %v", hits.Load(), len(got), err)
	}
	env.Clock.Advance(time.Hour + time.Second)
	got, err := collectortest.Collect(t, c)
	if err != nil || len(got) != 1 {
		t.Fatalf("after Retry-After: %d posts, err %v", len(got), err)
	}
	// An item without a date gets the collection time.
	if !got[0].PublishedAt.Equal(env.Clock.Now()) {
		t.Errorf("undated item published %v", got[0].PublishedAt)
	}
	env.Clock.Advance(time.Hour)
	before := hits.Load()
	if _, err := collectortest.Collect(t, c); err != nil || hits.Load() != before {
		t.Fatalf("ttl 120 min not honoured: %d new hits, err %v", hits.Load()-before, err)
	}
	env.Clock.Advance(61 * time.Minute)
	if _, err := collectortest.Collect(t, c); err != nil || hits.Load() != before+1 {
		t.Fatalf("after ttl: %d new hits, err %v", hits.Load()-before, err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		url, want string
	}{
		{"", "url is required"},
		{"ftp://x/feed", "absolute http(s)"},
		{"/relative", "absolute http(s)"},
	} {
		c := Config{URL: tc.url}
		c.Defaults()
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%q) = %v, want %q", tc.url, err, tc.want)
		}
	}
	c := Config{URL: "https://news.example.kg/rss/"}
	c.Defaults()
	if c.SourceName() != "rss:news.example.kg/rss" || c.Validate() != nil {
		t.Errorf("defaults: name %q err %v", c.SourceName(), c.Validate())
	}
}

// TestParseGolden parses the testdata feeds: odd dates, HTML descriptions, entities,
// RSS 1.0, CDATA, missing guids, malformed and truncated documents.
func TestParseGolden(t *testing.T) {
	tests := []struct {
		file, ctype string
		items       int
		wantErr     string
		first       Item
	}{
		{file: "rss1.xml", items: 2, first: Item{GUID: "https://example.invalid/a", Title: "First & foremost", Text: "Line one\nLine two"}},
		{file: "atom-xhtml.xml", items: 1, first: Item{GUID: "urn:demo:1", Title: "Үй-бүлө", Text: "Кыргызча текст ң ө ү"}},
		{file: "truncated.xml", wantErr: "parse"},
		{file: "html.html", ctype: "text/html", wantErr: "not an RSS or Atom feed"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(b, tc.ctype)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != tc.items {
				t.Fatalf("%d items, want %d", len(f.Items), tc.items)
			}
			g := f.Items[0]
			if g.GUID != tc.first.GUID || g.Title != tc.first.Title || g.Text != tc.first.Text {
				t.Errorf("first item %+v, want %+v", g, tc.first)
			}
			if g.Published.IsZero() {
				t.Errorf("first item has no date")
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b, "")
			f.Add(b, "application/rss+xml; charset=windows-1251")
		}
	}
	f.Add([]byte("<rss><channel><item><title>&bogus;</title></item>"), "text/xml")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		feed, err := Parse(body, ctype)
		if err != nil {
			return
		}
		for _, it := range feed.Items {
			p := post.Post{ID: "rss:x:" + collectors.ShortHash(it.GUID), Source: Kind, Title: it.Title, Text: it.Text, Author: it.Author, PublishedAt: time.Unix(1, 0)}
			p.Normalize()
			if err := p.Validate(); err != nil {
				t.Fatalf("item became an invalid post: %v", err)
			}
		}
	})
}
