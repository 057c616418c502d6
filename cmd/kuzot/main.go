// Command kuzot is the single binary of the kuzot monitor: every long-running role
// (collect, classify, store, coordinate, alert, serve) and every offline tool is a
// subcommand. The code behind each command lives in its package; this file only
// dispatches.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// stdio carries the process streams so that commands are testable without globals.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one `kuzot <name>` subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, s stdio) error
}

// commands lists every subcommand. Add one line per command file.
func commands() []command {
	return []command{
		{"version", "print the version and build information", runVersion},
		{"run", "run the long-running roles (all by default, or --roles ...)", runRun},
		{"check-config", "check configuration files: every problem with its line and key path (as promtool check config)", runCheckConfig},
		{"migrate", "apply the ClickHouse schema migrations", runMigrate},
		{"classify", "classify JSON-lines posts from stdin to stdout", runClassify},
		{"eval", "print classifier quality metrics on held-out data (kuzot eval [name])", runEval},
		{"train", "train a classifier's statistical model from labelled JSONL (kuzot train narrative)", runTrain},
		{"model", "list, compare and promote trained narrative models (kuzot model promote VERSION)", runModel},
		{"collect", "poll the configured sources once or continuously and print posts (--once --stdout)", runCollect},
		{"demo-site", "serve the invented demo public web (Telegram, YouTube, VK, RSS, forum)", runDemoSite},
		{"watchlist", "import, list or delete hashed protected-member watchlists", runWatchlist},
		{"loadgen", "publish synthetic load into a running pipeline, report posts/s and latency, check ClickHouse", runLoadgen},
		{"jetstream", "run only the embedded JetStream server (for roles in separate processes); jetstream copy --from URL: copy an old server's streams into a cluster", runJetStream},
		{"coordinate", "find coordinated account networks (troll factories) in JSON-lines posts from stdin", runCoordinate},
		{"user", "add or list web UI accounts (kuzot user add --name X --role admin, password on stdin)", runUser},
		{"serve", "serve the analyst web UI and JSON API only (the serve role)", runServe},
		{"report", "generate a trend report (--from --to [--org] [--lang en|ru] --format html|pdf|csv|json --out PATH)", runReport},
		// more commands: one line each, keep sorted by name below
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(_ context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(s.err)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "kuzot %s\n", version)
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "kuzot — monitor of homophobic narratives, doxxing and troll networks")
	fmt.Fprintln(w, "\nUsage: kuzot <command> [flags]   (kuzot <command> --help for its flags)\n\nCommands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

// dispatch runs one command and maps its outcome to an exit code.
func dispatch(ctx context.Context, args []string, s stdio) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(s.out)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], s)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		default:
			fmt.Fprintf(s.err, "kuzot %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(s.err, "kuzot: unknown command %q\n\n", args[0])
	usage(s.err)
	return 2
}
