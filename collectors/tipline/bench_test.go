package tipline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kuzot/kuzot/collectors"
)

// BenchmarkSubmitFullIndex measures one text tip's near-duplicate search and merge with
// the state holding the maximum number of live campaigns (maxCampaigns).
func BenchmarkSubmitFullIndex(b *testing.B) {
	cfg := Config{NearDuplicate: 0.6, BurstWindow: 6 * time.Hour, BurstMin: 3, KeepFor: 365 * 24 * time.Hour}
	st := collectors.NewMemoryState()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	idx := &nearIndex{}
	for i := range maxCampaigns {
		text := fmt.Sprintf("кампания номер %d слово%d другое%d третье%d про выборы и партию %d", i, i*7, i*13, i*17, i)
		idx.touch(fmt.Sprintf("%016x", i), Words(text), t0)
	}
	if err := collectors.SaveJSON(ctx, st, indexKey, idx); err != nil {
		b.Fatal(err)
	}
	// poll: a poll with one tip (the index is read from the state once per poll).
	b.Run("poll", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			in := newIntake(st, &cfg)
			tip := Tip{Kind: KindSMS, Text: smsVariants[i%3], At: t0.Add(time.Duration(i) * time.Second)}
			if _, _, err := in.submit(ctx, tip, "org-a", fmt.Sprintf("%032x", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	// tip: each further tip of a poll (the near-duplicate search over every campaign).
	b.Run("tip", func(b *testing.B) {
		in := newIntake(st, &cfg)
		for i := 0; b.Loop(); i++ {
			tip := Tip{Kind: KindSMS, Text: smsVariants[i%3], At: t0.Add(time.Duration(i) * time.Second)}
			if _, _, err := in.submit(ctx, tip, "org-a", fmt.Sprintf("%032x", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
