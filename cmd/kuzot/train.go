package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/kuzot/kuzot/classifiers/narrative"
)

// trainFunc trains one classifier's statistical model from labelled data.
type trainFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// trainers lists every classifier with a trainable model (`kuzot train <name>`).
func trainers() map[string]trainFunc {
	return map[string]trainFunc{
		narrative.Name: trainNarrative,
	}
}

// runTrain implements `kuzot train <name> [flags]`.
func runTrain(ctx context.Context, args []string, s stdio) error {
	ts := trainers()
	names := make([]string, 0, len(ts))
	for n := range ts {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		fmt.Fprintf(s.out, "Usage: kuzot train <%s> [flags]\n", strings.Join(names, "|"))
		fmt.Fprintln(s.out, "kuzot train <name> --help lists the flags of one trainer.")
		if len(args) == 0 {
			return fmt.Errorf("name a classifier to train (%s)", strings.Join(names, ", "))
		}
		return flag.ErrHelp
	}
	t, ok := ts[args[0]]
	if !ok {
		return fmt.Errorf("unknown trainer %q (known: %s)", args[0], strings.Join(names, ", "))
	}
	return t(ctx, args[1:], s.out, s.err)
}
