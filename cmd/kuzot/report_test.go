package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
)

func TestReportFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--to", "2026-03-08", "--out", "x.json"}, "--from: required"},
		{[]string{"report", "--from", "2026-03-02", "--to", "March", "--out", "x.json"}, "--to: \"March\" is neither"},
		{[]string{"report", "--from", "2026-03-02", "--to", "2026-03-08"}, "--out is required"},
		{[]string{"report", "--from", "2026-03-02", "--to", "2026-03-08", "--out", "x.docx"}, "--format is required"},
		{[]string{"report", "--from", "2026-03-02", "--to", "2026-03-08", "--out", "x", "--format", "xml"}, "must be html, pdf, csv or json"},
		{[]string{"report", "--from", "2026-03-02", "--to", "2026-03-08", "--out", "x.json", "extra"}, "unexpected argument"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), tc.args, stdio{out: &out, err: &errb}); code == 0 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestParseDay(t *testing.T) {
	from, _ := parseDay("2026-03-02", false)
	to, _ := parseDay("2026-03-08", true)
	if !from.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("from %s to %s", from, to)
	}
	if x, err := parseDay("2026-03-08T12:00:00+06:00", true); err != nil || !x.Equal(time.Date(2026, 3, 8, 6, 0, 0, 0, time.UTC)) {
		t.Fatalf("rfc3339: %s %v", x, err)
	}
	for p, want := range map[string]string{"a.pdf": "pdf", "a.csv.zip": "csv", "a.html": "html", "-": "", "a.json": "json"} {
		if got := formatFromPath(p); got != want {
			t.Errorf("formatFromPath(%q) = %q, want %q", p, got, want)
		}
	}
}

// TestIntegrationReportCommand runs `kuzot report` against an empty migrated database:
// the JSON goes to stdout, an HTML file is written atomically.
func TestIntegrationReportCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	_, ch := testenv.ClickHouse(t)
	t.Setenv("KUZOT_CLICKHOUSE_ADDR", ch.Addr)
	t.Setenv("KUZOT_CLICKHOUSE_PASSWORD", string(ch.Password))
	t.Setenv("KUZOT_CLICKHOUSE_DATABASE", ch.Database)
	t.Setenv("KUZOT_CONFIG", "")
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), []string{"report", "--from", "2026-03-02", "--to", "2026-03-08", "--format", "json", "--out", "-"},
		stdio{out: &out, err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r struct {
		Period  struct{ From, To time.Time }
		Summary []struct {
			Key   string
			Value float64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Summary) == 0 || r.Summary[0].Key != "posts_monitored" ||
		!r.Period.To.Equal(time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("json %v: %s", err, out.String())
	}
	path := filepath.Join(t.TempDir(), "r.html")
	errb.Reset()
	if code := dispatch(context.Background(), []string{"report", "--from", "2026-03-02", "--to", "2026-03-08", "--lang", "ru", "--out", path},
		stdio{out: &out, err: &errb}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.Contains(b, []byte("Основные цифры")) {
		t.Fatalf("html: %v", err)
	}
}

// TestIntegrationReportSchedule runs a configured schedule now with --schedule.
func TestIntegrationReportSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	_, ch := testenv.ClickHouse(t)
	t.Setenv("KUZOT_CLICKHOUSE_ADDR", ch.Addr)
	t.Setenv("KUZOT_CLICKHOUSE_PASSWORD", string(ch.Password))
	t.Setenv("KUZOT_CLICKHOUSE_DATABASE", ch.Database)
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "kuzot.yaml")
	if err := os.WriteFile(cfgFile, []byte("data_dir: "+dir+"\nreports:\n  schedules:\n"+
		"    - {name: weekly, cron: \"0 6 * * 1\", period: week, formats: [json, html]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), []string{"report", "--config", cfgFile, "--schedule", "weekly", "--at", "2026-03-09"},
		stdio{out: &out, err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "weekly_2026-03-02_2026-03-08: 2026-03-02 – 2026-03-08") {
		t.Fatalf("output %q", out.String())
	}
	for _, f := range []string{"weekly_2026-03-02_2026-03-08.json", "weekly_2026-03-02_2026-03-08.html"} {
		if _, err := os.Stat(filepath.Join(dir, "reports", f)); err != nil {
			t.Fatal(err)
		}
	}
	errb.Reset()
	if code := dispatch(context.Background(), []string{"report", "--config", cfgFile, "--schedule", "nope"}, stdio{out: &out, err: &errb}); code == 0 ||
		!strings.Contains(errb.String(), `no schedule named "nope"`) {
		t.Fatalf("unknown schedule: exit %d, %q", code, errb.String())
	}
}
