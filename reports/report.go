// Package reports builds kuzot's periodic trend reports for advocacy (issue 9): narrative
// volume by frame over time, by language and platform, top channels and accounts, emerging
// terms, coordinated clusters, exposure incidents and alert response times, notable posts
// with identifiers redacted, and a methods section — each figure next to the previous
// period of equal length.
//
// Generate reads ClickHouse and returns a Report; the Report renders as self-contained
// HTML with inline SVG charts (WriteHTML), PDF printed from the same HTML by headless
// Chromium (WritePDF), JSON (WriteJSON) and a zip of CSV files with the table behind every
// chart (WriteCSV). Scheduler runs configured schedules (cron), stores the files, records
// them in the `reports` table and e-mails them; Handler lists them in the web UI.
//
// A report never carries personal data of the people kuzot protects: exposure figures are
// counts by severity, platform and data category only; watch-list members appear nowhere,
// not even as pseudonymous ids; post excerpts are redacted (see Redact).
package reports

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"
)

// ErrOptions marks report options that cannot produce a report (bad period, language).
var ErrOptions = errors.New("invalid report options")

// Frames are the narrative frames of the narrative classifier, in display order. Frames
// not in this list (a newer lexicon) are still counted and shown after these.
var Frames = []string{"propaganda_ban", "foreign_agent", "western_values", "traditional_family",
	"child_protection", "political_smear", "dehumanization", "violence_threat"}

// Severities are the exposure severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low"}

// Options select what a report covers.
type Options struct {
	// From and To bound the period [From, To) in UTC. The previous period is the one of
	// equal length ending at From.
	From, To time.Time
	// Org restricts exposure incidents, exposures and alert figures to one organisation
	// (narrative figures are public-sphere figures and are never per organisation).
	Org string
	// Lang is the report language: "en" (default) or "ru".
	Lang string
	// Title overrides the default title.
	Title string
	// Now is the generation time stamped on the report (time.Now when zero).
	Now time.Time
	// TopN is how many channels and accounts per frame are listed (default 5).
	TopN int
	// NotableN is how many notable posts are listed (default 10).
	NotableN int
	// TermsN is how many emerging terms are listed (default 20).
	TermsN int
	// TermSample caps the flagged posts tokenised per period for emerging terms (default
	// 10000): above it a deterministic hash sample is taken and counts are scaled, so the
	// cost stays flat at millions of posts. The methods section states the sample.
	TermSample int
	// Parallel is how many queries run at once where the work splits by month
	// (default 2).
	Parallel int
	// Events are dated events (laws, elections, arrests) to annotate the timeline with;
	// those inside the period are shown.
	Events []Event
	// Settings are ClickHouse settings applied to every query of the report, for example
	// max_execution_time or max_memory_usage to bound a scheduled report.
	Settings map[string]any
	// Logger, when set, receives each generation step's duration at debug level.
	Logger *slog.Logger
	// MinTermPosts is the minimum number of flagged posts (in the period) a term must
	// occur in to be listed as emerging (default 3).
	MinTermPosts int
}

func (o *Options) normalize() error {
	o.From, o.To = o.From.UTC(), o.To.UTC()
	if o.From.IsZero() || o.To.IsZero() {
		return fmt.Errorf("%w: --from and --to are required", ErrOptions)
	}
	if !o.To.After(o.From) {
		return fmt.Errorf("%w: period end %s is not after its start %s", ErrOptions,
			o.To.Format(time.DateOnly), o.From.Format(time.DateOnly))
	}
	if o.To.Sub(o.From) > 5*366*24*time.Hour {
		return fmt.Errorf("%w: period of %s is longer than five years", ErrOptions, o.To.Sub(o.From))
	}
	if o.From.Add(-o.To.Sub(o.From)).Before(time.Unix(0, 0)) {
		return fmt.Errorf("%w: previous period would start before 1970", ErrOptions)
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	if _, ok := translations[o.Lang]; !ok {
		return fmt.Errorf("%w: language %q (known: en, ru)", ErrOptions, o.Lang)
	}
	if utf8.RuneCountInString(o.Title) > 300 || !utf8.ValidString(o.Title) || !utf8.ValidString(o.Org) {
		return fmt.Errorf("%w: title or organisation is not valid UTF-8 or is longer than 300 characters", ErrOptions)
	}
	for _, e := range o.Events {
		if e.Date.IsZero() || e.Label == "" || utf8.RuneCountInString(e.Label) > 200 || !utf8.ValidString(e.Label) {
			return fmt.Errorf("%w: event %s %q needs a date and a label of at most 200 characters", ErrOptions,
				e.Date.Format(time.DateOnly), e.Label)
		}
	}
	if len(o.Org) > 200 {
		return fmt.Errorf("%w: organisation id longer than 200 bytes", ErrOptions)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.TopN, 5)
	def(&o.NotableN, 10)
	def(&o.TermsN, 20)
	def(&o.TermSample, 10000)
	def(&o.Parallel, 2)
	def(&o.MinTermPosts, 3)
	return nil
}

// Period is a half-open time range [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Report is a generated trend report. Its JSON form is the `--format json` output; every
// slice is a table behind a chart or a list of the HTML report.
type Report struct {
	Title       string    `json:"title"`
	Lang        string    `json:"lang"`
	Org         string    `json:"org,omitempty"`
	Period      Period    `json:"period"`
	Previous    Period    `json:"previous"`
	GeneratedAt time.Time `json:"generated_at"`
	// Bucket is the time step of the timeline: day, week (starting Monday) or month.
	Bucket string `json:"bucket"`

	Summary []Figure `json:"summary"`

	// Frames is flagged narrative posts per frame (a post with two frames counts in both).
	Frames []Count `json:"frames"`
	// Timeline is flagged posts per bucket and frame in the period, zero-filled.
	Timeline []TimelineRow `json:"timeline"`
	// Events are the annotated events inside the period, by date.
	Events    []Event `json:"events"`
	Languages []Count `json:"languages"`
	Platforms []Count `json:"platforms"`

	TopChannels   []SourceRow `json:"top_channels"`
	TopAccounts   []SourceRow `json:"top_accounts"`
	EmergingTerms []TermRow   `json:"emerging_terms"`

	Coordination Coordination `json:"coordination"`
	Exposure     Exposure     `json:"exposure"`

	Notable []NotablePost `json:"notable_posts"`
	Methods Methods       `json:"methods"`
}

// Figure is one headline number with the previous period's value. Change is the relative
// change in percent, nil when the previous value is zero.
type Figure struct {
	Key      string   `json:"key"`
	Value    float64  `json:"value"`
	Previous float64  `json:"previous"`
	Change   *float64 `json:"change_pct"`
	// Unit is "", "%" or "s" (seconds).
	Unit string `json:"unit,omitempty"`
}

// Count is a value of one dimension (frame, language, platform, severity, category) with
// its count in the period and in the previous period.
type Count struct {
	Key      string `json:"key"`
	Count    uint64 `json:"count"`
	Previous uint64 `json:"previous"`
}

// Event is a dated event annotated on the timeline (a law's reading, an election, an
// arrest), as configured under reports.events.
type Event struct {
	Date  time.Time `json:"date"`
	Label string    `json:"label"`
}

// TimelineRow is the number of flagged posts of one frame in one time bucket.
type TimelineRow struct {
	Bucket string `json:"bucket"`
	Frame  string `json:"frame"`
	Posts  uint64 `json:"posts"`
}

// SourceRow is a channel or account that published flagged posts of one frame.
type SourceRow struct {
	Frame    string `json:"frame"`
	Platform string `json:"platform"`
	Name     string `json:"name"`
	Posts    uint64 `json:"posts"`
}

// TermRow is an emerging term: how many flagged posts contained it in the period and in
// the previous one (scaled up when sampled) and its growth factor.
type TermRow struct {
	Term     string  `json:"term"`
	Posts    uint64  `json:"posts"`
	Previous uint64  `json:"previous"`
	Growth   float64 `json:"growth"`
}

// Coordination lists the coordinated clusters active in the period.
type Coordination struct {
	// Available is false when the coordination tables are not in the database.
	Available bool         `json:"available"`
	Clusters  []ClusterRow `json:"clusters"`
	// Previous is the number of clusters active in the previous period.
	Previous uint64 `json:"previous"`
}

// ClusterRow summarises one cluster without naming its accounts.
type ClusterRow struct {
	ID         string    `json:"id"`
	Accounts   uint64    `json:"accounts"`
	Posts      uint64    `json:"posts"`
	Platforms  []string  `json:"platforms"`
	Behaviours []string  `json:"behaviours"`
	Frames     []string  `json:"frames"`
	Score      float64   `json:"score"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	Detector   string    `json:"detector"`
	// Confirmed is true when an analyst labelled the cluster as confirmed coordination
	// (clusters labelled dismissed are not listed).
	Confirmed bool `json:"confirmed"`
}

// Exposure holds exposure and incident figures: counts only, never a person.
type Exposure struct {
	// Posts is exposure posts (the exposure classifier's exposed=1) by severity.
	PostsBySeverity []Count `json:"posts_by_severity"`
	PostsByPlatform []Count `json:"posts_by_platform"`
	// Incidents opened in the period by severity, platform, data category and status.
	IncidentsBySeverity []Count `json:"incidents_by_severity"`
	IncidentsByPlatform []Count `json:"incidents_by_platform"`
	IncidentsByCategory []Count `json:"incidents_by_category"`
	IncidentsByStatus   []Count `json:"incidents_by_status"`
	// MedianAckSeconds is the median time from an incident's opening to its
	// acknowledgement by the organisation (incidents acknowledged so far), nil if none.
	MedianAckSeconds *float64 `json:"median_ack_seconds"`
	// Alerts are alert deliveries in the period by channel, in an organisation's own
	// report only (empty in a general report).
	Alerts []AlertRow `json:"alerts"`
}

// AlertRow is the delivery record of one alert channel: how many alerts were sent, how
// many failed, and the time from a post's collection to the alert (median, 90th pct).
type AlertRow struct {
	Channel       string   `json:"channel"`
	Deliveries    uint64   `json:"deliveries"`
	Sent          uint64   `json:"sent"`
	Failed        uint64   `json:"failed"`
	MedianSeconds *float64 `json:"median_latency_seconds"`
	P90Seconds    *float64 `json:"p90_latency_seconds"`
}

// NotablePost is a flagged post with the most views, redacted.
type NotablePost struct {
	Platform    string    `json:"platform"`
	Channel     string    `json:"channel"`
	URL         string    `json:"url"`
	PublishedAt time.Time `json:"published_at"`
	Views       uint64    `json:"views"`
	Frames      []string  `json:"frames"`
	Score       float64   `json:"score"`
	// Excerpt is the start of the post with identifiers and names masked.
	Excerpt string `json:"excerpt"`
	// Evidence are the phrases that triggered the classifier, redacted the same way.
	Evidence []string `json:"evidence"`
}

// Methods states how the figures were produced.
type Methods struct {
	Classifiers []ClassifierRow `json:"classifiers"`
	// CoordinationParams are the distinct detector parameter sets of the listed clusters.
	CoordinationParams []string `json:"coordination_params"`
	// TermsSampled is true when emerging terms were computed on a sample; TermsRate is
	// the share of flagged posts tokenised in each period.
	TermsSampled bool    `json:"terms_sampled"`
	TermsRate    float64 `json:"terms_rate"`
	MinTermPosts int     `json:"min_term_posts"`
	// Notes are the caveats printed in the methods section.
	Notes []string `json:"notes"`
}

// ClassifierRow is one classifier version that classified posts of the period.
type ClassifierRow struct {
	Classifier string `json:"classifier"`
	Version    string `json:"version"`
	Posts      uint64 `json:"posts"`
	Flagged    uint64 `json:"flagged"`
	// MinFlaggedScore is the lowest score among flagged posts (the effective threshold).
	MinFlaggedScore *float64 `json:"min_flagged_score"`
}

// pct returns the relative change in percent, or nil when prev is zero.
func pct(cur, prev float64) *float64 {
	if prev == 0 {
		return nil
	}
	v := roundTo((cur-prev)/prev*100, 1)
	return &v
}

func figure(key string, cur, prev float64, unit string) Figure {
	return Figure{Key: key, Value: cur, Previous: prev, Change: pct(cur, prev), Unit: unit}
}

// Figure returns the summary figure with the key, and whether it exists.
func (r *Report) Figure(key string) (Figure, bool) {
	for _, f := range r.Summary {
		if f.Key == key {
			return f, true
		}
	}
	return Figure{}, false
}
