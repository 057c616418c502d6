package collectors_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/collectors/collectortest"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

func decode(t *testing.T, reg *collectors.Registry, src string) []collectors.Config {
	t.Helper()
	var doc struct {
		Sources []yaml.Node `yaml:"sources"`
	}
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	var out []collectors.Config
	for i := range doc.Sources {
		c, err := reg.Decode(&doc.Sources[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// TestRunnerIsolatesFailures: a source answering 500 gives up after MaxTries with an
// error metric, while the healthy source's posts are emitted and its metrics advance.
func TestRunnerIsolatesFailures(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer bad.Close()
	reg := all.Registry()
	cfgs := decode(t, reg, `
sources:
  - kind: rss
    name: good
    url: `+env.Server.URL+`/rss/news.xml
  - kind: rss
    name: bad
    url: `+bad.URL+`/feed.xml
`)
	promReg := prometheus.NewRegistry()
	r, err := collectors.NewRunner(collectors.RunnerOptions{
		Registry: reg, Sources: cfgs, Registerer: promReg, State: collectors.NewMemoryState(),
		Fetcher: env.Fetcher, Now: env.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []post.Post
	emit := func(_ context.Context, p post.Post) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p)
		return nil
	}
	err = r.RunOnce(context.Background(), emit)
	if err == nil || !strings.Contains(err.Error(), "source bad") || !errors.Is(err, collectors.ErrGaveUp) {
		t.Fatalf("RunOnce error = %v, want the bad source to give up", err)
	}
	if len(got) != 3 {
		t.Fatalf("healthy source emitted %d posts, want 3", len(got))
	}
	checks := []struct {
		metric string
		labels []string
		want   float64
	}{
		{"kuzot_collector_errors_total", []string{"bad", "rss"}, 1},
		{"kuzot_collector_errors_total", []string{"good", "rss"}, 0},
		{"kuzot_collector_new_posts_total", []string{"good", "rss"}, 3},
		{"kuzot_collector_posts_total", []string{"good", "rss"}, 3},
		{"kuzot_collector_last_success_timestamp_seconds", []string{"good", "rss"}, float64(collectortest.Epoch.Unix())},
		{"kuzot_collector_last_success_timestamp_seconds", []string{"bad", "rss"}, 0},
		// robots.txt (404) + 3 tries of the feed.
		{"kuzot_collector_requests_total", []string{"bad", "rss"}, 4},
	}
	for _, c := range checks {
		if v := metricValue(t, promReg, c.metric, c.labels...); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.metric, c.labels, v, c.want)
		}
	}
	if v := metricValue(t, promReg, "kuzot_collector_responses_total", "bad", "rss", "500"); v != 3 {
		t.Errorf("responses{status=500} = %v, want 3", v)
	}

	// A second run emits nothing new; the bad source fails again and is counted again.
	got = nil
	_ = r.RunOnce(context.Background(), emit)
	if len(got) != 0 {
		t.Errorf("second run emitted %d", len(got))
	}
	if v := metricValue(t, promReg, "kuzot_collector_errors_total", "bad", "rss"); v != 2 {
		t.Errorf("errors after two runs = %v", v)
	}
}

func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			lv := map[string]string{}
			for _, l := range m.GetLabel() {
				lv[l.GetName()] = l.GetValue()
			}
			keys := []string{"source", "kind", "status"}
			for i, want := range labels {
				if lv[keys[i]] != want {
					continue next
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// TestRunnerRejects duplicate names and unknown kinds.
func TestRunnerRejects(t *testing.T) {
	reg := all.Registry()
	cfgs := decode(t, reg, `
sources:
  - {kind: rss, name: same, url: "https://a.example/feed"}
  - {kind: rss, name: same, url: "https://b.example/feed"}
`)
	_, err := collectors.NewRunner(collectors.RunnerOptions{Registry: reg, Sources: cfgs, State: collectors.NewMemoryState(), UserAgent: "x/1"})
	if err == nil || !strings.Contains(err.Error(), "two sources are named") {
		t.Fatalf("err = %v", err)
	}
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("{kind: rss, url: x, bogus: 1}"), &n)
	if _, err := reg.Decode(n.Content[0]); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("unknown key accepted: %v", err)
	}
}

// TestRunLoopsUntilCancelled polls on the interval until the context ends.
func TestRunLoopsUntilCancelled(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	reg := all.Registry()
	cfgs := decode(t, reg, `
sources:
  - {kind: rss, name: news, interval: 1s, url: "`+env.Server.URL+`/rss/news.xml"}
`)
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	r, err := collectors.NewRunner(collectors.RunnerOptions{
		Registry: reg, Sources: cfgs, State: collectors.NewMemoryState(), Fetcher: env.Fetcher, Now: env.Clock.Now,
		Registerer: prometheus.NewRegistry(),
		Sleep: func(ctx context.Context, d time.Duration) error {
			polls++
			if d < time.Second || d > 1200*time.Millisecond {
				t.Errorf("slept %v, want the 1s interval plus at most 200ms default jitter", d)
			}
			env.Clock.Advance(10 * time.Minute) // the new post appears
			if polls == 3 {
				cancel()
			}
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := r.Run(ctx, func(context.Context, post.Post) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 4 || polls != 3 {
		t.Fatalf("emitted %d posts in %d polls, want 4 in 3", n, polls)
	}
}

// TestRunnerRestartAllKinds: every demo source through the Runner; a restarted Runner on
// the same state publishes nothing; 45 minutes later each new fixture post appears once.
func TestRunnerRestartAllKinds(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	reg := all.Registry()
	cfgs := decode(t, reg, demosite.SourcesYAML(env.Server.URL))
	state := collectors.NewMemoryState()
	newRunner := func() *collectors.Runner {
		r, err := collectors.NewRunner(collectors.RunnerOptions{Registry: reg, Sources: cfgs, State: state, Fetcher: env.Fetcher, Now: env.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var mu sync.Mutex
	seen := map[string]int{}
	refreshes := 0
	collect := func(r *collectors.Runner) int {
		n := 0
		if err := r.RunOnce(context.Background(), func(_ context.Context, p post.Post) error {
			mu.Lock()
			defer mu.Unlock()
			if p.Refresh { // grown counters of a post already published, not a new post
				refreshes++
				return nil
			}
			seen[p.ID]++
			n++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	visibleAt := func(d time.Duration) int {
		n := 0
		for _, p := range env.Site.Content().Posts {
			if p.At <= d {
				n++
			}
		}
		return n + len(env.Site.Content().CommentsAt(d, "youtube", "vk", "telegram"))
	}
	if n := collect(newRunner()); n != visibleAt(0) {
		t.Fatalf("first run: %d posts, fixtures hold %d", n, visibleAt(0))
	}
	if n := collect(newRunner()); n != 0 {
		t.Fatalf("restart published %d posts again", n)
	}
	env.Clock.Advance(45 * time.Minute)
	if n := collect(newRunner()); n != visibleAt(45*time.Minute)-visibleAt(0) {
		t.Fatalf("after 45 min: %d new posts, want %d", n, visibleAt(45*time.Minute)-visibleAt(0))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s published %d times", id, n)
		}
	}
	if refreshes == 0 {
		t.Error("no refresh of the young posts whose views grew in 45 minutes")
	}
}

// recordingState is a State that notes, at every Put, how many posts had been handed to
// the pipeline by then.
type recordingState struct {
	collectors.State
	mu        sync.Mutex
	published func() int
	atPut     []int
}

func (s *recordingState) Put(ctx context.Context, key string, value []byte) error {
	s.mu.Lock()
	s.atPut = append(s.atPut, s.published())
	s.mu.Unlock()
	return s.State.Put(ctx, key, value)
}

// TestRunnerBatchesBeforeState: with EmitBatch, every demo source's posts go out in
// batches of at most BatchSize, all of a poll's posts are handed over before its state
// is saved, a failing hand-over fails the poll without moving the state past the posts
// (the next poll publishes every one of them), and a restart on the saved state
// publishes nothing again.
func TestRunnerBatchesBeforeState(t *testing.T) {
	env := collectortest.NewEnv(t, nil)
	reg := all.Registry()
	cfgs := decode(t, reg, demosite.SourcesYAML(env.Server.URL))
	var mu sync.Mutex
	seen := map[string]int{}
	var batches []int
	fail := true
	emitBatch := func(_ context.Context, ps []post.Post) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("stream full")
		}
		batches = append(batches, len(ps))
		for _, p := range ps {
			seen[p.ID]++
		}
		return nil
	}
	published := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range seen {
			n += c
		}
		return n
	}
	state := &recordingState{State: collectors.NewMemoryState(), published: published}
	newRunner := func() *collectors.Runner {
		r, err := collectors.NewRunner(collectors.RunnerOptions{Registry: reg, Sources: cfgs, State: state, Fetcher: env.Fetcher,
			Now: env.Clock.Now, EmitBatch: emitBatch, BatchSize: 7})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if err := newRunner().RunOnce(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "stream full") {
		t.Fatalf("RunOnce with a failing hand-over = %v, want the error", err)
	}
	if len(seen) != 0 {
		t.Fatalf("%d posts published although every hand-over failed", len(seen))
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	if err := newRunner().RunOnce(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	want := len(env.Site.Content().CommentsAt(0, "youtube", "vk", "telegram"))
	for _, p := range env.Site.Content().Posts {
		if p.At <= 0 {
			want++
		}
	}
	if len(seen) != want {
		t.Fatalf("%d posts published, the fixtures hold %d", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s published %d times", id, n)
		}
	}
	multi := false
	for _, b := range batches {
		if b > 7 {
			t.Fatalf("a batch of %d posts, above BatchSize 7", b)
		}
		multi = multi || b > 1
	}
	if !multi {
		t.Fatalf("batches %v: posts were never handed over together", batches)
	}
	// Sources poll concurrently, so a Put only proves its own source's posts went first;
	// the last Put saw every post, and none saw more posts than were published in all.
	if len(state.atPut) == 0 || state.atPut[len(state.atPut)-1] > want {
		t.Fatalf("posts published at each state save: %v (of %d)", state.atPut, want)
	}
	if err := newRunner().RunOnce(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(seen) != want || published() != want {
		t.Fatalf("a restart on the saved state published again: %d posts, %d hand-overs", len(seen), published())
	}
}
