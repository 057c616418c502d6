//go:build !race

package coordination_test

// raceEnabled is false in normal test runs: every acceptance case runs.
const raceEnabled = false
