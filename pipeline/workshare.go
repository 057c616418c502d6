package pipeline

import (
	"context"
	"encoding/base64"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kuzot/kuzot/internal/wait"
)

// WorkShare shares named units of work (collector sources) among the live replicas of
// one role through leases: a unit is worked on only under its lease, so never by two
// replicas at once. To spread the units, every replica announces itself with a
// membership lease (members.<group>.<holder>), and each unit has a preferred replica,
// the live member with the highest hash of (unit, member) (rendezvous hashing): the
// preferred replica takes a free unit at once, a holder that is not preferred hands it
// over between two polls (Yield), and any replica takes a unit nobody took for two
// checks in a row, so a unit never stays orphaned when the preferred replica cannot take
// it. When a replica dies its leases and membership expire after nats.leases.ttl, and the
// survivors take its units within two renew intervals more.
type WorkShare struct {
	leases *Leases
	group  string

	mu      sync.Mutex
	members []string
	member  *Lease
}

// NewWorkShare joins group as leases' holder and keeps the membership (and the member
// list) fresh until ctx ends; then it leaves the group.
func NewWorkShare(ctx context.Context, leases *Leases, group string) (*WorkShare, error) {
	w := &WorkShare{leases: leases, group: group}
	w.refresh(ctx)
	go func() {
		t := time.NewTicker(leases.Renew())
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				w.mu.Lock()
				m := w.member
				w.member = nil
				w.mu.Unlock()
				if m != nil {
					m.Release(nil)
				}
				return
			case <-t.C:
				w.refresh(ctx)
			}
		}
	}()
	return w, nil
}

func (w *WorkShare) memberKey(holder string) string { return "members." + w.group + "." + holder }

// UnitKey is the lease key of a unit of work of the group.
func (w *WorkShare) UnitKey(unit string) string {
	return "work." + w.group + "." + base64.RawURLEncoding.EncodeToString([]byte(unit))
}

// refresh (re)joins the group when the membership lease is missing or lost and reads
// the member list.
func (w *WorkShare) refresh(ctx context.Context) {
	w.mu.Lock()
	m := w.member
	w.mu.Unlock()
	if m == nil || m.Context().Err() != nil {
		nm, err := w.leases.TryAcquire(ctx, w.memberKey(w.leases.Holder()))
		if err != nil {
			w.leases.log.Warn("joining the replica group failed; retrying", "group", w.group, "err", err)
		} else if nm != nil {
			w.mu.Lock()
			w.member = nm
			w.mu.Unlock()
		}
	}
	keys, err := w.leases.Keys(ctx, "members."+w.group+".*")
	if err != nil {
		w.leases.log.Warn("listing the replica group failed", "group", w.group, "err", err)
		return
	}
	prefix := "members." + w.group + "."
	var members []string
	for _, k := range keys {
		members = append(members, strings.TrimPrefix(k, prefix))
	}
	slices.Sort(members)
	w.mu.Lock()
	w.members = members
	w.mu.Unlock()
}

// Members lists the live replicas of the group as last read.
func (w *WorkShare) Members() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.members)
}

// Preferred is the live member that should work on unit ("" when none is known).
func (w *WorkShare) Preferred(unit string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	best, bestScore := "", uint64(0)
	for _, m := range w.members {
		h := fnv.New64a()
		h.Write([]byte(unit))
		h.Write([]byte{0})
		h.Write([]byte(m))
		if s := h.Sum64(); best == "" || s > bestScore {
			best, bestScore = m, s
		}
	}
	return best
}

// Mine reports whether this replica is the preferred one for unit (also when the member
// list is not known yet, so that a lone replica works).
func (w *WorkShare) Mine(unit string) bool {
	p := w.Preferred(unit)
	return p == "" || p == w.leases.Holder()
}

// Acquire blocks until this replica holds the lease of unit, or ctx ends.
func (w *WorkShare) Acquire(ctx context.Context, unit string) (*Lease, error) {
	key := w.UnitKey(unit)
	freeBefore := false
	for {
		free := false
		if w.Mine(unit) || freeBefore {
			l, err := w.leases.TryAcquire(ctx, key)
			if err == nil && l != nil {
				return l, nil
			}
			if err != nil && ctx.Err() == nil {
				w.leases.log.Warn("taking a lease failed; retrying", "key", key, "err", err)
			}
		} else if h, err := w.leases.HolderOf(ctx, key); err == nil {
			free = h == ""
		}
		freeBefore = free
		if !wait.Sleep(ctx, w.leases.Renew()) {
			return nil, ctx.Err()
		}
	}
}
