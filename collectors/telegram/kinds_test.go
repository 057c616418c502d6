package telegram

import (
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/post"
)

var update = flag.Bool("update", false, "rewrite golden files")

func servePages(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := pages[r.URL.Path]
		if !ok || r.URL.Query().Get("before") != "" {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestEveryMessageKind: a page with every kind of message t.me shows (poll, document,
// audio file, round video, voice, link preview alone and under a text, webp and animated
// stickers, album, too-big video, GIF, reply, linked and hidden forwards, unsupported
// media, a service message) yields one post per non-service message, each with its date,
// text and views; testdata/kinds.golden.json holds the posts.
func TestEveryMessageKind(t *testing.T) {
	srv := servePages(t, map[string]string{"/s/demo_kinds": "kinds.html"})
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "demo_kinds", func(c *Config) { c.BaseURL = srv.URL; c.BackfillPages = 1 })
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	ids := collectortest.IDs(got)
	want := []string{"101", "102", "103", "104", "105", "106", "107", "108", "110", "111", "113", "114", "115"}
	if len(ids) != len(want) {
		t.Fatalf("got %v", ids)
	}
	byID := map[string]post.Post{}
	for i, p := range got {
		if p.ID != "telegram:demo_kinds/"+want[i] {
			t.Fatalf("post %d is %s, want %s", i, p.ID, want[i])
		}
		if p.PublishedAt.IsZero() || p.Views == 0 || p.Kind != post.KindPost {
			t.Errorf("%s: date %v views %d kind %q", p.ID, p.PublishedAt, p.Views, p.Kind)
		}
		byID[want[i]] = p
	}
	media := func(id, kind string) post.Media {
		for _, m := range byID[id].Media {
			if m.Kind == kind {
				return m
			}
		}
		t.Errorf("%s: no %s media in %+v", id, kind, byID[id].Media)
		return post.Media{}
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"poll text", byID["101"].Text == "Мектептерде «үй-бүлө баалуулуктары» сабагы керекпи?\n— Ооба, милдеттүү\n— Жок"},
		{"poll media", media("101", "poll") == post.Media{Kind: "poll", URL: srv.URL + "/demo_kinds/101", Name: "Anonymous Poll",
			Title: "Мектептерде «үй-бүлө баалуулуктары» сабагы керекпи?", Count: 2100}},
		{"document", media("102", "document") == post.Media{Kind: "document", URL: "https://t.me/demo_kinds/102?single",
			Name: "spisok_aktivistov_2026.pdf", Size: "2.4 MB"}},
		{"document caption and title", byID["102"].Text == "Толук тизме ушул файлда. Таратып жибергиле." && byID["102"].Title == "spisok_aktivistov_2026.pdf"},
		{"round video", media("103", "round_video") == post.Media{Kind: "round_video", URL: "https://cdn4.demo.invalid/file/rv103.mp4", Seconds: 47}},
		{"round video empty text", byID["103"].Text == ""},
		{"voice", media("104", "voice") == post.Media{Kind: "voice", URL: "https://cdn4.demo.invalid/file/voice104.ogg", Seconds: 65}},
		{"bare preview", media("105", "link_preview") == post.Media{Kind: "link_preview", URL: "https://news.demo.invalid/2026/10/article?id=7&ref=tg",
			Name: "Demo News", Title: "Парламентте «чет элдик агенттер» мыйзамы талкууланды", Description: "Депутаттар жаңы долбоорду биринчи окууда карашты."}},
		{"bare preview text", byID["105"].Text == "Парламентте «чет элдик агенттер» мыйзамы талкууланды\nДепутаттар жаңы долбоорду биринчи окууда карашты."},
		{"sticker", media("106", "sticker").URL == "https://cdn4.demo.invalid/file/st106.webp" && byID["106"].Text == ""},
		{"animated sticker", media("107", "sticker").URL == "https://cdn4.demo.invalid/file/st107.tgs"},
		{"album", len(byID["108"].Media) == 2 && byID["108"].ForwardedFrom == "t.me/demo_source/55"},
		{"too big video", media("110", "video") == post.Media{Kind: "video", URL: "https://t.me/demo_kinds/110", Seconds: 751}},
		{"hidden forward", byID["110"].ForwardedFrom == "Жашыруун жөнөтүүчү"},
		{"gif", media("111", "video") == post.Media{Kind: "video", URL: "https://cdn4.demo.invalid/file/g111.mp4", Seconds: 4} && byID["111"].ReplyTo == "t.me/demo_kinds/105" && byID["111"].Text == ""},
		{"audio file", media("113", "audio").Name == "Демо ыр"},
		{"unsupported", media("114", "unsupported").URL == srv.URL+"/demo_kinds/114"},
		{"text keeps its own words", byID["115"].Text == "Бүгүн өңүттөн кийин окугула" && media("115", "link_preview").Title == "Макала"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s", c.name)
		}
	}
	// Golden file of the whole output (URLs of the test server normalised).
	for i := range got {
		got[i].URL = strings.ReplaceAll(got[i].URL, srv.URL, "BASE")
		for j := range got[i].Media {
			got[i].Media[j].URL = strings.ReplaceAll(got[i].Media[j].URL, srv.URL, "BASE")
		}
		got[i].CollectedAt = got[i].PublishedAt
	}
	b, _ := json.MarshalIndent(got, "", "  ")
	golden := filepath.Join("testdata", "kinds.golden.json")
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantB, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(wantB) != string(b) {
		t.Errorf("output differs from %s (run with -update and review):\n%s", golden, b)
	}
}

// TestMarkupChangedIsASourceError: a page whose wrappers hold messages the parser does
// not know yields the readable ones, counts the rest and fails the poll; a page where
// nothing parses fails without emitting anything.
func TestMarkupChangedIsASourceError(t *testing.T) {
	srv := servePages(t, map[string]string{"/s/demo_kinds": "changed.html"})
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "demo_kinds", func(c *Config) { c.BaseURL = srv.URL; c.BackfillPages = 1 })
	got, err := collectortest.Collect(t, c)
	if !errors.Is(err, ErrMarkupChanged) {
		t.Fatalf("err %v", err)
	}
	if len(got) != 1 || got[0].ID != "telegram:demo_kinds/120" {
		t.Fatalf("got %v", collectortest.IDs(got))
	}
	for _, want := range []string{"demo_kinds/122: no text and no known media", "wrapper 2 has no data-post"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	b, _ := os.ReadFile(filepath.Join("testdata", "changed.html"))
	pg, perr := ParsePreview(b)
	if perr != nil || len(pg.Errors) != 2 {
		t.Fatalf("page errors %v %v", pg, perr)
	}
}

// TestRefreshViews: messages seen again with more views come back as refreshes (same id,
// new views, Refresh set), backing off with age; none past refresh_age; a negative
// refresh_age turns refreshes off.
func TestRefreshViews(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "kg_demo_patriot", nil)
	first, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	views := map[string]int64{}
	for _, p := range first {
		views[p.ID] = p.Views
	}
	env.Clock.Advance(3 * time.Hour)
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	refreshes := 0
	for _, p := range got {
		if !p.Refresh {
			if _, old := views[p.ID]; old {
				t.Errorf("%s re-published as a new post", p.ID)
			}
			continue
		}
		refreshes++
		if old, ok := views[p.ID]; !ok || p.Views <= old {
			t.Errorf("refresh %s: views %d, before %d", p.ID, p.Views, old)
		}
	}
	if refreshes == 0 {
		t.Fatalf("no refresh after 3 hours: %v", collectortest.IDs(got))
	}
	again, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range again {
		if p.Refresh {
			t.Errorf("%s refreshed again at once", p.ID)
		}
	}

	env2 := collectortest.NewEnv(t, nil)
	off := newCollector(t, env2, "kg_demo_patriot", func(c *Config) { c.RefreshAge = -1 })
	if _, err := collectortest.Collect(t, off); err != nil {
		t.Fatal(err)
	}
	env2.Clock.Advance(3 * time.Hour)
	got, _ = collectortest.Collect(t, off)
	for _, p := range got {
		if p.Refresh {
			t.Errorf("refresh_age < 0 still refreshed %s", p.ID)
		}
	}
}
