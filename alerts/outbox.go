package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/wait"
)

// The outbox of the alert role: queued notifications are delivered per channel, with
// their delivery state in KV, retries with backoff, and a poller for pending ones.

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

// senderConfig is the durable consumer of one channel's sender.
func (s *Service) senderConfig(channel string) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       senderPrefix + channel,
		Description:   "kuzot alert sender for channel " + channel,
		FilterSubject: OutboxSubject + "." + channel,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.ackWait,
		MaxDeliver:    -1,
		MaxAckPending: 1000,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		Replicas:      s.replicas,
	}
}

func (s *Service) runSender(ctx context.Context, channel string) error {
	var cons jetstream.Consumer
	err := s.bus.RetryDeclare(ctx, "consumer "+senderPrefix+channel, func(ctx context.Context) (err error) {
		cons, err = s.js.CreateOrUpdateConsumer(ctx, OutboxStream, s.senderConfig(channel))
		return err
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
