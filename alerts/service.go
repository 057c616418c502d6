package alerts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/pipeline"
)

// JetStream names owned by the alert role.
const (
	OutboxStream     = "KUZOT_ALERTS"
	OutboxSubject    = "kuzot.alerts"
	IncidentBucket   = "kuzot_alert_incidents"
	DeliveryBucket   = "kuzot_alert_deliveries"
	ResultsConsumer  = "alert"
	senderPrefix     = "alert-send-"
	maxCASRetries    = 50
	pendingPollEvery = 5 * time.Second
)

// ErrNotFound is returned for an unknown incident, or one of another organisation.
var ErrNotFound = errors.New("not found")

// Options configure a Service. Every dependency is passed in.
type Options struct {
	Settings *Settings
	Registry *Registry
	Bus      *pipeline.Bus
	// PipelineMetrics instrument the results consumer (shared with other roles).
	PipelineMetrics *pipeline.Metrics
	Registerer      prometheus.Registerer
	Log             *slog.Logger
	HTTP            *http.Client
	Getenv          func(string) string
	Now             func() time.Time
	// Channels replaces building channels from Settings (tests, embedding).
	Channels map[string]Channel
	// Replicas of the outbox stream and buckets (config nats.replicas).
	Replicas int
	// AckWait is how long a sender may hold a job before JetStream redelivers it (after
	// a crash). Default: SendTimeout + 30 s.
	AckWait time.Duration
}

// Service is the alert engine: result handling, incident state, outbox and senders.
type Service struct {
	set      *Settings
	bus      *pipeline.Bus
	js       jetstream.JetStream
	inc      jetstream.KeyValue
	del      jetstream.KeyValue
	channels map[string]Channel
	names    map[string]bool
	m        *Metrics
	pm       *pipeline.Metrics
	log      *slog.Logger
	now      func() time.Time
	ackWait  time.Duration
	replicas int
	admin    bool

	// images holds the prints of incidents' exposing pictures (re-uploads join them).
	images *ImageIndex

	// joined caches the organisations' join times (see Joined).
	joinMu sync.RWMutex
	joined map[string]time.Time
}

// New declares the outbox stream and state buckets (idempotently) and builds the
// channels. It does not start consuming: call Run.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Settings == nil || o.Bus == nil || o.Registerer == nil || o.Log == nil {
		return nil, errors.New("alerts: Settings, Bus, Registerer and Log are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: o.Settings.SendTimeout}
	}
	if o.AckWait == 0 {
		o.AckWait = o.Settings.AckWait
	}
	if o.AckWait == 0 {
		o.AckWait = o.Settings.SendTimeout + 30*time.Second
	}
	s := &Service{set: o.Settings, bus: o.Bus, js: o.Bus.JS, log: o.Log.With("component", "alerts"), now: o.Now,
		pm: o.PipelineMetrics, ackWait: o.AckWait, names: map[string]bool{}, replicas: max(1, o.Replicas),
		images: NewImageIndex(ImageThresholds())}
	s.m = NewMetrics(o.Registerer)
	if s.pm == nil {
		s.pm = pipeline.NewMetrics(prometheus.NewRegistry())
	}
	s.channels = o.Channels
	if s.channels == nil {
		s.channels = map[string]Channel{}
		for _, cc := range o.Settings.Channels {
			name := cc.Common().Name
			ch, err := o.Registry.Build(cc, ChannelDeps{Logger: s.log.With("channel", name), HTTP: o.HTTP,
				Getenv: o.Getenv, Now: o.Now})
			if err != nil {
				return nil, fmt.Errorf("alerts: %w", err)
			}
			s.channels[name] = ch
		}
	}
	for name := range s.channels {
		s.names[name] = true
	}
	for _, r := range o.Settings.Rules {
		if err := r.Validate(s.names); err != nil {
			return nil, fmt.Errorf("alerts: org %s: %w", r.Org, err)
		}
	}
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// NewAdmin opens the alert state for the API (acknowledgement, rules, incidents) without
// channels, metrics or consumers, so a web process can manage alerts that other
// processes deliver. Run must not be called on it.
func NewAdmin(ctx context.Context, set *Settings, bus *pipeline.Bus, replicas int, log *slog.Logger, now func() time.Time) (*Service, error) {
	if set == nil || bus == nil || log == nil {
		return nil, errors.New("alerts: settings, bus and logger are required")
	}
	if now == nil {
		now = time.Now
	}
	s := &Service{set: set, bus: bus, js: bus.JS, log: log.With("component", "alerts"), now: now, names: map[string]bool{},
		replicas: max(1, replicas), admin: true, images: NewImageIndex(ImageThresholds())}
	for _, cc := range set.Channels {
		s.names[cc.Common().Name] = true
	}
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// IncidentOrg returns the organisation an incident belongs to (for administrators,
// whose scope is every organisation).
func (s *Service) IncidentOrg(ctx context.Context, incidentID string) (string, error) {
	ref, err := s.incidentRef(ctx, incidentID)
	return ref.Org, err
}

// ensure declares the outbox stream and the state buckets, each retried while the
// JetStream cluster has no quorum (pipeline.Bus.RetryDeclare): an alert replica started
// while two of three nodes are down waits for them instead of failing.
func (s *Service) ensure(ctx context.Context) error {
	if err := s.bus.RetryDeclare(ctx, "stream "+OutboxStream, func(ctx context.Context) error {
		_, err := s.js.CreateOrUpdateStream(ctx, s.outboxConfig())
		return err
	}); err != nil {
		return fmt.Errorf("alerts: stream %s: %w", OutboxStream, err)
	}
	if err := s.bus.RetryDeclare(ctx, "bucket "+IncidentBucket, func(ctx context.Context) (err error) {
		s.inc, err = s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: IncidentBucket, Description: "alert incidents per (org, member), rules and incident index",
			Storage: jetstream.FileStorage, History: 1, Replicas: s.replicas,
		})
		return err
	}); err != nil {
		return fmt.Errorf("alerts: bucket %s: %w", IncidentBucket, err)
	}
	if err := s.bus.RetryDeclare(ctx, "bucket "+DeliveryBucket, func(ctx context.Context) (err error) {
		s.del, err = s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: DeliveryBucket, Description: "alert delivery state (queued, sent, failed, cancelled)",
			Storage: jetstream.FileStorage, History: 1, TTL: s.set.DeliveryStateTTL, Replicas: s.replicas,
		})
		return err
	}); err != nil {
		return fmt.Errorf("alerts: bucket %s: %w", DeliveryBucket, err)
	}
	return nil
}

func (s *Service) outboxConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        OutboxStream,
		Description: "alert delivery jobs (outbox), one subject per channel; Nats-Msg-Id = delivery id",
		Subjects:    []string{OutboxSubject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Discard:     jetstream.DiscardNew,
		MaxAge:      30 * 24 * time.Hour,
		Duplicates:  s.set.DuplicateWindow,
		Replicas:    s.replicas,
	}
}

// Run consumes results and runs one sender per channel until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	if s.admin {
		return errors.New("alerts: Run called on an admin-only service (use New)")
	}
	earliest, err := s.RecordJoins(ctx)
	if err != nil {
		return err
	}
	if earliest.IsZero() {
		earliest = s.now()
	}
	errs := make(chan error, len(s.channels)+3)
	var wg sync.WaitGroup
	run := func(f func() error) {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- f() }()
	}
	printsReady := make(chan struct{})
	run(func() error { return s.watchPrints(ctx, printsReady) })
	for name := range s.channels {
		run(func() error { return s.runSender(ctx, name) })
	}
	run(func() error { s.pollPending(ctx); return nil })
	run(func() error {
		waitPrints(ctx, printsReady, s.log)
		// A new deployment's consumer starts at the earliest join time, not at the
		// beginning of a results stream that may hold months of older exposures (they
		// could not alert anyway); an existing consumer keeps its position.
		return pipeline.RunStage(ctx, s.bus,
			pipeline.ConsumerSpec{Stream: pipeline.ResultsStream, Durable: ResultsConsumer,
				StartTime: earliest.Add(-JoinClockSkew)},
			s.pm, s.log, pipeline.StageOptions{Batch: pipeline.BatchOptions{Name: ResultsConsumer, MaxRows: 100,
				MaxWait: 20 * time.Millisecond, RetryMax: 10 * time.Second}},
			decodeExposing, s.HandleBatch)
	})
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		if err != nil && ctx.Err() == nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func memberKey(org, member string) string { return "m." + b64(org) + "." + b64(member) }
func indexKey(id string) string           { return "i." + id }
func ruleKey(org string) string           { return "r." + b64(org) }

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
