package tipline

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// BehaviourSMSCampaign is the behaviour (cluster kind) of a burst of tips of one text.
const BehaviourSMSCampaign = "sms_campaign"

const insertTipCampaigns = `INSERT INTO tip_campaigns (fingerprint, post_id, kind, text, sms_sender, origin_channel,
	origin_title, submissions, orgs, first_seen, last_seen, burst, campaign, withdrawn, linked_post, updated_at, version)`

// Store writes tipline posts to ClickHouse: every campaign version to tip_campaigns
// (migration 0065), and campaigns whose burst reached the threshold to the coordination
// tables as clusters with behaviour sms_campaign, so they appear on the Clusters page
// next to the detector's. Writes are idempotent (versioned ReplacingMergeTrees).
type Store struct {
	conn driver.Conn
	// Redact masks personal data in stored texts (exposure.TextRedactor); nil keeps them.
	Redact func(string) string
}

// NewStore wraps an open ClickHouse connection; the caller owns it.
func NewStore(conn driver.Conn, redact func(string) string) *Store {
	return &Store{conn: conn, Redact: redact}
}

// Write stores the tipline posts among ps (others are ignored).
func (s *Store) Write(ctx context.Context, ps []post.Post) error {
	var tips []post.Post
	for _, p := range ps {
		if p.Source == Kind && p.Tip != nil && p.Tip.Fingerprint != "" {
			tips = append(tips, p)
		}
	}
	if len(tips) == 0 {
		return nil
	}
	b, err := s.conn.PrepareBatch(ctx, insertTipCampaigns)
	if err != nil {
		return fmt.Errorf("tipline store: prepare: %w", err)
	}
	defer b.Close()
	var clusters []coordination.Cluster
	for _, p := range tips {
		t := p.Tip
		text := s.redact(p.Text)
		if err := b.Append(t.Fingerprint, p.ID, t.Kind, text, t.SMSSender, t.OriginChannel, t.OriginTitle,
			uint32(t.Submissions), storage.NonNil(t.Orgs), storage.ClampTime(t.FirstSeen), storage.ClampTime(t.LastSeen),
			uint32(t.Burst), storage.BoolU8(t.Campaign), storage.BoolU8(t.Withdrawn), t.LinkedPost, storage.ClampTime(p.CollectedAt),
			uint64(p.CollectedAt.UnixNano())); err != nil {
			return fmt.Errorf("tipline store: %s: %w", p.ID, err)
		}
		if t.Campaign {
			clusters = append(clusters, s.cluster(p, text))
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("tipline store: send %d campaigns: %w", len(tips), err)
	}
	if len(clusters) > 0 {
		if err := coordination.NewStore(s.conn).WriteClusters(ctx, clusters); err != nil {
			return fmt.Errorf("tipline store: %w", err)
		}
	}
	return nil
}

func (s *Store) redact(text string) string {
	if s.Redact == nil || text == "" {
		return text
	}
	return s.Redact(text)
}

// cluster is the sms_campaign cluster of a campaign post: its "accounts" are the SMS
// sender IDs (public short codes or names), never reporters; score is the number of
// submissions; the reporting organisations are not listed (the campaign's row in
// tip_campaigns has them).
func (s *Store) cluster(p post.Post, text string) coordination.Cluster {
	t := p.Tip
	sender := "sms:" + t.SMSSender
	if t.SMSSender == "" {
		sender = "sms:unknown sender"
	}
	if t.Kind == KindForward && t.OriginChannel != "" {
		sender = "telegram:" + t.OriginChannel
	}
	c := coordination.Cluster{
		ID:         BehaviourSMSCampaign + ":" + t.Fingerprint,
		Status:     coordination.StatusActive,
		Accounts:   []string{sender},
		Posts:      []string{p.ID},
		Behaviours: []string{BehaviourSMSCampaign},
		Score:      float64(t.Submissions),
		First:      t.FirstSeen,
		Last:       t.LastSeen,
		DetectedAt: p.CollectedAt.UTC().Truncate(time.Second),
		Version:    uint64(p.CollectedAt.UnixNano()),
	}
	if t.Withdrawn {
		c.Status, c.MergedInto = coordination.StatusMerged, ""
	}
	if text != "" {
		c.Texts = []string{text}
	}
	for _, m := range p.Media {
		if m.Kind == "link" {
			c.Links = append(c.Links, m.URL)
		}
	}
	return c
}
