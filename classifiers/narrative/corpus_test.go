package narrative

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/internal/testenv"
)

func TestCorpusMeetsIssueRequirements(t *testing.T) {
	exs, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) < 600 {
		t.Errorf("%d posts, want at least 600", len(exs))
	}
	frames := map[Frame]int{}
	langs := map[string]int{}
	hard := 0
	ids := map[string]bool{}
	for _, e := range exs {
		if ids[e.ID] {
			t.Errorf("duplicate id %s", e.ID)
		}
		ids[e.ID] = true
		langs[e.Lang]++
		for _, f := range e.Frames {
			frames[f]++
		}
		switch e.Kind {
		case "self", "reclaimed", "counter", "news", "ordinary", "negation":
			hard++
			if e.Homophobic {
				t.Errorf("%s: hard negative labelled homophobic", e.ID)
			}
		}
	}
	for _, f := range frameList {
		if frames[f] < 30 {
			t.Errorf("frame %s: %d posts, want at least 30", f, frames[f])
		}
	}
	if 2*hard < len(exs) {
		t.Errorf("%d hard negatives of %d posts, want at least half", hard, len(exs))
	}
	for _, l := range []string{"ru", "ky", "en", "uz"} {
		if langs[l] == 0 {
			t.Errorf("no %s posts", l)
		}
	}
	train, held := Split(exs)
	if len(held) < len(exs)/6 || len(train)+len(held) != len(exs) {
		t.Errorf("split %d/%d", len(train), len(held))
	}
	for _, e := range held {
		if !HeldOut(e.ID) {
			t.Fatalf("%s in held-out part but HeldOut is false", e.ID)
		}
	}
}

func TestReadExamplesSkipsBadLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","text":"x","homophobic":false,"kind":"ordinary"}`,
		`this is not json`,
		``,
		`{"id":"b","text":"y","homophobic":true,"frames":["nonsense"]}`,
		`{"id":"c","text":"z","homophobic":false,"labels":["derogation"]}`,
		"{\"id\":\"d\",\"text\":\"\xff\",\"homophobic\":false}",
		`{"id":"e","text":"w","homophobic":true,"frames":["dehumanization"]} trailing`,
		`{"text":"no id","homophobic":true}`,
		`{"id":"f","text":"ok","homophobic":true,"frames":["violence_threat"]}`,
		`{"id":"g","text":"ok","homophobic":true,"labels":["nonsense"]}`,
		`{"id":"h","text":"ok","homophobic":false,"kind":"nonsense"}`,
		`{"id":"i","text":"ты пидор","homophobic":false,"kind":"slur_insult","labels":["slur_insult"]}`,
		`{"id":"j","text":"таких лечить надо","homophobic":true,"frames":[],"labels":["stereotype"]}`,
	}, "\n")
	exs, errs := ReadExamples(strings.NewReader(in), true)
	if len(exs) != 4 || exs[0].ID != "a" || exs[1].ID != "f" || exs[2].ID != "i" || exs[3].ID != "j" {
		t.Fatalf("read %+v", exs)
	}
	if exs[0].LabelsKnown || !exs[2].LabelsKnown || exs[2].Labels[0] != LabelSlurInsult || exs[3].Labels[0] != LabelStereotype {
		t.Errorf("labels read wrongly: %+v", exs)
	}
	wantLines := []int{2, 4, 5, 6, 7, 8, 10, 11}
	if len(errs) != len(wantLines) {
		t.Fatalf("errors %v, want lines %v", errs, wantLines)
	}
	for i, e := range errs {
		var le *LineError
		if !errors.As(e, &le) || le.Line != wantLines[i] {
			t.Errorf("error %d: %v, want line %d", i, e, wantLines[i])
		}
	}
	// An over-long line is reported and the next line still read.
	long := `{"id":"g","text":"` + strings.Repeat("a", MaxLineBytes) + `","homophobic":false}` + "\n" + `{"id":"h","text":"ok","homophobic":false}`
	exs, errs = ReadExamples(strings.NewReader(long), false)
	if len(exs) != 1 || exs[0].ID != "h" || len(errs) != 1 || !errors.Is(errs[0], errLineTooLong) {
		t.Errorf("long line: exs %d errs %v", len(exs), errs)
	}
}

// TestDevTargets checks the shipped classifier on the dev parts of the own corpora
// (kuzot-split-v1; dev is what choices are tuned on, so CI may assert on it). The
// frozen test parts are only reported by `kuzot eval narrative`, never asserted.
func TestDevTargets(t *testing.T) {
	_, full := testClassifiers(t)
	exs, errs := EmbeddedCorpora()
	if len(errs) > 0 {
		t.Fatalf("embedded corpora: %v", errs)
	}
	var dev []Example
	for _, e := range exs {
		if SplitOf(e.ID) == PartDev && (e.Dataset == DatasetCorpus || e.Dataset == DatasetIndependent) {
			dev = append(dev, e)
		}
	}
	if len(dev) < 80 {
		t.Fatalf("only %d dev examples in the own corpora", len(dev))
	}
	rep, err := full.Evaluate(context.Background(), dev)
	if err != nil {
		t.Fatal(err)
	}
	// Regression floors a little under the dev figures of the shipped model (F1 0.870
	// and 4 of 54 self/reclaimed/counter/news posts flagged for model f4978790, lexicon
	// 2026-12-07.4; 0.841 for 5ccf37d6 with lexicon 2026-12-06.1; see docs/benchmarks.md,
	// issue 14).
	if f := rep.Homophobic.F1(); f < 0.80 {
		t.Errorf("own corpora dev homophobic F1 %.3f < 0.80", f)
	}
	var guard [2]int
	for _, k := range []string{KindSelf, KindReclaimed, KindCounter, KindNews} {
		guard[0] += rep.FalsePos[k][0]
		guard[1] += rep.FalsePos[k][1]
	}
	if r := ratio(guard[0], guard[1]); r > 0.10 {
		t.Errorf("self/counter/news dev flag rate %.3f > 0.10 (%d of %d)", r, guard[0], guard[1])
	}
}

// TestSplitIsFrozen pins the split rule: the same ids always land in the same parts,
// and the parts have the documented sizes.
func TestSplitIsFrozen(t *testing.T) {
	for id, want := range map[string]Part{
		"ru-hate-001": SplitOf("ru-hate-001"), // self-consistency
	} {
		if got := SplitOf(id); got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
	// FNV-1a-32 of "kuzot-split-v1:" + id, mod 100, computed independently.
	fnv1a := func(s string) uint32 {
		h := uint32(2166136261)
		for i := 0; i < len(s); i++ {
			h ^= uint32(s[i])
			h *= 16777619
		}
		return h
	}
	counts := map[Part]int{}
	for i := 0; i < 20000; i++ {
		id := "item-" + strconv.Itoa(i)
		b := fnv1a("kuzot-split-v1:"+id) % 100
		want := PartTrain
		switch {
		case b < 20:
			want = PartTest
		case b < 35:
			want = PartDev
		}
		if got := SplitOf(id); got != want {
			t.Fatalf("%s: %s, want %s", id, got, want)
		}
		counts[want]++
		if want == PartTest && SplitTrainFile(id) != PartTrain || want == PartDev && SplitTrainFile(id) != PartDev {
			t.Fatalf("%s: SplitTrainFile %s", id, SplitTrainFile(id))
		}
	}
	if counts[PartTest] < 3800 || counts[PartTest] > 4200 || counts[PartDev] < 2800 || counts[PartDev] > 3200 {
		t.Errorf("part sizes %v of 20000, want about 20%% test and 15%% dev", counts)
	}
}

// TestLTEDIDev checks that the LT-EDI 2022 English files load as the README says (its
// dev file is kuzot's test part for LT-EDI, so no figure is computed here). It is
// skipped when ../shared is absent, and fails then under KUZOT_TEST_REQUIRE_DATA (CI).
func TestLTEDIDev(t *testing.T) {
	dir := DefaultLTEDIDir()
	if dir == "" {
		testenv.SkipWithoutData(t, "../shared/datasets/ltedi2022-en")
	}
	rows, errs, err := ReadExamplesFile(filepath.Join(dir, "dev.jsonl"), false)
	if err != nil || len(errs) > 0 {
		t.Fatalf("read dev: %v %v", err, errs)
	}
	pos := 0
	for _, r := range rows {
		if r.Homophobic {
			pos++
		}
	}
	if len(rows) != 792 || pos != 60 {
		t.Fatalf("dev has %d rows and %d anti-LGBT+ rows, README says 792 and 60", len(rows), pos)
	}
	data, err := LoadData(DataOptions{DatasetsDir: filepath.Dir(dir), NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	parts := map[Part]int{}
	for _, e := range data.Examples {
		if e.Dataset == DatasetLTEDI {
			parts[e.Part]++
		}
	}
	if parts[PartTest] != 792 || parts[PartDev] == 0 || parts[PartTrain]+parts[PartDev] > 3164 {
		t.Errorf("LT-EDI parts %v: want its dev file (792) as test and its train file split into train and dev", parts)
	}
}

func TestEvalAndTrainCommands(t *testing.T) {
	var out, errb strings.Builder
	if err := EvalCommand(context.Background(), []string{"--datasets", ""}, &out, &errb); err != nil {
		t.Fatalf("eval: %v\n%s", err, errb.String())
	}
	for _, want := range []string{"== dev part ==", "== test part ==", "homophobic", "per data set", "own-corpus", "frames (micro)", "propaganda_ban", "per language", "counter", "news", "self", "kuzot-split-v1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
	model := filepath.Join(t.TempDir(), "m.model")
	corpus := filepath.Join(t.TempDir(), "c.jsonl")
	os.WriteFile(corpus, []byte(`{"id":"x1","text":"Геи — больные.","homophobic":true,"frames":["dehumanization"]}
not json
{"id":"x2","text":"Я гей.","homophobic":false,"kind":"self"}
{"id":"x3","text":"Гейлерди өлтүргүлө!","homophobic":true,"frames":["violence_threat"]}
{"id":"x4","text":"Хорошая погода.","homophobic":false,"kind":"ordinary"}
`), 0o644)
	out.Reset()
	errb.Reset()
	if err := TrainCommand(context.Background(), []string{"--datasets", "", "--no-embedded", "--corpus", corpus, "--out", model, "--epochs", "2", "--bits", "12"}, &out, &errb); err != nil {
		t.Fatalf("train: %v", err)
	}
	if !strings.Contains(errb.String(), "line 2") {
		t.Errorf("bad line not reported with its number: %q", errb.String())
	}
	if _, err := LoadModelFile(model); err != nil {
		t.Errorf("trained model does not load: %v", err)
	}
	if err := TrainCommand(context.Background(), []string{"--corpus", corpus}, &out, &errb); err == nil {
		t.Error("train without --out accepted")
	}
	if err := EvalCommand(context.Background(), []string{"--datasets", "", "--parts", "bogus"}, &out, &errb); err == nil {
		t.Error("bad --parts accepted")
	}
}
