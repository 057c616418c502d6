package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigParses(t *testing.T) {
	c, err := Load(filepath.Join("..", "kuzot.example.yaml"))
	if err != nil {
		t.Fatalf("kuzot.example.yaml: %v", err)
	}
	if c.NATS.MaxDeliver != 8 || c.CH.Database != "kuzot" || c.Store.FlushInterval != time.Second {
		t.Fatalf("unexpected values: %+v", c)
	}
	if len(c.Sources) != 1 {
		t.Fatalf("sources: %d entries, want 1", len(c.Sources))
	}
}

func TestDefaults(t *testing.T) {
	c := Default()
	if c.NATS.URL != "" || c.NATS.Embedded.Port != 4222 || c.NATS.DuplicateWindow != 2*time.Minute || c.NATS.ResultsDuplicateWindow != 2*time.Minute {
		t.Fatalf("nats defaults: %+v", c.NATS)
	}
	if c.NATS.Embedded.StoreDir != filepath.Join("data", "jetstream") {
		t.Fatalf("store dir %q", c.NATS.Embedded.StoreDir)
	}
	if c.Models.Dir != filepath.Join("data", "models") || c.Models.WatchInterval != 10*time.Second {
		t.Fatalf("models defaults: %+v", c.Models)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestBadConfigsGiveClearErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown top-level key", "colector: {}\n", "line 1: colector: unknown key"},
		{"unknown nested key", "nats:\n  urll: x\n", "line 2: nats.urll: unknown key (known here: creds,"},
		{"bad duration", "store:\n  flush_interval: soon\n", "line 2: store.flush_interval: cannot unmarshal !!str `soon` into time.Duration"},
		{"bad level", "log:\n  level: loud\n", `log.level: "loud"`},
		{"bad listen", "http:\n  listen: nowhere\n", "http.listen"},
		{"bad metrics listen", "http:\n  metrics_listen: nowhere\n", "http.metrics_listen"},
		{"metrics on the UI address", "http:\n  listen: 127.0.0.1:8080\n  metrics_listen: 127.0.0.1:8080\n", `write "shared"`},
		{"bad clickhouse addr", "clickhouse:\n  addr: localhost\n", "clickhouse.addr"},
		{"clickhouse cluster not a name", "clickhouse:\n  cluster: \"kuzot-cluster\"\n", `clickhouse.cluster: "kuzot-cluster" may hold only`},
		{"clickhouse cluster with injection", "clickhouse:\n  cluster: \"c ON CLUSTER x\"\n", "clickhouse.cluster"},
		{"clickhouse cluster is the loopback one", "clickhouse:\n  cluster: kuzot_self\n", "is clickhouse.grafana.cluster"},
		{"clickhouse cluster with a bad database", "clickhouse:\n  cluster: c\n  database: \"kuzot.x\"\n", "clickhouse.database"},
		{"max_deliver too low", "nats:\n  max_deliver: 1\n", "nats.max_deliver"},
		{"models watch too fast", "models:\n  watch_interval: 100ms\n", "models.watch_interval"},
		{"models watch too slow", "models:\n  watch_interval: 2h\n", "models.watch_interval"},
		{"not yaml", "::: [\n", "config"},
		{"tls cert without key", "nats:\n  tls_cert: c.pem\n", "nats.tls_cert and nats.tls_key"},
		{"creds and password", "nats:\n  creds: x.creds\n  password: p\n", "nats.creds and nats.password"},
		{"even replicas", "nats:\n  url: nats://a:4222\n  replicas: 2\n", "nats.replicas: 2, must be 1, 3 or 5"},
		{"replicas without a cluster", "nats:\n  replicas: 3\n", "nats.replicas: 3 needs a JetStream cluster"},
		{"replicas above the routes", "nats:\n  password: p\n  replicas: 3\n  embedded:\n    server_name: n1\n    cluster: {name: c, port: 6222, routes: [nats-route://127.0.0.1:6222, nats-route://127.0.0.1:6223]}\n",
			"nats.replicas: 3, but nats.embedded.cluster.routes name 2 node(s)"},
		{"cluster without a shared password", "nats:\n  embedded:\n    server_name: n1\n    cluster: {name: c, port: 6222, routes: [nats-route://127.0.0.1:6223]}\n",
			"routes with nats.password"},
		{"cluster with the default server name", "nats:\n  password: p\n  embedded:\n    cluster: {name: c, port: 6222}\n", "nats.embedded.server_name"},
		{"bad route", "nats:\n  password: p\n  embedded:\n    server_name: n1\n    cluster: {name: c, port: 6222, routes: [\"http://x:1\"]}\n", "cluster.routes[0]"},
		{"bad url in a list", "nats:\n  url: nats://a:4222,b\n", "nats.url"},
		{"lease renew too slow", "nats:\n  leases: {ttl: 10s, renew: 6s}\n", "nats.leases.renew"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "no such file") || !strings.Contains(err.Error(), "kuzot.example.yaml") {
		t.Fatalf("error %v", err)
	}
}

func TestEnvOverridesAndSecretNeverPrints(t *testing.T) {
	c := &Config{}
	env := map[string]string{"KUZOT_CLICKHOUSE_PASSWORD": "hunter2", "KUZOT_NATS_URL": "nats://n1:4222",
		"KUZOT_NATS_PASSWORD": "natspw", "KUZOT_NATS_USER": "roles", "KUZOT_NATS_TLS_CA": "/ca.pem",
		"KUZOT_CLICKHOUSE_GRAFANA_PASSWORD": "grafpw", "KUZOT_CLICKHOUSE_CLUSTER": "kuzot_cluster"}
	c.applyEnv(func(k string) string { return env[k] })
	if c.NATS.URL != "nats://n1:4222" || string(c.CH.Password) != "hunter2" || string(c.NATS.Password) != "natspw" ||
		c.NATS.User != "roles" || c.NATS.TLSCA != "/ca.pem" || string(c.CH.Grafana.Password) != "grafpw" ||
		c.CH.Cluster != "kuzot_cluster" {
		t.Fatalf("overrides not applied: %+v", c)
	}
	if s := c.CH.Password.String(); strings.Contains(s, "hunter2") {
		t.Fatalf("secret printed: %s", s)
	}
	b, _ := c.CH.Password.MarshalJSON()
	if strings.Contains(string(b), "hunter2") {
		t.Fatalf("secret in JSON: %s", b)
	}
}

func TestEmptyFileGivesDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Listen != "127.0.0.1:8080" {
		t.Fatalf("listen %q", c.HTTP.Listen)
	}
	// /metrics and pprof are on their own loopback listener by default.
	if c.HTTP.MetricsListen != "127.0.0.1:9464" {
		t.Fatalf("metrics_listen %q", c.HTTP.MetricsListen)
	}
}

// kuzot.example.yaml documents every section of Config (issue 20: web and coordination
// were missing).
func TestExampleDocumentsEverySection(t *testing.T) {
	c, err := Load(filepath.Join("..", "kuzot.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(Config{})
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if _, ok := c.KeyLines[name]; !ok {
			t.Errorf("kuzot.example.yaml has no %s: section", name)
		}
	}
}

func TestClusterConfigValid(t *testing.T) {
	c, err := Parse(strings.NewReader(`nats:
  password: p
  replicas: 3
  embedded:
    server_name: kuzot-n2
    port: 4223
    cluster:
      name: kuzot
      port: 6223
      routes: [nats-route://127.0.0.1:6222, nats-route://127.0.0.1:6223, nats-route://127.0.0.1:6224]
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.NATS.Embedded.Cluster.Size(c.NATS.Embedded.Cluster.Host); got != 3 {
		t.Fatalf("cluster size %d, want 3 (own route ignored)", got)
	}
	if c.NATS.Leases.TTL != 30*time.Second || c.NATS.Leases.Renew != 10*time.Second {
		t.Fatalf("lease defaults %+v", c.NATS.Leases)
	}
}
