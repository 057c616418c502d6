package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/pipeline"
)

// runJetStreamCopy is `kuzot jetstream copy`: it copies the streams, KV buckets and
// object stores of an old JetStream server into the configured cluster
// (pipeline.CopyStreams).
func runJetStreamCopy(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("jetstream copy", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	from := fs.String("from", "", "the old server's URL (nats://host:4222); required")
	fromUser := fs.String("from-user", "", "the old server's user; its password comes from $KUZOT_JETSTREAM_FROM_PASSWORD")
	fromCreds := fs.String("from-creds", "", "the old server's credentials file (instead of user and password)")
	streams := fs.String("streams", "", "comma-separated streams to copy (KV bucket B is stream KV_B); empty = every stream of the old server but KV_kuzot_leases and KV_kuzot_runs")
	fs.Usage = func() {
		fmt.Fprintln(s.err, `Usage: kuzot jetstream copy --from URL [--from-user U | --from-creds FILE] [--streams A,B] [--config FILE]

Copies streams (KUZOT_POSTS, KUZOT_RESULTS, KUZOT_DLQ, KV buckets, object stores) from an
old JetStream server into the cluster of nats.url with nats.replicas copies: each message in
order with its subject, data and headers (Nats-Msg-Id kept, so the cluster's duplicate window
still applies). Stop every kuzot role first. A rerun resumes where the last one stopped.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" {
		fs.Usage()
		return fmt.Errorf("--from is required")
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if cfg.NATS.URL == "" {
		return fmt.Errorf("nats.url (KUZOT_NATS_URL) must name the cluster to copy into")
	}
	opts := []nats.Option{nats.Name("kuzot jetstream copy")}
	switch {
	case *fromCreds != "":
		opts = append(opts, nats.UserCredentials(*fromCreds))
	case *fromUser != "":
		opts = append(opts, nats.UserInfo(*fromUser, os.Getenv("KUZOT_JETSTREAM_FROM_PASSWORD")))
	}
	nc, err := nats.Connect(*from, opts...)
	if err != nil {
		return fmt.Errorf("old server %s: %w", *from, err)
	}
	defer nc.Close()
	oldJS, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	bus, err := pipeline.Connect(ctx, cfg.NATS, log)
	if err != nil {
		return err
	}
	defer bus.Close()
	var names []string
	if *streams != "" {
		names = strings.Split(*streams, ",")
	}
	rep, err := pipeline.CopyStreams(ctx, oldJS, bus.JS, names, max(1, cfg.NATS.Replicas))
	fmt.Fprintf(s.out, "%-32s %10s %10s %10s %10s %10s %8s\n", "stream", "old msgs", "cluster", "copied", "skipped", "duplicate", "seconds")
	for _, sc := range rep {
		fmt.Fprintf(s.out, "%-32s %10d %10d %10d %10d %10d %8.1f\n", sc.Stream, sc.Source, sc.Dest, sc.Copied, sc.Skipped,
			sc.Duplicates, sc.Elapsed.Seconds())
	}
	if err != nil {
		return err
	}
	for _, sc := range rep {
		if sc.Dest < sc.Source {
			return fmt.Errorf("%s: the cluster holds %d messages, the old server %d", sc.Stream, sc.Dest, sc.Source)
		}
	}
	return nil
}
