package collectors

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestValidateHTTPURL(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"https://t.me", ""},
		{"http://127.0.0.1:8090/rss/news.xml", ""},
		{"", "url is required"},
		{"ftp://example.invalid/feed", `url "ftp://example.invalid/feed" must be an absolute http(s) URL`},
		{"/relative/path", "must be an absolute http(s) URL"},
		{"https://", "must be an absolute http(s) URL"},
		{"http://[::1", "url: parse"},
	} {
		err := ValidateHTTPURL("url", tc.raw)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("ValidateHTTPURL(%q) = %v, want %q", tc.raw, err, tc.want)
		}
	}
}

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct{ raw, def, want string }{
		{"", "https://t.me", "https://t.me"},
		{"http://127.0.0.1:8090/", "https://t.me", "http://127.0.0.1:8090"},
		{"https://api.vk.com", "https://x.invalid", "https://api.vk.com"},
	} {
		if got := BaseURL(tc.raw, tc.def); got != tc.want {
			t.Errorf("BaseURL(%q, %q) = %q, want %q", tc.raw, tc.def, got, tc.want)
		}
	}
}

func TestCheckDeps(t *testing.T) {
	f, err := NewFetcher(FetcherOptions{UserAgent: testUA})
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{HTTP: f.Client(nil), State: NewMemoryState()}
	if err := CheckDeps("demo", &deps); err != nil || deps.Now == nil {
		t.Fatalf("complete deps: %v, clock defaulted: %v", err, deps.Now != nil)
	}
	for _, d := range []Deps{{State: NewMemoryState()}, {HTTP: f.Client(nil)}} {
		if err := CheckDeps("demo", &d); err == nil || !strings.HasPrefix(err.Error(), "demo: ") {
			t.Errorf("incomplete deps accepted or unnamed: %v", err)
		}
	}
}

// demoConfig and demoCollector are a minimal kind for NewFactory.
type demoConfig struct {
	Common `yaml:",inline"`
	Target string `yaml:"target"`
}

func (c *demoConfig) Defaults()       { c.ApplyDefaults("demo", c.Target) }
func (c *demoConfig) Validate() error { return c.ValidateCommon() }

type demoCollector struct{ target string }

func (*demoCollector) Collect(context.Context, Emit) error { return nil }

type otherConfig struct{ demoConfig }

func TestNewFactory(t *testing.T) {
	errNo := errors.New("refused")
	fac := NewFactory("demo", "kind: demo\n", func(c demoConfig, _ Deps) (*demoCollector, error) {
		if c.Target == "" {
			return nil, errNo
		}
		return &demoCollector{target: c.Target}, nil
	})
	if fac.Kind != "demo" || fac.SampleConfig != "kind: demo\n" {
		t.Errorf("factory %+v", fac)
	}
	cfg := fac.NewConfig()
	dc, ok := cfg.(*demoConfig)
	if !ok {
		t.Fatalf("NewConfig returned %T", cfg)
	}
	dc.Target = "x"
	col, err := fac.New(cfg, Deps{})
	if err != nil || col.(*demoCollector).target != "x" {
		t.Fatalf("New = %v, %v", col, err)
	}
	// A failing constructor yields a nil interface, not a typed nil.
	if col, err := fac.New(&demoConfig{}, Deps{}); !errors.Is(err, errNo) || col != nil {
		t.Errorf("failing New = %#v, %v", col, err)
	}
	if _, err := fac.New(&otherConfig{}, Deps{}); err == nil || !strings.Contains(err.Error(), "demo: config is") {
		t.Errorf("wrong config type: %v", err)
	}
}
