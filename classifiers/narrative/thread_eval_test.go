package narrative

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// The thread report counts each comment twice, in its thread and alone (unit cases of
// testdata/threads-unit.jsonl, written for this test).
func TestEvaluateThreads(t *testing.T) {
	exs, errs, err := Threads("testdata/threads-unit.jsonl")
	if err != nil || len(errs) > 0 || len(exs) != 4 {
		t.Fatalf("threads: %d %v %v", len(exs), errs, err)
	}
	for _, e := range exs {
		if e.Context == "" || e.Dataset != DatasetThreads || e.Part != SplitOf(e.ID) || e.RootTopic == "" {
			t.Fatalf("thread example %+v", e)
		}
	}
	c, err := New(Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.EvaluateThreads(context.Background(), PartDev, exs)
	if err != nil {
		t.Fatal(err)
	}
	// In the thread: both homophobic comments flagged, neither negative.
	if r.N != 4 || r.WithContext != (PRF{TP: 2, TN: 2}) || r.TargetInRootWith.Recall() != 1 ||
		r.LGBTRootNegWith != [2]int{0, 1} || r.OtherRootNegWith != [2]int{0, 1} {
		t.Fatalf("with context: %+v", r)
	}
	// Alone, "Таких надо гнать из страны" names nobody and "Burn them all" cannot tell
	// the two roots apart.
	if r.WithoutContext.FN == 0 && r.WithoutContext.FP == 0 {
		t.Fatalf("without context nothing is lost: %+v", r.WithoutContext)
	}
	var out bytes.Buffer
	r.Print(&out)
	for _, want := range []string{"homophobic, with context", "target only in the root, without context", "other root, with context"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// kuzot eval narrative reports the thread set, or says clearly why it cannot.
func TestEvalCommandThreads(t *testing.T) {
	var out bytes.Buffer
	args := []string{"--datasets", "", "--only", "none", "--parts", "train,dev,test", "--threads-file", "testdata/threads-unit.jsonl"}
	if err := EvalCommand(context.Background(), args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "== threads, dev part: testdata/threads-unit.jsonl") ||
		!strings.Contains(out.String(), "target only in the root, with context") {
		t.Fatalf("eval output:\n%s", out.String())
	}
	out.Reset()
	if err := EvalCommand(context.Background(), []string{"--datasets", "", "--only", "none", "--parts", "dev"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, _, err := Threads("")
	switch {
	case errors.Is(err, ErrNoThreads):
		if !strings.Contains(out.String(), "skipped: no labelled thread set") {
			t.Fatalf("no skip message:\n%s", out.String())
		}
	case err != nil:
		t.Fatal(err)
	default:
		if !strings.Contains(out.String(), "== threads, dev part: corpus/threads.jsonl (embedded)") {
			t.Fatalf("embedded thread set not reported:\n%s", out.String())
		}
	}
}
