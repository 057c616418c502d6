package main

import (
	"context"

	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
)

// runModel is `kuzot model list|compare|promote` (package modeldir).
func runModel(ctx context.Context, args []string, s stdio) error {
	return modeldir.ModelCommand(ctx, args, s.out, s.err)
}
