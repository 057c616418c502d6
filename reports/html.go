package reports

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed template.html
var templateHTML string

// htmlPage is what the HTML template sees.
type htmlPage struct {
	*Report
	Charts struct {
		Timeline, Frames, Languages, Platforms, IncidentsBySeverity, PostsBySeverity template.HTML
	}
	TimelineFrames []string
}

// newTemplate parses the report template with the functions bound to a language.
func newTemplate(lang string) (*template.Template, error) {
	t := func(key string) string { return tr(lang, key) }
	funcs := template.FuncMap{
		"t":   t,
		"num": formatNumber,
		"u64": func(v uint64) string { return formatNumber(float64(v)) },
		"fig": func(f Figure) string {
			s := formatNumber(f.Value)
			if f.Unit == "%" {
				s += " %"
			}
			return s
		},
		"prevfig": func(f Figure) string {
			s := formatNumber(f.Previous)
			if f.Unit == "%" {
				s += " %"
			}
			return s
		},
		"change": func(p *float64) string {
			if p == nil {
				return "—"
			}
			if *p > 0 {
				return fmt.Sprintf("+%s %%", formatNumber(*p))
			}
			return formatNumber(*p) + " %"
		},
		"changeClass": func(p *float64) string {
			switch {
			case p == nil || *p == 0:
				return "flat"
			case *p > 0:
				return "up"
			}
			return "down"
		},
		"optsec": func(p *float64) string {
			if p == nil {
				return t("n_a")
			}
			return formatNumber(*p)
		},
		"date": func(tm time.Time) string { return tm.UTC().Format(time.DateOnly) },
		"datetime": func(tm time.Time) string {
			return tm.UTC().Format("2006-01-02 15:04") + " UTC"
		},
		// lastDay shows the inclusive end of a half-open period ending at midnight.
		"lastDay": func(tm time.Time) string {
			tm = tm.UTC()
			if tm.Equal(tm.Truncate(24 * time.Hour)) {
				tm = tm.Add(-time.Second)
			}
			return tm.Format(time.DateOnly)
		},
		"frames": func(fs []string) string {
			out := make([]string, len(fs))
			for i, f := range fs {
				out[i] = t(f)
			}
			return strings.Join(out, ", ")
		},
		"join":    strings.Join,
		"pctRate": func(x float64) string { return formatNumber(roundTo(x*100, 2)) + " %" },
		"sprintf": fmt.Sprintf,
		"inc":     func(i int) int { return i + 1 },
	}
	return template.New("report").Funcs(funcs).Parse(templateHTML)
}

// WriteHTML renders the report as one self-contained HTML document: inline CSS, inline
// SVG charts, no scripts, fonts or images fetched from anywhere.
func WriteHTML(w io.Writer, r *Report) error {
	tpl, err := newTemplate(r.Lang)
	if err != nil {
		return fmt.Errorf("reports: template: %w", err)
	}
	p := &htmlPage{Report: r}
	label := func(k string) string { return tr(r.Lang, k) }
	for _, f := range r.Frames {
		if f.Count > 0 {
			p.TimelineFrames = append(p.TimelineFrames, f.Key)
		}
	}
	cur, prev := tr(r.Lang, "value"), tr(r.Lang, "previous")
	p.Charts.Timeline = stackedColumns(tr(r.Lang, "over_time"), r.Timeline, p.TimelineFrames, label, r.Period, r.Events)
	p.Charts.Frames = barChart(tr(r.Lang, "by_frame"), r.Frames, label, cur, prev)
	p.Charts.Languages = barChart(tr(r.Lang, "by_language"), r.Languages, label, cur, prev)
	p.Charts.Platforms = barChart(tr(r.Lang, "by_platform"), r.Platforms, label, cur, prev)
	p.Charts.IncidentsBySeverity = barChart(tr(r.Lang, "incidents_by_severity"), r.Exposure.IncidentsBySeverity, label, cur, prev)
	p.Charts.PostsBySeverity = barChart(tr(r.Lang, "posts_by_severity"), r.Exposure.PostsBySeverity, label, cur, prev)
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("reports: render html: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
