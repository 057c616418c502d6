package coordination

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestRunCLIGolden runs `kuzot coordinate` over a small invented export: a farm of four
// accounts running three campaigns (copied and reworded texts, a link, reply targets),
// eight organic accounts, two of which share one viral link, a malformed line and a
// line without author. The output must match testdata/cli/expected.jsonl.
func TestRunCLIGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "cli", "input.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if err := RunCLI(context.Background(), nil, bytes.NewReader(in), &out, &errw); err != nil {
		t.Fatalf("RunCLI: %v\n%s", err, errw.String())
	}
	golden := filepath.Join("testdata", "cli", "expected.jsonl")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("output differs from %s (run with -update to accept):\n%s", golden, out.String())
	}
	// Independent checks of the golden content, so -update cannot bless a regression.
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d clusters, want exactly the farm", len(lines))
	}
	var c Cluster
	if err := json.Unmarshal([]byte(lines[0]), &c); err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Accounts, ",") != "vk:patriot_kg_01,vk:patriot_kg_02,vk:patriot_kg_03,vk:patriot_kg_04" {
		t.Fatalf("accounts %v", c.Accounts)
	}
	frames := map[string]int{}
	for _, f := range c.Frames {
		frames[f.Frame] = f.Posts
	}
	if len(c.Posts) != 12 || frames["foreign_agent"] != 8 || frames["traditional_family"] != 4 {
		t.Fatalf("posts %d frames %v", len(c.Posts), c.Frames)
	}
	for _, beh := range []string{BehaviourCoLink, BehaviourCoReply, BehaviourCoText} {
		if !strings.Contains(strings.Join(c.Behaviours, " "), beh) {
			t.Errorf("behaviour %s missing: %v", beh, c.Behaviours)
		}
	}
	stderr := errw.String()
	for _, want := range []string{"line 6 skipped", "line 10 skipped", "missing author", "38 posts used, 2 skipped"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestRunCLIFlagsAndErrors(t *testing.T) {
	run := func(args []string, in string) (string, string, error) {
		var out, errw bytes.Buffer
		err := RunCLI(context.Background(), args, strings.NewReader(in), &out, &errw)
		return out.String(), errw.String(), err
	}
	if _, _, err := run([]string{"--help"}, ""); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	if _, _, err := run([]string{"--min-weight", "0"}, ""); !errors.Is(err, ErrParams) {
		t.Fatalf("invalid params: %v", err)
	}
	if _, _, err := run([]string{"extra"}, ""); err == nil {
		t.Fatal("positional argument accepted")
	}
	if _, _, err := run([]string{"--strict"}, "{not json}\n"); !errors.Is(err, ErrBadLine) {
		t.Fatalf("--strict: %v", err)
	}
	out, _, err := run(nil, "")
	if err != nil || out != "" {
		t.Fatalf("empty input: %q %v", out, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := RunCLI(ctx, nil, strings.NewReader("{}\n"), &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestRunCLIStreamWritesUpdates(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "cli", "input.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := RunCLI(context.Background(), []string{"--stream"}, bytes.NewReader(in), &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 1 {
		t.Fatal("no stream output")
	}
	var last Cluster
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if len(last.Accounts) != 4 {
		t.Fatalf("last update has %d accounts", len(last.Accounts))
	}
}
