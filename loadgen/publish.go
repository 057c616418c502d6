package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/wait"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// Options bound and pace a load run.
type Options struct {
	// Posts is how many posts to publish (0 = until Duration or ctx ends).
	Posts uint64
	// Duration stops publishing after this long (0 = no limit).
	Duration time.Duration
	// Rate is the target posts/s (0 = as fast as the server acknowledges).
	Rate float64
	// Window is how many publishes may await their PubAck at once (default 2048).
	Window int
	// RetryMax caps the backoff between retries of a rejected publish (default 5 s).
	RetryMax time.Duration
	// Batch > 1 publishes posts in atomic batches of this many (pipeline.PublishAtomic:
	// one fsync per batch), as a collector publishing a fetched page at once would; a
	// rejected or unanswered batch is retried post by post. Needs nats-server >= 2.12.
	Batch int
	// Log receives retry warnings (rate limited); nil discards them.
	Log *slog.Logger
	// Subject names the subject a post is published on (default pipeline.PostSubject,
	// the posts stream). A capacity baseline publishes the same posts onto a stream of
	// its own with it.
	Subject func(p *post.Post) string
}

// Stats summarises a publishing run.
type Stats struct {
	Attempted, Acked, Duplicates, Indeterminate uint64
	// Retries counts publishes that were rejected or timed out and sent again.
	Retries uint64
	Elapsed time.Duration
}

// Rate is acknowledged posts per second over the run.
func (s Stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Acked+s.Duplicates) / s.Elapsed.Seconds()
}

type inflight struct {
	n      uint64
	msg    *nats.Msg
	msgID  string
	future jetstream.PubAckFuture
	// batch is set when the post goes out in an atomic batch; idx is its place in it.
	batch *batchResult
	idx   int
}

// batchResult is the outcome of one atomic batch, shared by its posts.
type batchResult struct {
	done chan struct{}
	ack  pipeline.BatchAck
	err  error
	// futures hold the one-by-one republish of a batch that was not committed.
	futures []jetstream.PubAckFuture
}

// maxBatchesInFlight bounds atomic batches awaiting their commit (the server allows 50
// per stream by default).
const maxBatchesInFlight = 8

// Publish publishes posts 0, 1, 2... of gen onto the posts stream through js, recording
// each in ledger, until opt.Posts, opt.Duration or ctx ends. Publishes are asynchronous
// with at most opt.Window awaiting their PubAck; a rejected or unanswered publish (full
// stream with Discard New, server restarting, timeout) is retried with the same
// Nats-Msg-Id, with backoff, until it is acknowledged or ctx ends, and everything behind
// it waits: that is the back pressure a collector sees. js should be created with
// jetstream.WithPublishAsyncTimeout so that acks lost in a server restart time out.
//
// When ctx ends, posts still awaiting an answer stay Indeterminate in the ledger. The
// returned error is nil when publishing stopped because its limit was reached.
func Publish(ctx context.Context, js jetstream.JetStream, gen *Generator, ledger *Ledger, opt Options) (Stats, error) {
	if opt.Window <= 0 {
		opt.Window = 2048
	}
	if opt.RetryMax <= 0 {
		opt.RetryMax = 5 * time.Second
	}
	if opt.Subject == nil {
		opt.Subject = pipeline.PostSubject
	}
	if opt.Batch > pipeline.MaxAtomicBatch {
		return Stats{}, fmt.Errorf("loadgen: batch of %d posts is above the server's %d", opt.Batch, pipeline.MaxAtomicBatch)
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.Posts == 0 && opt.Duration == 0 && ctx.Done() == nil {
		return Stats{}, errors.New("loadgen: publish: no limit (set Posts, Duration or a cancellable context)")
	}
	start := time.Now()
	pctx := ctx
	if opt.Duration > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithDeadline(ctx, start.Add(opt.Duration))
		defer cancel()
	}

	var st Stats
	queue := make(chan inflight, opt.Window)
	settled := make(chan error, 1)
	failed := make(chan struct{})
	go func() {
		err := settleLoop(ctx, js, ledger, queue, &st, opt, log)
		if err != nil {
			close(failed)
			for range queue { // unblock the sender; what it still sends stays unanswered
				st.Indeterminate++
			}
		}
		settled <- err
	}()

	var sendErr error
	enqueue := func(in inflight) bool {
		select {
		case queue <- in:
		case <-ctx.Done():
		case <-failed:
		}
		return ctx.Err() == nil && !isClosed(failed)
	}
	var batch []inflight
	sem := make(chan struct{}, maxBatchesInFlight)
	var batches sync.WaitGroup
	flushBatch := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		res := &batchResult{done: make(chan struct{})}
		msgs := make([]*nats.Msg, len(batch))
		ids := make([]string, len(batch))
		for i := range batch {
			msgs[i], ids[i] = batch[i].msg, batch[i].msgID
		}
		batches.Add(1)
		go func() {
			defer batches.Done()
			defer func() { <-sem }()
			defer close(res.done)
			actx, cancel := context.WithTimeout(ctx, 10*time.Second)
			res.ack, res.err = pipeline.PublishAtomic(actx, js.Conn(), msgs)
			cancel()
			if res.err == nil {
				return
			}
			// Not committed (rejected, or the answer was lost): publish the posts one by
			// one with the same ids; duplicates of a batch that did land are harmless.
			res.futures = make([]jetstream.PubAckFuture, len(msgs))
			for i, in := range msgs {
				m := &nats.Msg{Subject: in.Subject, Data: in.Data, Header: nats.Header{}}
				m.Header.Set(pipeline.HeaderSchema, post.SchemaVersion)
				if f, perr := js.PublishMsgAsync(m, jetstream.WithMsgID(ids[i])); perr == nil {
					res.futures[i] = f
				}
			}
		}()
		for i, in := range batch {
			in.batch, in.idx = res, i
			if !enqueue(in) {
				return false
			}
		}
		batch = nil
		return true
	}
	n := uint64(ledger.Len())
	for ; opt.Posts == 0 || n < opt.Posts; n++ {
		if pctx.Err() != nil {
			break
		}
		if opt.Rate > 0 {
			due := start.Add(time.Duration(float64(n) / opt.Rate * float64(time.Second)))
			if d := time.Until(due); d > time.Millisecond && !wait.Sleep(pctx, d) {
				break
			}
		}
		p := gen.Post(n)
		// Stamped at hand-over, as a collector stamps what it fetched: alerts ignore
		// posts collected before an organisation joined (the id and content hash, and so
		// the message id, do not depend on it).
		p.CollectedAt = time.Now().UTC()
		data, err := json.Marshal(p)
		if err != nil {
			sendErr = fmt.Errorf("loadgen: encode post %d: %w", n, err)
			break
		}
		msg := &nats.Msg{Subject: opt.Subject(&p), Data: data, Header: nats.Header{}}
		msg.Header.Set(pipeline.HeaderSchema, post.SchemaVersion)
		if err := ledger.begin(n, gen.KindOf(n), time.Now()); err != nil {
			sendErr = err
			break
		}
		st.Attempted++
		msgID := p.MsgID()
		if opt.Batch > 1 {
			msg.Header.Set(jetstream.MsgIDHeader, msgID)
			batch = append(batch, inflight{n: n, msg: msg, msgID: msgID})
			if len(batch) >= opt.Batch && !flushBatch() {
				break
			}
			continue
		}
		f, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(msgID))
		if err != nil {
			f = nil // the settle loop publishes it synchronously, with retries
		}
		if !enqueue(inflight{n: n, msg: msg, msgID: msgID, future: f}) {
			break
		}
	}
	flushBatch()
	batches.Wait()
	close(queue)
	serr := <-settled
	st.Elapsed = time.Since(start)
	return st, errors.Join(sendErr, serr)
}

// settleLoop waits for each PubAck in publish order and retries what failed.
func settleLoop(ctx context.Context, js jetstream.JetStream, ledger *Ledger, queue <-chan inflight, st *Stats,
	opt Options, log *slog.Logger) error {
	var lastWarn time.Time
	lastRetryOK := false
	for in := range queue {
		var ack *jetstream.PubAck
		var err error
		if b := in.batch; b != nil {
			select {
			case <-b.done:
				if b.err == nil {
					ack = &jetstream.PubAck{Stream: b.ack.Stream, Sequence: b.ack.LastSeq - uint64(b.ack.Count-1-in.idx)}
				} else {
					in.future = b.futures[in.idx]
				}
			case <-ctx.Done():
			}
		}
		if ack == nil && in.future != nil {
			select {
			case ack = <-in.future.Ok():
			case err = <-in.future.Err():
			case <-ctx.Done():
				err = ctx.Err()
			}
		} else if ack == nil {
			err = errors.New("publish refused or batch not committed")
		}
		delay := 50 * time.Millisecond
		for ack == nil {
			if errors.Is(err, nats.ErrConnectionClosed) {
				// Closed for good (not reconnecting): retrying cannot succeed.
				st.Indeterminate++
				return fmt.Errorf("loadgen: publish post %d: %w", in.n, err)
			}
			if ctx.Err() != nil {
				st.Indeterminate++
				for range queue {
					st.Indeterminate++
				}
				return nil
			}
			if time.Since(lastWarn) > 5*time.Second {
				log.Warn("publish rejected or unanswered; retrying with the same message id", "post", in.n, "err", err)
				lastWarn = time.Now()
			}
			st.Retries++
			// The first retry of a post goes out at once unless the previous post's retry
			// failed too: after a server restart the whole window of failed futures is
			// retried quickly instead of sleeping once per post.
			if !lastRetryOK || delay > 50*time.Millisecond {
				if !wait.Sleep(ctx, delay) {
					continue
				}
				delay = min(delay*2, opt.RetryMax)
			} else {
				delay *= 2
			}
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			m := &nats.Msg{Subject: in.msg.Subject, Data: in.msg.Data, Header: nats.Header{}}
			m.Header.Set(pipeline.HeaderSchema, in.msg.Header.Get(pipeline.HeaderSchema))
			ack, err = js.PublishMsg(actx, m, jetstream.WithMsgID(in.msgID))
			cancel()
			lastRetryOK = err == nil
		}
		ledger.settle(in.n, ack.Sequence, ack.Duplicate, time.Now())
		if ack.Duplicate {
			st.Duplicates++
		} else {
			st.Acked++
		}
	}
	return nil
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
