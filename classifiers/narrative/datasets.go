package narrative

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// Names of the public data sets under ../shared/datasets (see their SOURCE.md/README.md
// and the citations in README.md of this package).
const (
	DatasetLTEDI      = "ltedi2022-en"
	DatasetRedditBias = "en-redditbias-orientation"
	DatasetMLMA       = "en-mlma"
	// DatasetRuNotLGBT is the posts of ru-snlp-sensitive-topics and
	// ru-snlp-appropriateness that mention nothing LGBT-related (lgbt_related false):
	// Russian negatives, and the measure of the false-flag rate on ordinary posts.
	DatasetRuNotLGBT = "ru-snlp-not-lgbt"
)

// ruNotLGBTSources are the folders whose lgbt_related=false items form DatasetRuNotLGBT.
var ruNotLGBTSources = []string{"ru-snlp-sensitive-topics", "ru-snlp-appropriateness"}

// DefaultDatasetsDir finds ../shared/datasets from the working directory or one of its
// parents (tests run in the package directory, commands at the repo root). It returns
// "" when the shared folder is absent, as on a plain clone.
func DefaultDatasetsDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		for _, cand := range []string{
			filepath.Join(dir, "..", "shared", "datasets"),
			filepath.Join(dir, "shared", "datasets"),
		} {
			if st, err := os.Stat(filepath.Join(cand, DatasetLTEDI)); err == nil && st.IsDir() {
				return cand
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// DefaultLTEDIDir finds ../shared/datasets/ltedi2022-en (see DefaultDatasetsDir); ""
// when absent.
func DefaultLTEDIDir() string {
	d := DefaultDatasetsDir()
	if d == "" {
		return ""
	}
	return filepath.Join(d, DatasetLTEDI)
}

// SharedRow is the common schema of ../shared/datasets/*/all.jsonl (and LT-EDI's files).
// The exposure classifier's real-text evaluation reads the same files through
// ReadSharedRows.
type SharedRow struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	Lang        string `json:"lang"`
	Homophobic  *bool  `json:"homophobic"`
	LGBTRelated *bool  `json:"lgbt_related"`
}

// sharedTarget is a shared row's target for the topic head: lgbt when the row is
// LGBT-related (by its own label or the data set's keyword filter), other when it is
// not, "" (unknown) when the row says nothing.
func sharedTarget(r SharedRow) string {
	switch {
	case r.LGBTRelated == nil:
		return ""
	case *r.LGBTRelated:
		return TargetLGBT
	}
	return TargetOther
}

// ReadSharedRows reads one JSONL file of the shared data sets; a malformed line or a
// line without an id is an error naming the file and the line.
func ReadSharedRows(path string) ([]SharedRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	var out []SharedRow
	br := bufio.NewReaderSize(f, 64<<10)
	for line := 1; ; line++ {
		raw, err := readLine(br)
		if len(strings.TrimSpace(string(raw))) > 0 {
			var r SharedRow
			if jerr := json.Unmarshal(raw, &r); jerr != nil {
				return nil, fmt.Errorf("%s line %d: %w", path, line, jerr)
			}
			if r.ID == "" {
				return nil, fmt.Errorf("%s line %d: missing id", path, line)
			}
			out = append(out, r)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
	}
	return out, nil
}

// DataOptions selects the labelled data LoadData assembles.
type DataOptions struct {
	// DatasetsDir is ../shared/datasets; "" loads the embedded corpora only.
	DatasetsDir string
	// Extra are more corpus-schema JSONL files (id, text, homophobic, frames, labels,
	// kind); their examples get Dataset "extra:<file name>" unless they name one.
	Extra []string
	// NoEmbedded leaves out the embedded corpora (narrative, independent, independent2,
	// ru-annotated).
	NoEmbedded bool
}

// Data is the assembled labelled data, every example with its Dataset and Part.
type Data struct {
	Examples []Example
	// Sources describes what was loaded, for the model header and reports.
	Sources []string
	// Warnings are skipped lines and similar problems that did not stop loading.
	Warnings []error
}

// LoadData reads the embedded corpora and the public data sets and assigns each example
// its frozen part:
//   - embedded corpora, RedditBias, MLMA and the Russian not-LGBT posts: SplitOf(id);
//   - LT-EDI 2022: its dev file is the test part; its train file is split by
//     SplitTrainFile (dev carved out, the rest train);
//   - an exact duplicate text (case and spacing folded) of a test item is dropped from
//     train and dev, and one of a dev item from train, so no text leaks across parts.
//
// Labels: RedditBias homophobic true/false (null = unannotated, left out); MLMA
// homophobic true against the rest; the ru-snlp posts with lgbt_related false as
// negatives (kind ordinary), except those the Russian annotation labels itself.
func LoadData(opt DataOptions) (*Data, error) {
	d := &Data{}
	if !opt.NoEmbedded {
		exs, errs := EmbeddedCorpora()
		d.Warnings = append(d.Warnings, errs...)
		counts := map[string]int{}
		for _, e := range exs {
			counts[e.Dataset]++
		}
		for _, c := range embeddedCorpora {
			if counts[c.dataset] > 0 {
				d.Sources = append(d.Sources, fmt.Sprintf("%s (%s, %d)", c.dataset, c.file, counts[c.dataset]))
			}
		}
		d.Examples = append(d.Examples, exs...)
	}
	for _, path := range opt.Extra {
		exs, errs, err := ReadExamplesFile(path, true)
		if err != nil {
			return nil, err
		}
		for _, e := range errs {
			d.Warnings = append(d.Warnings, fmt.Errorf("%s: %w", path, e))
		}
		for i := range exs {
			if exs[i].Dataset == "" {
				exs[i].Dataset = "extra:" + filepath.Base(path)
			}
		}
		d.Sources = append(d.Sources, fmt.Sprintf("%s (%d)", path, len(exs)))
		d.Examples = append(d.Examples, exs...)
	}
	if opt.DatasetsDir != "" {
		if err := d.loadShared(opt.DatasetsDir); err != nil {
			return nil, err
		}
	}
	for i := range d.Examples {
		if d.Examples[i].Part == "" {
			d.Examples[i].Part = SplitOf(d.Examples[i].ID)
		}
	}
	d.Examples = dedupAcrossParts(d.Examples)
	return d, nil
}

func (d *Data) loadShared(dir string) error {
	// LT-EDI 2022 English: 3-class labels, homophobic = Homophobic or Transphobic.
	for _, f := range []struct {
		file string
		part func(string) Part
	}{
		{"train.jsonl", SplitTrainFile},
		{"dev.jsonl", func(string) Part { return PartTest }},
	} {
		rows, err := ReadSharedRows(filepath.Join(dir, DatasetLTEDI, f.file))
		if err != nil {
			return fmt.Errorf("LT-EDI: %w", err)
		}
		n := 0
		for _, r := range rows {
			if r.Homophobic == nil {
				continue
			}
			d.Examples = append(d.Examples, Example{ID: r.ID, Lang: "en", Text: r.Text, Homophobic: *r.Homophobic,
				Dataset: DatasetLTEDI, Part: f.part(r.ID)})
			n++
		}
		role := "train and dev parts"
		if f.file == "dev.jsonl" {
			role = "its test part, never trained or tuned on"
		}
		d.Sources = append(d.Sources, fmt.Sprintf("%s %s (%d, %s)", DatasetLTEDI, f.file, n, role))
	}
	// RedditBias orientation: human "biased" label; null = not annotated.
	rows, err := ReadSharedRows(filepath.Join(dir, DatasetRedditBias, "all.jsonl"))
	if err != nil {
		return fmt.Errorf("RedditBias: %w", err)
	}
	n := 0
	for _, r := range rows {
		if r.Homophobic == nil {
			continue
		}
		d.Examples = append(d.Examples, Example{ID: r.ID, Lang: "en", Text: r.Text, Homophobic: *r.Homophobic, Dataset: DatasetRedditBias,
			Target: sharedTarget(r)})
		n++
	}
	d.Sources = append(d.Sources, fmt.Sprintf("%s (%d annotated)", DatasetRedditBias, n))
	// MLMA English: homophobic true against everything else (null = an LGBT keyword but
	// another annotated target: not a narrative about LGBT people).
	rows, err = ReadSharedRows(filepath.Join(dir, DatasetMLMA, "all.jsonl"))
	if err != nil {
		return fmt.Errorf("MLMA: %w", err)
	}
	for _, r := range rows {
		d.Examples = append(d.Examples, Example{ID: r.ID, Lang: "en", Text: r.Text, Homophobic: r.Homophobic != nil && *r.Homophobic, Dataset: DatasetMLMA,
			Target: sharedTarget(r)})
	}
	d.Sources = append(d.Sources, fmt.Sprintf("%s (%d)", DatasetMLMA, len(rows)))
	// Russian posts that mention nothing LGBT-related, unless annotated for kuzot.
	annotated := map[string]bool{}
	for _, e := range d.Examples {
		if e.Dataset == DatasetRuAnnotated {
			annotated[e.ID] = true
			annotated["text:"+textKey(e.Text)] = true
		}
	}
	n = 0
	for _, src := range ruNotLGBTSources {
		rows, err := ReadSharedRows(filepath.Join(dir, src, "all.jsonl"))
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		for _, r := range rows {
			if r.LGBTRelated == nil || *r.LGBTRelated || annotated[r.ID] || annotated["text:"+textKey(r.Text)] {
				continue
			}
			d.Examples = append(d.Examples, Example{ID: r.ID, Lang: "ru", Text: r.Text, Dataset: DatasetRuNotLGBT, Target: TargetNone})
			n++
		}
	}
	d.Sources = append(d.Sources, fmt.Sprintf("%s (%d)", DatasetRuNotLGBT, n))
	return nil
}

// textKey folds case and spacing so trivially different copies of a text compare equal.
func textKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

var partRank = map[Part]int{PartTrain: 0, PartDev: 1, PartTest: 2}

// dedupAcrossParts drops train and dev copies of texts that also occur in a stricter
// part (test > dev > train).
func dedupAcrossParts(exs []Example) []Example {
	best := map[string]int{}
	for _, e := range exs {
		k := textKey(e.Text)
		if r, ok := best[k]; !ok || partRank[e.Part] > r {
			best[k] = partRank[e.Part]
		}
	}
	out := exs[:0]
	for _, e := range exs {
		if partRank[e.Part] < best[textKey(e.Text)] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// errNoData is returned when no labelled example is left to train or evaluate on.
var errNoData = errors.New("no labelled data")
