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

// TestChannelBinding: a channel bound to organisations takes only their rules, in the
// file and through the API's rule check (issue 19, item 7).
func TestChannelBinding(t *testing.T) {
	src := `
channels:
  - {name: a-hook, kind: webhook, url: "https://a.example/h", secret_envs: [A], orgs: [org-a]}
  - {name: b-hook, kind: webhook, url: "https://b.example/h", secret_envs: [B], orgs: [org-b]}
  - {name: pager, kind: webhook, url: "https://ops.example/h", secret_envs: [P]}
orgs:
  - {id: org-a, channels: [a-hook, pager]}
  - {id: org-b, channels: [b-hook]}
`
	parse := func(src string) *yaml.Node {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		return &n
	}
	s, err := alerts.Decode(parse(src), all.Registry())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckBinding(alerts.Rule{Org: "org-a", Channels: []string{"b-hook"}}); err == nil {
		t.Fatal("org-a's rule may route to org-b's channel")
	}
	if err := s.CheckBinding(alerts.Rule{Org: "org-a", Channels: []string{"a-hook", "pager"}}); err != nil {
		t.Fatalf("own and unbound channels: %v", err)
	}
	infos := s.ChannelInfos()
	if len(infos) != 3 || infos[0].Name != "a-hook" || infos[0].Orgs[0] != "org-a" || len(infos[2].Orgs) != 0 {
		t.Fatalf("channel infos %+v", infos)
	}
	// The same routing written in the file is refused at load.
	if _, err := alerts.Decode(parse(strings.Replace(src, "{id: org-b, channels: [b-hook]}", "{id: org-b, channels: [a-hook]}", 1)),
		all.Registry()); err == nil || !strings.Contains(err.Error(), "belongs to other organisations") {
		t.Fatalf("config routing org-b to org-a's channel: %v", err)
	}
	bad := parse(`channels: [{name: x, kind: webhook, url: "https://x.example/", secret_envs: [X], orgs: ["bad org!"]}]`)
	if _, err := alerts.Decode(bad, all.Registry()); err == nil {
		t.Fatal("malformed org id in a channel's orgs accepted")
	}
}
