package readmodel

import (
	"testing"
	"time"
)

func TestDaysOf(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from, to string
		want     Days
	}{
		// Whole days: the end day is excluded.
		{"2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z", Days{"2026-03-01", "2026-03-08"}},
		// A period ending within a day includes that day.
		{"2026-03-01T10:00:00Z", "2026-03-08T10:00:00Z", Days{"2026-03-01", "2026-03-09"}},
		// Dates are UTC dates.
		{"2026-03-01T01:00:00+06:00", "2026-03-02T06:00:00+06:00", Days{"2026-02-28", "2026-03-02"}},
	} {
		if got := DaysOf(d(c.from), d(c.to)); got != c.want {
			t.Errorf("DaysOf(%s, %s) = %+v, want %+v", c.from, c.to, got, c.want)
		}
	}
}

func TestBucketExpr(t *testing.T) {
	for b, want := range map[Bucket]string{Day: "toDate(x)", Week: "toMonday(x)", Month: "toStartOfMonth(x)", "": "toDate(x)"} {
		if got := b.expr("x"); got != want {
			t.Errorf("Bucket(%q).expr = %q, want %q", b, got, want)
		}
	}
}

func TestIdentifier(t *testing.T) {
	// Only names NewFlagged makes pass: they are spliced into SQL.
	good := "tmp_report_1700000000_0123456789abcdef"
	bad := []string{"", "tmp_report_1; DROP TABLE posts", "Tmp_report", "tmp-report"}
	if !identifier(good) {
		t.Errorf("identifier(%q) = false", good)
	}
	for _, name := range bad {
		if identifier(name) {
			t.Errorf("identifier(%q) = true", name)
		}
	}
}
