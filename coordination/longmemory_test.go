package coordination

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A reworded copy that resembles two rewordings which are not near duplicates of each
// other pairs with the authors of both, and counts once per partner.
func TestRewordedCopyBridgesTextGroups(t *testing.T) {
	d := newTestDetector(t, nil)
	common := "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november"
	a := common + " oscar papa quebec romeo"
	b := common + " sierra tango uniform victor"
	c := common + " oscar papa sierra tango"
	if s := jaccardOf(a, b); s >= 0.7 {
		t.Fatalf("test texts a, b too similar: %.2f", s)
	}
	observe(t, d, obs("u1", 0, a, ""), obs("u2", time.Minute, b, ""), obs("u3", 2*time.Minute, c, ""))
	if edgeWeight(d, "u1", "u2") != 0 {
		t.Fatal("a and b paired although below the similarity threshold")
	}
	if edgeWeight(d, "u3", "u1") != 1 || edgeWeight(d, "u3", "u2") != 1 {
		t.Fatalf("bridging copy: weights %d (u1) and %d (u2), want 1 and 1", edgeWeight(d, "u3", "u1"), edgeWeight(d, "u3", "u2"))
	}
	// A fourth copy in both groups counts once with a partner that is in both too.
	observe(t, d, obs("u4", 3*time.Minute, c, ""))
	if w := edgeWeight(d, "u4", "u3"); w != 1 {
		t.Fatalf("copy in two groups counted %d times with one partner", w)
	}
}

func jaccardOf(a, b string) float64 {
	return jaccard(tokenize(a, nil, nil).set, tokenize(b, nil, nil).set)
}

// A member who took part in three strikes of a weekly network with one message each,
// meeting each core member at most twice, joins the cluster as periphery; a busy account that also met them but
// acts mostly elsewhere does not.
func TestPeripheryJoinsPartialMember(t *testing.T) {
	d := newTestDetector(t, nil)
	core := []string{"c1", "c2", "c3", "c4"}
	week := 7 * 24 * time.Hour
	for strike := range 3 {
		at := time.Duration(strike) * week
		for i, who := range core {
			observe(t, d, obs(who, at+time.Duration(i)*time.Minute, "", "target/"+string(rune('a'+strike))))
		}
		// The partial member: one message in each strike, each shared with only part
		// of the core, so it never meets one core member MinWeight times.
		switch strike {
		case 0:
			observe(t, d, obs("late", at+5*time.Minute, "", "target/a"))
		case 1:
			observe(t, d, obs("late", at+6*time.Minute, "", "second/b"), obs("c3", at+7*time.Minute, "", "second/b"),
				obs("c4", at+8*time.Minute, "", "second/b"))
		case 2:
			observe(t, d, obs("late", at+6*time.Minute, "", "second/c"), obs("c1", at+7*time.Minute, "", "second/c"),
				obs("c2", at+8*time.Minute, "", "second/c"))
		}
		// The busy account meets the core in two strikes and many others every hour.
		if strike < 2 {
			observe(t, d, obs("busy", at+3*time.Minute, "", "target/"+string(rune('a'+strike))))
		}
		for h := range 20 {
			tgt := "news/" + string(rune('a'+strike)) + string(rune('a'+h))
			observe(t, d, obs("busy", at+time.Duration(h+1)*time.Hour, "", tgt))
			observe(t, d, obs("other"+string(rune('a'+strike))+string(rune('a'+h)), at+time.Duration(h+1)*time.Hour+time.Minute, "", tgt))
		}
	}
	for _, who := range core {
		if edgeWeight(d, "late", who) >= d.p.MinWeight {
			t.Fatalf("late has a strong pair with %s: the test needs a partial member", who)
		}
	}
	cs := d.FlushAll(t0.Add(3 * week))
	if len(cs) != 1 {
		t.Fatalf("%d clusters, want 1: %+v", len(cs), cs)
	}
	got := strings.Join(cs[0].Accounts, ",")
	if !slices.Contains(cs[0].Accounts, "vk:late") {
		t.Errorf("partial member not in the cluster: %s", got)
	}
	if slices.Contains(cs[0].Accounts, "vk:busy") {
		t.Errorf("busy account joined the cluster: %s", got)
	}
}

// Rebuild refills the window state without counting: a rebuilt post pairs with a later
// observed one, and counters and pairs of the rebuilt posts are not added again.
func TestRebuildDoesNotCountTwice(t *testing.T) {
	d := newTestDetector(t, nil)
	a, b := obs("r1", 0, "", "target/x"), obs("r2", time.Minute, "", "target/x")
	for _, o := range []Observation{a, b} {
		if err := d.Rebuild(o); err != nil {
			t.Fatal(err)
		}
	}
	if st := d.Stats(); st.Posts != 0 || st.Pairs != 0 || edgeWeight(d, "r1", "r2") != 0 {
		t.Fatalf("rebuilt posts counted: %+v", st)
	}
	observe(t, d, obs("r3", 2*time.Minute, "", "target/x"))
	if edgeWeight(d, "r3", "r1") != 1 || edgeWeight(d, "r3", "r2") != 1 {
		t.Fatalf("observed post did not pair with the rebuilt ones: %d %d", edgeWeight(d, "r3", "r1"), edgeWeight(d, "r3", "r2"))
	}
	if st := d.Stats(); st.Posts != 1 || st.Pairs != 2 {
		t.Fatalf("stats after one observed post: %+v", st)
	}
}
