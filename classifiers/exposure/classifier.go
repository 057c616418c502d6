// Package exposure is kuzot's doxxing and outing classifier. It recognises personal
// data in posts (phones, Kyrgyz PINs, ID-card and passport numbers, Kazakh IINs,
// Russian INNs, SNILS and passports, birth dates, addresses, vehicle plates, e-mails,
// handles and profile links), person names and statements about a person's sexual
// orientation or gender identity; decides whether an identifiable private person is
// exposed or outed and how severe it is (see Severity); and matches protected members
// of organisations through keyed-hash watchlists (package watchlist) without ever
// holding the list in the clear.
//
// Results carry entity types and byte offsets, never the values; Redact masks the
// identifiers for stored or displayed evidence.
package exposure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
)

// Name is the classifier's name in the registry and the classify output.
const Name = "exposure"

// Version changes whenever recognisers, lexicons or rules change the output.
const Version = "exposure/8"

// OverrideWatchlistFile is the Deps.Overrides key of `kuzot classify --watchlist FILE`:
// a plaintext watchlist that is hashed in memory for this run and never written.
const OverrideWatchlistFile = "watchlist_file"

// Config is the classifier's section under `classifiers: exposure:` in the config file.
type Config struct {
	// WatchlistFile is a plaintext watchlist hashed in memory at start (never stored).
	// Prefer importing lists with `kuzot watchlist import` and leaving this empty.
	WatchlistFile string `yaml:"watchlist_file"`
	// WatchlistDir holds the hashed lists written by `kuzot watchlist import`
	// (default <data_dir>/watchlists).
	WatchlistDir string `yaml:"watchlist_dir"`
	// WatchlistKeyEnv names the environment variable with the HMAC key
	// (default KUZOT_WATCHLIST_KEY). The key itself is never in the config file.
	WatchlistKeyEnv string `yaml:"watchlist_key_env"`
}

// DecodeConfig decodes the classifier's config section strictly (unknown keys are
// errors) and applies defaults; node may be nil.
func DecodeConfig(node *yaml.Node, dataDir string) (Config, error) {
	var c Config
	if err := config.DecodeSection(node, "classifiers."+Name, &c); err != nil {
		return c, err
	}
	if c.WatchlistDir == "" {
		if dataDir == "" {
			dataDir = "./data"
		}
		c.WatchlistDir = filepath.Join(dataDir, "watchlists")
	}
	if c.WatchlistKeyEnv == "" {
		c.WatchlistKeyEnv = watchlist.DefaultKeyEnv
	}
	return c, nil
}

// Register adds the exposure classifier to r.
func Register(r *classifiers.Registry) {
	r.Add(classifiers.Factory{Name: Name, CheckConfig: func(node *yaml.Node, dataDir string) error {
		_, err := DecodeConfig(node, dataDir)
		return err
	}, New: func(ctx context.Context, deps classifiers.Deps) (classifiers.Classifier, error) {
		return New(ctx, deps)
	}})
}

// Options are what New needs beyond classifiers.Deps; tests set them directly.
type Options struct {
	Config Config
	// Store holds the hashed lists (a FileStore in Config.WatchlistDir by default).
	Store watchlist.Store
	// Getenv reads the key variable (os.Getenv by default).
	Getenv func(string) string
	// Now is the clock (time.Now by default).
	Now        func() time.Time
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Classifier is the exposure classifier. It is safe for concurrent use; Reload swaps
// the watchlist index atomically while posts are being classified.
type Classifier struct {
	an     *Analyzer
	opts   Options
	ix     atomic.Pointer[watchlist.Index]
	logger *slog.Logger
	posts  *prometheus.CounterVec
	memb   prometheus.Gauge
}

// New builds the classifier from the process deps: config section, data dir, the
// "watchlist_file" override and the key from the environment.
func New(ctx context.Context, deps classifiers.Deps) (*Classifier, error) {
	cfg, err := DecodeConfig(deps.Config, deps.DataDir)
	if err != nil {
		return nil, err
	}
	if f := deps.Overrides[OverrideWatchlistFile]; f != "" {
		cfg.WatchlistFile = f
	}
	return NewWithOptions(ctx, Options{Config: cfg, Logger: deps.Logger, Registerer: deps.Registerer})
}

// NewWithOptions builds the classifier and loads every watchlist.
func NewWithOptions(ctx context.Context, o Options) (*Classifier, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Store == nil {
		dir := o.Config.WatchlistDir
		if dir == "" {
			dir = filepath.Join("data", "watchlists")
		}
		o.Store = watchlist.NewFileStore(dir)
	}
	c := &Classifier{an: NewAnalyzer(o.Now), opts: o, logger: o.Logger}
	c.posts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kuzot_exposure_posts_total",
		Help: "Posts classified by the exposure classifier, by severity.",
	}, []string{"severity"})
	c.memb = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "kuzot_exposure_watchlist_members",
		Help: "Protected members loaded from all watchlists.",
	})
	if o.Registerer != nil {
		for _, col := range []prometheus.Collector{c.posts, c.memb} {
			if err := o.Registerer.Register(col); err != nil {
				var are prometheus.AlreadyRegisteredError
				if !errors.As(err, &are) {
					return nil, fmt.Errorf("exposure metrics: %w", err)
				}
			}
		}
	}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload reads every hashed list from the store (and the plaintext file, if one is
// configured, hashed in memory) and swaps the index. On error the old index stays.
// A key is required as soon as there is any list to load.
func (c *Classifier) Reload(ctx context.Context) error {
	lists, err := c.opts.Store.Load(ctx)
	if err != nil {
		return fmt.Errorf("exposure: %w", err)
	}
	var file *watchlist.File
	if c.opts.Config.WatchlistFile != "" {
		f, err := os.Open(c.opts.Config.WatchlistFile)
		if err != nil {
			return fmt.Errorf("exposure: open watchlist file: %w", err)
		}
		file, err = watchlist.ParseFile(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("exposure: watchlist file %s: %w", c.opts.Config.WatchlistFile, err)
		}
	}
	if len(lists) == 0 && file == nil {
		c.ix.Store(nil)
		c.memb.Set(0)
		return nil
	}
	key, err := watchlist.KeyFromEnv(c.opts.Getenv, c.opts.Config.WatchlistKeyEnv)
	if err != nil {
		return fmt.Errorf("exposure: refusing to load watchlists: %w", err)
	}
	h, err := watchlist.NewHasher(key)
	if err != nil {
		return fmt.Errorf("exposure: %w", err)
	}
	if file != nil {
		stored := map[string]bool{}
		for _, l := range lists {
			stored[l.Org] = true
		}
		for i := range file.Orgs {
			if stored[file.Orgs[i].ID] {
				return fmt.Errorf("exposure: org %s is both in the watchlist file and in the store", file.Orgs[i].ID)
			}
			l, err := watchlist.Build(&file.Orgs[i], h)
			if err != nil {
				return fmt.Errorf("exposure: %w", err)
			}
			lists = append(lists, l)
		}
	}
	ix, err := watchlist.NewIndex(h, lists)
	if err != nil {
		return fmt.Errorf("exposure: %w", err)
	}
	c.ix.Store(ix)
	c.memb.Set(float64(ix.Members()))
	c.logger.Info("exposure watchlists loaded", "orgs", len(ix.Orgs()), "members", ix.Members())
	return nil
}

// Name implements classifiers.Classifier.
func (c *Classifier) Name() string { return Name }

// Version implements classifiers.Classifier.
func (c *Classifier) Version() string { return Version }

// Classify implements classifiers.Classifier. It analyses the post text (entity offsets
// are byte offsets into p.Text) and uses p.Author to recognise self-disclosure.
func (c *Classifier) Classify(ctx context.Context, p *post.Post) (classifiers.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("exposure: %w: nil post", ErrInvalidText)
	}
	a, err := c.an.Analyze(p.Text, p.Author, c.ix.Load())
	if err != nil {
		return nil, fmt.Errorf("exposure: post %s: %w", p.ID, err)
	}
	c.posts.WithLabelValues(string(a.Severity)).Inc()
	return NewResult(a), nil
}

// Analyze runs the analysis on a text with the currently loaded watchlists; eval and
// tests use it directly.
func (c *Classifier) Analyze(text, author string) (*Analysis, error) {
	return c.an.Analyze(text, author, c.ix.Load())
}

// Result is the classify output of one post. It marshals exactly as
// {"exposed":…,"outing":…,"severity":…,"entities":[…],"watchlist":[…],"mentions":[…],
// "threat":…,"categories":[…]}; the redacted text and the rule trace are available
// through methods and never marshalled.
//
// Watchlist are the members the post exposes, outs or threatens (alert on these);
// Mentions the members it merely names (no alert). Outing implies Exposed. Threat: the
// post promises to publish someone's data; with a watch-listed member named, that member
// is in Watchlist and the severity is critical.
type Result struct {
	Exposed   bool            `json:"exposed"`
	Outing    bool            `json:"outing"`
	Severity  Severity        `json:"severity"`
	Entities  []Entity        `json:"entities"`
	Watchlist []watchlist.Ref `json:"watchlist"`
	Mentions  []watchlist.Ref `json:"mentions"`
	Threat    bool            `json:"threat"`
	// Exposes are the identifier types that expose someone (the verdict's categories):
	// entities can include spans the verdict did not count (a workplace word in an
	// ordinary post), so alerts and reports name these, not every entity type.
	Exposes []EntityType `json:"categories"`

	redacted string
	trace    []string
}

// ErrNoResult reports an empty or null result: the exposure classifier did not run on
// the post (it is not enabled), so there is nothing to store or alert on.
var ErrNoResult = errors.New("no exposure result")

// DecodeResult parses a result as the classify stage publishes it (Result's JSON). It is
// the one decoder of the exposure result: the store role (exposure rows), the alert role
// and the tests read results through it. A severity that is not one of the five is an
// error, so that a damaged result can never pass as "none".
func DecodeResult(raw []byte) (*Result, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ErrNoResult
	}
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("exposure result: %w", err)
	}
	if !r.Severity.Valid() {
		return nil, fmt.Errorf("exposure result: unknown severity %q", r.Severity)
	}
	return &r, nil
}

// Members returns the watch-listed members the post exposes, outs or threatens
// (Watchlist), each (org, member) once in order of first appearance with the latest
// registration time reported for it; entries without an org or member are dropped.
func (r *Result) Members() []watchlist.Ref {
	var out []watchlist.Ref
	at := map[[2]string]int{}
	for _, w := range r.Watchlist {
		if w.Org == "" || w.Member == "" {
			continue
		}
		k := [2]string{w.Org, w.Member}
		if i, ok := at[k]; ok {
			out[i].Since = max(out[i].Since, w.Since)
			continue
		}
		at[k] = len(out)
		out = append(out, w)
	}
	return out
}

// NewResult turns an analysis into a classify result.
func NewResult(a *Analysis) *Result {
	r := &Result{Exposed: a.Exposed, Outing: a.Outing, Severity: a.Severity, Entities: a.Entities,
		Watchlist: a.Watchlist, Mentions: a.Mentions, Threat: a.Threat, Exposes: a.Categories, redacted: a.Redacted,
		trace: a.Trace}
	if r.Entities == nil {
		r.Entities = []Entity{}
	}
	if r.Watchlist == nil {
		r.Watchlist = []watchlist.Ref{}
	}
	if r.Mentions == nil {
		r.Mentions = []watchlist.Ref{}
	}
	if r.Exposes == nil {
		r.Exposes = []EntityType{}
	}
	return r
}

// Flagged implements classifiers.Result: anything above severity none.
func (r *Result) Flagged() bool { return r.Severity != SeverityNone }

// Score implements classifiers.Result: the severity mapped onto [0,1].
func (r *Result) Score() float64 { return float64(r.Severity.Rank()) / 4 }

// Labels implements classifiers.Result: the exposed data categories, "outing" and
// "severity:<level>".
func (r *Result) Labels() []string {
	out := make([]string, 0, len(r.Exposes)+2)
	for _, c := range r.Exposes {
		out = append(out, string(c))
	}
	if r.Outing {
		out = append(out, "outing")
	}
	if r.Threat {
		out = append(out, "threat")
	}
	return append(out, "severity:"+string(r.Severity))
}

// Categories are the identifier types that expose someone in the post.
func (r *Result) Categories() []EntityType { return r.Exposes }

// Redacted is the post text with identifiers and names masked (Redact).
func (r *Result) Redacted() string { return r.redacted }

// Trace names the rules that fired (types and rule names, never values).
func (r *Result) Trace() []string { return r.trace }
