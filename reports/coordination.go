package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/coordination"
)

// coordination lists the coordinated clusters (classifiers/coordination, tables
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
	err := q.scan(ctx, `SELECT id, size, length(posts),
		arrayDistinct(arrayMap(p -> substring(p, 1, position(p, ':') - 1), posts)), behaviours, frames, score,
		first_at, last_at, detector, params,
		first_at >= toDateTime(@from) OR last_at < toDateTime(@prev) AS cur_only,
		first_at < toDateTime(@to) AND last_at >= toDateTime(@from) AS in_cur
		FROM coordination_clusters FINAL
		WHERE status = 'active' AND first_at < toDateTime(@to) AND last_at >= toDateTime(@prev)`,
		func(rows driver.Rows) error {
			var c ClusterRow
			var size uint32
			var posts uint64
			var p string
			var notPrev, inCur uint8
			if err := rows.Scan(&c.ID, &size, &posts, &c.Platforms, &c.Behaviours, &c.Frames, &c.Score,
				&c.First, &c.Last, &c.Detector, &p, &notPrev, &inCur); err != nil {
				return err
			}
			label := labels[c.ID]
			if label == "dismissed" {
				return nil
			}
			if notPrev == 0 {
				prev++
			}
			if inCur == 0 {
				return nil
			}
			c.Accounts, c.Posts, c.Score, c.Confirmed = uint64(size), posts, roundTo(c.Score, 3), label == "confirmed"
			c.First, c.Last = c.First.UTC(), c.Last.UTC()
			c.Platforms, c.Behaviours, c.Frames = nonNil(c.Platforms), nonNil(c.Behaviours), nonNil(c.Frames)
			if p != "" {
				params[compactJSON(p)] = true
			}
			r.Coordination.Clusters = append(r.Coordination.Clusters, c)
			return nil
		}, q.args()...)
	if err != nil {
		return fmt.Errorf("clusters: %w", err)
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
