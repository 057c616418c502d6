package coordination

import (
	"cmp"
	"slices"
)

// maxBandBucket caps the entries one LSH band bucket remembers: a phrase copied by
// thousands stays findable through its most recent copies without unbounded lists.
const maxBandBucket = 16

// maxCandidates caps the exact Jaccard verifications per text.
const maxCandidates = 64

// textEntry is one distinct text kept in the near-duplicate index for the text window.
type textEntry struct {
	group uint64   // text group (object) this text belongs to
	t     int64    // unix seconds of its latest use
	set   []uint64 // sorted distinct stemmed-token hashes, for verification
	keys  []uint64 // its band keys, to unlink it on expiry
}

// lshIndex is a MinHash-LSH index of recent texts (Broder's MinHash with b bands of r
// rows; a candidate shares at least one band and is verified with exact Jaccard).
type lshIndex struct {
	bands, rows int
	a, b        []uint64 // per-hash multipliers (odd) and offsets
	buckets     map[uint64][]uint32
	entries     map[uint32]*textEntry
	next        uint32
	sig         []uint64 // scratch signature
	seen        []uint32 // scratch candidate list
	// order holds entry ids in insertion order (event time, up to lateness), so expiry
	// pops old entries from the front instead of scanning the whole index.
	order []uint32
	front int
}

func newLSH(bands, rows int) *lshIndex {
	n := bands * rows
	ix := &lshIndex{bands: bands, rows: rows, a: make([]uint64, n), b: make([]uint64, n),
		buckets: map[uint64][]uint32{}, entries: map[uint32]*textEntry{}, sig: make([]uint64, n)}
	seed := uint64(0x6b757a6f74) // "kuzot": fixed, so band keys are reproducible
	for i := range n {
		seed += 0x9e3779b97f4a7c15
		ix.a[i] = mix64(seed) | 1
		seed += 0x9e3779b97f4a7c15
		ix.b[i] = mix64(seed)
	}
	return ix
}

// signature computes the MinHash signature of set into ix.sig and returns band keys.
func (ix *lshIndex) signature(set []uint64, keys []uint64) []uint64 {
	for i := range ix.sig {
		ix.sig[i] = ^uint64(0)
	}
	for _, x := range set {
		for i := range ix.sig {
			if v := ix.a[i]*x + ix.b[i]; v < ix.sig[i] {
				ix.sig[i] = v
			}
		}
	}
	keys = keys[:0]
	for band := 0; band < ix.bands; band++ {
		h := uint64(band+1) * 0x9e3779b97f4a7c15
		for _, v := range ix.sig[band*ix.rows : (band+1)*ix.rows] {
			h = mix64(h ^ v)
		}
		keys = append(keys, h)
	}
	return keys
}

// maxTextGroups caps the text groups one text joins (see matchAll).
const maxTextGroups = 3

// matchAll returns the distinct groups of the texts within window seconds of t whose
// Jaccard similarity with set is at least threshold, most similar first, at most
// maxTextGroups (dst is reused). Rewordings of one message are near duplicates of the
// original but not always of each other: two members' paraphrases can fall below the
// threshold and start two groups, and a later copy that resembles both joins both, so
// the members of either group pair with it instead of the message splitting in two.
func (ix *lshIndex) matchAll(set, keys []uint64, t, window int64, threshold float64, dst []groupSim) []groupSim {
	ix.seen = ix.seen[:0]
	dst = dst[:0]
	for _, k := range keys {
		for _, id := range ix.buckets[k] {
			if len(ix.seen) >= maxCandidates || containsID(ix.seen, id) {
				continue
			}
			ix.seen = append(ix.seen, id)
			e := ix.entries[id]
			if e == nil || abs64(e.t-t) > window {
				continue
			}
			s := jaccard(set, e.set)
			if s < threshold {
				continue
			}
			known := false
			for i := range dst {
				if dst[i].group == e.group {
					dst[i].sim = max(dst[i].sim, s)
					known = true
				}
			}
			if !known {
				dst = append(dst, groupSim{e.group, s})
			}
		}
	}
	slices.SortFunc(dst, func(a, b groupSim) int {
		return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.group, b.group))
	})
	if len(dst) > maxTextGroups {
		dst = dst[:maxTextGroups]
	}
	return dst
}

// groupSim is a text group and the best similarity of a text to it.
type groupSim struct {
	group uint64
	sim   float64
}

// add indexes a text under its group. set and keys are copied.
func (ix *lshIndex) add(group uint64, t int64, set, keys []uint64) {
	ix.next++
	id := ix.next
	e := &textEntry{group: group, t: t, set: append([]uint64(nil), set...), keys: append([]uint64(nil), keys...)}
	ix.entries[id] = e
	ix.order = append(ix.order, id)
	for _, k := range e.keys {
		l := ix.buckets[k]
		if len(l) >= maxBandBucket {
			copy(l, l[1:])
			l = l[:len(l)-1]
		}
		ix.buckets[k] = append(l, id)
	}
}

// expire drops texts last used before cutoff and unlinks them from their buckets. It
// walks the insertion order from the oldest entry and stops at the first one still in
// time; a late (older) text inserted after newer ones waits until those expire, which
// keeps it at most Lateness longer.
func (ix *lshIndex) expire(cutoff int64) {
	for ix.front < len(ix.order) {
		id := ix.order[ix.front]
		e := ix.entries[id]
		if e != nil && e.t >= cutoff {
			break
		}
		ix.front++
		if e == nil {
			continue
		}
		delete(ix.entries, id)
		for _, k := range e.keys {
			l := ix.buckets[k]
			out := l[:0]
			for _, x := range l {
				if x != id {
					out = append(out, x)
				}
			}
			if len(out) == 0 {
				delete(ix.buckets, k)
			} else {
				ix.buckets[k] = out
			}
		}
	}
	// Compact the queue once its consumed prefix dominates.
	if ix.front > 1024 && ix.front*2 > len(ix.order) {
		ix.order = append(ix.order[:0], ix.order[ix.front:]...)
		ix.front = 0
	}
}

func containsID(l []uint32, id uint32) bool {
	for _, x := range l {
		if x == id {
			return true
		}
	}
	return false
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
