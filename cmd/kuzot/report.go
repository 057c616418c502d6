package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/reports"
	"github.com/kuzot/kuzot/storage"
)

// runReport implements `kuzot report`: one trend report on demand.
func runReport(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	from := fs.String("from", "", "first day of the period (YYYY-MM-DD, or an RFC 3339 time)")
	to := fs.String("to", "", "last day of the period, inclusive (YYYY-MM-DD), or an RFC 3339 end time (exclusive)")
	org := fs.String("org", "", "restrict exposure, incident and alert figures to one organisation id")
	lang := fs.String("lang", "en", "report language: en or ru")
	format := fs.String("format", "", "html, pdf, csv (a zip of CSV tables) or json; default from the --out extension")
	out := fs.String("out", "", "output file (- for stdout)")
	title := fs.String("title", "", "report title (default: the standard title in the report language)")
	schedule := fs.String("schedule", "", "run the configured schedule NAME now (generate, store, record, e-mail) instead")
	at := fs.String("at", "", "with --schedule: the fire time to act as (YYYY-MM-DD or RFC 3339; default now)")
	fs.Usage = func() {
		fmt.Fprintln(s.err, `Usage: kuzot report --from DATE --to DATE [--org ID] [--lang en|ru] --format html|pdf|csv|json --out PATH
       kuzot report --schedule NAME [--at DATE]

Generates a trend report from ClickHouse: narrative volume by frame over time, by language and
platform, top channels and accounts, emerging terms, coordinated clusters, exposure incidents and
alert response times (counts only, never personal data), notable posts (redacted) and methods,
each compared with the previous period of equal length. --to 2026-03-31 includes March 31.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see kuzot report --help)", fs.Arg(0))
	}
	if *schedule != "" {
		return runScheduleNow(ctx, *cfgPath, *schedule, *at, s)
	}
	fromT, err := parseDay(*from, false)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	toT, err := parseDay(*to, true)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if *out == "" {
		return fmt.Errorf("--out is required (a file, or - for stdout)")
	}
	f := *format
	if f == "" {
		f = formatFromPath(*out)
		if f == "" {
			return fmt.Errorf("--format is required (html, pdf, csv or json)")
		}
	}
	if !validFormat(f) {
		return fmt.Errorf("--format %q: must be html, pdf, csv or json", f)
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	rcfg, err := reports.ParseConfig(&cfg.Reports, filepath.Join(cfg.DataDir, "reports"))
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	octx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := storage.Open(octx, cfg.CH, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	r, err := reports.Generate(ctx, conn, reports.Options{From: fromT, To: toT, Org: *org, Lang: *lang, Title: *title, Logger: log,
		Events: rcfg.TimelineEvents()})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reports.Write(ctx, &buf, r, f, rcfg.PDF()); err != nil {
		return err
	}
	if *out == "-" {
		_, err := s.out.Write(buf.Bytes())
		return err
	}
	if err := reports.WriteFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "wrote %s (%s, %d bytes)\n", *out, f, buf.Len())
	return nil
}

// parseDay reads YYYY-MM-DD (UTC midnight; as an end date, the midnight after it) or an
// RFC 3339 time.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("required (YYYY-MM-DD)")
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither YYYY-MM-DD nor an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

func formatFromPath(p string) string {
	switch {
	case strings.HasSuffix(p, ".csv.zip"), strings.HasSuffix(p, ".zip"), strings.HasSuffix(p, ".csv"):
		return "csv"
	case strings.HasSuffix(p, ".html"), strings.HasSuffix(p, ".htm"):
		return "html"
	case strings.HasSuffix(p, ".pdf"):
		return "pdf"
	case strings.HasSuffix(p, ".json"):
		return "json"
	}
	return ""
}

func validFormat(f string) bool {
	for _, x := range reports.Formats {
		if x == f {
			return true
		}
	}
	return false
}

// runScheduleNow runs one configured schedule immediately, exactly as the report role
// would at the given fire time: files into the output directory, a row in the reports
// table, the mail to the recipients.
func runScheduleNow(ctx context.Context, cfgPath, name, at string, s stdio) error {
	fire := time.Now().UTC()
	if at != "" {
		t, err := parseDay(at, false)
		if err != nil {
			return fmt.Errorf("--at: %w", err)
		}
		fire = t
	}
	cfg, err := app.LoadConfig(cfgPath)
	if err != nil {
		return err
	}
	rcfg, err := reports.ParseConfig(&cfg.Reports, app.ReportsDir(cfg))
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	octx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := storage.Open(octx, cfg.CH, log)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg.CH)); err != nil {
		return err
	}
	sch, err := reports.NewScheduler(rcfg, conn, log, prometheus.NewRegistry(), nil)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(rcfg.OutputDir, 0o750); err != nil {
		return fmt.Errorf("output dir: %w", err)
	}
	rec, err := sch.RunSchedule(ctx, name, fire)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, "%s: %s – %s, files %s in %s, e-mailed: %v\n", rec.ID, rec.From.Format(time.DateOnly),
		rec.To.Add(-time.Second).Format(time.DateOnly), strings.Join(rec.Files, ", "), rcfg.OutputDir, rec.Emailed)
	return nil
}
