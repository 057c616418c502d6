package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/wait"
	"github.com/kuzot/kuzot/post"
)

// Publisher publishes posts onto the posts stream with deduplication ids.
type Publisher struct {
	js      jetstream.JetStream
	metrics *Metrics
}

// NewPublisher returns a publisher on js.
func NewPublisher(js jetstream.JetStream, m *Metrics) *Publisher {
	return &Publisher{js: js, metrics: m}
}

// PostSubject is the subject a post is published on: kuzot.posts.<source>.
func PostSubject(p *post.Post) string { return PostsSubject + "." + subjectToken(p.Source) }

func subjectToken(s string) string {
	if s == "" {
		return "unknown"
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '*' || r == '>' || r <= ' ' {
			return '_'
		}
		return r
	}, s)
}

// PublishPost validates and publishes one post and waits for the server's ack. A
// duplicate (same id and content within the duplicate window) is not an error. A full
// stream or an unreachable server is returned so the caller retries.
func (p *Publisher) PublishPost(ctx context.Context, pp post.Post) error {
	data, err := encodePost(&pp)
	if err != nil {
		return err
	}
	return p.publish(ctx, PostsStream, PostSubject(&pp), pp.MsgID(), post.SchemaVersion, data)
}

// encodePost normalises and validates pp in place and returns its JSON.
func encodePost(pp *post.Post) ([]byte, error) {
	pp.Normalize()
	if err := pp.Validate(); err != nil {
		return nil, err
	}
	data, err := json.Marshal(pp)
	if err != nil {
		return nil, fmt.Errorf("encode post %s: %w", pp.ID, err)
	}
	return data, nil
}

// PublishPostWithRetry retries transient publish failures with backoff until ctx ends.
func (p *Publisher) PublishPostWithRetry(ctx context.Context, pp post.Post) error {
	return retryPublish(ctx, pp.ID, func() error { return p.PublishPost(ctx, pp) })
}

// retryPublish calls publish until it succeeds, fails permanently (an invalid post) or
// ctx ends, with exponential backoff; republishing is safe because every post keeps its
// message id.
func retryPublish(ctx context.Context, what string, publish func() error) error {
	delay := 100 * time.Millisecond
	for {
		err := publish()
		if err == nil || errors.Is(err, post.ErrInvalid) {
			return err
		}
		if !wait.Sleep(ctx, delay) {
			return fmt.Errorf("publish %s: %w (last error: %v)", what, ctx.Err(), err)
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// PublishPosts validates and publishes posts (a collector's poll, up to MaxAtomicBatch)
// as one atomic batch with PublishBatch: written and fsynced once instead of once per
// post, and acknowledged only after that fsync, so a post is as durable as with
// PublishPost; a rejected batch goes out post by post. An invalid post fails the call
// before anything is sent.
func (p *Publisher) PublishPosts(ctx context.Context, ps []post.Post) error {
	if len(ps) == 0 {
		return nil
	}
	if len(ps) > MaxAtomicBatch {
		return fmt.Errorf("publish %d posts at once: at most %d", len(ps), MaxAtomicBatch)
	}
	msgs := make([]*nats.Msg, 0, len(ps))
	for _, pp := range ps {
		data, err := encodePost(&pp)
		if err != nil {
			return err
		}
		msg := &nats.Msg{Subject: PostSubject(&pp), Data: data, Header: nats.Header{}}
		msg.Header.Set(HeaderSchema, post.SchemaVersion)
		msg.Header.Set(jetstream.MsgIDHeader, pp.MsgID())
		msgs = append(msgs, msg)
	}
	return PublishBatch(ctx, p.js, p.metrics, PostsStream, msgs)
}

// PublishPostsWithRetry retries PublishPosts on transient failures with backoff until
// ctx ends.
func (p *Publisher) PublishPostsWithRetry(ctx context.Context, ps []post.Post) error {
	return retryPublish(ctx, fmt.Sprintf("%d posts", len(ps)), func() error { return p.PublishPosts(ctx, ps) })
}

func (p *Publisher) publish(ctx context.Context, stream, subject, msgID, schema string, data []byte) error {
	msg := &nats.Msg{Subject: subject, Data: data, Header: nats.Header{}}
	msg.Header.Set(HeaderSchema, schema)
	ack, err := p.js.PublishMsg(ctx, msg, jetstream.WithMsgID(msgID), jetstream.WithExpectStream(stream))
	if err != nil {
		p.metrics.Published.WithLabelValues(stream, "error").Inc()
		return fmt.Errorf("publish %s to %s: %w", msgID, subject, err)
	}
	if ack.Duplicate {
		p.metrics.Published.WithLabelValues(stream, "duplicate").Inc()
	} else {
		p.metrics.Published.WithLabelValues(stream, "ok").Inc()
	}
	return nil
}
