// Package registry is the name-to-factory map behind kuzot's plugin registries
// (collector kinds, classifiers, alert channels), so each of them only adds its typed
// decoding on top.
package registry

import "sort"

// Map maps names to factories. A name registered twice is a programming error.
type Map[F any] struct {
	what string
	m    map[string]F
}

// New returns an empty map; what names the registry in panic messages.
func New[F any](what string) *Map[F] { return &Map[F]{what: what, m: map[string]F{}} }

// Add registers f under name; registering a name twice panics.
func (r *Map[F]) Add(name string, f F) {
	if _, dup := r.m[name]; dup {
		panic(r.what + ": registered twice: " + name)
	}
	r.m[name] = f
}

// Get returns the factory of name.
func (r *Map[F]) Get(name string) (F, bool) {
	f, ok := r.m[name]
	return f, ok
}

// Names lists the registered names, sorted.
func (r *Map[F]) Names() []string {
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
