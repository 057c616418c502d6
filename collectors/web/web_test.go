package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/demosite"
)

var forumSelectors = Selectors{Item: "article.message", Text: ".message-body .bbWrapper", Author: ".username", Date: "time", Link: "a.message-date"}

func newCollector(t *testing.T, env *collectortest.Env, u string, mutate func(*Config)) *Collector {
	t.Helper()
	return collectortest.New(t, env, Config{URL: u, Selectors: forumSelectors, Follow: "a.pageNav-jump--next"}, mutate, New)
}

// TestDemoForum: every fixture post across the thread's pages, in UTF-8 and in the
// windows-1251 copy whose charset is only in <meta>.
func TestDemoForum(t *testing.T) {
	for _, prefix := range []string{"/forum", "/forum-cp1251"} {
		t.Run(prefix, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			got, err := collectortest.Collect(t, newCollector(t, env, env.Server.URL+prefix+"/thread/1", nil))
			if err != nil {
				t.Fatal(err)
			}
			want := env.Site.Visible("web", "1")
			if len(want) <= demosite.ForumPageSize {
				t.Fatal("fixture thread fits on one page: pagination untested")
			}
			if len(got) != len(want) {
				t.Fatalf("got %v, want %d", collectortest.IDs(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if id := "web:" + env.Server.URL + prefix + "/thread/1/post-" + w.NativeID; g.ID != id || g.URL != id[len("web:"):] {
					t.Errorf("post %d id %s, want %s", i, g.ID, id)
				}
				if g.Text != w.Text || g.Author != w.Author || !g.PublishedAt.Equal(env.Site.PublishedAt(w)) || g.Lang != w.Lang {
					t.Errorf("%s = %q %q %v %q, want %q %q %v %q", w.Key, g.Text, g.Author, g.PublishedAt, g.Lang, w.Text, w.Author, env.Site.PublishedAt(w), w.Lang)
				}
			}
		})
	}
}

func TestIncremental(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, env.Server.URL+"/forum/thread/1", nil)
	if _, err := collectortest.Collect(t, c); err != nil {
		t.Fatal(err)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("second poll: %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(16 * time.Minute)
	got, err := collectortest.Collect(t, c)
	if err != nil || len(got) != 1 || !strings.HasSuffix(got[0].ID, "post-9006") {
		t.Fatalf("new post: %v %v", collectortest.IDs(got), err)
	}
}

// TestNoPermalink: without a link selector ids come from the start URL and the content,
// so the same items are not new on the next poll.
func TestNoPermalink(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, env.Server.URL+"/forum/thread/1", func(c *Config) { c.Selectors.Link = "" })
	got, err := collectortest.Collect(t, c)
	if err != nil || len(got) != len(env.Site.Visible("web", "1")) {
		t.Fatalf("%d posts, %v", len(got), err)
	}
	if !strings.HasPrefix(got[0].ID, "web:"+env.Server.URL+"/forum/thread/1#") || !strings.HasPrefix(got[0].URL, env.Server.URL+"/forum/thread/1") {
		t.Errorf("id %s url %s", got[0].ID, got[0].URL)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("second poll %v %v", collectortest.IDs(again), err)
	}
}

func TestRobotsAndDepth(t *testing.T) {
	env := collectortest.NewEnv(t, func(o *demosite.Options) { o.RobotsTxt = "User-agent: *\nDisallow: /forum/\n" })
	if _, err := collectortest.Collect(t, newCollector(t, env, env.Server.URL+"/forum/thread/1", nil)); err == nil || !strings.Contains(err.Error(), "robots.txt") {
		t.Fatalf("robots disallow ignored: %v", err)
	}
	env = collectortest.NewEnv(t, nil)
	got, err := collectortest.Collect(t, newCollector(t, env, env.Server.URL+"/forum/thread/1", func(c *Config) { c.MaxDepth = 1 }))
	if err != nil || len(got) != demosite.ForumPageSize {
		t.Fatalf("max_depth 1: %d posts, %v", len(got), err)
	}
}

func TestParsePageGolden(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata")))
	defer srv.Close()
	for _, tc := range []struct {
		file  string
		items int
		next  string
		first Item
	}{
		{"comments.html", 2, "", Item{Author: "Демо читатель", Text: "Первый комментарий\nвторая строка", Published: time.Date(2026, 2, 27, 9, 30, 0, 0, time.UTC)}},
		{"truncated.html", 1, "", Item{Author: "Демо", Text: "Целый комментарий"}},
	} {
		b, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		pu, _ := url.Parse(srv.URL + "/" + tc.file)
		pg, err := ParsePage(b, pu, Selectors{Item: ".comment", Text: ".comment-text", Author: ".comment-author", Date: ".comment-date", Link: "a.permalink"}, "a.next")
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Items) != tc.items || pg.Next != tc.next {
			t.Fatalf("%s: %d items next %q", tc.file, len(pg.Items), pg.Next)
		}
		g := pg.Items[0]
		if g.Author != tc.first.Author || g.Text != tc.first.Text || !g.Published.Equal(tc.first.Published) {
			t.Errorf("%s first %+v, want %+v", tc.file, g, tc.first)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{URL: "https://x.invalid/"}, "selectors.item is required"},
		{Config{URL: "https://x.invalid/", Selectors: Selectors{Item: "div["}}, "selector item"},
		{Config{URL: "x.invalid", Selectors: Selectors{Item: "div"}}, "absolute"},
		{Config{URL: "https://x.invalid/", Selectors: Selectors{Item: "div"}, MaxDepth: 1000}, "max_depth"},
	} {
		tc.cfg.Defaults()
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v want %q", tc.cfg, err, tc.want)
		}
	}
}

func FuzzParsePage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	pu, _ := url.Parse("https://forum.invalid/thread/1")
	f.Fuzz(func(t *testing.T, b []byte) {
		pg, err := ParsePage(b, pu, Selectors{Item: ".comment", Text: ".comment-text", Author: ".comment-author", Date: ".comment-date", Link: "a.permalink"}, "a.next")
		if err != nil {
			return
		}
		for _, it := range pg.Items {
			if it.Text == "" || (it.Link == "" && it.Page == "") {
				t.Fatalf("empty item %+v", it)
			}
		}
		if pg.Next != "" && !strings.HasPrefix(pg.Next, "https://forum.invalid/") {
			t.Fatalf("followed off-site: %s", pg.Next)
		}
	})
}
