package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example: typos in sections of roles that do not run here still stop
// `kuzot run --roles collect`, and `kuzot check-config` prints each with line and path.
func TestTyposStopRunAndCheckConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kuzot.yaml")
	text := "alerts: {orgz_typo: 1}\nweb: {nonsense_key: true}\ncoordination: {windw: 5m}\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	want := []string{path + ":1: alerts.orgz_typo: unknown key", path + ":2: web.nonsense_key: unknown key",
		path + ":3: coordination.windw: unknown key"}
	for _, args := range [][]string{{"run", "--config", path, "--roles", "collect"}, {"check-config", "--config", path}} {
		var out, errOut bytes.Buffer
		code := dispatch(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
		if code == 0 {
			t.Fatalf("%v: exit 0, want non-zero", args)
		}
		for _, w := range want {
			if !strings.Contains(out.String()+errOut.String(), w) {
				t.Errorf("%v: output does not contain %q:\n%s%s", args, w, out.String(), errOut.String())
			}
		}
	}
	var out bytes.Buffer
	if code := dispatch(context.Background(), []string{"check-config", "--config", "../../kuzot.example.yaml"},
		stdio{in: strings.NewReader(""), out: &out, err: &out}); code != 0 {
		t.Fatalf("kuzot.example.yaml: exit %d:\n%s", code, out.String())
	}
}
