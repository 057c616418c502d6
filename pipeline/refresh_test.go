package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

type lengthResult struct{ N int }

func (r lengthResult) Flagged() bool    { return r.N > 0 }
func (r lengthResult) Score() float64   { return 1 }
func (r lengthResult) Labels() []string { return nil }

// textLength is the smallest real classifier: it flags posts with text.
type textLength struct{}

func (textLength) Name() string    { return "length" }
func (textLength) Version() string { return "1" }
func (textLength) Classify(_ context.Context, p *post.Post) (classifiers.Result, error) {
	return lengthResult{N: len(p.Text)}, nil
}

// TestClassifySkipsRefreshes: a refresh (same post, grown counters) is published past the
// posts stream's deduplication, and the classify stage acks it without a result, so it
// never reaches results or alerts; the posts themselves are classified once.
func TestClassifySkipsRefreshes(t *testing.T) {
	b := testenv.Bus(t)
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(b.JS, m)
	ctx := context.Background()
	posts := samplePosts(3, "refresh")
	for _, p := range posts {
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for views := int64(100); views <= 300; views += 100 {
		r := posts[0]
		r.Refresh, r.Views = true, views
		if err := pub.PublishPost(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if n := postsCount(t, b); n != 6 {
		t.Fatalf("posts stream holds %d messages, want 3 posts and 3 refreshes", n)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = pipeline.RunStage(sctx, b, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.ClassifyConsumer, AckWait: 2 * time.Second},
			m, testenv.Logger(t), pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: 10, MaxWait: 50 * time.Millisecond,
				RetryMax: 100 * time.Millisecond, DrainTimeout: time.Second}},
			pipeline.ClassifyDecoder([]classifiers.Classifier{textLength{}}, time.Now), pipeline.ResultsWriter(b, m))
	}()
	defer func() { cancel(); <-done }()
	testenv.Eventually(t, 10*time.Second, "every post message acked", func() bool {
		cons, err := b.JS.Consumer(ctx, pipeline.PostsStream, pipeline.ClassifyConsumer)
		if err != nil {
			return false
		}
		info, err := cons.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	})
	if n := resultsCount(t, b); n != 3 {
		t.Fatalf("results stream holds %d results, want 3 (refreshes are not classified)", n)
	}
}
