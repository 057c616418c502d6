package coordination

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/storage"
)

// Insert statements name their columns: ClickHouse 18.16 rejects a bare batch INSERT
// (research notes, engineering §6). Tables are unqualified: the connection's database.
const (
	insertClusters = `INSERT INTO coordination_clusters (id, status, merged_into, size, score, behaviours, accounts,
	posts, posts_truncated, texts, links, reply_targets, frames, frame_posts, capped_objects, capped_actions,
	first_at, last_at, detected_at, detector, params, version)`
	insertMembers = `INSERT INTO coordination_members (cluster_id, account, co_actions, posts, posts_per_day,
	duplicate_share, burstiness, account_age_days, capped_actions, first_seen, last_seen, detected_at, version)`
	insertEvidence = `INSERT INTO coordination_evidence (cluster_id, account_1, account_2, weight, behaviours, objects,
	first_at, last_at, detected_at, version)`
	insertRhythm = `INSERT INTO coordination_rhythm (cluster_id, rhythm, bursts, median_gap_s, first_burst, last_burst,
	burst_starts, burst_ends, burst_accounts, platforms, hashtags, detected_at, version)`
	insertLabel = `INSERT INTO coordination_labels (cluster_id, label, analyst, note, labelled_at, version)`
)

// Store writes clusters and analyst labels to ClickHouse (migrations 0004–0007, and
// 0060 for the clusters' rhythm). Writes
// are idempotent: rows are versioned (ReplacingMergeTree), so a batch redelivered after
// a crash collapses with its first copy.
type Store struct{ conn driver.Conn }

// NewStore wraps an open ClickHouse connection; the caller owns and closes it.
func NewStore(conn driver.Conn) *Store { return &Store{conn: conn} }

// WriteClusters stores what Flush returned: cluster rows (tombstones included), members
// and evidence, one batch per table. Each call builds new batches, so a failed call can
// be repeated with the same clusters.
func (s *Store) WriteClusters(ctx context.Context, cs []Cluster) error {
	if len(cs) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, insertClusters)
	if err != nil {
		return fmt.Errorf("coordination store: prepare clusters: %w", err)
	}
	defer b.Close()
	members, evidence := 0, 0
	for i := range cs {
		c := &cs[i]
		params, err := json.Marshal(c.Params)
		if err != nil {
			return fmt.Errorf("coordination store: cluster %s params: %w", c.ID, err)
		}
		frames := make([]string, len(c.Frames))
		counts := make([]uint32, len(c.Frames))
		for j, f := range c.Frames {
			frames[j], counts[j] = f.Frame, uint32(f.Posts)
		}
		status := c.Status
		if status == "" {
			status = StatusActive
		}
		if err := b.Append(c.ID, status, c.MergedInto, uint32(len(c.Accounts)), c.Score, storage.NonNil(c.Behaviours),
			storage.NonNil(c.Accounts), storage.NonNil(c.Posts), storage.BoolU8(c.PostsTruncated), storage.NonNil(c.Texts), storage.NonNil(c.Links),
			storage.NonNil(c.ReplyTargets), frames, counts, uint32(c.CappedObjects), uint32(c.CappedActions),
			storage.ClampTime(c.First), storage.ClampTime(c.Last), storage.ClampTime(c.DetectedAt), Version, string(params), c.Version); err != nil {
			return fmt.Errorf("coordination store: cluster %s: %w", c.ID, err)
		}
		members += len(c.Members)
		evidence += len(c.Edges)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("coordination store: send %d clusters: %w", len(cs), err)
	}
	if members > 0 {
		if err := s.writeMembers(ctx, cs); err != nil {
			return err
		}
	}
	if evidence > 0 {
		if err := s.writeEvidence(ctx, cs); err != nil {
			return err
		}
	}
	return s.writeRhythm(ctx, cs)
}

// writeRhythm stores the rhythm, platforms and hashtags of active clusters.
func (s *Store) writeRhythm(ctx context.Context, cs []Cluster) error {
	n := 0
	for i := range cs {
		if cs[i].Status != StatusMerged {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, insertRhythm)
	if err != nil {
		return fmt.Errorf("coordination store: prepare rhythm: %w", err)
	}
	defer b.Close()
	for i := range cs {
		c := &cs[i]
		if c.Status == StatusMerged {
			continue
		}
		r := c.Rhythm
		if r == nil {
			r = &Rhythm{}
		}
		starts := make([]time.Time, len(r.Timeline))
		ends := make([]time.Time, len(r.Timeline))
		accts := make([]uint32, len(r.Timeline))
		for j, bu := range r.Timeline {
			starts[j], ends[j], accts[j] = storage.ClampTime(bu.Start), storage.ClampTime(bu.End), uint32(bu.Accounts)
		}
		if err := b.Append(c.ID, r.Kind, uint32(r.Bursts), uint32(min(max(r.MedianGapSec, 0), 1<<32-1)),
			storage.ClampTime(r.First), storage.ClampTime(r.Last), starts, ends, accts,
			storage.NonNil(c.Platforms), storage.NonNil(c.Hashtags), storage.ClampTime(c.DetectedAt), c.Version); err != nil {
			return fmt.Errorf("coordination store: rhythm of %s: %w", c.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("coordination store: send %d rhythm rows: %w", n, err)
	}
	return nil
}

func (s *Store) writeMembers(ctx context.Context, cs []Cluster) error {
	b, err := s.conn.PrepareBatch(ctx, insertMembers)
	if err != nil {
		return fmt.Errorf("coordination store: prepare members: %w", err)
	}
	defer b.Close()
	n := 0
	for _, c := range cs {
		for _, m := range c.Members {
			if err := b.Append(c.ID, m.Account, uint32(m.CoActions), uint32(m.Posts), m.PostsPerDay, m.DuplicateShare,
				m.Burstiness, m.AccountAgeDays, uint32(m.CappedActions), storage.ClampTime(m.FirstSeen), storage.ClampTime(m.LastSeen),
				storage.ClampTime(c.DetectedAt), c.Version); err != nil {
				return fmt.Errorf("coordination store: member %s of %s: %w", m.Account, c.ID, err)
			}
			n++
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("coordination store: send %d members: %w", n, err)
	}
	return nil
}

func (s *Store) writeEvidence(ctx context.Context, cs []Cluster) error {
	b, err := s.conn.PrepareBatch(ctx, insertEvidence)
	if err != nil {
		return fmt.Errorf("coordination store: prepare evidence: %w", err)
	}
	defer b.Close()
	n := 0
	for _, c := range cs {
		for _, e := range c.Edges {
			if err := b.Append(c.ID, e.Accounts[0], e.Accounts[1], uint32(e.Weight), storage.NonNil(e.Behaviours), storage.NonNil(e.Objects),
				storage.ClampTime(e.First), storage.ClampTime(e.Last), storage.ClampTime(c.DetectedAt), c.Version); err != nil {
				return fmt.Errorf("coordination store: evidence %v of %s: %w", e.Accounts, c.ID, err)
			}
			n++
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("coordination store: send %d evidence rows: %w", n, err)
	}
	return nil
}

// Labels an analyst can give a cluster.
const (
	LabelConfirmed  = "confirmed"
	LabelDismissed  = "dismissed"
	LabelUnlabelled = "unlabelled"
)

// ErrLabel marks an invalid label request (a client error, HTTP 400).
var ErrLabel = errors.New("invalid cluster label")

// Label is an analyst's verdict on a cluster.
type Label struct {
	ClusterID string    `json:"cluster_id"`
	Label     string    `json:"label"`
	Analyst   string    `json:"analyst"`
	Note      string    `json:"note,omitempty"`
	At        time.Time `json:"labelled_at"`
}

// Validate reports why a label cannot be stored, wrapping ErrLabel.
func (l Label) Validate() error {
	switch {
	case l.ClusterID == "" || len(l.ClusterID) > 256 || !utf8.ValidString(l.ClusterID):
		return fmt.Errorf("%w: bad cluster id", ErrLabel)
	case l.Label != LabelConfirmed && l.Label != LabelDismissed && l.Label != LabelUnlabelled:
		return fmt.Errorf("%w: label %q is not one of %s, %s, %s", ErrLabel, l.Label, LabelConfirmed, LabelDismissed, LabelUnlabelled)
	case strings.TrimSpace(l.Analyst) == "" || len(l.Analyst) > 256 || !utf8.ValidString(l.Analyst):
		return fmt.Errorf("%w: bad analyst", ErrLabel)
	case len(l.Note) > 4096 || !utf8.ValidString(l.Note):
		return fmt.Errorf("%w: note longer than 4096 bytes or not UTF-8", ErrLabel)
	case l.At.IsZero():
		return fmt.Errorf("%w: no time", ErrLabel)
	}
	return nil
}

// SetLabel stores an analyst's label; the latest label of a cluster wins.
func (s *Store) SetLabel(ctx context.Context, l Label) error {
	if err := l.Validate(); err != nil {
		return err
	}
	b, err := s.conn.PrepareBatch(ctx, insertLabel)
	if err != nil {
		return fmt.Errorf("coordination store: prepare label: %w", err)
	}
	defer b.Close()
	if err := b.Append(l.ClusterID, l.Label, l.Analyst, l.Note, storage.ClampTime(l.At), uint64(l.At.UnixNano())); err != nil {
		return fmt.Errorf("coordination store: label %s: %w", l.ClusterID, err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("coordination store: send label %s: %w", l.ClusterID, err)
	}
	return nil
}

// Labels returns the latest analyst label of each labelled cluster among ids (every
// labelled cluster when ids is nil), leaving out clusters whose label is "unlabelled".
// The web UI's cluster list and the reports read labels through it.
func (s *Store) Labels(ctx context.Context, ids []string) (map[string]string, error) {
	q, args := `SELECT cluster_id, toString(label) FROM coordination_labels FINAL WHERE label != 'unlabelled'`, []any(nil)
	if ids != nil {
		q, args = q+` AND cluster_id IN ?`, []any{storage.InSet(ids)}
	}
	rows, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("coordination store: labels: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, l string
		if err := rows.Scan(&id, &l); err != nil {
			return nil, fmt.Errorf("coordination store: labels: %w", err)
		}
		out[id] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coordination store: labels: %w", err)
	}
	return out, nil
}

// RecentClusters reads the ids, accounts and last activity of the active clusters whose
// last activity is at or after since, for Detector.Restore after a restart.
func (s *Store) RecentClusters(ctx context.Context, since time.Time) ([]Cluster, error) {
	rows, err := s.conn.Query(ctx, `SELECT id, accounts, last_at FROM coordination_clusters FINAL
		WHERE status = 'active' AND last_at >= ? ORDER BY id`, storage.ClampTime(since))
	if err != nil {
		return nil, fmt.Errorf("coordination store: recent clusters: %w", err)
	}
	defer rows.Close()
	var out []Cluster
	for rows.Next() {
		c := Cluster{Status: StatusActive}
		if err := rows.Scan(&c.ID, &c.Accounts, &c.Last); err != nil {
			return nil, fmt.Errorf("coordination store: recent clusters: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coordination store: recent clusters: %w", err)
	}
	return out, nil
}
