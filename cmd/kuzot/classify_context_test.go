package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/post"
)

// contextProbe is a classifier that flags a post when its thread context names a word:
// the smallest real classifier that depends on the context input.
type contextProbe struct{ word string }

type probeResult struct {
	Context string `json:"context"`
	Hit     bool   `json:"hit"`
}

func (r probeResult) Flagged() bool    { return r.Hit }
func (r probeResult) Score() float64   { return map[bool]float64{true: 1}[r.Hit] }
func (r probeResult) Labels() []string { return nil }

func (contextProbe) Name() string    { return "probe" }
func (contextProbe) Version() string { return "1" }
func (c contextProbe) Classify(_ context.Context, p *post.Post) (classifiers.Result, error) {
	return probeResult{Context: p.Context, Hit: strings.Contains(p.Context, c.word)}, nil
}

func TestClassifyPassesThreadContext(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"youtube:c:1","text":"сжечь их всех","kind":"comment","parent_id":"youtube:v1","root_id":"youtube:v1","context":"Видео о гей-параде"}`,
		`{"id":"youtube:c:2","text":"сжечь их всех"}`,
	}, "\n")
	var out, errw bytes.Buffer
	if err := classifyStream(context.Background(), []classifiers.Classifier{contextProbe{word: "гей"}}, strings.NewReader(in), &out, &errw); err != nil {
		t.Fatalf("%v: %s", err, errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", out.String())
	}
	for i, want := range []probeResult{{Context: "Видео о гей-параде", Hit: true}, {}} {
		var got struct {
			Probe probeResult `json:"probe"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		if got.Probe != want {
			t.Errorf("line %d: got %+v want %+v", i+1, got.Probe, want)
		}
	}
}
