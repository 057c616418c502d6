package telegram

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

func withComments(mutate func(*Config)) func(*Config) {
	return func(c *Config) {
		c.Comments.Enabled = true
		if mutate != nil {
			mutate(c)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gaugeValue reads one series of a gauge or counter of the env's registry.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name, source string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "source" && l.GetValue() == source {
					if m.GetGauge() != nil {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{source=%q}", name, source)
	return 0
}

// TestParseDiscussionFixture reads a widget page written from t.me's discussion markup:
// the channel post on top is not a comment, a service message is skipped, a reply's quote
// is not its text, the load-more call is named by the page.
func TestParseDiscussionFixture(t *testing.T) {
	d, err := ParseDiscussion(readFixture(t, "discussion.html"), "https://t.me/demo_qamqor_kg/4410?embed=1&discussion=1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Count != 57 || d.Before != 88213 || len(d.Errors) != 0 {
		t.Fatalf("count %d before %d errors %v", d.Count, d.Before, d.Errors)
	}
	want := []struct {
		id        int
		author    string
		authorURL string
		text      string
		replyTo   int
		date      string
		photos    int
		edited    bool
	}{
		{88213, "Бакыт Демо", "https://t.me/demo_bakyt_1988", "Алардын баарын мектептен кууш керек.\nБалдарга жакындатпагыла!", 0, "2026-05-14T07:41:05Z", 0, false},
		{88220, "Гүлзат Демо", "", "Балдарды коргоо башка, адамдарды куугунтуктоо башка. Уялгыла.", 88213, "2026-05-14T08:02:44Z", 0, true},
		{88231, "Айбек Демо", "https://t.me/demo_aibek_kg", "Мына, чат скриншоту 👆 шилтеме", 0, "2026-05-14T08:15:00Z", 1, false},
		{88240, "Ally Demo", "https://t.me/demo_rainbow_ally", "", 0, "2026-05-14T08:19:31Z", 0, false},
	}
	if len(d.Comments) != len(want) {
		t.Fatalf("got %d comments: %+v", len(d.Comments), d.Comments)
	}
	for i, w := range want {
		g := d.Comments[i]
		if g.ID != w.id || g.Author != w.author || g.AuthorURL != w.authorURL || g.Text != w.text || g.ReplyTo != w.replyTo ||
			g.Date.Format(time.RFC3339) != w.date || len(g.Photos) != w.photos || g.Edited != w.edited {
			t.Errorf("comment %d = %+v, want %+v", i, g, w)
		}
	}
	l := d.Load
	if !l.OK() || l.APIURL != "https://t.me/api/method?api_hash=0f1e2d3c4b5a69788796" || l.Peer != "c2098765:4411223344556677" ||
		l.TopMsgID != "88191" || l.Hash != "0a1b2c3d4e5f6a7b8c" {
		t.Errorf("load more %+v", l)
	}
	f := l.Form(88213)
	if f.Get("method") != "loadComments" || f.Get("before_id") != "88213" || f.Get("top_msg_id") != "88191" {
		t.Errorf("form %v", f)
	}
}

func TestParseDiscussionStates(t *testing.T) {
	if _, err := ParseDiscussion(readFixture(t, "discussion_unavailable.html"), "https://t.me/demo_no_talk/77"); !errors.Is(err, ErrNoDiscussion) {
		t.Errorf("unavailable: %v", err)
	}
	if _, err := ParseDiscussion(readFixture(t, "discussion_changed.html"), "https://t.me/x/1"); !errors.Is(err, ErrNotDiscussion) {
		t.Errorf("changed page: %v", err)
	}
	d, err := ParseDiscussion(readFixture(t, "discussion_malformed.html"), "https://t.me/demo_chan/5")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Comments) != 1 || d.Comments[0].ID != 9101 || len(d.Errors) != 2 || !errors.Is(d.Errors[0], ErrMarkupChanged) {
		t.Errorf("malformed: %+v, errors %v", d.Comments, d.Errors)
	}
	if d.Load.OK() {
		t.Errorf("a page without the form cannot load more: %+v", d.Load)
	}
}

func TestParseLoadComments(t *testing.T) {
	d, err := ParseLoadComments(readFixture(t, "discussion_more.json"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Count != 57 || d.Before != 88170 || len(d.Comments) != 2 || d.Comments[1].ReplyTo != 88170 || d.Comments[1].Text != "Туура айтасыз." {
		t.Errorf("load more: %+v", d)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"error", `{"error":"FLOOD_WAIT"}`, "FLOOD_WAIT"},
		{"not json", `<html>`, "malformed JSON"},
		{"no html", `{"comments_cnt":3}`, "without comments_html"},
	} {
		if _, err := ParseLoadComments([]byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// telegramRoot is the collected id of a demo Telegram post.
func telegramRoot(site *demosite.Site, key string) string {
	for _, p := range site.Content().Posts {
		if p.Key == key {
			return "telegram:" + p.Place + "/" + p.NativeID
		}
	}
	return ""
}

// TestDemoComments: every live comment of the demo channel's recent posts, with kind,
// parent, root and context, whatever the page size (the widget's newest page, then its
// load-more call for older ones).
func TestDemoComments(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
	}{
		{"one page of 100", nil},
		{"pages of 2", func(c *Config) { c.Comments.PageSize, c.Comments.MaxPages = 2, 10 }},
		{"pages of 1", func(c *Config) { c.Comments.PageSize, c.Comments.MaxPages = 1, 10 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			got, err := collectortest.Collect(t, newCollector(t, env, "kg_demo_patriot", withComments(tc.mutate)))
			if err != nil {
				t.Fatal(err)
			}
			byID := map[string]post.Post{}
			for _, p := range got {
				if p.Kind != post.KindPost {
					byID[p.ID] = p
				}
			}
			all := map[string]demosite.Comment{}
			for _, cm := range env.Site.Content().Comments {
				all[cm.Key] = cm
			}
			want := env.Site.Content().CommentsAt(0, "telegram")
			if len(want) < 8 {
				t.Fatalf("the demo has only %d telegram comments", len(want))
			}
			for _, cm := range want {
				root := telegramRoot(env.Site, cm.Root)
				id := root + ":c" + cm.NativeID
				g, ok := byID[id]
				if !ok {
					t.Errorf("comment %s (%s) not collected", cm.Key, id)
					continue
				}
				kind, parent := post.KindComment, root
				if cm.Parent != "" {
					kind, parent = post.KindReply, root+":c"+all[cm.Parent].NativeID
				}
				if g.Kind != kind || g.ParentID != parent || g.RootID != root || g.Text != cm.Text || g.Author != cm.Author ||
					!g.PublishedAt.Equal(env.Site.CommentPublishedAt(cm)) || g.Context == "" || !strings.Contains(g.URL, "?comment="+cm.NativeID) {
					t.Errorf("%s: %+v", cm.Key, g)
				}
			}
			if len(byID) != len(want) {
				t.Errorf("collected %d comments, the demo holds %d", len(byID), len(want))
			}
			// Comments follow their roots, oldest first within a post.
			seen := map[string]bool{}
			for _, p := range got {
				if p.RootID != "" && !seen[p.RootID] {
					t.Errorf("comment %s before its root %s", p.ID, p.RootID)
				}
				seen[p.ID] = true
			}
			if v := gaugeValue(t, env.Registry, "kuzot_collector_comments_available", "telegram:kg_demo_patriot"); v != 1 {
				t.Errorf("comments_available = %v", v)
			}
		})
	}
}

// TestCommentsIncremental: a second poll emits nothing; a comment published later is
// emitted once, when its post's back-off interval has passed.
func TestCommentsIncremental(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "kg_demo_patriot", withComments(func(c *Config) { c.Comments.PageSize = 2 }))
	if _, err := collectortest.Collect(t, c); err != nil {
		t.Fatal(err)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("second poll: %v %v", collectortest.IDs(again), err)
	}
	comments := func(ps []post.Post) []post.Post {
		var out []post.Post
		for _, p := range ps {
			if p.Kind != post.KindPost {
				out = append(out, p)
			}
		}
		return out
	}
	// Post 225 appears at +10m, a comment under it at +20m and a reply at +40m.
	env.Clock.Advance(30 * time.Minute)
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	late := comments(got)
	if len(late) != 1 || late[0].Text != "Правильно, всех их гнать." || late[0].Kind != post.KindComment ||
		late[0].ParentID != "telegram:kg_demo_patriot/225" || !strings.Contains(late[0].Context, "Адрес их офиса") {
		t.Fatalf("after 30 min: %+v", late)
	}
	first := late[0].ID
	// The 20-minute-old post is read again after its 5-minute back-off, not before.
	env.Clock.Advance(time.Minute)
	if again, err := collectortest.Collect(t, c); err != nil || len(comments(again)) != 0 {
		t.Fatalf("within the back-off: %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(14 * time.Minute)
	got, err = collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	late = comments(got)
	if len(late) != 1 || late[0].Kind != post.KindReply || late[0].ParentID != first || late[0].RootID != "telegram:kg_demo_patriot/225" {
		t.Fatalf("after 45 min: %+v", late)
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(again) != 0 {
		t.Fatalf("poll after the late reply: %v %v", collectortest.IDs(again), err)
	}
}

// TestChannelWithoutDiscussion: the posts are collected, the comments are reported as
// not available (metric and state, no error), and the channel is not asked again for
// every new post until the recheck time.
func TestChannelWithoutDiscussion(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "demo_raduga_kg", withComments(nil))
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatalf("a channel without discussion is not an error: %v", err)
	}
	if len(got) != len(env.Site.Visible("telegram", "demo_raduga_kg")) {
		t.Errorf("%d posts", len(got))
	}
	src := "telegram:demo_raduga_kg"
	if v := gaugeValue(t, env.Registry, "kuzot_collector_comments_available", src); v != 0 {
		t.Errorf("comments_available = %v, want 0", v)
	}
	requests := gaugeValue(t, env.Registry, "kuzot_collector_requests_total", src)
	env.Clock.Advance(6 * time.Hour)
	if _, err := collectortest.Collect(t, c); err != nil {
		t.Fatal(err)
	}
	// One preview page (and no widget) per poll while the channel is known to have none.
	if after := gaugeValue(t, env.Registry, "kuzot_collector_requests_total", src); after-requests > 1 {
		t.Errorf("second poll made %v requests", after-requests)
	}
	if v := gaugeValue(t, env.Registry, "kuzot_collector_parse_errors_total", src); v != 0 {
		t.Errorf("parse errors %v", v)
	}
}

// TestCommentsTruncated: more new comments than the pages a poll may read is an error
// naming the gap, after the comments read are emitted.
func TestCommentsTruncated(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, "kg_demo_patriot", withComments(func(c *Config) { c.Comments.PageSize, c.Comments.MaxPages = 1, 1 }))
	got, err := collectortest.Collect(t, c)
	if !errors.Is(err, ErrCommentsTruncated) {
		t.Fatalf("err %v", err)
	}
	n := 0
	for _, p := range got {
		if p.Kind != post.KindPost {
			n++
		}
	}
	if n == 0 {
		t.Error("the comments read were not emitted")
	}
}

// TestMalformedDiscussion: a comment the parser cannot read is a source error with a
// metric, the readable ones are emitted; a page that is no widget at all is an error too.
func TestMalformedDiscussion(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	malformed, changed := readFixture(t, "discussion_malformed.html"), readFixture(t, "discussion_changed.html")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/kg_demo_patriot/219" && r.URL.Query().Get("embed") == "1":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(malformed)
		case r.URL.Path == "/kg_demo_patriot/220" && r.URL.Query().Get("embed") == "1":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(changed)
		default:
			env.Site.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	c := newCollector(t, env, "kg_demo_patriot", withComments(func(c *Config) { c.BaseURL = srv.URL }))
	got, err := collectortest.Collect(t, c)
	if !errors.Is(err, ErrMarkupChanged) || !errors.Is(err, ErrNotDiscussion) {
		t.Fatalf("err %v", err)
	}
	found := false
	for _, p := range got {
		found = found || p.ID == "telegram:kg_demo_patriot/219:c9101"
	}
	if !found {
		t.Errorf("the readable comment was not emitted: %v", collectortest.IDs(got))
	}
	if v := gaugeValue(t, env.Registry, "kuzot_collector_parse_errors_total", "telegram:kg_demo_patriot"); v != 3 {
		t.Errorf("parse errors %v, want 3 (two comments, one page)", v)
	}
}

func TestCommentsConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cc   CommentsConfig
		ok   bool
	}{
		{"off", CommentsConfig{PageSize: 1000}, true},
		{"defaults", CommentsConfig{Enabled: true}, true},
		{"page too big", CommentsConfig{Enabled: true, PageSize: 101}, false},
		{"negative age", CommentsConfig{Enabled: true, MaxAge: -time.Hour}, false},
	} {
		c := Config{Channel: "good_name", Comments: tc.cc}
		c.Defaults()
		if err := c.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func FuzzParseDiscussion(f *testing.F) {
	for _, name := range []string{"discussion.html", "discussion_unavailable.html", "discussion_malformed.html", "discussion_changed.html"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := ParseDiscussion(body, "https://t.me/demo/1?embed=1&discussion=1")
		if err != nil {
			return
		}
		for _, c := range d.Comments {
			if c.ID <= 0 || c.Date.IsZero() || c.Author == "" {
				t.Fatalf("accepted an incomplete comment %+v", c)
			}
		}
	})
}

func FuzzParseLoadComments(f *testing.F) {
	f.Add(readFixture(f, "discussion_more.json"))
	f.Add([]byte(`{"error":"x"}`))
	f.Add([]byte(`{"comments_html":"<div class=\"tgme_widget_message_wrap\"></div>"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := ParseLoadComments(body)
		if err != nil {
			return
		}
		for _, c := range d.Comments {
			if c.ID <= 0 || c.Date.IsZero() {
				t.Fatalf("accepted an incomplete comment %+v", c)
			}
		}
	})
}

// TestPostWithoutDiscussion: one post whose widget says "not available" (comments off
// for that post) is dropped; the channel's other discussions are still followed.
func TestPostWithoutDiscussion(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	unavailable := readFixture(t, "discussion_unavailable.html")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/kg_demo_patriot/220" && r.URL.Query().Get("embed") == "1" {
			_, _ = w.Write(unavailable)
			return
		}
		env.Site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newCollector(t, env, "kg_demo_patriot", withComments(func(c *Config) { c.BaseURL = srv.URL }))
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range got {
		if p.RootID == "telegram:kg_demo_patriot/220" {
			t.Errorf("comment %s of a post without discussion", p.ID)
		}
		if p.RootID == "telegram:kg_demo_patriot/219" {
			n++
		}
	}
	if n == 0 {
		t.Error("the other post's comments were not collected")
	}
	if v := gaugeValue(t, env.Registry, "kuzot_collector_comments_available", "telegram:kg_demo_patriot"); v != 1 {
		t.Errorf("comments_available = %v, want 1", v)
	}
}

// TestNoDiscussionStateSurvivesRestart: a collector started on the saved state reports
// the channel's comments as not available at once, without asking the widget again.
func TestNoDiscussionStateSurvivesRestart(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	if _, err := collectortest.Collect(t, newCollector(t, env, "demo_raduga_kg", withComments(nil))); err != nil {
		t.Fatal(err)
	}
	restarted := collectortest.NewEnv(t, nil)
	restarted.State = env.State
	if _, err := collectortest.Collect(t, newCollector(t, restarted, "demo_raduga_kg", withComments(nil))); err != nil {
		t.Fatal(err)
	}
	if v := gaugeValue(t, restarted.Registry, "kuzot_collector_comments_available", "telegram:demo_raduga_kg"); v != 0 {
		t.Errorf("comments_available after a restart = %v, want 0", v)
	}
}
