package web

import (
	"fmt"
	"strings"
	"time"

	"github.com/kuzot/kuzot/classifiers/narrative"
)

// Role is an account's role. Authorisation is decided from the role, the organisation
// and the CanUnredact flag only, in one place (authz.go).
type Role string

// The three roles of the issue: administrators manage accounts and may see unredacted
// evidence; analysts see everything redacted; organisation users see only their own
// organisation's incidents and alerts.
const (
	RoleAdmin   Role = "admin"
	RoleAnalyst Role = "analyst"
	RoleOrg     Role = "org"
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAdmin, RoleAnalyst, RoleOrg:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (admin, analyst, org)", s)
}

// User is one account. PasswordHash never leaves the server (json:"-").
type User struct {
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Org          string    `json:"org,omitempty"`
	CanUnredact  bool      `json:"can_unredact"`
	Disabled     bool      `json:"disabled"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Privileged reports whether u may see unredacted evidence (always audited).
func (u User) Privileged() bool { return u.Role == RoleAdmin || u.CanUnredact }

// Scope restricts queries to what a user may see: an organisation user sees only the
// incidents and alerts of Org; everyone else sees all organisations.
type Scope struct {
	Org string
	All bool
}

// ScopeOf is the data scope of u.
func ScopeOf(u User) Scope {
	if u.Role == RoleOrg {
		return Scope{Org: u.Org}
	}
	return Scope{All: true}
}

// Evidence is one narrative evidence span: byte offsets into the post text (issue 4's
// narrative result).
type Evidence struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Frame string `json:"frame"`
}

// NarrativeEvidence extracts the evidence spans of a stored narrative result, decoded
// through the classifier's own type (narrative.DecodeResult); a malformed or
// foreign result gives none (the post is still shown, without highlights).
func NarrativeEvidence(result string) []Evidence {
	if result == "" {
		return nil
	}
	r, err := narrative.DecodeResult([]byte(result))
	if err != nil || r.Evidence == nil {
		return nil
	}
	out := make([]Evidence, 0, len(r.Evidence))
	for _, e := range r.Evidence {
		out = append(out, Evidence{Start: e.Start, End: e.End, Text: e.Text, Frame: string(e.Frame)})
	}
	return out
}

// PostRow is one flagged post in lists (overview, explorer).
type PostRow struct {
	ID          string    `json:"id"`
	Source      string    `json:"source"`
	Channel     string    `json:"channel"`
	Author      string    `json:"author"`
	URL         string    `json:"url"`
	Lang        string    `json:"lang"`
	PublishedAt time.Time `json:"published_at"`
	Frames      []string  `json:"frames"`
	Score       float64   `json:"score"`
	// Text is the post text, or the redacted text when the post exposes someone
	// (Redacted true); Evidence is empty then, as spans point into the raw text.
	Text     string `json:"text"`
	Redacted bool   `json:"redacted"`
	// Unverified: the exposure classifier has no current verdict on the post yet, so
	// every identifier the recognisers find is masked (Redacted is true too).
	Unverified bool       `json:"unverified,omitempty"`
	Evidence   []Evidence `json:"evidence"`
	// Flagged is the narrative verdict, and ModelVersion the version of the model that
	// gave it ("" for a post without a narrative classification).
	Flagged      bool   `json:"flagged"`
	ModelVersion string `json:"model_version"`
	// Kind is post, comment or reply; a comment or reply names the item it answers
	// (ParentID) and the post or video of its thread (RootID), shown as Root.
	Kind     string      `json:"kind,omitempty"`
	ParentID string      `json:"parent_id,omitempty"`
	RootID   string      `json:"root_id,omitempty"`
	Root     *ThreadRoot `json:"root,omitempty"`
}

// IsComment reports whether the row is a comment or reply.
func (r PostRow) IsComment() bool { return r.Kind == "comment" || r.Kind == "reply" }

// ThreadRoot is the post or video a comment belongs to, as the UI shows it next to the
// comment: its title and text (redacted like any post text) and links.
type ThreadRoot struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	URL      string `json:"url"`
	Redacted bool   `json:"redacted"`
	// Missing: the root is not stored (collected before threads, or deleted).
	Missing bool `json:"missing,omitempty"`
}

// DayFrame is one point of the daily volume series.
type DayFrame struct {
	Day   time.Time `json:"day"`
	Frame string    `json:"frame"`
	Posts uint64    `json:"posts"`
}

// Count is a labelled count (top channels, severities...).
type Count struct {
	Label string `json:"label"`
	N     uint64 `json:"n"`
}

// Overview is the landing page's data.
type Overview struct {
	From          time.Time  `json:"from"`
	To            time.Time  `json:"to"`
	Posts         uint64     `json:"posts"`
	Flagged       uint64     `json:"flagged"`
	Exposures     uint64     `json:"exposures"`
	OpenIncidents uint64     `json:"open_incidents"`
	Daily         []DayFrame `json:"daily"`
	TopChannels   []Count    `json:"top_channels"`
	Latest        []PostRow  `json:"latest"`
	Clusters      []Cluster  `json:"clusters"`
	Incidents     []Incident `json:"incidents"`
}

// Filter selects posts in the narrative explorer.
type Filter struct {
	Frame   string
	Lang    string
	Source  string
	Channel string
	// Q is a case-insensitive substring searched in the post text.
	Q string
	// Model keeps posts classified by this model version only.
	Model string
	// All lists every classified post, flagged or not (to find posts the classifier
	// missed); otherwise only flagged posts.
	All    bool
	From   time.Time
	To     time.Time
	Limit  int
	Offset int
}

// Incident is an exposure incident (table incidents), never holding personal data.
type Incident struct {
	ID             string    `json:"id"`
	Org            string    `json:"org"`
	Member         string    `json:"member"`
	Severity       string    `json:"severity"`
	Categories     []string  `json:"categories"`
	Platforms      []string  `json:"platforms"`
	URLs           []string  `json:"urls"`
	PostIDs        []string  `json:"post_ids"`
	MaxViews       uint64    `json:"max_views"`
	Status         string    `json:"status"`
	OpenedAt       time.Time `json:"opened_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	AcknowledgedBy string    `json:"acknowledged_by,omitempty"`
}

// IncidentPost is one post of an incident: redacted text by default, the raw text only
// in an unredacted (audited) view.
type IncidentPost struct {
	PostID      string    `json:"post_id"`
	Source      string    `json:"source"`
	Channel     string    `json:"channel"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	Severity    string    `json:"severity"`
	Categories  []string  `json:"categories"`
	Text        string    `json:"text"`
	Redacted    bool      `json:"redacted"`
	// Purged is set in an unredacted view when retention has already removed the raw text.
	Purged bool `json:"purged,omitempty"`
}

// Delivery is one alert delivery (table alert_deliveries).
type Delivery struct {
	ID         string    `json:"id"`
	IncidentID string    `json:"incident_id"`
	Org        string    `json:"org"`
	Channel    string    `json:"channel"`
	Kind       string    `json:"kind"`
	Severity   string    `json:"severity"`
	State      string    `json:"state"`
	Attempts   uint32    `json:"attempts"`
	LatencyMS  uint32    `json:"latency_ms"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// SourceHealth is the collection state of one channel, from what was stored.
type SourceHealth struct {
	Source        string    `json:"source"`
	Channel       string    `json:"channel"`
	Posts24h      uint64    `json:"posts_24h"`
	Posts7d       uint64    `json:"posts_7d"`
	LastCollected time.Time `json:"last_collected"`
	LastPublished time.Time `json:"last_published"`
	// Stale is set when nothing was collected in the last 24 hours.
	Stale bool `json:"stale"`
}

// Cluster is a coordinated group of accounts (table coordination_clusters).
type Cluster struct {
	ID            string    `json:"id"`
	Size          uint32    `json:"size"`
	Accounts      []string  `json:"accounts"`
	Posts         []string  `json:"posts"`
	Behaviours    []string  `json:"behaviours"`
	Score         float64   `json:"score"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
	DetectedAt    time.Time `json:"detected_at"`
	Detector      string    `json:"detector,omitempty"`
	Texts         []string  `json:"texts,omitempty"`
	Links         []string  `json:"links,omitempty"`
	Frames        []string  `json:"frames,omitempty"`
	CappedObjects uint32    `json:"capped_objects"`
	Members       []Member  `json:"members,omitempty"`
	// Rhythm is the cluster's burst timeline and Platforms the sources of its accounts
	// (table coordination_rhythm, issue 21); nil for clusters stored before it.
	Rhythm    *ClusterRhythm `json:"rhythm,omitempty"`
	Platforms []string       `json:"platforms,omitempty"`
	// Label is an analyst's verdict: "", confirmed or dismissed.
	Label      string `json:"label,omitempty"`
	LabelledBy string `json:"labelled_by,omitempty"`
	LabelNote  string `json:"label_note,omitempty"`
	version    uint64
}

// ClusterRhythm says when a cluster acts: its label (one-off, hourly, daily, weekly),
// number of bursts, median gap between them and its most recent bursts.
type ClusterRhythm struct {
	Kind         string         `json:"kind"`
	Bursts       uint32         `json:"bursts"`
	MedianGapSec uint32         `json:"median_gap_s"`
	First        time.Time      `json:"first"`
	Last         time.Time      `json:"last"`
	Timeline     []ClusterBurst `json:"timeline"`
}

// ClusterBurst is one burst of a cluster. X and W place it on the page's timeline
// (percent of the span from the first to the last burst); Y and H give its bar height
// (of 10) by the accounts that took part.
type ClusterBurst struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Accounts uint32    `json:"accounts"`
	X        float64   `json:"-"`
	W        float64   `json:"-"`
	Y        float64   `json:"-"`
	H        float64   `json:"-"`
}

// MedianGap is the median gap as a duration, for display.
func (r *ClusterRhythm) MedianGap() time.Duration { return time.Duration(r.MedianGapSec) * time.Second }

// AuditEntry is one audit_log row.
type AuditEntry struct {
	At         time.Time `json:"at"`
	User       string    `json:"user"`
	Role       string    `json:"role"`
	Org        string    `json:"org,omitempty"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	IP         string    `json:"ip,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// Report is one file of a generated report offered for download.
type Report struct {
	// Name is the file name (download at /reports/{name}).
	Name   string `json:"name"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	// ID is the report's id in the reports table; Org is "" for a general report.
	ID       string    `json:"id"`
	Org      string    `json:"org,omitempty"`
	Lang     string    `json:"lang"`
	From     time.Time `json:"period_from"`
	To       time.Time `json:"period_to"`
	Modified time.Time `json:"generated_at"`
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
