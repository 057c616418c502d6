package narrative

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.jsonl from the current rules")

// TestGolden pins the exact JSON of the rule layer (the "narrative" object of kuzot
// classify) on a few posts of every kind and language. After an intended lexicon or
// rule change, run `go test ./classifiers/narrative -run Golden -update` and review
// the diff.
func TestGolden(t *testing.T) {
	rules, _ := testClassifiers(t)
	in, err := os.ReadFile(filepath.Join("testdata", "golden.input.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(string(in)), "\n") {
		r := rules.ClassifyText(line)
		b, err := json.Marshal(struct {
			Text      string  `json:"text"`
			Narrative *Result `json:"narrative"`
		}{line, r})
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	golden := filepath.Join("testdata", "golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(out.String(), "\n")
	for i, w := range strings.Split(string(want), "\n") {
		if i >= len(got) || got[i] != w {
			t.Errorf("line %d:\n got  %s\n want %s", i+1, got[min(i, len(got)-1)], w)
		}
	}
}
