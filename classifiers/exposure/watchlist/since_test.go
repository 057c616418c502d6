package watchlist

import (
	"context"
	"testing"
	"time"
)

// TestRegistrationTimesSurviveReimport: a member keeps the time it was first registered
// when its org's list is imported again, a new member gets the import's time, and the
// index reports it with every match (the alert role ignores older posts).
func TestRegistrationTimesSurviveReimport(t *testing.T) {
	h, err := NewHasher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	store := NewFileStore(t.TempDir())
	ctx := context.Background()
	t1 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(30 * 24 * time.Hour)
	first := &Org{ID: "org-x", Members: []Member{{ID: "m-1", Phones: []string{"+996 555 123 456"}}}}
	second := &Org{ID: "org-x", Members: []Member{
		{ID: "m-1", Phones: []string{"+996 555 123 456"}},
		{ID: "m-2", Handles: []string{"@invented_member_two"}},
	}}
	for _, step := range []struct {
		org  *Org
		at   time.Time
		want map[string]int64
	}{
		{first, t1, map[string]int64{"m-1": t1.Unix()}},
		{second, t2, map[string]int64{"m-1": t1.Unix(), "m-2": t2.Unix()}},
	} {
		l, err := Build(step.org, h)
		if err != nil {
			t.Fatal(err)
		}
		stored, err := store.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var prev *HashedList
		if len(stored) == 1 {
			prev = stored[0]
		}
		l.CarrySince(prev, step.at)
		if err := store.Put(ctx, l); err != nil {
			t.Fatal(err)
		}
		for i, m := range l.Members {
			if l.Since[i] != step.want[m] {
				t.Fatalf("import at %v: member %s since %d, want %d", step.at, m, l.Since[i], step.want[m])
			}
		}
	}
	lists, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(h, lists)
	if err != nil {
		t.Fatal(err)
	}
	phone, _ := CanonPhone("+996 555 123 456")
	if refs := ix.MatchIdent(KindPhone, phone); len(refs) != 1 || refs[0].Since != t1.Unix() {
		t.Fatalf("phone match %+v, want m-1 registered at %v", refs, t1)
	}
	if refs := ix.MatchIdent(KindHandle, CanonHandle("@invented_member_two")); len(refs) != 1 || refs[0].Since != t2.Unix() {
		t.Fatalf("handle match %+v, want m-2 registered at %v", refs, t2)
	}
	bad := *lists[0]
	bad.Since = []int64{1}
	if err := bad.Validate(); err == nil {
		t.Fatal("a list with fewer registration times than members validated")
	}
}
