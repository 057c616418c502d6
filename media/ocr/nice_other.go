//go:build !linux

package ocr

// setNice is a no-op where setpriority is not wired up.
func setNice(pid, nice int) error { return nil }

// NiceThread is a no-op where thread priorities are not wired up.
func NiceThread(nice int) error { return nil }
