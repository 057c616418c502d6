package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/pipeline"
)

// runJetStream runs only the embedded JetStream server (fsync on every write) and
// declares kuzot's streams, so that roles in separate processes, small deployments
// without a nats-server binary, and the chaos tests have a server to share.
func runJetStream(ctx context.Context, args []string, s stdio) error {
	if len(args) > 0 && args[0] == "copy" {
		return runJetStreamCopy(ctx, args[1:], s)
	}
	fs := flag.NewFlagSet("jetstream", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(s.err, `Usage: kuzot jetstream [--config FILE]

Runs the embedded NATS JetStream server of nats.embedded (host, port, store_dir,
server_name; sync always) until SIGINT/SIGTERM. With nats.embedded.cluster (name, port,
routes) it is one node of a JetStream cluster: start one per node, each with its own
store_dir and server_name (scripts/nats-cluster-local.sh runs three on loopback).
Point roles in other processes at it with nats.url or KUZOT_NATS_URL (a cluster: every
node's URL, comma-separated).

kuzot jetstream copy --from URL copies an old server's streams into the cluster
(kuzot jetstream copy --help).`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.NATS.URL != "" {
		return fmt.Errorf("nats.url is set (%s): kuzot jetstream runs the embedded server; unset it (and KUZOT_NATS_URL) for this process", cfg.NATS.URL)
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	bus, err := pipeline.Connect(ctx, cfg.NATS, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	log.Info("kuzot jetstream serving", "url", bus.ClientURL(), "store_dir", cfg.NATS.Embedded.StoreDir,
		"server_name", cfg.NATS.Embedded.ServerName, "cluster", cfg.NATS.Embedded.Cluster.Name,
		"routes", bus.ClusterURL(), "replicas", cfg.NATS.Replicas)
	fmt.Fprintln(s.out, "listening", bus.ClientURL())
	<-ctx.Done()
	return nil
}
