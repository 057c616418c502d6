package coordination

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
)

// The detector state's round trip through a real embedded JetStream object
// store: what is saved loads with the same clusters, the resume point is the margin
// before the save, and a state saved with other parameters is not used.
func TestCoordinationStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	bus := testenv.Bus(t)
	st, err := openState(ctx, bus.JS, 1, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	params := DefaultParams()
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := WithClock(func() time.Time { return base.Add(30 * 24 * time.Hour) })
	if det, _, _ := st.load(ctx, params, clock); det != nil {
		t.Fatal("state loaded from an empty bucket")
	}
	det, err := NewDetector(params, clock)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for burst := range 3 { // one burst a week
		for i, who := range []string{"a", "b", "c"} {
			n++
			text := fmt.Sprintf("кампания номер %d против активистов снова в деле обсуждение суда", burst)
			p := post.Post{ID: fmt.Sprintf("vk:%d", n), Source: "vk", Author: who, Text: text,
				PublishedAt: base.Add(time.Duration(burst)*7*24*time.Hour + time.Duration(i)*time.Minute)}
			if err := det.Observe(Observation{Post: p}); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := det.Flush(base.Add(15 * 24 * time.Hour))
	if len(before) != 1 {
		t.Fatalf("clusters before save: %+v", before)
	}
	saved := base.Add(15*24*time.Hour + time.Minute)
	if err := st.save(ctx, det, saved, 9); err != nil {
		t.Fatal(err)
	}
	got, resume, seq := st.load(ctx, params, clock)
	if got == nil {
		t.Fatal("saved state not loaded")
	}
	if seq != 9 {
		t.Fatalf("saved stream sequence %d, want 9", seq)
	}
	if want := saved.Add(-ReplayMargin(params) - params.Lateness); !resume.Equal(want) {
		t.Fatalf("resume from %v, want %v", resume, want)
	}
	after := got.FlushAll(base.Add(16 * 24 * time.Hour))
	if len(after) != 1 || after[0].ID != before[0].ID || after[0].Rhythm == nil || after[0].Rhythm.Bursts != 3 {
		t.Fatalf("after load: %+v, before: %+v", after, before)
	}
	other := params
	other.MinWeight = 4
	if det, _, _ := st.load(ctx, other, clock); det != nil {
		t.Fatal("state saved with other parameters was loaded")
	}
}
