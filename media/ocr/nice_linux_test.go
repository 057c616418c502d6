package ocr

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestSetNice: a child process's niceness is raised to the value asked, as the ocr role
// does for each tesseract process.
func TestSetNice(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep binary:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	self, _ := os.ReadFile("/proc/self/stat")
	sf := strings.Fields(string(self[strings.LastIndexByte(string(self), ')')+2:]))
	if base, _ := strconv.Atoi(sf[16]); base > 7 {
		t.Skipf("the test runs at niceness %d: an unprivileged process cannot lower it to 7", base)
	}
	if err := setNice(cmd.Process.Pid, 7); err != nil {
		t.Fatal(err)
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name in parentheses; niceness is field 19 (index 16 here).
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	if f[16] != "7" {
		t.Errorf("niceness %s, want 7", f[16])
	}
}

// threadNice reads the niceness of the calling goroutine's current thread.
func threadNice(t *testing.T) int {
	stat, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		t.Skip("no /proc/thread-self:", err)
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	n, _ := strconv.Atoi(f[16])
	return n
}

// TestNiceThread: the ocr worker's thread runs at the niceness asked, and no other
// goroutine inherits it once the worker returns (the runtime ends the locked thread).
func TestNiceThread(t *testing.T) {
	base := threadNice(t)
	if base > 7 {
		t.Skipf("the test runs at niceness %d: an unprivileged process cannot lower it to 7", base)
	}
	got := make(chan int)
	go func() {
		if err := NiceThread(7); err != nil {
			t.Error(err)
		}
		got <- threadNice(t)
	}()
	if n := <-got; n != 7 {
		t.Errorf("worker thread niceness %d, want 7", n)
	}
	for range 50 {
		runtime.Gosched()
		if n := threadNice(t); n != base {
			t.Fatalf("a goroutine ran at niceness %d after the worker returned, want %d", n, base)
		}
	}
}
