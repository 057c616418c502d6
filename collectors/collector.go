// Package collectors defines how kuzot follows a public source: the Collector interface
// every source kind implements, the typed configuration each kind declares, the registry
// that maps a config `kind` to its factory, and the durable per-source state.
//
// A new source kind is one folder under collectors/ (collectors/<kind>) that exports
// Register(*Registry), plus one line in collectors/all.
package collectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/registry"
	"github.com/kuzot/kuzot/post"
)

// Emit hands one collected post to the pipeline. It returns only when the post is durably
// accepted (JetStream PubAck, or written to stdout); a collector advances its state only
// after every emit of a poll succeeded, so a failed publish is collected again next poll.
type Emit func(ctx context.Context, p post.Post) error

// Collector polls one configured source.
type Collector interface {
	// Collect runs one poll: it fetches what is new since the stored state, calls emit for
	// each new post (oldest first), then saves its state. It must honour ctx cancellation.
	Collect(ctx context.Context, emit Emit) error
}

// Common holds the keys every source entry has. Kind configs embed it with `yaml:",inline"`.
type Common struct {
	// Kind selects the collector: telegram, youtube, vk, rss, web.
	Kind string `yaml:"kind"`
	// Name identifies the source in metrics, logs and state; defaults to kind plus target.
	Name string `yaml:"name"`
	// Interval between polls (default 5m); a random jitter of up to Jitter is added.
	Interval time.Duration `yaml:"interval"`
	Jitter   time.Duration `yaml:"jitter"`
}

// SourceName returns the source's name for metrics, logs and state keys.
func (c *Common) SourceName() string { return c.Name }

// SourceKind returns the kind that selected the factory, so a runner can label metrics
// and find the factory of an already decoded config.
func (c *Common) SourceKind() string { return c.Kind }

// Schedule returns the polling interval and the maximum random jitter added to it.
func (c *Common) Schedule() (interval, jitter time.Duration) { return c.Interval, c.Jitter }

// DefaultInterval is the polling interval of a source that sets none.
const DefaultInterval = 5 * time.Minute

// ApplyDefaults fills the common keys: the name defaults to "<kind>:<target>" (target is
// the channel, feed URL... that identifies the source), the interval to DefaultInterval and
// the jitter to a fifth of the interval, so that sources started together drift apart.
func (c *Common) ApplyDefaults(kind, target string) {
	if c.Kind == "" {
		c.Kind = kind
	}
	if c.Name == "" {
		c.Name = kind + ":" + target
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Jitter == 0 {
		c.Jitter = c.Interval / 5
	}
}

// ValidateCommon reports problems with the common keys.
func (c *Common) ValidateCommon() error {
	var errs []error
	if c.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	if c.Interval < time.Second {
		errs = append(errs, fmt.Errorf("interval %s is below 1s", c.Interval))
	}
	if c.Jitter < 0 {
		errs = append(errs, fmt.Errorf("jitter %s is negative", c.Jitter))
	}
	return errors.Join(errs...)
}

// Config is what every kind's typed configuration implements. Kind configs get
// SourceName, SourceKind and Schedule by embedding Common.
type Config interface {
	// Defaults fills unset keys; Validate reports every problem with the entry.
	Defaults()
	Validate() error
	SourceName() string
	SourceKind() string
	Schedule() (interval, jitter time.Duration)
}

// Endpointer is implemented by a kind config whose URLs are configured (base URLs, feed
// URLs). NewFactory lets the source connect to the literal internal addresses among them
// and to no other internal address (see Client.WithEndpoints).
type Endpointer interface {
	Endpoints() []string
}

// State is durable key/value storage for incremental collection (high-water marks, seen
// ids, ETags). In the pipeline it is a JetStream KV bucket; offline it lives in memory.
type State interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
}

// ErrNoState is returned by State.Get when the key has never been written.
var ErrNoState = errors.New("no stored state")

// Deps are what the process hands a collector; nothing is global.
type Deps struct {
	Logger *slog.Logger
	// Registerer receives the collector's metrics (already labelled with the source).
	Registerer prometheus.Registerer
	State      State
	// UserAgent identifies kuzot to the sites it visits.
	UserAgent string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// HTTP is the polite fetcher (robots.txt, per-host limits, retries, body cap,
	// charsets) bound to this source's metrics. Collectors make every request through it.
	HTTP *Client
	// Metrics are this source's counters; the Runner owns them, collectors may add to
	// posts and new posts through it. Nil-safe.
	Metrics *SourceMetrics
}

// Factory builds collectors of one kind.
type Factory struct {
	Kind string
	// SampleConfig is the documented example entry (embedded sample.yaml).
	SampleConfig string
	// NewConfig returns a zero config of the kind, ready for strict YAML decoding.
	NewConfig func() Config
	// New builds a collector from a validated config.
	New func(cfg Config, deps Deps) (Collector, error)
}

// Registry maps source kinds to factories. Build one with all.Registry().
type Registry struct{ factories *registry.Map[Factory] }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: registry.New[Factory]("collectors: kind")} }

// Add registers a factory; registering a kind twice is a programming error.
func (r *Registry) Add(f Factory) { r.factories.Add(f.Kind, f) }

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string { return r.factories.Names() }

// Factory returns the factory of a kind.
func (r *Registry) Factory(kind string) (Factory, bool) { return r.factories.Get(kind) }

// Decode turns one raw `sources:` entry into the kind's typed config, rejecting unknown
// keys, applying defaults and validating.
func (r *Registry) Decode(node *yaml.Node) (Config, error) { return r.DecodeAt(node, "sources[]") }

// DecodeAt is Decode for the entry at key path path ("sources[3]"), which problems
// with its keys name (config.DecodeSection).
func (r *Registry) DecodeAt(node *yaml.Node, path string) (Config, error) {
	var head Common
	if err := node.Decode(&head); err != nil {
		return nil, fmt.Errorf("source at line %d: %w", node.Line, err)
	}
	f, ok := r.factories.Get(head.Kind)
	if !ok {
		return nil, fmt.Errorf("source at line %d: unknown kind %q (known: %v)", node.Line, head.Kind, r.Kinds())
	}
	cfg := f.NewConfig()
	if err := config.DecodeSection(node, path, cfg); err != nil {
		return nil, err
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("source at line %d (kind %s): %w", node.Line, head.Kind, err)
	}
	return cfg, nil
}
