package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kuzot/kuzot/classifiers/coordination"
)

// Member is one account of a cluster with its signals (indicators, never a verdict).
type Member struct {
	Account        string    `json:"account"`
	CoActions      uint32    `json:"co_actions"`
	Posts          uint32    `json:"posts"`
	PostsPerDay    float64   `json:"posts_per_day"`
	DuplicateShare float64   `json:"duplicate_share"`
	Burstiness     float64   `json:"burstiness"`
	FirstSeen      time.Time `json:"first_seen"`
	LastSeen       time.Time `json:"last_seen"`
}

// ClusterLabeler stores an analyst's verdict on a cluster (confirmed, dismissed,
// unlabelled). The coordination package's Store implements it behind an adapter in
// app/serve.go.
type ClusterLabeler interface {
	SetLabel(ctx context.Context, clusterID, label, analyst, note string, at time.Time) error
}

// CHClusters reads the coordination detector's tables (coordination_clusters,
// coordination_members, coordination_labels).
type CHClusters struct{ DB *DB }

const clusterCols = `id, size, score, behaviours, accounts, posts, texts, links, frames,
	first_at, last_at, detected_at, detector, capped_objects, version`

func (s CHClusters) scanCluster(row interface{ Scan(...any) error }, c *Cluster) error {
	if err := row.Scan(&c.ID, &c.Size, &c.Score, &c.Behaviours, &c.Accounts, &c.Posts, &c.Texts, &c.Links, &c.Frames,
		&c.First, &c.Last, &c.DetectedAt, &c.Detector, &c.CappedObjects, &c.version); err != nil {
		return err
	}
	s.DB.redactEvidence(c)
	return nil
}

// redactEvidence passes a cluster's shared texts and links through the exposure
// recognisers again as they are read: the coordinate role stores them redacted, but
// rows written before it redacted links (or by a detector run without a redactor) must
// not show a victim's profile link or phone number to every reader.
func (d *DB) redactEvidence(c *Cluster) {
	mask := func(s string) string { return d.maskIdentifiers(s, "") }
	for i, t := range c.Texts {
		c.Texts[i] = mask(t)
	}
	for i, l := range c.Links {
		c.Links[i] = coordination.RedactLink(l, mask)
	}
}

// Clusters implements ClusterSource: active clusters, most recently active first.
func (s CHClusters) Clusters(ctx context.Context, limit int) ([]Cluster, error) {
	rows, err := s.DB.Conn.Query(ctx, `SELECT `+clusterCols+` FROM coordination_clusters FINAL
		WHERE status = 'active' ORDER BY last_at DESC, id LIMIT ?`, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}
	var out []Cluster
	for rows.Next() {
		var c Cluster
		if err := s.scanCluster(rows, &c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("clusters: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	labels, err := coordination.NewStore(s.DB.Conn).Labels(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("clusters: %w", err)
	}
	for i := range out {
		out[i].Label = labels[out[i].ID]
	}
	return out, nil
}

// Cluster implements ClusterSource: one active cluster with its members' signals at the
// cluster's current version.
func (s CHClusters) Cluster(ctx context.Context, id string) (Cluster, error) {
	rows, err := s.DB.Conn.Query(ctx, `SELECT `+clusterCols+` FROM coordination_clusters FINAL
		WHERE id = ? AND status = 'active'`, id)
	if err != nil {
		return Cluster{}, fmt.Errorf("cluster %s: %w", id, err)
	}
	var c Cluster
	found := rows.Next()
	if found {
		err = s.scanCluster(rows, &c)
	}
	rows.Close()
	if err != nil {
		return Cluster{}, fmt.Errorf("cluster %s: %w", id, err)
	}
	if !found {
		return Cluster{}, ErrNotFound
	}
	rows, err = s.DB.Conn.Query(ctx, `SELECT account, co_actions, posts, posts_per_day, duplicate_share, burstiness,
		first_seen, last_seen FROM coordination_members FINAL WHERE cluster_id = ? AND version = ?
		ORDER BY co_actions DESC, account LIMIT 1000`, id, c.version)
	if err != nil {
		return Cluster{}, fmt.Errorf("cluster %s members: %w", id, err)
	}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.Account, &m.CoActions, &m.Posts, &m.PostsPerDay, &m.DuplicateShare, &m.Burstiness,
			&m.FirstSeen, &m.LastSeen); err != nil {
			rows.Close()
			return Cluster{}, fmt.Errorf("cluster %s members: %w", id, err)
		}
		c.Members = append(c.Members, m)
	}
	rows.Close()
	if c.Rhythm, c.Platforms, err = s.rhythm(ctx, id, c.version); err != nil {
		return Cluster{}, err
	}
	rows, err = s.DB.Conn.Query(ctx, `SELECT toString(label), analyst, note FROM coordination_labels FINAL WHERE cluster_id = ?`, id)
	if err != nil {
		return Cluster{}, fmt.Errorf("cluster %s label: %w", id, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&c.Label, &c.LabelledBy, &c.LabelNote); err != nil {
			return Cluster{}, fmt.Errorf("cluster %s label: %w", id, err)
		}
	}
	if c.Label == "unlabelled" {
		c.Label, c.LabelledBy, c.LabelNote = "", "", ""
	}
	return c, rows.Err()
}

// rhythm reads a cluster version's rhythm and platforms (nil when not stored) and
// places its bursts on a timeline from the first burst to the last.
func (s CHClusters) rhythm(ctx context.Context, id string, version uint64) (*ClusterRhythm, []string, error) {
	rows, err := s.DB.Conn.Query(ctx, `SELECT rhythm, bursts, median_gap_s, first_burst, last_burst, burst_starts, burst_ends,
		burst_accounts, platforms FROM coordination_rhythm FINAL WHERE cluster_id = ? AND version = ?`, id, version)
	if err != nil {
		return nil, nil, fmt.Errorf("cluster %s rhythm: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, nil, rows.Err()
	}
	var r ClusterRhythm
	var starts, ends []time.Time
	var accounts []uint32
	var platforms []string
	if err := rows.Scan(&r.Kind, &r.Bursts, &r.MedianGapSec, &r.First, &r.Last, &starts, &ends, &accounts, &platforms); err != nil {
		return nil, nil, fmt.Errorf("cluster %s rhythm: %w", id, err)
	}
	if r.Kind == "" {
		return nil, platforms, nil
	}
	span := 0.0
	if len(starts) > 0 && len(ends) == len(starts) {
		span = ends[len(ends)-1].Sub(starts[0]).Seconds()
	}
	most := uint32(1)
	for _, a := range accounts {
		most = max(most, a)
	}
	for i := range starts {
		if i >= len(ends) || i >= len(accounts) {
			break
		}
		b := ClusterBurst{Start: starts[i], End: ends[i], Accounts: accounts[i], X: 0, W: 100}
		if span > 0 {
			b.X = 100 * starts[i].Sub(starts[0]).Seconds() / span
			b.W = max(100*ends[i].Sub(starts[i]).Seconds()/span, 0.6)
		}
		b.H = 2 + 8*float64(accounts[i])/float64(most) // bar height: accounts in the burst
		b.Y = 10 - b.H
		r.Timeline = append(r.Timeline, b)
	}
	return &r, platforms, rows.Err()
}

// CoordinationLabeler adapts the coordination package's Store to ClusterLabeler.
type CoordinationLabeler struct{ Store *coordination.Store }

// SetLabel implements ClusterLabeler; invalid labels are client errors.
func (l CoordinationLabeler) SetLabel(ctx context.Context, clusterID, label, analyst, note string, at time.Time) error {
	err := l.Store.SetLabel(ctx, coordination.Label{ClusterID: clusterID, Label: label, Analyst: analyst, Note: note, At: at})
	if errors.Is(err, coordination.ErrLabel) {
		return errStatus(http.StatusBadRequest, err.Error())
	}
	return err
}
