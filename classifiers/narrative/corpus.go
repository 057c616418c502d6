package narrative

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// corpusFS holds the labelled corpora kept in the repository:
//   - narrative.jsonl: fictional posts written for kuzot with the rules (hate by frame and
//     hard negatives);
//   - independent.jsonl … independent6.jsonl: real-text-like posts written apart from
//     the rules by six writers (issue 14);
//   - ru-annotated.jsonl: real Russian posts of ../shared/datasets, labelled for kuzot
//     (see corpus/README.md or the annotation guidelines in docs).
//
//go:embed corpus
var corpusFS embed.FS

// corpusJSONL is the original corpus (narrative.jsonl).
//
//go:embed corpus/narrative.jsonl
var corpusJSONL []byte

// Names of the embedded corpora, as Example.Dataset.
const (
	DatasetCorpus      = "own-corpus"
	DatasetIndependent = "own-independent"
	// DatasetIndependent2 is the second set written apart from the rules (a second
	// writer; corpus/README-independent2.md).
	DatasetIndependent2 = "own-independent2"
	// DatasetIndependent3 is the third set written apart from the rules (a third
	// writer; corpus/README-independent3.md).
	DatasetIndependent3 = "own-independent3"
	// DatasetIndependent4 and DatasetIndependent5 are the fourth and fifth sets
	// (corpus/README-independent4.md, README-independent5.md).
	DatasetIndependent4 = "own-independent4"
	DatasetIndependent5 = "own-independent5"
	// DatasetIndependent6 is the sixth set (messenger and group-wall traffic: forwards,
	// voice-message transcripts, quoted officials; corpus/README-independent6.md).
	DatasetIndependent6 = "own-independent6"
	DatasetRuAnnotated  = "ru-annotated"
)

// embeddedCorpora maps each embedded corpus file to its data set name.
var embeddedCorpora = []struct{ file, dataset string }{
	{"corpus/narrative.jsonl", DatasetCorpus},
	{"corpus/independent.jsonl", DatasetIndependent},
	{"corpus/independent2.jsonl", DatasetIndependent2},
	{"corpus/independent3.jsonl", DatasetIndependent3},
	{"corpus/independent4.jsonl", DatasetIndependent4},
	{"corpus/independent5.jsonl", DatasetIndependent5},
	{"corpus/independent6.jsonl", DatasetIndependent6},
	{"corpus/ru-annotated.jsonl", DatasetRuAnnotated},
}

// Corpus returns the embedded labelled corpus (narrative.jsonl).
func Corpus() ([]Example, error) {
	exs, errs := ReadExamples(bytes.NewReader(corpusJSONL), true)
	if len(errs) > 0 {
		return nil, fmt.Errorf("embedded corpus: %w", errors.Join(errs...))
	}
	for i := range exs {
		exs[i].Dataset = DatasetCorpus
	}
	return exs, nil
}

// EmbeddedCorpora returns every embedded corpus that is present (narrative.jsonl,
// independent*.jsonl, ru-annotated.jsonl), each example with its Dataset set. Bad lines
// are returned as errors next to the examples that could be read.
func EmbeddedCorpora() ([]Example, []error) {
	var (
		out  []Example
		errs []error
	)
	for _, c := range embeddedCorpora {
		raw, err := corpusFS.ReadFile(c.file)
		if err != nil {
			continue // not written yet
		}
		exs, lerrs := ReadExamples(bytes.NewReader(raw), true)
		for _, e := range lerrs {
			errs = append(errs, fmt.Errorf("%s: %w", c.file, e))
		}
		for i := range exs {
			exs[i].Dataset = c.dataset
		}
		out = append(out, exs...)
	}
	return out, errs
}

// MaxLineBytes bounds one JSONL line when reading labelled data.
const MaxLineBytes = 2 << 20

// LineError is a JSONL line that could not be used; the reader skips it and goes on.
type LineError struct {
	Line int
	Err  error
}

// Error implements error.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause, for errors.Is.
func (e *LineError) Unwrap() error { return e.Err }

// ltediRow is the LT-EDI 2022 JSONL schema (../shared/datasets/ltedi2022-en/README.md).
type ltediRow struct {
	ID         string  `json:"id"`
	Text       string  `json:"text"`
	Lang       string  `json:"lang"`
	Label      string  `json:"label"`
	Homophobic *bool   `json:"homophobic"`
	Frames     []Frame `json:"frames"`
	Labels     []Label `json:"labels"`
	Kind       string  `json:"kind"`
	Target     string  `json:"target"`
}

// ReadExamples reads labelled JSONL (the kuzot corpus schema: id, lang, text,
// homophobic, frames, labels, kind, target; or LT-EDI rows, which carry "homophobic"
// but no frames). Bad lines — not JSON, invalid UTF-8, no id, unknown frame, label or
// kind, a label other than slur_insult or a frame on a non-homophobic item, missing
// homophobic — are returned as *LineError values and skipped; the rest is still read.
// framesKnown says whether the data carries frame labels; an example carries taxonomy
// labels (LabelsKnown) when its line has a "labels" field.
func ReadExamples(r io.Reader, framesKnown bool) ([]Example, []error) {
	var (
		out  []Example
		errs []error
	)
	br := bufio.NewReaderSize(r, 64<<10)
	line := 0
	for {
		raw, err := readLine(br)
		if len(raw) > 0 || err == nil {
			line++
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			ex, perr := parseExample(raw, framesKnown)
			if perr != nil {
				errs = append(errs, &LineError{Line: line, Err: perr})
			} else {
				out = append(out, ex)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, &LineError{Line: line, Err: err})
			if !errors.Is(err, errLineTooLong) {
				break
			}
		}
	}
	return out, errs
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLineBytes)

// readLine returns one line without its newline; an over-long line is consumed and
// reported as errLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) <= MaxLineBytes {
			buf = append(buf, chunk...)
		} else if buf != nil || len(chunk) > 0 {
			// drain the rest of the line
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errLineTooLong
		}
		switch err {
		case nil:
			return bytes.TrimRight(buf, "\r\n"), nil
		case bufio.ErrBufferFull:
			continue
		default:
			return bytes.TrimRight(buf, "\r\n"), err
		}
	}
}

func parseExample(raw []byte, framesKnown bool) (Example, error) {
	if !utf8.Valid(raw) {
		return Example{}, errors.New("not valid UTF-8")
	}
	var row ltediRow
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&row); err != nil {
		return Example{}, fmt.Errorf("not a JSON object: %w", err)
	}
	if dec.More() {
		return Example{}, errors.New("trailing data after the JSON object")
	}
	if strings.TrimSpace(row.ID) == "" {
		return Example{}, errors.New("missing id")
	}
	if row.Homophobic == nil {
		return Example{}, fmt.Errorf("%s: missing homophobic label", row.ID)
	}
	ex := Example{ID: row.ID, Lang: row.Lang, Text: row.Text, Homophobic: *row.Homophobic, Kind: row.Kind, Target: row.Target, FramesKnown: framesKnown}
	if row.Kind != "" && !knownKinds[row.Kind] {
		return Example{}, fmt.Errorf("%s: unknown kind %q", row.ID, row.Kind)
	}
	for _, l := range row.Labels {
		li := labelIndex(l)
		if li < 0 {
			return Example{}, fmt.Errorf("%s: unknown label %q", row.ID, l)
		}
		if !ex.Homophobic && l != LabelSlurInsult {
			return Example{}, fmt.Errorf("%s: label %q on a non-homophobic example", row.ID, l)
		}
		ex.Labels = append(ex.Labels, l)
	}
	ex.LabelsKnown = row.Labels != nil
	for _, f := range row.Frames {
		if frameIndex(f) < 0 {
			return Example{}, fmt.Errorf("%s: unknown frame %q", row.ID, f)
		}
		ex.Frames = append(ex.Frames, f)
	}
	if framesKnown && !ex.Homophobic && len(ex.Frames) > 0 {
		return Example{}, fmt.Errorf("%s: frames on a non-homophobic example", row.ID)
	}
	return ex, nil
}

// ReadExamplesFile reads a labelled JSONL file.
func ReadExamplesFile(path string, framesKnown bool) ([]Example, []error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	exs, errs := ReadExamples(f, framesKnown)
	return exs, errs, nil
}
