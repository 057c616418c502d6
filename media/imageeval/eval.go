// Package imageeval is `kuzot eval exposure --images`: it renders the generated
// labelled image set (media/imagegen) in memory, runs the image scanner (media/scan) on
// the pictures of one frozen split at 100% scale, and reports exposed recall/precision
// per kind, the rate of machine-readable zones parsed exactly, re-upload matching recall
// over the variants (rescaled, recompressed, cropped, rotated) and false joins of
// unrelated pictures against the index of exposing ones.
package imageeval

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/imagegen"
	"github.com/kuzot/kuzot/media/mrz"
	"github.com/kuzot/kuzot/media/ocr"
	"github.com/kuzot/kuzot/media/phash"
	"github.com/kuzot/kuzot/media/scan"
)

// Targets are issue 16's acceptance figures.
var Targets = struct {
	Recall, Precision, MRZExact, Reupload float64
	FalseJoins                            int
}{0.90, 0.90, 0.95, 0.95, 0}

// Options select what one run measures.
type Options struct {
	Split      string // dev or test
	PerKind    int
	Unrelated  int
	Workers    int
	Seed       uint64
	Thresholds phash.Thresholds
	// Show lists each misjudged picture (dev only).
	Show bool
	// MRZVariants also scans every re-upload variant (scale, JPEG, crop, rotation) of
	// the pictures with a valid zone and reports the exact parse rate per variant.
	MRZVariants bool
	// Cache, when set, keeps the OCR text the re-upload rule reads (variants, unrelated
	// pictures) on disk, so reruns of a large false-join count are cheap.
	Cache *TextCache
	// FalseJoinsOnly measures the false-join count alone: the exposing pictures of the
	// split are scanned as the ocr role scans them (zone second pass included, not
	// through Cache) to build the index, and no recall, zone or re-upload figure is
	// computed.
	FalseJoinsOnly bool
	// Progress, when positive, writes a line to stderr every Progress unrelated pictures.
	Progress int
	// UnrelatedFrom skips the unrelated pictures before this index (a run resumed, or a
	// range checked on its own); the pictures are the same whatever the range.
	UnrelatedFrom int
	// UnrelatedOnly, when set, checks only these unrelated pictures (by index, the
	// number that ends their id) and explains each decision on stderr.
	UnrelatedOnly []int
}

// VariantMRZ is the exact parse rate of zones on one kind of variant.
type VariantMRZ struct {
	Variant      string
	Exact, Total int
}

// KindFigures are the counts of one kind.
type KindFigures struct {
	Kind           string
	N, TP, FP, FN  int
	Recall, Precis float64
}

// Report is the outcome of one run.
type Report struct {
	Split                    string
	Images                   int
	Kinds                    []KindFigures
	TP, FP, FN               int
	Recall, Precision        float64
	MRZTotal, MRZExact       int
	MRZInvalidCalledValid    int
	ReuploadTotal, Reuploads int
	Unrelated, FalseJoins    int
	// UnrelatedRead is the number of unrelated pictures that were hash candidates and
	// had to be read.
	UnrelatedRead int
	// UnrelatedRescanned is the number of them that joined on their first-pass text and
	// were scanned again as the ocr role scans them.
	UnrelatedRescanned int
	// FalseJoinsOnly marks a run that measured the false-join count alone.
	FalseJoinsOnly bool
	OCRSeconds     float64
	// MRZByVariant is filled with Options.MRZVariants: "base" first, then each variant.
	MRZByVariant []VariantMRZ
	Errors       []string
}

// Run evaluates one split.
func Run(ctx context.Context, o Options, scanner *scan.Scanner, stderr io.Writer) (*Report, error) {
	if o.Split != "dev" && o.Split != "test" {
		return nil, fmt.Errorf("eval images: unknown split %q (dev or test)", o.Split)
	}
	fonts, err := imagegen.LoadFonts()
	if err != nil {
		return nil, err
	}
	g := &imagegen.Generator{Fonts: fonts, Seed: o.Seed, Now: imagegen.DefaultNow}
	var bases []imagegen.Base
	for _, b := range g.Bases(o.PerKind) {
		if b.Split == o.Split {
			bases = append(bases, b)
		}
	}
	rep := &Report{Split: o.Split, Images: len(bases)}
	// readText is the OCR text the re-upload rule compares (through the cache when set).
	readText := func(img image.Image) (string, error) {
		if o.Cache != nil {
			return o.Cache.Text(ctx, img)
		}
		res, err := scanner.OCR.Recognize(ctx, img)
		if err != nil {
			return "", err
		}
		return res.Text, nil
	}
	if o.FalseJoinsOnly {
		rep.FalseJoinsOnly = true
		index := phash.NewIndex(o.Thresholds)
		var exposing []imagegen.Base
		for _, b := range bases {
			if b.Truth.Exposed {
				exposing = append(exposing, b)
			}
		}
		errs := make([]error, len(exposing))
		start := time.Now()
		// The exposing pictures are scanned as the ocr role scans them (the zone's
		// second pass confirms fields the first pass may miss), as in the full run.
		parallel(ctx, o.Workers, len(exposing), func(i int) {
			f, err := scanner.Scan(ctx, 0, exposing[i].Image, "")
			if err != nil {
				errs[i] = err
				return
			}
			index.Add(f.Hash, f.Sig, exposing[i].ID)
		})
		rep.OCRSeconds = time.Since(start).Seconds()
		for i, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("eval images: %s: %w", exposing[i].ID, err)
			}
		}
		rep.Images = len(exposing)
		if err := falseJoins(ctx, o, fonts, index, readText, scanner, rep, stderr); err != nil {
			return nil, err
		}
		sort.Strings(rep.Errors)
		return rep, nil
	}
	findings := make([]*scan.Finding, len(bases))
	errs := make([]error, len(bases))
	start := time.Now()
	parallel(ctx, o.Workers, len(bases), func(i int) {
		findings[i], errs[i] = scanner.Scan(ctx, 0, bases[i].Image, "")
	})
	rep.OCRSeconds = time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	per := map[string]*KindFigures{}
	for i, b := range bases {
		if errs[i] != nil {
			return nil, fmt.Errorf("eval images: %s: %w", b.ID, errs[i])
		}
		f := findings[i]
		k := per[b.Kind]
		if k == nil {
			k = &KindFigures{Kind: b.Kind}
			per[b.Kind] = k
		}
		k.N++
		switch {
		case b.Truth.Exposed && f.Exposed:
			k.TP++
		case b.Truth.Exposed:
			k.FN++
			rep.Errors = append(rep.Errors, fmt.Sprintf("missed %s (kind %q, severity %s)", b.ID, f.Kind, f.Severity))
		case f.Exposed:
			k.FP++
			rep.Errors = append(rep.Errors, fmt.Sprintf("false alarm %s (kind %q, severity %s, categories %v)", b.ID, f.Kind, f.Severity, f.Categories))
		}
		if b.Truth.HasMRZ {
			valid := false
			for _, z := range f.Zones {
				valid = valid || z.Valid()
			}
			if b.Truth.MRZValid {
				rep.MRZTotal++
				if exact(f.Zones, b.Truth.Holder) {
					rep.MRZExact++
				} else {
					rep.Errors = append(rep.Errors, fmt.Sprintf("MRZ not parsed exactly: %s (%d zones, valid %v)", b.ID, len(f.Zones), valid))
				}
			} else if valid {
				rep.MRZInvalidCalledValid++
				rep.Errors = append(rep.Errors, fmt.Sprintf("broken MRZ read as valid: %s", b.ID))
			}
		}
	}
	for _, kind := range imagegen.Kinds {
		k := per[kind]
		if k == nil {
			continue
		}
		k.Recall, k.Precis = ratio(k.TP, k.TP+k.FN), ratio(k.TP, k.TP+k.FP)
		rep.TP, rep.FP, rep.FN = rep.TP+k.TP, rep.FP+k.FP, rep.FN+k.FN
		rep.Kinds = append(rep.Kinds, *k)
	}
	rep.Recall, rep.Precision = ratio(rep.TP, rep.TP+rep.FN), ratio(rep.TP, rep.TP+rep.FP)

	if o.MRZVariants {
		if err := mrzVariants(ctx, o, g, bases, scanner, rep); err != nil {
			return nil, err
		}
	}

	// Re-uploads: every variant of an exposing picture must find its original.
	index := phash.NewIndex(o.Thresholds)
	var exposing []imagegen.Base
	for i, b := range bases {
		if b.Truth.Exposed {
			index.Add(findings[i].Hash, findings[i].Sig, b.ID)
			exposing = append(exposing, b)
		}
	}
	// sigOf reads the words of a picture, only when its hashes make it a candidate
	// (as the ocr role, which reads every picture anyway, would have them).
	sigOf := func(img image.Image, h phash.Hash) phash.TextSig {
		if len(index.Candidates(h)) == 0 {
			return phash.TextSig{}
		}
		text, err := readText(img)
		if err != nil {
			return phash.TextSig{}
		}
		return phash.SigOf(text)
	}
	var mu sync.Mutex
	parallel(ctx, o.Workers, len(exposing), func(i int) {
		b := exposing[i]
		for _, v := range imagegen.Variants(b.Image, g.VariantRand(b.ID)) {
			h, err := phash.Of(v.Image)
			m, ok := index.Nearest(h, sigOf(v.Image, h))
			mu.Lock()
			rep.ReuploadTotal++
			if err == nil && ok && m.ID == b.ID {
				rep.Reuploads++
			} else {
				rep.Errors = append(rep.Errors, fmt.Sprintf("re-upload %s.%s not matched (nearest %q at %d/%d)", b.ID, v.Name, m.ID, m.P, m.D))
			}
			mu.Unlock()
		}
	})
	if err := falseJoins(ctx, o, fonts, index, readText, scanner, rep, stderr); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Strings(rep.Errors)
	return rep, nil
}

// falseJoins counts the unrelated pictures of every kind (other invented people, other
// scenes, the same templates) that join an exposing picture of index: none must. A
// picture is read only when its hashes make it a candidate (as the ocr role, which
// reads every picture anyway, would have its words). A candidate that joins on its
// first-pass text is scanned again as the ocr role scans it (scan.Scanner.Scan: the
// zone's second pass confirms fields the first pass garbled, not cached), and that
// sketch decides. A candidate refused on its first-pass text is not scanned again: the
// second pass only adds confirmed zone fields, and those could turn a refusal into a
// join only when the document number (16 bits of its hash) and another field (8 bits)
// of another person's document collide with the indexed one's.
func falseJoins(ctx context.Context, o Options, fonts *imagegen.Fonts, index *phash.Index, readText func(image.Image) (string, error), scanner *scan.Scanner, rep *Report, stderr io.Writer) error {
	ug := &imagegen.Generator{Fonts: fonts, Seed: o.Seed + 1_000_003, Now: imagegen.DefaultNow}
	picks := o.UnrelatedOnly
	if len(picks) == 0 {
		for i := max(0, o.UnrelatedFrom); i < o.Unrelated; i++ {
			picks = append(picks, i)
		}
	}
	explain := len(o.UnrelatedOnly) > 0
	rep.Unrelated = len(picks)
	var mu sync.Mutex
	done, read, rescanned := 0, 0, 0
	var ocrErr error
	start := time.Now()
	fail := func(id string, err error) {
		mu.Lock()
		ocrErr = fmt.Errorf("eval images: %s: %w", id, err)
		mu.Unlock()
	}
	parallel(ctx, o.Workers, len(picks), func(k int) {
		b := UnrelatedBase(ug, picks[k])
		h, err := phash.Of(b.Image)
		if err != nil {
			return
		}
		var sig phash.TextSig
		candidate := len(index.Candidates(h)) > 0
		if candidate {
			text, err := readText(b.Image)
			if err != nil {
				fail(b.ID, err)
				return
			}
			sig = phash.SigOf(text)
		}
		m, joined := index.Nearest(h, sig)
		var notes []string
		if explain {
			notes = append(notes, fmt.Sprintf("%s: candidate %v, first pass: %s", b.ID, candidate, index.Explain(h, sig)))
		}
		again := false
		if joined {
			// The ocr role would have the zone's second pass: decide on its sketch.
			f, err := scanner.Scan(ctx, 0, b.Image, "")
			if err != nil {
				fail(b.ID, err)
				return
			}
			again = true
			m, joined = index.Nearest(h, f.Sig)
			if explain {
				notes = append(notes, fmt.Sprintf("%s: scanned as the ocr role does: %s", b.ID, index.Explain(h, f.Sig)))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, n := range notes {
			fmt.Fprintln(stderr, n)
		}
		done++
		if candidate {
			read++
		}
		if again {
			rescanned++
		}
		if joined {
			rep.FalseJoins++
			msg := fmt.Sprintf("false join: %s matched %s at %d/%d", b.ID, m.ID, m.P, m.D)
			rep.Errors = append(rep.Errors, msg)
			if o.Progress > 0 || explain {
				// At once: a long run stopped early still names what it found.
				fmt.Fprintln(stderr, msg)
			}
		}
		if o.Progress > 0 && done%o.Progress == 0 {
			fmt.Fprintf(stderr, "false joins: %d/%d unrelated pictures done (%d read, %d scanned again), %d false joins, %.0f s\n",
				done, len(picks), read, rescanned, rep.FalseJoins, time.Since(start).Seconds())
		}
	})
	rep.UnrelatedRead = read
	rep.UnrelatedRescanned = rescanned
	if err := ctx.Err(); err != nil {
		return err
	}
	return ocrErr
}

// UnrelatedBase renders the i-th unrelated picture of ug (kinds and languages in
// rotation; id "unrelated-<kind>-<lang>-<i>").
func UnrelatedBase(ug *imagegen.Generator, i int) imagegen.Base {
	kind := imagegen.Kinds[i%len(imagegen.Kinds)]
	lang := imagegen.Langs[(i/len(imagegen.Kinds))%len(imagegen.Langs)]
	return ug.Base(fmt.Sprintf("unrelated-%s-%s-%d", kind, lang, i), kind, lang)
}

// parseUnrelated reads a comma-separated list of unrelated pictures, each an index or
// an id ending in "-<index>".
func parseUnrelated(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f[strings.LastIndexByte(f, '-')+1:])
		if err != nil || n < 0 {
			return nil, fmt.Errorf("eval images: --unrelated-only: %q is neither an index nor an unrelated picture's id", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// mrzVariants scans the variants of every picture with a valid zone and counts exact
// parses per variant.
func mrzVariants(ctx context.Context, o Options, g *imagegen.Generator, bases []imagegen.Base, scanner *scan.Scanner, rep *Report) error {
	type job struct {
		b       imagegen.Base
		variant string
		img     image.Image
	}
	var jobs []job
	for _, b := range bases {
		if !b.Truth.MRZValid {
			continue
		}
		for _, v := range imagegen.Variants(b.Image, g.VariantRand(b.ID)) {
			jobs = append(jobs, job{b, v.Name, v.Image})
		}
	}
	ok := make([]bool, len(jobs))
	errs := make([]error, len(jobs))
	parallel(ctx, o.Workers, len(jobs), func(i int) {
		f, err := scanner.Scan(ctx, 0, jobs[i].img, "")
		if err != nil {
			errs[i] = err
			return
		}
		ok[i] = exact(f.Zones, jobs[i].b.Truth.Holder)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	base := VariantMRZ{Variant: "base", Exact: rep.MRZExact, Total: rep.MRZTotal}
	per := map[string]*VariantMRZ{}
	var order []string
	for i, j := range jobs {
		if errs[i] != nil {
			return fmt.Errorf("eval images: %s.%s: %w", j.b.ID, j.variant, errs[i])
		}
		v := per[j.variant]
		if v == nil {
			v = &VariantMRZ{Variant: j.variant}
			per[j.variant] = v
			order = append(order, j.variant)
		}
		v.Total++
		if ok[i] {
			v.Exact++
		} else {
			rep.Errors = append(rep.Errors, fmt.Sprintf("MRZ not parsed exactly: %s.%s", j.b.ID, j.variant))
		}
	}
	rep.MRZByVariant = append(rep.MRZByVariant, base)
	for _, n := range order {
		rep.MRZByVariant = append(rep.MRZByVariant, *per[n])
	}
	return nil
}

// exact reports whether one zone carries exactly the holder's fields.
func exact(zs []mrz.Zone, h mrz.Holder) bool {
	for _, z := range zs {
		if z.Valid() && z.DocumentNumber == h.DocumentNumber && z.Surname == h.Surname && z.GivenNames == h.GivenNames &&
			z.BirthDate.Equal(h.BirthDate) && z.ExpiryDate.Format("060102") == h.ExpiryDate.Format("060102") &&
			z.Sex == h.Sex && z.Issuer == h.Issuer && z.Optional1 == h.Optional1 {
			return true
		}
	}
	return false
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// parallel runs f(0..n-1) on workers goroutines.
func parallel(ctx context.Context, workers, n int, f func(int)) {
	if workers < 1 {
		workers = 1
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// Print writes the report.
func (r *Report) Print(w io.Writer, show bool) {
	if r.FalseJoinsOnly {
		fmt.Fprintf(w, "images: split %s, index of %d exposing pictures (hashes and OCR text %.1f s)\n", r.Split, r.Images, r.OCRSeconds)
		fmt.Fprintf(w, "false joins on %d unrelated pictures: %d (%d were hash candidates and were read, %d scanned again)\n", r.Unrelated, r.FalseJoins, r.UnrelatedRead, r.UnrelatedRescanned)
		if show {
			for _, e := range r.Errors {
				fmt.Fprintln(w, "  ", e)
			}
		}
		return
	}
	fmt.Fprintf(w, "images: split %s, %d pictures at 100%% scale, OCR %.1f s\n", r.Split, r.Images, r.OCRSeconds)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tn\ttp\tfp\tfn\trecall\tprecision")
	for _, k := range r.Kinds {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", k.Kind, k.N, k.TP, k.FP, k.FN, fig(k.Recall, k.TP+k.FN), fig(k.Precis, k.TP+k.FP))
	}
	fmt.Fprintf(tw, "all\t%d\t%d\t%d\t%d\t%.3f\t%.3f\n", r.Images, r.TP, r.FP, r.FN, r.Recall, r.Precision)
	tw.Flush()
	fmt.Fprintf(w, "MRZ parsed exactly: %d/%d = %.3f (broken zones read as valid: %d)\n", r.MRZExact, r.MRZTotal, ratio(r.MRZExact, r.MRZTotal), r.MRZInvalidCalledValid)
	for _, v := range r.MRZByVariant {
		fmt.Fprintf(w, "  MRZ exact on %-8s %d/%d = %.3f\n", v.Variant, v.Exact, v.Total, ratio(v.Exact, v.Total))
	}
	fmt.Fprintf(w, "re-upload matching recall: %d/%d = %.3f\n", r.Reuploads, r.ReuploadTotal, ratio(r.Reuploads, r.ReuploadTotal))
	fmt.Fprintf(w, "false joins on %d unrelated pictures: %d\n", r.Unrelated, r.FalseJoins)
	if show {
		for _, e := range r.Errors {
			fmt.Fprintln(w, "  ", e)
		}
	}
}

func fig(v float64, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

// Met reports whether every target holds.
func (r *Report) Met() bool {
	if r.FalseJoinsOnly {
		return r.FalseJoins <= Targets.FalseJoins
	}
	return r.Recall >= Targets.Recall && r.Precision >= Targets.Precision &&
		ratio(r.MRZExact, r.MRZTotal) >= Targets.MRZExact && ratio(r.Reuploads, r.ReuploadTotal) >= Targets.Reupload &&
		r.FalseJoins <= Targets.FalseJoins
}

// Command is `kuzot eval exposure --images [flags]`.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval exposure --images", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("images", true, "evaluate the generated image set (this command)")
	split := fs.String("split", "dev", "dev or test (the frozen part: FNV-1a of the picture id mod 5 == 0)")
	perKind := fs.Int("per-kind", 20, "pictures generated per kind (about a fifth fall in test)")
	unrelated := fs.Int("unrelated", 10000, "unrelated pictures for the false-join count")
	workers := fs.Int("workers", max(1, runtime.NumCPU()), "parallel OCR processes")
	seed := fs.Uint64("seed", imagegen.DefaultSeed, "generator seed")
	show := fs.Bool("show", false, "list the misjudged pictures (dev only)")
	mrzVar := fs.Bool("mrz-variants", false, "also scan the variants of pictures with a valid zone: exact parse rate per scale/JPEG/crop/rotation")
	errorsOnly := fs.Bool("errors", false, "list the ids of misjudged pictures (dev only)")
	strict := fs.Bool("strict", false, "exit with an error when a target is not met")
	tess := fs.String("tesseract", "tesseract", "tesseract binary")
	ocrTimeout := fs.Duration("ocr-timeout", time.Minute, "bound on one tesseract run (a loaded machine needs more)")
	cacheDir := fs.String("cache", "", "directory keeping the OCR text of the pictures the re-upload rule reads (never the pictures), so reruns are cheap; empty: no cache")
	fjOnly := fs.Bool("false-joins-only", false, "measure the false-join count alone (index of the split's exposing pictures, --unrelated pictures)")
	progress := fs.Int("progress", 0, "write a progress line to stderr every N unrelated pictures (0: none)")
	unrelatedFrom := fs.Int("unrelated-from", 0, "check the unrelated pictures from this index on (to --unrelated)")
	unrelatedOnly := fs.String("unrelated-only", "", "check only these unrelated pictures (comma-separated indices or ids such as unrelated-id_card-ky-6979) and explain each decision on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*show || *errorsOnly) && *split == "test" {
		return errors.New("eval images: --show/--errors list pictures of the dev split only (the test split stays unseen)")
	}
	only, err := parseUnrelated(*unrelatedOnly)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kuzot-eval-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cls, err := exposure.NewWithOptions(ctx, exposure.Options{Config: exposure.Config{WatchlistDir: dir}, Getenv: func(string) string { return "" }})
	if err != nil {
		return fmt.Errorf("eval images: exposure classifier: %w", err)
	}
	t := &ocr.Tesseract{Path: *tess, Timeout: *ocrTimeout}
	if err := t.Check(ctx); err != nil {
		return err
	}
	sc := &scan.Scanner{OCR: t, Analyze: cls.Analyze, Now: func() time.Time { return imagegen.DefaultNow }}
	var cache *TextCache
	if *cacheDir != "" {
		if err := os.MkdirAll(*cacheDir, 0o700); err != nil {
			return err
		}
		cache = &TextCache{Dir: *cacheDir, OCR: t}
	}
	rep, err := Run(ctx, Options{Split: *split, PerKind: *perKind, Unrelated: *unrelated, Workers: *workers, Seed: *seed,
		Thresholds: phash.DefaultThresholds(), Show: *show, MRZVariants: *mrzVar, Cache: cache, FalseJoinsOnly: *fjOnly,
		Progress: *progress, UnrelatedFrom: *unrelatedFrom, UnrelatedOnly: only}, sc, stderr)
	if err != nil {
		return err
	}
	rep.Print(stdout, *show || *errorsOnly)
	if cache != nil {
		fmt.Fprintf(stderr, "OCR text cache %s: %d hits, %d misses\n", cache.Dir, cache.Hits.Load(), cache.Misses.Load())
	}
	if *strict && !rep.Met() {
		return errors.New("eval images: a target is not met")
	}
	return nil
}
