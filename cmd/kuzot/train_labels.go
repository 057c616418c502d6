package main

import (
	"context"
	"io"
	"strings"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
)

// hasFlag reports whether args set the flag name (-name, --name, -name=…, --name=…).
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// trainNarrative is `kuzot train narrative`: with --labels it trains a candidate with
// the analysts' labels (trainNarrativeWithLabels); otherwise the classifier's own
// trainer runs.
func trainNarrative(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if hasFlag(args, "labels") {
		return trainNarrativeWithLabels(ctx, args, stdout, stderr)
	}
	return narrative.TrainCommand(ctx, args, stdout, stderr)
}

// trainNarrativeWithLabels is package modeldir's trainer with the analysts' labels.
func trainNarrativeWithLabels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return modeldir.TrainCommand(ctx, args, stdout, stderr)
}
