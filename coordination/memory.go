package coordination

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Long memory (issue 21): pair weights and account signals live for Horizon (30 days by
// default), bounded by MaxPairs, and the state can be saved and loaded so that a restart
// resumes from it plus a replay of ReplayMargin instead of a month of posts.

// slotSeconds is the resolution of the burst timeline; maxSlots caps an account's slots.
const (
	slotSeconds = 600
	maxSlots    = 512
)

// edgeSweepEvery is the event-time interval between sweeps of expired pairs and
// accounts: an eighth of the horizon, at most a day.
func (d *Detector) edgeSweepEvery() int64 { return max(min(d.horizon/8, 86400), 1) }

// noteSlot records that an account co-acted at t.
func noteSlot(a *account, t int64) {
	s := uint32(max(t, 0) / slotSeconds)
	i, found := slices.BinarySearch(a.slots, s)
	if found {
		return
	}
	a.slots = slices.Insert(a.slots, i, s)
	if len(a.slots) > maxSlots {
		a.slots = slices.Delete(a.slots, 0, len(a.slots)-maxSlots)
	}
}

// trimSlots drops slots older than cut.
func trimSlots(a *account, cut int64) {
	c := uint32(max(cut, 0) / slotSeconds)
	i, _ := slices.BinarySearch(a.slots, c)
	if i > 0 {
		a.slots = slices.Delete(a.slots, 0, i)
	}
	if len(a.slots) == 0 {
		a.slots = nil
	}
}

// prune removes weak pairs (below MinWeight, not strong), lightest and least recently
// active first, until 7/8 of MaxPairs remain. A pair of weight w needs MinWeight-w more
// distinct co-actions to matter; the lightest and stalest are the least likely to get
// them. Cost: one pass and a sort of the weak pairs per MaxPairs/8 new pairs.
func (d *Detector) prune() {
	target := d.p.MaxPairs - d.p.MaxPairs/8
	type cand struct {
		key    uint64
		weight uint32
		last   int64
	}
	var weak []cand
	for k, e := range d.edges {
		if !e.strong && int(e.weight) < d.p.MinWeight {
			weak = append(weak, cand{k, e.weight, e.last})
		}
	}
	slices.SortFunc(weak, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.weight, b.weight), cmp.Compare(a.last, b.last), cmp.Compare(a.key, b.key))
	})
	n := min(len(d.edges)-target, len(weak))
	for _, c := range weak[:max(n, 0)] {
		delete(d.edges, c.key)
	}
	d.stats.PrunedEdges += int64(max(n, 0))
	d.rebuildTies()
}

// rebuildTies rebuilds the partner lists from the pairs kept.
func (d *Detector) rebuildTies() {
	clear(d.ties)
	for k := range d.edges {
		x, y := uint32(k>>32), uint32(k)
		d.ties[x] = append(d.ties[x], y)
		d.ties[y] = append(d.ties[y], x)
	}
}

// ReplayMargin is how far before a saved state's time a restarted detector must replay
// posts: the longer co-action window plus lateness, which rebuilds the window state
// (objects, texts) that Save does not keep. Pairs already counted are not counted
// twice (a pair remembers its recent objects).
func ReplayMargin(p Params) time.Duration { return max(p.Window, p.textWindow()) + p.Lateness }

// stateVersion is the format of Save.
const stateVersion = 1

// ErrState marks a saved state that cannot be loaded (corrupt, another format).
var ErrState = errors.New("coordination: unusable saved state")

type savedPost struct {
	ID     string
	T      int64
	Obj    uint64
	Frames []string
}

type savedAccount struct {
	ID                      uint32
	Name                    string
	Posts, DupPosts, Capped int
	Coacts                  float64
	CoactsT, First, Last    int64
	GapN                    int
	GapMean, GapM2          float64
	Created                 int64
	Ring                    []savedPost
	Slots                   []uint32
	Cluster                 string
}

type savedEdge struct {
	Key         uint64
	Weight      uint32
	Bits        uint8
	Strong      bool
	N           uint8
	First, Last int64
	Objs        [4]uint64
}

type savedObj struct {
	Key     uint64
	Kind    uint8
	Display string
	Hot     bool
	Last    int64
}

type savedHeader struct {
	Version     int
	Params      []byte
	Watermark   int64
	LastVersion uint64
	NextID      uint32
	Stats       Stats
	Accounts    int
	Edges       int
	Objs        int
}

// Save writes the long-lived state — accounts, pairs, evidence objects, cluster ids —
// gzip-compressed, for Load. The window state (the last ReplayMargin of objects and
// texts) is not saved: replay those posts after Load. Call it on a ticker; it holds
// the detector's lock while encoding.
func (d *Detector) Save(w io.Writer) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return fmt.Errorf("coordination save: %w", err)
	}
	bw := bufio.NewWriterSize(zw, 1<<16)
	enc := gob.NewEncoder(bw)
	params, err := d.p.MarshalJSON()
	if err != nil {
		return fmt.Errorf("coordination save: %w", err)
	}
	h := savedHeader{Version: stateVersion, Params: params, Watermark: d.watermark, LastVersion: d.lastVersion,
		NextID: d.nextID, Stats: d.stats, Accounts: len(d.acct), Edges: len(d.edges), Objs: len(d.objs)}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("coordination save: header: %w", err)
	}
	// Records are written in chunks so that neither side holds a second copy of the
	// whole state.
	const chunk = 4096
	ids := make([]uint32, 0, len(d.acct))
	for id := range d.acct {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	accts := make([]savedAccount, 0, chunk)
	for i, id := range ids {
		a := d.acct[id]
		ring := make([]savedPost, len(a.ring))
		for j, p := range a.ring {
			ring[j] = savedPost{ID: p.id, T: p.t, Obj: p.obj, Frames: p.frames}
		}
		if a.head != 0 { // oldest first
			ring = slices.Concat(ring[a.head:], ring[:a.head])
		}
		accts = append(accts, savedAccount{ID: id, Name: a.name, Posts: a.posts, DupPosts: a.dupPosts, Capped: a.capped,
			Coacts: a.coacts, CoactsT: a.coactsT, First: a.first, Last: a.last, GapN: a.gapN, GapMean: a.gapMean, GapM2: a.gapM2,
			Created: a.created, Ring: ring, Slots: a.slots, Cluster: d.cluster[id]})
		if len(accts) == chunk || i == len(ids)-1 {
			if err := enc.Encode(accts); err != nil {
				return fmt.Errorf("coordination save: accounts: %w", err)
			}
			accts = accts[:0]
		}
	}
	edges := make([]savedEdge, 0, chunk)
	flushEdges := func() error {
		if len(edges) == 0 {
			return nil
		}
		err := enc.Encode(edges)
		edges = edges[:0]
		return err
	}
	for k, e := range d.edges {
		edges = append(edges, savedEdge{Key: k, Weight: e.weight, Bits: e.bits, Strong: e.strong, N: e.n, First: e.first, Last: e.last, Objs: e.objs})
		if len(edges) == chunk {
			if err := flushEdges(); err != nil {
				return fmt.Errorf("coordination save: pairs: %w", err)
			}
		}
	}
	if err := flushEdges(); err != nil {
		return fmt.Errorf("coordination save: pairs: %w", err)
	}
	objs := make([]savedObj, 0, chunk)
	n := 0
	for k, o := range d.objs {
		objs = append(objs, savedObj{Key: k, Kind: uint8(o.kind), Display: o.display, Hot: o.hot, Last: o.last})
		n++
		if len(objs) == chunk || n == len(d.objs) {
			if err := enc.Encode(objs); err != nil {
				return fmt.Errorf("coordination save: objects: %w", err)
			}
			objs = objs[:0]
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("coordination save: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("coordination save: %w", err)
	}
	return nil
}

// Load reads a state written by Save into a new detector with the saved parameters.
// Replay the posts from ReplayMargin before the save onwards: posts older than the
// saved watermark minus the margin cannot be paired and should not be replayed.
// Clusters keep their ids; the first Flush after the replay reports the clusters the
// replay touched (FlushAll reports all).
func Load(r io.Reader, opts ...Option) (*Detector, error) {
	zr, err := gzip.NewReader(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	defer zr.Close()
	dec := gob.NewDecoder(zr)
	var h savedHeader
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrState, err)
	}
	if h.Version != stateVersion {
		return nil, fmt.Errorf("%w: format %d, want %d", ErrState, h.Version, stateVersion)
	}
	var p Params
	if err := p.UnmarshalJSON(h.Params); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	d, err := NewDetector(p, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrState, err)
	}
	d.watermark, d.lastVersion, d.nextID, d.stats = h.Watermark, h.LastVersion, h.NextID, h.Stats
	// Event time restarts with the first replayed post (which is older than the saved
	// watermark), so the replay is not rejected as late.
	d.started = false
	for len(d.acct) < h.Accounts {
		var chunk []savedAccount
		if err := dec.Decode(&chunk); err != nil {
			return nil, fmt.Errorf("%w: accounts: %w", ErrState, err)
		}
		for _, s := range chunk {
			a := &account{name: s.Name, posts: s.Posts, dupPosts: s.DupPosts, capped: s.Capped, coacts: s.Coacts,
				coactsT: s.CoactsT, first: s.First, last: s.Last, gapN: s.GapN, gapMean: s.GapMean, gapM2: s.GapM2,
				created: s.Created, slots: s.Slots}
			for _, p := range s.Ring {
				a.ring = append(a.ring, coPost{id: p.ID, t: p.T, obj: p.Obj, frames: p.Frames})
			}
			if len(a.ring) == ringSize {
				a.head = 0
			}
			d.acct[s.ID] = a
			d.names[s.Name] = s.ID
			if s.Cluster != "" {
				d.cluster[s.ID] = s.Cluster
			}
		}
		if len(chunk) == 0 {
			return nil, fmt.Errorf("%w: empty account chunk", ErrState)
		}
	}
	for len(d.edges) < h.Edges {
		var chunk []savedEdge
		if err := dec.Decode(&chunk); err != nil {
			return nil, fmt.Errorf("%w: pairs: %w", ErrState, err)
		}
		for _, s := range chunk {
			d.edges[s.Key] = edge{weight: s.Weight, bits: s.Bits, strong: s.Strong, n: s.N, first: s.First, last: s.Last, objs: s.Objs}
			if s.Strong {
				x, y := uint32(s.Key>>32), uint32(s.Key)
				d.strong[x] = append(d.strong[x], y)
				d.strong[y] = append(d.strong[y], x)
			}
		}
		if len(chunk) == 0 {
			return nil, fmt.Errorf("%w: empty pair chunk", ErrState)
		}
	}
	for len(d.objs) < h.Objs {
		var chunk []savedObj
		if err := dec.Decode(&chunk); err != nil {
			return nil, fmt.Errorf("%w: objects: %w", ErrState, err)
		}
		for _, s := range chunk {
			d.objs[s.Key] = &objInfo{kind: objKind(s.Kind), display: s.Display, hot: s.Hot, last: s.Last}
		}
		if len(chunk) == 0 {
			return nil, fmt.Errorf("%w: empty object chunk", ErrState)
		}
	}
	for _, l := range d.strong { // adjacency order does not depend on map order
		slices.Sort(l)
	}
	d.rebuildTies()
	for _, l := range d.ties {
		slices.Sort(l)
	}
	return d, nil
}

// FlushAll is Flush over every account in a strong pair, not only those changed since
// the last Flush: it reports all current clusters (after a Load, or for a full export).
func (d *Detector) FlushAll(now time.Time) []Cluster {
	d.mu.Lock()
	for id := range d.strong {
		d.dirty[id] = struct{}{}
	}
	d.mu.Unlock()
	return d.Flush(now)
}
