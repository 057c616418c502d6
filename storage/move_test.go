package storage

import "testing"

func TestMoveTablesCopyEveryShardedTableButTheDerivedOnes(t *testing.T) {
	got := MoveTables()
	if len(got) < 3 || got[0] != "posts" || got[1] != "classifications" || got[2] != "exposures" {
		t.Fatalf("copy order %v: posts, classifications, exposures first", got)
	}
	seen := map[string]bool{}
	for _, table := range got {
		if seen[table] {
			t.Errorf("%s copied twice", table)
		}
		seen[table] = true
	}
	for table := range ShardingKeys {
		want := table != "narrative_daily" && table != "schema_migrations"
		if seen[table] != want {
			t.Errorf("%s copied: %v, want %v", table, seen[table], want)
		}
	}
	for _, key := range []string{"toYYYYMM(published_at)", "toYYYYMM(at)"} {
		if !monthKeyRe.MatchString(key) {
			t.Errorf("partition key %s not recognised", key)
		}
	}
	if monthKeyRe.MatchString("toYYYYMM(x); DROP TABLE y") || monthKeyRe.MatchString("toMonday(day)") {
		t.Error("partition key pattern too loose")
	}
}
