package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kuzot/kuzot/coordination"
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
// coordination_members, coordination_rhythm, coordination_labels) through the
// coordination package's Store, which owns them.
type CHClusters struct{ DB *DB }

func (s CHClusters) store() *coordination.Store { return coordination.NewStore(s.DB.Conn) }

// cluster maps a stored cluster row to the page model, redacting its evidence.
func (s CHClusters) cluster(sc coordination.StoredCluster) Cluster {
	c := Cluster{ID: sc.ID, Size: sc.Size, Score: sc.Score, Behaviours: sc.Behaviours, Accounts: sc.Accounts,
		Posts: sc.Posts, Texts: sc.Texts, Links: sc.Links, Frames: sc.Frames, First: sc.First, Last: sc.Last,
		DetectedAt: sc.DetectedAt, Detector: sc.Detector, CappedObjects: sc.CappedObjects, version: sc.Version}
	s.DB.redactEvidence(&c)
	return c
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
	st := s.store()
	stored, err := st.ActiveClusters(ctx, clampLimit(limit))
	if err != nil || len(stored) == 0 {
		return nil, err
	}
	out := make([]Cluster, len(stored))
	ids := make([]string, len(stored))
	for i, sc := range stored {
		out[i], ids[i] = s.cluster(sc), sc.ID
	}
	labels, err := st.Labels(ctx, ids)
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
	st := s.store()
	sc, err := st.ActiveCluster(ctx, id)
	if errors.Is(err, coordination.ErrNoCluster) {
		return Cluster{}, ErrNotFound
	}
	if err != nil {
		return Cluster{}, err
	}
	c := s.cluster(sc)
	members, err := st.ClusterMembers(ctx, id, c.version)
	if err != nil {
		return Cluster{}, err
	}
	for _, m := range members {
		c.Members = append(c.Members, Member(m))
	}
	stored, found, err := st.ClusterRhythm(ctx, id, c.version)
	if err != nil {
		return Cluster{}, err
	}
	if found {
		c.Rhythm, c.Platforms = rhythm(stored), stored.Platforms
	}
	if c.Label, c.LabelledBy, c.LabelNote, err = st.ClusterLabel(ctx, id); err != nil {
		return Cluster{}, err
	}
	return c, nil
}

// rhythm places a stored rhythm's bursts on a timeline from the first burst to the last;
// nil when no rhythm was found.
func rhythm(sr coordination.StoredRhythm) *ClusterRhythm {
	if sr.Kind == "" {
		return nil
	}
	r := ClusterRhythm{Kind: sr.Kind, Bursts: sr.Bursts, MedianGapSec: sr.MedianGapSec, First: sr.First, Last: sr.Last}
	starts, ends, accounts := sr.BurstStarts, sr.BurstEnds, sr.BurstAccounts
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
	return &r
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
