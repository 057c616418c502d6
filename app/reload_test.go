package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/internal/testenv"
)

// Reload (what SIGHUP triggers) re-reads the narrative lexicon; a broken lexicon edit
// is refused and reported while the previous one stays in use.
func TestIntegrationReloadLexicon(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	lex := t.TempDir()
	src := filepath.Join("..", "classifiers", "narrative", "lexicon")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lex, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig(t)
	cfg.Classifiers = map[string]yaml.Node{}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("lexicon_dir: "+lex+"\n"), &n); err != nil {
		t.Fatal(err)
	}
	cfg.Classifiers["narrative"] = *n.Content[0]
	roles, _ := app.SelectRoles("classify")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "classify role ready", func() bool { return run.Reload() == nil && hasReloaders(run) })
	// Break one lexicon file: reload must fail loudly and keep the old lexicon.
	files, _ := filepath.Glob(filepath.Join(lex, "*.tsv"))
	if len(files) == 0 {
		t.Fatal("no lexicon files")
	}
	if err := os.WriteFile(files[0], []byte("this\tis\tnot\ta\tvalid\tline\twith\ttoo\tmany\tcolumns\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run.Reload()
	if err == nil || !strings.Contains(err.Error(), "classifier narrative") {
		t.Fatalf("reload of a broken lexicon: %v", err)
	}
	cancel()
	_ = run.Wait()
}

func hasReloaders(r *app.Running) bool { return r.ReloaderCount() > 0 }
