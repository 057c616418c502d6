// Package all builds the registry of every classifier kuzot ships.
package all

import (
	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative"
)

// Registry returns a registry with every built-in per-post classifier registered.
func Registry() *classifiers.Registry {
	r := classifiers.NewRegistry()
	// One line per classifier: <name>.Register(r)
	exposure.Register(r)
	narrative.Register(r)
	return r
}
