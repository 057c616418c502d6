package coordination

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"
)

// maxWarnings caps per-line warnings on stderr; the summary counts every rejected line.
const maxWarnings = 10

// RunCLI implements `kuzot coordinate`: it reads posts as JSON lines (the common post
// schema; optional "frames" and "account_created_at") from in, runs the streaming
// detector over them in input order, and writes one JSON object per cluster to out.
// By default it writes the final version of every cluster at the end of the input,
// ordered by first activity; with --stream it writes every new or changed cluster (and
// merge tombstones) as event time advances, as the pipeline would store them.
// Unusable lines are reported on errw and skipped (--strict makes them fatal).
func RunCLI(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) error {
	def := DefaultParams()
	fs := flag.NewFlagSet("coordinate", flag.ContinueOnError)
	fs.SetOutput(errw)
	p := def
	fs.DurationVar(&p.Window, "window", def.Window, "co-action window for co_link and co_reply")
	fs.DurationVar(&p.TextWindow, "text-window", def.TextWindow, "co-action window for co_text (0 = --window)")
	fs.Float64Var(&p.Similarity, "similarity", def.Similarity, "minimum Jaccard similarity of near-duplicate texts")
	fs.IntVar(&p.MinWeight, "min-weight", def.MinWeight, "minimum distinct co-actions of an account pair")
	fs.Float64Var(&p.MinAffinity, "min-affinity", def.MinAffinity, "minimum cosine affinity of an account pair (0 disables)")
	fs.IntVar(&p.MinClusterSize, "min-cluster-size", def.MinClusterSize, "minimum accounts per cluster")
	fs.IntVar(&p.MaxObjectActors, "max-object-actors", def.MaxObjectActors, "accounts per object and window above which the object is hot and produces no pairs")
	fs.IntVar(&p.MinTextTokens, "min-text-tokens", def.MinTextTokens, "texts with fewer tokens are ignored for co_text")
	fs.DurationVar(&p.Lateness, "lateness", def.Lateness, "how far behind the newest post a post may arrive")
	fs.DurationVar(&p.Horizon, "horizon", def.Horizon, "how long pair weights live without new co-actions")
	fs.IntVar(&p.MaxPairs, "max-pairs", def.MaxPairs, "account pairs kept; above it weak pairs are pruned")
	stream := fs.Bool("stream", false, "write clusters as they appear and change instead of once at the end")
	strict := fs.Bool("strict", false, "stop at the first unusable line instead of skipping it")
	fs.Usage = func() {
		fmt.Fprintln(errw, "Usage: kuzot coordinate [flags] < posts.jsonl > clusters.jsonl")
		fmt.Fprintln(errw, "Finds accounts acting in concert (co_text, co_link, co_reply, co_hashtag) in JSON-lines posts.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (input is read from stdin)", fs.Args())
	}
	d, err := NewDetector(p)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	latest := map[string]Cluster{}
	emit := func(cs []Cluster) error {
		for _, c := range cs {
			if *stream {
				if err := enc.Encode(c); err != nil {
					return fmt.Errorf("write cluster: %w", err)
				}
				continue
			}
			if c.Status == StatusMerged {
				delete(latest, c.ID)
			} else {
				latest[c.ID] = c
			}
		}
		return nil
	}

	// With --stream, clusters are written as they change, so flush every event-time
	// minute. Otherwise only the final version counts: flushing every hour is enough,
	// since a cluster's edges live for Horizon (>= 1h) after its last activity.
	every := time.Minute
	if !*stream {
		every = min(time.Hour, p.Horizon/2)
	}
	lr := newLineReader(in)
	var lines, used, rejected, warned int
	var nextFlush, last time.Time
	warn := func(n int, err error) error {
		rejected++
		if *strict {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if warned < maxWarnings {
			warned++
			fmt.Fprintf(errw, "kuzot coordinate: line %d skipped: %v\n", n, err)
		}
		return nil
	}
	for {
		if lines%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, n, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		lines++
		if tooLong {
			if err := warn(n, fmt.Errorf("%w: longer than %d bytes", ErrBadLine, MaxLineBytes)); err != nil {
				return err
			}
			continue
		}
		if len(line) == 0 {
			continue
		}
		o, err := DecodeObservation(line)
		if err == nil {
			err = d.Observe(o)
		}
		if err != nil {
			if err := warn(n, err); err != nil {
				return err
			}
			continue
		}
		used++
		if t := o.Post.PublishedAt; t.After(last) {
			last = t
		}
		if last.After(nextFlush) {
			if err := emit(d.Flush(last)); err != nil {
				return err
			}
			nextFlush = last.Add(every)
		}
	}
	if err := emit(d.Flush(last)); err != nil {
		return err
	}
	if !*stream {
		final := make([]Cluster, 0, len(latest))
		for _, c := range latest {
			final = append(final, c)
		}
		slices.SortFunc(final, func(a, b Cluster) int { return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.ID, b.ID)) })
		for _, c := range final {
			if err := enc.Encode(c); err != nil {
				return fmt.Errorf("write cluster: %w", err)
			}
		}
	}
	st := d.Stats()
	fmt.Fprintf(errw, "kuzot coordinate: %d lines, %d posts used, %d skipped (%d too late), %d hot objects capped\n",
		lines, used, rejected, st.TooLate, st.HotObjects)
	return nil
}
