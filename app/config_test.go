package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
)

// Every section rejects an unknown key at load, whatever roles run, naming the key path
// and its line (issue 20).
func TestLoadConfigRejectsUnknownKeyInEverySection(t *testing.T) {
	cases := []struct {
		section, yaml, path string
		line                int
	}{
		{"top level", "data_dri: ./x\n", "data_dri", 1},
		{"log", "log:\n  levl: info\n", "log.levl", 2},
		{"http", "http:\n  listne: 127.0.0.1:1\n", "http.listne", 2},
		{"nats", "nats:\n  urll: x\n", "nats.urll", 2},
		{"nats.embedded", "nats:\n  embedded:\n    prot: 1\n", "nats.embedded.prot", 3},
		{"clickhouse", "clickhouse:\n  adr: x\n", "clickhouse.adr", 2},
		{"clickhouse.grafana", "clickhouse:\n  grafana:\n    usr: g\n", "clickhouse.grafana.usr", 3},
		{"collect", "collect:\n  useragent: x\n", "collect.useragent", 2},
		{"collect.host_rules", "collect:\n  host_rules:\n    - {pattern: '*', dealy: 1s}\n", "collect.host_rules[0].dealy", 3},
		{"store", "store:\n  batch_rowz: 3\n", "store.batch_rowz", 2},
		{"retention", "retention:\n  postz: 9000h\n", "retention.postz", 2},
		{"models", "models:\n  watch: 1s\n", "models.watch", 2},
		{"sources", "sources:\n  - kind: rss\n    url: https://news.example.org/rss\n    intervall: 5m\n", "sources[0].intervall", 4},
		{"classifiers (unknown classifier)", "classifiers:\n  narative: {}\n", "classifiers.narative", 2},
		{"classifiers.narrative", "classifiers:\n  narrative:\n    threshhold: 0.4\n", "classifiers.narrative.threshhold", 3},
		{"classifiers.exposure", "classifiers:\n  exposure:\n    watchlist_dri: x\n", "classifiers.exposure.watchlist_dri", 3},
		{"alerts", "alerts: {orgz_typo: 1}\n", "alerts.orgz_typo", 1},
		{"alerts.orgs", "alerts:\n  orgs:\n    - id: org-a\n      min_severty: high\n", "alerts.orgs[0].min_severty", 4},
		{"alerts.channels", "alerts:\n  channels:\n    - name: hook\n      kind: webhook\n      url: https://hooks.example.org/x\n      secret_env: [X]\n",
			"alerts.channels[0].secret_env", 6},
		{"coordination", "coordination: {windw: 5m}\n", "coordination.windw", 1},
		{"web", "web: {nonsense_key: true}\n", "web.nonsense_key", 1},
		{"ocr", "ocr:\n  workerz: 2\n", "ocr.workerz", 2},
		{"reports", "reports:\n  pdf_timout: 1m\n", "reports.pdf_timout", 2},
		{"reports.smtp", "reports:\n  smtp:\n    hots: smtp.example.org\n", "reports.smtp.hots", 3},
		{"reports.schedules", "reports:\n  schedules:\n    - {name: weekly, cron: '0 6 * * 1', period: week, formts: [html]}\n",
			"reports.schedules[0].formts", 3},
	}
	for _, tc := range cases {
		t.Run(tc.section, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kuzot.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := app.LoadConfig(path)
			var ps config.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want config.Problems", err)
			}
			if len(ps) != 1 {
				t.Fatalf("%d problems, want 1:\n%v", len(ps), err)
			}
			p := ps[0]
			if p.Path != tc.path || p.Line != tc.line || p.File != path || !strings.Contains(p.Msg, "unknown key") &&
				!strings.Contains(p.Msg, "no classifier is named") {
				t.Fatalf("problem %+v, want %s at line %d", p, tc.path, tc.line)
			}
		})
	}
}

// One check reports every problem of the file, the top level's and the sections'.
func TestLoadConfigReportsEveryProblem(t *testing.T) {
	text := "store:\n  flush_interval: soon\nalerts: {orgz_typo: 1}\nweb:\n  session_ttl: 1s\nreports:\n" +
		"  schedules:\n    - {name: weekly, cron: 'not cron', period: week}\n"
	path := filepath.Join(t.TempDir(), "kuzot.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := app.LoadConfig(path)
	var ps config.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want config.Problems", err)
	}
	want := []struct {
		line int
		text string
	}{
		{2, "store.flush_interval: cannot unmarshal !!str `soon` into time.Duration"},
		{3, "alerts.orgz_typo: unknown key"},
		{5, "web: session_ttl 1s is too short"},
		{8, `reports: schedules[0] (weekly): cron "not cron"`},
	}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for i, w := range want {
		if ps[i].Line != w.line || !strings.Contains(ps[i].Error(), w.text) {
			t.Errorf("problem %d: %q, want line %d and %q", i, ps[i].Error(), w.line, w.text)
		}
	}
}

// Every shipped configuration passes the whole check.
func TestShippedConfigsPassCheck(t *testing.T) {
	for _, path := range []string{"../kuzot.example.yaml", "../configs/demo.yaml"} {
		if _, err := app.LoadConfig(path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}
