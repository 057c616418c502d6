package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Incident status values (the incidents.status Enum8).
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
)

// Notification kinds (the alert_deliveries.kind Enum8).
const (
	KindNew    = "new"
	KindUpdate = "update"
)

// Reasons an incident update is sent.
const (
	ChangeNewPlatform    = "new_platform"
	ChangeNewURL         = "new_url"
	ChangeHigherSeverity = "higher_severity"
)

// Bounds that keep one member's state small enough for a KV value.
const (
	maxIncidentsPerMember = 200
	maxSightings          = 50
	maxPostIDs            = 1000
	maxPrints             = 32
	maxKeys               = 256
	maxNotifications      = 50
	maxEvidenceBytes      = 1500
)

// Sighting is one copy of the exposed content: where it was seen. No personal data.
type Sighting struct {
	PostID      string    `json:"post_id"`
	Platform    string    `json:"platform"`
	Channel     string    `json:"channel"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	CollectedAt time.Time `json:"collected_at"`
	Views       int64     `json:"views"`
}

// Observation is what one classified post tells about one (org, member).
type Observation struct {
	Sighting
	Severity    Severity
	Categories  []string
	Evidence    string
	Fingerprint Fingerprint
}

// Notification is one message to the organisation about an incident: the first ("new")
// or a later "update". It is sent once per channel, not before NotBefore; changes
// arriving before then join it instead of producing another message.
type Notification struct {
	Seq       uint32    `json:"seq"`
	Kind      string    `json:"kind"`
	Changes   []string  `json:"changes,omitempty"`
	Trigger   string    `json:"trigger_post"`
	Collected time.Time `json:"trigger_collected_at"`
	NotBefore time.Time `json:"not_before"`
	CreatedAt time.Time `json:"created_at"`
	Channels  []string  `json:"channels"`
}

// Incident is one (organisation, member, exposed content) with every copy seen.
type Incident struct {
	ID             string         `json:"id"`
	Org            string         `json:"org"`
	Member         string         `json:"member"`
	Severity       Severity       `json:"severity"`
	Categories     []string       `json:"categories"`
	Platforms      []string       `json:"platforms"`
	URLs           []string       `json:"urls"`
	PostIDs        []string       `json:"post_ids"`
	Sightings      []Sighting     `json:"sightings"`
	Copies         int            `json:"copies"`
	MaxViews       int64          `json:"max_views"`
	Evidence       string         `json:"evidence"`
	Prints         []Fingerprint  `json:"prints"`
	Status         string         `json:"status"`
	OpenedAt       time.Time      `json:"opened_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	AcknowledgedAt time.Time      `json:"acknowledged_at,omitzero"`
	AcknowledgedBy string         `json:"acknowledged_by,omitempty"`
	Notifications  []Notification `json:"notifications"`
}

// Fingerprint returns the incident's identity for reports: a hash of org, member and
// the first copy's canonical URL (as the research note recommends).
func (in *Incident) Fingerprint() string {
	first := ""
	if len(in.Sightings) > 0 {
		first = CanonicalURL(in.Sightings[0].URL)
	}
	h := sha256.Sum256([]byte(in.Org + "\x00" + in.Member + "\x00" + first))
	return hex.EncodeToString(h[:8])
}

// Notification returns the notification with sequence number seq.
func (in *Incident) Notification(seq uint32) (*Notification, bool) {
	for i := range in.Notifications {
		if in.Notifications[i].Seq == seq {
			return &in.Notifications[i], true
		}
	}
	return nil, false
}

// MemberState is every incident of one member of one organisation: the value of one KV
// key, updated with compare-and-set so that several alert workers agree.
type MemberState struct {
	Org       string      `json:"org"`
	Member    string      `json:"member"`
	Incidents []*Incident `json:"incidents"`
}

// Incident returns the incident with the given id.
func (s *MemberState) Incident(id string) (*Incident, bool) {
	for _, in := range s.Incidents {
		if in.ID == id {
			return in, true
		}
	}
	return nil, false
}

// IncidentID is deterministic in the first post, so that reprocessing a message after a
// lost compare-and-set gives the same incident.
func IncidentID(org, member, postID string) string {
	h := sha256.Sum256([]byte(org + "\x00" + member + "\x00" + postID))
	return "inc_" + hex.EncodeToString(h[:10])
}

// DeliveryID names one notification on one channel; it is the outbox message id, the
// delivery-state key and the receiver's idempotency key (webhook-id).
func DeliveryID(incidentID string, seq uint32, channel string) string {
	return fmt.Sprintf("%s.%d.%s", incidentID, seq, channel)
}

// Outcome is what applying an observation did.
type Outcome struct {
	Incident *Incident
	// Created is true for a new incident.
	Created bool
	// Duplicate is true when the post was already part of the incident (a redelivery).
	Duplicate bool
	// Schedule is the notification to enqueue now, if any.
	Schedule *Notification
	// Coalesced is true when changes joined a notification not yet due.
	Coalesced bool
	// Suppressed is true when there was news but the incident is acknowledged.
	Suppressed bool
	// Republish are notifications this post triggered before (on a redelivery), to be
	// enqueued again; the outbox deduplicates them.
	Republish []Notification
}

// coalesceMargin keeps a change from joining a notification that is about to be sent
// (a sender may be rendering it already); it then schedules its own update.
const coalesceMargin = time.Second

// Apply folds one observation into the member's state under the org's rule and decides
// what to send. It is a pure function of its inputs so that a compare-and-set retry can
// run it again on fresh state.
func Apply(s *MemberState, o *Observation, rule *Rule, now time.Time) Outcome {
	var in *Incident
	for _, c := range s.Incidents {
		if containsSorted(c.PostIDs, o.PostID) {
			out := Outcome{Incident: c, Duplicate: true}
			for _, n := range c.Notifications {
				if n.Trigger == o.PostID {
					out.Republish = append(out.Republish, n)
				}
			}
			return out
		}
		if in == nil && c.matches(&o.Fingerprint) {
			in = c
		}
	}
	if in == nil {
		in = &Incident{
			ID: IncidentID(s.Org, s.Member, o.PostID), Org: s.Org, Member: s.Member, Severity: o.Severity,
			Status: StatusOpen, OpenedAt: now, UpdatedAt: now, Categories: []string{}, Platforms: []string{},
			URLs: []string{}, PostIDs: []string{},
		}
		in.merge(o)
		n := Notification{Seq: 1, Kind: KindNew, Trigger: o.PostID, Collected: o.CollectedAt,
			NotBefore: now.Add(rule.FirstDelay), CreatedAt: now, Channels: slices.Clone(rule.Channels)}
		in.Notifications = []Notification{n}
		s.Incidents = append(s.Incidents, in)
		s.evict()
		return Outcome{Incident: in, Created: true, Schedule: &in.Notifications[0]}
	}
	var changes []string
	if !slices.Contains(in.Platforms, o.Platform) {
		changes = append(changes, ChangeNewPlatform)
	}
	if o.URL != "" && !slices.Contains(in.URLs, o.URL) {
		changes = append(changes, ChangeNewURL)
	}
	if o.Severity > in.Severity {
		changes = append(changes, ChangeHigherSeverity)
	}
	in.merge(o)
	in.UpdatedAt = now
	out := Outcome{Incident: in}
	if len(changes) == 0 {
		return out
	}
	if in.Status == StatusAcknowledged {
		out.Suppressed = true
		return out
	}
	last := &in.Notifications[len(in.Notifications)-1]
	if now.Add(coalesceMargin).Before(last.NotBefore) {
		for _, c := range changes {
			if !slices.Contains(last.Changes, c) {
				last.Changes = append(last.Changes, c)
			}
		}
		out.Coalesced = true
		return out
	}
	nb := last.NotBefore.Add(rule.GroupWindow)
	if nb.Before(now) {
		nb = now
	}
	in.Notifications = append(in.Notifications, Notification{Seq: last.Seq + 1, Kind: KindUpdate, Changes: changes,
		Trigger: o.PostID, Collected: o.CollectedAt, NotBefore: nb, CreatedAt: now, Channels: slices.Clone(rule.Channels)})
	if len(in.Notifications) > maxNotifications {
		in.Notifications = slices.Delete(in.Notifications, 0, len(in.Notifications)-maxNotifications)
	}
	out.Schedule = &in.Notifications[len(in.Notifications)-1]
	return out
}

func (in *Incident) matches(fp *Fingerprint) bool {
	for i := range in.Prints {
		if in.Prints[i].Same(fp) {
			return true
		}
	}
	return false
}

// merge adds a copy to the incident (caller checked it is not a duplicate).
func (in *Incident) merge(o *Observation) {
	if len(in.PostIDs) < maxPostIDs {
		in.PostIDs, _ = addSorted(in.PostIDs, o.PostID)
	}
	in.Copies++
	in.Platforms, _ = addSorted(in.Platforms, o.Platform)
	if o.URL != "" && len(in.URLs) < maxSightings {
		in.URLs, _ = addSorted(in.URLs, o.URL)
	}
	for _, c := range o.Categories {
		in.Categories, _ = addSorted(in.Categories, c)
	}
	if o.Severity > in.Severity || in.Evidence == "" {
		if o.Evidence != "" {
			in.Evidence = o.Evidence
		}
	}
	in.Severity = max(in.Severity, o.Severity)
	in.MaxViews = max(in.MaxViews, o.Views)
	if len(in.Sightings) < maxSightings {
		in.Sightings = append(in.Sightings, o.Sighting)
	}
	if len(in.Prints) < maxPrints {
		fp := o.Fingerprint
		if len(fp.Keys) > maxKeys {
			fp.Keys = fp.Keys[:maxKeys]
		}
		in.Prints = append(in.Prints, fp)
	}
}

// evict keeps the member's state bounded, dropping acknowledged and then the least
// recently updated incidents first.
func (s *MemberState) evict() {
	if len(s.Incidents) <= maxIncidentsPerMember {
		return
	}
	sort.SliceStable(s.Incidents, func(i, j int) bool {
		a, b := s.Incidents[i], s.Incidents[j]
		if (a.Status == StatusAcknowledged) != (b.Status == StatusAcknowledged) {
			return a.Status == StatusAcknowledged
		}
		return a.UpdatedAt.Before(b.UpdatedAt)
	})
	s.Incidents = s.Incidents[len(s.Incidents)-maxIncidentsPerMember:]
}

// Acknowledge marks the incident acknowledged; later copies update it silently.
func (in *Incident) Acknowledge(by string, now time.Time) bool {
	if in.Status == StatusAcknowledged {
		return false
	}
	in.Status, in.AcknowledgedBy, in.AcknowledgedAt, in.UpdatedAt = StatusAcknowledged, by, now, now
	return true
}
