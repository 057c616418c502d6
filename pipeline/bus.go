// Package pipeline connects kuzot's roles through NATS JetStream: it starts the embedded
// server or connects to an external one, declares the streams, consumers and KV buckets
// idempotently, publishes posts with deduplication ids, and runs consumers that ack only
// after the downstream write and dead-letter what can never be processed.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"

	"github.com/kuzot/kuzot/config"
)

// Stream, subject and bucket names. Subjects carry the source so that a deployment can
// filter or shard by platform.
const (
	PostsStream    = "KUZOT_POSTS"
	PostsSubject   = "kuzot.posts"
	ResultsStream  = "KUZOT_RESULTS"
	ResultsSubject = "kuzot.results"
	DLQStream      = "KUZOT_DLQ"
	DLQSubject     = "kuzot.dlq"
	StateBucket    = "kuzot_collector_state"

	// HeaderSchema names the schema version of a message body.
	HeaderSchema = "Kuzot-Schema"
	// HeaderFlagged lists, on a result, the classifiers that flagged the post
	// (comma-separated, sorted; "-" for none), so that a consumer interested in one
	// classifier's positives skips the others without decoding their bodies.
	HeaderFlagged = "Kuzot-Flagged"
	// HeaderImage marks a result derived from a post's image by the ocr role (its value
	// is the parent post id, see media/imagepost): the alert role reads such results for
	// re-upload matching even when no classifier flagged them.
	HeaderImage = "Kuzot-Image-Of"
	// HeaderDLQReason, HeaderDLQStream, HeaderDLQSeq, HeaderDLQConsumer describe why and
	// from where a message was dead-lettered.
	HeaderDLQReason   = "Kuzot-Dlq-Reason"
	HeaderDLQStream   = "Kuzot-Dlq-Stream"
	HeaderDLQSeq      = "Kuzot-Dlq-Stream-Seq"
	HeaderDLQSubject  = "Kuzot-Dlq-Subject"
	HeaderDLQConsumer = "Kuzot-Dlq-Consumer"
)

// Bus is a connection to JetStream, with the embedded server when kuzot runs one.
type Bus struct {
	NC  *nats.Conn
	JS  jetstream.JetStream
	cfg config.NATS
	srv *server.Server
	log *slog.Logger
	// auth holds the options that authenticate a client to this bus.
	auth []nats.Option
}

// ClientOptions returns the options another client of this bus needs to authenticate
// (tests, tools): the embedded server refuses connections without them.
func (b *Bus) ClientOptions() []nats.Option { return append([]nats.Option(nil), b.auth...) }

// ClientURL is the address other processes (and the nats CLI) use to reach this bus.
func (b *Bus) ClientURL() string { return b.NC.ConnectedUrl() }

// Embedded reports whether this process runs the JetStream server itself.
func (b *Bus) Embedded() bool { return b.srv != nil }

// Connect starts the embedded JetStream server when cfg.URL is empty (file storage under
// the store dir, fsync on every write, loopback only) or connects to cfg.URL, and then
// declares streams and buckets. It retries the external connection until ctx ends.
func Connect(ctx context.Context, cfg config.NATS, log *slog.Logger) (*Bus, error) {
	b := &Bus{cfg: cfg, log: log}
	url := cfg.URL
	if url == "" {
		user, password, err := embeddedCredentials(cfg)
		if err != nil {
			return nil, err
		}
		srv, err := startEmbedded(cfg.Embedded, user, password, log)
		if err != nil {
			return nil, err
		}
		b.srv = srv
		url = srv.ClientURL()
		b.auth = []nats.Option{nats.UserInfo(user, password)}
	} else {
		auth, err := ClientOptions(cfg)
		if err != nil {
			return nil, err
		}
		b.auth = auth
	}
	opts := []nats.Option{
		nats.Name("kuzot"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("nats reconnected", "url", c.ConnectedUrl()) }),
	}
	opts = append(opts, b.auth...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("nats: connect %s: %w", url, err)
	}
	b.NC = nc
	js, err := jetstream.New(nc)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("nats: jetstream: %w", err)
	}
	b.JS = js
	if err := b.waitReady(ctx); err != nil {
		b.Close()
		return nil, err
	}
	if err := b.EnsureStreams(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// waitReady waits until JetStream answers, logging what to do while it does not.
func (b *Bus) waitReady(ctx context.Context) error {
	delay := 200 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := b.JS.AccountInfo(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("nats: jetstream not available: %w", err)
		}
		if attempt == 1 || attempt%10 == 0 {
			b.log.Warn("waiting for NATS JetStream; check nats.url and that the server runs with JetStream enabled",
				"url", b.NC.ConnectedUrl(), "attempt", attempt, "err", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nats: jetstream not available: %w", ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

func startEmbedded(cfg config.Embedded, user, password string, log *slog.Logger) (*server.Server, error) {
	if err := os.MkdirAll(cfg.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("nats: store dir: %w", err)
	}
	// The server keeps a bcrypt hash, not the password. The lowest cost is enough: the
	// generated password has 256 random bits, and the cost is paid on every connect.
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return nil, fmt.Errorf("nats: hash the embedded server's password: %w", err)
	}
	opts := &server.Options{
		ServerName: "kuzot-embedded",
		Host:       cfg.Host,
		Port:       cfg.Port,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		// fsync every write: lazy fsync lost acknowledged writes in Jepsen's analysis.
		SyncAlways: true,
		NoSigs:     true,
		MaxPayload: 8 << 20,
		// One user with every permission; no anonymous access (no NoAuthUser).
		Users:       []*server.User{{Username: user, Password: string(hash)}},
		AuthTimeout: 2,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	srv.SetLoggerV2(&natsLogger{log: log.With("component", "nats-server")}, false, false, false)
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("nats: embedded server on %s:%d did not start (port in use? set nats.embedded.port)", cfg.Host, cfg.Port)
	}
	log.Info("embedded NATS JetStream started", "url", srv.ClientURL(), "store_dir", cfg.StoreDir)
	return srv, nil
}

// EnsureStreams creates or updates every stream and bucket kuzot uses. It is idempotent.
func (b *Bus) EnsureStreams(ctx context.Context) error {
	streams := []jetstream.StreamConfig{
		{
			Name:        PostsStream,
			Description: "collected posts in the common post schema",
			Subjects:    []string{PostsSubject + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			// A full stream rejects new posts (collectors retry) instead of dropping old ones.
			Discard:    jetstream.DiscardNew,
			MaxAge:     b.cfg.PostsMaxAge,
			MaxBytes:   b.cfg.PostsMaxBytes,
			MaxMsgSize: 4 << 20,
			Duplicates: b.cfg.DuplicateWindow,
			Replicas:   b.cfg.Replicas,
			// Atomic batches are fsynced once per batch (see PublishAtomic).
			AllowAtomicPublish: true,
		},
		{
			Name:        ResultsStream,
			Description: "classifier results per post",
			Subjects:    []string{ResultsSubject + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			Discard:     jetstream.DiscardNew,
			MaxAge:      b.cfg.PostsMaxAge,
			MaxBytes:    b.cfg.PostsMaxBytes,
			MaxMsgSize:  8 << 20,
			Duplicates:  b.cfg.ResultsDuplicateWindow,
			Replicas:    b.cfg.Replicas,
			// The classify stage publishes each batch of results atomically.
			AllowAtomicPublish: true,
		},
		{
			Name:        DLQStream,
			Description: "messages that could not be processed, with the reason in headers",
			Subjects:    []string{DLQSubject + ".>"},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      30 * 24 * time.Hour,
			Replicas:    b.cfg.Replicas,
		},
	}
	for _, sc := range streams {
		if _, err := b.JS.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("nats: stream %s: %w", sc.Name, err)
		}
	}
	if _, err := b.JS.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      StateBucket,
		Description: "incremental collection state per source",
		Storage:     jetstream.FileStorage,
		History:     1,
		Replicas:    b.cfg.Replicas,
	}); err != nil {
		return fmt.Errorf("nats: bucket %s: %w", StateBucket, err)
	}
	return nil
}

// Close drains the connection and stops the embedded server.
func (b *Bus) Close() {
	if b.NC != nil {
		_ = b.NC.Drain()
		deadline := time.Now().Add(5 * time.Second)
		for !b.NC.IsClosed() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		b.NC.Close()
	}
	b.shutdownServer()
}

func (b *Bus) shutdownServer() {
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		b.srv = nil
	}
}

// natsLogger adapts nats-server logging to slog.
type natsLogger struct{ log *slog.Logger }

func (l *natsLogger) Noticef(f string, a ...any) { l.log.Debug(fmt.Sprintf(f, a...)) }
func (l *natsLogger) Warnf(f string, a ...any)   { l.log.Warn(fmt.Sprintf(f, a...)) }
func (l *natsLogger) Fatalf(f string, a ...any)  { l.log.Error(fmt.Sprintf(f, a...)) }
func (l *natsLogger) Errorf(f string, a ...any)  { l.log.Error(fmt.Sprintf(f, a...)) }
func (l *natsLogger) Debugf(f string, a ...any)  { l.log.Debug(fmt.Sprintf(f, a...)) }
func (l *natsLogger) Tracef(f string, a ...any)  {}
