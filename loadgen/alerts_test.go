package loadgen

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

func TestWatchlistNamesEveryWatchedPost(t *testing.T) {
	g := mustGen(t, "wl")
	var buf bytes.Buffer
	const upTo = 20000
	members, err := g.Watchlist(&buf, upTo)
	if err != nil {
		t.Fatal(err)
	}
	f, err := watchlist.ParseFile(&buf)
	if err != nil {
		t.Fatalf("the generated watchlist does not parse: %v", err)
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("the generated watchlist is invalid: %v", err)
	}
	org, ok := f.Org(ProtectedOrg)
	if !ok || len(org.Members) != members {
		t.Fatalf("org %s with %d members, want %d", ProtectedOrg, len(org.Members), members)
	}
	// 3% exposures, one in ten of them watched: about 60 of 20,000 posts.
	if members < 30 || members > 100 {
		t.Fatalf("%d watched posts in %d, want about 60", members, upTo)
	}
	watched := 0
	for n := range uint64(upTo) {
		p := g.Post(n)
		if !g.Watched(n) {
			if strings.Contains(p.Text, "@lgw") {
				t.Fatalf("post %d names a protected handle but is not watched: %q", n, p.Text)
			}
			continue
		}
		watched++
		if g.KindOf(n) != KindExposure || !strings.Contains(p.Text, "@"+g.handle(n)) {
			t.Fatalf("watched post %d does not name its member's handle: %q", n, p.Text)
		}
		if got, ok := g.memberN(g.MemberID(n)); !ok || got != n {
			t.Fatalf("memberN(MemberID(%d)) = %d, %v", n, got, ok)
		}
	}
	if watched != members {
		t.Fatalf("%d watched posts, %d members", watched, members)
	}
}

func TestCheckAlerts(t *testing.T) {
	g := mustGen(t, "ca")
	const posts = 5000
	ledger := NewLedger(posts)
	var watched []uint64
	for n := range uint64(posts) {
		if err := ledger.begin(n, g.KindOf(n), t0); err != nil {
			t.Fatal(err)
		}
		ledger.settle(n, n+1, false, t0.Add(time.Millisecond))
		if g.Watched(n) {
			watched = append(watched, n)
		}
	}
	if len(watched) < 4 {
		t.Fatalf("only %d watched posts", len(watched))
	}
	at := t0.Add(300 * time.Millisecond)
	good := func(n uint64) Delivery {
		return Delivery{ID: g.MemberID(n) + ".1.hook", Org: ProtectedOrg, Member: g.MemberID(n), Kind: "new", PostID: g.ID(n), At: at}
	}
	all := func() []Delivery {
		var ds []Delivery
		for _, n := range watched {
			ds = append(ds, good(n))
		}
		return ds
	}
	tests := []struct {
		name   string
		ds     func() []Delivery
		maxRe  int
		wantOK bool
		want   string
	}{
		{"every alert once", all, 0, true, ""},
		{"one lost", func() []Delivery { return all()[1:] }, 0, false, "without their alert (lost): 1"},
		{"a second alert id for one exposure", func() []Delivery {
			d := good(watched[0])
			d.ID = "other"
			return append(all(), d)
		}, 0, false, "more than once under different alert ids: 1"},
		{"a repeated receipt within the bound", func() []Delivery { return append(all(), good(watched[1])) }, 1, true, ""},
		{"a repeated receipt above the bound", func() []Delivery { return append(all(), good(watched[1])) }, 0, false, "repeated receipts"},
		{"an alert for an unknown member", func() []Delivery {
			return append(all(), Delivery{ID: "x", Org: ProtectedOrg, Member: "someone-else", Kind: "new"})
		}, 0, false, "alerts nobody expected: 1"},
		{"an alert for a post that is not watched", func() []Delivery {
			d := good(watched[0] + 1)
			return append(all(), d)
		}, 0, false, "alerts nobody expected: 1"},
		{"an update although every member is exposed once", func() []Delivery {
			ds := all()
			ds[0].Kind = "update"
			return ds
		}, 0, false, "wrong kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := CheckAlerts(g, ledger, tc.ds(), AlertCheckOptions{UpTo: posts, Channels: 1, MaxRedeliveries: tc.maxRe})
			if (rep.Err() == nil) != tc.wantOK {
				t.Fatalf("Err() = %v, want ok=%v (%s)", rep.Err(), tc.wantOK, rep)
			}
			if !tc.wantOK && !strings.Contains(rep.Err().Error(), tc.want) {
				t.Fatalf("Err() = %v, want it to mention %q", rep.Err(), tc.want)
			}
			if rep.Expected != len(watched) {
				t.Fatalf("expected %d, want %d", rep.Expected, len(watched))
			}
		})
	}
	if l := AlertedLatency(ledger.Snapshot()); l.N != len(watched) || l.P50 != 300*time.Millisecond {
		t.Fatalf("alerted latency %+v, want %d posts at 300ms", l, len(watched))
	}
}
