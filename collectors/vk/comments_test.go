package vk

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

func onlyComments(ps []post.Post) []post.Post {
	var out []post.Post
	for _, p := range ps {
		if p.Kind == post.KindComment || p.Kind == post.KindReply {
			out = append(out, p)
		}
	}
	return out
}

// TestCommentsWithThreadsAndDeletedParent: every live comment of the recent posts with
// kind, parent and root; the replies of a deleted comment are kept with the deleted
// comment as their parent; a second poll sends nothing again.
func TestCommentsWithThreadsAndDeletedParent(t *testing.T) {
	for _, size := range []int{100, 2} {
		env := collectortest.NewEnv(t, nil)
		c := newCollector(t, env, withComments(func(c *Config) { c.Comments.PageSize = size; c.Comments.MaxPages = 20 }))
		got, err := collectortest.Collect(t, c)
		if err != nil {
			t.Fatal(err)
		}
		cs := onlyComments(got)
		want := map[string]demosite.Comment{}
		all := map[string]demosite.Comment{}
		for _, p := range env.Site.Visible("vk", "demo_el_uchun") {
			if time.Duration(env.Clock.Now().Sub(env.Site.PublishedAt(p))) > 3*24*time.Hour {
				continue
			}
			for _, cm := range env.Site.VisibleComments(p.Key) {
				want["vk:-100001_"+p.NativeID+":c"+cm.NativeID] = cm
			}
			cms, _ := env.Site.CommentsOf(p.Key)
			for _, cm := range cms {
				all[cm.Key] = cm
			}
		}
		if len(cs) != len(want) || len(want) < 8 {
			t.Fatalf("page size %d: got %v, want %d", size, collectortest.IDs(cs), len(want))
		}
		for _, p := range cs {
			w, ok := want[p.ID]
			if !ok {
				t.Fatalf("unexpected %s", p.ID)
			}
			wantParent, wantKind := p.RootID, post.KindComment
			if w.Parent != "" {
				wantParent, wantKind = p.RootID+":c"+all[w.Parent].NativeID, post.KindReply
			}
			if p.RootID != "vk:-100001_41" || p.ParentID != wantParent || p.Kind != wantKind || p.Text != w.Text || p.Author != w.Author ||
				!strings.HasPrefix(p.Context, "Конституция") {
				t.Errorf("%s: %+v", w.Key, p)
			}
			if w.Key == "vkc-2-r1" && all["vkc-2"].GoneAfter == 0 {
				t.Error("fixture: vkc-2 should be deleted")
			}
		}
		if again, err := collectortest.Collect(t, c); err != nil || len(onlyComments(again)) != 0 {
			t.Fatalf("second poll: %v %v", collectortest.IDs(again), err)
		}
	}
}

// TestCommentsMalformedAndRecovered: a wall.getComments answer without items is an
// error (and a parse-error metric); the next good answer delivers every comment once.
func TestCommentsMalformedAndRecovered(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	broken := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken && strings.HasSuffix(r.URL.Path, "wall.getComments") {
			_, _ = w.Write([]byte(`{"response":{"count":3}}`))
			return
		}
		env.Site.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newCollector(t, env, withComments(func(c *Config) { c.BaseURL = srv.URL }))
	got, err := collectortest.Collect(t, c)
	if err == nil || !strings.Contains(err.Error(), "neither items nor error") || len(onlyComments(got)) != 0 {
		t.Fatalf("broken: %v %v", collectortest.IDs(got), err)
	}
	broken = false
	got, err = collectortest.Collect(t, c)
	if err != nil || len(onlyComments(got)) < 8 {
		t.Fatalf("recovered: %v %v", collectortest.IDs(got), err)
	}
}

func FuzzParseCommentsResponse(f *testing.F) {
	f.Add([]byte(`{"response":{"count":1,"items":[{"id":5,"from_id":1,"date":1,"text":"x","thread":{"count":1,"items":[{"id":6,"reply_to_comment":5}]}}]}}`))
	f.Add([]byte(`{"error":{"error_code":100,"error_msg":"post deleted"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := ParseCommentsResponse(body); err == nil && r == nil {
			t.Fatal("nil response without error")
		}
	})
}
