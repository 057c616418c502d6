package loadgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Outcome is what the publisher learned about one post.
type Outcome uint8

// Outcomes of a publish. Only Acked and Duplicate are promises by JetStream that the post
// is in the stream; Indeterminate means it was sent but no answer came (it may or may
// not have been stored), so the checker allows it either way.
const (
	NotSent       Outcome = iota // never attempted: must not appear downstream
	Indeterminate                // attempted, no PubAck: may appear at most once
	Acked                        // non-duplicate PubAck: must appear exactly once
	Duplicate                    // PubAck with Duplicate set: an earlier attempt was stored
)

// String names the outcome for reports and the ledger file.
func (o Outcome) String() string {
	switch o {
	case NotSent:
		return "not_sent"
	case Indeterminate:
		return "indeterminate"
	case Acked:
		return "acked"
	case Duplicate:
		return "duplicate"
	}
	return fmt.Sprintf("outcome(%d)", o)
}

// Record is the ledger's entry for post n. Times are Unix nanoseconds (0 = not yet),
// kept small because a five-minute run at 5,000 posts/s holds 1.5 million of them.
type Record struct {
	Kind    Kind
	Outcome Outcome
	// Seq is the stream sequence from the PubAck (for a duplicate: the original's).
	Seq uint64
	// Published is the first publish attempt; AckedAt the PubAck; Stored the first
	// moment the store consumer's ack floor covered Seq (the store acks only after the
	// ClickHouse commit); Alerted the first delivery of the expected alert.
	Published, AckedAt, Stored, Alerted int64
}

// Ledger records every post of a run. It is safe for concurrent use.
type Ledger struct {
	mu   sync.Mutex
	recs []Record
}

// NewLedger returns an empty ledger sized for about n posts.
func NewLedger(n int) *Ledger { return &Ledger{recs: make([]Record, 0, max(n, 0))} }

// Len is how many posts were attempted (posts 0..Len-1).
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recs)
}

// begin records the first publish attempt of post n; posts are begun in order.
func (l *Ledger) begin(n uint64, k Kind, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n != uint64(len(l.recs)) {
		return fmt.Errorf("loadgen: ledger: post %d begun out of order (next is %d)", n, len(l.recs))
	}
	l.recs = append(l.recs, Record{Kind: k, Outcome: Indeterminate, Published: at.UnixNano()})
	return nil
}

// settle records the PubAck of post n.
func (l *Ledger) settle(n uint64, seq uint64, dup bool, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := &l.recs[n]
	r.Seq, r.AckedAt = seq, at.UnixNano()
	r.Outcome = Acked
	if dup {
		r.Outcome = Duplicate
	}
}

// alerted sets the first receipt of post n's expected alert.
func (l *Ledger) alerted(n uint64, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n < uint64(len(l.recs)) {
		l.recs[n].Alerted = at.UnixNano()
	}
}

// Get returns the record of post n.
func (l *Ledger) Get(n uint64) (Record, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n >= uint64(len(l.recs)) {
		return Record{}, false
	}
	return l.recs[n], true
}

// Snapshot copies every record.
func (l *Ledger) Snapshot() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.recs)
}

// Counts tallies outcomes.
func (l *Ledger) Counts() map[Outcome]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[Outcome]int{}
	for i := range l.recs {
		out[l.recs[i].Outcome]++
	}
	return out
}

// MaxSeq is the highest acknowledged stream sequence.
func (l *Ledger) MaxSeq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var m uint64
	for i := range l.recs {
		m = max(m, l.recs[i].Seq)
	}
	return m
}

// FloorSample is one observation of a consumer's ack floor.
type FloorSample struct {
	At    time.Time
	Floor uint64
}

// ApplyStored sets Stored for every acknowledged record from ack-floor samples: a post
// is stored at the first sample whose floor covers its sequence. Samples must be in time
// order; floors never go backwards.
func (l *Ledger) ApplyStored(samples []FloorSample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.recs {
		r := &l.recs[i]
		if r.Seq == 0 || r.Stored != 0 {
			continue
		}
		j, _ := slices.BinarySearchFunc(samples, r.Seq, func(s FloorSample, seq uint64) int {
			switch {
			case s.Floor < seq:
				return -1
			case s.Floor > seq:
				return 1
			}
			return 0
		})
		if j < len(samples) {
			r.Stored = max(samples[j].At.UnixNano(), r.AckedAt)
		}
	}
}

// ledgerLine is one line of a ledger file.
type ledgerLine struct {
	N         uint64 `json:"n"`
	Kind      string `json:"kind"`
	Outcome   string `json:"outcome"`
	Seq       uint64 `json:"seq,omitempty"`
	Published int64  `json:"published_ns"`
	AckedAt   int64  `json:"acked_ns,omitempty"`
	Stored    int64  `json:"stored_ns,omitempty"`
	Alerted   int64  `json:"alerted_ns,omitempty"`
}

// WriteTo writes the ledger as JSON lines (one object per post), so a run can be
// checked again later or by another tool.
func (l *Ledger) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	cw := &countWriter{w: bw}
	enc := json.NewEncoder(cw)
	for n, r := range l.Snapshot() {
		if err := enc.Encode(ledgerLine{N: uint64(n), Kind: r.Kind.String(), Outcome: r.Outcome.String(), Seq: r.Seq,
			Published: r.Published, AckedAt: r.AckedAt, Stored: r.Stored, Alerted: r.Alerted}); err != nil {
			return cw.n, fmt.Errorf("loadgen: write ledger: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("loadgen: write ledger: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// MaxLedgerLine bounds one line of a ledger file.
const MaxLedgerLine = 4096

// ReadLedger parses a ledger file written by WriteTo. Lines must be numbered 0, 1, 2...
// in order; anything else (malformed JSON, unknown kinds or outcomes, gaps) is an error
// naming the line.
func ReadLedger(r io.Reader) (*Ledger, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), MaxLedgerLine)
	l := NewLedger(0)
	line := 0
	for sc.Scan() {
		line++
		var ll ledgerLine
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ll); err != nil {
			return nil, fmt.Errorf("loadgen: ledger line %d: %w", line, err)
		}
		if ll.N != uint64(len(l.recs)) {
			return nil, fmt.Errorf("loadgen: ledger line %d: post %d out of order (want %d)", line, ll.N, len(l.recs))
		}
		k, ok := parseKind(ll.Kind)
		if !ok {
			return nil, fmt.Errorf("loadgen: ledger line %d: unknown kind %q", line, ll.Kind)
		}
		o, ok := parseOutcome(ll.Outcome)
		if !ok {
			return nil, fmt.Errorf("loadgen: ledger line %d: unknown outcome %q", line, ll.Outcome)
		}
		l.recs = append(l.recs, Record{Kind: k, Outcome: o, Seq: ll.Seq, Published: ll.Published, AckedAt: ll.AckedAt,
			Stored: ll.Stored, Alerted: ll.Alerted})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("loadgen: ledger line %d: longer than %d bytes: %w", line+1, MaxLedgerLine, err)
		}
		return nil, fmt.Errorf("loadgen: read ledger: %w", err)
	}
	return l, nil
}

func parseKind(s string) (Kind, bool) {
	for k := KindNeutral; k <= KindCoordinated; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

func parseOutcome(s string) (Outcome, bool) {
	for o := NotSent; o <= Duplicate; o++ {
		if o.String() == s {
			return o, true
		}
	}
	return 0, false
}
