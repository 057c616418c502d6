package collectors

import (
	"testing"
	"time"
)

func TestRefreshesBackOff(t *testing.T) {
	pub := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	r := Refreshes{}
	age := 7 * 24 * time.Hour
	if r.Due("a", pub, pub.Add(time.Hour), age, Counters{Views: 5}) {
		t.Fatal("a post never published is not a refresh")
	}
	r.Mark("a", pub, pub.Add(time.Hour), age, Counters{Views: 5})
	for _, tc := range []struct {
		at   time.Duration
		n    Counters
		want bool
	}{
		{time.Hour + 2*time.Minute, Counters{Views: 9}, false}, // back-off of a 1h post: 6 min
		{time.Hour + 7*time.Minute, Counters{Views: 5}, false}, // unchanged
		{time.Hour + 7*time.Minute, Counters{Views: 9}, true},
		{8 * 24 * time.Hour, Counters{Views: 90}, false}, // too old
	} {
		if got := r.Due("a", pub, pub.Add(tc.at), age, tc.n); got != tc.want {
			t.Errorf("at %v %+v: due %v", tc.at, tc.n, got)
		}
	}
	for _, tc := range []struct{ age, want time.Duration }{
		{0, 5 * time.Minute}, {time.Hour, 6 * time.Minute}, {24 * time.Hour, 144 * time.Minute}, {30 * 24 * time.Hour, 24 * time.Hour},
	} {
		if got := RefreshInterval(tc.age); got != tc.want {
			t.Errorf("interval(%v) = %v", tc.age, got)
		}
	}
	r.Prune(pub.Add(8*24*time.Hour), age)
	if len(r) != 0 {
		t.Errorf("prune kept %v", r)
	}
}
