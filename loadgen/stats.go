package loadgen

import (
	"slices"
	"time"
)

// Latency summarises one latency distribution.
type Latency struct {
	// N is how many posts have both ends of the interval.
	N             int
	P50, P99, Max time.Duration
}

// StoredLatency is publish (first attempt) to stored, over the posts that have both.
func StoredLatency(recs []Record) Latency {
	return latency(recs, func(r *Record) int64 { return r.Stored })
}

// AlertedLatency is publish to the first delivery of the expected alert.
func AlertedLatency(recs []Record) Latency {
	return latency(recs, func(r *Record) int64 { return r.Alerted })
}

// AckLatency is publish to PubAck.
func AckLatency(recs []Record) Latency {
	return latency(recs, func(r *Record) int64 { return r.AckedAt })
}

func latency(recs []Record, end func(*Record) int64) Latency {
	ds := make([]time.Duration, 0, len(recs))
	for i := range recs {
		if e := end(&recs[i]); e != 0 && recs[i].Published != 0 {
			ds = append(ds, time.Duration(e-recs[i].Published))
		}
	}
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return Latency{N: len(ds), P50: q(0.50), P99: q(0.99), Max: ds[len(ds)-1]}
}
