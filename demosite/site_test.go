package demosite

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestLoadDeterministic(t *testing.T) {
	a, err := Load(7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Load(7)
	c, _ := Load(8)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed, different content")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds, same filler")
	}
	labels := map[string]int{}
	frames := map[string]bool{}
	langs := map[string]bool{}
	for _, p := range a.Posts {
		labels[p.Label]++
		if p.Frame != "" {
			frames[p.Frame] = true
		}
		langs[p.Lang] = true
		if p.Key == "" || p.Kind == "" || p.Place == "" || p.NativeID == "" || p.Text == "" {
			t.Errorf("incomplete post %+v", p)
		}
	}
	for _, l := range []string{"narrative", "hard_negative", "exposure", "coordinated", "neutral"} {
		if labels[l] == 0 {
			t.Errorf("no %s posts", l)
		}
	}
	for _, f := range []string{"propaganda_ban", "foreign_agent", "western_values", "traditional_family", "child_protection", "political_smear", "dehumanization", "violence_threat"} {
		if !frames[f] {
			t.Errorf("no post of frame %s", f)
		}
	}
	for _, l := range []string{"ru", "ky", "en"} {
		if !langs[l] {
			t.Errorf("no post in %s", l)
		}
	}
	if labels["coordinated"] < 3 {
		t.Errorf("coordinated burst has %d posts", labels["coordinated"])
	}
}

func TestPostsAppearOverTime(t *testing.T) {
	now := epoch
	s, err := New(Options{Seed: 1, Epoch: epoch, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	before := len(s.Visible("rss", "/rss/news.xml"))
	now = epoch.Add(6 * time.Minute)
	if after := len(s.Visible("rss", "/rss/news.xml")); after != before+1 {
		t.Fatalf("visible %d -> %d", before, after)
	}
}

func TestFeedConditional(t *testing.T) {
	s, err := New(Options{Seed: 1, Epoch: epoch, Now: func() time.Time { return epoch }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/rss/news.xml")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || !strings.Contains(string(body), "<rss") {
		t.Fatalf("status %d etag %q", resp.StatusCode, etag)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/rss/news.xml", nil)
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET status %d", resp.StatusCode)
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("zero epoch accepted")
	}
}
