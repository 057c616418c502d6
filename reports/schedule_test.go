package reports

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/internal/testenv"
)

func parseYAML(t *testing.T, src string) *Config {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(n.Content[0], "/data/reports")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseConfig(t *testing.T) {
	c := parseYAML(t, `
smtp: {host: smtp.example.org, from: "kuzot <reports@example.org>"}
events:
  - {date: 2026-03-05, label: "Draft law, first reading"}
schedules:
  - {name: weekly, cron: "0 6 * * 1", period: week, recipients: [team@example.org]}
  - {name: monthly-ru, cron: "@monthly", period: month, lang: ru, formats: [pdf], org: org-1}
`)
	if c.OutputDir != "/data/reports" || c.SMTP.Port != 587 || !*c.CatchUp || len(c.Schedules) != 2 ||
		strings.Join(c.Schedules[0].Formats, ",") != "html,pdf,csv,json" || c.Schedules[1].Lang != "ru" ||
		len(c.TimelineEvents()) != 1 || c.TimelineEvents()[0].Date.Day() != 5 {
		t.Fatalf("parsed %+v", c)
	}
	for name, src := range map[string]string{
		"unknown key":    `{schedules: [{name: a, cron: "@daily", period: day, colour: red}]}`,
		"bad cron":       `{schedules: [{name: a, cron: "61 * * * *", period: day}]}`,
		"bad period":     `{schedules: [{name: a, cron: "@daily", period: fortnight}]}`,
		"bad format":     `{schedules: [{name: a, cron: "@daily", period: day, formats: [docx]}]}`,
		"bad lang":       `{schedules: [{name: a, cron: "@daily", period: day, lang: fr}]}`,
		"bad name":       `{schedules: [{name: "../x", cron: "@daily", period: day}]}`,
		"duplicate":      `{schedules: [{name: a, cron: "@daily", period: day}, {name: a, cron: "@daily", period: day}]}`,
		"no smtp":        `{schedules: [{name: a, cron: "@daily", period: day, recipients: [x@example.org]}]}`,
		"bad recipient":  `{smtp: {host: h, from: a@example.org}, schedules: [{name: a, cron: "@daily", period: day, recipients: [nope]}]}`,
		"bad tls":        `{smtp: {host: h, from: a@example.org, tls: none}}`,
		"short duration": `{schedules: [{name: a, cron: "@daily", period: 1m}]}`,
		"bad event date": `{events: [{date: 5.3.2026, label: x}]}`,
		"empty label":    `{events: [{date: 2026-03-05}]}`,
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseConfig(n.Content[0], "/data/reports"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestPeriodEnding(t *testing.T) {
	at := time.Date(2026, 3, 11, 6, 0, 0, 0, time.UTC) // a Wednesday
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	for kind, want := range map[string][2]string{
		"day":     {"2026-03-10", "2026-03-11"},
		"week":    {"2026-03-02", "2026-03-09"},
		"month":   {"2026-02-01", "2026-03-01"},
		"quarter": {"2025-10-01", "2026-01-01"},
		"72h":     {"2026-03-08", "2026-03-11"},
	} {
		from, to, err := PeriodEnding(kind, at)
		if err != nil || !from.Equal(d(want[0])) || !to.Equal(d(want[1])) {
			t.Errorf("%s: %s – %s (%v), want %v", kind, from, to, err, want)
		}
	}
}

// TestIntegrationScheduleGeneratesStoresAndMails runs the weekly schedule due on Monday
// 2026-03-09 over the fixture: the files land in the output directory, the reports table
// lists them, and the mail (through a real SMTP server with STARTTLS) carries every format,
// none of which holds the watch-listed member's data.
func TestIntegrationScheduleGeneratesStoresAndMails(t *testing.T) {
	conn := fixtureDB(t)
	dir := t.TempDir()
	srv, err := alertstest.NewSMTPServer(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	formats := "[html, csv, json]"
	if _, err := (PDFOptions{}).FindChromium(); err == nil {
		formats = "[html, pdf, csv, json]"
	}
	cfg := parseYAML(t, `
output_dir: `+filepath.Join(dir, "out")+`
smtp: {host: `+srv.Host+`, port: `+strconv.Itoa(srv.Port)+`, from: "kuzot <reports@example.org>", ca_file: `+srv.CAFile+`}
schedules:
  - {name: weekly, cron: "0 6 * * 1", period: week, formats: `+formats+`, recipients: [team@example.org, board@example.org]}
`)
	if err := os.MkdirAll(cfg.OutputDir, 0o750); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	fire := time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC)
	s, err := NewScheduler(cfg, conn, testenv.Logger(t), reg, func() time.Time { return fire })
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.RunSchedule(context.Background(), "weekly", fire)
	if err != nil {
		t.Fatal(err)
	}
	wantID := "weekly_2026-03-02_2026-03-08"
	if rec.ID != wantID || !rec.Emailed || rec.Status != "ok" || len(rec.Files) != len(cfg.Schedules[0].Formats) {
		t.Fatalf("record %+v", rec)
	}
	for _, f := range rec.Files {
		if st, err := os.Stat(filepath.Join(cfg.OutputDir, f)); err != nil || st.Size() == 0 {
			t.Fatalf("file %s: %v", f, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(cfg.OutputDir, wantID+".html"))
	if !bytes.Contains(html, []byte(`<td class="n">6</td><td class="n">2</td>`)) {
		t.Error("stored HTML lacks the fixture figures")
	}
	list, err := List(context.Background(), conn, 10)
	if err != nil || len(list) != 1 || list[0].ID != wantID || list[0].Status != "ok" || !list[0].Emailed ||
		list[0].Recipients != 2 || strings.Join(list[0].Files, ",") != strings.Join(rec.Files, ",") {
		t.Fatalf("reports table: %+v %v", list, err)
	}
	if v := testutil.ToFloat64(s.generated.WithLabelValues("weekly", "ok")); v != 1 {
		t.Fatalf("kuzot_reports_generated_total = %v", v)
	}

	mails := srv.Mails()
	if len(mails) != 1 || !mails[0].TLS || len(mails[0].To) != 2 {
		t.Fatalf("mails: %+v", mails)
	}
	parts := mimeParts(t, mails[0].Data)
	var names []string
	for name, body := range parts {
		names = append(names, name)
		text := extractText(t, formatOfName(name), body)
		for _, leak := range leaks {
			if strings.Contains(text, leak) {
				t.Errorf("mail part %s contains %q", name, leak)
			}
		}
	}
	if len(parts) != len(rec.Files)+1 || !strings.Contains(string(parts["body"]), "Posts with anti-LGBT narratives") {
		t.Fatalf("mail parts %v; body:\n%s", names, parts["body"])
	}

	// Re-running the same schedule and period replaces the row instead of adding one.
	if _, err := s.RunSchedule(context.Background(), "weekly", fire.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(context.Background(), conn, 10); len(list) != 1 {
		t.Fatalf("%d rows after a re-run, want 1", len(list))
	}
}

// TestIntegrationSchedulerCatchUp starts the scheduler on a Tuesday after a missed
// Monday run: it generates the missing weekly report at once, then waits for the next.
func TestIntegrationSchedulerCatchUp(t *testing.T) {
	conn := fixtureDB(t)
	dir := t.TempDir()
	cfg := parseYAML(t, `
output_dir: `+dir+`
schedules:
  - {name: weekly, cron: "0 6 * * 1", period: week, formats: [json]}
`)
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s, err := NewScheduler(cfg, conn, testenv.Logger(t), prometheus.NewRegistry(), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	testenv.Eventually(t, 30*time.Second, "the missed weekly report", func() bool {
		_, err := os.Stat(filepath.Join(dir, "weekly_2026-03-02_2026-03-08.json"))
		return err == nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// mimeParts decodes a mail into its body ("body") and attachments by file name.
func mimeParts(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var walk func(ct string, r io.Reader, enc string)
	walk = func(ct string, r io.Reader, enc string) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(r, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p, p.Header.Get("Content-Transfer-Encoding"))
				if fn := p.FileName(); fn != "" {
					// walk stored it under "body"; move it under its file name.
					out[fn] = out["_last"]
				}
			}
		}
		var body []byte
		switch strings.ToLower(enc) {
		case "base64":
			body, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, r))
		case "quoted-printable":
			body, err = io.ReadAll(quotedprintable.NewReader(r))
		default:
			body, err = io.ReadAll(r)
		}
		if err != nil {
			t.Fatal(err)
		}
		out["_last"] = body
		if mt == "text/plain" && out["body"] == nil {
			out["body"] = body
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body, msg.Header.Get("Content-Transfer-Encoding"))
	delete(out, "_last")
	return out
}

func formatOfName(name string) string {
	for _, f := range Formats {
		if strings.HasSuffix(name, Ext(f)) {
			return f
		}
	}
	return "text"
}

// TestIntegrationSchedulerFires runs the loop with a schedule due every second (real
// clock, no catch-up): it must fire, write the file and count it.
func TestIntegrationSchedulerFires(t *testing.T) {
	conn := fixtureDB(t)
	dir := t.TempDir()
	cfg := parseYAML(t, `
output_dir: `+dir+`
catch_up: false
schedules:
  - {name: daily, cron: "@every 1s", period: day, formats: [json]}
`)
	s, err := NewScheduler(cfg, conn, testenv.Logger(t), prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	testenv.Eventually(t, 30*time.Second, "a report fired by the loop", func() bool {
		return testutil.ToFloat64(s.generated.WithLabelValues("daily", "ok")) >= 1
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "daily_*.json"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
}
