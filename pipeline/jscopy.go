package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Copying JetStream state from an old server to a cluster (`kuzot jetstream copy`,
// docs/scaling.md "Moving from one node (R1) to a cluster (R3) without losing data").

// NotCopiedStreams are streams whose content a move need not carry: leases are
// re-taken and scheduled-run markers re-made by the roles.
var NotCopiedStreams = map[string]bool{"KV_kuzot_leases": true, "KV_kuzot_runs": true}

// StreamCopy is one stream's line of the copy report.
type StreamCopy struct {
	Stream string
	// Source and Dest are the message counts at the end; Copied were published now,
	// Skipped were already in the destination from an earlier run.
	Source, Dest, Copied, Skipped uint64
	// Duplicates is the number of publishes the destination dropped by Nats-Msg-Id.
	Duplicates uint64
	Elapsed    time.Duration
}

// CopyStreams copies streams from the old server (from) to the cluster (to): each
// stream is created on the cluster with the old configuration and replicas copies when
// missing, then every message is published again in order with its subject, data and
// headers — Nats-Msg-Id included, so the cluster's duplicate window drops a message
// published twice — except the Nats-Expected-* headers of optimistic writes (KV updates),
// which describe the old stream's sequences. KV buckets and object stores are streams
// (KV_*, OBJ_*) and are copied the same way. names empty: every stream of the old
// server but NotCopiedStreams.
//
// A rerun resumes: when the cluster's stream already holds k messages, the first k of
// the old stream are taken as copied (the copy is in order and the old server is no
// longer written), and a stream holding as many as the old one is skipped.
func CopyStreams(ctx context.Context, from, to jetstream.JetStream, names []string, replicas int) ([]StreamCopy, error) {
	if len(names) == 0 {
		l := from.StreamNames(ctx)
		for n := range l.Name() {
			if !NotCopiedStreams[n] {
				names = append(names, n)
			}
		}
		if err := l.Err(); err != nil {
			return nil, fmt.Errorf("jetstream copy: list streams: %w", err)
		}
		sort.Strings(names)
	}
	var out []StreamCopy
	for _, name := range names {
		sc, err := copyStream(ctx, from, to, name, replicas)
		out = append(out, sc)
		if err != nil {
			return out, fmt.Errorf("jetstream copy: %s: %w", name, err)
		}
	}
	return out, nil
}

func copyStream(ctx context.Context, from, to jetstream.JetStream, name string, replicas int) (sc StreamCopy, err error) {
	start := time.Now()
	sc = StreamCopy{Stream: name}
	defer func() { sc.Elapsed = time.Since(start) }()
	src, err := from.Stream(ctx, name)
	if err != nil {
		return sc, fmt.Errorf("old stream: %w", err)
	}
	info, err := src.Info(ctx)
	if err != nil {
		return sc, err
	}
	sc.Source = info.State.Msgs
	dst, err := to.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		cfg := info.Config
		cfg.Replicas = replicas
		cfg.Placement = nil
		dst, err = to.CreateStream(ctx, cfg)
	}
	if err != nil {
		return sc, fmt.Errorf("cluster stream: %w", err)
	}
	dinfo, err := dst.Info(ctx)
	if err != nil {
		return sc, err
	}
	have := dinfo.State.Msgs
	if have >= sc.Source || sc.Source == 0 {
		sc.Skipped, sc.Dest = min(have, sc.Source), have
		return sc, nil
	}
	sc.Skipped = have
	cons, err := from.OrderedConsumer(ctx, name, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return sc, err
	}
	last := info.State.LastSeq
	var seen uint64
	for done := false; !done; {
		// No more than the old stream holds: a larger fetch would wait for messages
		// that never come.
		want := int(min(500, max(1, sc.Source-min(seen, sc.Source))))
		batch, err := cons.Fetch(want, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return sc, err
		}
		n := 0
		for m := range batch.Messages() {
			n++
			md, err := m.Metadata()
			if err != nil {
				return sc, err
			}
			seen++
			if seen > have {
				msg := &nats.Msg{Subject: m.Subject(), Data: m.Data(), Header: nats.Header{}}
				for k, v := range m.Headers() {
					if !strings.HasPrefix(k, "Nats-Expected-") {
						msg.Header[k] = v
					}
				}
				ack, err := to.PublishMsg(ctx, msg)
				if err != nil {
					return sc, fmt.Errorf("publish message %d (rerun the copy: it resumes): %w", md.Sequence.Stream, err)
				}
				if ack.Duplicate {
					sc.Duplicates++
				} else {
					sc.Copied++
				}
			}
			if md.Sequence.Stream >= last {
				done = true
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return sc, err
		}
		if n == 0 {
			break // nothing more (messages removed since Info)
		}
	}
	if dinfo, err = dst.Info(ctx); err != nil {
		return sc, err
	}
	sc.Dest = dinfo.State.Msgs
	return sc, nil
}
