package narrative

import (
	"context"
	"slices"
	"testing"
)

// TestSlurAsHateReading checks the second reading of the shared English sets: a slur
// thrown as an insult is slur_insult to kuzot and hate to those sets' labels, so it
// counts as found under SlurAsHate and as missed under Datasets; kuzot's own corpora
// get no such reading.
func TestSlurAsHateReading(t *testing.T) {
	_, full := testClassifiers(t)
	// The shipped model's verdict on the unit case (a driver insulted, nothing about
	// LGBT people); a model that changes it needs another case here.
	insult := "Какой-то пидор на джипе опять встал на два места у подъезда"
	if r := full.ClassifyText(insult); r.Homophobic || !slices.Contains(r.LabelList, LabelSlurInsult) {
		t.Fatalf("the unit case must be a slur_insult, not homophobic: %+v", r)
	}
	exs := []Example{
		{ID: "m1", Lang: "ru", Text: insult, Homophobic: true, Dataset: DatasetMLMA},
		{ID: "m2", Lang: "en", Text: "Lovely weather for the match today", Homophobic: false, Dataset: DatasetMLMA},
		{ID: "o1", Lang: "ru", Text: insult, Homophobic: false, Dataset: DatasetCorpus},
	}
	rep, err := full.Evaluate(context.Background(), exs)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Datasets[DatasetMLMA]; p.TP != 0 || p.FN != 1 {
		t.Errorf("homophobic reading of MLMA: %+v, want the insult missed", *p)
	}
	if p := rep.SlurAsHate[DatasetMLMA]; p == nil || p.TP != 1 || p.FN != 0 || p.FP != 0 {
		t.Errorf("slur-as-hate reading of MLMA: %+v, want the insult found and nothing else", p)
	}
	if rep.SlurAsHate[DatasetCorpus] != nil {
		t.Errorf("own corpus read as slur-as-hate: %+v", *rep.SlurAsHate[DatasetCorpus])
	}
}
