package grafana

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
	"github.com/kuzot/kuzot/web/demodata"
	"github.com/kuzot/kuzot/web/webtest"
)

type target struct {
	RefID      string            `json:"refId"`
	Datasource map[string]string `json:"datasource"`
	RawSQL     string            `json:"rawSql"`
	Format     *int              `json:"format"`
	Expr       string            `json:"expr"`
}

type panel struct {
	ID         int               `json:"id"`
	Type       string            `json:"type"`
	Title      string            `json:"title"`
	Datasource map[string]string `json:"datasource"`
	GridPos    struct{ H, W, X, Y int }
	Targets    []target `json:"targets"`
	FieldCfg   struct {
		Overrides []struct {
			Matcher struct {
				ID      string `json:"id"`
				Options string `json:"options"`
			} `json:"matcher"`
		} `json:"overrides"`
	} `json:"fieldConfig"`
}

type dashboard struct {
	UID           string  `json:"uid"`
	Title         string  `json:"title"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name    string `json:"name"`
			Options []struct {
				Value string `json:"value"`
			} `json:"options"`
		} `json:"list"`
	} `json:"templating"`
	file string
}

func loadDashboards(t *testing.T) []dashboard {
	t.Helper()
	files, err := filepath.Glob("dashboards/*.json")
	if err != nil || len(files) < 6 {
		t.Fatalf("dashboards: %v %v", files, err)
	}
	var out []dashboard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(&d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		d.file = f
		out = append(out, d)
	}
	return out
}

// datasources reads the provisioned datasource uids and types.
func datasources(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("provisioning/datasources/kuzot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, UID, Type string
			URL             string            `yaml:"url"`
			JSONData        map[string]any    `yaml:"jsonData"`
			SecureJSONData  map[string]string `yaml:"secureJsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(b, &p); err != nil || p.APIVersion != 1 {
		t.Fatalf("datasources provisioning: %v (apiVersion %d)", err, p.APIVersion)
	}
	out := map[string]string{}
	for _, d := range p.Datasources {
		if d.UID == "" || d.Name == "" || d.Type == "" {
			t.Fatalf("datasource without uid, name or type: %+v", d)
		}
		for _, v := range d.SecureJSONData {
			if !strings.HasPrefix(v, "$") {
				t.Fatalf("datasource %s: secret in plain text; use an environment variable", d.UID)
			}
		}
		out[d.UID] = d.Type
	}
	if out["kuzot-clickhouse"] != "grafana-clickhouse-datasource" || out["kuzot-prometheus"] != "prometheus" {
		t.Fatalf("want the ClickHouse plugin and Prometheus datasources, got %v", out)
	}
	return out
}

func TestProvider(t *testing.T) {
	b, err := os.ReadFile("provisioning/dashboards/kuzot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Type    string
			Options struct{ Path string }
		}
	}
	if err := yaml.Unmarshal(b, &p); err != nil || p.APIVersion != 1 || len(p.Providers) != 1 ||
		p.Providers[0].Type != "file" || p.Providers[0].Options.Path == "" {
		t.Fatalf("dashboard provider: %+v %v", p, err)
	}
	compose, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(compose), "./dashboards/grafana/dashboards:"+p.Providers[0].Options.Path) {
		t.Fatalf("docker-compose.yml does not mount the dashboards at %s", p.Providers[0].Options.Path)
	}
}

var panelTypes = []string{"timeseries", "table", "stat", "barchart", "bargauge", "piechart", "text"}

// TestDashboardStructure checks what Grafana requires of provisioned dashboards: unique
// uids (at most 40 characters), unique panel ids, a grid position inside 24 columns,
// and datasource references to provisioned uids on every panel and target.
func TestDashboardStructure(t *testing.T) {
	ds := datasources(t)
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		t.Run(d.file, func(t *testing.T) {
			if d.UID == "" || len(d.UID) > 40 || d.Title == "" || d.SchemaVersion < 36 {
				t.Fatalf("uid %q title %q schemaVersion %d", d.UID, d.Title, d.SchemaVersion)
			}
			if other, dup := uids[d.UID]; dup {
				t.Fatalf("uid %s also used by %s", d.UID, other)
			}
			uids[d.UID] = d.file
			vars := map[string]bool{}
			for _, v := range d.Templating.List {
				vars[v.Name] = true
			}
			ids := map[int]bool{}
			for _, p := range d.Panels {
				if p.ID <= 0 || ids[p.ID] {
					t.Fatalf("panel %q: id %d missing or duplicated", p.Title, p.ID)
				}
				ids[p.ID] = true
				if !slices.Contains(panelTypes, p.Type) || p.Title == "" {
					t.Fatalf("panel %d: type %q title %q", p.ID, p.Type, p.Title)
				}
				if g := p.GridPos; g.W < 1 || g.H < 1 || g.X < 0 || g.X+g.W > 24 || g.Y < 0 {
					t.Fatalf("panel %d: gridPos %+v outside 24 columns", p.ID, g)
				}
				if ds[p.Datasource["uid"]] != p.Datasource["type"] {
					t.Fatalf("panel %d: datasource %v is not provisioned", p.ID, p.Datasource)
				}
				if len(p.Targets) == 0 {
					t.Fatalf("panel %d has no query", p.ID)
				}
				for _, tg := range p.Targets {
					if tg.RefID == "" || ds[tg.Datasource["uid"]] != tg.Datasource["type"] {
						t.Fatalf("panel %d target %+v", p.ID, tg)
					}
					switch tg.Datasource["type"] {
					case "grafana-clickhouse-datasource":
						if tg.RawSQL == "" || tg.Format == nil {
							t.Fatalf("panel %d: ClickHouse target without rawSql or format", p.ID)
						}
						for _, m := range regexp.MustCompile(`\$\{?(\w+)(:\w+)?`).FindAllStringSubmatch(tg.RawSQL, -1) {
							if !strings.HasPrefix(m[1], "__") && !vars[m[1]] {
								t.Fatalf("panel %d uses undefined variable $%s", p.ID, m[1])
							}
							// A variable is never interpolated raw: a URL can set any value.
							// Not ${var:sqlstring} either: it doubles quotes but leaves
							// backslashes, and ClickHouse reads \' as an escaped quote, so
							// a value ending in a backslash escapes the literal. Percent
							// encoding leaves only [A-Za-z0-9-_.~%], decoded by ClickHouse.
							if !strings.HasPrefix(m[1], "__") && m[2] != ":percentencode" {
								t.Fatalf("panel %d interpolates $%s raw; use decodeURLComponent('${%s:percentencode}')", p.ID, m[1], m[1])
							}
						}
					case "prometheus":
						if tg.Expr == "" {
							t.Fatalf("panel %d: Prometheus target without expr", p.ID)
						}
						checkMetrics(t, p.Title, tg.Expr)
					}
				}
			}
		})
	}
}

var (
	metricRe  = regexp.MustCompile(`\bkuzot_[a-z0-9_]+`)
	knownOnce map[string]bool
)

// checkMetrics fails when an expression names a kuzot metric that no Go code defines,
// so renamed metrics cannot silently empty a panel.
func checkMetrics(t *testing.T, title, expr string) {
	t.Helper()
	if knownOnce == nil {
		knownOnce = map[string]bool{}
		lit := regexp.MustCompile(`"(kuzot_[a-z0-9_]+)"`)
		_ = filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() && (d.Name() == "data" || d.Name() == ".git") {
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
				b, _ := os.ReadFile(p)
				for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
					knownOnce[m[1]] = true
				}
			}
			return nil
		})
	}
	for _, m := range metricRe.FindAllString(expr, -1) {
		base := m
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			base = strings.TrimSuffix(base, suf)
		}
		if !knownOnce[m] && !knownOnce[base] {
			t.Errorf("panel %q: metric %s is not defined by any Go code", title, m)
		}
	}
}

// TestExposureDashboardHasNoPersonalData: the exposure dashboard shows counts only.
func TestExposureDashboardHasNoPersonalData(t *testing.T) {
	forbidden := regexp.MustCompile(`\b(member|members|urls|post_ids|post_id|redacted_text|text|author|url|acknowledged_by|orgs)\b`)
	for _, d := range loadDashboards(t) {
		if d.UID != "kuzot-exposures" {
			continue
		}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				if m := forbidden.FindString(tg.RawSQL); m != "" {
					t.Fatalf("panel %q selects %q", p.Title, m)
				}
			}
		}
		return
	}
	t.Fatal("no exposures dashboard")
}

// expand replaces the ClickHouse plugin's macros and the dashboard variables the way
// Grafana does before sending a query.
func expand(sql string, from, to time.Time, vars map[string]string) string {
	f, tt := from.Unix(), to.Unix()
	sql = regexp.MustCompile(`\$__timeFilter\((\w+)\)`).ReplaceAllString(sql,
		fmt.Sprintf("$1 >= toDateTime(%d) AND $1 <= toDateTime(%d)", f, tt))
	sql = strings.ReplaceAll(sql, "$__fromTime", fmt.Sprintf("toDateTime(%d)", f))
	sql = strings.ReplaceAll(sql, "$__toTime", fmt.Sprintf("toDateTime(%d)", tt))
	for k, v := range vars {
		sql = strings.ReplaceAll(sql, "${"+k+":percentencode}", percentEncode(v))
		sql = strings.ReplaceAll(sql, "${"+k+"}", v)
		sql = strings.ReplaceAll(sql, "$"+k, v)
	}
	return sql
}

// percentEncode is Grafana's percentencode format (encodeURIComponentStrict): every
// byte but A-Z a-z 0-9 - _ . ~ as %XX.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

var numeric = regexp.MustCompile(`^(Nullable\()?(U?Int\d+|Float\d+)\)?$`)

// TestIntegrationPanelQueries runs every ClickHouse panel query of every dashboard on a
// fresh database with demo data, with every variable at "All" and at one value, and
// checks that it returns rows with the columns the panel expects: a DateTime "time"
// column and numeric series for time series, one number for stats, and exactly the
// columns named by a table's overrides.
func TestIntegrationPanelQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	ctx := context.Background()
	now := time.Now().UTC()
	env := seededGrafana(t, now)
	conn, tableOf := env.grafana, env.table
	if conn == nil {
		// No grafana user on this server: the same queries, as kuzot, on the views
		// behind the Grafana tables.
		t.Logf("%s unset: running the panel queries on the views, not as the grafana user", testenv.ClickHouseGrafanaPasswordEnv)
		conn = env.kuzot
	}
	from, to := now.Add(-30*24*time.Hour), now.Add(time.Minute)
	n := 0
	for _, d := range loadDashboards(t) {
		varSets := []map[string]string{{}}
		all := map[string]string{}
		one := map[string]string{}
		for _, v := range d.Templating.List {
			all[v.Name] = ""
			if len(v.Options) > 1 {
				one[v.Name] = v.Options[1].Value
			}
		}
		if len(all) > 0 {
			varSets = []map[string]string{all, one}
		}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				if tg.RawSQL == "" {
					continue
				}
				for vi, vars := range varSets {
					n++
					t.Run(fmt.Sprintf("%s/%d %s/vars%d", d.UID, p.ID, p.Title, vi), func(t *testing.T) {
						sql := tableOf(expand(tg.RawSQL, from, to, vars))
						if strings.Contains(sql, "$") {
							t.Fatalf("unexpanded macro or variable in %s", sql)
						}
						rows, err := conn.Query(ctx, sql)
						if err != nil {
							t.Fatalf("%v\n%s", err, sql)
						}
						defer rows.Close()
						var names, types []string
						for _, c := range rows.ColumnTypes() {
							names = append(names, c.Name())
							types = append(types, c.DatabaseTypeName())
						}
						count := 0
						for rows.Next() {
							count++
						}
						if err := rows.Err(); err != nil {
							t.Fatal(err)
						}
						// With one frame/source selected some panels may legitimately be empty.
						if count == 0 && vi == 0 {
							t.Fatalf("no rows on demo data\n%s", sql)
						}
						checkColumns(t, p, *tg.Format, names, types)
					})
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d ClickHouse queries ran", n)
	}
}

func checkColumns(t *testing.T, p panel, format int, names, types []string) {
	t.Helper()
	nums := 0
	for _, ty := range types {
		if numeric.MatchString(ty) {
			nums++
		}
	}
	switch {
	case p.Type == "timeseries" || format == 0:
		if len(names) < 2 || names[0] != "time" || !strings.HasPrefix(types[0], "DateTime") || nums == 0 {
			t.Fatalf("time series wants a DateTime \"time\" column and a number: %v %v", names, types)
		}
	case p.Type == "stat":
		if len(names) != 1 || nums != 1 {
			t.Fatalf("stat wants one numeric column: %v %v", names, types)
		}
	default:
		var want []string
		for _, o := range p.FieldCfg.Overrides {
			if o.Matcher.ID == "byName" {
				want = append(want, o.Matcher.Options)
			}
		}
		if !slices.Equal(want, names) {
			t.Fatalf("columns %v, the panel's overrides name %v", names, want)
		}
		if p.Type == "barchart" && (len(names) != 2 || nums != 1 || numeric.MatchString(types[0])) {
			t.Fatalf("bar chart wants a label and a number: %v %v", names, types)
		}
	}
}

// TestPrometheusRules checks that the alert rules docker-compose mounts name only
// metrics kuzot defines (promtool check rules validates their syntax: make test runs it
// through scripts when promtool is installed).
func TestPrometheusRules(t *testing.T) {
	b, err := os.ReadFile("../../deploy/prometheus/rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"KuzotSourceFailing": false, "KuzotConsumerLagHigh": false, "KuzotDeadLettersGrowing": false, "KuzotAlertDeliveryFailing": false}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			checkMetrics(t, r.Alert, r.Expr)
			if _, ok := want[r.Alert]; ok {
				want[r.Alert] = true
			}
		}
	}
	for a, ok := range want {
		if !ok {
			t.Errorf("rules.yml lacks %s", a)
		}
	}
	if _, err := exec.LookPath("promtool"); err == nil {
		if out, err := exec.Command("promtool", "check", "rules", "../../deploy/prometheus/rules.yml").CombinedOutput(); err != nil {
			t.Fatalf("promtool check rules: %v\n%s", err, out)
		}
	}
}

// grafanaEnv is a test database seeded with demo data, its Grafana database, and a
// connection as the read-only grafana user when the server has one.
type grafanaEnv struct {
	kuzot   driver.Conn
	cfg     config.ClickHouse
	grafana driver.Conn
	// table maps the dashboards' table names for the connection that runs them.
	table func(sql string) string
}

// grafanaTestDatabase is the Grafana database of the tests: scripts/clickhouse-local.sh
// lets the grafana user read it (and kuzot_grafana) and nothing else.
const grafanaTestDatabase = "kuzot_test_grafana"

func seededGrafana(t *testing.T, now time.Time) grafanaEnv {
	t.Helper()
	conn, cfg := testenv.ClickHouse(t)
	ctx := context.Background()
	fx, err := demodata.Seed(ctx, conn, now)
	if err != nil {
		t.Fatal(err)
	}
	db := &web.DB{Conn: conn}
	if err := (webtest.ClickHouseAcker{DB: db}).Acknowledge(ctx, web.Scope{All: true}, fx.IncidentB, "analyst", now); err != nil {
		t.Fatal(err)
	}
	env := grafanaEnv{kuzot: conn, cfg: cfg}
	pw := os.Getenv(testenv.ClickHouseGrafanaPasswordEnv)
	if pw == "" {
		env.table = func(sql string) string {
			for _, gt := range storage.GrafanaTables {
				sql = regexp.MustCompile(`\bFROM `+gt.Name+`\b`).ReplaceAllString(sql, "FROM "+gt.Source)
			}
			return sql
		}
		return env
	}
	cfg.Grafana.Database = grafanaTestDatabase
	mode, err := storage.ProvisionGrafana(ctx, conn, cfg)
	if err != nil {
		t.Fatalf("provision Grafana access: %v", err)
	}
	t.Logf("Grafana access provisioned: %s", mode)
	g, err := clickhouse.Open(&clickhouse.Options{
		Addr: []string{cfg.Addr},
		Auth: clickhouse.Auth{Database: grafanaTestDatabase, Username: cfg.Grafana.User, Password: pw},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if err := g.Ping(ctx); err != nil {
		t.Fatalf("connect as %s: %v", cfg.Grafana.User, err)
	}
	env.grafana = g
	env.table = func(sql string) string { return sql }
	return env
}

// TestIntegrationGrafanaUserIsReadOnly is issue 19 item 4: connected with the
// provisioned Grafana credentials, an attacker who owns a Grafana account tries to read
// post texts, users, sessions, the audit log and incident detail, to write, and to
// escape through table functions and settings. Every attempt is refused; a dashboard
// query still works, and the Grafana tables hold no text or personal-data column.
func TestIntegrationGrafanaUserIsReadOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	env := seededGrafana(t, time.Now().UTC())
	if env.grafana == nil {
		t.Skipf("%s unset: the server has no grafana user (scripts/test.sh starts one that has)", testenv.ClickHouseGrafanaPasswordEnv)
	}
	ctx := context.Background()
	kdb := env.cfg.Database
	attacks := []string{
		"SELECT text FROM kuzot.posts",
		"SELECT * FROM kuzot.users",
		"SELECT text FROM " + kdb + ".posts",
		"SELECT * FROM " + kdb + ".users",
		"SELECT * FROM " + kdb + ".sessions",
		"SELECT * FROM " + kdb + ".audit_log",
		"SELECT org, member, urls FROM " + kdb + ".incidents",
		"SELECT redacted_text, members FROM " + kdb + ".exposures",
		"SELECT texts FROM " + kdb + ".coordination_clusters",
		"SELECT * FROM " + kdb + ".grafana_incidents",
		"INSERT INTO " + kdb + ".posts (post_id, text) VALUES ('x', 'forged')",
		"INSERT INTO " + grafanaTestDatabase + ".incidents (severity) VALUES ('high')",
		"CREATE TABLE " + grafanaTestDatabase + ".loot (a String) ENGINE = Memory",
		"DROP TABLE " + grafanaTestDatabase + ".incidents",
		"SELECT * FROM remote('" + env.cfg.Addr + "', " + kdb + ".posts)",
		"SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')",
		"SET readonly = 0",
	}
	for _, q := range attacks {
		err := env.grafana.Exec(ctx, q)
		if err == nil {
			t.Errorf("allowed: %s", q)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "Access denied") && !strings.Contains(msg, "readonly") {
			t.Errorf("%s: refused for another reason than rights: %v", q, err)
		}
	}
	// Reads through the query path too (Exec and Query differ in the driver).
	for _, q := range []string{"SELECT text FROM kuzot.posts", "SELECT * FROM " + kdb + ".users"} {
		rows, err := env.grafana.Query(ctx, q)
		if err == nil {
			rows.Close()
			t.Errorf("query allowed: %s", q)
		}
	}

	// The dashboards' own queries work.
	var posts uint64
	if err := env.grafana.QueryRow(ctx, "SELECT count() FROM classifications WHERE flagged = 1").Scan(&posts); err != nil || posts == 0 {
		t.Fatalf("dashboard query as grafana: %d rows, %v", posts, err)
	}
	var incidents uint64
	if err := env.grafana.QueryRow(ctx, "SELECT count() FROM incidents").Scan(&incidents); err != nil || incidents == 0 {
		t.Fatalf("incident counts as grafana: %d, %v", incidents, err)
	}

	// Nothing sensitive is even there to be read.
	forbidden := regexp.MustCompile(`^(text|texts|redacted_text|post_id|post_ids|posts_truncated|org|orgs|member|members|url|urls|links|reply_targets|acknowledged_by|last_error|fingerprint|result|incident_id|params|entity_starts|entity_ends)$`)
	for _, gt := range storage.GrafanaTables {
		rows, err := env.kuzot.Query(ctx, "SELECT name FROM system.columns WHERE database = ? AND table = ?", grafanaTestDatabase, gt.Name)
		if err != nil {
			t.Fatalf("%s: %v", gt.Name, err)
		}
		n := 0
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			n++
			if forbidden.MatchString(name) {
				t.Errorf("Grafana table %s exposes column %s", gt.Name, name)
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("Grafana table %s has no columns (not provisioned?)", gt.Name)
		}
	}
}
