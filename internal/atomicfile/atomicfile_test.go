package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, c := range []struct {
		content string
		perm    os.FileMode
	}{{"first", 0o600}, {"second, longer than the first", 0o640}} {
		if err := Write(path, []byte(c.content), c.perm); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != c.content {
			t.Fatalf("read %q, %v; want %q", got, err, c.content)
		}
		info, err := os.Stat(path)
		if err != nil || info.Mode().Perm() != c.perm {
			t.Fatalf("mode %v, %v; want %v", info.Mode().Perm(), err, c.perm)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("directory holds %v (%v); want only the file, no temporary left", entries, err)
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil, 0o600); err == nil {
		t.Fatal("writing into a missing directory must fail")
	}
}
