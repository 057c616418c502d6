package testenv

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// harnesses are the packages that exist for tests: real services and recorders that
// tests run against. Production code never imports them; the measurement tools under
// bench/ may (they drive the same services).
var harnesses = []string{
	"github.com/kuzot/kuzot/internal/testenv",
	"github.com/kuzot/kuzot/alerts/alertstest",
	"github.com/kuzot/kuzot/collectors/collectortest",
	"github.com/kuzot/kuzot/web/webtest",
}

// TestHarnessesStayApart: no production file imports a test harness, and a harness is
// not imported by another harness's production code path either.
func TestHarnessesStayApart(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "bench", "chaos":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dir == "internal/testenv" || strings.HasSuffix(dir, "test") {
			return nil // a harness may build on another
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, h := range harnesses {
				if p == h {
					t.Errorf("%s imports the test harness %s", rel, h)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d files: wrong root %s?", checked, root)
	}
}
