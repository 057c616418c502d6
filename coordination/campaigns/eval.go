package campaigns

import (
	"fmt"
	"io"
	"math"
)

// Score is precision and recall over a group of accounts.
type Score struct {
	// Flagged are the accounts in clusters attributed to the group; Correct those of
	// them that belong to the cluster's network; Members the group's network accounts;
	// Found the members that are in a cluster of their own network.
	Flagged, Correct, Members, Found int
	// Networks of the group and how many were found (half their accounts or more).
	Networks, NetworksFound int
	// Clusters are the clusters attributed to the group's networks: more than
	// NetworksFound means networks were split (for example a translated campaign found
	// as one cluster per language).
	Clusters int
}

// Precision is Correct/Flagged (1 when nothing was flagged).
func (s Score) Precision() float64 {
	if s.Flagged == 0 {
		return 1
	}
	return float64(s.Correct) / float64(s.Flagged)
}

// Recall is Found/Members (1 when the group has no members).
func (s Score) Recall() float64 {
	if s.Members == 0 {
		return 1
	}
	return float64(s.Found) / float64(s.Members)
}

// Report is the evaluation of clusters against a Truth.
type Report struct {
	All      Score
	ByRhythm map[string]Score
	ByKind   map[string]Score
	// Clusters is the number of clusters; FalseClusters those whose accounts are mostly
	// not network accounts, and FalseAccounts their accounts.
	Clusters, FalseClusters, FalseAccounts int
}

// Evaluate scores clusters (account lists) against t. Each cluster is attributed to the
// network most of its accounts belong to; its other accounts are false positives. A
// cluster without a network majority is a false cluster and all its accounts are false
// positives.
func Evaluate(clusters [][]string, t Truth) Report {
	rep := Report{ByRhythm: map[string]Score{}, ByKind: map[string]Score{}, Clusters: len(clusters)}
	found := make([]int, len(t.Networks))
	add := func(rhythm, kind string, f func(*Score)) {
		s := rep.ByRhythm[rhythm]
		f(&s)
		rep.ByRhythm[rhythm] = s
		s = rep.ByKind[kind]
		f(&s)
		rep.ByKind[kind] = s
		f(&rep.All)
	}
	for _, c := range clusters {
		votes := map[int]int{}
		for _, a := range c {
			if n, ok := t.Member[a]; ok {
				votes[n]++
			}
		}
		best, bestN := -1, 0
		for n, v := range votes {
			if v > bestN || (v == bestN && n < best) {
				best, bestN = n, v
			}
		}
		if best < 0 || 2*bestN < len(c) {
			rep.FalseClusters++
			rep.FalseAccounts += len(c)
			rep.All.Flagged += len(c)
			continue
		}
		nw := t.Networks[best]
		add(nw.Rhythm, nw.Kind, func(s *Score) { s.Flagged += len(c); s.Correct += bestN; s.Clusters++ })
		found[best] += bestN
	}
	for i, nw := range t.Networks {
		f := min(found[i], len(nw.Accounts))
		add(nw.Rhythm, nw.Kind, func(s *Score) {
			s.Members += len(nw.Accounts)
			s.Found += f
			s.Networks++
			if 2*f >= len(nw.Accounts) {
				s.NetworksFound++
			}
		})
	}
	return rep
}

// Write prints the report as a Markdown table.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "| group | networks found | their clusters | accounts | precision | recall |\n|---|---|---|---|---|---|\n")
	row := func(name string, s Score) {
		fmt.Fprintf(w, "| %s | %d/%d | %d | %d | %.3f | %.3f |\n", name, s.NetworksFound, s.Networks, s.Clusters, s.Members,
			round3(s.Precision()), round3(s.Recall()))
	}
	row("all", r.All)
	for _, k := range Rhythms {
		row("rhythm "+k, r.ByRhythm[k])
	}
	for _, k := range Kinds {
		row("kind "+k, r.ByKind[k])
	}
	fmt.Fprintf(w, "\nclusters: %d, false clusters: %d (%d accounts)\n", r.Clusters, r.FalseClusters, r.FalseAccounts)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
