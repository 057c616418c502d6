package main

import (
	"testing"
	"time"
)

func TestParseCount(t *testing.T) {
	cases := map[string]int{"20000": 20000, "20k": 20000, "300K": 300000, "1M": 1000000}
	for in, want := range cases {
		if got, err := parseCount(in); err != nil || got != want {
			t.Errorf("parseCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "k", "-5", "1.5M", "ten"} {
		if _, err := parseCount(bad); err == nil {
			t.Errorf("parseCount(%q) accepted", bad)
		}
	}
}

func TestMeasureSmallRuns(t *testing.T) {
	for _, mode := range []string{"detect", "naive"} {
		r, err := measure(mode, 3000, 3000)
		if err != nil {
			t.Fatal(err)
		}
		if r.Posts < 2500 || r.DetectS <= 0 || r.PeakMB <= 0 {
			t.Fatalf("%s: %+v", mode, r)
		}
	}
	if _, err := measure("quantum", 10, 10); err == nil {
		t.Fatal("unknown mode accepted")
	}
}

func TestMeasureMonthSmall(t *testing.T) {
	r, err := measureMonth(20000, 1, monthOptions{restart: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Posts != 20000 || r.StateMB <= 0 || r.SavedMB <= 0 || !r.SameAfter || r.Replayed == 0 || r.Continued < 5000 ||
		r.Report.All.Networks != 60 || r.Final == 0 || r.Horizon != "720h0m0s" {
		t.Fatalf("%+v", r)
	}
	if r.Continued+r.Replayed >= r.Posts {
		t.Fatalf("the restart replayed %d and continued with %d of %d posts: not a short tail", r.Replayed, r.Continued, r.Posts)
	}
	short, err := measureMonth(20000, 1, monthOptions{horizon: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if short.Horizon != "24h0m0s" || short.Replayed != 0 {
		t.Fatalf("%+v", short)
	}
	if _, err := measureMonth(1000, 1, monthOptions{organic: true, ablate: "nonsense"}); err == nil {
		t.Fatal("unknown ablation accepted")
	}
}
