package vk

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
)

func newCollector(t *testing.T, env *collectortest.Env, mutate func(*Config)) *Collector {
	t.Helper()
	return collectortest.New(t, env, Config{Domain: "demo_el_uchun", AccessToken: "demo-token", BaseURL: env.Server.URL}, mutate, New)
}

// TestDemoWall: every fixture post (pinned included), oldest first, with authors of
// the coordinated burst, repost origin, views and languages.
func TestDemoWall(t *testing.T) {
	for _, by := range []string{"domain", "owner_id"} {
		t.Run(by, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			c := newCollector(t, env, func(c *Config) {
				if by == "owner_id" {
					c.Domain, c.OwnerID = "", -100001
				}
			})
			got, err := collectortest.Collect(t, c)
			if err != nil {
				t.Fatal(err)
			}
			want := env.Site.Visible("vk", "demo_el_uchun")
			if len(got) != len(want) {
				t.Fatalf("got %v, want %d", collectortest.IDs(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.ID != "vk:-100001_"+w.NativeID || g.Text != w.Text || g.Author != w.Author || g.Channel != "Демо Эл үчүн" {
					t.Errorf("post %d = %s %q %q %q, want %s %q %q", i, g.ID, g.Author, g.Text, g.Channel, w.NativeID, w.Author, w.Text)
				}
				if !g.PublishedAt.Equal(env.Site.PublishedAt(w)) || g.Views != env.Site.Views(w) || g.Lang != w.Lang {
					t.Errorf("%s: %v %d %q", w.Key, g.PublishedAt, g.Views, g.Lang)
				}
				if w.RepostOf != "" && g.ForwardedFrom != "vk:"+w.RepostOf {
					t.Errorf("%s forwarded_from %q", w.Key, g.ForwardedFrom)
				}
			}
		})
	}
}

func TestIncremental(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, nil)
	if _, err := collectortest.Collect(t, c); err != nil {
		t.Fatal(err)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("second poll %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(31 * time.Minute)
	all, err := collectortest.Collect(t, c)
	var got []post.Post
	refreshes := 0
	for _, p := range all {
		if p.Refresh {
			refreshes++ // the burst posts' views grew: refreshes, not new posts
			if p.ID == "vk:-100001_49" || p.Views == 0 {
				t.Errorf("bad refresh %+v", p)
			}
			continue
		}
		got = append(got, p)
	}
	if err != nil || len(got) != 1 || got[0].ID != "vk:-100001_49" || got[0].Lang != "ky" {
		t.Fatalf("new post: %v %v", got, err)
	}
	if refreshes == 0 {
		t.Error("no refresh of the young posts whose views grew")
	}
}

func TestAPIErrors(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		switch r.URL.Query().Get("domain") {
		case "rate_limited":
			_, _ = w.Write([]byte(`{"error":{"error_code":29,"error_msg":"Rate limit reached"}}`))
		case "denied":
			_, _ = w.Write([]byte(`{"error":{"error_code":15,"error_msg":"Access denied"}}`))
		default:
			_, _ = w.Write([]byte(`{"response":{"count":1,"items":[{"id":1,"owner_id":-1,"from_id":-1,"date":1700000000,"text":"[club1|Демо] hi"`))
		}
	}))
	defer srv.Close()
	env := collectortest.NewEnv(t, nil)
	run := func(domain string) error {
		_, err := collectortest.Collect(t, newCollector(t, env, func(c *Config) { c.Domain = domain; c.BaseURL = srv.URL; c.AccessToken = "s3cret" }))
		return err
	}
	err := run("rate_limited")
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 29 || !ae.RateLimited() {
		t.Fatalf("err %v", err)
	}
	before := calls.Load()
	if err := run("rate_limited"); err != nil || calls.Load() != before {
		t.Fatalf("polled again inside the rate-limit pause: %v, %d calls", err, calls.Load()-before)
	}
	if err := run("denied"); !errors.As(err, &ae) || ae.Code != 15 || ae.RateLimited() {
		t.Fatalf("denied: %v", err)
	}
	if err := run("truncated"); err == nil || !strings.Contains(err.Error(), "malformed JSON") {
		t.Fatalf("truncated: %v", err)
	}
}

func TestMentionsAndAttachments(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "wall.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	c := &Collector{cfg: Config{Domain: "demo"}}
	names := map[int64]string{-1: "Демо", 5: "Демо Автор"}
	p := c.toPost(r.Items[0], names, time.Unix(0, 0))
	if p.Text != "Привет, Демо Человек и Демо Клуб!" || p.Author != "Демо Автор" {
		t.Errorf("post %q by %q", p.Text, p.Author)
	}
	if len(p.Media) != 3 || p.Media[0].URL != "https://example.invalid/big.jpg" || p.Media[1].Kind != "link" {
		t.Errorf("media %+v", p.Media)
	}
	// A bare repost carries the original's text.
	p = c.toPost(r.Items[1], names, time.Unix(0, 0))
	if p.Text != "исходный текст" || p.ForwardedFrom != "vk:-7_70" || len(p.Media) != 1 {
		t.Errorf("repost %+v", p)
	}
}

func TestConfig(t *testing.T) {
	t.Setenv("KUZOT_VK_ACCESS_TOKEN", "")
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{AccessToken: "x"}, "set domain or owner_id"},
		{Config{Domain: "bad domain!", AccessToken: "x"}, "short name"},
		{Config{Domain: "ok_name"}, "access_token is required"},
	} {
		tc.cfg.Defaults()
		if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v want %q", tc.cfg, err, tc.want)
		}
	}
	if err := config.RedactError(errors.New("GET https://api.vk.com/method/wall.get?access_token=s3cret: HTTP 500"), "s3cret", "<token>"); strings.Contains(err.Error(), "s3cret") {
		t.Errorf("token leaked: %v", err)
	}
}

func FuzzParseResponse(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "wall.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"error":{"error_code":6}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseResponse(b)
		if err != nil {
			return
		}
		c := &Collector{cfg: Config{Domain: "demo"}}
		for _, it := range r.Items {
			p := c.toPost(it, map[int64]string{}, time.Unix(0, 0))
			if p.ID == "" || p.Source != Kind {
				t.Fatalf("bad post %+v", p)
			}
		}
	})
}
