package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kuzot/kuzot/coordination"
)

// coordination lists the coordinated clusters (package coordination, tables
// coordination_clusters and coordination_labels) active in the period: first seen
// before its end and last seen after its start. Merged tombstones and clusters an analyst
// dismissed are left out; confirmed ones are marked. Sizes, platforms, behaviours and
// frames only: never the accounts, texts or links of a cluster.
//
// On a database without the coordination tables the section says so instead of failing.
func (q *query) coordination(ctx context.Context, r *Report) error {
	if !q.tables["coordination_clusters"] {
		return nil
	}
	r.Coordination.Available = true
	labels := map[string]string{}
	if q.tables["coordination_labels"] {
		var err error
		if labels, err = coordination.NewStore(q.conn).Labels(q.ctx(ctx, finalSettings), nil); err != nil {
			return fmt.Errorf("cluster labels: %w", err)
		}
	}
	params := map[string]bool{}
	var prev uint64
	cs, err := coordination.NewStore(q.conn).ClustersInPeriod(q.ctx(ctx, finalSettings), q.prev.From, q.o.From, q.o.To)
	if err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	for _, pc := range cs {
		label := labels[pc.ID]
		if label == "dismissed" {
			continue
		}
		if pc.InPrevious {
			prev++
		}
		if !pc.InCurrent {
			continue
		}
		c := ClusterRow{ID: pc.ID, Accounts: uint64(pc.Size), Posts: pc.Posts, Platforms: nonNil(pc.Platforms),
			Behaviours: nonNil(pc.Behaviours), Frames: nonNil(pc.Frames), Score: roundTo(pc.Score, 3),
			First: pc.First.UTC(), Last: pc.Last.UTC(), Detector: pc.Detector, Confirmed: label == "confirmed"}
		if pc.Params != "" {
			params[compactJSON(pc.Params)] = true
		}
		r.Coordination.Clusters = append(r.Coordination.Clusters, c)
	}
	r.Coordination.Previous = prev
	sort.Slice(r.Coordination.Clusters, func(i, j int) bool {
		a, b := r.Coordination.Clusters[i], r.Coordination.Clusters[j]
		if a.Accounts != b.Accounts {
			return a.Accounts > b.Accounts
		}
		return a.ID < b.ID
	})
	for p := range params {
		r.Methods.CoordinationParams = append(r.Methods.CoordinationParams, p)
	}
	slices.Sort(r.Methods.CoordinationParams)
	r.Summary = append(r.Summary, figure("clusters", float64(len(r.Coordination.Clusters)), float64(prev), ""))
	return nil
}

// compactJSON normalises a params JSON object (sorted keys, no spaces) so that equal
// parameter sets written differently are listed once; non-JSON is kept as written.
func compactJSON(s string) string {
	var v map[string]any
	if json.Unmarshal([]byte(s), &v) != nil {
		return strings.TrimSpace(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return strings.TrimSpace(s)
	}
	return string(b)
}
