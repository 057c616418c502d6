package collectors

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestFileState: a missing key is ErrNoState, values round-trip under keys with any
// character, and a second FileState on the same directory (the next `kuzot collect
// --once --state DIR` run) reads what the first wrote.
func TestFileState(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "state")
	s, err := NewFileState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "telegram:demo"); !errors.Is(err, ErrNoState) {
		t.Fatalf("missing key: err %v, want ErrNoState", err)
	}
	keys := map[string]string{
		"telegram:demo_channel":          `{"last":42}`,
		"comments/vk:-100_7?x=1&y=..%2F": `{"cursor":"a/b"}`,
		"../escape":                      `{"x":1}`,
	}
	for k, v := range keys {
		if err := s.Put(ctx, k, []byte(v)); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	again, err := NewFileState(dir)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range keys {
		got, err := again.Get(ctx, k)
		if err != nil || string(got) != v {
			t.Errorf("get %q = %q, %v; want %q", k, got, err, v)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(keys) {
		t.Errorf("%d files in the state dir, want one per key (%d): a key escaped the directory?", len(entries), len(keys))
	}
	if err := s.Put(ctx, "telegram:demo_channel", []byte(`{"last":43}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := again.Get(ctx, "telegram:demo_channel"); string(got) != `{"last":43}` {
		t.Errorf("overwritten value %q", got)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileState(file); err == nil {
		t.Error("a state dir that is a file was accepted")
	}
}
