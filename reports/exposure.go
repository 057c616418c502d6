package reports

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/storage/readmodel"
)

// exposure computes exposure, incident and alert figures. Nothing that identifies a
// person is selected: no member, no incident id, no URL, no text.
func (q *query) exposure(ctx context.Context, r *Report) error {
	e := &r.Exposure
	for _, g := range []struct {
		by    readmodel.ExposureGroup
		into  *[]Count
		order []string
	}{{readmodel.BySeverity, &e.PostsBySeverity, Severities}, {readmodel.ByPlatform, &e.PostsByPlatform, nil}} {
		kcs, err := readmodel.ExposingPostsBy(q.ctx(ctx, finalSettings), q.conn, q.period, q.o.Org, g.by)
		if err != nil {
			return err
		}
		*g.into = counts(kcs, g.order)
	}
	totals, err := readmodel.CountExposures(q.ctx(ctx, nil), q.conn, q.period, q.o.Org)
	if err != nil {
		return err
	}
	expCur, expPrev := totals.Exposing.Current, totals.Exposing.Previous
	outCur, outPrev := totals.Outing.Current, totals.Outing.Previous

	// Incidents opened in either period; aggregated here (they are few) so that medians
	// are computed the same way as everywhere in the report.
	type incident struct {
		severity, status      string
		platforms, categories []string
		opened, acked         time.Time
		cur                   bool
	}
	var incs []incident
	period := alerts.Period{Prev: q.prev.From, From: q.o.From, To: q.o.To, Org: q.o.Org}
	stored, err := alerts.IncidentsOpened(q.ctx(ctx, finalSettings), q.conn, period)
	if err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	for _, i := range stored {
		incs = append(incs, incident{severity: i.Severity, status: i.Status, platforms: i.Platforms,
			categories: i.Categories, opened: i.Opened, acked: i.Acknowledged, cur: i.Current})
	}
	bySev, byPlat, byCat, byStatus := counter{}, counter{}, counter{}, counter{}
	var incCur, incPrev, severeCur, severePrev uint64
	var ackSecs []float64
	for _, i := range incs {
		bySev.add(i.severity, i.cur)
		byStatus.add(i.status, i.cur)
		for _, p := range dedupe(i.platforms) {
			byPlat.add(p, i.cur)
		}
		for _, c := range dedupe(i.categories) {
			byCat.add(c, i.cur)
		}
		severe := i.severity == "critical" || i.severity == "high"
		if i.cur {
			incCur++
			if severe {
				severeCur++
			}
			if i.status == "acknowledged" && !i.acked.Before(i.opened) && i.acked.Unix() > 0 {
				ackSecs = append(ackSecs, i.acked.Sub(i.opened).Seconds())
			}
		} else {
			incPrev++
			if severe {
				severePrev++
			}
		}
	}
	e.IncidentsBySeverity = bySev.counts(Severities)
	e.IncidentsByPlatform = byPlat.counts(nil)
	e.IncidentsByCategory = byCat.counts(nil)
	e.IncidentsByStatus = byStatus.counts([]string{"open", "acknowledged"})
	e.MedianAckSeconds = median(ackSecs)

	// Alert deliveries created in the period, by channel; latency is from the post's
	// collection to the delivery.
	type delivery struct {
		state   string
		latency float64
		cur     bool
	}
	perChannel := map[string][]delivery{}
	var allSentCur, allSentPrev []float64
	deliveries, err := alerts.DeliveriesCreated(q.ctx(ctx, finalSettings), q.conn, period)
	if err != nil {
		return fmt.Errorf("alert deliveries: %w", err)
	}
	for _, sd := range deliveries {
		d := delivery{state: sd.State, latency: float64(sd.LatencyMS) / 1000, cur: sd.Current}
		if d.state == "sent" {
			if d.cur {
				allSentCur = append(allSentCur, d.latency)
			} else {
				allSentPrev = append(allSentPrev, d.latency)
			}
		}
		if d.cur {
			perChannel[sd.Channel] = append(perChannel[sd.Channel], d)
		}
	}
	// Per-channel rows only in an organisation's own report: channels are configured per
	// organisation, so a general report's table would tell every reader which
	// organisation was alerted how often, and through which receivers.
	if q.o.Org == "" {
		clear(perChannel)
	}
	channels := make([]string, 0, len(perChannel))
	for ch := range perChannel {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	for _, ch := range channels {
		row := AlertRow{Channel: ch}
		var lat []float64
		for _, d := range perChannel[ch] {
			row.Deliveries++
			switch d.state {
			case "sent":
				row.Sent++
				lat = append(lat, d.latency)
			case "failed":
				row.Failed++
			}
		}
		row.MedianSeconds, row.P90Seconds = median(lat), quantileNearest(lat, 0.9)
		e.Alerts = append(e.Alerts, row)
	}
	medCur, medPrev := median(allSentCur), median(allSentPrev)
	r.Summary = append(r.Summary,
		figure("exposure_posts", float64(expCur), float64(expPrev), ""),
		figure("outing_posts", float64(outCur), float64(outPrev), ""),
		figure("incidents", float64(incCur), float64(incPrev), ""),
		figure("incidents_severe", float64(severeCur), float64(severePrev), ""),
		figure("alerts_sent", float64(len(allSentCur)), float64(len(allSentPrev)), ""),
		figure("alert_median_latency", deref(medCur), deref(medPrev), "s"),
	)
	return nil
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// counter counts keys in the current and previous period.
type counter map[string]*Count

func (c counter) add(k string, cur bool) {
	x := c[k]
	if x == nil {
		x = &Count{Key: k}
		c[k] = x
	}
	if cur {
		x.Count++
	} else {
		x.Previous++
	}
}

func (c counter) counts(order []string) []Count {
	out := make([]Count, 0, len(c))
	for _, v := range c {
		out = append(out, *v)
	}
	sortCounts(out, order)
	return out
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// median is the middle value (mean of the two middle values for an even count), nil
// for no values; rounded to 0.1.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	var m float64
	if n := len(s); n%2 == 1 {
		m = s[n/2]
	} else {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	m = roundTo(m, 1)
	return &m
}

// quantileNearest is the nearest-rank quantile (the ceil(q·n)-th smallest value).
func quantileNearest(xs []float64, q float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	v := roundTo(s[max(i, 0)], 1)
	return &v
}
