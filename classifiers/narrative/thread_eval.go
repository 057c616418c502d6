package narrative

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// DatasetThreads is the data set name of the labelled threads (corpus/threads.jsonl):
// comments with the title/text of the post or video they answer (issue 17).
const DatasetThreads = "own-threads"

// threadsFile is the labelled thread set in the embedded corpus directory.
const threadsFile = "corpus/threads.jsonl"

// ThreadExample is one labelled comment with its root.
type ThreadExample struct {
	Example
	// TargetInContext: the comment names no target; the group it is about is named only
	// in the root.
	TargetInContext bool `json:"target_in_context"`
	// RootTopic is "lgbt" when the root is about LGBT people, else "other".
	RootTopic string `json:"root_topic"`
	RootID    string `json:"root_id"`
}

// ErrNoThreads tells that the labelled thread set is not there.
var ErrNoThreads = errors.New("no labelled thread set (classifiers/narrative/corpus/threads.jsonl)")

// Threads reads the labelled thread set: path, or the embedded corpus/threads.jsonl when
// path is "". Every item gets Dataset DatasetThreads and its part by kuzot-split-v1 over
// its id (the set is an evaluation set: no trainer reads it). It returns ErrNoThreads
// when the embedded file is absent.
func Threads(path string) ([]ThreadExample, []error, error) {
	var raw []byte
	var err error
	if path == "" {
		raw, err = corpusFS.ReadFile(threadsFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, ErrNoThreads
		}
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("threads: %w", err)
	}
	exs, errs := ReadExamples(bytes.NewReader(raw), true)
	byID := make(map[string]*Example, len(exs))
	for i := range exs {
		byID[exs[i].ID] = &exs[i]
	}
	// The thread fields next to the corpus schema.
	var out []ThreadExample
	br := bytes.Split(raw, []byte("\n"))
	for _, line := range br {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var t struct {
			ID              string `json:"id"`
			Context         string `json:"context"`
			TargetInContext bool   `json:"target_in_context"`
			RootTopic       string `json:"root_topic"`
			RootID          string `json:"root_id"`
		}
		if json.Unmarshal(line, &t) != nil {
			continue // reported by ReadExamples
		}
		e := byID[t.ID]
		if e == nil {
			continue
		}
		e.Context, e.Dataset, e.Part = t.Context, DatasetThreads, SplitOf(t.ID)
		out = append(out, ThreadExample{Example: *e, TargetInContext: t.TargetInContext, RootTopic: t.RootTopic, RootID: t.RootID})
	}
	return out, errs, nil
}

// ThreadReport compares one part of the thread set judged with the context and without.
type ThreadReport struct {
	Part Part
	N    int
	// WithContext and WithoutContext score "homophobic" over the whole part.
	WithContext, WithoutContext PRF
	// TargetInRoot scores the comments whose target is named only in the root.
	TargetInRootWith, TargetInRootWithout PRF
	// Negatives under a root about LGBT people, and under a root about something else:
	// flagged / all, with and without the context.
	LGBTRootNegWith, LGBTRootNegWithout   [2]int
	OtherRootNegWith, OtherRootNegWithout [2]int
}

// EvaluateThreads classifies every comment of exs twice, in its thread and alone.
func (c *Classifier) EvaluateThreads(ctx context.Context, part Part, exs []ThreadExample) (*ThreadReport, error) {
	r := &ThreadReport{Part: part}
	for i, e := range exs {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		with := c.ClassifyInThread(e.Text, e.Context).Homophobic
		without := c.ClassifyText(e.Text).Homophobic
		r.N++
		r.WithContext.add(with, e.Homophobic)
		r.WithoutContext.add(without, e.Homophobic)
		if e.TargetInContext {
			r.TargetInRootWith.add(with, e.Homophobic)
			r.TargetInRootWithout.add(without, e.Homophobic)
		}
		if !e.Homophobic {
			w, wo := &r.OtherRootNegWith, &r.OtherRootNegWithout
			if e.RootTopic == "lgbt" {
				w, wo = &r.LGBTRootNegWith, &r.LGBTRootNegWithout
			}
			w[1]++
			wo[1]++
			if with {
				w[0]++
			}
			if without {
				wo[0]++
			}
		}
	}
	return r, nil
}

// Print writes the report.
func (r *ThreadReport) Print(w io.Writer) {
	row := func(name string, p PRF) {
		fmt.Fprintf(w, "  %-44s P=%.3f R=%.3f F1=%.3f  (tp=%d fp=%d fn=%d, n=%d)\n", name, p.Precision(), p.Recall(), p.F1(), p.TP, p.FP, p.FN, p.N())
	}
	rate := func(name string, c [2]int) {
		fmt.Fprintf(w, "  %-44s %6.2f%%  (%d of %d flagged)\n", name, 100*ratio(c[0], c[1]), c[0], c[1])
	}
	fmt.Fprintf(w, "comments: %d\n", r.N)
	row("homophobic, with context", r.WithContext)
	row("homophobic, without context", r.WithoutContext)
	row("target only in the root, with context", r.TargetInRootWith)
	row("target only in the root, without context", r.TargetInRootWithout)
	rate("not homophobic, LGBT root, with context", r.LGBTRootNegWith)
	rate("not homophobic, LGBT root, without context", r.LGBTRootNegWithout)
	rate("not homophobic, other root, with context", r.OtherRootNegWith)
	rate("not homophobic, other root, without context", r.OtherRootNegWithout)
}

// evalThreads prints the thread report of every part in parts, or says why there is
// none.
func (c *Classifier) evalThreads(ctx context.Context, path string, parts []Part, stdout, stderr io.Writer) error {
	exs, errs, err := Threads(path)
	if errors.Is(err, ErrNoThreads) {
		fmt.Fprintf(stdout, "\n== threads ==\nskipped: %v; the context comparison needs it (issue 17)\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	reportLineErrors(stderr, "threads", errs)
	byPart := map[Part][]ThreadExample{}
	for _, e := range exs {
		byPart[e.Part] = append(byPart[e.Part], e)
	}
	src := threadsFile + " (embedded)"
	if path != "" {
		src = path
	}
	for _, p := range parts {
		fmt.Fprintf(stdout, "\n== threads, %s part: %s, comments judged with their root's context vs alone ==\n", p, src)
		r, err := c.EvaluateThreads(ctx, p, byPart[p])
		if err != nil {
			return err
		}
		r.Print(stdout)
	}
	return nil
}
