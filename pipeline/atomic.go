package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// MaxAtomicBatch is the server's default limit of messages in one atomic batch.
const MaxAtomicBatch = 1000

// Atomic batch headers (nats-server >= 2.12, streams with AllowAtomicPublish).
const (
	headerBatchID     = "Nats-Batch-Id"
	headerBatchSeq    = "Nats-Batch-Sequence"
	headerBatchCommit = "Nats-Batch-Commit"
)

// BatchAck is the server's answer to a committed atomic batch: the messages got the
// stream sequences LastSeq-Count+1 .. LastSeq.
type BatchAck struct {
	Stream  string
	LastSeq uint64
	Count   int
}

// ErrBatchRejected wraps the server's refusal of an atomic batch (a duplicate message id
// in it, atomic publish disabled, too many batches in flight...). Nothing of a rejected
// batch is stored, so the caller may publish the messages one by one instead.
var ErrBatchRejected = errors.New("atomic batch rejected")

// PublishAtomic publishes msgs (1..MaxAtomicBatch, each with its Nats-Msg-Id already set)
// as one atomic batch and waits for the commit's acknowledgement. Why: with fsync on
// every write, a single JetStream node fsyncs once per message, which caps a stream at
// the disk's fsync rate (about 1-4k messages/s here); an atomic batch is written and
// fsynced once, and acknowledged only after that fsync, so durability is unchanged.
//
// All or nothing: on ErrBatchRejected nothing was stored. On any other error (timeout,
// disconnect) the outcome is unknown; republishing with the same message ids is safe.
func PublishAtomic(ctx context.Context, nc *nats.Conn, msgs []*nats.Msg) (BatchAck, error) {
	if len(msgs) == 0 || len(msgs) > MaxAtomicBatch {
		return BatchAck{}, fmt.Errorf("atomic batch of %d messages (want 1..%d)", len(msgs), MaxAtomicBatch)
	}
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return BatchAck{}, fmt.Errorf("atomic batch id: %w", err)
	}
	id := hex.EncodeToString(raw[:])
	for i, m := range msgs {
		if m.Header == nil {
			m.Header = nats.Header{}
		}
		m.Header.Set(headerBatchID, id)
		m.Header.Set(headerBatchSeq, strconv.Itoa(i+1))
		if i < len(msgs)-1 {
			m.Header.Del(headerBatchCommit)
			if err := nc.PublishMsg(m); err != nil {
				return BatchAck{}, fmt.Errorf("atomic batch %s message %d: %w", id, i+1, err)
			}
		}
	}
	last := msgs[len(msgs)-1]
	last.Header.Set(headerBatchCommit, "1")
	resp, err := nc.RequestMsgWithContext(ctx, last)
	if err != nil {
		return BatchAck{}, fmt.Errorf("atomic batch %s commit: %w", id, err)
	}
	var ack struct {
		Stream string `json:"stream"`
		Seq    uint64 `json:"seq"`
		Count  int    `json:"count"`
		Error  *struct {
			Code        int    `json:"code"`
			ErrCode     int    `json:"err_code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(resp.Data, &ack); err != nil {
		return BatchAck{}, fmt.Errorf("atomic batch %s commit: unreadable answer %q: %w", id, truncateReason(string(resp.Data)), err)
	}
	if ack.Error != nil {
		return BatchAck{}, fmt.Errorf("%w: %s (code %d, err_code %d)", ErrBatchRejected, ack.Error.Description, ack.Error.Code, ack.Error.ErrCode)
	}
	if ack.Count != len(msgs) || ack.Seq < uint64(len(msgs)) {
		return BatchAck{}, fmt.Errorf("atomic batch %s: server committed %d of %d messages (last seq %d)", id, ack.Count, len(msgs), ack.Seq)
	}
	return BatchAck{Stream: ack.Stream, LastSeq: ack.Seq, Count: ack.Count}, nil
}

// PublishBatch publishes msgs (each with its Nats-Msg-Id set) to stream in atomic
// batches of up to MaxAtomicBatch and returns once JetStream acknowledged every one. A
// batch the server rejects (one of its ids is a duplicate, or the server predates
// atomic batches) or does not answer is published again message by message, where a
// duplicate is harmless; on an error the caller may publish the same messages again.
// It is how kuzot publishes in bulk: a collector's posts and the classify stage's
// results.
func PublishBatch(ctx context.Context, js jetstream.JetStream, m *Metrics, stream string, msgs []*nats.Msg) error {
	for len(msgs) > 0 {
		chunk := msgs[:min(len(msgs), MaxAtomicBatch)]
		msgs = msgs[len(chunk):]
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := PublishAtomic(actx, js.Conn(), chunk)
		cancel()
		if err == nil {
			m.Published.WithLabelValues(stream, "ok").Add(float64(len(chunk)))
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := publishEach(ctx, js, m, stream, chunk); err != nil {
			return err
		}
	}
	return nil
}

// publishEach publishes messages one by one (asynchronously), without the atomic-batch
// headers PublishAtomic set, and waits for every PubAck.
func publishEach(ctx context.Context, js jetstream.JetStream, m *Metrics, stream string, msgs []*nats.Msg) error {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, in := range msgs {
		msg := &nats.Msg{Subject: in.Subject, Data: in.Data, Header: nats.Header{}}
		for k, v := range in.Header {
			switch k {
			case headerBatchID, headerBatchSeq, headerBatchCommit, jetstream.MsgIDHeader:
			default:
				msg.Header[k] = v
			}
		}
		id := in.Header.Get(jetstream.MsgIDHeader)
		f, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(id), jetstream.WithExpectStream(stream))
		if err != nil {
			m.Published.WithLabelValues(stream, "error").Inc()
			return fmt.Errorf("publish %s: %w", id, err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				m.Published.WithLabelValues(stream, "duplicate").Inc()
			} else {
				m.Published.WithLabelValues(stream, "ok").Inc()
			}
		case err := <-f.Err():
			m.Published.WithLabelValues(stream, "error").Inc()
			return fmt.Errorf("publish to %s: %w", stream, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
