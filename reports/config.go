package reports

import (
	"errors"
	"fmt"
	"net/mail"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
)

// SMTPPasswordEnv names the environment variable holding the SMTP password, so that the
// configuration file never carries it.
const SMTPPasswordEnv = "KUZOT_REPORTS_SMTP_PASSWORD"

// Config is the `reports:` section of the configuration file.
//
//	reports:
//	  output_dir: ""            # default <data_dir>/reports (the web UI lists this directory)
//	  chromium: ""              # default: /usr/bin/chromium or chromium on PATH
//	  pdf_timeout: 60s
//	  catch_up: true            # on start, produce the latest missed report of each schedule
//	  smtp: {host: smtp.example.org, port: 587, username: kuzot, from: "kuzot <reports@example.org>"}
//	  schedules:
//	    - name: weekly
//	      cron: "0 6 * * 1"     # minute hour day-of-month month day-of-week, UTC
//	      period: week          # day, week, month, quarter or a duration such as 168h
//	      formats: [html, pdf, csv, json]
//	      lang: en
//	      recipients: [reports@ngo.example.org]
type Config struct {
	OutputDir  string        `yaml:"output_dir"`
	Chromium   string        `yaml:"chromium"`
	PDFTimeout time.Duration `yaml:"pdf_timeout"`
	// CatchUp makes the scheduler generate, on start, the most recent report of every
	// schedule that is missing (the process was down when it was due).
	CatchUp *bool `yaml:"catch_up"`
	// Events annotate the timeline of every report whose period contains them.
	Events    []ConfigEvent `yaml:"events"`
	SMTP      SMTP          `yaml:"smtp"`
	Schedules []Schedule    `yaml:"schedules"`
}

// ConfigEvent is one entry of reports.events: {date: 2026-03-05, label: "..."}.
type ConfigEvent struct {
	Date  string `yaml:"date"`
	Label string `yaml:"label"`
}

// TimelineEvents returns the configured events, parsed (ParseConfig validated them).
func (c *Config) TimelineEvents() []Event {
	if c == nil {
		return nil
	}
	out := make([]Event, 0, len(c.Events))
	for _, e := range c.Events {
		d, err := time.Parse(time.DateOnly, e.Date)
		if err == nil {
			out = append(out, Event{Date: d, Label: e.Label})
		}
	}
	return out
}

// SMTP is the mail server reports are sent through. TLS is mandatory: STARTTLS (default,
// port 587) or implicit TLS (port 465).
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	// Password comes from $KUZOT_REPORTS_SMTP_PASSWORD when empty.
	Password config.Secret `yaml:"password"`
	From     string        `yaml:"from"`
	// TLS is "starttls" (default) or "implicit".
	TLS string `yaml:"tls"`
	// CAFile is a PEM bundle to trust instead of the system roots (private relays, tests).
	CAFile  string        `yaml:"ca_file"`
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttachmentBytes caps the attachments of one mail; formats that do not fit are
	// left out and the mail says where to download them (default 10 MiB).
	MaxAttachmentBytes int64 `yaml:"max_attachment_bytes"`
}

// Schedule is one periodic report.
type Schedule struct {
	Name string `yaml:"name"`
	// Cron is a five-field cron expression (or @daily, @weekly, @monthly) in UTC.
	Cron string `yaml:"cron"`
	// Period is the span the report covers, ending at the start of the day the schedule
	// fires (week: the last full Monday–Sunday week; month and quarter: the last full
	// calendar ones).
	Period     string   `yaml:"period"`
	Formats    []string `yaml:"formats"`
	Lang       string   `yaml:"lang"`
	Org        string   `yaml:"org"`
	Title      string   `yaml:"title"`
	Recipients []string `yaml:"recipients"`

	sched cron.Schedule
}

var scheduleName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ParseConfig decodes the reports section strictly, fills defaults (output_dir is
// defaultDir when unset: the directory the web UI lists) and validates it, reporting
// every problem.
func ParseConfig(node *yaml.Node, defaultDir string) (*Config, error) {
	c := &Config{}
	if err := config.DecodeSection(node, "reports", c); err != nil {
		return nil, err
	}
	if c.OutputDir == "" {
		c.OutputDir = defaultDir
	}
	if c.PDFTimeout == 0 {
		c.PDFTimeout = 60 * time.Second
	}
	if c.CatchUp == nil {
		t := true
		c.CatchUp = &t
	}
	if c.SMTP.TLS == "" {
		c.SMTP.TLS = "starttls"
	}
	if c.SMTP.Port == 0 {
		c.SMTP.Port = 587
		if c.SMTP.TLS == "implicit" {
			c.SMTP.Port = 465
		}
	}
	if c.SMTP.Timeout == 0 {
		c.SMTP.Timeout = 30 * time.Second
	}
	if c.SMTP.MaxAttachmentBytes == 0 {
		c.SMTP.MaxAttachmentBytes = 10 << 20
	}
	c.SMTP.Password = c.SMTP.Password.OrEnv(SMTPPasswordEnv, os.Getenv)
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("reports: "+format, a...)) }
	if c.SMTP.TLS != "starttls" && c.SMTP.TLS != "implicit" {
		bad("smtp.tls %q: must be starttls or implicit", c.SMTP.TLS)
	}
	if c.SMTP.Host != "" {
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			bad("smtp.from %q: %v", c.SMTP.From, err)
		}
	}
	for i, e := range c.Events {
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			bad("events[%d]: date %q is not YYYY-MM-DD", i, e.Date)
		}
		if e.Label == "" || len([]rune(e.Label)) > 200 {
			bad("events[%d]: label must have 1 to 200 characters", i)
		}
	}
	seen := map[string]bool{}
	for i := range c.Schedules {
		s := &c.Schedules[i]
		where := fmt.Sprintf("schedules[%d] (%s)", i, s.Name)
		if !scheduleName.MatchString(s.Name) {
			bad("%s: name must be 1-40 of a-z, 0-9, _ and -", where)
		}
		if seen[s.Name] {
			bad("%s: duplicate name", where)
		}
		seen[s.Name] = true
		sc, err := cron.ParseStandard(s.Cron)
		if err != nil {
			bad("%s: cron %q: %v", where, s.Cron, err)
		}
		s.sched = sc
		if _, _, err := PeriodEnding(s.Period, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			bad("%s: %v", where, err)
		}
		if len(s.Formats) == 0 {
			s.Formats = []string{"html", "pdf", "csv", "json"}
		}
		for _, f := range s.Formats {
			if !slices.Contains(Formats, f) {
				bad("%s: format %q (known: %s)", where, f, strings.Join(Formats, ", "))
			}
		}
		if s.Lang == "" {
			s.Lang = "en"
		}
		if _, ok := translations[s.Lang]; !ok {
			bad("%s: lang %q (known: en, ru)", where, s.Lang)
		}
		for _, r := range s.Recipients {
			if _, err := mail.ParseAddress(r); err != nil {
				bad("%s: recipient %q: %v", where, r, err)
			}
		}
		if len(s.Recipients) > 0 && c.SMTP.Host == "" {
			bad("%s: recipients are set but smtp.host is not", where)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// PDF returns the PDF printing options of the configuration.
func (c *Config) PDF() PDFOptions {
	if c == nil {
		return PDFOptions{}
	}
	return PDFOptions{Chromium: c.Chromium, Timeout: c.PDFTimeout}
}

// PeriodEnding returns the period of the given kind that ends at the start of the UTC
// day of t: day, week (Monday to Sunday, ending at the last Monday), month, quarter (last
// full calendar ones), or a Go duration (e.g. 168h) ending at that midnight.
func PeriodEnding(kind string, t time.Time) (from, to time.Time, err error) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch kind {
	case "day":
		return day.AddDate(0, 0, -1), day, nil
	case "week":
		monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		return monday.AddDate(0, 0, -7), monday, nil
	case "month":
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return first.AddDate(0, -1, 0), first, nil
	case "quarter":
		q := time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
		return q.AddDate(0, -3, 0), q, nil
	case "":
		return time.Time{}, time.Time{}, fmt.Errorf("period is required (day, week, month, quarter or a duration)")
	}
	d, perr := time.ParseDuration(kind)
	if perr != nil || d < time.Hour || d > 5*366*24*time.Hour {
		return time.Time{}, time.Time{}, fmt.Errorf("period %q: must be day, week, month, quarter or a duration between 1h and 5 years", kind)
	}
	return day.Add(-d), day, nil
}
