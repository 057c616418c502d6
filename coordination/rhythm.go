package coordination

import (
	"slices"
	"strings"
	"time"
)

// Rhythm labels of a cluster (Rhythm.Kind).
const (
	RhythmOneOff = "one-off" // a single burst: a pile-on
	RhythmHourly = "hourly"  // bursts hours apart (median gap under 6 h)
	RhythmDaily  = "daily"   // median gap under 3 days
	RhythmWeekly = "weekly"  // bursts days apart: a standing network
)

// burstGapSlots is the silence (in 10-minute slots) that separates two bursts, and
// maxTimeline the bursts a cluster reports (the most recent).
const (
	burstGapSlots = 3
	maxTimeline   = 64
)

// Rhythm says when a cluster acts: its bursts of co-actions (10-minute slots in which
// two or more of its accounts co-acted, joined across gaps under 30 minutes) over the
// horizon. A network seen once a week for four weeks and one seen four times in an hour
// are equally coordinated; the rhythm tells a standing network from a one-off pile-on.
type Rhythm struct {
	Kind  string    `json:"kind"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Bursts is the number of bursts; MedianGap the median time between the starts of
	// consecutive bursts, in seconds (0 with one burst).
	Bursts       int     `json:"bursts"`
	MedianGapSec int64   `json:"median_gap_s"`
	Timeline     []Burst `json:"timeline"`
}

// Burst is one burst of a cluster: its span and how many of its accounts co-acted.
type Burst struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Accounts int       `json:"accounts"`
}

// rhythmOf computes the rhythm of a component from its accounts' slots.
func (d *Detector) rhythmOf(comp []uint32) *Rhythm {
	count := map[uint32]int{}
	for _, m := range comp {
		for _, s := range d.acct[m].slots {
			count[s]++
		}
	}
	slots := make([]uint32, 0, len(count))
	for s, n := range count {
		if n >= 2 {
			slots = append(slots, s)
		}
	}
	if len(slots) == 0 {
		return nil
	}
	slices.Sort(slots)
	var bursts []Burst
	start, prev, peak := slots[0], slots[0], count[slots[0]]
	emit := func() {
		bursts = append(bursts, Burst{Start: time.Unix(int64(start)*slotSeconds, 0).UTC(),
			End: time.Unix(int64(prev+1)*slotSeconds, 0).UTC(), Accounts: peak})
	}
	for _, s := range slots[1:] {
		if s-prev > burstGapSlots {
			emit()
			start, peak = s, 0
		}
		prev, peak = s, max(peak, count[s])
	}
	emit()
	r := &Rhythm{First: bursts[0].Start, Last: bursts[len(bursts)-1].End, Bursts: len(bursts)}
	if len(bursts) > 1 {
		gaps := make([]int64, len(bursts)-1)
		for i := 1; i < len(bursts); i++ {
			gaps[i-1] = int64(bursts[i].Start.Sub(bursts[i-1].Start) / time.Second)
		}
		slices.Sort(gaps)
		r.MedianGapSec = gaps[len(gaps)/2]
		if len(gaps)%2 == 0 {
			r.MedianGapSec = (gaps[len(gaps)/2-1] + gaps[len(gaps)/2]) / 2
		}
	}
	switch g := time.Duration(r.MedianGapSec) * time.Second; {
	case r.Bursts == 1:
		r.Kind = RhythmOneOff
	case g < 6*time.Hour:
		r.Kind = RhythmHourly
	case g < 72*time.Hour:
		r.Kind = RhythmDaily
	default:
		r.Kind = RhythmWeekly
	}
	if len(bursts) > maxTimeline {
		bursts = bursts[len(bursts)-maxTimeline:]
	}
	r.Timeline = bursts
	return r
}

// platformsOf returns the distinct sources of accounts named "<source>:<author>".
func platformsOf(accounts []string) []string {
	var out []string
	for _, a := range accounts {
		src, _, ok := strings.Cut(a, ":")
		if !ok || src == "" {
			continue
		}
		if !slices.Contains(out, src) {
			out = append(out, src)
		}
	}
	slices.Sort(out)
	return out
}
