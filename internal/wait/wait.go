// Package wait is kuzot's one context-aware sleep, used by every retry and backoff loop
// (pipeline, storage, alerts, collectors, coordinate, loadgen).
package wait

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, and reports whether the whole wait passed (false:
// ctx ended first, or had already ended). A d of zero or less does not wait.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
