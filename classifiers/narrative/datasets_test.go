package narrative

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadDataRules builds a miniature ../shared/datasets and checks how LoadData
// labels and splits it.
func TestLoadDataRules(t *testing.T) {
	dir := t.TempDir()
	write := func(path string, lines ...string) {
		t.Helper()
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ltedi2022-en/train.jsonl",
		`{"id":"lt-1","text":"some comment","lang":"en","label":"None","homophobic":false}`,
		`{"id":"lt-2","text":"a hateful comment","lang":"en","label":"Homophobic","homophobic":true}`)
	write("ltedi2022-en/dev.jsonl",
		`{"id":"lt-d1","text":"a dev comment","lang":"en","label":"None","homophobic":false}`)
	write("en-redditbias-orientation/all.jsonl",
		`{"id":"rb-1","text":"biased","homophobic":true,"label":{"bias_sent":1}}`,
		`{"id":"rb-2","text":"not annotated","homophobic":null,"label":{}}`)
	write("en-mlma/all.jsonl",
		`{"id":"mlma-1","text":"hostile to gays","homophobic":true,"label":{"target":"sexual_orientation"}}`,
		`{"id":"mlma-2","text":"keyword but other target","homophobic":null,"label":{"target":"origin"}}`)
	write("ru-snlp-sensitive-topics/all.jsonl",
		`{"id":"st-1","text":"обычный пост","lgbt_related":false,"homophobic":null}`,
		`{"id":"st-2","text":"пост про геев","lgbt_related":true,"homophobic":null}`)
	write("ru-snlp-appropriateness/all.jsonl",
		`{"id":"ap-1","text":"ещё обычный пост","lgbt_related":false,"homophobic":false}`)
	d, err := LoadData(DataOptions{DatasetsDir: dir, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Example{}
	for _, e := range d.Examples {
		got[e.ID] = e
	}
	if _, ok := got["rb-2"]; ok {
		t.Error("unannotated RedditBias item loaded")
	}
	if e := got["mlma-2"]; e.Homophobic || e.Dataset != DatasetMLMA {
		t.Errorf("MLMA null must be a negative: %+v", e)
	}
	if _, ok := got["st-2"]; ok {
		t.Error("LGBT-related ru-snlp item loaded as a negative")
	}
	if e := got["ap-1"]; e.Dataset != DatasetRuNotLGBT || e.Homophobic {
		t.Errorf("ru-snlp negative: %+v", e)
	}
	if got["lt-d1"].Part != PartTest || got["lt-1"].Part == PartTest || got["lt-2"].Part == PartTest {
		t.Errorf("LT-EDI parts: dev file %s, train file %s %s", got["lt-d1"].Part, got["lt-1"].Part, got["lt-2"].Part)
	}
	if got["rb-1"].Part != SplitOf("rb-1") {
		t.Errorf("rb-1 part %s, SplitOf says %s", got["rb-1"].Part, SplitOf("rb-1"))
	}
}

func TestDedupAcrossParts(t *testing.T) {
	exs := []Example{
		{ID: "a", Text: "Same  Text", Part: PartTrain},
		{ID: "b", Text: "same text", Part: PartTest},
		{ID: "c", Text: "other", Part: PartDev},
		{ID: "d", Text: "OTHER", Part: PartTrain},
		{ID: "e", Text: "unique", Part: PartTrain},
	}
	var ids []string
	for _, e := range dedupAcrossParts(exs) {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, ",") != "b,c,e" {
		t.Errorf("kept %v, want b,c,e", ids)
	}
}
