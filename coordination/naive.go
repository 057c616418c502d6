package coordination

import (
	"cmp"
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
// It is the independent cross-check of the Detector and of NaiveWindow on small inputs;
// NaiveWindow, its time-sorted sliding-window form, is the baseline to benchmark the
// Detector against.
// It returns the clusters' sorted account lists, largest first.
func NaiveAllPairs(obs []Observation, p Params) ([][]string, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ps := naivePrepare(obs, p)
	weights := map[[2]string]int{}
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			naiveCompare(&ps[i], &ps[j], p, weights)
		}
	}
	return naiveClusters(weights, p), nil
}

// NaiveWindow is the baseline a competent engineer would write before the Detector:
// the same rules and verdicts as NaiveAllPairs (the same clusters on any input), but
// with the posts sorted by time and each compared only with the later posts inside the
// longer of the two windows — a sliding window, O(n·k) for k posts per window instead
// of O(n²). It has no LSH, no bucket cap and no affinity test. It returns the
// clusters' sorted account lists, largest first.
func NaiveWindow(obs []Observation, p Params) ([][]string, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	ps := naivePrepare(obs, p)
	slices.SortStableFunc(ps, func(a, b naivePost) int { return cmp.Compare(a.t, b.t) })
	span := max(int64(p.Window.Seconds()), int64(p.textWindow().Seconds()))
	weights := map[[2]string]int{}
	for i := range ps {
		for j := i + 1; j < len(ps) && ps[j].t-ps[i].t <= span; j++ {
			naiveCompare(&ps[i], &ps[j], p, weights)
		}
	}
	return naiveClusters(weights, p), nil
}

// naivePost is one post as the naive baselines compare it.
type naivePost struct {
	actor   string
	t       int64
	objs    []uint64
	set     []uint64
	exact   uint64
	hasText bool
}

// naivePrepare extracts the posts' actors, times, objects and token sets with the
// Detector's own extraction.
func naivePrepare(obs []Observation, p Params) []naivePost {
	d := &Detector{p: p} // for collectObjects' scratch and params
	ps := make([]naivePost, 0, len(obs))
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
		pr := naivePost{actor: who, t: po.PublishedAt.Unix()}
		for _, o := range d.postObjs {
			pr.objs = append(pr.objs, o.key)
		}
		tk := tokenize(text, spans, nil)
		if tk.n >= p.MinTextTokens {
			pr.set, pr.exact, pr.hasText = tk.set, tk.exact, true
		}
		ps = append(ps, pr)
	}
	return ps
}

// naiveCompare adds one to the account pair's weight when posts a and b of different
// accounts are concerted.
func naiveCompare(a, b *naivePost, p Params, weights map[[2]string]int) {
	if a.actor == b.actor {
		return
	}
	win, twin := int64(p.Window.Seconds()), int64(p.textWindow().Seconds())
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
		weights[[2]string{min(a.actor, b.actor), max(a.actor, b.actor)}]++
	}
}

// naiveClusters joins account pairs of weight >= MinWeight into connected groups of at
// least MinClusterSize accounts, largest first.
func naiveClusters(weights map[[2]string]int, p Params) [][]string {
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
	return out
}
