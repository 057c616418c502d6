package narrative

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.yaml.in/yaml/v3"
)

func TestLexiconErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, tsv, want string
	}{
		{"unknown kind", "hate\tru\tгей\n", "bad.tsv:1: unknown kind \"hate\""},
		{"bad languages", "target\tfr\tgai\n", "bad.tsv:1: bad languages"},
		{"too few columns", "# comment\n\ntarget\tru\n", "bad.tsv:3: want 3 or 4"},
		{"bad flag", "target\tru\tгей\tloud\n", "unknown flag \"loud\""},
		{"bad weight", "dehumanization\tru\tбольной\tw=2\n", "weight \"w=2\" must be in (0,1]"},
		{"symbol in word", "target\tru\tгей-пара\n", "only letters allowed"},
		{"empty alternative", "target\tru\tгей||геи\n", "empty alternative"},
		{"invalid utf-8", "target\tru\t\xff\n", "not valid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"VERSION": {Data: []byte("t1\n")}, "bad.tsv": {Data: []byte(tc.tsv)}}
			_, err := loadLexicon(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := loadLexicon(fstest.MapFS{"a.tsv": {Data: []byte("target\tru\tгей\n")}}); err == nil || !strings.Contains(err.Error(), "VERSION") {
		t.Errorf("missing VERSION: %v", err)
	}
	if _, err := loadLexicon(fstest.MapFS{"VERSION": {Data: []byte("x")}}); err == nil {
		t.Error("no tsv files: want error")
	}
}

func TestLexiconVersionChangesWithContent(t *testing.T) {
	a, err := loadLexicon(fstest.MapFS{"VERSION": {Data: []byte("v1\n")}, "t.tsv": {Data: []byte("target\tru\tгей\n")}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadLexicon(fstest.MapFS{"VERSION": {Data: []byte("v1\n")}, "t.tsv": {Data: []byte("target\tru\tлгбт\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if a.version == b.version || !strings.HasPrefix(a.version, "v1+") {
		t.Errorf("versions %q and %q: want distinct, prefixed by VERSION", a.version, b.version)
	}
}

// copyEmbeddedLexicon writes the embedded lexicon to a directory, as an analyst would
// start editing it.
func copyEmbeddedLexicon(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := EmbeddedLexicon().(interface {
		ReadDir(string) ([]os.DirEntry, error)
	}).ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := readLimited(EmbeddedLexicon(), e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLexiconDirAndReload(t *testing.T) {
	dir := copyEmbeddedLexicon(t)
	reg := prometheus.NewRegistry()
	c, err := New(Config{LexiconDir: dir, Model: "none"}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	const text = "Кукарямбы — больные люди."
	if c.ClassifyText(text).Homophobic {
		t.Fatal("invented word flagged before the analyst added it")
	}
	v0 := c.Version()
	// The analyst adds a new target term and reloads.
	f, err := os.OpenFile(filepath.Join(dir, "targets.tsv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("slur\tru\tкукарямб*\n")
	f.Close()
	if err := c.Reload(); err != nil {
		t.Fatal(err)
	}
	if !c.ClassifyText(text).Homophobic {
		t.Error("new lexicon line not in effect after Reload")
	}
	if c.Version() == v0 {
		t.Error("Version did not change after a lexicon edit")
	}
	// A broken edit is rejected and the working lexicon stays.
	os.WriteFile(filepath.Join(dir, "broken.tsv"), []byte("nonsense line\n"), 0o644)
	if err := c.Reload(); err == nil || !strings.Contains(err.Error(), "broken.tsv:1") {
		t.Errorf("reload of a broken lexicon: %v", err)
	}
	if !c.ClassifyText(text).Homophobic {
		t.Error("failed reload replaced the working lexicon")
	}
	if got := testutil.ToFloat64(c.metrics.reloads.WithLabelValues("error")); got != 1 {
		t.Errorf("reload error counter = %v, want 1", got)
	}
}

func TestParseConfig(t *testing.T) {
	node := func(s string) *yaml.Node {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(s), &n); err != nil {
			t.Fatal(err)
		}
		return n.Content[0]
	}
	c, err := ParseConfig(node("lexicon_dir: /x\nmodel: none\nthreshold: 0.7\nno_topic_gate: true\n"), nil)
	if err != nil || c.LexiconDir != "/x" || c.Model != "none" || *c.Threshold != 0.7 || !c.NoTopicGate {
		t.Fatalf("got %+v, %v", c, err)
	}
	if _, err := ParseConfig(node("lexicon: /x\n"), nil); err == nil || !strings.Contains(err.Error(), "lexicon") {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := ParseConfig(node("threshold: 1.5\n"), nil); err == nil {
		t.Error("threshold 1.5 accepted")
	}
	c, err = ParseConfig(nil, map[string]string{"threshold": "0.6", "model": "none"})
	if err != nil || *c.Threshold != 0.6 || c.Model != "none" {
		t.Errorf("overrides: %+v %v", c, err)
	}
	if _, err := ParseConfig(nil, map[string]string{"threshold": "high"}); err == nil {
		t.Error("bad threshold override accepted")
	}
	if _, err := New(Config{LexiconDir: t.TempDir()}, nil, nil); err == nil {
		t.Error("empty lexicon dir accepted")
	}
	if _, err := New(Config{Model: filepath.Join(t.TempDir(), "missing.model")}, nil, nil); err == nil {
		t.Error("missing model accepted")
	}
}

// TestConcurrentClassifyAndReload runs Classify while the lexicon is reloaded (run
// with -race): the swap is atomic and analyses never share state.
func TestConcurrentClassifyAndReload(t *testing.T) {
	c, err := New(Config{LexiconDir: copyEmbeddedLexicon(t), Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func() {
			for i := 0; i < 200; i++ {
				if !c.ClassifyText("Геи — больные люди, их надо лечить.").Homophobic {
					errs <- errors.New("hate post not flagged during reload")
					return
				}
			}
			errs <- nil
		}()
	}
	go func() {
		defer close(done)
		for i := 0; i < 5; i++ {
			if err := c.Reload(); err != nil {
				t.Error(err)
			}
		}
	}()
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	<-done
}
