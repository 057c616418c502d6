package pipeline_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
)

// TestIntegrationJetStreamCopyToCluster copies an old single server's posts stream and a
// KV bucket into a 3-node R3 cluster (`kuzot jetstream copy`): every message once, the
// Nats-Msg-Id kept (the cluster drops a republished post as a duplicate), the bucket's
// values and deletions intact, and a second run copies nothing.
func TestIntegrationJetStreamCopyToCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	old := testenv.Bus(t)
	const n = 500
	for i := 0; i < n; i++ {
		msg := &nats.Msg{Subject: pipeline.PostsSubject + ".telegram", Data: []byte(fmt.Sprintf(`{"id":"telegram:invented/%d"}`, i)),
			Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("telegram:invented/%d:abc", i))
		if _, err := old.JS.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	kv, err := old.JS.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "kuzot_copy_state", History: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err := kv.Put(ctx, fmt.Sprintf("source%d", i), []byte("cursor-1")); err != nil {
			t.Fatal(err)
		}
	}
	e, err := kv.Get(ctx, "source3")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Update(ctx, "source3", []byte("cursor-2"), e.Revision()); err != nil { // a CAS write
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "source4"); err != nil {
		t.Fatal(err)
	}

	cl := testenv.StartCluster(t, 3, 3)
	client := cl.Client(t)
	names := []string{pipeline.PostsStream, "KV_kuzot_copy_state"}
	start := time.Now()
	rep, err := pipeline.CopyStreams(ctx, old.JS, client.JS, names, 3)
	t.Logf("copy in %.1f s: %+v", time.Since(start).Seconds(), rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range rep {
		if sc.Dest != sc.Source || sc.Copied != sc.Source || sc.Duplicates != 0 {
			t.Errorf("%s: %+v, want every message copied once", sc.Stream, sc)
		}
	}
	s, err := client.JS.Stream(ctx, "KV_kuzot_copy_state")
	if err != nil {
		t.Fatal(err)
	}
	if r := s.CachedInfo().Config.Replicas; r != 3 {
		t.Errorf("copied bucket has %d replicas, want 3", r)
	}
	// The Msg-Id travelled: publishing a post again under its id is a duplicate.
	msg := &nats.Msg{Subject: pipeline.PostsSubject + ".telegram", Data: []byte(`{"id":"telegram:invented/7"}`), Header: nats.Header{}}
	msg.Header.Set(jetstream.MsgIDHeader, "telegram:invented/7:abc")
	ack, err := client.JS.PublishMsg(ctx, msg)
	if err != nil || !ack.Duplicate {
		t.Errorf("republished post: %+v, %v; want a duplicate", ack, err)
	}
	ckv, err := client.JS.KeyValue(ctx, "kuzot_copy_state")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"source0": "cursor-1", "source3": "cursor-2", "source19": "cursor-1"} {
		e, err := ckv.Get(ctx, key)
		if err != nil || string(e.Value()) != want {
			t.Errorf("%s on the cluster: %v, %v; want %s", key, e, err, want)
		}
	}
	if _, err := ckv.Get(ctx, "source4"); err != jetstream.ErrKeyNotFound {
		t.Errorf("deleted key on the cluster: %v, want not found", err)
	}
	again, err := pipeline.CopyStreams(ctx, old.JS, client.JS, names, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range again {
		if sc.Copied != 0 || sc.Dest != sc.Source {
			t.Errorf("second copy of %s: %+v, want nothing copied", sc.Stream, sc)
		}
	}
}
