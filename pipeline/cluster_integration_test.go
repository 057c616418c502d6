package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
)

// TestIntegrationJetStreamClusterSurvivesNodeLoss runs three embedded JetStream nodes on
// loopback with every stream and bucket at R3, publishes and consumes posts and does KV
// compare-and-set, kills the node leading the posts stream, and goes on: every post
// acknowledged before or after the loss is delivered to the durable consumer, and KV
// compare-and-set still accepts the right revision and refuses a stale one.
func TestIntegrationJetStreamClusterSurvivesNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	started := time.Now()
	cl := testenv.StartCluster(t, 3, 3)
	client := cl.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Every stream and bucket kuzot declares is replicated on all three nodes.
	for _, name := range []string{pipeline.PostsStream, pipeline.ResultsStream, pipeline.DLQStream,
		"KV_" + pipeline.StateBucket, "KV_" + pipeline.LeaseBucket} {
		s, err := client.JS.Stream(ctx, name)
		if err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		info := s.CachedInfo()
		if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			t.Fatalf("stream %s: replicas %d, cluster %+v; want R3 with two followers", name, info.Config.Replicas, info.Cluster)
		}
	}

	t.Logf("cluster up with R3 streams after %s", time.Since(started).Round(time.Millisecond))
	m := pipeline.NewMetrics(prometheus.NewRegistry())
	pub := pipeline.NewPublisher(client.JS, m)
	before := samplePosts(300, "before")
	for i := 0; i < len(before); i += 100 {
		if err := pub.PublishPostsWithRetry(ctx, before[i:i+100]); err != nil {
			t.Fatal(err)
		}
	}
	cons, err := client.EnsureConsumer(ctx, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: "cluster_test", AckWait: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	consume := func(want int) {
		t.Helper()
		deadline := time.Now().Add(45 * time.Second)
		for len(seen) < want && time.Now().Before(deadline) {
			batch, err := cons.Fetch(100, jetstream.FetchMaxWait(500*time.Millisecond))
			if err != nil {
				continue // the consumer's leader may be moving: fetch again
			}
			for msg := range batch.Messages() {
				p, err := pipeline.DecodePost(ctx, msg)
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if err := msg.DoubleAck(ctx); err != nil {
					continue // not acknowledged: it is delivered again
				}
				seen[p.ID]++
			}
		}
		if len(seen) < want {
			t.Fatalf("consumed %d distinct posts, want %d", len(seen), want)
		}
	}
	t.Logf("published 300 posts in atomic batches at %s", time.Since(started).Round(time.Millisecond))
	consume(150) // half of them before the loss, the rest after
	t.Logf("consumed 150 at %s", time.Since(started).Round(time.Millisecond))

	kv, err := client.JS.KeyValue(ctx, pipeline.StateBucket)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := kv.Create(ctx, "cas-test", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}

	// Kill the node that leads the posts stream: the worst single loss for it.
	s, err := client.JS.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		t.Fatal(err)
	}
	leader := cl.NodeIndex(s.CachedInfo().Cluster.Leader)
	if leader < 0 {
		t.Fatalf("posts stream leader %q is not a node of the test cluster", s.CachedInfo().Cluster.Leader)
	}
	killedAt := time.Now()
	cl.Kill(leader)
	t.Logf("killed node %d (leader of %s)", leader+1, pipeline.PostsStream)

	after := samplePosts(300, "after")
	for i := 0; i < len(after); i += 100 {
		if err := pub.PublishPostsWithRetry(ctx, after[i:i+100]); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("publishing resumed %s after the kill", time.Since(killedAt).Round(time.Millisecond))
	consume(600)
	for _, p := range append(before, after...) {
		if seen[p.ID] == 0 {
			t.Fatalf("acknowledged post %s never consumed after the node loss", p.ID)
		}
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 600 {
		t.Fatalf("posts stream holds %d messages, want 600 (deduplicated by message id)", info.State.Msgs)
	}

	// KV compare-and-set on the surviving majority: a stale revision is refused.
	var rev2 uint64
	testenv.EventuallyCtx(t, ctx, 30*time.Second, 5*time.Second, "KV update after the node loss", func(ctx context.Context) bool {
		var err error
		rev2, err = kv.Update(ctx, "cas-test", []byte("2"), rev)
		return err == nil
	})
	if _, err := kv.Update(ctx, "cas-test", []byte("stale"), rev); err == nil {
		t.Fatal("KV update with a stale revision succeeded")
	}
	// KV reads are direct gets that any replica may answer, so a lagging follower can
	// return the previous value for a moment (writes, being compare-and-set on the
	// leader, cannot be stale): the new value shows up everywhere shortly.
	testenv.EventuallyCtx(t, ctx, 10*time.Second, 5*time.Second, "the CAS result readable", func(ctx context.Context) bool {
		e, err := kv.Get(ctx, "cas-test")
		return err == nil && string(e.Value()) == "2" && e.Revision() == rev2
	})
	if _, err := kv.Create(ctx, "cas-test", []byte("again")); !errors.Is(err, jetstream.ErrKeyExists) {
		t.Fatalf("KV create of an existing key: %v, want ErrKeyExists", err)
	}
}

// TestIntegrationJetStreamR1ToR3Migration follows docs/scaling.md: on a 3-node cluster
// whose streams were declared with nats.replicas 1, posts and collector state are
// written; a kuzot process then connects with nats.replicas 3, which updates every stream
// and bucket in place; once the new replicas are current, the node that held the R1 copy
// is killed and the other two still hold every post and the state.
func TestIntegrationJetStreamR1ToR3Migration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	cl := testenv.StartCluster(t, 3, 1)
	// Longer than the waits below together: on a loaded machine the replicas take a
	// while to become current, and an expired context would fail every later check.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r1 := cl.Client(t)
	pub := pipeline.NewPublisher(r1.JS, pipeline.NewMetrics(prometheus.NewRegistry()))
	posts := samplePosts(200, "r1")
	for i := 0; i < len(posts); i += 100 {
		if err := pub.PublishPostsWithRetry(ctx, posts[i:i+100]); err != nil {
			t.Fatal(err)
		}
	}
	kv, err := r1.JS.KeyValue(ctx, pipeline.StateBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "source-state", []byte("hwm=42")); err != nil {
		t.Fatal(err)
	}
	s, err := r1.JS.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		t.Fatal(err)
	}
	holder := cl.NodeIndex(s.CachedInfo().Cluster.Leader)
	if s.CachedInfo().Config.Replicas != 1 || holder < 0 {
		t.Fatalf("posts stream before: replicas %d on %q", s.CachedInfo().Config.Replicas, s.CachedInfo().Cluster.Leader)
	}

	cfg3 := cl.ClientConfig()
	cfg3.Replicas = 3
	client := testenv.BusAt(t, cfg3) // declares every stream and bucket again, at R3
	current := func(name string, msgs uint64) func(context.Context) bool {
		return func(ctx context.Context) bool {
			st, err := client.JS.Stream(ctx, name)
			if err != nil {
				return false
			}
			info, err := st.Info(ctx)
			if err != nil || info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
				return false
			}
			for _, r := range info.Cluster.Replicas {
				if !r.Current || r.Lag > 0 {
					return false
				}
			}
			return info.State.Msgs == msgs
		}
	}
	testenv.EventuallyCtx(t, ctx, 60*time.Second, 5*time.Second, "posts stream at R3 with every message on every replica", current(pipeline.PostsStream, 200))
	testenv.EventuallyCtx(t, ctx, 60*time.Second, 5*time.Second, "state bucket at R3", current("KV_"+pipeline.StateBucket, 1))
	cl.Kill(holder)
	t.Logf("killed node %d, which held the R1 copy", holder+1)
	var lastErr string
	defer func() {
		if t.Failed() {
			t.Logf("last check: %s", lastErr)
		}
	}()
	testenv.EventuallyCtx(t, ctx, 45*time.Second, 5*time.Second, "the posts and the state on the remaining nodes", func(ctx context.Context) bool {
		st, err := client.JS.Stream(ctx, pipeline.PostsStream)
		if err != nil {
			lastErr = "posts stream lookup: " + err.Error()
			return false
		}
		info, err := st.Info(ctx)
		if err != nil || info.State.Msgs != 200 {
			lastErr = fmt.Sprintf("posts stream: %v (info %v)", err, info != nil)
			if info != nil {
				lastErr += fmt.Sprintf(" msgs %d", info.State.Msgs)
			}
			return false
		}
		kv, err := client.JS.KeyValue(ctx, pipeline.StateBucket)
		if err != nil {
			lastErr = "state bucket: " + err.Error()
			return false
		}
		e, err := kv.Get(ctx, "source-state")
		if err != nil {
			lastErr = "state key: " + err.Error()
		}
		return err == nil && string(e.Value()) == "hwm=42"
	})
}
