package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// clusterTables are the names the coordination detector's cluster table may have, in
// order of preference (the schema is owned by classifiers/coordination).
var clusterTables = []string{"coordination_clusters", "clusters"}

// clusterSchema maps the report's needs to the columns a cluster table has.
type clusterSchema struct {
	table                         string
	first, last                   string
	accounts, posts, behaviours   string
	platforms, frames, params     string
	status, score, versionOrderBy string
}

// discoverClusters inspects the cluster table's columns so that the report works with
// the coordination schema as it lands and evolves, and reports "not available" (rather
// than failing) while it is absent or lacks what the report needs.
func (q *query) discoverClusters(ctx context.Context) (*clusterSchema, error) {
	for _, t := range clusterTables {
		if !q.tables[t] {
			continue
		}
		cols := map[string]string{}
		err := q.scan(ctx, fmt.Sprintf(`SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = %s`,
			sqlString(t)), func(rows driver.Rows) error {
			var n, ty string
			if err := rows.Scan(&n, &ty); err != nil {
				return err
			}
			cols[n] = ty
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", t, err)
		}
		pick := func(kind string, names ...string) string {
			for _, n := range names {
				if ty, ok := cols[n]; ok && (kind == "" || strings.HasPrefix(ty, kind)) {
					return n
				}
			}
			return ""
		}
		s := &clusterSchema{table: t,
			first:      pick("DateTime", "first", "first_seen", "first_at"),
			last:       pick("DateTime", "last", "last_seen", "last_at"),
			accounts:   pick("Array", "accounts"),
			posts:      pick("Array", "posts", "post_ids"),
			behaviours: pick("Array", "behaviours", "behaviors"),
			platforms:  pick("Array", "platforms", "sources"),
			frames:     pick("Array", "frames", "frame_names"),
			params:     pick("String", "params", "params_json"),
			status:     pick("", "status"),
			score:      pick("Float", "score"),
		}
		if _, ok := cols["id"]; !ok || s.first == "" || s.last == "" || s.accounts == "" {
			continue
		}
		if _, ok := cols["version"]; ok {
			s.versionOrderBy = "version"
		}
		return s, nil
	}
	return nil, nil
}

// coordination lists clusters active in the period (first ≤ end and last ≥ start), with
// sizes, behaviours and frames but never the accounts' names.
func (q *query) coordination(ctx context.Context, r *Report) error {
	s, err := q.discoverClusters(ctx)
	if err != nil || s == nil {
		return err
	}
	r.Coordination.Available = true
	col := func(c, def string) string {
		if c == "" {
			return def
		}
		return c
	}
	from := "FROM " + s.table
	if s.versionOrderBy != "" {
		from += " FINAL"
	}
	where := "1"
	if s.status != "" {
		where = s.status + " = 'active'"
	}
	sql := fmt.Sprintf(`SELECT id, length(%s), length(%s), %s, %s, %s, toFloat64(%s), %s, %s, %s,
		%s < toDateTime(%d) AND %s >= toDateTime(%d)
		%s WHERE %s AND %s < toDateTime(%d) AND %s >= toDateTime(%d)`,
		s.accounts, col(s.posts, "emptyArrayString()"), col(s.platforms, "emptyArrayString()"),
		col(s.behaviours, "emptyArrayString()"), col(s.frames, "emptyArrayString()"), col(s.score, "0"),
		s.first, s.last, col(s.params, "''"),
		s.first, unix(q.o.From), s.last, unix(q.prev.From),
		from, where, s.first, unix(q.o.To), s.last, unix(q.o.From)-int64(q.o.To.Sub(q.o.From).Seconds()))
	params := map[string]bool{}
	var prevOnly uint64
	err = q.scan(ctx, sql, func(rows driver.Rows) error {
		var c ClusterRow
		var acc, posts uint64
		var p string
		var inPrev uint8
		if err := rows.Scan(&c.ID, &acc, &posts, &c.Platforms, &c.Behaviours, &c.Frames, &c.Score, &c.First, &c.Last, &p, &inPrev); err != nil {
			return err
		}
		c.Accounts, c.Posts, c.Score = acc, posts, roundTo(c.Score, 3)
		c.First, c.Last = c.First.UTC(), c.Last.UTC()
		active := !c.Last.Before(q.o.From) && c.First.Before(q.o.To)
		if inPrev == 1 {
			prevOnly++
		}
		if !active {
			return nil
		}
		c.Detector = detectorOf(p)
		if p != "" {
			params[p] = true
		}
		r.Coordination.Clusters = append(r.Coordination.Clusters, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("clusters: %w", err)
	}
	r.Coordination.Previous = prevOnly
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
	r.Summary = append(r.Summary, figure("clusters", float64(len(r.Coordination.Clusters)), float64(prevOnly), ""))
	return nil
}

// detectorOf reads the detector name from a cluster's params JSON ({"detector":…}).
func detectorOf(params string) string {
	var v struct {
		Detector string `json:"detector"`
	}
	if json.Unmarshal([]byte(params), &v) != nil {
		return ""
	}
	return v.Detector
}
