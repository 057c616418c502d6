package narrative

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"
)

func TestModelSaveLoadRoundTrip(t *testing.T) {
	rules, _ := testClassifiers(t)
	exs := []Example{
		{ID: "a", Text: "Геи — больные люди.", Homophobic: true, Frames: []Frame{FrameDehumanization}, FramesKnown: true},
		{ID: "b", Text: "Я гей и счастлив.", FramesKnown: true},
		{ID: "c", Text: "Запретить гей-пропаганду!", Homophobic: true, Frames: []Frame{FramePropagandaBan}, FramesKnown: true},
		{ID: "d", Text: "Хорошая погода.", FramesKnown: true},
	}
	m, err := rules.Train(context.Background(), exs, TrainOptions{Bits: 12, Epochs: 5, Sources: []string{"unit"}})
	if err != nil {
		t.Fatal(err)
	}
	m2 := saveAndLoad(t, m)
	if m2.bits != 12 || m2.Meta.TrainedOn[0] != "unit" || m2.Meta.Lexicon != rules.lex.Load().version {
		t.Errorf("meta lost: %+v", m2.Meta)
	}
	for _, e := range exs {
		v := rules.featurize(e.Text, m.spec(), true)
		ro := &ruleOutcome{target: true}
		p1, p2 := m.predictBin(&v, ro, 0), m2.predictBin(&v, ro, 0)
		if d := p1 - p2; d > 1e-3 || d < -1e-3 {
			t.Errorf("%s: prediction %v before save, %v after", e.ID, p1, p2)
		}
		if (p2 >= 0.5) != e.Homophobic {
			t.Errorf("%s: trained model predicts %v on its own training data", e.ID, p2)
		}
	}
}

// TestTopicHead: a model trained with the topic head learns "about LGBT people" from
// the targets (a homophobic post is; a post with target other/none is not), keeps the
// head through Save and Load, and topic-cap lets it vouch for an unnamed target. A
// model without the head has none.
func TestTopicHead(t *testing.T) {
	rules, _ := testClassifiers(t)
	exs := []Example{
		{ID: "a", Text: "Геи — больные люди.", Homophobic: true, Target: TargetLGBT, LabelsKnown: true},
		{ID: "b", Text: "Два папы в мультике, мальчик в юбке — позор.", Homophobic: true, Target: TargetLGBT, LabelsKnown: true},
		{ID: "c", Text: "Мигрантов надо гнать из страны.", Target: TargetOther, LabelsKnown: true},
		{ID: "d", Text: "Хорошая погода, едем на дачу.", Target: TargetNone, LabelsKnown: true},
		{ID: "e", Text: "Коррупционеров надо гнать из страны.", Target: TargetOther, LabelsKnown: true},
		{ID: "f", Text: "Мальчик в юбке на утреннике, два папы в зале.", Target: TargetLGBT, LabelsKnown: true},
	}
	m, err := rules.Train(context.Background(), exs, TrainOptions{Bits: 12, Epochs: 20, Sources: []string{"unit"}, TopicHead: true})
	if err != nil {
		t.Fatal(err)
	}
	m2 := saveAndLoad(t, m)
	if !m2.Meta.TopicHead || m2.nAux != len(frameList)+len(labelList)+1 {
		t.Fatalf("topic head lost: %v, %d heads", m2.Meta.TopicHead, m2.nAux)
	}
	for _, e := range exs {
		v := rules.featurize(e.Text, m2.spec(), true)
		p, ok := m2.topicAt(&v)
		if !ok || (p >= 0.5) != (e.Target == TargetLGBT) {
			t.Errorf("%s: topic %.2f (head %v), target %s", e.ID, p, ok, e.Target)
		}
		if got := m2.speaksOfTopic(e.Text, &v); got != (e.Target == TargetLGBT) {
			t.Errorf("%s: speaksOfTopic %v", e.ID, got)
		}
	}
	plain, err := rules.Train(context.Background(), exs, TrainOptions{Bits: 12, Epochs: 5, Sources: []string{"unit"}})
	if err != nil {
		t.Fatal(err)
	}
	v := rules.featurize(exs[0].Text, plain.spec(), true)
	if _, ok := plain.topicAt(&v); ok || plain.speaksOfTopic("Два папы", &v) {
		t.Error("a model without the topic head answers for it")
	}
}

func TestLoadModelRejectsBadFiles(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("hello"), "not a gzip file"},
		{"bad magic", gz([]byte("XXXX0000")), "bad magic"},
		{"truncated header", gz([]byte("KNLR\xff\x00\x00\x00{")), "truncated header"},
		{"wrong format", gz(append([]byte("KNLR\x12\x00\x00\x00"), `{"format":"other"}`...)), "format \"other\""},
	}
	for _, tc := range tests {
		if _, err := LoadModel(bytes.NewReader(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestEmbeddedModelMatchesLexicon fails when the lexicon was edited without retraining
// the shipped model (its rule features would be stale): run `kuzot train narrative
// --out classifiers/narrative/model/narrative.model`.
func TestEmbeddedModelMatchesLexicon(t *testing.T) {
	rules, _ := testClassifiers(t)
	m, err := EmbeddedModel()
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta.Lexicon != rules.lex.Load().version {
		t.Errorf("embedded model was trained with lexicon %s, the embedded lexicon is %s: retrain", m.Meta.Lexicon, rules.lex.Load().version)
	}
	// It must record the frozen-split rule and that the test parts were not used.
	last := ""
	if n := len(m.Meta.TrainedOn); n > 0 {
		last = m.Meta.TrainedOn[n-1]
	}
	if !strings.Contains(last, "kuzot-split-v1") || !strings.Contains(last, "not used") {
		t.Errorf("embedded model does not record its split: %v", m.Meta.TrainedOn)
	}
	if m.Meta.Format != modelFormat || m.Meta.CalibA == 0 || m.Meta.Threshold <= 0 || len(m.Meta.Selection) == 0 {
		t.Errorf("embedded model lacks calibration, threshold or dev selection: %+v", m.Meta)
	}
}

// saveAndLoad writes m as a model file and reads it back.
func saveAndLoad(t *testing.T, m *Model) *Model {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := LoadModel(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return m2
}
