package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/post"
)

// Durable consumer names of the built-in stages.
const (
	StorePostsConsumer   = "store-posts"
	ClassifyConsumer     = "classify"
	StoreResultsConsumer = "store-results"
)

// DecodePost parses a message of the posts stream. Every failure is permanent: the same
// bytes will never parse, so the message goes to the DLQ and the rest flow on.
func DecodePost(_ context.Context, msg jetstream.Msg) (post.Post, error) {
	var p post.Post
	if s := msg.Headers().Get(HeaderSchema); s != "" && s != post.SchemaVersion {
		return p, Permanent(fmt.Errorf("unknown schema %q (want %s)", s, post.SchemaVersion))
	}
	if err := json.Unmarshal(msg.Data(), &p); err != nil {
		return p, Permanent(fmt.Errorf("malformed post JSON: %w", err))
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return p, Permanent(err)
	}
	return p, nil
}

// DecodeClassified parses a message of the results stream.
func DecodeClassified(_ context.Context, msg jetstream.Msg) (Classified, error) {
	var c Classified
	if s := msg.Headers().Get(HeaderSchema); s != "" && s != ResultsSchemaVersion {
		return c, Permanent(fmt.Errorf("unknown schema %q (want %s)", s, ResultsSchemaVersion))
	}
	if err := json.Unmarshal(msg.Data(), &c); err != nil {
		return c, Permanent(fmt.Errorf("malformed result JSON: %w", err))
	}
	c.Post.Normalize()
	if err := c.Post.Validate(); err != nil {
		return c, Permanent(err)
	}
	return c, nil
}

// FlaggedBy reports whether a result message says, in its HeaderFlagged, whether the
// classifier flagged the post. known is false for results without the header (written
// by an older version): the caller must then decode the body to find out.
func FlaggedBy(msg jetstream.Msg, classifier string) (flagged, known bool) {
	h := msg.Headers()
	if h == nil {
		return false, false
	}
	v := h.Get(HeaderFlagged)
	if v == "" {
		return false, false
	}
	for name := range strings.SplitSeq(v, ",") {
		if name == classifier {
			return true, true
		}
	}
	return false, true
}

// StageOptions configure a stage's consumer and batching.
type StageOptions struct {
	Batch BatchOptions
	// Workers is how many fetch loops share the durable consumer.
	Workers int
}

// RunStage ensures the durable consumer and runs Workers batch loops on it.
func RunStage[T any](ctx context.Context, b *Bus, spec ConsumerSpec, m *Metrics, log *slog.Logger, opt StageOptions,
	decode Decoder[T], write Writer[T]) error {
	cons, err := b.EnsureConsumer(ctx, spec)
	if err != nil {
		return err
	}
	if opt.Batch.Name == "" {
		opt.Batch.Name = spec.Durable
	}
	workers := max(opt.Workers, 1)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- RunBatch(ctx, b, cons, m, log, opt.Batch, decode, write)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ClassifyDecoder parses and classifies one post under the stage's context; a classifier
// failure on a post is permanent (classifiers are deterministic) and dead-letters the
// post with the reason, while a classification cut short by the stage's end is not.
// A refresh (post.Refresh: only its counters changed) is not classified again: it yields
// a nil row, which ResultsWriter skips, so refreshes never reach results or alerts.
func ClassifyDecoder(cs []classifiers.Classifier, now func() time.Time) Decoder[*Classified] {
	return func(ctx context.Context, msg jetstream.Msg) (*Classified, error) {
		p, err := DecodePost(ctx, msg)
		if err != nil {
			return nil, err
		}
		if p.Refresh {
			return nil, nil
		}
		c, err := ClassifyPost(ctx, cs, &p, now())
		if err != nil {
			if ctx.Err() != nil {
				// Cancelled by the stage's shutdown, not a verdict on the post: not
				// permanent, so the post is redelivered instead of dead-lettered.
				return nil, fmt.Errorf("classify %s: %w", p.ID, ctx.Err())
			}
			return nil, Permanent(err)
		}
		return c, nil
	}
}

// ResultsWriter publishes a batch of results and waits until JetStream acknowledged all
// of them, so the posts are acked only once their results are durable in the results
// stream. Each batch goes out as atomic batches (one fsync per batch instead of one per
// result); a batch the server rejects (for example because a redelivery made one result
// a duplicate) is published again message by message, where duplicates are harmless.
func ResultsWriter(b *Bus, m *Metrics) Writer[*Classified] {
	return func(ctx context.Context, rows []*Classified) error {
		msgs := make([]*nats.Msg, 0, len(rows))
		for _, c := range rows {
			if c == nil { // a refresh, see ClassifyDecoder
				continue
			}
			data, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("encode result %s: %w", c.Post.ID, err)
			}
			msg := &nats.Msg{Subject: ResultsSubject + "." + subjectToken(c.Post.Source), Data: data, Header: nats.Header{}}
			msg.Header.Set(HeaderSchema, ResultsSchemaVersion)
			msg.Header.Set(HeaderFlagged, c.FlaggedHeader())
			msg.Header.Set(jetstream.MsgIDHeader, c.MsgID())
			msgs = append(msgs, msg)
		}
		return PublishBatch(ctx, b.JS, m, ResultsStream, msgs)
	}
}
