package exposure

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestCorpusShape(t *testing.T) {
	exs, err := ReadCorpus(bytes.NewReader(embeddedCorpus))
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]int{}
	neg, held := 0, 0
	for _, ex := range exs {
		langs[ex.Lang]++
		if !ex.Exposed && !ex.Outing {
			neg++
		}
		if ex.Split == "heldout" {
			held++
		}
	}
	if len(exs) < 400 {
		t.Errorf("corpus has %d posts, want >= 400", len(exs))
	}
	for _, l := range []string{"ru", "ky", "en"} {
		if langs[l] < 40 {
			t.Errorf("corpus has %d %s posts", langs[l], l)
		}
	}
	if neg*2 < len(exs)*45/100 {
		t.Errorf("only %d of %d posts are negatives", neg, len(exs))
	}
	if held < 100 {
		t.Errorf("held-out part has %d posts", held)
	}
}

func TestEvalHeldoutMeetsTargets(t *testing.T) {
	var out, errb bytes.Buffer
	if err := EvalCommand(context.Background(), []string{"--set", "generated", "--split", "heldout", "--strict"}, &out, &errb); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errb.String())
	}
	for _, want := range []string{"exposed", "outing", "watchlist", "national_id", "watchlist precision", "mentions", "by language", "by kind"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestEvalCommandFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if err := EvalCommand(context.Background(), []string{"--split", "nope"}, &out, &errb); err == nil {
		t.Error("unknown split accepted")
	}
	if err := EvalCommand(context.Background(), []string{"extra"}, &out, &errb); err == nil {
		t.Error("positional argument accepted")
	}
}

func TestReadCorpusRejectsMalformed(t *testing.T) {
	for name, in := range map[string]string{
		"not json":       "{",
		"unknown field":  `{"id":"x","text":"a","bogus":1}`,
		"missing id":     `{"text":"a"}`,
		"entity outside": `{"id":"x","text":"ab","entities":[{"type":"phone","start":1,"end":9}]}`,
	} {
		if _, err := ReadCorpus(strings.NewReader(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPRArithmetic(t *testing.T) {
	p := PR{TP: 9, FP: 1, FN: 3}
	if p.Precision() != 0.9 || p.Recall() != 0.75 {
		t.Errorf("precision %v recall %v", p.Precision(), p.Recall())
	}
	if (PR{}).Precision() != 1 || (PR{}).Recall() != 1 {
		t.Error("empty PR is not 1/1")
	}
}

func TestEvalKindFilter(t *testing.T) {
	var out, errb bytes.Buffer
	if err := EvalCommand(context.Background(), []string{"--set", "generated", "--split", "heldout", "--kind", "hand"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	exs, err := ReadCorpus(bytes.NewReader(embeddedCorpus))
	if err != nil {
		t.Fatal(err)
	}
	hand := 0
	for _, ex := range exs {
		if ex.Kind == "hand" && ex.Split == "heldout" {
			hand++
		}
	}
	if hand < 90 || !strings.Contains(out.String(), "kind hand") || !strings.Contains(out.String(), fmt.Sprintf("posts: %d\n", hand)) {
		t.Errorf("hand-written report:\n%s", out.String())
	}
}
