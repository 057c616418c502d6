//go:build unix

package exposure

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the test process has used. Benchmarks
// divide by it, not by wall time, so that "posts per CPU-second" stays meaningful on a
// machine shared with other work.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
