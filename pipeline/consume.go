package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/wait"
)

// ErrPermanent marks a message that can never be processed (malformed JSON, unknown
// schema, invalid post). Such a message goes to the dead-letter stream at once.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err as a permanent failure.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// ConsumerSpec declares a durable pull consumer.
type ConsumerSpec struct {
	Stream  string
	Durable string
	// FilterSubject restricts the consumer to part of the stream (optional).
	FilterSubject string
	// AckWait is how long a delivered message may stay unacked before redelivery; the
	// runner sends progress while it retries a write, so this only matters after a crash,
	// where it is how long the dead process's in-flight batch waits (default 30 s).
	AckWait time.Duration
	// MaxDeliver bounds redeliveries; exhausted messages are moved to the DLQ.
	MaxDeliver int
	// MaxAckPending bounds messages in flight (back pressure).
	MaxAckPending int
	// StartTime, when set, makes a consumer that does not exist yet start with the
	// messages stored at or after it instead of the whole stream. An existing consumer
	// keeps its delivery policy and position (JetStream cannot change them).
	StartTime time.Time
}

// EnsureConsumer creates or updates a durable pull consumer (explicit acks). It is idempotent.
func (b *Bus) EnsureConsumer(ctx context.Context, s ConsumerSpec) (jetstream.Consumer, error) {
	if s.AckWait == 0 {
		// Short enough that a SIGKILLed worker's batch is redelivered quickly (the chaos
		// tests waited 2 minutes with the old default), long enough for one write attempt:
		// writeWithRetry sends progress every 10 s between attempts.
		s.AckWait = 30 * time.Second
	}
	if s.MaxDeliver == 0 {
		s.MaxDeliver = b.cfg.MaxDeliver
	}
	if s.MaxAckPending == 0 {
		s.MaxAckPending = 20000
	}
	cc := jetstream.ConsumerConfig{
		Durable:         s.Durable,
		Description:     "kuzot " + s.Durable,
		AckPolicy:       jetstream.AckExplicitPolicy,
		AckWait:         s.AckWait,
		MaxDeliver:      s.MaxDeliver,
		MaxAckPending:   s.MaxAckPending,
		DeliverPolicy:   jetstream.DeliverAllPolicy,
		FilterSubject:   s.FilterSubject,
		Replicas:        b.cfg.Replicas,
		MaxRequestBatch: 0,
	}
	if !s.StartTime.IsZero() {
		existing, err := b.JS.Consumer(ctx, s.Stream, s.Durable)
		switch {
		case err == nil:
			ci := existing.CachedInfo()
			cc.DeliverPolicy, cc.OptStartTime, cc.OptStartSeq = ci.Config.DeliverPolicy, ci.Config.OptStartTime, ci.Config.OptStartSeq
		case errors.Is(err, jetstream.ErrConsumerNotFound):
			start := s.StartTime.UTC()
			cc.DeliverPolicy, cc.OptStartTime = jetstream.DeliverByStartTimePolicy, &start
		default:
			return nil, fmt.Errorf("nats: consumer %s on %s: %w", s.Durable, s.Stream, err)
		}
	}
	var c jetstream.Consumer
	err := b.RetryDeclare(ctx, "consumer "+s.Durable, func(ctx context.Context) (err error) {
		c, err = b.JS.CreateOrUpdateConsumer(ctx, s.Stream, cc)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("nats: consumer %s on %s: %w", s.Durable, s.Stream, err)
	}
	return c, nil
}

// Batch options for RunBatch.
type BatchOptions struct {
	// Name labels metrics and logs (the durable name).
	Name string
	// MaxRows, MaxBytes and MaxWait close a batch, whichever comes first.
	MaxRows  int
	MaxBytes int
	MaxWait  time.Duration
	// RetryMax caps the backoff between write retries.
	RetryMax time.Duration
	// DrainTimeout bounds the final flush on shutdown.
	DrainTimeout time.Duration
}

// Decoder turns one message into a row. ctx is the stage's context: a decoder that does
// work (the classify stage classifies the post) stops when it ends, so a shutdown does
// not wait for a slow classification. A returned error wrapped with ErrPermanent sends
// the message to the DLQ; any other error is treated the same way after MaxDeliver
// attempts, but first the message is redelivered later (Nak with delay).
type Decoder[T any] func(ctx context.Context, msg jetstream.Msg) (T, error)

// Writer writes a batch of rows downstream. It must be idempotent: a batch may be written
// again after a crash between the write and the acks.
type Writer[T any] func(ctx context.Context, rows []T) error

type pending[T any] struct {
	msgs  []jetstream.Msg
	rows  []T
	bytes int
	first time.Time
}

// RunBatch consumes cons until ctx ends: it decodes messages, groups them into batches
// by rows, bytes and time, writes each batch with write and acks its messages only after
// the write succeeded. A failed write is retried with backoff, holding the messages (with
// progress acks) so that nothing is acked early or lost; on shutdown the current batch is
// flushed within DrainTimeout, and what cannot be written stays unacked for redelivery.
func RunBatch[T any](ctx context.Context, b *Bus, cons jetstream.Consumer, m *Metrics, log *slog.Logger,
	opt BatchOptions, decode Decoder[T], write Writer[T]) error {
	if opt.MaxRows <= 0 {
		opt.MaxRows = 1000
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 16 << 20
	}
	if opt.MaxWait <= 0 {
		opt.MaxWait = time.Second
	}
	if opt.RetryMax <= 0 {
		opt.RetryMax = 30 * time.Second
	}
	if opt.DrainTimeout <= 0 {
		opt.DrainTimeout = 30 * time.Second
	}
	log = log.With("consumer", opt.Name)
	maxDeliver := b.cfg.MaxDeliver
	if info := cons.CachedInfo(); info != nil && info.Config.MaxDeliver > 0 {
		maxDeliver = info.Config.MaxDeliver
	}
	var cur pending[T]
	flush := func(fctx context.Context) error {
		if len(cur.msgs) == 0 {
			return nil
		}
		if err := writeWithRetry(fctx, cur.msgs, cur.rows, m, log, opt, write); err != nil {
			return err
		}
		m.BatchRows.WithLabelValues(opt.Name).Observe(float64(len(cur.rows)))
		m.BatchBytes.WithLabelValues(opt.Name).Observe(float64(cur.bytes))
		for _, msg := range cur.msgs {
			if err := msg.Ack(); err != nil {
				// The write is idempotent: a lost ack only causes a harmless redelivery.
				log.Warn("ack failed; message will be redelivered and written again idempotently", "err", err)
			}
		}
		m.Processed.WithLabelValues(opt.Name, "acked").Add(float64(len(cur.msgs)))
		cur = pending[T]{}
		return nil
	}
	for {
		if ctx.Err() != nil {
			dctx, cancel := context.WithTimeout(context.Background(), opt.DrainTimeout)
			err := flush(dctx)
			cancel()
			if err != nil {
				log.Warn("shutdown: batch left unacked for redelivery", "rows", len(cur.rows), "err", err)
			}
			return nil
		}
		maxWait := opt.MaxWait
		if len(cur.msgs) > 0 {
			maxWait = opt.MaxWait - time.Since(cur.first)
		}
		if maxWait < 20*time.Millisecond {
			maxWait = 20 * time.Millisecond
		}
		want := opt.MaxRows - len(cur.msgs)
		batch := Fetch(ctx, cons, want, maxWait, log)
		if batch == nil {
			continue
		}
		for msg := range batch.Messages() {
			meta, _ := msg.Metadata()
			if meta != nil && meta.NumDelivered > 1 {
				m.Redelivered.WithLabelValues(opt.Name).Inc()
			}
			row, derr := decodeSafe(ctx, decode, msg)
			if derr != nil {
				permanent := errors.Is(derr, ErrPermanent) || (meta != nil && int(meta.NumDelivered) >= maxDeliver)
				if permanent {
					if err := b.DeadLetter(ctx, opt.Name, msg, derr); err != nil {
						log.Error("dead-letter failed; message will be redelivered", "err", err)
						_ = msg.NakWithDelay(5 * time.Second)
						continue
					}
					m.DeadLettered.WithLabelValues(opt.Name, reasonClass(derr)).Inc()
					m.Processed.WithLabelValues(opt.Name, "dead_lettered").Inc()
					log.Warn("message dead-lettered", "subject", msg.Subject(), "err", derr)
					continue
				}
				delay := time.Duration(1) * time.Second
				if meta != nil {
					delay = min(time.Duration(1<<min(meta.NumDelivered, 10))*time.Second, 5*time.Minute)
				}
				log.Warn("message failed; will retry", "subject", msg.Subject(), "err", derr, "delay", delay)
				_ = msg.NakWithDelay(delay)
				continue
			}
			if len(cur.msgs) == 0 {
				cur.first = time.Now()
			}
			cur.msgs = append(cur.msgs, msg)
			cur.rows = append(cur.rows, row)
			cur.bytes += len(msg.Data())
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && ctx.Err() == nil {
			log.Debug("fetch ended", "err", err)
		}
		if len(cur.msgs) > 0 && (len(cur.msgs) >= opt.MaxRows || cur.bytes >= opt.MaxBytes || time.Since(cur.first) >= opt.MaxWait) {
			if err := flush(ctx); err != nil {
				// Only ctx cancellation ends writeWithRetry; the loop top drains.
				continue
			}
		}
	}
}

func decodeSafe[T any](ctx context.Context, decode Decoder[T], msg jetstream.Msg) (row T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("panic while processing: %v", r))
		}
	}()
	return decode(ctx, msg)
}

// writeWithRetry writes until success or ctx end, keeping the held messages alive with
// progress acks so that JetStream does not redeliver them to another worker meanwhile.
func writeWithRetry[T any](ctx context.Context, msgs []jetstream.Msg, rows []T, m *Metrics, log *slog.Logger,
	opt BatchOptions, write Writer[T]) error {
	delay := 200 * time.Millisecond
	lastProgress := time.Now()
	for attempt := 1; ; attempt++ {
		start := time.Now()
		err := write(ctx, rows)
		if err == nil {
			m.WriteDuration.WithLabelValues(opt.Name).Observe(time.Since(start).Seconds())
			if attempt > 1 {
				log.Info("batch written after retries", "rows", len(rows), "attempts", attempt)
			}
			return nil
		}
		if ctx.Err() != nil {
			// Shutting down mid-write: the caller drains with a fresh context.
			return ctx.Err()
		}
		m.WriteErrors.WithLabelValues(opt.Name).Inc()
		if attempt == 1 || attempt%10 == 0 {
			log.Error("batch write failed; retrying the same batch (messages stay unacked)",
				"rows", len(rows), "attempt", attempt, "err", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Sleep in slices so that progress goes out every 10 s even when the backoff
		// (RetryMax, 30 s by default) is longer than the consumer's AckWait.
		for wake := time.Now().Add(delay); ; {
			if time.Since(lastProgress) > 10*time.Second {
				for _, msg := range msgs {
					_ = msg.InProgress()
				}
				lastProgress = time.Now()
			}
			left := time.Until(wake)
			if left <= 0 {
				break
			}
			if !wait.Sleep(ctx, min(left, 5*time.Second)) {
				return ctx.Err()
			}
		}
		delay = min(delay*2, opt.RetryMax)
	}
}

func reasonClass(err error) string {
	if errors.Is(err, ErrPermanent) {
		return "permanent"
	}
	return "max_deliver"
}

// DeadLetter copies msg to the dead-letter stream with the reason and origin in headers,
// waits for the server's ack, and then terminates the original so it is never redelivered.
func (b *Bus) DeadLetter(ctx context.Context, consumer string, msg jetstream.Msg, reason error) error {
	meta, _ := msg.Metadata()
	out := &nats.Msg{Subject: DLQSubject + "." + consumer, Data: msg.Data(), Header: nats.Header{}}
	for k, v := range msg.Headers() {
		if k == "Nats-Msg-Id" {
			continue
		}
		out.Header[k] = v
	}
	out.Header.Set(HeaderDLQReason, truncateReason(reason.Error()))
	out.Header.Set(HeaderDLQSubject, msg.Subject())
	out.Header.Set(HeaderDLQConsumer, consumer)
	var msgID string
	if meta != nil {
		out.Header.Set(HeaderDLQStream, meta.Stream)
		out.Header.Set(HeaderDLQSeq, strconv.FormatUint(meta.Sequence.Stream, 10))
		msgID = fmt.Sprintf("dlq:%s:%s:%d", consumer, meta.Stream, meta.Sequence.Stream)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var opts []jetstream.PublishOpt
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	if _, err := b.JS.PublishMsg(pctx, out, opts...); err != nil {
		return fmt.Errorf("publish to DLQ: %w", err)
	}
	if err := msg.TermWithReason(truncateReason(reason.Error())); err != nil {
		return fmt.Errorf("term after DLQ: %w", err)
	}
	return nil
}

func truncateReason(s string) string {
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}

// Fetch asks cons for up to n messages, waiting at most maxWait for them. A failed fetch
// is logged and followed by a one-second pause (none once ctx has ended), and gives nil:
// the caller's loop checks ctx and fetches again.
func Fetch(ctx context.Context, cons jetstream.Consumer, n int, maxWait time.Duration, log *slog.Logger) jetstream.MessageBatch {
	batch, err := cons.Fetch(n, jetstream.FetchMaxWait(maxWait))
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("fetch failed; retrying", "err", err)
			wait.Sleep(ctx, time.Second)
		}
		return nil
	}
	return batch
}
