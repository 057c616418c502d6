package ocr

import "syscall"

// setNice sets the niceness of process pid (it starts at the parent's, usually 0).
func setNice(pid, nice int) error {
	return syscall.Setpriority(syscall.PRIO_PROCESS, pid, nice)
}
