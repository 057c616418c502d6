package narrative

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParseConfigValidates(t *testing.T) {
	tests := []struct {
		yaml, want string // want: "" for valid, else a substring of the error
	}{
		{"threshold: 0.41\ncombine: guard-cap\n", ""},
		{"combine: union\n", ""},
		{"threshold: 0\n", "must be in (0,1]"},
		{"threshold: 1.5\n", "must be in (0,1]"},
		{"combine: bogus\n", "combine \"bogus\""},
		{"treshold: 0.4\n", "treshold"},
	}
	for _, tc := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tc.yaml), &n); err != nil {
			t.Fatal(err)
		}
		_, err := ParseConfig(n.Content[0], nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.yaml, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// TestThresholdComesFromModelUnlessConfigured checks the one-threshold rule: the
// configured threshold wins, otherwise the one chosen on dev and stored in the model.
func TestThresholdComesFromModelUnlessConfigured(t *testing.T) {
	_, full := testClassifiers(t)
	if full.model.Meta.Threshold <= 0 || full.threshold != full.model.Meta.Threshold {
		t.Errorf("threshold %v, model's %v", full.threshold, full.model.Meta.Threshold)
	}
	th := 0.9
	c, err := New(Config{Threshold: &th, Combine: CombineGate}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.threshold != 0.9 || c.combine != CombineGate {
		t.Errorf("configured threshold/combine not used: %v %v", c.threshold, c.combine)
	}
}

// TestUnnamedTargetCanFlag checks that no topic gate blocks the model: posts whose
// target is only "such people", a pronoun or "алар" (the rule layer scores them 0) can
// be flagged by the model (the gate of issue 4 capped them at 0). Unit cases; at least
// two of the three must flag.
func TestUnnamedTargetCanFlag(t *testing.T) {
	_, full := testClassifiers(t)
	flagged := 0
	for _, text := range []string{
		"Таких надо лечить принудительно, это болезнь.",
		"These people are sick and should be locked away.",
		"Алар оорулуу, аларды дарылоо керек.",
	} {
		r := full.ClassifyText(text)
		if r.RuleScore != 0 {
			t.Errorf("%q: rule score %v, want 0 (no named target)", text, r.RuleScore)
		}
		if r.Homophobic {
			flagged++
			if len(r.Evidence) == 0 || len(r.LabelList) == 0 {
				t.Errorf("%q: model flag without evidence or label: %+v", text, r)
			}
		}
	}
	if flagged < 2 {
		t.Errorf("%d of 3 posts with an unnamed target flagged, want at least 2", flagged)
	}
}
