package coordination

import (
	"slices"
	"sort"
)

// NaiveAllPairs is the textbook baseline the streaming Detector replaces: it compares
// every pair of posts (O(n²)), with no LSH, no bucket cap and no affinity test. Two posts
// of different accounts are concerted when, within the window, they share a link,
// forwarded source or reply target, or their texts are equal or at least
// p.Similarity-similar (Jaccard over the same tokens as the Detector). An account pair's
// weight is its number of concerted post pairs; pairs of weight >= MinWeight are joined
// into connected groups of at least MinClusterSize accounts.
//
// It exists for the scaling benchmark (`make bench` prints its time on 20k posts next to
// the Detector's) and as an independent cross-check of the Detector on small inputs.
// It returns the clusters' sorted account lists, largest first.
func NaiveAllPairs(obs []Observation, p Params) ([][]string, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	type prepared struct {
		actor   string
		t       int64
		objs    []uint64
		set     []uint64
		exact   uint64
		hasText bool
	}
	d := &Detector{p: p} // for collectObjects' scratch and params
	ps := make([]prepared, 0, len(obs))
	for i := range obs {
		po := &obs[i].Post
		who := actorKey(po)
		if who == "" || po.PublishedAt.IsZero() {
			continue
		}
		text := po.Text
		if len(text) > maxScanBytes {
			text = text[:maxScanBytes]
		}
		spans := linkSpans(text)
		d.postObjs = d.postObjs[:0]
		d.linkObjects(po, text, spans)
		pr := prepared{actor: who, t: po.PublishedAt.Unix()}
		for _, o := range d.postObjs {
			pr.objs = append(pr.objs, o.key)
		}
		tk := tokenize(text, spans, nil)
		if tk.n >= p.MinTextTokens {
			pr.set, pr.exact, pr.hasText = tk.set, tk.exact, true
		}
		ps = append(ps, pr)
	}
	win, twin := int64(p.Window.Seconds()), int64(p.textWindow().Seconds())
	weights := map[[2]string]int{}
	for i := range ps {
		a := &ps[i]
		for j := i + 1; j < len(ps); j++ {
			b := &ps[j]
			if a.actor == b.actor {
				continue
			}
			dt := abs64(a.t - b.t)
			hit := false
			if dt <= win {
				for _, x := range a.objs {
					if slices.Contains(b.objs, x) {
						hit = true
						break
					}
				}
			}
			if !hit && dt <= twin && a.hasText && b.hasText {
				hit = a.exact == b.exact || jaccard(a.set, b.set) >= p.Similarity
			}
			if hit {
				k := [2]string{min(a.actor, b.actor), max(a.actor, b.actor)}
				weights[k]++
			}
		}
	}
	adj := map[string][]string{}
	for k, w := range weights {
		if w >= p.MinWeight {
			adj[k[0]] = append(adj[k[0]], k[1])
			adj[k[1]] = append(adj[k[1]], k[0])
		}
	}
	seen := map[string]bool{}
	var out [][]string
	nodes := make([]string, 0, len(adj))
	for n := range adj {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	for _, n := range nodes {
		if seen[n] {
			continue
		}
		comp := []string{n}
		seen[n] = true
		for i := 0; i < len(comp); i++ {
			for _, m := range adj[comp[i]] {
				if !seen[m] {
					seen[m] = true
					comp = append(comp, m)
				}
			}
		}
		if len(comp) >= p.MinClusterSize {
			sort.Strings(comp)
			out = append(out, comp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, nil
}
