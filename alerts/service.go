package alerts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/internal/wait"
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

func (s *Service) ensure(ctx context.Context) error {
	if _, err := s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        OutboxStream,
		Description: "alert delivery jobs (outbox), one subject per channel; Nats-Msg-Id = delivery id",
		Subjects:    []string{OutboxSubject + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.WorkQueuePolicy,
		Discard:     jetstream.DiscardNew,
		MaxAge:      30 * 24 * time.Hour,
		Duplicates:  s.set.DuplicateWindow,
		Replicas:    s.replicas,
	}); err != nil {
		return fmt.Errorf("alerts: stream %s: %w", OutboxStream, err)
	}
	var err error
	s.inc, err = s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: IncidentBucket, Description: "alert incidents per (org, member), rules and incident index",
		Storage: jetstream.FileStorage, History: 1, Replicas: s.replicas,
	})
	if err != nil {
		return fmt.Errorf("alerts: bucket %s: %w", IncidentBucket, err)
	}
	s.del, err = s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: DeliveryBucket, Description: "alert delivery state (queued, sent, failed, cancelled)",
		Storage: jetstream.FileStorage, History: 1, TTL: s.set.DeliveryStateTTL, Replicas: s.replicas,
	})
	if err != nil {
		return fmt.Errorf("alerts: bucket %s: %w", DeliveryBucket, err)
	}
	return nil
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

// decodeExposing decodes a result the alert role may act on. Only results the exposure
// classifier flagged can alert, so the others (nearly all) are skipped on their
// HeaderFlagged without decoding the body; Handle ignores the empty result returned
// for them. Results without the header are decoded as before.
func decodeExposing(ctx context.Context, msg jetstream.Msg) (classifiers.Classified, error) {
	if h := msg.Headers(); h != nil && h.Get(pipeline.HeaderImage) != "" {
		// A picture's result: decoded even when unflagged, it may be a re-upload.
		return pipeline.DecodeClassified(ctx, msg)
	}
	if flagged, known := pipeline.FlaggedBy(msg, exposure.Name); known && !flagged {
		return classifiers.Classified{}, nil
	}
	return pipeline.DecodeClassified(ctx, msg)
}

// handleLanes is how many results of a batch are handled at once. A new alert costs
// several fsynced JetStream writes (incident state, index, delivery state, outbox), so
// handled one after another, a burst of exposures made the last one wait for all the
// others; different members are independent (compare-and-set guards each one's state).
const handleLanes = 8

// HandleBatch handles a batch of results: results about different members in parallel
// lanes, results whose first member is the same in batch order in one lane (so reposts
// of one leak do not contend for its state). It returns after every lane finished, with
// the first error; the stage then retries the whole batch, which is safe because Handle
// is idempotent.
func (s *Service) HandleBatch(ctx context.Context, rows []classifiers.Classified) error {
	var lanes [handleLanes][]int
	for i := range rows {
		lane := 0
		if e, err := exposure.DecodeResult(rows[i].Results[exposure.Name]); err == nil {
			if ms := e.Members(); len(ms) > 0 {
				h := fnv.New32a()
				h.Write([]byte(memberKey(ms[0].Org, ms[0].Member)))
				lane = int(h.Sum32() % handleLanes)
			}
		}
		lanes[lane] = append(lanes[lane], i)
	}
	errs := make(chan error, handleLanes)
	var wg sync.WaitGroup
	for _, idx := range lanes {
		if len(idx) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range idx {
				if err := s.Handle(ctx, &rows[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Handle processes one classified post: for every watch-listed member it exposes, it
// updates the member's incidents and enqueues what must be sent. It is idempotent, so a
// redelivered result enqueues nothing new (the outbox drops the repeated jobs).
func (s *Service) Handle(ctx context.Context, c *classifiers.Classified) error {
	e, err := exposure.DecodeResult(c.Results[exposure.Name])
	if errors.Is(err, exposure.ErrNoResult) {
		return nil
	}
	if err != nil {
		// A malformed result can never be handled: log without content and skip it.
		s.log.Warn("skipping a result with a malformed exposure section", "post", c.Post.ID, "err", err)
		s.m.Observations.WithLabelValues("malformed").Inc()
		return nil
	}
	// Who this result is about: the members the exposure classifier found exposed and,
	// for a picture, the members of incidents holding a picture it re-uploads (joined
	// even when the caption differs or this copy's text names nobody).
	type target struct {
		ref      watchlist.Ref
		severity Severity
		reupload bool
	}
	var targets []target
	members := e.Members()
	severity := severityOf(e)
	var refs []MemberRef
	if len(members) > 0 && (e.Exposed || e.Outing || e.Threat) && severity != SeverityNone {
		for _, m := range members {
			targets = append(targets, target{ref: m, severity: severity})
			refs = append(refs, MemberRef{Org: m.Org, Member: m.Member})
		}
	}
	prints := ImagePrints(c)
	for _, r := range s.reuploadTargets(prints, refs) {
		targets = append(targets, target{ref: watchlist.Ref{Org: r.Org, Member: r.Member}, severity: max(severity, r.Severity),
			reupload: true})
	}
	if len(targets) == 0 {
		return nil
	}
	evidence, rerr := exposure.Redact(c.Post.Text, e.Entities, exposure.AudienceAlert)
	if rerr != nil {
		s.log.Warn("evidence withheld: entity offsets do not fit the post text", "post", c.Post.ID, "err", rerr)
		evidence = ""
	}
	fp := FingerprintPost(&c.Post)
	fp.Images = prints
	// A post without a collection time (an import, a replay) counts from when it was
	// classified, not from year 1: otherwise it could never alert.
	collected := c.Post.CollectedAt
	if collected.IsZero() {
		collected = c.ClassifiedAt
	}
	for _, tg := range targets {
		m := MemberRef{Org: tg.ref.Org, Member: tg.ref.Member}
		obs := Observation{
			Sighting: Sighting{PostID: c.Post.ID, Platform: c.Post.Source, Channel: c.Post.Channel, URL: c.Post.URL,
				PublishedAt: c.Post.PublishedAt, CollectedAt: c.Post.CollectedAt, Views: c.Post.Views},
			Severity: tg.severity, Categories: Categories(e), Evidence: truncateRunes(evidence, maxEvidenceBytes),
			Fingerprint: fp,
		}
		rule, ok, err := s.Rule(ctx, m.Org)
		if err != nil {
			return err
		}
		if !ok {
			s.m.Observations.WithLabelValues("unknown_org").Inc()
			continue
		}
		if tg.severity < rule.MinSeverity {
			s.m.Observations.WithLabelValues("below_threshold").Inc()
			continue
		}
		from, err := s.notifiable(ctx, tg.ref)
		if err != nil {
			return err
		}
		if collected.Before(from.Add(-JoinClockSkew)) {
			// Collected before the organisation or the member joined: never an alert
			// (an organisation that wants the past asks for a digest, see Backfill).
			s.m.Observations.WithLabelValues("before_join").Inc()
			continue
		}
		if tg.reupload {
			s.m.Observations.WithLabelValues("reupload").Inc()
		}
		if err := s.observe(ctx, m, &obs, &rule); err != nil {
			return fmt.Errorf("alerts: post %s: %w", c.Post.ID, err)
		}
	}
	return nil
}

func (s *Service) observe(ctx context.Context, m MemberRef, o *Observation, rule *Rule) error {
	var out Outcome
	err := s.updateMember(ctx, m, func(st *MemberState) (bool, error) {
		out = Apply(st, o, rule, s.now().UTC())
		return !out.Duplicate, nil
	})
	if err != nil {
		return err
	}
	outcome := "joined"
	switch {
	case out.Created:
		outcome = "new_incident"
	case out.Duplicate:
		outcome = "duplicate"
	case out.Suppressed:
		outcome = "suppressed"
	case out.Coalesced:
		outcome = "coalesced"
	case out.Schedule != nil:
		outcome = "update"
	}
	s.m.Observations.WithLabelValues(outcome).Inc()
	if len(o.Fingerprint.Images) > 0 && !out.Duplicate {
		// The picture is now one of the incident's: its re-uploads join it.
		if err := s.recordPrints(ctx, out.Incident, o.Fingerprint.Images); err != nil {
			return err
		}
	}
	if out.Created || out.Duplicate {
		ref, _ := json.Marshal(m)
		if _, err := s.inc.Create(ctx, indexKey(out.Incident.ID), ref); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("incident index: %w", err)
		}
	}
	var todo []Notification
	if out.Schedule != nil {
		todo = append(todo, *out.Schedule)
	}
	todo = append(todo, out.Republish...)
	for i := range todo {
		if err := s.enqueue(ctx, out.Incident, &todo[i]); err != nil {
			return err
		}
	}
	return nil
}

// updateMember runs fn on the member's state and stores the result with compare-and-set,
// retrying on conflicts with other workers. fn returns false to leave the state as is.
func (s *Service) updateMember(ctx context.Context, m MemberRef, fn func(*MemberState) (bool, error)) error {
	key := memberKey(m.Org, m.Member)
	for range maxCASRetries {
		st := &MemberState{Org: m.Org, Member: m.Member}
		var rev uint64
		e, err := s.inc.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return fmt.Errorf("incident state get: %w", err)
		default:
			rev = e.Revision()
			if err := json.Unmarshal(e.Value(), st); err != nil {
				return fmt.Errorf("incident state of %s/%s is corrupt: %w", m.Org, m.Member, err)
			}
		}
		changed, err := fn(st)
		if err != nil || !changed {
			return err
		}
		data, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("incident state encode: %w", err)
		}
		if rev == 0 {
			_, err = s.inc.Create(ctx, key, data)
		} else {
			_, err = s.inc.Update(ctx, key, data, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			s.m.Conflicts.Inc()
			continue
		}
		if err != nil {
			return fmt.Errorf("incident state put: %w", err)
		}
		return nil
	}
	return fmt.Errorf("incident state of %s/%s: %d compare-and-set conflicts in a row", m.Org, m.Member, maxCASRetries)
}

// member loads a member's state.
func (s *Service) member(ctx context.Context, org, member string) (*MemberState, error) {
	st := &MemberState{Org: org, Member: member}
	e, err := s.inc.Get(ctx, memberKey(org, member))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("incident state get: %w", err)
	}
	if err := json.Unmarshal(e.Value(), st); err != nil {
		return nil, fmt.Errorf("incident state of %s/%s is corrupt: %w", org, member, err)
	}
	return st, nil
}

// Job is one outbox message: which notification to deliver on which channel. The
// content is rendered from the incident's state when it is sent, so news that arrives
// while it waits for its group window is included.
type Job struct {
	ID          string    `json:"id"`
	Org         string    `json:"org"`
	Member      string    `json:"member"`
	IncidentID  string    `json:"incident_id"`
	Seq         uint32    `json:"seq"`
	Kind        string    `json:"kind"`
	Channel     string    `json:"channel"`
	NotBefore   time.Time `json:"not_before"`
	CollectedAt time.Time `json:"collected_at"`
	CreatedAt   time.Time `json:"created_at"`
	// Digest is the content of a KindDigest job (backfill), rendered when sent.
	Digest *Digest `json:"digest,omitempty"`
}

// Delivery states (alert_deliveries.state).
const (
	StateQueued    = "queued"
	StateSent      = "sent"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
)

// DeliveryState is the record of one delivery, kept in the deliveries bucket and
// mirrored to ClickHouse.
type DeliveryState struct {
	ID         string    `json:"id"`
	IncidentID string    `json:"incident_id"`
	Org        string    `json:"org"`
	Channel    string    `json:"channel"`
	Kind       string    `json:"kind"`
	Severity   Severity  `json:"severity"`
	State      string    `json:"state"`
	Attempts   uint32    `json:"attempts"`
	LatencyMS  uint32    `json:"latency_ms"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func (s *Service) enqueue(ctx context.Context, in *Incident, n *Notification) error {
	now := s.now().UTC()
	for _, ch := range n.Channels {
		id := DeliveryID(in.ID, n.Seq, ch)
		ds := DeliveryState{ID: id, IncidentID: in.ID, Org: in.Org, Channel: ch, Kind: n.Kind, Severity: in.Severity,
			State: StateQueued, CreatedAt: now, UpdatedAt: now}
		job := Job{ID: id, Org: in.Org, Member: in.Member, IncidentID: in.ID, Seq: n.Seq, Kind: n.Kind, Channel: ch,
			NotBefore: n.NotBefore, CollectedAt: n.Collected, CreatedAt: now}
		if _, err := s.queue(ctx, &ds, &job); err != nil {
			return err
		}
	}
	return nil
}

// queue records a delivery and puts its job in the outbox, once (the delivery state is
// created only if absent; the outbox drops a repeated message id). A channel that is not
// configured, or is bound to other organisations (a rule stored before the binding), is
// recorded as failed and nothing is sent. Incident alerts and backfill digests both go
// through it. It reports whether the job was queued.
func (s *Service) queue(ctx context.Context, ds *DeliveryState, job *Job) (bool, error) {
	switch {
	case !s.names[ds.Channel]:
		ds.State, ds.LastError = StateFailed, "channel is not configured"
		s.log.Error("alert for an unconfigured channel recorded as failed", "channel", ds.Channel, "delivery", ds.ID)
	case !ChannelAllowed(s.set.Channels, ds.Channel, ds.Org):
		ds.State, ds.LastError = StateFailed, "channel belongs to other organisations"
		s.log.Error("alert for another organisation's channel recorded as failed", "channel", ds.Channel, "org", ds.Org,
			"delivery", ds.ID)
	}
	data, _ := json.Marshal(ds)
	if _, err := s.del.Create(ctx, ds.ID, data); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return false, fmt.Errorf("delivery state %s: %w", ds.ID, err)
	}
	if ds.State == StateFailed {
		return false, nil
	}
	body, err := json.Marshal(job)
	if err != nil {
		return false, fmt.Errorf("outbox job %s: %w", ds.ID, err)
	}
	ack, err := s.js.Publish(ctx, OutboxSubject+"."+ds.Channel, body, jetstream.WithMsgID(ds.ID))
	if err != nil {
		return false, fmt.Errorf("outbox publish %s: %w", ds.ID, err)
	}
	if !ack.Duplicate && s.m != nil {
		s.m.Deliveries.WithLabelValues(ds.Channel, StateQueued).Inc()
	}
	return true, nil
}

func (s *Service) runSender(ctx context.Context, channel string) error {
	cons, err := s.js.CreateOrUpdateConsumer(ctx, OutboxStream, jetstream.ConsumerConfig{
		Durable:       senderPrefix + channel,
		Description:   "kuzot alert sender for channel " + channel,
		FilterSubject: OutboxSubject + "." + channel,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.ackWait,
		MaxDeliver:    -1,
		MaxAckPending: 1000,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		Replicas:      s.replicas,
	})
	if err != nil {
		return fmt.Errorf("alerts: sender consumer %s: %w", channel, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(16))
	if err != nil {
		return fmt.Errorf("alerts: sender %s: %w", channel, err)
	}
	go func() { <-ctx.Done(); it.Stop() }()
	log := s.log.With("channel", channel)
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			log.Warn("sender fetch failed; retrying", "err", err)
			if !wait.Sleep(ctx, time.Second) {
				return nil
			}
			continue
		}
		s.deliver(ctx, channel, msg, log)
	}
}

// deliver handles one job. Order matters for exactly-once: the "sent" state is stored
// before the ack, so a restart after the ack sends nothing, and a crash between the
// send and the store repeats the send with the same idempotency key.
func (s *Service) deliver(ctx context.Context, channel string, msg jetstream.Msg, log *slog.Logger) {
	var job Job
	if err := json.Unmarshal(msg.Data(), &job); err != nil || job.ID == "" {
		log.Error("dropping a malformed outbox job", "err", err)
		_ = msg.Term()
		return
	}
	now := s.now()
	if wait := job.NotBefore.Sub(now); wait > 0 {
		_ = msg.NakWithDelay(wait)
		return
	}
	ds, rev, err := s.deliveryState(ctx, &job)
	if err != nil {
		log.Warn("delivery state unavailable; will retry", "delivery", job.ID, "err", err)
		_ = msg.NakWithDelay(time.Second)
		return
	}
	if ds.State == StateSent || ds.State == StateFailed || ds.State == StateCancelled {
		_ = msg.Ack()
		return
	}
	if job.Kind == KindDigest {
		if job.Digest == nil {
			s.finish(ctx, msg, ds, rev, StateFailed, "digest job without a digest", channel, log)
			return
		}
		langs, err := s.languages(ctx, job.Org)
		if err != nil {
			_ = msg.NakWithDelay(time.Second)
			return
		}
		s.send(ctx, channel, msg, &job, ds, rev, &Alert{ID: job.ID, Channel: channel,
			Message: BuildDigestMessage(job.Digest, langs, now), Languages: langs}, log)
		return
	}
	st, err := s.member(ctx, job.Org, job.Member)
	if err != nil {
		log.Warn("incident state unavailable; will retry", "delivery", job.ID, "err", err)
		_ = msg.NakWithDelay(time.Second)
		return
	}
	in, ok := st.Incident(job.IncidentID)
	var n *Notification
	if ok {
		n, ok = in.Notification(job.Seq)
	}
	if !ok {
		s.finish(ctx, msg, ds, rev, StateFailed, "incident no longer in state", channel, log)
		return
	}
	if in.Status == StatusAcknowledged && n.Kind == KindUpdate {
		s.finish(ctx, msg, ds, rev, StateCancelled, "incident acknowledged", channel, log)
		return
	}
	langs, err := s.languages(ctx, job.Org)
	if err != nil {
		_ = msg.NakWithDelay(time.Second)
		return
	}
	ds.Severity = in.Severity
	s.send(ctx, channel, msg, &job, ds, rev, &Alert{ID: job.ID, Channel: channel, Message: BuildMessage(in, n, langs, now),
		Languages: langs}, log)
}

// languages are the organisation's alert languages (its rule's, or the defaults).
func (s *Service) languages(ctx context.Context, org string) ([]string, error) {
	rule, _, err := s.Rule(ctx, org)
	if err != nil {
		return nil, err
	}
	if len(rule.Languages) == 0 {
		return Languages, nil
	}
	return rule.Languages, nil
}

// send hands one rendered alert to its channel and records the outcome: sent, a retry
// with backoff, or failed for good.
func (s *Service) send(ctx context.Context, channel string, msg jetstream.Msg, job *Job, ds *DeliveryState, rev uint64,
	alert *Alert, log *slog.Logger) {
	ds.Attempts++
	sctx, cancel := context.WithTimeout(ctx, s.set.SendTimeout)
	err := s.channels[channel].Send(sctx, alert)
	cancel()
	if err == nil {
		s.m.Attempts.WithLabelValues(channel, "ok").Inc()
		if !job.CollectedAt.IsZero() {
			ds.LatencyMS = uint32(min(max(s.now().Sub(job.CollectedAt).Milliseconds(), 0), 1<<31))
			s.m.Latency.WithLabelValues(channel).Observe(s.now().Sub(job.CollectedAt).Seconds())
		}
		s.finish(ctx, msg, ds, rev, StateSent, "", channel, log)
		return
	}
	if ctx.Err() != nil {
		// Shutting down: leave the job unacked; it is redelivered after AckWait.
		return
	}
	ds.LastError = truncateRunes(err.Error(), 500)
	if errors.Is(err, ErrPermanent) || int(ds.Attempts) >= s.set.MaxAttempts {
		s.m.Attempts.WithLabelValues(channel, "permanent").Inc()
		log.Error("alert delivery failed for good", "delivery", job.ID, "attempts", ds.Attempts, "err", err)
		s.finish(ctx, msg, ds, rev, StateFailed, ds.LastError, channel, log)
		return
	}
	s.m.Attempts.WithLabelValues(channel, "retry").Inc()
	delay := Backoff(s.set.RetryInitial, s.set.RetryMax, int(ds.Attempts))
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > delay {
		delay = min(ra.After, s.set.RetryMax)
	}
	log.Warn("alert delivery failed; retrying", "delivery", job.ID, "attempt", ds.Attempts, "delay", delay, "err", err)
	ds.UpdatedAt = s.now().UTC()
	if _, err := s.putDelivery(ctx, ds, rev); err != nil {
		log.Warn("could not record the attempt", "delivery", job.ID, "err", err)
	}
	_ = msg.NakWithDelay(delay)
}

// finish records a final state and then acks the job. If the record cannot be written
// the job is left for redelivery (it is then sent again with the same idempotency key).
func (s *Service) finish(ctx context.Context, msg jetstream.Msg, ds *DeliveryState, rev uint64, state, why, channel string,
	log *slog.Logger) {
	ds.State, ds.UpdatedAt = state, s.now().UTC()
	if why != "" {
		ds.LastError = why
	}
	for attempt := 0; ; attempt++ {
		_, err := s.putDelivery(ctx, ds, rev)
		if err == nil {
			break
		}
		if errors.Is(err, jetstream.ErrKeyExists) {
			// Another sender recorded this delivery meanwhile (a redelivery raced us):
			// if it reached a final state there is nothing left to record.
			cur, curRev, gerr := s.deliveryState(ctx, &Job{ID: ds.ID})
			if gerr == nil && curRev != 0 && cur.State != StateQueued {
				_ = msg.Ack()
				return
			}
			if gerr == nil {
				rev = curRev
			}
		}
		if attempt >= 5 || ctx.Err() != nil {
			log.Error("could not record the delivery state; the job stays unacked", "delivery", ds.ID, "state", state, "err", err)
			return
		}
		wait.Sleep(ctx, time.Duration(100<<attempt)*time.Millisecond)
	}
	s.m.Deliveries.WithLabelValues(channel, state).Inc()
	actx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := msg.DoubleAck(actx); err != nil {
		log.Warn("ack failed; the job will be redelivered and skipped (state recorded)", "delivery", ds.ID, "err", err)
	}
}

func (s *Service) deliveryState(ctx context.Context, j *Job) (*DeliveryState, uint64, error) {
	e, err := s.del.Get(ctx, j.ID)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		now := s.now().UTC()
		return &DeliveryState{ID: j.ID, IncidentID: j.IncidentID, Org: j.Org, Channel: j.Channel, Kind: j.Kind,
			State: StateQueued, CreatedAt: now, UpdatedAt: now}, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var ds DeliveryState
	if err := json.Unmarshal(e.Value(), &ds); err != nil {
		return nil, 0, fmt.Errorf("delivery state %s is corrupt: %w", j.ID, err)
	}
	return &ds, e.Revision(), nil
}

// putDelivery writes a delivery state; the revision guards against two senders racing
// on one job after a redelivery (the loser's write fails and it does not ack).
func (s *Service) putDelivery(ctx context.Context, ds *DeliveryState, rev uint64) (uint64, error) {
	data, err := json.Marshal(ds)
	if err != nil {
		return 0, err
	}
	if rev == 0 {
		return s.del.Create(ctx, ds.ID, data)
	}
	return s.del.Update(ctx, ds.ID, data, rev)
}

// Delivery returns the recorded state of a delivery.
func (s *Service) Delivery(ctx context.Context, id string) (*DeliveryState, error) {
	ds, rev, err := s.deliveryState(ctx, &Job{ID: id})
	if err != nil {
		return nil, err
	}
	if rev == 0 {
		return nil, ErrNotFound
	}
	return ds, nil
}

// Backoff is the delay before attempt+1: initial·2^(attempt-1), capped at max.
func Backoff(initial, maxDelay time.Duration, attempt int) time.Duration {
	d := initial
	for i := 1; i < attempt && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

func (s *Service) pollPending(ctx context.Context) {
	t := time.NewTicker(pendingPollEvery)
	defer t.Stop()
	for {
		for name := range s.channels {
			c, err := s.js.Consumer(ctx, OutboxStream, senderPrefix+name)
			if err != nil {
				continue
			}
			if info, err := c.Info(ctx); err == nil {
				s.m.Pending.WithLabelValues(name).Set(float64(info.NumPending + uint64(info.NumAckPending)))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Acknowledge marks an incident of org acknowledged by a user: updates not yet sent are
// cancelled and later copies no longer produce messages. An incident of another
// organisation is ErrNotFound, so one organisation cannot probe another's incidents.
func (s *Service) Acknowledge(ctx context.Context, org, incidentID, by string) error {
	ref, err := s.incidentRef(ctx, incidentID)
	if err != nil {
		return err
	}
	if ref.Org != org {
		return fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	found := false
	err = s.updateMember(ctx, ref, func(st *MemberState) (bool, error) {
		in, ok := st.Incident(incidentID)
		if !ok {
			return false, nil
		}
		found = true
		return in.Acknowledge(by, s.now().UTC()), nil
	})
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	s.log.Info("incident acknowledged", "org", org, "incident", incidentID)
	return nil
}

// Incident returns an incident of org.
func (s *Service) Incident(ctx context.Context, org, incidentID string) (*Incident, error) {
	ref, err := s.incidentRef(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if ref.Org != org {
		return nil, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	st, err := s.member(ctx, ref.Org, ref.Member)
	if err != nil {
		return nil, err
	}
	in, ok := st.Incident(incidentID)
	if !ok {
		return nil, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	return in, nil
}

func (s *Service) incidentRef(ctx context.Context, incidentID string) (MemberRef, error) {
	var ref MemberRef
	if !strings.HasPrefix(incidentID, "inc_") || len(incidentID) > 64 {
		return ref, fmt.Errorf("incident %q: %w", incidentID, ErrNotFound)
	}
	e, err := s.inc.Get(ctx, indexKey(incidentID))
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrInvalidKey) {
		return ref, fmt.Errorf("incident %s: %w", incidentID, ErrNotFound)
	}
	if err != nil {
		return ref, fmt.Errorf("incident index: %w", err)
	}
	if err := json.Unmarshal(e.Value(), &ref); err != nil {
		return ref, fmt.Errorf("incident index %s is corrupt: %w", incidentID, err)
	}
	return ref, nil
}

// Rule returns the org's rule: one set through the API (stored in JetStream, shared by
// every worker) wins over the configuration file.
func (s *Service) Rule(ctx context.Context, org string) (Rule, bool, error) {
	e, err := s.inc.Get(ctx, ruleKey(org))
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		r, ok := s.set.Rules[org]
		return r, ok, nil
	case err != nil:
		return Rule{}, false, fmt.Errorf("rule of %s: %w", org, err)
	}
	var r Rule
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		return Rule{}, false, fmt.Errorf("rule of %s is corrupt: %w", org, err)
	}
	return r, true, nil
}

// Rules lists every org's effective rule, sorted by org.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	orgs := map[string]bool{}
	for org := range s.set.Rules {
		orgs[org] = true
	}
	lister, err := s.inc.ListKeysFiltered(ctx, "r.>")
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	if lister != nil {
		for k := range lister.Keys() {
			if org, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(k, "r.")); err == nil {
				orgs[string(org)] = true
			}
		}
	}
	var out []Rule
	for org := range orgs {
		r, ok, err := s.Rule(ctx, org)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Rule) int { return strings.Compare(a.Org, b.Org) })
	return out, nil
}

// SetRule validates and stores an org's rule (from the API); it applies at once on every
// worker.
func (s *Service) SetRule(ctx context.Context, r Rule) error {
	if len(r.Languages) == 0 {
		r.Languages = slices.Clone(Languages)
	}
	if r.GroupWindow == 0 {
		r.GroupWindow = s.set.GroupWindow
	}
	r.Source = "api"
	if err := errors.Join(r.Validate(s.names), s.set.CheckBinding(r)); err != nil {
		return fmt.Errorf("rule of %s: %w", r.Org, err)
	}
	data, _ := json.Marshal(r)
	if _, err := s.inc.Put(ctx, ruleKey(r.Org), data); err != nil {
		return fmt.Errorf("store rule of %s: %w", r.Org, err)
	}
	// A new organisation joins now: it is alerted about posts collected from now on.
	if _, err := s.Joined(ctx, r.Org); err != nil {
		return err
	}
	return nil
}

// ResetRule drops an API-set rule so the configuration file's rule applies again.
func (s *Service) ResetRule(ctx context.Context, org string) error {
	if err := s.inc.Purge(ctx, ruleKey(org)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("reset rule of %s: %w", org, err)
	}
	return nil
}

// Channels lists the configured channels with the organisations bound to them.
func (s *Service) Channels() []ChannelInfo { return s.set.ChannelInfos() }

// ChannelNames lists the configured channels.
func (s *Service) ChannelNames() []string {
	out := make([]string, 0, len(s.names))
	for n := range s.names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
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
