// Package classifiers defines the per-post classifier contract and its registry. The
// pipeline's classify stage and `kuzot classify` run every registered classifier on each
// post; a new classifier is one folder under classifiers/ exporting Register(*Registry),
// plus one line in classifiers/all.
//
// Every folder under classifiers/ (but all) is such a classifier. The detector of
// coordinated accounts, which judges many posts together rather than one post, is not
// one: it lives in the top-level coordination package and runs in the coordinate role.
package classifiers

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/registry"
	"github.com/kuzot/kuzot/post"
)

// Result is one classifier's verdict on one post. It is marshalled to JSON under the
// classifier's name in the classify output, and summarised in the generic
// `classifications` table through these methods.
type Result interface {
	// Flagged reports whether the post is positive for this classifier.
	Flagged() bool
	// Score is the confidence in [0,1].
	Score() float64
	// Labels are the categories found (narrative frames, exposed data types, severity).
	Labels() []string
}

// Classifier labels single posts. Implementations must be safe for concurrent use.
type Classifier interface {
	Name() string
	// Version changes whenever rules, lexicons or model change the output.
	Version() string
	// Classify judges p. For a comment or reply (p.Kind), p.Context holds the root post's
	// or video's title and text when known, so a comment with no named target can be
	// judged in its thread; it is empty for posts and for comments without a known root.
	Classify(ctx context.Context, p *post.Post) (Result, error)
}

// Deps are what the process hands a classifier; nothing is global.
type Deps struct {
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// DataDir is the process data directory (models, state).
	DataDir string
	// Config is the classifier's section under `classifiers:` in the config file (may be nil).
	Config *yaml.Node
	// Overrides carry command-line settings (for example "watchlist_file" from
	// `kuzot classify --watchlist FILE`); keys are documented by each classifier.
	Overrides map[string]string
}

// Factory builds one classifier.
type Factory struct {
	Name string
	// CheckConfig decodes (config.DecodeSection) and validates the classifier's section
	// under `classifiers:` without building anything; node may be nil. Every process
	// runs it at load (app.CheckConfig), whatever roles it runs. Nil: the classifier
	// takes no section.
	CheckConfig func(node *yaml.Node, dataDir string) error
	New         func(ctx context.Context, deps Deps) (Classifier, error)
}

// Registry maps classifier names to factories. Build one with all.Registry().
type Registry struct{ factories *registry.Map[Factory] }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{factories: registry.New[Factory]("classifiers")} }

// Add registers a factory; registering a name twice is a programming error.
func (r *Registry) Add(f Factory) { r.factories.Add(f.Name, f) }

// Names lists the registered classifiers, sorted.
func (r *Registry) Names() []string { return r.factories.Names() }

// CheckConfigs checks the `classifiers:` sections: a key that names no registered
// classifier is a problem, and each classifier checks its own section. Problems carry
// their key path and line (config.Problems).
func (r *Registry) CheckConfigs(sections map[string]yaml.Node, dataDir string, lines map[string]int) error {
	var ps config.Problems
	names := make([]string, 0, len(sections))
	for name := range sections {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		path := "classifiers." + name
		f, ok := r.factories.Get(name)
		if !ok {
			ps = append(ps, config.Problem{Path: path, Line: lines[path],
				Msg: fmt.Sprintf("no classifier is named %q (known: %s)", name, strings.Join(r.Names(), ", "))})
			continue
		}
		if f.CheckConfig == nil {
			continue
		}
		node := sections[name]
		if err := f.CheckConfig(&node, dataDir); err != nil {
			ps = append(ps, config.Locate(err, path, lines)...)
		}
	}
	return ps.Err()
}

// Build instantiates the named classifiers (all registered ones when names is empty).
func (r *Registry) Build(ctx context.Context, names []string, deps func(name string) Deps) ([]Classifier, error) {
	if len(names) == 0 {
		names = r.Names()
	}
	out := make([]Classifier, 0, len(names))
	for _, n := range names {
		f, ok := r.factories.Get(n)
		if !ok {
			return nil, fmt.Errorf("unknown classifier %q (known: %v)", n, r.Names())
		}
		c, err := f.New(ctx, deps(n))
		if err != nil {
			return nil, fmt.Errorf("classifier %s: %w", n, err)
		}
		out = append(out, c)
	}
	return out, nil
}
