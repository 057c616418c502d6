package reports

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Formats are the output formats, as accepted by --format and in schedules.
var Formats = []string{"html", "pdf", "csv", "json"}

// Ext is the file extension of a format (csv is a zip of CSV files).
func Ext(format string) string {
	if format == "csv" {
		return ".csv.zip"
	}
	return "." + format
}

// ContentType is the MIME type of a format's file.
func ContentType(format string) string {
	switch format {
	case "html":
		return "text/html; charset=utf-8"
	case "pdf":
		return "application/pdf"
	case "csv":
		return "application/zip"
	}
	return "application/json"
}

// WriteJSON writes the report as indented JSON: every figure and every table.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("reports: json: %w", err)
	}
	return nil
}

// Table is one table behind a chart or list, with a header row.
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
}

func u(v uint64) string  { return strconv.FormatUint(v, 10) }
func f(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
func optf(p *float64) string {
	if p == nil {
		return ""
	}
	return f(*p)
}
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func countTable(name, key string, cs []Count) Table {
	t := Table{Name: name, Header: []string{key, "count", "previous"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Key, u(c.Count), u(c.Previous)})
	}
	return t
}

// Tables returns every table of the report, in report order. Keys are machine names
// (frame ids, ISO dates) so that the tables can be re-used in other tools.
func (r *Report) Tables() []Table {
	sum := Table{Name: "summary", Header: []string{"figure", "value", "previous", "change_pct", "unit"}}
	for _, x := range r.Summary {
		sum.Rows = append(sum.Rows, []string{x.Key, f(x.Value), f(x.Previous), optf(x.Change), x.Unit})
	}
	tl := Table{Name: "timeline", Header: []string{"bucket_start", "frame", "posts"}}
	for _, x := range r.Timeline {
		tl.Rows = append(tl.Rows, []string{x.Bucket, x.Frame, u(x.Posts)})
	}
	ev := Table{Name: "events", Header: []string{"number", "date", "label"}}
	for i, e := range r.Events {
		ev.Rows = append(ev.Rows, []string{strconv.Itoa(i + 1), e.Date.UTC().Format(time.DateOnly), e.Label})
	}
	src := func(name string, rows []SourceRow) Table {
		t := Table{Name: name, Header: []string{"frame", "platform", "name", "posts"}}
		for _, x := range rows {
			t.Rows = append(t.Rows, []string{x.Frame, x.Platform, x.Name, u(x.Posts)})
		}
		return t
	}
	terms := Table{Name: "emerging_terms", Header: []string{"term", "posts", "previous", "growth"}}
	for _, x := range r.EmergingTerms {
		terms.Rows = append(terms.Rows, []string{x.Term, u(x.Posts), u(x.Previous), f(x.Growth)})
	}
	cl := Table{Name: "clusters", Header: []string{"id", "accounts", "posts", "platforms", "behaviours", "frames", "score", "first", "last", "detector", "confirmed"}}
	for _, x := range r.Coordination.Clusters {
		cl.Rows = append(cl.Rows, []string{x.ID, u(x.Accounts), u(x.Posts), strings.Join(x.Platforms, ";"),
			strings.Join(x.Behaviours, ";"), strings.Join(x.Frames, ";"), f(x.Score), ts(x.First), ts(x.Last), x.Detector, strconv.FormatBool(x.Confirmed)})
	}
	al := Table{Name: "alerts", Header: []string{"channel", "deliveries", "sent", "failed", "median_latency_seconds", "p90_latency_seconds"}}
	for _, x := range r.Exposure.Alerts {
		al.Rows = append(al.Rows, []string{x.Channel, u(x.Deliveries), u(x.Sent), u(x.Failed), optf(x.MedianSeconds), optf(x.P90Seconds)})
	}
	nb := Table{Name: "notable_posts", Header: []string{"platform", "channel", "url", "published_at", "views", "frames", "score", "excerpt", "evidence"}}
	for _, x := range r.Notable {
		nb.Rows = append(nb.Rows, []string{x.Platform, x.Channel, x.URL, ts(x.PublishedAt), u(x.Views), strings.Join(x.Frames, ";"),
			f(x.Score), x.Excerpt, strings.Join(x.Evidence, " | ")})
	}
	me := Table{Name: "methods", Header: []string{"classifier", "version", "posts", "flagged", "min_flagged_score"}}
	for _, x := range r.Methods.Classifiers {
		me.Rows = append(me.Rows, []string{x.Classifier, x.Version, u(x.Posts), u(x.Flagged), optf(x.MinFlaggedScore)})
	}
	return []Table{
		sum,
		countTable("frames", "frame", r.Frames),
		tl,
		ev,
		countTable("languages", "lang", r.Languages),
		countTable("platforms", "platform", r.Platforms),
		src("top_channels", r.TopChannels),
		src("top_accounts", r.TopAccounts),
		terms,
		cl,
		countTable("exposure_posts_by_severity", "severity", r.Exposure.PostsBySeverity),
		countTable("exposure_posts_by_platform", "platform", r.Exposure.PostsByPlatform),
		countTable("incidents_by_severity", "severity", r.Exposure.IncidentsBySeverity),
		countTable("incidents_by_platform", "platform", r.Exposure.IncidentsByPlatform),
		countTable("incidents_by_category", "category", r.Exposure.IncidentsByCategory),
		countTable("incidents_by_status", "status", r.Exposure.IncidentsByStatus),
		al,
		nb,
		me,
	}
}

// WriteCSV writes a zip archive holding one CSV file per table (UTF-8, header row, comma
// separated), named NN_<table>.csv in report order.
func WriteCSV(w io.Writer, r *Report) error {
	zw := zip.NewWriter(w)
	for i, t := range r.Tables() {
		hdr := &zip.FileHeader{Name: fmt.Sprintf("%02d_%s.csv", i+1, t.Name), Method: zip.Deflate, Modified: r.GeneratedAt}
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("reports: csv %s: %w", t.Name, err)
		}
		cw := csv.NewWriter(fw)
		if err := cw.Write(t.Header); err != nil {
			return fmt.Errorf("reports: csv %s: %w", t.Name, err)
		}
		rows := make([][]string, len(t.Rows))
		for i, row := range t.Rows {
			rows[i] = make([]string, len(row))
			for j, c := range row {
				rows[i][j] = csvSafe(c)
			}
		}
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("reports: csv %s: %w", t.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("reports: csv zip: %w", err)
	}
	return nil
}

// csvSafe defuses spreadsheet formula injection: a text cell from a hostile source
// ("=HYPERLINK(...)", "@SUM(...)") is prefixed with an apostrophe. Numbers are kept.
func csvSafe(c string) string {
	if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return c
	}
	if _, err := strconv.ParseFloat(c, 64); err == nil {
		return c
	}
	return "'" + c
}
