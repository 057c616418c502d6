package coordination

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// The read side of the coordination tables: the web UI's cluster pages and the reports'
// cluster section read stored clusters through these methods, so the tables' SQL stays
// in this package (issue 20). Texts and links are returned as stored; the readers redact
// them again for their audience.

// ErrNoCluster is returned by StoredCluster for an id with no active cluster.
var ErrNoCluster = errors.New("no such active cluster")

// StoredCluster is one row of coordination_clusters as the readers see it.
type StoredCluster struct {
	ID            string
	Size          uint32
	Score         float64
	Behaviours    []string
	Accounts      []string
	Posts         []string
	Texts         []string
	Links         []string
	Frames        []string
	First         time.Time
	Last          time.Time
	DetectedAt    time.Time
	Detector      string
	CappedObjects uint32
	// Version is the cluster row's version; members and rhythm are read at it.
	Version uint64
}

const storedClusterCols = `id, size, score, behaviours, accounts, posts, texts, links, frames,
	first_at, last_at, detected_at, detector, capped_objects, version`

func scanStoredCluster(row interface{ Scan(...any) error }) (StoredCluster, error) {
	var c StoredCluster
	err := row.Scan(&c.ID, &c.Size, &c.Score, &c.Behaviours, &c.Accounts, &c.Posts, &c.Texts, &c.Links, &c.Frames,
		&c.First, &c.Last, &c.DetectedAt, &c.Detector, &c.CappedObjects, &c.Version)
	return c, err
}

// ActiveClusters reads up to limit active clusters, most recently active first.
func (s *Store) ActiveClusters(ctx context.Context, limit int) ([]StoredCluster, error) {
	rows, err := s.conn.Query(ctx, `SELECT `+storedClusterCols+` FROM coordination_clusters FINAL
		WHERE status = 'active' ORDER BY last_at DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}
	defer rows.Close()
	var out []StoredCluster
	for rows.Next() {
		c, err := scanStoredCluster(rows)
		if err != nil {
			return nil, fmt.Errorf("clusters: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ActiveCluster reads the active cluster id; ErrNoCluster when there is none.
func (s *Store) ActiveCluster(ctx context.Context, id string) (StoredCluster, error) {
	rows, err := s.conn.Query(ctx, `SELECT `+storedClusterCols+` FROM coordination_clusters FINAL
		WHERE id = ? AND status = 'active'`, id)
	if err != nil {
		return StoredCluster{}, fmt.Errorf("cluster %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return StoredCluster{}, fmt.Errorf("cluster %s: %w", id, err)
		}
		return StoredCluster{}, ErrNoCluster
	}
	c, err := scanStoredCluster(rows)
	if err != nil {
		return StoredCluster{}, fmt.Errorf("cluster %s: %w", id, err)
	}
	return c, nil
}

// StoredMember is one account of a stored cluster with its signals.
type StoredMember struct {
	Account        string
	CoActions      uint32
	Posts          uint32
	PostsPerDay    float64
	DuplicateShare float64
	Burstiness     float64
	FirstSeen      time.Time
	LastSeen       time.Time
}

// ClusterMembers reads up to 1000 members of cluster id at version, most co-actions first.
func (s *Store) ClusterMembers(ctx context.Context, id string, version uint64) ([]StoredMember, error) {
	rows, err := s.conn.Query(ctx, `SELECT account, co_actions, posts, posts_per_day, duplicate_share, burstiness,
		first_seen, last_seen FROM coordination_members FINAL WHERE cluster_id = ? AND version = ?
		ORDER BY co_actions DESC, account LIMIT 1000`, id, version)
	if err != nil {
		return nil, fmt.Errorf("cluster %s members: %w", id, err)
	}
	defer rows.Close()
	var out []StoredMember
	for rows.Next() {
		var m StoredMember
		if err := rows.Scan(&m.Account, &m.CoActions, &m.Posts, &m.PostsPerDay, &m.DuplicateShare, &m.Burstiness,
			&m.FirstSeen, &m.LastSeen); err != nil {
			return nil, fmt.Errorf("cluster %s members: %w", id, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// StoredRhythm is the coordination_rhythm row of a cluster version: the rhythm kind ("" when
// none was found), the bursts and the platforms of the cluster's accounts.
type StoredRhythm struct {
	Kind          string
	Bursts        uint32
	MedianGapSec  uint32
	First, Last   time.Time
	BurstStarts   []time.Time
	BurstEnds     []time.Time
	BurstAccounts []uint32
	Platforms     []string
}

// ClusterRhythm reads the rhythm of cluster id at version; found is false for clusters
// stored before the rhythm table (migration 0060).
func (s *Store) ClusterRhythm(ctx context.Context, id string, version uint64) (r StoredRhythm, found bool, err error) {
	rows, err := s.conn.Query(ctx, `SELECT rhythm, bursts, median_gap_s, first_burst, last_burst, burst_starts, burst_ends,
		burst_accounts, platforms FROM coordination_rhythm FINAL WHERE cluster_id = ? AND version = ?`, id, version)
	if err != nil {
		return r, false, fmt.Errorf("cluster %s rhythm: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return r, false, rows.Err()
	}
	if err := rows.Scan(&r.Kind, &r.Bursts, &r.MedianGapSec, &r.First, &r.Last, &r.BurstStarts, &r.BurstEnds,
		&r.BurstAccounts, &r.Platforms); err != nil {
		return r, false, fmt.Errorf("cluster %s rhythm: %w", id, err)
	}
	return r, true, rows.Err()
}

// ClusterLabel reads the latest label of cluster id with its analyst and note; "" for all
// three when the cluster was never labelled or its label was taken back ("unlabelled").
func (s *Store) ClusterLabel(ctx context.Context, id string) (label, analyst, note string, err error) {
	rows, err := s.conn.Query(ctx, `SELECT toString(label), analyst, note FROM coordination_labels FINAL WHERE cluster_id = ?`, id)
	if err != nil {
		return "", "", "", fmt.Errorf("cluster %s label: %w", id, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&label, &analyst, &note); err != nil {
			return "", "", "", fmt.Errorf("cluster %s label: %w", id, err)
		}
	}
	if label == "unlabelled" {
		label, analyst, note = "", "", ""
	}
	return label, analyst, note, rows.Err()
}

// PeriodCluster is an active cluster of a report period (see ClustersInPeriod).
type PeriodCluster struct {
	ID         string
	Size       uint32
	Posts      uint64
	Platforms  []string
	Behaviours []string
	Frames     []string
	Score      float64
	First      time.Time
	Last       time.Time
	Detector   string
	Params     string
	// InPrevious: the cluster was active in the previous period [prev, from);
	// InCurrent: in the period [from, to).
	InPrevious, InCurrent bool
}

// ClustersInPeriod reads the active clusters active in [prev, to) (first seen before the
// end, last seen after the start), marking which were active in the previous period
// [prev, from) and which in the current one [from, to). Platforms are the sources of the
// cluster's posts. The reports' cluster section reads through it; settings travel in ctx.
func (s *Store) ClustersInPeriod(ctx context.Context, prev, from, to time.Time) ([]PeriodCluster, error) {
	rows, err := s.conn.Query(ctx, `SELECT id, size, length(posts),
		arrayDistinct(arrayMap(p -> substring(p, 1, position(p, ':') - 1), posts)), behaviours, frames, score,
		first_at, last_at, detector, params,
		first_at >= toDateTime(@from) OR last_at < toDateTime(@prev) AS cur_only,
		first_at < toDateTime(@to) AND last_at >= toDateTime(@from) AS in_cur
		FROM coordination_clusters FINAL
		WHERE status = 'active' AND first_at < toDateTime(@to) AND last_at >= toDateTime(@prev)`,
		clickhouse.Named("prev", prev.Unix()), clickhouse.Named("from", from.Unix()), clickhouse.Named("to", to.Unix()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PeriodCluster
	for rows.Next() {
		var c PeriodCluster
		var curOnly, inCur uint8
		if err := rows.Scan(&c.ID, &c.Size, &c.Posts, &c.Platforms, &c.Behaviours, &c.Frames, &c.Score,
			&c.First, &c.Last, &c.Detector, &c.Params, &curOnly, &inCur); err != nil {
			return nil, err
		}
		c.InPrevious, c.InCurrent = curOnly == 0, inCur == 1
		out = append(out, c)
	}
	return out, rows.Err()
}
