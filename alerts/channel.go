package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/registry"
)

// Channel delivers alerts to one destination. Send returns nil only once the receiver
// confirmed (HTTP 2xx, SMTP 250 after DATA, Telegram ok:true). Errors are retried with
// backoff unless wrapped with ErrPermanent; a RetryAfterError asks for a given delay.
type Channel interface {
	Send(ctx context.Context, a *Alert) error
}

// ErrPermanent marks a delivery error that retrying cannot fix (a 4xx answer, a
// rejected recipient). The delivery is recorded as failed at once.
var ErrPermanent = errors.New("permanent delivery failure")

// RetryAfterError asks the sender to wait at least After before the next attempt
// (HTTP 429/503 Retry-After, Telegram parameters.retry_after).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// ChannelCommon are the keys every channel entry has.
type ChannelCommon struct {
	// Name is referenced by orgs[].channels and labels delivery ids.
	Name string `yaml:"name"`
	// Kind selects the channel implementation (webhook, email, telegram).
	Kind string `yaml:"kind"`
	// Orgs are the organisations whose rules may route alerts to the channel. An
	// organisation user sees and picks only its own organisation's channels; a rule of
	// another organisation naming the channel is refused, in the file and through the
	// API. Empty: no organisation's own users may pick it (only an admin can route a rule
	// to it).
	Orgs []string `yaml:"orgs"`
}

// Common returns the shared keys.
func (c *ChannelCommon) Common() *ChannelCommon { return c }

// ChannelConfig is a channel kind's typed configuration.
type ChannelConfig interface {
	Common() *ChannelCommon
	// Defaults fills in unset values.
	Defaults()
	// Validate reports every problem; secrets are checked to be present in Getenv later.
	Validate() error
}

// ChannelDeps are what a channel may use; nothing is global.
type ChannelDeps struct {
	Logger *slog.Logger
	// HTTP is the client for HTTP channels (tests point it at httptest servers).
	HTTP *http.Client
	// Getenv resolves secret environment variable names.
	Getenv func(string) string
	Now    func() time.Time
}

// Secret reads a secret from the environment variable named env.
func (d ChannelDeps) Secret(env string) (config.Secret, error) {
	if env == "" {
		return "", errors.New("no environment variable named for the secret")
	}
	v := d.Getenv(env)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is empty or unset", env)
	}
	return config.Secret(v), nil
}

// ChannelFactory builds channels of one kind.
type ChannelFactory struct {
	Kind string
	// SampleConfig documents an entry (embedded sample.yaml of the kind's package).
	SampleConfig string
	NewConfig    func() ChannelConfig
	New          func(cfg ChannelConfig, deps ChannelDeps) (Channel, error)
}

// Registry maps channel kinds to factories. Build one with alerts/all.Registry().
type Registry struct{ factories *registry.Map[ChannelFactory] }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: registry.New[ChannelFactory]("alerts: channel kind")}
}

// Add registers a factory; a kind registered twice is a programming error.
func (r *Registry) Add(f ChannelFactory) { r.factories.Add(f.Kind, f) }

// Kinds lists the registered kinds.
func (r *Registry) Kinds() []string { return r.factories.Names() }

// Factory returns the factory of a kind.
func (r *Registry) Factory(kind string) (ChannelFactory, bool) { return r.factories.Get(kind) }

// Decode strictly decodes one `alerts.channels` entry into its kind's config.
func (r *Registry) Decode(node *yaml.Node) (ChannelConfig, error) {
	return r.DecodeAt(node, "alerts.channels[]")
}

// DecodeAt is Decode for the entry at key path path ("alerts.channels[2]"), which
// problems with its keys name.
func (r *Registry) DecodeAt(node *yaml.Node, path string) (ChannelConfig, error) {
	var head ChannelCommon
	if err := node.Decode(&head); err != nil {
		return nil, fmt.Errorf("entry at line %d: %w", node.Line, err)
	}
	if !nameRe.MatchString(head.Name) {
		return nil, fmt.Errorf("entry at line %d: name %q: want 1-64 of [A-Za-z0-9_-]", node.Line, head.Name)
	}
	for _, o := range head.Orgs {
		if !orgRe.MatchString(o) {
			return nil, fmt.Errorf("channel %s: orgs: %q: want 1-64 of [A-Za-z0-9._-]", head.Name, o)
		}
	}
	f, ok := r.factories.Get(head.Kind)
	if !ok {
		return nil, fmt.Errorf("channel %s: unknown kind %q (known: %v)", head.Name, head.Kind, r.Kinds())
	}
	cfg := f.NewConfig()
	if err := config.DecodeSection(node, path, cfg); err != nil {
		return nil, err
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("channel %s (%s): %w", head.Name, head.Kind, err)
	}
	return cfg, nil
}

// Build instantiates a decoded channel.
func (r *Registry) Build(cfg ChannelConfig, deps ChannelDeps) (Channel, error) {
	c := cfg.Common()
	f, ok := r.factories.Get(c.Kind)
	if !ok {
		return nil, fmt.Errorf("channel %s: unknown kind %q", c.Name, c.Kind)
	}
	ch, err := f.New(cfg, deps)
	if err != nil {
		return nil, fmt.Errorf("channel %s (%s): %w", c.Name, c.Kind, err)
	}
	return ch, nil
}
