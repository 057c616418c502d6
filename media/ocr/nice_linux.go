package ocr

import (
	"runtime"
	"syscall"
)

// setNice sets the niceness of process pid (it starts at the parent's, usually 0).
func setNice(pid, nice int) error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, pid, nice)
}

// NiceThread locks the calling goroutine to its OS thread and sets that thread's
// niceness (on Linux setpriority with a thread id changes that thread alone). The Go
// side of reading a picture — decoding, hashes, the zone's deskew and binarisation, the
// PNG handed to tesseract, the classifiers on the OCR text — then competes for the CPU
// as the tesseract processes do, below the text path's goroutines in the same process;
// the processes the goroutine starts inherit the niceness. An unprivileged process
// cannot lower a niceness again, so the goroutine must never unlock the thread: when it
// returns still locked, the runtime ends the thread and no other goroutine runs on it.
func NiceThread(nice int) error {
	runtime.LockOSThread()
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
