package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

// TestCollectOnceAgainstDemoSite is the acceptance check of `kuzot collect --once
// --stdout`: every configured kind yields exactly the posts the demo fixtures hold.
func TestCollectOnceAgainstDemoSite(t *testing.T) {
	site, err := demosite.New(demosite.Options{Seed: 1, Epoch: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "kuzot.yaml")
	if err := os.WriteFile(cfg, []byte("collect:\n  user_agent: kuzot-test/1.0\n"+demosite.SourcesYAML(srv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err = runCollect(context.Background(), []string{"--config", cfg, "--once", "--stdout", "--delay", "0"}, stdio{out: &out, err: &errb})
	if err != nil {
		t.Fatalf("collect: %v\n%s", err, errb.String())
	}
	got := map[string]post.Post{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var p post.Post
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("invalid post: %v", err)
		}
		if _, dup := got[p.ID]; dup {
			t.Errorf("post %s printed twice", p.ID)
		}
		got[p.ID] = p
	}
	want, polls := 0, 0
	for _, p := range site.Content().Posts {
		if site.PublishedAt(p).After(time.Now()) {
			continue
		}
		want++
		var id string
		switch p.Kind {
		case "telegram":
			id = "telegram:" + p.Place + "/" + p.NativeID
		case "vk":
			id = "vk:-100001_" + p.NativeID
		case "youtube":
			id = "youtube:" + p.NativeID
		case "web":
			id = "web:" + srv.URL + "/forum/thread/" + p.Place + "/post-" + p.NativeID
		case "rss":
			for gid, g := range got {
				if g.Source == "rss" && g.Text == p.Text && g.Title == p.Title {
					id = gid
				}
			}
		}
		g, ok := got[id]
		if !ok {
			t.Errorf("fixture %s (%s) not collected", p.Key, id)
			continue
		}
		if g.Text != p.CollectedText() || !g.PublishedAt.Equal(site.PublishedAt(p)) {
			t.Errorf("%s: text %q at %v, want %q at %v", p.Key, g.Text, g.PublishedAt, p.CollectedText(), site.PublishedAt(p))
		}
		if p.Poll != nil || p.Document != nil {
			polls++
		}
	}
	// Comments and replies of the YouTube videos, VK posts and Telegram discussions, with parent and root ids.
	d := time.Since(site.PublishedAt(demosite.Post{}))
	byKey := map[string]demosite.Comment{}
	for _, cm := range site.Content().Comments {
		byKey[cm.Key] = cm
	}
	rootID := func(key string) string {
		for _, p := range site.Content().Posts {
			if p.Key == key {
				switch p.Kind {
				case "youtube":
					return "youtube:" + p.NativeID
				case "telegram":
					return "telegram:" + p.Place + "/" + p.NativeID
				}
				return "vk:-100001_" + p.NativeID
			}
		}
		return ""
	}
	commentID := func(cm demosite.Comment) string {
		if strings.HasPrefix(rootID(cm.Root), "youtube:") {
			return "youtube:c:" + cm.NativeID
		}
		return rootID(cm.Root) + ":c" + cm.NativeID
	}
	for _, cm := range site.Content().CommentsAt(d, "youtube", "vk", "telegram") {
		want++
		g, ok := got[commentID(cm)]
		if !ok {
			t.Errorf("comment %s (%s) not collected", cm.Key, commentID(cm))
			continue
		}
		parent := rootID(cm.Root)
		if cm.Parent != "" {
			parent = commentID(byKey[cm.Parent])
		}
		if g.RootID != rootID(cm.Root) || g.ParentID != parent || g.Text != cm.Text || g.Context == "" {
			t.Errorf("comment %s: root %q parent %q text %q context %q", cm.Key, g.RootID, g.ParentID, g.Text, g.Context)
		}
	}
	if polls < 2 {
		t.Errorf("the demo has %d polls and documents", polls)
	}
	if len(got) != want {
		t.Errorf("collected %d posts, fixtures hold %d", len(got), want)
	}
}

// TestCollectOnceWithStateGoesOn: with --state DIR a second `kuzot collect --once
// --stdout` run goes on from the first (incremental pages and comment cursors) instead of
// printing every post again; only refreshes of grown counters may repeat an id.
func TestCollectOnceWithStateGoesOn(t *testing.T) {
	site, err := demosite.New(demosite.Options{Seed: 1, Epoch: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kuzot.yaml")
	if err := os.WriteFile(cfg, []byte("collect:\n  user_agent: kuzot-test/1.0\n"+demosite.SourcesYAML(srv.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	run := func() []post.Post {
		var out, errb bytes.Buffer
		err := runCollect(context.Background(), []string{"--config", cfg, "--once", "--stdout", "--delay", "0", "--state", state}, stdio{out: &out, err: &errb})
		if err != nil {
			t.Fatalf("collect: %v\n%s", err, errb.String())
		}
		var posts []post.Post
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if line == "" {
				continue
			}
			var p post.Post
			if err := json.Unmarshal([]byte(line), &p); err != nil {
				t.Fatalf("not a JSON line: %q: %v", line, err)
			}
			posts = append(posts, p)
		}
		return posts
	}
	first := run()
	if len(first) < 50 {
		t.Fatalf("first run printed %d posts", len(first))
	}
	seen := map[string]bool{}
	for _, p := range first {
		seen[p.ID] = true
	}
	second := run()
	for _, p := range second {
		if seen[p.ID] && !p.Refresh {
			t.Errorf("second run printed %s again (not a refresh)", p.ID)
		}
	}
	// Without --state every run starts afresh: the same posts again.
	var out, errb bytes.Buffer
	if err := runCollect(context.Background(), []string{"--config", cfg, "--once", "--stdout", "--delay", "0"}, stdio{out: &out, err: &errb}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n < len(first) {
		t.Errorf("a run without --state printed %d posts, the first run %d", n, len(first))
	}
	t.Logf("first run %d posts, second run with the state %d", len(first), len(second))
}

func TestCollectConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, body, want string }{
		{"unknown-kind.yaml", "sources:\n  - kind: myspace\n", "unknown kind"},
		{"unknown-key.yaml", "sources:\n  - kind: rss\n    url: https://a.invalid/f\n    colour: red\n", "colour"},
		{"invalid.yaml", "sources:\n  - kind: telegram\n    channel: x\n", "not a public channel"},
		{"empty.yaml", "sources: []\n", "no sources"},
		{"broken.yaml", "sources: [\n", "config"},
	} {
		var out, errb bytes.Buffer
		err := runCollect(context.Background(), []string{"--config", write(tc.name, tc.body), "--once", "--stdout"}, stdio{out: &out, err: &errb})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	var out, errb bytes.Buffer
	if err := runCollect(context.Background(), []string{"--config", "x", "--once"}, stdio{out: &out, err: &errb}); err == nil {
		t.Error("collect without --stdout should refuse")
	}
}
