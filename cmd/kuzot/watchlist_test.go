package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/post"
)

// The member below is invented.
const watchlistYAML = `orgs:
  - id: org-a
    name: Example Org
    members:
      - id: m-001
        names: ["Айбек Токтосунов", "Aibek Toktosunov"]
        phones: ["+996 555 123 456"]
        ids: ["21203199500123"]
        handles: ["@aibek_t"]
        emails: ["aibek@example.org"]
`

// secrets are every plaintext form of the member that must never reach the disk, logs,
// metrics or the classify output.
var secrets = []string{"Айбек", "Токтосунов", "Aibek", "Toktosunov", "555 123 456", "555123456", "21203199500123",
	"aibek_t", "aibek@example.org", "Example Org"}

func TestWatchlistImportAndRunLeaveNoPlaintext(t *testing.T) {
	ctx := context.Background()
	t.Setenv("KUZOT_WATCHLIST_KEY", "test-key-0123456789abcdef0123456789")
	t.Setenv("KUZOT_CONFIG", "")
	plainDir := t.TempDir()
	dataDir := t.TempDir()
	src := filepath.Join(plainDir, "members.yaml")
	if err := os.WriteFile(src, []byte(watchlistYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := dispatch(ctx, []string{"watchlist", "import", src, "--org", "org-a", "--data-dir", dataDir}, stdio{out: &out, err: &errb})
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "imported org org-a: 1 members") {
		t.Errorf("import output: %q", out.String())
	}

	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	c, err := exposure.New(ctx, classifiers.Deps{
		Logger:     slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registerer: reg,
		DataDir:    dataDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	var results bytes.Buffer
	for i, text := range []string{
		"Айбека Токтосунова видели вчера, его номер 0555 12 34 56. Он гей.",
		"Toktosunov Aibek, ПИН 2 1203 1995 00123",
		"пишите на aibek@example.org или t.me/aibek_t",
	} {
		p := &post.Post{ID: "test:" + string(rune('a'+i)), Source: "test", Text: text, PublishedAt: time.Now()}
		r, err := c.Classify(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		res := r.(*exposure.Result)
		// The member is found through the keyed hashes either way: exposed (posts 0 and 1)
		// or, for a contact invitation, merely mentioned (post 2, issue 15 semantics).
		if found := append(append([]watchlist.Ref{}, res.Watchlist...), res.Mentions...); len(found) != 1 || found[0].Member != "m-001" {
			t.Errorf("post %d: watchlist %v, mentions %v; want org-a/m-001 in one of them", i, res.Watchlist, res.Mentions)
		}
		b, _ := json.Marshal(r)
		results.Write(b)
		results.WriteString(res.Redacted())
	}
	var metrics bytes.Buffer
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&metrics, mf); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(metrics.String(), "kuzot_exposure_watchlist_members 1") {
		t.Errorf("metrics lack the member gauge:\n%s", metrics.String())
	}

	check := func(where string, data []byte) {
		for _, s := range secrets {
			if bytes.Contains(bytes.ToLower(data), bytes.ToLower([]byte(s))) {
				t.Errorf("%s contains %q", where, s)
			}
		}
	}
	err = filepath.WalkDir(dataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		check(path, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	check("logs", logs.Bytes())
	check("metrics", metrics.Bytes())
	check("classify output and redacted evidence", results.Bytes())
	check("command output", append(out.Bytes(), errb.Bytes()...))
}

func TestWatchlistImportRefusesWithoutKey(t *testing.T) {
	t.Setenv("KUZOT_WATCHLIST_KEY", "")
	t.Setenv("KUZOT_CONFIG", "")
	src := filepath.Join(t.TempDir(), "members.yaml")
	if err := os.WriteFile(src, []byte(watchlistYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), []string{"watchlist", "import", src, "--org", "org-a", "--data-dir", dataDir}, stdio{out: &out, err: &errb})
	if code == 0 || !strings.Contains(errb.String(), "KUZOT_WATCHLIST_KEY") {
		t.Fatalf("exit %d, stderr %q; want a key error", code, errb.String())
	}
	if ents, _ := os.ReadDir(dataDir); len(ents) != 0 {
		t.Errorf("data dir written without a key: %v", ents)
	}
}
