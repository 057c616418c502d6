package all

import (
	"os"
	"slices"
	"testing"
)

// TestEveryClassifierFolderIsRegistered: the tree says what a classifier is. Every
// folder under classifiers/ (but all) is a per-post classifier registered here under
// its folder's name, so a detector over many posts (the coordination package) cannot
// sit among them unregistered, and a classifier folder cannot be forgotten in Registry.
func TestEveryClassifierFolderIsRegistered(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	names := Registry().Names()
	folders := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "all" {
			continue
		}
		folders++
		if !slices.Contains(names, e.Name()) {
			t.Errorf("classifiers/%s is not a registered classifier (registered: %v): register it in Registry, "+
				"or move it out of classifiers/ if it is not a per-post classifier", e.Name(), names)
		}
	}
	if folders != len(names) {
		t.Errorf("%d classifier folders, %d registered classifiers %v", folders, len(names), names)
	}
}
