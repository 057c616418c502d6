package narrative

import (
	"sync"
	"testing"
)

var (
	rulesOnceC *Classifier
	fullOnceC  *Classifier
	buildOnce  sync.Once
	buildErr   error
)

// testClassifiers builds the rules-only and the full (embedded model) classifier once
// per test binary; both are immutable and safe for concurrent use.
func testClassifiers(t testing.TB) (rules, full *Classifier) {
	t.Helper()
	buildOnce.Do(func() {
		rulesOnceC, buildErr = New(Config{Model: "none"}, nil, nil)
		if buildErr != nil {
			return
		}
		fullOnceC, buildErr = New(Config{}, nil, nil)
	})
	if buildErr != nil {
		t.Fatalf("build classifiers: %v", buildErr)
	}
	return rulesOnceC, fullOnceC
}

// matchedKinds runs the matcher and returns "kind" or "frame" names of every hit,
// plus the normalised tokens.
func matchedKinds(c *Classifier, text string) (map[string]bool, []string) {
	a := &analysis{}
	lx := c.lex.Load()
	a.run(lx, text)
	out := map[string]bool{}
	for _, h := range a.hits {
		e := lx.entries[h.entry]
		for name, k := range kindNames {
			if k == e.kind {
				out[name] = true
			}
		}
		if e.frame != "" {
			out[string(e.frame)] = true
		}
	}
	var toks []string
	for _, t := range a.toks {
		toks = append(toks, string(a.norm[t.n0:t.n1]))
	}
	return out, toks
}
