package loadgen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// CheckOptions say what the checker expects downstream of the posts stream.
type CheckOptions struct {
	// Classifiers must each have exactly one classifications row (after FINAL) for every
	// post that must be stored. Empty skips the classifications check.
	Classifiers []string
	// MaxRawDuplicates bounds rows counted without FINAL minus distinct posts: re-inserts
	// after a crash between a ClickHouse commit and the acks, which ReplacingMergeTree
	// collapses. A negative value skips the bound.
	MaxRawDuplicates int
	// Examples caps how many offending ids a violation lists (default 10).
	Examples int
}

// Violation is one broken invariant with a few example post ids.
type Violation struct {
	What     string
	Count    int
	Examples []string
}

// Report is the checker's verdict on one run.
type Report struct {
	// MustAppear are posts with a PubAck (fresh or duplicate); MayAppear those sent
	// without an answer.
	MustAppear, MayAppear int
	// Final is how many of the run's posts are in ClickHouse after FINAL; Raw the rows
	// without FINAL.
	Final, Raw uint64
	// IndeterminateStored is how many unanswered publishes were stored after all.
	IndeterminateStored int
	ClassificationRows  uint64
	Violations          []Violation
}

// Err is nil when every invariant held, else it lists the violations.
func (r *Report) Err() error {
	var errs []error
	for _, v := range r.Violations {
		if len(v.Examples) == 0 {
			errs = append(errs, fmt.Errorf("%s: %d", v.What, v.Count))
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %d (e.g. %s)", v.What, v.Count, strings.Join(v.Examples, ", ")))
	}
	return errors.Join(errs...)
}

// String summarises the report in one line.
func (r *Report) String() string {
	s := fmt.Sprintf("must appear %d, may appear %d (stored %d); posts after FINAL %d, raw rows %d; classification rows %d",
		r.MustAppear, r.MayAppear, r.IndeterminateStored, r.Final, r.Raw, r.ClassificationRows)
	if len(r.Violations) == 0 {
		return s + "; all invariants hold"
	}
	return s + "; VIOLATIONS: " + r.Err().Error()
}

// Check compares the ledger with ClickHouse, in the style of a linearizability checker
// for a set: every post with a PubAck appears in posts exactly once after FINAL; a post
// sent without an answer appears at most once; no post that was never sent, and no id
// the generator cannot have produced, appears; the rows counted without FINAL exceed the
// distinct posts by at most MaxRawDuplicates; and every stored post has exactly one
// classifications row per expected classifier. Call it once the pipeline has drained.
func Check(ctx context.Context, conn driver.Conn, gen *Generator, ledger *Ledger, opt CheckOptions) (*Report, error) {
	if opt.Examples <= 0 {
		opt.Examples = 10
	}
	recs := ledger.Snapshot()
	rep := &Report{}
	for _, r := range recs {
		switch r.Outcome {
		case Acked, Duplicate:
			rep.MustAppear++
		case Indeterminate:
			rep.MayAppear++
		}
	}
	marker := ":" + gen.IDPrefix()

	finalCount := make([]uint32, len(recs))
	var foreign []string
	err := scanIDs(ctx, conn, `SELECT id, count() FROM posts FINAL WHERE position(id, ?) > 0 GROUP BY id`, marker,
		func(id string, c uint64) {
			rep.Final += c
			n, ok := gen.ParseID(id)
			if !ok || n >= uint64(len(recs)) {
				foreign = append(foreign, id)
				return
			}
			finalCount[n] += uint32(c)
		})
	if err != nil {
		return nil, err
	}
	if err := conn.QueryRow(ctx, `SELECT count() FROM posts WHERE position(id, ?) > 0`, marker).Scan(&rep.Raw); err != nil {
		return nil, fmt.Errorf("loadgen: check: count raw rows: %w", err)
	}

	var missing, dupFinal, notSent []string
	stored := make([]bool, len(recs))
	for n, r := range recs {
		c := finalCount[n]
		id := gen.ID(uint64(n))
		stored[n] = c > 0
		switch {
		case c > 1:
			dupFinal = append(dupFinal, id)
		case c == 0 && (r.Outcome == Acked || r.Outcome == Duplicate):
			missing = append(missing, id)
		case c == 1 && r.Outcome == NotSent:
			notSent = append(notSent, id)
		case c == 1 && r.Outcome == Indeterminate:
			rep.IndeterminateStored++
		}
	}
	add := func(what string, ids []string) {
		rep.Violations = addViolation(rep.Violations, opt.Examples, what, ids)
	}
	add("acknowledged posts missing from ClickHouse (lost)", missing)
	add("posts present more than once after FINAL", dupFinal)
	add("posts present that were never sent", notSent)
	add("ids present that no post of this run has", foreign)
	if opt.MaxRawDuplicates >= 0 && rep.Raw > rep.Final+uint64(opt.MaxRawDuplicates) {
		rep.Violations = append(rep.Violations, Violation{
			What:  fmt.Sprintf("raw rows minus posts after FINAL above the bound of %d", opt.MaxRawDuplicates),
			Count: int(rep.Raw - rep.Final)})
	}

	if len(opt.Classifiers) > 0 {
		if err := checkClassifications(ctx, conn, gen, marker, recs, stored, opt, rep); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func checkClassifications(ctx context.Context, conn driver.Conn, gen *Generator, marker string, recs []Record,
	stored []bool, opt CheckOptions, rep *Report) error {
	classIdx := map[string]int{}
	for i, c := range opt.Classifiers {
		classIdx[c] = i
	}
	counts := make([]uint16, len(recs)*len(opt.Classifiers))
	var unknown, foreign []string
	rows, err := conn.Query(ctx, `SELECT post_id, classifier, count() FROM classifications FINAL
		WHERE position(post_id, ?) > 0 GROUP BY post_id, classifier`, marker)
	if err != nil {
		return fmt.Errorf("loadgen: check: classifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cl string
		var c uint64
		if err := rows.Scan(&id, &cl, &c); err != nil {
			return fmt.Errorf("loadgen: check: classifications: %w", err)
		}
		rep.ClassificationRows += c
		ci, ok := classIdx[cl]
		if !ok {
			unknown = append(unknown, cl+"/"+id)
			continue
		}
		n, ok := gen.ParseID(id)
		if !ok || n >= uint64(len(recs)) || !stored[n] {
			foreign = append(foreign, cl+"/"+id)
			continue
		}
		counts[int(n)*len(opt.Classifiers)+ci] += uint16(min(c, 1000))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("loadgen: check: classifications: %w", err)
	}
	var missing, dup []string
	for n := range recs {
		if !stored[n] {
			continue
		}
		for ci, cl := range opt.Classifiers {
			switch c := counts[n*len(opt.Classifiers)+ci]; {
			case c == 0:
				missing = append(missing, cl+"/"+gen.ID(uint64(n)))
			case c > 1:
				dup = append(dup, cl+"/"+gen.ID(uint64(n)))
			}
		}
	}
	slices.Sort(unknown)
	add := func(what string, ids []string) {
		rep.Violations = addViolation(rep.Violations, opt.Examples, what, ids)
	}
	add("stored posts without their classification", missing)
	add("classifications present more than once after FINAL", dup)
	add("classifications by an unexpected classifier", unknown)
	add("classifications of posts that are not stored", foreign)
	return nil
}

// addViolation appends a violation for ids (none: nothing) with at most examples of them.
func addViolation(vs []Violation, examples int, what string, ids []string) []Violation {
	if len(ids) == 0 {
		return vs
	}
	return append(vs, Violation{What: what, Count: len(ids), Examples: ids[:min(len(ids), examples)]})
}

func scanIDs(ctx context.Context, conn driver.Conn, q, arg string, fn func(id string, c uint64)) error {
	rows, err := conn.Query(ctx, q, arg)
	if err != nil {
		return fmt.Errorf("loadgen: check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var c uint64
		if err := rows.Scan(&id, &c); err != nil {
			return fmt.Errorf("loadgen: check: %w", err)
		}
		fn(id, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("loadgen: check: %w", err)
	}
	return nil
}
