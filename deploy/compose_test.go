// Package deploy holds the deployment files (docker-compose.yml at the repository root,
// NATS and Prometheus configuration here); its test validates them with the real tools.
package deploy

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestComposeConfigValidates runs `docker compose config` (or the standalone
// docker-compose) on docker-compose.yml with the required secrets set.
func TestComposeConfigValidates(t *testing.T) {
	var cmd *exec.Cmd
	if exec.Command("docker", "compose", "version").Run() == nil {
		cmd = exec.Command("docker", "compose", "-f", "../docker-compose.yml", "config", "-q")
	} else if p, err := exec.LookPath("docker-compose"); err == nil {
		cmd = exec.Command(p, "-f", "../docker-compose.yml", "config", "-q")
	} else {
		if os.Getenv("KUZOT_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal("neither `docker compose` nor docker-compose is installed (make test installs docker-compose)")
		}
		t.Skip("no docker compose")
	}
	cmd.Env = append(os.Environ(), "KUZOT_CLICKHOUSE_PASSWORD=test", "KUZOT_WATCHLIST_KEY=test", "GRAFANA_ADMIN_PASSWORD=test",
		"KUZOT_NATS_PASSWORD=test", "KUZOT_CLICKHOUSE_GRAFANA_PASSWORD=test")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

// TestPrometheusRulesPass runs promtool on the alert rules and their unit tests.
func TestPrometheusRulesPass(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("KUZOT_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal("promtool not installed (make test installs the prometheus package)")
		}
		t.Skip("no promtool")
	}
	for _, args := range [][]string{{"check", "rules", "prometheus/rules.yml"}, {"test", "rules", "prometheus/rules_test.yml"}} {
		if out, err := exec.Command(promtool, args...).CombinedOutput(); err != nil {
			t.Fatalf("promtool %v: %v\n%s", args, err, out)
		}
	}
}
