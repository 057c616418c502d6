// Package config is kuzot's typed configuration: one YAML file with defaults applied in
// one place, strict decoding (unknown keys are errors), validation that reports every
// problem, and environment overrides for secrets. See kuzot.example.yaml.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Secret is a string that never prints: it marshals and formats as "<secret>".
type Secret string

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// MarshalYAML hides the value.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON hides the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// Config is the whole configuration file.
type Config struct {
	// DataDir holds JetStream files, the local ClickHouse data, models and hashed watchlists.
	DataDir string     `yaml:"data_dir"`
	Log     Log        `yaml:"log"`
	HTTP    HTTP       `yaml:"http"`
	NATS    NATS       `yaml:"nats"`
	CH      ClickHouse `yaml:"clickhouse"`
	Collect Collect    `yaml:"collect"`
	// Sources are decoded by the collector registry (strict, per kind).
	Sources []yaml.Node `yaml:"sources"`
	// Classifiers holds each classifier's own section, keyed by classifier name.
	Classifiers map[string]yaml.Node `yaml:"classifiers"`
	Store       Store                `yaml:"store"`
	Retention   Retention            `yaml:"retention"`
	Models      Models               `yaml:"models"`
	// Sections owned by other packages (alerts, coordination, web, reports) are kept as
	// raw nodes and decoded by their owners with DecodeSection; app.CheckConfig runs
	// every owner at load. To add a section, see docs/configuration.md.
	Alerts       yaml.Node `yaml:"alerts"`
	Coordination yaml.Node `yaml:"coordination"`
	Web          yaml.Node `yaml:"web"`
	Reports      yaml.Node `yaml:"reports"`
	// OCR configures the ocr role (image text, issue 16); decoded by app.LoadOCRConfig.
	OCR yaml.Node `yaml:"ocr"`

	// KeyLines maps each key path of the file to its line (KeyLines), for locating
	// problems found after decoding. Empty for a configuration built in code.
	KeyLines map[string]int `yaml:"-"`
}

// Log configures structured logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// HTTP are kuzot's two listeners: Listen for /healthz, /readyz, the API and the web UI,
// and MetricsListen for /metrics, /healthz, /readyz and the profiler.
type HTTP struct {
	Listen string `yaml:"listen"`
	// MetricsListen serves /metrics (and pprof when enabled) apart from the UI, so that
	// a reverse proxy publishing the UI does not publish them too. Default
	// 127.0.0.1:9464 (loopback only); MetricsShared ("shared") serves them on Listen
	// instead, for processes without the web UI whose listener is private (benchmarks,
	// test harnesses).
	MetricsListen string `yaml:"metrics_listen"`
	// Pprof serves Go's profiler under /debug/pprof/ on the metrics listener, for
	// measuring a process under load. Off by default: profiles reveal internals.
	Pprof bool `yaml:"pprof"`
}

// MetricsShared as http.metrics_listen serves /metrics on http.listen.
const MetricsShared = "shared"

// NATS selects an embedded JetStream server (default) or an external server/cluster.
type NATS struct {
	// URL of an external server or cluster ("nats://a:4222,nats://b:4222"); empty = embedded.
	URL string `yaml:"url"`
	// Creds is a credentials file (JWT and nkey seed) for the external server.
	Creds string `yaml:"creds"`
	// User and Password authenticate kuzot to NATS (also KUZOT_NATS_USER and
	// KUZOT_NATS_PASSWORD). The embedded server accepts this one user and nobody else;
	// when Password is empty it generates one into embedded.password_file (0600) and the
	// processes sharing that data directory read it from there.
	User     string `yaml:"user"`
	Password Secret `yaml:"password"`
	// TLSCA is a PEM file of the CAs that sign an external server's certificate (a
	// tls:// URL, or a server that requires TLS); TLSCert and TLSKey a client certificate
	// for servers that verify clients.
	TLSCA   string `yaml:"tls_ca"`
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// Embedded configures the in-process server used when URL is empty.
	Embedded Embedded `yaml:"embedded"`
	// Replicas of every stream, consumer, KV bucket and object store kuzot creates: 1 on
	// a single node, 3 (or 5) on a JetStream cluster of at least as many servers.
	Replicas int `yaml:"replicas"`
	// Leases share work among role replicas (collector sources, the coordinate leader,
	// scheduled reports) through the KV bucket kuzot_leases.
	Leases Leases `yaml:"leases"`
	// PostsMaxAge and PostsMaxBytes bound the posts stream; with Discard New a full stream
	// rejects publishes (collectors retry) rather than silently dropping old posts.
	PostsMaxAge   time.Duration `yaml:"posts_max_age"`
	PostsMaxBytes int64         `yaml:"posts_max_bytes"`
	// DuplicateWindow is the posts stream's Nats-Msg-Id deduplication window: it must
	// cover a publisher's retries and a collector re-emitting the posts of a poll that a
	// restart interrupted (its state is saved after every poll). A post repeated after
	// the window is stored again and collapsed by ClickHouse (ReplacingMergeTree), so the
	// window trades memory (see ResultsDuplicateWindow) for fewer repeated rows.
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// ResultsDuplicateWindow is the results stream's window. Only the classify stage
	// publishes there, and it repeats a result only when a post is redelivered (within
	// the consumer's ack wait and its backoff), so it can be much shorter. The server
	// keeps every message id of the window in memory (about 170 bytes each, map included), so at
	// thousands of posts/s each window costs hundreds of MiB.
	ResultsDuplicateWindow time.Duration `yaml:"results_duplicate_window"`
	// MaxDeliver is how many times a message is tried before it goes to the dead-letter stream.
	MaxDeliver int `yaml:"max_deliver"`
}

// Embedded configures the in-process NATS server.
type Embedded struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"` // -1 picks a free port
	// StoreDir defaults to <data_dir>/jetstream.
	StoreDir string `yaml:"store_dir"`
	// PasswordFile holds the generated password of the embedded server's user when
	// nats.password is empty (default <store_dir>/kuzot-nats.password, mode 0600).
	PasswordFile string `yaml:"password_file"`
	// ServerName names this server; it must be unique in a cluster (default
	// "kuzot-embedded").
	ServerName string `yaml:"server_name"`
	// Cluster makes the embedded server a node of a JetStream cluster (`kuzot
	// jetstream` on several hosts); empty name = a single server.
	Cluster Cluster `yaml:"cluster"`
}

// Cluster is the embedded server's cluster membership: routes to the other nodes,
// authenticated with nats.user and nats.password (or a shared embedded.password_file).
type Cluster struct {
	// Name of the cluster, the same on every node; empty runs a single server.
	Name string `yaml:"name"`
	// Host and Port of the route listener (default host: embedded.host; port -1 picks a
	// free one, which only a seed node that others route to can use).
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// Routes are the route URLs (nats-route://host:port) of the cluster's nodes; this
	// node's own may be listed too (it is ignored), so every node can share one list.
	Routes []string `yaml:"routes"`
}

// Enabled reports whether the embedded server runs as a cluster node.
func (c Cluster) Enabled() bool { return c.Name != "" }

// Size is the number of nodes the routes name, this one included.
func (c Cluster) Size(host string) int {
	if !c.Enabled() {
		return 1
	}
	self := net.JoinHostPort(host, fmt.Sprint(c.Port))
	n := 1
	seen := map[string]bool{}
	for _, r := range c.Routes {
		u, err := url.Parse(r)
		if err != nil || u.Host == self || seen[u.Host] {
			continue
		}
		seen[u.Host] = true
		n++
	}
	return n
}

// Leases configures the KV leases of role replicas. A holder renews its lease every
// Renew; a lease not renewed for TTL expires (the server removes it), and another replica
// takes the work over within TTL plus two Renew intervals.
type Leases struct {
	TTL   time.Duration `yaml:"ttl"`
	Renew time.Duration `yaml:"renew"`
}

// EmbeddedPasswordFile returns the file of the embedded server's generated password.
func (n NATS) EmbeddedPasswordFile() string {
	if n.Embedded.PasswordFile != "" {
		return n.Embedded.PasswordFile
	}
	return filepath.Join(n.Embedded.StoreDir, "kuzot-nats.password")
}

// ClickHousePasswordEnv names the environment variable that sets clickhouse.password. The
// local server of scripts/clickhouse-local.sh generates the password into its data
// directory; make run and make test export it from there.
const ClickHousePasswordEnv = "KUZOT_CLICKHOUSE_PASSWORD"

// ClickHouse is the native-protocol connection.
type ClickHouse struct {
	// Addr is host:port of the native protocol (9000 by default). Several comma-separated
	// addresses are tried in order.
	Addr     string `yaml:"addr"`
	Database string `yaml:"database"`
	Username string `yaml:"username"`
	// Password may also come from KUZOT_CLICKHOUSE_PASSWORD.
	Password    Secret        `yaml:"password"`
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// MaxOpenConns must cover writers + readers + 1.
	MaxOpenConns int `yaml:"max_open_conns"`
	// Grafana is the read-only access `kuzot migrate` provisions for the dashboards.
	Grafana GrafanaAccess `yaml:"grafana"`
	// Cluster names the remote_servers cluster (shards of replicas, with ZooKeeper or
	// ClickHouse Keeper) that `kuzot migrate` lays the schema over: replicated local
	// tables <t>_local on every server and Distributed tables <t> over them, created ON
	// CLUSTER (docs/scaling.md). Empty (the default) keeps the single-node schema. Also
	// KUZOT_CLICKHOUSE_CLUSTER.
	Cluster string `yaml:"cluster"`
}

// GrafanaAccess describes the read-only ClickHouse access of Grafana: a database holding
// only the aggregate tables the dashboards read (no post text, no personal data, no users,
// sessions, audit log or per-organisation incident detail), and a user that may read
// nothing else (storage.ProvisionGrafana).
type GrafanaAccess struct {
	// Database is created by kuzot migrate (default kuzot_grafana); "-" skips it.
	Database string `yaml:"database"`
	// User is the grafana user's name (default grafana). On servers with SQL access
	// management kuzot migrate creates it, readonly, with Password (or
	// KUZOT_CLICKHOUSE_GRAFANA_PASSWORD) and SELECT on Database only. On ClickHouse 18.16
	// the user comes from users.xml (scripts/clickhouse-local.sh generates it).
	User     string `yaml:"user"`
	Password Secret `yaml:"password"`
	// Cluster names a remote_servers cluster of this very server, as kuzot's own user
	// (default kuzot_self, defined by scripts/clickhouse-local.sh). Servers without SQL
	// users serve Grafana's tables as Distributed tables over it.
	Cluster string `yaml:"cluster"`
}

// Collect holds settings shared by every collector.
type Collect struct {
	UserAgent string `yaml:"user_agent"`
	// HostRules override the per-host pacing (first match wins); empty keeps the
	// built-in polite defaults (t.me 2 s, www.youtube.com 5 s, *vk.com 3 s, others 1 s).
	HostRules []HostRule `yaml:"host_rules"`
}

// HostRule paces requests to hosts matching Pattern (path.Match syntax against
// host:port, e.g. "t.me", "*.vk.com", "127.0.0.1:*", "*"): one request in flight per
// host and Delay plus up to Jitter between requests.
type HostRule struct {
	Pattern string        `yaml:"pattern"`
	Delay   time.Duration `yaml:"delay"`
	Jitter  time.Duration `yaml:"jitter"`
}

// Store configures the storage writers' batching.
type Store struct {
	BatchRows     int           `yaml:"batch_rows"`
	BatchBytes    int           `yaml:"batch_bytes"`
	FlushInterval time.Duration `yaml:"flush_interval"`
	// RetryMax caps the backoff between retries of a failed insert.
	RetryMax time.Duration `yaml:"retry_max"`
}

// Retention bounds how long raw personal data is kept. The store role enforces it.
type Retention struct {
	// Posts drops whole monthly partitions of posts (and their classifications and
	// exposures) published longer ago than this. 0 keeps them forever.
	Posts time.Duration `yaml:"posts"`
	// ExposingPostsRaw replaces the text of posts that exposed someone's personal data
	// with its redacted version this long after publication.
	ExposingPostsRaw time.Duration `yaml:"exposing_posts_raw"`
	// CheckInterval is how often retention runs.
	CheckInterval time.Duration `yaml:"check_interval"`
}

// Models locates trained classifier models (issue 14): `kuzot train narrative --labels`
// installs candidates here, `kuzot model promote` points "current" at one, and running
// classify roles poll the pointer and swap the promoted model in without a restart.
type Models struct {
	// Dir is the models directory (default <data_dir>/models). Several classify
	// processes share it on one host or on a shared volume.
	Dir string `yaml:"dir"`
	// WatchInterval is how often classify roles check the promoted-model pointer
	// (default 10s; 1s..1h).
	WatchInterval time.Duration `yaml:"watch_interval"`
}

// Default returns a configuration with every default filled in.
func Default() *Config {
	c := &Config{}
	c.applyDefaults()
	return c
}

func (c *Config) applyDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.DataDir, "./data")
	def(&c.Log.Level, "info")
	def(&c.Log.Format, "text")
	def(&c.HTTP.Listen, "127.0.0.1:8080")
	def(&c.HTTP.MetricsListen, "127.0.0.1:9464")
	def(&c.NATS.Embedded.Host, "127.0.0.1")
	if c.NATS.Embedded.Port == 0 {
		c.NATS.Embedded.Port = 4222
	}
	if c.NATS.Embedded.StoreDir == "" {
		c.NATS.Embedded.StoreDir = filepath.Join(c.DataDir, "jetstream")
	}
	if c.NATS.Replicas == 0 {
		c.NATS.Replicas = 1
	}
	def(&c.NATS.Embedded.ServerName, "kuzot-embedded")
	def(&c.NATS.Embedded.Cluster.Host, c.NATS.Embedded.Host)
	if c.NATS.Leases.TTL == 0 {
		c.NATS.Leases.TTL = 30 * time.Second
	}
	if c.NATS.Leases.Renew == 0 {
		c.NATS.Leases.Renew = c.NATS.Leases.TTL / 3
	}
	def(&c.NATS.User, "kuzot")
	if c.NATS.PostsMaxAge == 0 {
		c.NATS.PostsMaxAge = 7 * 24 * time.Hour
	}
	if c.NATS.PostsMaxBytes == 0 {
		c.NATS.PostsMaxBytes = 8 << 30
	}
	if c.NATS.DuplicateWindow == 0 {
		c.NATS.DuplicateWindow = 2 * time.Minute
	}
	if c.NATS.ResultsDuplicateWindow == 0 {
		c.NATS.ResultsDuplicateWindow = 2 * time.Minute
	}
	if c.NATS.MaxDeliver == 0 {
		c.NATS.MaxDeliver = 8
	}
	def(&c.CH.Addr, "127.0.0.1:9000")
	def(&c.CH.Database, "kuzot")
	def(&c.CH.Username, "default")
	def(&c.CH.Grafana.Database, "kuzot_grafana")
	def(&c.CH.Grafana.User, "grafana")
	def(&c.CH.Grafana.Cluster, "kuzot_self")
	if c.CH.DialTimeout == 0 {
		c.CH.DialTimeout = 5 * time.Second
	}
	if c.CH.MaxOpenConns == 0 {
		c.CH.MaxOpenConns = 16
	}
	def(&c.Collect.UserAgent, "kuzot/1.0 (+https://github.com/kuzot/kuzot; public-interest monitoring)")
	if c.Store.BatchRows == 0 {
		c.Store.BatchRows = 5000
	}
	if c.Store.BatchBytes == 0 {
		c.Store.BatchBytes = 16 << 20
	}
	if c.Store.FlushInterval == 0 {
		c.Store.FlushInterval = time.Second
	}
	if c.Retention.Posts == 0 {
		c.Retention.Posts = 365 * 24 * time.Hour
	}
	if c.Retention.ExposingPostsRaw == 0 {
		c.Retention.ExposingPostsRaw = 30 * 24 * time.Hour
	}
	if c.Retention.CheckInterval == 0 {
		c.Retention.CheckInterval = time.Hour
	}
	if c.Store.RetryMax == 0 {
		c.Store.RetryMax = 30 * time.Second
	}
	def(&c.Models.Dir, filepath.Join(c.DataDir, "models"))
	if c.Models.WatchInterval == 0 {
		c.Models.WatchInterval = 10 * time.Second
	}
}

// chIdentRe matches the ClickHouse names kuzot puts into DDL unquoted (cluster, database).
var chIdentRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports every problem found, joined.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level: %q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format: %q is not text or json", c.Log.Format)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		bad("http.listen: %q is not host:port: %v", c.HTTP.Listen, err)
	}
	if c.HTTP.MetricsListen != MetricsShared {
		if _, port, err := net.SplitHostPort(c.HTTP.MetricsListen); err != nil {
			bad("http.metrics_listen: %q is not host:port or %q: %v", c.HTTP.MetricsListen, MetricsShared, err)
		} else if c.HTTP.MetricsListen == c.HTTP.Listen && port != "0" {
			bad("http.metrics_listen: %q is http.listen too; write %q to serve /metrics there", c.HTTP.MetricsListen, MetricsShared)
		}
	}
	if c.NATS.URL == "" && (c.NATS.Embedded.Port < -1 || c.NATS.Embedded.Port > 65535) {
		bad("nats.embedded.port: %d out of range", c.NATS.Embedded.Port)
	}
	if c.NATS.DuplicateWindow < time.Minute || c.NATS.ResultsDuplicateWindow < time.Minute {
		bad("nats.duplicate_window %s and nats.results_duplicate_window %s: each must be at least 1m (a redelivered post is re-published within the 30 s ack wait)",
			c.NATS.DuplicateWindow, c.NATS.ResultsDuplicateWindow)
	}
	if (c.NATS.TLSCert == "") != (c.NATS.TLSKey == "") {
		bad("nats.tls_cert and nats.tls_key: set both or neither")
	}
	if c.NATS.Creds != "" && c.NATS.Password != "" {
		bad("nats.creds and nats.password: use one way to authenticate")
	}
	if c.NATS.MaxDeliver < 2 {
		bad("nats.max_deliver: %d, must be at least 2", c.NATS.MaxDeliver)
	}
	c.validateNATSCluster(bad)
	for _, a := range strings.Split(c.CH.Addr, ",") {
		if _, _, err := net.SplitHostPort(strings.TrimSpace(a)); err != nil {
			bad("clickhouse.addr: %q is not host:port: %v", a, err)
		}
	}
	if c.CH.Cluster != "" {
		if !chIdentRe.MatchString(c.CH.Cluster) {
			bad("clickhouse.cluster: %q may hold only letters, digits and _ (a remote_servers name)", c.CH.Cluster)
		} else if c.CH.Cluster == c.CH.Grafana.Cluster {
			bad("clickhouse.cluster: %q is clickhouse.grafana.cluster, the loopback cluster of one server; name the cluster of shards and replicas", c.CH.Cluster)
		}
		if !chIdentRe.MatchString(c.CH.Database) {
			bad("clickhouse.database: %q may hold only letters, digits and _ (it is part of the replicated tables' ZooKeeper paths)", c.CH.Database)
		}
	}
	for i, r := range c.Collect.HostRules {
		if _, err := path.Match(r.Pattern, "x"); err != nil || r.Pattern == "" {
			bad("collect.host_rules[%d].pattern: %q is not a valid pattern", i, r.Pattern)
		}
		if r.Delay < 0 || r.Jitter < 0 {
			bad("collect.host_rules[%d]: delay and jitter must not be negative", i)
		}
	}
	if c.Store.BatchRows < 1 {
		bad("store.batch_rows: %d, must be positive", c.Store.BatchRows)
	}
	if c.Store.FlushInterval < 10*time.Millisecond {
		bad("store.flush_interval: %s is too short", c.Store.FlushInterval)
	}
	if c.Retention.Posts < 0 || c.Retention.ExposingPostsRaw < 0 {
		bad("retention: durations must not be negative")
	}
	if c.Retention.Posts > 0 && c.Retention.Posts < 31*24*time.Hour {
		bad("retention.posts: %s is shorter than a month; posts are dropped by monthly partition", c.Retention.Posts)
	}
	if c.Models.WatchInterval < time.Second || c.Models.WatchInterval > time.Hour {
		bad("models.watch_interval: %s, must be 1s..1h", c.Models.WatchInterval)
	}
	return errors.Join(errs...)
}

// validateNATSCluster checks nats.replicas, nats.url, nats.leases and the embedded
// server's cluster settings.
func (c *Config) validateNATSCluster(bad func(string, ...any)) {
	n := c.NATS
	switch n.Replicas {
	case 1, 3, 5:
	default:
		bad("nats.replicas: %d, must be 1, 3 or 5 (an even count tolerates no more failures than the odd one below it)", n.Replicas)
	}
	if n.URL != "" {
		for _, u := range strings.Split(n.URL, ",") {
			pu, err := url.Parse(strings.TrimSpace(u))
			if err != nil || pu.Host == "" {
				bad("nats.url: %q is not a URL like nats://host:4222 (several are separated by commas)", strings.TrimSpace(u))
				continue
			}
			switch pu.Scheme {
			case "nats", "tls", "ws", "wss":
			default:
				bad("nats.url: %q: scheme %q is not nats, tls, ws or wss", u, pu.Scheme)
			}
		}
	}
	if n.Leases.TTL < 500*time.Millisecond {
		bad("nats.leases.ttl: %s is too short (at least 500ms)", n.Leases.TTL)
	}
	if n.Leases.Renew <= 0 || 2*n.Leases.Renew > n.Leases.TTL {
		bad("nats.leases.renew: %s, must be positive and at most half of nats.leases.ttl (%s), so that one lost renewal does not expire a lease", n.Leases.Renew, n.Leases.TTL)
	}
	cl := n.Embedded.Cluster
	if !cl.Enabled() {
		if len(cl.Routes) > 0 || cl.Port != 0 {
			bad("nats.embedded.cluster: routes and port need cluster.name")
		}
		if n.URL == "" && n.Replicas > 1 {
			bad("nats.replicas: %d needs a JetStream cluster: set nats.url to a cluster, or nats.embedded.cluster for kuzot jetstream nodes", n.Replicas)
		}
		return
	}
	if n.Embedded.ServerName == "" || n.Embedded.ServerName == "kuzot-embedded" {
		bad("nats.embedded.server_name: set a name unique in cluster %q (e.g. kuzot-n1)", cl.Name)
	}
	if cl.Port == 0 || cl.Port < -1 || cl.Port > 65535 {
		bad("nats.embedded.cluster.port: %d, must be a port (or -1 for a free one)", cl.Port)
	}
	for i, r := range cl.Routes {
		u, err := url.Parse(r)
		if err != nil || u.Host == "" || (u.Scheme != "nats-route" && u.Scheme != "nats") {
			bad("nats.embedded.cluster.routes[%d]: %q is not a route URL like nats-route://host:6222", i, r)
			continue
		}
		if u.User != nil {
			bad("nats.embedded.cluster.routes[%d]: put no credentials in a route URL; routes use nats.user and nats.password", i)
		}
	}
	if size := cl.Size(cl.Host); n.URL == "" && n.Replicas > size {
		bad("nats.replicas: %d, but nats.embedded.cluster.routes name %d node(s) (this one included): list every node of the cluster", n.Replicas, size)
	}
	if n.Password == "" && n.Embedded.PasswordFile == "" && n.Creds == "" {
		bad("nats.embedded.cluster: nodes authenticate their routes with nats.password; set it (KUZOT_NATS_PASSWORD) or a password_file shared by every node")
	}
}

// Parse decodes a configuration strictly (DecodeSection over the whole file: every
// unknown key and wrong type, with its path and line), applies environment overrides and
// defaults, and validates it. The sections owned by other packages (alerts, web, reports,
// coordination, classifiers, sources) stay raw here; app.CheckConfig decodes and
// validates them at load, whatever roles run.
func Parse(r io.Reader) (*Config, error) {
	c, err := parse(r)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parse is Parse that also returns what it could decode when the file has problems
// (nil only when it is not YAML), so that a check can go on to the other sections.
func parse(r io.Reader) (*Config, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(r).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config: %w", err)
	}
	c := &Config{KeyLines: KeyLines(&doc)}
	decodeErr := DecodeSection(&doc, "", c)
	c.applyEnv(os.Getenv)
	c.applyDefaults()
	ps := ProblemsOf(decodeErr, "", 0)
	if decodeErr == nil {
		// Values of the wrong type are already problems; validating their zero
		// values would only add noise.
		ps = append(ps, Locate(c.Validate(), "", c.KeyLines)...)
	}
	return c, ps.Err()
}

// Load reads and parses a configuration file. An empty path gives the defaults.
// Problems name the file (Problems, one per line).
func Load(path string) (*Config, error) {
	c, err := LoadPartial(path)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// LoadPartial is Load that also returns the configuration it could decode when the file
// has problems (a nil one when the file cannot be read or is not YAML), so that
// `kuzot check-config` reports the problems of the other sections too.
func LoadPartial(path string) (*Config, error) {
	if path == "" {
		return parse(bytes.NewReader(nil))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w (copy kuzot.example.yaml and pass it with --config)", err)
	}
	defer f.Close()
	c, err := parse(f)
	var ps Problems
	if errors.As(err, &ps) {
		return c, ps.InFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// applyEnv lets secrets and deployment addresses come from the environment, so that the
// file can be committed and shared without them.
func (c *Config) applyEnv(getenv func(string) string) {
	set := func(dst *string, key string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	set(&c.NATS.URL, "KUZOT_NATS_URL")
	set(&c.NATS.Creds, "KUZOT_NATS_CREDS")
	set(&c.NATS.User, "KUZOT_NATS_USER")
	set(&c.NATS.TLSCA, "KUZOT_NATS_TLS_CA")
	if v := getenv("KUZOT_NATS_PASSWORD"); v != "" {
		c.NATS.Password = Secret(v)
	}
	set(&c.CH.Addr, "KUZOT_CLICKHOUSE_ADDR")
	set(&c.CH.Database, "KUZOT_CLICKHOUSE_DATABASE")
	set(&c.CH.Username, "KUZOT_CLICKHOUSE_USER")
	set(&c.CH.Cluster, "KUZOT_CLICKHOUSE_CLUSTER")
	if v := getenv(ClickHousePasswordEnv); v != "" {
		c.CH.Password = Secret(v)
	}
	if v := getenv("KUZOT_CLICKHOUSE_GRAFANA_PASSWORD"); v != "" {
		c.CH.Grafana.Password = Secret(v)
	}
	set(&c.DataDir, "KUZOT_DATA_DIR")
	set(&c.HTTP.Listen, "KUZOT_HTTP_LISTEN")
	set(&c.HTTP.MetricsListen, "KUZOT_HTTP_METRICS_LISTEN")
}
