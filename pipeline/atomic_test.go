package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// streamCount is how many messages a stream holds.
func streamCount(t *testing.T, b *pipeline.Bus, stream string) uint64 {
	t.Helper()
	s, err := b.JS.Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func resultsCount(t *testing.T, b *pipeline.Bus) uint64 {
	return streamCount(t, b, pipeline.ResultsStream)
}
func postsCount(t *testing.T, b *pipeline.Bus) uint64 { return streamCount(t, b, pipeline.PostsStream) }

// TestPublishAtomic: a batch is stored whole with contiguous sequences; a batch holding a
// duplicate id is rejected whole (nothing stored), which is what lets ResultsWriter fall
// back to one-by-one publishing safely.
func TestPublishAtomic(t *testing.T) {
	b := testenv.Bus(t)
	ctx := context.Background()
	mk := func(from, to int) []*nats.Msg {
		var out []*nats.Msg
		for i := from; i < to; i++ {
			m := &nats.Msg{Subject: pipeline.ResultsSubject + ".test", Data: []byte(fmt.Sprint(i)), Header: nats.Header{}}
			m.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("id-%d", i))
			out = append(out, m)
		}
		return out
	}
	ack, err := pipeline.PublishAtomic(ctx, b.NC, mk(0, 10))
	if err != nil {
		t.Fatal(err)
	}
	if ack.Count != 10 || ack.LastSeq != 10 || ack.Stream != pipeline.ResultsStream {
		t.Fatalf("ack %+v", ack)
	}
	_, err = pipeline.PublishAtomic(ctx, b.NC, mk(8, 15)) // 8 and 9 are duplicates
	if !errors.Is(err, pipeline.ErrBatchRejected) {
		t.Fatalf("batch with duplicates: err = %v, want ErrBatchRejected", err)
	}
	if n := resultsCount(t, b); n != 10 {
		t.Fatalf("a rejected batch stored something: %d messages, want 10", n)
	}
	if _, err := pipeline.PublishAtomic(ctx, b.NC, nil); err == nil {
		t.Fatal("empty batch accepted")
	}
	if _, err := pipeline.PublishAtomic(ctx, b.NC, mk(100, 100+pipeline.MaxAtomicBatch+1)); err == nil {
		t.Fatal("oversized batch accepted")
	}
}

// TestResultsWriterAtomicAndFallback: results go out atomically; a redelivered batch
// (some results already stored) is rejected atomically and then published one by one,
// storing only the new results.
func TestResultsWriterAtomicAndFallback(t *testing.T) {
	b := testenv.Bus(t)
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	w := pipeline.ResultsWriter(b, m)
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]*pipeline.Classified, 30)
	for i := range rows {
		rows[i] = &pipeline.Classified{Post: post.Post{ID: fmt.Sprintf("rss:r%d", i), Source: "rss", Text: "t", PublishedAt: base},
			Summaries:    []pipeline.Summary{{Classifier: "x", Version: "1", Flagged: i%3 == 0}, {Classifier: "a", Version: "1", Flagged: i%2 == 0}},
			ClassifiedAt: base}
	}
	ctx := context.Background()
	if err := w(ctx, rows[:20]); err != nil {
		t.Fatal(err)
	}
	if n := resultsCount(t, b); n != 20 {
		t.Fatalf("%d results stored, want 20", n)
	}
	if err := w(ctx, rows[10:]); err != nil { // 10 duplicates, 10 new
		t.Fatal(err)
	}
	if n := resultsCount(t, b); n != 30 {
		t.Fatalf("%d results stored after a redelivered batch, want 30", n)
	}
	// Every result, atomic or republished one by one, says which classifiers flagged it.
	cons, err := b.JS.OrderedConsumer(ctx, pipeline.ResultsStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i, r := range rows {
		want[r.MsgID()] = map[[2]bool]string{{false, false}: "-", {true, false}: "x", {false, true}: "a", {true, true}: "a,x"}[[2]bool{i%3 == 0, i%2 == 0}]
	}
	for range 30 {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Headers().Get(jetstream.MsgIDHeader)
		if got := msg.Headers().Get(pipeline.HeaderFlagged); got != want[id] {
			t.Fatalf("result %s: %s = %q, want %q", id, pipeline.HeaderFlagged, got, want[id])
		}
		if f, known := pipeline.FlaggedBy(msg, "x"); !known || f != strings.Contains(want[id], "x") {
			t.Fatalf("result %s: FlaggedBy(x) = %v, %v", id, f, known)
		}
	}
}

// TestPublishPostsAtomicAndFallback: a collector's posts go out as one atomic batch; a
// batch repeating posts already stored (a collector restarted mid-poll) is rejected
// whole by the server and then published post by post, storing only the new ones; an
// invalid post fails the call before anything is sent.
func TestPublishPostsAtomicAndFallback(t *testing.T) {
	b := testenv.Bus(t)
	ctx := context.Background()
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(b.JS, m)
	ps := samplePosts(8, "batch")
	if err := pub.PublishPosts(ctx, ps[:5]); err != nil {
		t.Fatal(err)
	}
	if n := postsCount(t, b); n != 5 {
		t.Fatalf("%d posts stored, want 5", n)
	}
	if err := pub.PublishPostsWithRetry(ctx, ps); err != nil { // 0..4 again, 5..7 new
		t.Fatal(err)
	}
	if n := postsCount(t, b); n != 8 {
		t.Fatalf("%d posts stored after a batch repeating five, want 8", n)
	}
	bad := samplePosts(3, "bad")
	bad[1].ID = ""
	if err := pub.PublishPosts(ctx, bad); !errors.Is(err, post.ErrInvalid) {
		t.Fatalf("invalid post: err = %v, want post.ErrInvalid", err)
	}
	if n := postsCount(t, b); n != 8 {
		t.Fatalf("a batch with an invalid post stored something: %d posts", n)
	}
	if err := pub.PublishPosts(ctx, samplePosts(pipeline.MaxAtomicBatch+1, "big")); err == nil {
		t.Fatal("a batch above MaxAtomicBatch was accepted")
	}
}
