package coordination

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure"
)

// exposureRedactor masks what the exposure recognisers find, as the coordinate role's
// redactor does.
func exposureRedactor() func(string) string {
	an := exposure.NewAnalyzer(fixedClock)
	return func(s string) string {
		a, err := an.Analyze(s, "", nil)
		if err != nil {
			return "[redacted]"
		}
		out, _ := exposure.Redact(s, a.Entities, exposure.AudienceStored)
		return out
	}
}

// TestClusterEvidenceLinksAreRedacted: a cluster that spreads a victim's profile link
// and replies to the victim's posts keeps only the platform of those links as evidence
// (issue 19, item 8).
func TestClusterEvidenceLinksAreRedacted(t *testing.T) {
	p := DefaultParams()
	p.MinAffinity = 0
	d, err := NewDetector(p, WithClock(fixedClock), WithRedactor(exposureRedactor()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		text := sentence(300+i, 8) + " вот его страница https://vk.com/id48151623 пишите туда"
		for j, a := range []string{"r1", "r2", "r3"} {
			o := obs(a, time.Duration(i)*time.Hour+time.Duration(j)*time.Second, text, "t.me/demo_victim_kg/77")
			o.Post.URL = "https://news.example/2026/03/demo-article"
			observe(t, d, o)
		}
	}
	cs := d.Flush(t0.Add(3 * time.Hour))
	if len(cs) != 1 {
		t.Fatalf("%d clusters, want 1", len(cs))
	}
	b, _ := json.Marshal(cs[0])
	for _, raw := range []string{"id48151623", "demo_victim_kg"} {
		if strings.Contains(string(b), raw) {
			t.Errorf("cluster evidence shows %q: %s", raw, b)
		}
	}
	if !strings.Contains(string(b), `"vk.com/…"`) || !strings.Contains(string(b), `"t.me/…"`) {
		t.Errorf("the platform of the redacted links is gone: %s", b)
	}
	if !strings.Contains(string(b), `"news.example/2026/03/demo-article"`) {
		t.Errorf("a news link without personal data was redacted: %s", b)
	}
}

func TestRedactLink(t *testing.T) {
	r := exposureRedactor()
	for _, tc := range []struct{ in, want string }{
		{"https://vk.com/id48151623", "vk.com/…"},
		{"https://www.instagram.com/nurgul_demo", "instagram.com/…"},
		{"t.me/demo_victim_kg/77", "t.me/…"},
		{"@demo_victim_kg", "[redacted]"},
		{"https://news.example/2026/03/law", "https://news.example/2026/03/law"},
		{"youtube:abc123", "youtube:abc123"},
	} {
		if got := RedactLink(tc.in, r); got != tc.want {
			t.Errorf("RedactLink(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := RedactLink("https://vk.com/id1", nil); got != "https://vk.com/id1" {
		t.Errorf("nil redactor changed the link: %q", got)
	}
}
