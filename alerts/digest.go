package alerts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/storage"
)

// Backfill bounds: a backfill is an explicit request for the past, answered by one
// digest per channel, never by a burst of incident alerts.
const (
	// MaxBackfillWindow is the longest period one backfill may cover.
	MaxBackfillWindow = 30 * 24 * time.Hour
	// DefaultBackfillItems and MaxBackfillItems bound the posts listed in a digest
	// (every post is counted; only the newest are listed). The bound keeps a digest job
	// well under JetStream's message size.
	DefaultBackfillItems = 50
	MaxBackfillItems     = 200
)

// KindDigest is the kind of an outbox job that carries a backfill digest instead of a
// notification of an incident.
const KindDigest = "digest"

// TypeDigest is the webhook type of a backfill digest.
const TypeDigest = "exposure.digest"

// BackfillRequest asks for a digest of the exposures of an organisation's members that
// kuzot collected in [From, To).
type BackfillRequest struct {
	Org string
	// Member restricts the digest to one member (optional).
	Member string
	From   time.Time
	// To is the end of the period (zero: now).
	To time.Time
	// Limit is how many posts the digest lists (0: DefaultBackfillItems).
	Limit int
}

// ErrBadBackfill marks a backfill request outside the bounds.
var ErrBadBackfill = errors.New("invalid backfill request")

// Normalize fills defaults and checks the bounds against now.
func (r *BackfillRequest) Normalize(now time.Time) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadBackfill}, a...)...)
	}
	if r.Org == "" {
		return bad("an organisation is required")
	}
	if r.To.IsZero() || r.To.After(now) {
		r.To = now
	}
	// Whole minutes, so that the same request repeated at once ("the last 7 days") names
	// the same digest and is not sent twice; posts of the current minute are live news
	// for the alert path anyway.
	r.From, r.To = r.From.UTC().Truncate(time.Minute), r.To.UTC().Truncate(time.Minute)
	if r.From.IsZero() || !r.From.Before(r.To) {
		return bad("the period must start before it ends")
	}
	if r.To.Sub(r.From) > MaxBackfillWindow {
		return bad("the period is longer than %s", MaxBackfillWindow)
	}
	if r.Limit == 0 {
		r.Limit = DefaultBackfillItems
	}
	if r.Limit < 1 || r.Limit > MaxBackfillItems {
		return bad("limit must be between 1 and %d", MaxBackfillItems)
	}
	return nil
}

// Digest summarises past exposures of one organisation's members. Like an alert it
// carries no personal data: pseudonymous member ids, data categories, where and when.
type Digest struct {
	ID     string    `json:"id"`
	Org    string    `json:"org"`
	Member string    `json:"member,omitempty"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	// Posts counts every exposing post of the period; Items lists the newest of them.
	Posts     int            `json:"posts"`
	Truncated bool           `json:"truncated"`
	Members   []DigestMember `json:"members"`
	Items     []DigestItem   `json:"items"`
	CreatedAt time.Time      `json:"created_at"`
}

// DigestMember is one member's part of a digest.
type DigestMember struct {
	Member      string   `json:"member"`
	Posts       int      `json:"posts"`
	MaxSeverity Severity `json:"max_severity"`
	Categories  []string `json:"categories"`
}

// DigestItem is one exposing post of a digest.
type DigestItem struct {
	Members     []string  `json:"members"`
	Platform    string    `json:"platform"`
	Channel     string    `json:"channel"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	CollectedAt time.Time `json:"collected_at"`
	Severity    Severity  `json:"severity"`
	Categories  []string  `json:"categories"`
}

// digestID names a digest by what it covers (periods are whole minutes), so that
// repeating the same request enqueues nothing new within the outbox's duplicate window
// and reuses the same delivery state afterwards.
func digestID(r *BackfillRequest) string {
	h := sha256.Sum256([]byte(strings.Join([]string{r.Org, r.Member, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339),
		fmt.Sprint(r.Limit)}, "\x00")))
	return "digest-" + r.Org + "-" + hex.EncodeToString(h[:6])
}

// BuildDigest reads the exposures of the request's period from ClickHouse (the
// exposures table, written by the store role) and summarises them.
func BuildDigest(ctx context.Context, conn driver.Conn, r BackfillRequest, now time.Time) (*Digest, error) {
	if err := r.Normalize(now); err != nil {
		return nil, err
	}
	d := &Digest{ID: digestID(&r), Org: r.Org, Member: r.Member, From: r.From, To: r.To, CreatedAt: now.UTC(),
		Members: []DigestMember{}, Items: []DigestItem{}}
	byMember := map[string]*DigestMember{}
	err := storage.ExposuresCollected(ctx, conn, r.Org, r.From, r.To, func(e storage.CollectedExposure) error {
		it := DigestItem{Platform: e.Source, Channel: e.Channel, URL: e.URL, PublishedAt: e.PublishedAt,
			CollectedAt: e.CollectedAt}
		it.Severity, _ = ParseSeverity(e.Severity)
		it.Categories = []string{}
		for _, c := range e.Categories {
			if c == "outing" { // the exposure classifier's label; alerts call it sogi
				c = "sogi"
			}
			it.Categories, _ = addSorted(it.Categories, c)
		}
		for i := range min(len(e.Orgs), len(e.Members)) {
			if e.Orgs[i] == r.Org && (r.Member == "" || e.Members[i] == r.Member) && !slices.Contains(it.Members, e.Members[i]) {
				it.Members = append(it.Members, e.Members[i])
			}
		}
		if len(it.Members) == 0 {
			return nil
		}
		d.Posts++
		for _, m := range it.Members {
			dm := byMember[m]
			if dm == nil {
				dm = &DigestMember{Member: m}
				byMember[m] = dm
			}
			dm.Posts++
			dm.MaxSeverity = max(dm.MaxSeverity, it.Severity)
			for _, c := range it.Categories {
				dm.Categories, _ = addSorted(dm.Categories, c)
			}
		}
		if len(d.Items) < r.Limit {
			d.Items = append(d.Items, it)
		} else {
			d.Truncated = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	for _, dm := range byMember {
		d.Members = append(d.Members, *dm)
	}
	sort.Slice(d.Members, func(i, j int) bool {
		if d.Members[i].Posts != d.Members[j].Posts {
			return d.Members[i].Posts > d.Members[j].Posts
		}
		return d.Members[i].Member < d.Members[j].Member
	})
	return d, nil
}

// BackfillResult says what a backfill queued.
type BackfillResult struct {
	DigestID string   `json:"digest_id"`
	Posts    int      `json:"posts"`
	Listed   int      `json:"listed"`
	Channels []string `json:"channels"`
}

// Backfill builds the digest of r and queues it, once, on each channel of the
// organisation's rule. Repeating the same request queues nothing new. An empty period
// queues nothing.
func (s *Service) Backfill(ctx context.Context, conn driver.Conn, r BackfillRequest) (BackfillResult, error) {
	rule, ok, err := s.Rule(ctx, r.Org)
	if err != nil {
		return BackfillResult{}, err
	}
	if !ok {
		return BackfillResult{}, fmt.Errorf("%w: organisation %s has no alert rule", ErrBadBackfill, r.Org)
	}
	d, err := BuildDigest(ctx, conn, r, s.now())
	if err != nil {
		return BackfillResult{}, err
	}
	res := BackfillResult{DigestID: d.ID, Posts: d.Posts, Listed: len(d.Items), Channels: []string{}}
	if d.Posts == 0 {
		return res, nil
	}
	for _, ch := range rule.Channels {
		queued, err := s.enqueueDigest(ctx, d, ch)
		if err != nil {
			return res, err
		}
		if queued {
			res.Channels = append(res.Channels, ch)
		}
	}
	s.log.Info("backfill digest queued", "org", d.Org, "digest", d.ID, "posts", d.Posts, "channels", res.Channels)
	return res, nil
}

func (s *Service) enqueueDigest(ctx context.Context, d *Digest, ch string) (bool, error) {
	now := s.now().UTC()
	id := d.ID + "." + ch
	ds := DeliveryState{ID: id, IncidentID: d.ID, Org: d.Org, Channel: ch, Kind: KindDigest, Severity: SeverityNone,
		State: StateQueued, CreatedAt: now, UpdatedAt: now}
	return s.queue(ctx, &ds, &Job{ID: id, Org: d.Org, IncidentID: d.ID, Seq: 1, Kind: KindDigest, Channel: ch,
		CreatedAt: now, Digest: d})
}

// BuildDigestMessage renders a digest as the webhook body (and the source of the e-mail
// and Telegram texts).
func BuildDigestMessage(d *Digest, langs []string, now time.Time) Message {
	m := Message{Type: TypeDigest, AlertID: d.ID, Org: d.Org, Member: d.Member, Kind: KindDigest, Seq: 1,
		Changes: []string{}, Severity: SeverityNone.String(), Categories: []string{}, Where: []Sighting{}, Platforms: []string{},
		Copies: d.Posts, FirstSeen: d.From, LastSeen: d.To, NextSteps: map[string][]string{}, Summary: map[string]string{},
		Status: "digest", CreatedAt: now.UTC(), Digest: d}
	top := SeverityNone
	for _, dm := range d.Members {
		top = max(top, dm.MaxSeverity)
		for _, c := range dm.Categories {
			m.Categories, _ = addSorted(m.Categories, c)
		}
	}
	m.Severity = top.String()
	for _, it := range d.Items {
		m.Platforms, _ = addSorted(m.Platforms, it.Platform)
	}
	for _, l := range langs {
		m.NextSteps[l] = NextSteps(l, m.Platforms)
		if l == "ru" {
			m.Summary[l] = fmt.Sprintf("Сводка по запросу: %d постов с раскрытием данных %d участников организации %s, собранных с %s по %s (до того, как организация или участник были добавлены, поэтому без отдельных оповещений).",
				d.Posts, len(d.Members), d.Org, d.From.Format("2006-01-02 15:04"), d.To.Format("2006-01-02 15:04 UTC"))
		} else {
			m.Summary[l] = fmt.Sprintf("Requested digest: %d posts exposing %d members of %s, collected from %s to %s (before the organisation or member was added, so not alerted one by one).",
				d.Posts, len(d.Members), d.Org, d.From.Format("2006-01-02 15:04"), d.To.Format("2006-01-02 15:04 UTC"))
		}
	}
	return m
}

// writeDigest renders a digest's lists in language l.
func (a *Alert) writeDigest(b *strings.Builder, l string) {
	m := &a.Message
	d := m.Digest
	t := func(en, r string) string {
		if l == "ru" {
			return r
		}
		return en
	}
	fmt.Fprintf(b, "\n%s:\n", t("Members (pseudonymous ids)", "Участники (псевдонимы)"))
	for _, dm := range d.Members {
		var cats []string
		for _, c := range dm.Categories {
			cats = append(cats, CategoryName(l, c))
		}
		fmt.Fprintf(b, "  - %s: %d, %s %s; %s\n", dm.Member, dm.Posts, t("severity up to", "серьёзность до"), dm.MaxSeverity,
			strings.Join(cats, ", "))
	}
	fmt.Fprintf(b, "\n%s:\n", t("Posts (newest first)", "Посты (сначала новые)"))
	for _, it := range d.Items {
		fmt.Fprintf(b, "  - %s / %s: %s (%s %s; %s)\n", it.Platform, it.Channel, it.URL, t("collected", "собрано"),
			it.CollectedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.Join(it.Members, ", "))
	}
	if d.Truncated {
		fmt.Fprintf(b, "  … %s\n", t(fmt.Sprintf("%d more in kuzot", d.Posts-len(d.Items)), fmt.Sprintf("ещё %d в kuzot", d.Posts-len(d.Items))))
	}
}
