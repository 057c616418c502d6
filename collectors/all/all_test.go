package all

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSamplesDecode: every kind is registered with a documented sample that decodes
// strictly, takes defaults and validates, so the sample never drifts from the code.
func TestSamplesDecode(t *testing.T) {
	r := Registry()
	want := []string{"rss", "telegram", "tipline", "vk", "web", "youtube"}
	if got := r.Kinds(); len(got) != len(want) {
		t.Fatalf("kinds %v, want %v", got, want)
	}
	for _, kind := range r.Kinds() {
		f, _ := r.Factory(kind)
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(f.SampleConfig), &doc); err != nil {
			t.Fatalf("%s sample: %v", kind, err)
		}
		if len(doc.Content) != 1 || len(doc.Content[0].Content) == 0 {
			t.Fatalf("%s sample is not a list of sources", kind)
		}
		for _, n := range doc.Content[0].Content {
			cfg, err := r.Decode(n)
			if err != nil {
				t.Errorf("%s sample: %v", kind, err)
				continue
			}
			if cfg.SourceKind() != kind || cfg.SourceName() == "" {
				t.Errorf("%s sample: kind %q name %q", kind, cfg.SourceKind(), cfg.SourceName())
			}
		}
	}
}
