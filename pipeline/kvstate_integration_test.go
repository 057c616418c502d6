package pipeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
)

// TestIntegrationKVStateLeaderGet: the leader read of KVState (NC set) sees what Put
// wrote, and reports ErrNoState for a key never written or deleted, as the KV Get does.
func TestIntegrationKVStateLeaderGet(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	ctx := context.Background()
	kv, err := b.JS.KeyValue(ctx, pipeline.StateBucket)
	if err != nil {
		t.Fatal(err)
	}
	st := &pipeline.KVState{KV: kv, NC: b.NC}
	if _, err := st.Get(ctx, "collector/rss:never"); !errors.Is(err, collectors.ErrNoState) {
		t.Fatalf("never written: %v, want ErrNoState", err)
	}
	for _, v := range []string{`{"etag":"a"}`, `{"etag":"b"}`} {
		if err := st.Put(ctx, "collector/rss:x y/z", []byte(v)); err != nil {
			t.Fatal(err)
		}
		got, err := st.Get(ctx, "collector/rss:x y/z")
		if err != nil || string(got) != v {
			t.Fatalf("get after put %s: %q, %v", v, got, err)
		}
	}
	if err := kv.Delete(ctx, "Y29sbGVjdG9yL3Jzczp4IHkveg"); err != nil { // base64url of the key
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, "collector/rss:x y/z"); !errors.Is(err, collectors.ErrNoState) {
		t.Fatalf("deleted: %v, want ErrNoState", err)
	}
}
