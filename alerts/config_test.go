package alerts_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/all"
)

func node(t *testing.T, path string) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	return n.Content[0]
}

func TestDecodeGood(t *testing.T) {
	s, err := alerts.Decode(node(t, "testdata/good.yaml"), all.Registry())
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.Rules["org-a"], s.Rules["org-b"]
	if a.MinSeverity != alerts.SeverityMedium || a.GroupWindow != 20*time.Second || a.Languages[0] != "ru" ||
		len(a.Channels) != 2 || a.Source != "config" {
		t.Fatalf("org-a rule %+v", a)
	}
	if b.MinSeverity != alerts.SeverityHigh || b.GroupWindow != time.Minute || len(b.Languages) != 2 {
		t.Fatalf("org-b rule (defaults) %+v", b)
	}
	if len(s.Channels) != 3 || s.MaxAttempts != 12 {
		t.Fatalf("settings %+v", s)
	}
}

func TestDecodeBadReportsEveryProblem(t *testing.T) {
	_, err := alerts.Decode(node(t, "testdata/bad.yaml"), all.Registry())
	want, _ := os.ReadFile("testdata/bad.err")
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		if !strings.Contains(err.Error(), strings.TrimSpace(line)) {
			t.Errorf("error lacks %q; got:\n%v", line, err)
		}
	}
}

func TestDecodeAbsentSection(t *testing.T) {
	s, err := alerts.Decode(&yaml.Node{}, all.Registry())
	if err != nil || len(s.Rules) != 0 {
		t.Fatalf("%v %+v", err, s)
	}
}

func TestEveryKindHasAValidSample(t *testing.T) {
	reg := all.Registry()
	for _, k := range reg.Kinds() {
		f, _ := reg.Factory(k)
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(f.SampleConfig), &n); err != nil || len(n.Content) == 0 || len(n.Content[0].Content) == 0 {
			t.Fatalf("%s sample: %v", k, err)
		}
		if _, err := reg.Decode(n.Content[0].Content[0]); err != nil {
			t.Errorf("%s sample does not decode: %v", k, err)
		}
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []string{"none", "low", "medium", "high", "critical"} {
		v, err := alerts.ParseSeverity(s)
		if err != nil || v.String() != s {
			t.Fatalf("%s: %v %v", s, v, err)
		}
	}
	if _, err := alerts.ParseSeverity(""); err == nil {
		t.Fatal("empty severity accepted")
	}
}
