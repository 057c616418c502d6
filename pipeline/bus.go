// Package pipeline connects kuzot's roles through NATS JetStream: it starts the embedded
// server or connects to an external one, declares the streams, consumers and KV buckets
// idempotently, publishes posts with deduplication ids, and runs consumers that ack only
// after the downstream write and dead-letter what can never be processed.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/crypto/bcrypt"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/wait"
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

// ClientConfig is the configuration of another client of this bus (nats.url set to the
// server this bus is connected to; the embedded server's password file is read).
func (b *Bus) ClientConfig() config.NATS {
	c := b.cfg
	c.URL = b.ClientURL()
	return c
}

// Replicas is the replica count of every stream, consumer and bucket (nats.replicas).
func (b *Bus) Replicas() int { return b.cfg.Replicas }

// ClusterURL is the route address of the embedded cluster node ("" when the process runs
// no clustered server).
func (b *Bus) ClusterURL() string {
	if b.srv == nil {
		return ""
	}
	if a := b.srv.ClusterAddr(); a != nil {
		return "nats-route://" + a.String()
	}
	return ""
}

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
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
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
		if !wait.Sleep(ctx, delay) {
			return fmt.Errorf("nats: jetstream not available: %w", ctx.Err())
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// clusterOptions makes opts a node of the JetStream cluster c. Routes authenticate with
// the embedded user and password: the node accepts routes that present them (bcrypt
// hash) and presents them (plain) on the routes it opens.
func clusterOptions(opts *server.Options, c config.Cluster, user, password, hash string) error {
	opts.Cluster = server.ClusterOpts{
		Name: c.Name, Host: c.Host, Port: c.Port,
		Username: user, Password: hash, AuthTimeout: 2,
	}
	for _, r := range c.Routes {
		u, err := url.Parse(r)
		if err != nil {
			return fmt.Errorf("nats: cluster route %q: %w", r, err)
		}
		u.Scheme = "nats-route"
		u.User = url.UserPassword(user, password)
		opts.Routes = append(opts.Routes, u)
	}
	return nil
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
		ServerName: cfg.ServerName,
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
	if cfg.Cluster.Enabled() {
		if err := clusterOptions(opts, cfg.Cluster, user, password, string(hash)); err != nil {
			return nil, err
		}
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
	log.Info("embedded NATS JetStream started", "url", srv.ClientURL(), "store_dir", cfg.StoreDir,
		"server_name", cfg.ServerName, "cluster", cfg.Cluster.Name)
	return srv, nil
}

// ensureTimeout bounds how long EnsureStreams waits for a forming cluster to place
// replicated streams.
const ensureTimeout = 60 * time.Second

// EnsureStreams creates or updates every stream and bucket kuzot uses, with nats.replicas
// replicas. It is idempotent, and it is how a deployment moves from R1 to R3: a stream
// whose replica count differs is updated in place (the server copies the messages to the
// new peers). While a cluster is still forming (no meta leader, peers not yet known) it
// retries for up to a minute.
func (b *Bus) EnsureStreams(ctx context.Context) error {
	deadline := time.Now().Add(ensureTimeout)
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		// One request lost while the routes settle must not hold up the next attempt.
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := b.ensureStreams(actx)
		cancel()
		if err == nil {
			return nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.ErrorCode(10074) {
			return fmt.Errorf("%w: nats.replicas is %d but the server is not part of a JetStream cluster (set nats.replicas: 1, or run a cluster)", err, b.cfg.Replicas)
		}
		if !retryablePlacement(err) || time.Now().After(deadline) || ctx.Err() != nil {
			if retryablePlacement(err) && b.cfg.Replicas > 1 {
				return fmt.Errorf("%w: nats.replicas is %d: does the JetStream cluster have that many servers up?", err, b.cfg.Replicas)
			}
			return err
		}
		if attempt == 1 || attempt%10 == 0 {
			b.log.Warn("JetStream cluster not ready to place streams; retrying", "replicas", b.cfg.Replicas, "err", err)
		}
		if !wait.Sleep(ctx, delay) {
			return err
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// declareAttempt bounds one declaration request of RetryDeclare: a request sent while
// the client reconnects, or while no node leads the meta layer, must not hold the retries up.
const declareAttempt = 5 * time.Second

// RetryDeclare runs declare (a stream, bucket or consumer declaration) until it succeeds
// or ctx ends, retrying with backoff (250 ms doubling to 5 s) as long as the error is one
// a JetStream cluster returns while it has no quorum or is still forming: no meta leader,
// too few peers, a request that timed out. Any other error is returned at once. Roles
// call it at startup so that a process started while the cluster lacks a quorum waits for
// it instead of failing (issue 18); each attempt gets its own bounded context.
func (b *Bus) RetryDeclare(ctx context.Context, what string, declare func(ctx context.Context) error) error {
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, declareAttempt)
		err := declare(actx)
		cancel()
		if err == nil {
			if attempt > 1 {
				b.log.Info("JetStream declaration succeeded after retries", "what", what, "attempts", attempt)
			}
			return nil
		}
		if !retryablePlacement(err) || ctx.Err() != nil {
			return err
		}
		if attempt == 1 || attempt%10 == 0 {
			b.log.Warn("JetStream cannot declare yet (no quorum, or a server-side error such as a full disk); retrying", "what", what, "replicas", b.cfg.Replicas, "attempt", attempt, "err", err)
		}
		if !wait.Sleep(ctx, delay) {
			return err
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// retryablePlacement reports whether err is a JetStream error a forming cluster returns
// (no meta leader yet, not enough known peers), a server-side failure that passes (code
// 500, e.g. 10012 "error creating store for consumer" while the server's disk is full:
// TestChaosDiskFull's classify role died on it when it started after the disk filled),
// or a request timeout. A client error (bad config, 4xx) is returned at once.
func retryablePlacement(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case 10005, 10008, 10023: // no suitable peers, cluster unavailable, insufficient resources
			return true
		}
		return apiErr.Code >= 500
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrJetStreamNotEnabled) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse)
}

func (b *Bus) ensureStreams(ctx context.Context) error {
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
	if _, err := b.JS.CreateOrUpdateKeyValue(ctx, b.leaseBucketConfig()); err != nil {
		return fmt.Errorf("nats: bucket %s: %w", LeaseBucket, err)
	}
	if _, err := b.JS.CreateOrUpdateKeyValue(ctx, b.runsBucketConfig()); err != nil {
		return fmt.Errorf("nats: bucket %s: %w", RunsBucket, err)
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
