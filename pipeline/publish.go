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
	pp.Normalize()
	if err := pp.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(pp)
	if err != nil {
		return fmt.Errorf("encode post %s: %w", pp.ID, err)
	}
	return p.publish(ctx, PostsStream, PostSubject(&pp), pp.MsgID(), post.SchemaVersion, data)
}

// PublishPostWithRetry retries transient publish failures with backoff until ctx ends.
func (p *Publisher) PublishPostWithRetry(ctx context.Context, pp post.Post) error {
	delay := 100 * time.Millisecond
	for {
		err := p.PublishPost(ctx, pp)
		if err == nil || errors.Is(err, post.ErrInvalid) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("publish %s: %w (last error: %v)", pp.ID, ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
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
