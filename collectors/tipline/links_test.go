package tipline

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/telegram"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

// TestParseLink: which public post a link names.
func TestParseLink(t *testing.T) {
	for _, tc := range []struct {
		link string
		want LinkTarget
		bad  bool
	}{
		{link: "https://t.me/kg_demo_patriot/201", want: LinkTarget{Kind: "telegram", Channel: "kg_demo_patriot", ID: 201}},
		{link: "t.me/s/kg_demo_patriot/204/", want: LinkTarget{Kind: "telegram", Channel: "kg_demo_patriot", ID: 204}},
		{link: "https://telegram.me/kg_demo_patriot/7?single", want: LinkTarget{Kind: "telegram", Channel: "kg_demo_patriot", ID: 7}},
		{link: "https://t.me/kg_demo_patriot", bad: true},
		{link: "https://t.me/+AbCdEfGh", bad: true},
		{link: "https://www.youtube.com/watch?v=dEmOvid0009&t=30", want: LinkTarget{Kind: "youtube", Video: "dEmOvid0009"}},
		{link: "https://youtu.be/dEmOvid0009", want: LinkTarget{Kind: "youtube", Video: "dEmOvid0009"}},
		{link: "https://m.youtube.com/shorts/dEmOvid0009", want: LinkTarget{Kind: "youtube", Video: "dEmOvid0009"}},
		{link: "https://www.youtube.com/@demo_achyk_soz", bad: true},
		{link: "https://vk.com/wall-100001_41", want: LinkTarget{Kind: "vk", Owner: -100001, ID: 41}},
		{link: "https://vk.com/demo_el_uchun?w=wall-100001_5", want: LinkTarget{Kind: "vk", Owner: -100001, ID: 5}},
		{link: "https://vk.com/demo_el_uchun", bad: true},
		{link: "https://news.demo.invalid/a/1#comments", want: LinkTarget{Kind: "web", URL: "https://news.demo.invalid/a/1"}},
		{link: "ftp://files.demo.invalid/x", bad: true},
	} {
		got, err := ParseLink(tc.link)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) {
			t.Errorf("%s: %+v %v", tc.link, got, err)
		}
	}
}

// TestLinkedPostsCollected: a link tip, an SMS carrying a video link, a VK link, a web
// page link and a forward from a public channel each make the matching collector fetch
// that one post from the demo site (through the polite fetcher and the network guard);
// the post is published under the id its collector gives it (the telegram collector
// polling the channel produces the same post) and the tip names it. A second tip of the
// same link does not fetch again; a link to an internal address is refused and the tip
// is kept without a linked post.
func TestLinkedPostsCollected(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	site, err := demosite.New(demosite.Options{Epoch: now.Add(-72 * time.Hour), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	other := httptest.NewServer(site) // an internal address no source is configured with
	defer other.Close()
	r := newRig(t)
	r.now = now
	r.cfg.FetchLinks = &LinksConfig{TelegramBaseURL: srv.URL, YouTubeBaseURL: srv.URL, YouTubeAPIBaseURL: srv.URL,
		VKBaseURL: srv.URL, VKAccessToken: "demo-vk-token"}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-time.Hour)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", at, map[string]any{"text": "look at this https://t.me/kg_demo_patriot/201"}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "ru", at.Add(time.Minute), map[string]any{
		"text": "От: INFO\nСмотрите правду о тех, кто работает в этой организации, и расскажите всем соседям и родственникам https://youtu.be/dEmOvid0009"}))
	r.bot.Push(msg(memberChynara, memberChynara, "en", at.Add(2*time.Minute), map[string]any{"text": "https://vk.com/demo_el_uchun?w=wall-100001_41"}))
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", at.Add(3*time.Minute), map[string]any{"text": "forum thread " + srv.URL + "/forum/thread/1"}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", at.Add(4*time.Minute), map[string]any{
		"text": "forwarded", "forward_origin": map[string]any{"type": "channel", "date": now.Add(-60 * time.Hour).Unix(), "message_id": 204,
			"chat": map[string]any{"id": -1001, "type": "channel", "title": "Демо Патриот KG", "username": "kg_demo_patriot"}}}))
	r.bot.Push(msg(memberChynara, memberChynara, "en", at.Add(5*time.Minute), map[string]any{"text": "see https://t.me/kg_demo_patriot/201"}))
	r.bot.Push(msg(memberChynara, memberChynara, "en", at.Add(6*time.Minute), map[string]any{"text": "internal " + other.URL + "/admin/page"}))
	c := r.collector()
	got := r.collect(c)

	public := map[string]post.Post{}
	var tips []post.Post
	for _, p := range got {
		if p.Source == Kind {
			tips = append(tips, p)
		} else {
			public[p.ID] = p
		}
	}
	wantIDs := []string{"telegram:kg_demo_patriot/201", "youtube:dEmOvid0009", "vk:-100001_41", "web:" + srv.URL + "/forum/thread/1", "telegram:kg_demo_patriot/204"}
	for _, id := range wantIDs {
		if _, ok := public[id]; !ok {
			t.Errorf("linked post %s not collected (got %v)", id, slices.Collect(func(yield func(string) bool) {
				for k := range public {
					if !yield(k) {
						return
					}
				}
			}))
		}
	}
	if len(public) != len(wantIDs) {
		t.Errorf("%d public posts, want %d (one fetch per post)", len(public), len(wantIDs))
	}
	linked := map[string]post.Post{}
	for _, p := range tips {
		if p.Tip.LinkedPost != "" {
			linked[p.Tip.LinkedPost] = p
		}
	}
	for _, id := range wantIDs {
		if linked[id].Tip == nil {
			t.Errorf("no tip names %s", id)
		}
	}
	if tp := linked["telegram:kg_demo_patriot/201"]; tp.Tip == nil || tp.Tip.Submissions != 2 || tp.Tip.Kind != KindLink {
		t.Errorf("link tip of two members: %+v", tp.Tip)
	}
	if sms := linked["youtube:dEmOvid0009"]; sms.Tip == nil || sms.Tip.Kind != KindSMS || sms.Author != "INFO" {
		t.Errorf("sms with a video link: %+v", sms)
	}
	if fwd := linked["telegram:kg_demo_patriot/204"]; fwd.Tip == nil || fwd.Tip.Kind != KindForward {
		t.Errorf("forward: %+v", fwd)
	}
	if w := public["web:"+srv.URL+"/forum/thread/1"]; w.Source != "web" || w.Text == "" || w.Channel == "" {
		t.Errorf("web page post: %+v", w)
	}
	if v := public["vk:-100001_41"]; v.Source != "vk" || v.Author != "Демо Эл үчүн" || v.Text == "" {
		t.Errorf("vk post: %+v", v)
	}
	// The internal link: refused by the guard, the tip is kept without a linked post.
	var internal post.Post
	for _, p := range tips {
		if strings.Contains(strings.Join(mediaURLs(p), " "), other.URL) {
			internal = p
		}
	}
	if internal.Tip == nil || internal.Tip.LinkedPost != "" {
		t.Errorf("internal link tip: %+v", internal.Tip)
	}
	if v := counterValueLabels(t, r, "kuzot_tipline_linked_posts_total", map[string]string{"link_kind": "web", "outcome": "error"}); v != 1 {
		t.Errorf("internal link fetch errors %v, want 1", v)
	}
	if strings.Contains(r.logs.String(), other.URL) {
		t.Error("the refused link was logged")
	}

	// The same post as the telegram collector polling the channel publishes.
	f, err := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: "kuzot-test", HostRules: []collectors.HostRule{{Pattern: "*", Delay: 20 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	tcfg := telegram.Config{Channel: "kg_demo_patriot", BaseURL: srv.URL, BackfillPages: 5}
	tcfg.Defaults()
	tc, err := telegram.New(tcfg, collectors.Deps{State: newMapState(), HTTP: f.Client(nil).WithEndpoints(srv.URL), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	fromChannel := map[string]post.Post{}
	if err := tc.Collect(context.Background(), func(_ context.Context, p post.Post) error { fromChannel[p.ID] = p; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"telegram:kg_demo_patriot/201", "telegram:kg_demo_patriot/204"} {
		a, b := fromChannel[id], public[id]
		if a.ID == "" || a.Text != b.Text || a.URL != b.URL || !a.PublishedAt.Equal(b.PublishedAt) {
			t.Errorf("%s: channel collector %+v vs linked %+v", id, a, b)
		}
	}
}

func mediaURLs(p post.Post) []string {
	var out []string
	for _, m := range p.Media {
		out = append(out, m.URL)
	}
	return out
}

func counterValueLabels(t *testing.T, r *rig, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
