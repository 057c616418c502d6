package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// maxDeliveriesAdvisory is what the server publishes when a message exhausts MaxDeliver
// (for example because the worker holding it crashed every time).
type maxDeliveriesAdvisory struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// WatchMaxDeliveries moves messages that exhausted MaxDeliver on kuzot's streams to the
// dead-letter stream, so that they are visible and re-playable rather than silently stuck.
// It returns when ctx ends.
func (b *Bus) WatchMaxDeliveries(ctx context.Context, m *Metrics, log *slog.Logger) error {
	ch := make(chan *nats.Msg, 256)
	sub, err := b.NC.ChanSubscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>", ch)
	if err != nil {
		return fmt.Errorf("subscribe max-deliveries advisories: %w", err)
	}
	defer sub.Unsubscribe()
	for {
		select {
		case <-ctx.Done():
			return nil
		case am := <-ch:
			var adv maxDeliveriesAdvisory
			if err := json.Unmarshal(am.Data, &adv); err != nil {
				log.Warn("unreadable advisory", "err", err)
				continue
			}
			if err := b.moveToDLQ(ctx, adv); err != nil {
				log.Error("could not move exhausted message to DLQ", "stream", adv.Stream, "seq", adv.StreamSeq, "err", err)
				continue
			}
			m.DeadLettered.WithLabelValues(adv.Consumer, "max_deliver").Inc()
			log.Warn("message exhausted its deliveries; moved to DLQ", "stream", adv.Stream, "consumer", adv.Consumer,
				"seq", adv.StreamSeq, "deliveries", adv.Deliveries)
		}
	}
}

func (b *Bus) moveToDLQ(ctx context.Context, adv maxDeliveriesAdvisory) error {
	s, err := b.JS.Stream(ctx, adv.Stream)
	if err != nil {
		return err
	}
	raw, err := s.GetMsg(ctx, adv.StreamSeq)
	if err != nil {
		return err
	}
	out := &nats.Msg{Subject: DLQSubject + "." + adv.Consumer, Data: raw.Data, Header: nats.Header{}}
	for k, v := range raw.Header {
		if k != "Nats-Msg-Id" {
			out.Header[k] = v
		}
	}
	out.Header.Set(HeaderDLQReason, fmt.Sprintf("max deliveries (%d) exceeded", adv.Deliveries))
	out.Header.Set(HeaderDLQStream, adv.Stream)
	out.Header.Set(HeaderDLQSeq, strconv.FormatUint(adv.StreamSeq, 10))
	out.Header.Set(HeaderDLQSubject, raw.Subject)
	out.Header.Set(HeaderDLQConsumer, adv.Consumer)
	_, err = b.JS.PublishMsg(ctx, out, jetstream.WithMsgID(fmt.Sprintf("dlq:%s:%s:%d", adv.Consumer, adv.Stream, adv.StreamSeq)))
	return err
}

// PollLag updates stream and consumer gauges every interval until ctx ends, so lag and
// stream fullness are visible on /metrics.
func (b *Bus) PollLag(ctx context.Context, m *Metrics, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		b.pollOnce(ctx, m, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bus) pollOnce(ctx context.Context, m *Metrics, log *slog.Logger) {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, name := range []string{PostsStream, ResultsStream, DLQStream} {
		s, err := b.JS.Stream(qctx, name)
		if err != nil {
			log.Debug("stream info", "stream", name, "err", err)
			continue
		}
		info, err := s.Info(qctx)
		if err != nil {
			continue
		}
		m.StreamMessages.WithLabelValues(name).Set(float64(info.State.Msgs))
		m.StreamBytes.WithLabelValues(name).Set(float64(info.State.Bytes))
		lister := s.ListConsumers(qctx)
		for ci := range lister.Info() {
			m.ConsumerLag.WithLabelValues(name, ci.Name).Set(float64(ci.NumPending))
			m.AckPending.WithLabelValues(name, ci.Name).Set(float64(ci.NumAckPending))
		}
	}
}
