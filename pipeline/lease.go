package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/wait"
)

// LeaseBucket holds the leases that share work among role replicas: one key per leased
// unit of work (a collector source, the coordinate leader, a scheduled report) and one
// per live replica (membership).
//
// The design relies on the server's clock only. The bucket's TTL is nats.leases.ttl: the
// server removes a key that nobody rewrote for that long. A holder renews by a
// compare-and-set Update every nats.leases.renew; a newcomer takes a key with Create
// (it exists only when the key is absent) or, when the last holder released it, with an
// Update on the released revision. So two holders never succeed on one key at once.
// A holder that cannot renew stops using its lease (its Context ends) a margin before the
// earliest moment the server could remove the key: the key was written at or after the
// holder sent the renewal, so it lives at least TTL after that send.
//
// The bucket is in memory (replicated like the other buckets): leases are worth nothing
// after a restart of the whole cluster, and their renewals should not fsync.
const LeaseBucket = "kuzot_leases"

// RunsBucket records work done once across replicas (a scheduled report's fire): a key
// is written when the work is finished, and expires after RunsTTL, long after every
// replica has fired the same schedule.
const RunsBucket = "kuzot_runs"

// RunsTTL is how long RunsBucket remembers finished work.
const RunsTTL = 24 * time.Hour

func (b *Bus) runsBucketConfig() jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      RunsBucket,
		Description: "work done once across role replicas (scheduled report fires)",
		Storage:     jetstream.FileStorage,
		History:     1,
		TTL:         RunsTTL,
		Replicas:    b.cfg.Replicas,
	}
}

// Once runs fn unless work key was done (RunsBucket) or is being done by another holder
// (a lease on "once."+key): it waits while another holder has the lease, and runs fn
// itself when that holder dies before recording the work as done. fn's context ends if
// the lease is lost. The work is recorded as done after fn returns, whatever its outcome.
func (l *Leases) Once(ctx context.Context, runs jetstream.KeyValue, key string, fn func(ctx context.Context)) error {
	done := func() (bool, error) {
		_, err := runs.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	for {
		if ok, err := done(); err != nil || ok {
			return err
		}
		lease, err := l.TryAcquire(ctx, "once."+key)
		if err != nil {
			return err
		}
		if lease != nil {
			if ok, err := done(); err != nil || ok { // finished between the check and the lease
				lease.Release(nil)
				return err
			}
			fn(lease.Context())
			var err error
			if !lease.Lost() && ctx.Err() == nil {
				val, _ := json.Marshal(leaseRecord{Holder: l.holder, Since: time.Now().UTC()})
				_, err = runs.Put(ctx, key, val)
			}
			lease.Release(nil)
			return err
		}
		if !wait.Sleep(ctx, l.renew) {
			return ctx.Err()
		}
	}
}

func (b *Bus) leaseBucketConfig() jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      LeaseBucket,
		Description: "leases of role replicas (collector sources, coordinate leader, scheduled reports)",
		Storage:     jetstream.MemoryStorage,
		History:     1,
		TTL:         b.cfg.Leases.TTL,
		Replicas:    b.cfg.Replicas,
	}
}

// Leases takes and keeps leases in LeaseBucket for one holder (a role replica of one
// process).
type Leases struct {
	kv     jetstream.KeyValue
	holder string
	ttl    time.Duration
	renew  time.Duration
	log    *slog.Logger
}

// leaseRecord is a lease key's value.
type leaseRecord struct {
	// Holder is who holds the lease; empty when the last holder released it.
	Holder string `json:"holder"`
	// Since is when the holder took it (its clock; informative).
	Since time.Time `json:"since"`
	// Note is what the last holder left on release (for example when it last polled).
	Note json.RawMessage `json:"note,omitempty"`
}

// Leases returns the lease client of holder, a name unique to this process and role
// (see HolderName). The bucket exists (EnsureStreams).
func (b *Bus) Leases(ctx context.Context, holder string, log *slog.Logger) (*Leases, error) {
	kv, err := b.JS.KeyValue(ctx, LeaseBucket)
	if err != nil {
		return nil, fmt.Errorf("nats: lease bucket: %w", err)
	}
	return &Leases{kv: kv, holder: holder, ttl: b.cfg.Leases.TTL, renew: b.cfg.Leases.Renew,
		log: log.With("lease_holder", holder)}, nil
}

// Holder is the name this client holds leases under.
func (l *Leases) Holder() string { return l.holder }

// Renew is the renewal interval (nats.leases.renew); callers waiting for a lease retry
// at this pace.
func (l *Leases) Renew() time.Duration { return l.renew }

// TTL is how long a lease lives without renewal (nats.leases.ttl).
func (l *Leases) TTL() time.Duration { return l.ttl }

// margin is how long before the earliest possible expiry a holder that could not renew
// gives its lease up: it covers the time between its clock and its work noticing.
func (l *Leases) margin() time.Duration { return min(l.renew/2, l.ttl/10) }

// Keys lists the lease keys under prefix (a KV subject filter such as "members.collect.*")
// that are held now (released keys excluded).
func (l *Leases) Keys(ctx context.Context, filter string) ([]string, error) {
	lister, err := l.kv.ListKeysFiltered(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("lease keys %s: %w", filter, err)
	}
	var out []string
	for k := range lister.Keys() {
		out = append(out, k)
	}
	return out, nil
}

// HolderOf returns who holds key ("" when nobody does: never taken, expired or released).
func (l *Leases) HolderOf(ctx context.Context, key string) (string, error) {
	e, err := l.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("lease %s: %w", key, err)
	}
	var rec leaseRecord
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return "", fmt.Errorf("lease %s: %w", key, err)
	}
	return rec.Holder, nil
}

// TryAcquire takes the lease on key when nobody holds it, and keeps it renewed until it
// is released or lost. It returns (nil, nil) when another holder has it.
func (l *Leases) TryAcquire(ctx context.Context, key string) (*Lease, error) {
	sent := time.Now()
	val, err := json.Marshal(leaseRecord{Holder: l.holder, Since: sent.UTC()})
	if err != nil {
		return nil, err
	}
	rev, err := l.kv.Create(ctx, key, val)
	if err == nil {
		return l.start(key, rev, sent, nil), nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	e, err := l.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil // it just expired or was deleted: try again later
	}
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	var prev leaseRecord
	if err := json.Unmarshal(e.Value(), &prev); err != nil {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	if prev.Holder != "" {
		return nil, nil
	}
	sent = time.Now()
	rev, err = l.kv.Update(ctx, key, val, e.Revision())
	if isWrongRevision(err) {
		return nil, nil // another replica took it first
	}
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	return l.start(key, rev, sent, prev.Note), nil
}

// isWrongRevision reports whether err is a failed compare-and-set.
func isWrongRevision(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		errors.Is(err, jetstream.ErrKeyExists)
}

func (l *Leases) start(key string, rev uint64, sent time.Time, note json.RawMessage) *Lease {
	ctx, cancel := context.WithCancelCause(context.Background())
	ls := &Lease{l: l, key: key, rev: rev, ctx: ctx, cancel: cancel, prevNote: note,
		stop: make(chan struct{}), done: make(chan struct{})}
	go ls.keep(sent.Add(l.ttl - l.margin()))
	l.log.Debug("lease acquired", "key", key)
	return ls
}

// ErrLeaseLost is the cause of a lease's Context when the lease was lost.
var ErrLeaseLost = errors.New("lease lost")

// errLeaseReleased is the cause of a lease's Context after Release.
var errLeaseReleased = errors.New("lease released")

// Lease is one held lease. Its Context ends when the lease is lost (a renewal found
// another holder, or no renewal succeeded before the lease could expire) or released.
type Lease struct {
	l        *Leases
	key      string
	ctx      context.Context
	cancel   context.CancelCauseFunc
	prevNote json.RawMessage

	mu  sync.Mutex
	rev uint64

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// Key is the leased key.
func (ls *Lease) Key() string { return ls.key }

// Context ends when the lease is lost or released; work done under the lease uses it.
func (ls *Lease) Context() context.Context { return ls.ctx }

// Lost reports whether the lease was lost (rather than released or still held).
func (ls *Lease) Lost() bool { return errors.Is(context.Cause(ls.ctx), ErrLeaseLost) }

// PreviousNote is what the previous holder left when it released the key (nil when it
// expired or was never held).
func (ls *Lease) PreviousNote() []byte { return ls.prevNote }

// keep renews the lease every renew interval (faster after a failed renewal) until it
// is released, another holder has it, or deadline passes without a renewal.
func (ls *Lease) keep(deadline time.Time) {
	defer close(ls.done)
	l := ls.l
	next := l.renew
	for {
		wait := time.NewTimer(next)
		expire := time.NewTimer(time.Until(deadline))
		select {
		case <-ls.stop:
			wait.Stop()
			expire.Stop()
			return
		case <-expire.C:
			wait.Stop()
			l.log.Warn("lease expired before it could be renewed; giving it up", "key", ls.key)
			ls.cancel(ErrLeaseLost)
			return
		case <-wait.C:
			expire.Stop()
		}
		sent := time.Now()
		val, _ := json.Marshal(leaseRecord{Holder: l.holder, Since: sent.UTC()})
		rctx, cancel := context.WithTimeout(context.Background(), time.Until(deadline))
		ls.mu.Lock()
		rev, err := l.kv.Update(rctx, ls.key, val, ls.rev)
		if err == nil {
			ls.rev = rev
		}
		ls.mu.Unlock()
		cancel()
		switch {
		case err == nil:
			deadline = sent.Add(l.ttl - l.margin())
			next = l.renew
		case isWrongRevision(err):
			l.log.Warn("lease taken by another holder; giving it up", "key", ls.key)
			ls.cancel(ErrLeaseLost)
			return
		default:
			l.log.Warn("lease renewal failed; retrying", "key", ls.key, "err", err)
			next = max(l.renew/4, 50*time.Millisecond)
		}
	}
}

// Release stops renewing and frees the key for the next holder, leaving note for it (nil:
// the key is deleted). A lease already lost is left alone. It is safe to call twice.
func (ls *Lease) Release(note []byte) {
	ls.stopOnce.Do(func() { close(ls.stop) })
	<-ls.done
	lost := ls.Lost()
	ls.cancel(errLeaseReleased)
	if lost {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.rev == 0 {
		return
	}
	var err error
	if note == nil {
		err = ls.l.kv.Delete(ctx, ls.key, jetstream.LastRevision(ls.rev))
	} else {
		val, _ := json.Marshal(leaseRecord{Note: note})
		_, err = ls.l.kv.Update(ctx, ls.key, val, ls.rev)
	}
	ls.rev = 0
	if err != nil && !isWrongRevision(err) {
		ls.l.log.Warn("releasing a lease failed; it expires by itself", "key", ls.key, "err", err)
		return
	}
	ls.l.log.Debug("lease released", "key", ls.key)
}

// HolderName returns a lease holder name for one replica of role in this process: the
// host name, the process id and random bytes, in the KV key alphabet.
func HolderName(role string) string {
	host, _ := os.Hostname()
	var b strings.Builder
	for _, r := range host {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	raw := make([]byte, 4)
	_, _ = rand.Read(raw)
	return fmt.Sprintf("%s-%s-%d-%s", role, b.String(), os.Getpid(), hex.EncodeToString(raw))
}
