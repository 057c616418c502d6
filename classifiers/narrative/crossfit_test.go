package narrative

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"strconv"
	"testing"
)

// TestCrossFitCandidates is the measurement of issue 14's second round, run on request
// (it trains several models on ../shared/datasets and takes minutes):
//
//	KUZOT_NARR_CROSSFIT=base,lt3,len [KUZOT_NARR_SEEDS=4] [KUZOT_NARR_LEXICON=DIR] [KUZOT_NARR_SHIPPED=1] \
//	    go test -count=1 -v -run TestCrossFitCandidates ./classifiers/narrative/
//
// Every candidate is trained with example-order seeds 1..N on the train parts and
// scored on the dev parts, and each trained model is measured with the calibration
// terms of the shipped model and with the sentence-max term added, two ways: in-sample
// (the calibration and threshold chosen on the whole dev part, as `kuzot train` does)
// and cross-fitted (the calibration fitted on 4/5 of dev and applied to the fifth, 5
// folds, 3 fold assignments; one threshold on the pooled out-of-fold scores), which
// removes the optimism of a calibration term fitted and judged on the same posts. The
// objective is devObjective's. Test parts are never read.
func TestCrossFitCandidates(t *testing.T) {
	spec := os.Getenv("KUZOT_NARR_CROSSFIT")
	if spec == "" {
		t.Skip("set KUZOT_NARR_CROSSFIT to run")
	}
	ctx := context.Background()
	c, err := New(Config{Model: "none", LexiconDir: os.Getenv("KUZOT_NARR_LEXICON")}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := loadData("auto", "", false, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	train, dev, _ := SplitParts(data.Examples)
	masks := []struct {
		name string
		m    calibMask
	}{
		{"shipped-terms", calibMask{true, true, true, true, true}},
		{"sentence-max", calibMask{true, true, true, true, true, true}},
	}
	report := func(name string, m *Model) map[string][2]float64 {
		ss, err := c.scoreExamples(ctx, m, dev)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][2]float64{}
		for _, mk := range masks {
			in, inDetail := crossFitObjective(ss, mk.m, 0)
			cross, _ := crossFitObjective(ss, mk.m, 5)
			out[mk.name] = [2]float64{in, cross}
			fmt.Printf("%s %s: in-sample %.3f, cross-fitted %.3f (%s)\n", name, mk.name, in, cross, inDetail)
		}
		return out
	}
	if os.Getenv("KUZOT_NARR_SHIPPED") != "" {
		m, err := EmbeddedModel()
		if err != nil {
			t.Fatal(err)
		}
		report("embedded "+m.Version(), m)
	}
	seeds := 4
	if s, err := strconv.Atoi(os.Getenv("KUZOT_NARR_SEEDS")); err == nil && s > 0 {
		seeds = s
	}
	for _, name := range splitList(spec) {
		opt, weights, ok := crossFitCandidate(name)
		if !ok {
			t.Fatalf("unknown candidate %q (want base, len, lt2, lt3, ltall2)", name)
		}
		tr := append([]Example(nil), train...)
		for i := range tr {
			if w, ok := weights[tr[i].Dataset]; ok {
				tr[i].Weight = w[0]
				if tr[i].Homophobic {
					tr[i].Weight = w[1]
				}
			}
		}
		mean := map[string][2]float64{}
		for s := 1; s <= seeds; s++ {
			o := opt
			o.Seed = uint64(s)
			m, err := c.Train(ctx, tr, o)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range report(fmt.Sprintf("%s seed %d", name, s), m) {
				a := mean[k]
				a[0] += v[0] / float64(seeds)
				a[1] += v[1] / float64(seeds)
				mean[k] = a
			}
		}
		for _, mk := range masks {
			fmt.Printf("MEAN of %d seeds: %s %s: in-sample %.4f, cross-fitted %.4f\n", seeds, name, mk.name, mean[mk.name][0], mean[mk.name][1])
		}
	}
}

// crossFitCandidate returns a candidate's training options and per-data-set example
// weights (negatives, positives).
func crossFitCandidate(name string) (TrainOptions, map[string][2]float64, bool) {
	switch name {
	case "base":
		return TrainOptions{}, nil, true
	case "len":
		return TrainOptions{Length: true}, nil, true
	case "lt2", "lt3":
		w := float64(name[2] - '0')
		return TrainOptions{}, map[string][2]float64{DatasetLTEDI: {1, w}}, true
	case "ltall2":
		return TrainOptions{}, map[string][2]float64{DatasetLTEDI: {2, 2}}, true
	}
	return TrainOptions{}, nil, false
}

// crossFitObjective is the best dev objective (guard-cap, thresholds 0.01-0.99) of the
// calibration terms in mask: fitted on all of ss when folds is 0, else cross-fitted
// over folds (3 fold assignments, the mean objective).
func crossFitObjective(ss []scored, mask calibMask, folds int) (float64, string) {
	best := func(probs []float64) (float64, string) {
		// the out-of-fold probabilities become the logits of an identity calibration
		cp := append([]scored(nil), ss...)
		for i := range cp {
			p := math.Min(math.Max(probs[i], 1e-12), 1-1e-12)
			cp[i].z = math.Log(p / (1 - p))
		}
		id := [calibDim]float64{1}
		bm, bd := math.Inf(-1), ""
		for ti := 1; ti < 100; ti++ {
			if m, _, d := devObjective(cp, CombineGuardCap, id, float64(ti)/100); m > bm+1e-9 {
				bm, bd = m, d
			}
		}
		return bm, bd
	}
	probs := make([]float64, len(ss))
	if folds == 0 {
		cal := fitCalibration(ss, mask)
		for i := range ss {
			probs[i] = calibrated(cal, ss[i].calibInputs())
		}
		return best(probs)
	}
	const reps = 3
	var sum float64
	for rep := 0; rep < reps; rep++ {
		fold := make([]int, len(ss))
		for i := range ss {
			h := fnv.New32a()
			h.Write([]byte(strconv.Itoa(rep) + ":" + ss[i].ex.ID))
			fold[i] = int(h.Sum32() % uint32(folds))
		}
		for f := 0; f < folds; f++ {
			var fit []scored
			for i := range ss {
				if fold[i] != f {
					fit = append(fit, ss[i])
				}
			}
			cal := fitCalibration(fit, mask)
			for i := range ss {
				if fold[i] == f {
					probs[i] = calibrated(cal, ss[i].calibInputs())
				}
			}
		}
		m, _ := best(probs)
		sum += m
	}
	return sum / reps, ""
}
