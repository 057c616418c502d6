package coordination

import (
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
)

// Config is the `coordination:` section: the detector parameters (see Params; zero keeps
// the default) and how often the coordinate role writes clusters and saves its state.
type Config struct {
	Window          time.Duration `yaml:"window"`
	TextWindow      time.Duration `yaml:"text_window"`
	Similarity      float64       `yaml:"similarity"`
	MinWeight       int           `yaml:"min_weight"`
	MinAffinity     float64       `yaml:"min_affinity"`
	MinClusterSize  int           `yaml:"min_cluster_size"`
	MaxObjectActors int           `yaml:"max_object_actors"`
	MinTextTokens   int           `yaml:"min_text_tokens"`
	Lateness        time.Duration `yaml:"lateness"`
	Horizon         time.Duration `yaml:"horizon"`
	MaxPairs        int           `yaml:"max_pairs"`
	// StateInterval is how often the detector state is saved to the JetStream object
	// store kuzot_coordination_state (default 5 min), so that a restart replays only the
	// results since the last save (see state.go).
	StateInterval time.Duration `yaml:"state_interval"`
	// FlushInterval is how often changed clusters are written to ClickHouse (default 10 s).
	FlushInterval time.Duration `yaml:"flush_interval"`
}

// LoadConfig decodes the coordination section strictly (an unknown key is an error) and
// fills in the default intervals. The detector parameters are checked by Params.
func LoadConfig(node *yaml.Node) (Config, error) {
	var c Config
	if err := config.DecodeSection(node, "coordination", &c); err != nil {
		return c, err
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = 10 * time.Second
	}
	if c.StateInterval == 0 {
		c.StateInterval = 5 * time.Minute
	}
	return c, nil
}

// Params merges the configured values over the detector defaults and validates them.
func (c Config) Params() (Params, error) {
	p := DefaultParams()
	setD := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	setI := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setD(&p.Window, c.Window)
	setD(&p.TextWindow, c.TextWindow)
	setD(&p.Lateness, c.Lateness)
	setD(&p.Horizon, c.Horizon)
	setI(&p.MinWeight, c.MinWeight)
	setI(&p.MinClusterSize, c.MinClusterSize)
	setI(&p.MaxObjectActors, c.MaxObjectActors)
	setI(&p.MinTextTokens, c.MinTextTokens)
	setI(&p.MaxPairs, c.MaxPairs)
	if c.Similarity != 0 {
		p.Similarity = c.Similarity
	}
	if c.MinAffinity != 0 {
		p.MinAffinity = c.MinAffinity
	}
	return p, p.Validate()
}
