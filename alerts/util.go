package alerts

import (
	"slices"
	"sort"
)

func sortStrings(s []string) { sort.Strings(s) }

func containsSorted(s []string, v string) bool {
	_, ok := slices.BinarySearch(s, v)
	return ok
}

// addSorted inserts v into the sorted set s and reports whether it was new.
func addSorted(s []string, v string) ([]string, bool) {
	i, ok := slices.BinarySearch(s, v)
	if ok {
		return s, false
	}
	return slices.Insert(s, i, v), true
}
