package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/media/imageeval"
)

// evalFunc is one classifier's offline evaluation: it parses its own flags from args,
// prints its metrics to stdout and diagnostics to stderr.
type evalFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// evaluators lists every classifier that can be evaluated by `kuzot eval <name>`.
// Add one line per classifier package: "name": pkg.EvalCommand.
func evaluators() map[string]evalFunc {
	return map[string]evalFunc{
		exposure.Name:  evalExposure,
		narrative.Name: evalNarrative,
	}
}

// evalExposure is `kuzot eval exposure`; with --images it evaluates the image path
// (OCR, machine-readable zones, re-uploads) on the generated image set of issue 16.
func evalExposure(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if hasFlag(args, "images") {
		return imageeval.Command(ctx, args, stdout, stderr)
	}
	return exposure.EvalCommand(ctx, args, stdout, stderr)
}

// evalNarrative is `kuzot eval narrative`; with --against it compares a candidate model
// with another (`kuzot eval narrative --model CANDIDATE --against current`, the same as
// `kuzot model compare`).
func evalNarrative(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if hasFlag(args, "against") {
		return modeldir.CompareCommand(ctx, args, stdout, stderr)
	}
	return narrative.EvalCommand(ctx, args, stdout, stderr)
}

// runEval implements `kuzot eval [name] [flags]`. With a name it runs that evaluator with
// the remaining flags; without one it runs every evaluator with its defaults, in name
// order, so CI can print all quality figures with one command.
func runEval(ctx context.Context, args []string, s stdio) error {
	evs := evaluators()
	names := make([]string, 0, len(evs))
	for n := range evs {
		names = append(names, n)
	}
	sort.Strings(names)

	if len(args) > 0 {
		switch a := args[0]; {
		case a == "-h" || a == "--help" || a == "-help" || a == "help":
			fmt.Fprintf(s.out, "Usage: kuzot eval [%s] [flags]\n", strings.Join(names, "|"))
			fmt.Fprintln(s.out, "Without a name every evaluator runs with its default flags.")
			fmt.Fprintln(s.out, "kuzot eval <name> --help lists the flags of one evaluator.")
			return flag.ErrHelp
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("flags need an evaluator name first: kuzot eval <%s> %s", strings.Join(names, "|"), a)
		default:
			ev, ok := evs[a]
			if !ok {
				return fmt.Errorf("unknown evaluator %q (known: %s)", a, strings.Join(names, ", "))
			}
			return ev(ctx, args[1:], s.out, s.err)
		}
	}

	if len(names) == 0 {
		return errors.New("no evaluators are registered")
	}
	var errs []error
	for i, n := range names {
		if i > 0 {
			fmt.Fprintln(s.out)
		}
		fmt.Fprintf(s.out, "== %s ==\n", n)
		if err := evs[n](ctx, nil, s.out, s.err); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}
