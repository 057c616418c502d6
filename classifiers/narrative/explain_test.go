package narrative

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEvidenceOffsetsPointAtOriginalBytes(t *testing.T) {
	_, full := testClassifiers(t)
	tests := []struct {
		text  string
		spans map[string]Frame // evidence text → frame that must be present
	}{
		{"🏳️‍🌈🤮 Геи — больные люди 🤢, их надо лечить!", map[string]Frame{"Геи": FrameDehumanization, "больные": FrameDehumanization}},
		{"👉 Запретить ГЕЙ-пропаганду 🚫 среди детей", map[string]Frame{"пропаганду": FramePropagandaBan, "ГЕЙ": FramePropagandaBan}},
		{"Ёлки 🎄, п@дики опять тут", map[string]Frame{"п@дики": FrameDehumanization}},
		{"Гейлерди 🔪 өлтүргүлө!", map[string]Frame{"Гейлерди": FrameViolenceThreat, "өлтүргүлө": FrameViolenceThreat}},
		{"x г е й — больные", map[string]Frame{"г е й": FrameDehumanization}},
	}
	for _, tc := range tests {
		r := full.ClassifyText(tc.text)
		if !r.Homophobic {
			t.Errorf("%q not flagged (score %.2f)", tc.text, r.Prob)
			continue
		}
		got := map[string]Frame{}
		for _, e := range r.Evidence {
			if e.Start < 0 || e.End > len(tc.text) || e.Start >= e.End {
				t.Fatalf("%q: bad span %+v", tc.text, e)
			}
			if tc.text[e.Start:e.End] != e.Text {
				t.Errorf("%q: span [%d,%d) is %q, evidence says %q", tc.text, e.Start, e.End, tc.text[e.Start:e.End], e.Text)
			}
			if !utf8.ValidString(e.Text) {
				t.Errorf("%q: span cuts a rune: %q", tc.text, e.Text)
			}
			got[e.Text] = e.Frame
		}
		for span, frame := range tc.spans {
			if got[span] != frame {
				t.Errorf("%q: evidence %q with frame %s missing; got %+v", tc.text, span, frame, r.Evidence)
			}
		}
	}
}

func TestResultJSONShape(t *testing.T) {
	_, full := testClassifiers(t)
	for _, text := range []string{"Геи — больные люди.", "Хорошая погода сегодня."} {
		r := full.ClassifyText(text)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		if len(m) != 5 || m["homophobic"] == nil || m["score"] == nil || m["frames"] == nil || m["labels"] == nil || m["evidence"] == nil {
			t.Errorf("%s: keys %v, want exactly homophobic, score, frames, labels, evidence", b, keys)
		}
		if string(m["frames"]) == "null" || string(m["labels"]) == "null" || string(m["evidence"]) == "null" {
			t.Errorf("%s: frames, labels and evidence must be arrays, not null", b)
		}
		if r.Homophobic && len(r.LabelList) == 0 {
			t.Errorf("%s: a flag without a taxonomy label", b)
		}
		if r.Flagged() != r.Homophobic || r.Score() != r.Prob || len(r.Labels()) != len(r.FrameList)+len(r.LabelList) {
			t.Errorf("classifiers.Result methods disagree with fields: %+v", r)
		}
	}
}

func TestBadInput(t *testing.T) {
	rules, full := testClassifiers(t)
	huge := strings.Repeat("Геи — больные люди, их надо лечить. Хорошая погода. ", 1<<20/90)
	tests := []struct {
		name, text string
	}{
		{"empty", ""},
		{"whitespace", " \n\t "},
		{"invalid utf-8", "Гe\xffи \xc3\x28 больные \xed\xa0\x80 люди"},
		{"only symbols", "!!! *** @@@ ### 123"},
		{"1 MB", huge},
		{"long word", strings.Repeat("г", 100000)},
		{"many single letters", strings.Repeat("г е й ", 20000)},
		{"NUL bytes", "гей\x00больной\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []*Classifier{rules, full} {
				r := c.ClassifyText(tc.text)
				if r.Prob < 0 || r.Prob > 1 {
					t.Fatalf("score %v out of [0,1]", r.Prob)
				}
				if len(r.Evidence) > maxEvidence {
					t.Fatalf("%d evidence spans, cap is %d", len(r.Evidence), maxEvidence)
				}
				for _, e := range r.Evidence {
					if e.End > len(tc.text) || tc.text[e.Start:e.End] != e.Text {
						t.Fatalf("bad span %+v", e)
					}
				}
				if _, err := json.Marshal(r); err != nil {
					t.Fatalf("marshal: %v", err)
				}
			}
		})
	}
	if r := full.ClassifyText(""); r.Homophobic || len(r.FrameList) != 0 {
		t.Errorf("empty text flagged: %+v", r)
	}
}

// TestModelOnlyFlagHasEvidence covers the path where the model flags a post that no
// rule frame explains: it must still name a frame and point at words of the post.
func TestModelOnlyFlagHasEvidence(t *testing.T) {
	_, full := testClassifiers(t)
	a := &analysis{}
	text := "эти гомосеки и их мерзкие парады"
	a.run(full.lex.Load(), text)
	ev := a.modelEvidence(full.model, frameIndex(FrameDehumanization))
	if len(ev) == 0 {
		t.Fatal("no evidence")
	}
	for _, e := range ev {
		if text[e.Start:e.End] != e.Text || e.Frame != FrameDehumanization {
			t.Errorf("bad evidence %+v", e)
		}
	}
}

// TestAdversarialInputStaysFast feeds MaxTextBytes of dense cues, quotes, negations and
// self-references: the rules use per-post indexes, so this takes milliseconds, not the
// seconds a quadratic scan would (a cheap denial of service on the classify stage).
func TestAdversarialInputStaysFast(t *testing.T) {
	_, full := testClassifiers(t)
	for _, unit := range []string{"геи больные пидоры ", "«геи больные пидоры» ", "не геи не больные не пидоры ", "я гей мы лгбт ", "г е й ", "п*****й ", "a.b.c.d.e.f.g.h.i.j.k.l.m.n ", "*а*а*а*а "} {
		s := strings.Repeat(unit, MaxTextBytes/len(unit))
		start := time.Now()
		r := full.ClassifyText(s)
		d := time.Since(start)
		t.Logf("%q: %v", unit, d)
		if d > 10*time.Second { // generous for -race on a loaded CI machine
			t.Errorf("%q×%d took %v", unit, MaxTextBytes/len(unit), d)
		}
		if len(r.Evidence) > maxEvidence {
			t.Errorf("%d evidence spans", len(r.Evidence))
		}
	}
}
