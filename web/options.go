package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/config"
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
}

// LoadConfig decodes the web section strictly and fills defaults.
func LoadConfig(node *yaml.Node, dataDir string) (Config, error) {
	var c Config
	if err := config.DecodeSection(node, &c); err != nil {
		return c, fmt.Errorf("web config: %w", err)
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
	return c, nil
}

// IncidentAcker acknowledges an incident on behalf of a user. The alerts package
// implements it (so that acknowledgement also stops escalation); CHAcker is the
// ClickHouse-only fallback. sc is the caller's scope: an implementation must refuse
// (ErrNotFound) an incident outside it.
type IncidentAcker interface {
	Acknowledge(ctx context.Context, sc Scope, id, by string, at time.Time) error
}

// ClusterSource reads coordinated clusters for the clusters pages (CHClusters by
// default; nil in an Options means that default).
type ClusterSource interface {
	Clusters(ctx context.Context, limit int) ([]Cluster, error)
	Cluster(ctx context.Context, id string) (Cluster, error)
}

// ReportSource lists and opens generated reports.
type ReportSource interface {
	List(ctx context.Context) ([]Report, error)
	Open(ctx context.Context, name string) (io.ReadSeekCloser, Report, error)
}

// DirReports serves the report files (pdf, html, md, csv, json) of one directory.
type DirReports struct{ Dir string }

var reportExts = []string{".pdf", ".html", ".md", ".csv", ".json"}

// List implements ReportSource; a missing directory is an empty list.
func (d DirReports) List(_ context.Context) ([]Report, error) {
	ents, err := os.ReadDir(d.Dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	var out []Report
	for _, e := range ents {
		if e.IsDir() || !slices.Contains(reportExts, strings.ToLower(filepath.Ext(e.Name()))) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Report{Name: e.Name(), Size: info.Size(), Modified: info.ModTime().UTC()})
	}
	slices.SortFunc(out, func(a, b Report) int { return b.Modified.Compare(a.Modified) })
	return out, nil
}

// Open implements ReportSource. Names with a path separator or outside the listed
// extensions are not found, so a request cannot escape the directory.
func (d DirReports) Open(_ context.Context, name string) (io.ReadSeekCloser, Report, error) {
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") ||
		!slices.Contains(reportExts, strings.ToLower(filepath.Ext(name))) {
		return nil, Report{}, ErrNotFound
	}
	f, err := os.Open(filepath.Join(d.Dir, name))
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
	return f, Report{Name: name, Size: info.Size(), Modified: info.ModTime().UTC()}, nil
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
	// Now is the clock (time.Now by default).
	Now func() time.Time
}
