package youtube

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

// withComments follows the demo channel's videos from watch pages and their comments
// through the Data API (a key only for comments).
func withComments(mutate func(*Config)) func(*Config) {
	return func(c *Config) {
		c.Comments.Enabled, c.Comments.APIKey = true, "demo-key"
		c.Captions = new(bool)
		if mutate != nil {
			mutate(c)
		}
	}
}

// wantComments lists the ids of the demo comments visible now under the channel's videos.
func wantComments(env *collectortest.Env) map[string]demosite.Comment {
	out := map[string]demosite.Comment{}
	for _, v := range env.Site.Visible("youtube", demoChannel) {
		for _, cm := range env.Site.VisibleComments(v.Key) {
			out["youtube:c:"+cm.NativeID] = cm
		}
	}
	return out
}

func comments(ps []post.Post) []post.Post {
	var out []post.Post
	for _, p := range ps {
		if p.Kind == post.KindComment || p.Kind == post.KindReply {
			out = append(out, p)
		}
	}
	return out
}

// TestCommentsThreadsAndReplies: every comment and reply of the recent videos, with kind,
// parent, root and the video title as context; long reply threads through comments.list;
// nothing twice; a new comment alone on a later poll; a deleted video stops quietly.
func TestCommentsThreadsAndReplies(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, withComments(nil))
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	want := wantComments(env)
	cs := comments(got)
	if len(cs) != len(want) || len(want) < 15 {
		t.Fatalf("got %d comments %v, want %d", len(cs), collectortest.IDs(cs), len(want))
	}
	byKey := map[string]string{}
	for _, cm := range want {
		byKey[cm.Key] = "youtube:c:" + cm.NativeID
	}
	var last time.Time
	for _, p := range cs {
		w, ok := want[p.ID]
		if !ok {
			t.Fatalf("unexpected %s", p.ID)
		}
		root, _ := videoOf(env, w.Root)
		wantParent, wantKind := "youtube:"+root.NativeID, post.KindComment
		if w.Parent != "" {
			wantParent, wantKind = byKey[w.Parent], post.KindReply
		}
		if p.Kind != wantKind || p.ParentID != wantParent || p.RootID != "youtube:"+root.NativeID || p.Text != w.Text ||
			p.Author != w.Author || !p.PublishedAt.Equal(env.Site.CommentPublishedAt(w)) {
			t.Errorf("%s: %+v, want %+v", w.Key, p, w)
		}
		if !strings.HasPrefix(p.Context, root.Title) {
			t.Errorf("%s: context %q", w.Key, p.Context)
		}
		if p.PublishedAt.Before(last) && p.RootID == cs[0].RootID {
			t.Errorf("%s out of order", p.ID)
		}
		last = p.PublishedAt
	}
	if again, err := collectortest.Collect(t, c); err != nil || len(comments(again)) != 0 {
		t.Fatalf("second poll: %v %v", collectortest.IDs(again), err)
	}
	env.Clock.Advance(25 * time.Minute)
	got, err = collectortest.Collect(t, c)
	if cs := comments(got); err != nil || len(cs) != 1 || cs[0].Text != "Булардын баарын чет өлкөгө айдаш керек." {
		t.Fatalf("after 25 min: %v %v", collectortest.IDs(got), err)
	}
	env.Clock.Advance(time.Hour) // the exposure video is deleted: no error, nothing re-sent
	got, err = collectortest.Collect(t, c)
	if err != nil || len(comments(got)) != 0 {
		t.Fatalf("after the root was deleted: %v %v", collectortest.IDs(got), err)
	}
}

func videoOf(env *collectortest.Env, key string) (demosite.Post, bool) {
	for _, p := range env.Site.Content().Posts {
		if p.Key == key {
			return p, true
		}
	}
	return demosite.Post{}, false
}

// TestCommentsPaginationAndQuota: with tiny pages and a tiny budget, polls spread over
// several quota days still deliver every comment exactly once; a spent budget is a clear
// error and the quota spent is a metric.
func TestCommentsPaginationAndQuota(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
	}{
		{"pages of 2, 2 pages a poll", func(c *Config) { c.Comments.PageSize, c.Comments.MaxPages = 2, 2 }},
		{"budget of 4 units a day", func(c *Config) {
			c.Comments.PageSize, c.QuotaBudget = 2, 4
			c.ChannelID, c.Videos = "", []string{"dEmOvid0002"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := collectortest.NewEnv(t, nil)
			c := newCollector(t, env, withComments(tc.mutate))
			want := wantComments(env)
			seen := map[string]int{}
			quotaErrs := 0
			for poll := 0; poll < 40 && (len(seen) < len(want) || poll < 3); poll++ {
				got, err := collectortest.Collect(t, c)
				switch {
				case errors.Is(err, ErrQuotaSpent):
					quotaErrs++
					if !strings.Contains(err.Error(), "4 units") && !strings.Contains(err.Error(), "of 4") {
						t.Errorf("unclear quota error: %v", err)
					}
					env.Clock.Advance(24 * time.Hour)
					// the videos stay young enough: max_age is a week
				case err != nil:
					t.Fatal(err)
				}
				for _, p := range comments(got) {
					seen[p.ID]++
				}
			}
			if strings.Contains(tc.name, "budget") {
				want = map[string]demosite.Comment{}
				for _, cm := range env.Site.VisibleComments("yt-narrative-ky") {
					want["youtube:c:"+cm.NativeID] = cm
				}
			}
			for id := range want {
				if seen[id] != 1 {
					t.Errorf("%s seen %d times", id, seen[id])
				}
			}
			if len(seen) != len(want) {
				t.Errorf("seen %d comments, want %d", len(seen), len(want))
			}
			if strings.Contains(tc.name, "budget") && quotaErrs == 0 {
				t.Error("the budget was never reached")
			}
			used := testutil.ToFloat64(env.Metrics.Source(c.cfg.SourceName(), Kind).QuotaUsedCounter())
			if used < float64(len(want))/2 {
				t.Errorf("quota metric %v", used)
			}
		})
	}
}

// TestCommentsNeedAKey: enabling comments without any key is a configuration error.
func TestCommentsNeedAKey(t *testing.T) {
	t.Setenv("KUZOT_YOUTUBE_API_KEY", "")
	cfg := Config{ChannelID: demoChannel, Comments: CommentsConfig{Enabled: true}}
	cfg.Defaults()
	if err := cfg.Validate(); !errors.Is(err, ErrNoAPIKey) {
		t.Fatalf("err %v", err)
	}
}

// TestCommentsMalformedAnswer: an API answer that is not a thread list is an error and a
// parse-error metric, never "no comments"; nothing is lost once the API answers again.
func TestCommentsMalformedAnswer(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	broken := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken && strings.Contains(r.URL.Path, "commentThreads") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"kind":"youtube#commentThreadListResponse","items":{"oops":1}}`))
			return
		}
		env.Site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newCollector(t, env, withComments(func(c *Config) { c.APIBaseURL = srv.URL }))
	got, err := collectortest.Collect(t, c)
	if err == nil || !strings.Contains(err.Error(), "malformed items") || len(comments(got)) != 0 {
		t.Fatalf("broken API: %v %v", collectortest.IDs(got), err)
	}
	if n := testutil.ToFloat64(env.Metrics.Source(c.cfg.SourceName(), Kind).ParseErrorsCounter()); n < 1 {
		t.Errorf("parse errors metric %v", n)
	}
	broken = false
	got, err = collectortest.Collect(t, c)
	if err != nil || len(comments(got)) != len(wantComments(env)) {
		t.Fatalf("after the API recovered: %d comments, err %v", len(comments(got)), err)
	}
}

func TestParseThreadPageRejects(t *testing.T) {
	for _, body := range []string{``, `[]`, `{"kind":"youtube#videoListResponse","items":[]}`, `{"kind":"youtube#commentThreadListResponse"}`,
		`{"error":{"code":403,"message":"quota"}}`} {
		if _, err := ParseThreadPage([]byte(body)); err == nil {
			t.Errorf("accepted %q", body)
		}
	}
	p, err := ParseThreadPage([]byte(`{"kind":"youtube#commentThreadListResponse","nextPageToken":"x","items":[]}`))
	if err != nil || p.NextPageToken != "x" || len(p.Items) != 0 {
		t.Errorf("empty page: %+v %v", p, err)
	}
}

func FuzzParseThreadPage(f *testing.F) {
	f.Add([]byte(`{"kind":"youtube#commentThreadListResponse","items":[{"id":"a","snippet":{"topLevelComment":{"id":"a","snippet":{"publishedAt":"2026-01-01T00:00:00Z"}},"totalReplyCount":1},"replies":{"comments":[{"id":"a.b","snippet":{"parentId":"a"}}]}}]}`))
	f.Add([]byte(`{"kind":"youtube#commentListResponse","items":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if p, err := ParseThreadPage(body); err == nil && p == nil {
			t.Fatal("nil page without error")
		}
		if p, err := ParseCommentPage(body); err == nil && p == nil {
			t.Fatal("nil page without error")
		}
	})
}

// TestRefreshChannelVideos: the channel's young videos are fetched again after their
// back-off and re-published as refreshes when their views grew, never as new posts.
func TestRefreshChannelVideos(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	c := newCollector(t, env, func(c *Config) { c.Captions = new(bool) })
	first, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	views := map[string]int64{}
	for _, p := range first {
		views[p.ID] = p.Views
	}
	env.Clock.Advance(6 * time.Hour)
	got, err := collectortest.Collect(t, c)
	if err != nil {
		t.Fatal(err)
	}
	refreshes := 0
	for _, p := range got {
		old, known := views[p.ID]
		switch {
		case known && !p.Refresh:
			t.Errorf("%s re-published as new", p.ID)
		case p.Refresh && (!known || p.Views <= old):
			t.Errorf("refresh %s: views %d, before %d", p.ID, p.Views, old)
		case p.Refresh:
			refreshes++
		}
	}
	if refreshes == 0 {
		t.Fatalf("no refresh after 6 hours: %v", collectortest.IDs(got))
	}
}
