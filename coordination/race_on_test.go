//go:build race

package coordination_test

// raceEnabled shortens the synthetic acceptance runs under the race detector, which
// slows the detector about tenfold; the full set runs in normal test runs.
const raceEnabled = true
