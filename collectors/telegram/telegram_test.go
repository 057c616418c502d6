package telegram

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

func newCollector(t *testing.T, env *collectortest.Env, channel string, mutate func(*Config)) *Collector {
	t.Helper()
	return collectortest.New(t, env, Config{Channel: channel, BaseURL: env.Server.URL}, mutate, New)
}

// TestDemoChannels: every fixture message of each channel, with pagination back through
// the filler history, ids, dates, texts, authors, views, forwards, replies and photos.
func TestDemoChannels(t *testing.T) {
	for _, ch := range []string{"kg_demo_patriot", "demo_raduga_kg"} {
		t.Run(ch, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			got, err := collectortest.Collect(t, newCollector(t, env, ch, nil))
			if err != nil {
				t.Fatal(err)
			}
			want := env.Site.Visible("telegram", ch)
			if len(got) != len(want) {
				t.Fatalf("got %d posts, want %d: %v", len(got), len(want), collectortest.IDs(got))
			}
			for i, w := range want {
				g := got[i]
				if id := "telegram:" + ch + "/" + w.NativeID; g.ID != id {
					t.Fatalf("post %d id %s, want %s", i, g.ID, id)
				}
				if !g.PublishedAt.Equal(env.Site.PublishedAt(w)) || g.Text != w.CollectedText() {
					t.Errorf("%s: %v %q, want %v %q", w.Key, g.PublishedAt, g.Text, env.Site.PublishedAt(w), w.CollectedText())
				}
				if w.Document != nil && (g.Title != w.Document.Name || !hasMedia(g.Media, "document", w.Document.Name)) {
					t.Errorf("%s: document %q %+v", w.Key, g.Title, g.Media)
				}
				if w.Poll != nil && !hasMedia(g.Media, "poll", w.Poll.Type) {
					t.Errorf("%s: poll media %+v", w.Key, g.Media)
				}
				wantAuthor := w.Author
				if w.Signature != "" {
					wantAuthor = w.Signature
				}
				if g.Author != wantAuthor {
					t.Errorf("%s author %q, want %q", w.Key, g.Author, wantAuthor)
				}
				// t.me shows views lossily ("4.2K"): within the rounding of one decimal.
				if views := env.Site.Views(w); math.Abs(float64(g.Views-views)) > float64(views)/20+1 {
					t.Errorf("%s views %d, want about %d", w.Key, g.Views, views)
				}
				if w.ForwardedFrom != "" && g.ForwardedFrom != "t.me/"+w.ForwardedFrom {
					t.Errorf("%s forwarded %q", w.Key, g.ForwardedFrom)
				}
				photos := 0
				for _, m := range g.Media {
					if m.Kind == "photo" {
						photos++
					}
				}
				if photos != w.Photos {
					t.Errorf("%s photos %d, want %d", w.Key, photos, w.Photos)
				}
				if w.Lang != "" && g.Lang != w.Lang {
					t.Errorf("%s lang %q, want %q", w.Key, g.Lang, w.Lang)
				}
				if g.URL != fmt.Sprintf("%s/%s/%s", env.Server.URL, ch, w.NativeID) {
					t.Errorf("%s url %q", w.Key, g.URL)
				}
			}
		})
	}
}

// TestIncrementalAndReply: nothing new on a second poll, each new message exactly once,
// and a reply's quote is not mistaken for its text.
func TestIncrementalAndReply(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "kg_demo_patriot", nil)
	if _, err := collectortest.Collect(t, c); err != nil {
		t.Fatal(err)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("second poll: %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(15 * time.Minute)
	got, err := collectortest.Collect(t, c)
	if err != nil || len(got) != 1 || got[0].ID != "telegram:kg_demo_patriot/225" {
		t.Fatalf("after 15 min: %v %v", collectortest.IDs(got), err)
	}
	env.Clock.Advance(15 * time.Minute)
	got, err = collectortest.Collect(t, c)
	if err != nil || len(got) != 1 || got[0].ID != "telegram:kg_demo_patriot/228" {
		t.Fatalf("after 30 min: %v %v", collectortest.IDs(got), err)
	}
	if !strings.HasPrefix(got[0].Text, "Бул Нурдин") || strings.Contains(got[0].Text, "Знакомьтесь") {
		t.Errorf("reply text mixed with its quote: %q", got[0].Text)
	}
	if got[0].ReplyTo != strings.TrimPrefix(env.Server.URL, "http://")+"/kg_demo_patriot/213" && !strings.HasSuffix(got[0].ReplyTo, "/kg_demo_patriot/213") {
		t.Errorf("reply_to %q", got[0].ReplyTo)
	}
	if got[0].Lang != "ky" {
		t.Errorf("lang %q", got[0].Lang)
	}
}

// TestPagination checks a small page size walks several ?before= pages and the page
// limit bounds the first poll.
func TestPagination(t *testing.T) {
	env := collectortest.NewEnv(t, func(o *demosite.Options) { o.PageSize = 7 })
	want := len(env.Site.Visible("telegram", "kg_demo_patriot"))
	got, err := collectortest.Collect(t, newCollector(t, env, "kg_demo_patriot", func(c *Config) { c.BackfillPages = 100 }))
	if err != nil || len(got) != want {
		t.Fatalf("got %d posts (err %v), want %d", len(got), err, want)
	}
	env2 := collectortest.NewEnv(t, func(o *demosite.Options) { o.PageSize = 7 })
	got, err = collectortest.Collect(t, newCollector(t, env2, "kg_demo_patriot", func(c *Config) { c.BackfillPages = 2 }))
	if err != nil || len(got) != 14 {
		t.Fatalf("backfill of 2 pages: %d posts, err %v", len(got), err)
	}
}

func TestUnavailableChannels(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	for _, tc := range []struct {
		channel string
		want    error
	}{
		{"demo_hidden_channel", ErrNoPreview},
		{"demo_deleted_channel", ErrChannelNotFound},
	} {
		_, err := collectortest.Collect(t, newCollector(t, env, tc.channel, nil))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.channel, err, tc.want)
		}
	}
}

func TestEmptyAndBrokenPages(t *testing.T) {
	pages := map[string]string{}
	for _, f := range []string{"empty.html", "truncated.html", "notpreview.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		pages[f] = string(b)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/s/demo_empty":
			_, _ = w.Write([]byte(pages["empty.html"]))
		case "/s/demo_truncated":
			_, _ = w.Write([]byte(pages["truncated.html"]))
		case "/s/demo_garbage":
			_, _ = w.Write([]byte(pages["notpreview.html"]))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env := collectortest.NewEnv(t, nil)
	run := func(ch string) (int, error) {
		c := newCollector(t, env, ch, func(c *Config) { c.BaseURL = srv.URL })
		got, err := collectortest.Collect(t, c)
		return len(got), err
	}
	if n, err := run("demo_empty"); err != nil || n != 0 {
		t.Errorf("empty channel: %d posts, err %v", n, err)
	}
	// A truncated page still yields the complete messages before the cut, and the cut
	// one is a source error rather than a silent loss.
	if n, err := run("demo_truncated"); !errors.Is(err, ErrMarkupChanged) || n != 1 {
		t.Errorf("truncated page: %d posts, err %v", n, err)
	}
	if _, err := run("demo_garbage"); !errors.Is(err, ErrNotPreview) {
		t.Errorf("garbage page: err %v", err)
	}
}

func TestParseCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"882", 882, false}, {"4.2K", 4200, false}, {"1.2M", 1200000, false}, {"10\u00a0518", 10518, false},
		{"70.2K", 70200, false}, {"3B", 3000000000, false}, {"", 0, true}, {"abc", 0, true}, {"-5", 0, true}, {"NaN", 0, true}, {"Inf", 0, true},
	} {
		got, err := ParseCount(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseCount(%q) = %d, %v", tc.in, got, err)
		}
	}
	// The demo site's formatting round-trips within its precision.
	for _, n := range []int64{0, 999, 1000, 4249, 15230, 1234567} {
		got, err := ParseCount(demosite.FormatCount(n))
		if err != nil || math.Abs(float64(got-n)) > float64(n)/20+1 {
			t.Errorf("round trip %d -> %q -> %d", n, demosite.FormatCount(n), got)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Channel: "ab"}, "not a public channel"},
		{Config{Channel: "@good_name", BaseURL: "t.me"}, "base_url"},
		{Config{Channel: "bad name!"}, "not a public channel"},
	} {
		tc.cfg.Defaults()
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	c := Config{Channel: "@good_name"}
	c.Defaults()
	if err := c.Validate(); err != nil || c.Channel != "good_name" || c.SourceName() != "telegram:good_name" || c.BaseURL != "https://t.me" {
		t.Errorf("defaults: %+v %v", c, err)
	}
}

func FuzzParsePreview(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		pg, err := ParsePreview(body)
		if err != nil {
			return
		}
		for _, m := range pg.Messages {
			if m.ID <= 0 || m.Channel == "" || m.Date.IsZero() {
				t.Fatalf("accepted an incomplete message %+v", m)
			}
		}
		_, _ = ParseChannelPage(body)
	})
}

// TestParsePreviewTraps covers the markup traps of collectors.md §1.2: reply quotes
// share the text class, video durations are <time> too, external hrefs double-escape &.
func TestParsePreviewTraps(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "truncated.html"))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := ParsePreview(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Messages) != 1 {
		t.Fatalf("%d messages", len(pg.Messages))
	}
	m := pg.Messages[0]
	if m.Text != "Үй-бүлө & салт\nэкинчи сап link" {
		t.Errorf("text %q", m.Text)
	}
	if !m.Date.Equal(time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)) || !m.Edited || m.Views != 1500 {
		t.Errorf("date %v edited %v views %d", m.Date, m.Edited, m.Views)
	}
	if len(m.Links) != 1 || m.Links[0] != "https://example.invalid/?a=1&b=2" {
		t.Errorf("links %v", m.Links)
	}
	if m.ReplyTo != "t.me/demo_truncated/4" || m.Author != "Demo truncated" {
		t.Errorf("reply %q author %q", m.ReplyTo, m.Author)
	}
}

func hasMedia(ms []post.Media, kind, name string) bool {
	for _, m := range ms {
		if m.Kind == kind && m.Name == name {
			return true
		}
	}
	return false
}
