package main

import (
	"context"
	"io"
	"strings"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
)

// hasFlag reports whether args turn the boolean flag name on (-name, --name, -name=true;
// -name=false and -name=0 leave it off).
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimLeft(a, "-")
		if a == name {
			return true
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v != "false" && v != "0"
		}
	}
	return false
}

// trainNarrative is `kuzot train narrative`: with --labels it trains a candidate with
// the analysts' labels (trainNarrativeWithLabels); otherwise the classifier's own
// trainer runs.
func trainNarrative(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if hasFlag(args, "labels") {
		return modeldir.TrainCommand(ctx, args, stdout, stderr)
	}
	return narrative.TrainCommand(ctx, args, stdout, stderr)
}
