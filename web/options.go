package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/reports"
)

// Config is the `web:` section of kuzot.yaml.
type Config struct {
	// SecureCookies marks cookies Secure (HTTPS only). Default true; set false only for
	// plain-http localhost (make run).
	SecureCookies *bool `yaml:"secure_cookies"`
	// SessionTTL is how long a login lasts (default 12h).
	SessionTTL time.Duration `yaml:"session_ttl"`
	// LoginMaxFailures failed logins per IP and user name within LoginWindow lock that
	// pair out until the window passes (defaults 5 and 15m); an IP alone gets 10x that.
	LoginMaxFailures int           `yaml:"login_max_failures"`
	LoginWindow      time.Duration `yaml:"login_window"`
	// ReportsDir holds generated reports offered for download (default <data_dir>/reports).
	ReportsDir string `yaml:"reports_dir"`
	// TrustProxyHeaders takes the client IP from X-Forwarded-For (only behind a proxy
	// that sets it), for login rate limiting and the audit log.
	TrustProxyHeaders bool `yaml:"trust_proxy_headers"`
	// TrustedProxies is how many reverse proxies stand in front of the server (default
	// 1). Each appends the address it received the request from to X-Forwarded-For, so
	// the client is the TrustedProxies-th entry from the right; entries to its left were
	// written by the client and are ignored.
	TrustedProxies int `yaml:"trusted_proxies"`
	// LoginConcurrentHashes bounds how many argon2id password checks (19 MiB each) run at
	// once (default twice the number of CPUs). A login that cannot start one within a
	// second is answered 503 with Retry-After.
	LoginConcurrentHashes int `yaml:"login_concurrent_hashes"`
	// AnalystsAcknowledge lets analysts acknowledge any organisation's incident, which
	// stops its updates and cancels its pending alerts (default false: admins and the
	// owning organisation's users only).
	AnalystsAcknowledge bool `yaml:"analysts_acknowledge"`
}

// LoadConfig decodes the web section strictly and fills defaults.
func LoadConfig(node *yaml.Node, dataDir string) (Config, error) {
	var c Config
	if err := config.DecodeSection(node, "web", &c); err != nil {
		return c, err
	}
	if c.SecureCookies == nil {
		t := true
		c.SecureCookies = &t
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.SessionTTL < time.Minute {
		return c, fmt.Errorf("web config: session_ttl %s is too short", c.SessionTTL)
	}
	if c.LoginMaxFailures == 0 {
		c.LoginMaxFailures = 5
	}
	if c.LoginWindow == 0 {
		c.LoginWindow = 15 * time.Minute
	}
	if c.ReportsDir == "" {
		c.ReportsDir = filepath.Join(dataDir, "reports")
	}
	if c.LoginMaxFailures < 1 || c.LoginWindow < time.Second {
		return c, fmt.Errorf("web config: login_max_failures (%d) must be at least 1 and login_window (%s) at least 1s",
			c.LoginMaxFailures, c.LoginWindow)
	}
	if c.TrustedProxies == 0 {
		c.TrustedProxies = 1
	}
	if c.TrustedProxies < 1 || c.TrustedProxies > 16 {
		return c, fmt.Errorf("web config: trusted_proxies %d: want 1..16", c.TrustedProxies)
	}
	if c.LoginConcurrentHashes == 0 {
		c.LoginConcurrentHashes = 2 * runtime.NumCPU()
	}
	if c.LoginConcurrentHashes < 1 || c.LoginConcurrentHashes > 1024 {
		return c, fmt.Errorf("web config: login_concurrent_hashes %d: want 1..1024", c.LoginConcurrentHashes)
	}
	return c, nil
}

// IncidentAcker acknowledges an incident on behalf of a user. The alert role's state
// implements it (app wires it), so that acknowledgement also stops escalation and the
// incidents table follows through the alert mirror, its one writer. sc is the caller's
// scope: an implementation must refuse (ErrNotFound) an incident outside it. Without one
// (Options.Acker nil) acknowledging answers 503: writing only a new incidents row would
// be undone by the next mirrored change of the incident.
type IncidentAcker interface {
	Acknowledge(ctx context.Context, sc Scope, id, by string, at time.Time) error
}

// noAcker is the IncidentAcker of a server without the alert state.
type noAcker struct{}

// Acknowledge implements IncidentAcker: always 503.
func (noAcker) Acknowledge(context.Context, Scope, string, string, time.Time) error {
	return errStatus(http.StatusServiceUnavailable, "acknowledging incidents needs the alert role's state, which this server does not have")
}

// ClusterSource reads coordinated clusters for the clusters pages (CHClusters by
// default; nil in an Options means that default).
type ClusterSource interface {
	Clusters(ctx context.Context, limit int) ([]Cluster, error)
	Cluster(ctx context.Context, id string) (Cluster, error)
}

// ReportSource lists and opens generated reports within a user's scope: an
// organisation user sees the general reports and its own organisation's.
type ReportSource interface {
	List(ctx context.Context, sc Scope) ([]Report, error)
	Open(ctx context.Context, sc Scope, name string) (io.ReadSeekCloser, Report, error)
}

// CHReports lists the reports the report role recorded in the reports table (migration
// 0030) and serves their files from Dir, the reports output directory.
type CHReports struct {
	DB  *DB
	Dir string
}

var reportExts = []string{".pdf", ".html", ".md", ".csv", ".json", ".zip"} // CSV reports are a zip of tables

func (c CHReports) query(ctx context.Context, sc Scope, file string) ([]Report, error) {
	recs, err := reports.Published(ctx, c.DB.Conn, sc.All, sc.Org, file)
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, rec := range recs {
		r := Report{ID: rec.ID, Org: rec.Org, Lang: rec.Lang, From: rec.From, To: rec.To, Modified: rec.GeneratedAt}
		for i, f := range rec.Files {
			x := r
			x.Name, x.Format = f, strings.TrimPrefix(strings.ToLower(filepath.Ext(f)), ".")
			if i < len(rec.Sizes) {
				x.Size = int64(rec.Sizes[i])
			}
			out = append(out, x)
		}
	}
	return out, nil
}

// List implements ReportSource.
func (c CHReports) List(ctx context.Context, sc Scope) ([]Report, error) { return c.query(ctx, sc, "") }

// Open implements ReportSource. Only a file named by a report in the caller's scope is
// served, and only from Dir: names with a path separator, a leading dot or another
// extension are not found.
func (c CHReports) Open(ctx context.Context, sc Scope, name string) (io.ReadSeekCloser, Report, error) {
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") || len(name) > 255 ||
		!slices.Contains(reportExts, strings.ToLower(filepath.Ext(name))) {
		return nil, Report{}, ErrNotFound
	}
	rs, err := c.query(ctx, sc, name)
	if err != nil {
		return nil, Report{}, err
	}
	i := slices.IndexFunc(rs, func(r Report) bool { return r.Name == name })
	if i < 0 {
		return nil, Report{}, ErrNotFound
	}
	f, err := os.Open(filepath.Join(c.Dir, name))
	if os.IsNotExist(err) {
		return nil, Report{}, ErrNotFound
	}
	if err != nil {
		return nil, Report{}, fmt.Errorf("open report: %w", err)
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() {
		f.Close()
		return nil, Report{}, ErrNotFound
	}
	r := rs[i]
	r.Size = info.Size()
	return f, r, nil
}

// Options are what a Server needs. DB and Log are required.
type Options struct {
	DB     *DB
	Log    *slog.Logger
	Config Config
	Acker  IncidentAcker
	// Cluster defaults to CHClusters (the coordination tables).
	Cluster ClusterSource
	// Labeler stores analysts' cluster labels; nil disables labelling.
	Labeler ClusterLabeler
	// Rules manages the alert engine's per-organisation rules; nil hides them.
	Rules   RuleManager
	Reports ReportSource
	// Backfill queues digests of past exposures; nil disables /api/alerts/backfill.
	Backfill Backfiller
	// Tips hands the tip form's submissions to the tipline; nil shows the form as not configured.
	Tips TipSubmitter
	// Now is the clock (time.Now by default).
	Now func() time.Time
}
