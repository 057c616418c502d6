package collectors

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Helpers every source kind shares, so that a kind's folder holds only what is specific
// to its platform: its config keys, its parsing and its incremental logic.

// NewFactory builds the Factory of a kind whose typed config is C (decoded through *C)
// and whose constructor is newFn. When the config is an Endpointer, the collector's HTTP
// client may connect to the literal internal addresses of its configured URLs. It keeps the type assertion from Config in one place,
// so a kind's Register is a single line.
func NewFactory[C any, PC interface {
	*C
	Config
}, T Collector](kind, sample string, newFn func(C, Deps) (T, error)) Factory {
	return Factory{
		Kind:         kind,
		SampleConfig: sample,
		NewConfig:    func() Config { return PC(new(C)) },
		New: func(cfg Config, deps Deps) (Collector, error) {
			c, ok := cfg.(PC)
			if !ok {
				return nil, fmt.Errorf("%s: config is %T", kind, cfg)
			}
			if e, ok := cfg.(Endpointer); ok && deps.HTTP != nil {
				deps.HTTP = deps.HTTP.WithEndpoints(e.Endpoints()...)
			}
			col, err := newFn(*c, deps)
			if err != nil {
				return nil, err // not a typed nil inside the interface
			}
			return col, nil
		},
	}
}

// CheckDeps verifies the deps every kind needs (HTTP and State) and defaults the clock,
// so each kind's constructor starts from the same guarantees.
func CheckDeps(kind string, deps *Deps) error {
	if deps.HTTP == nil || deps.State == nil {
		return fmt.Errorf("%s: deps.HTTP and deps.State are required", kind)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return nil
}

// ValidateHTTPURL reports why raw, the value of config key key, is not an absolute
// http(s) URL, or nil. Every kind's Validate uses it so the messages read the same.
func ValidateHTTPURL(key, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s is required", key)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q must be an absolute http(s) URL", key, raw)
	}
	return nil
}

// BaseURL returns raw, or def when raw is empty, without a trailing slash, so that a
// kind can append paths to the configured host.
func BaseURL(raw, def string) string {
	if raw == "" {
		raw = def
	}
	return strings.TrimSuffix(raw, "/")
}
