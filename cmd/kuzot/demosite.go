package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/kuzot/kuzot/demosite"
)

// runDemoSite implements `kuzot demo-site`: the invented public web (Telegram previews,
// YouTube pages and API, VK API, RSS/Atom, a forum) used by `make run` and the tests.
func runDemoSite(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("demo-site", flag.ContinueOnError)
	fs.SetOutput(s.err)
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve on")
	seed := fs.Int64("seed", 1, "seed of the generated history and view growth")
	epoch := fs.String("epoch", "", "time zero of the content (RFC 3339); default: now, so the posts with positive offsets appear over the next minutes")
	printSources := fs.Bool("print-sources", false, "print a `sources:` config section for every demo place at --listen and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *printSources {
		fmt.Fprint(s.out, demosite.SourcesYAML("http://"+*listen))
		return nil
	}
	start := time.Now().UTC().Truncate(time.Second)
	if *epoch != "" {
		t, err := time.Parse(time.RFC3339, *epoch)
		if err != nil {
			return fmt.Errorf("--epoch: %w", err)
		}
		start = t
	}
	site, err := demosite.New(demosite.Options{Seed: *seed, Epoch: start})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(s.err, "demo site on http://%s (epoch %s)\n", ln.Addr(), start.Format(time.RFC3339))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("demo site: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("demo site shutdown: %w", err)
		}
		return nil
	}
}
