package main

import (
	"context"

	"github.com/kuzot/kuzot/coordination"
)

// runCoordinate implements `kuzot coordinate`: the troll-network detector over JSON-lines
// posts on stdin, one cluster per output line. The pipeline runs the same detector on
// the live stream; the logic lives in package coordination so both share it.
func runCoordinate(ctx context.Context, args []string, s stdio) error {
	return coordination.RunCLI(ctx, args, s.in, s.out, s.err)
}
