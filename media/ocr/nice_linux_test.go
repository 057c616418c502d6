package ocr

import (
	"os"
	"os/exec"
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
