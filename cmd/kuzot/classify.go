package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/post"
)

// maxLineBytes bounds one input line of `kuzot classify` (a 1 MB text fits easily).
const maxLineBytes = 16 << 20

func runClassify(ctx context.Context, args []string, s stdio) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(s.err)
	cfgPath := configFlag(fs)
	watchlist := fs.String("watchlist", "", "plaintext watchlist YAML to match members against (hashed in memory with $KUZOT_WATCHLIST_KEY)")
	only := fs.String("classifiers", "", "comma-separated classifiers to run (default: all registered)")
	withMedia := fs.Bool("media", false, "also fetch each post's photos (and video/link previews), OCR them with tesseract and judge them: adds \"media\":[{media_index, finding|error}] (issue 16)")
	mediaAllow := fs.String("media-allow", "", "comma-separated internal image origins --media may fetch from (the demo site, a test server); others stay refused")
	fs.Usage = func() {
		fmt.Fprintln(s.err, `Usage: kuzot classify [--config FILE] [--watchlist FILE] < posts.jsonl > results.jsonl

Reads posts as JSON lines (at least "id" and "text"; optional lang, source, channel, author, url,
published_at, kind, parent_id, root_id, and "context": the root post's or video's title and text,
which classifiers may use to judge a comment in its thread) and writes one line per post, in order: {"id":…, "<classifier>":{…}, …}.
A line that is not JSON is reported on stderr with its line number; the rest are still classified.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.Log, os.Stderr)
	overrides := map[string]string{}
	if *watchlist != "" {
		overrides["watchlist_file"] = *watchlist
	}
	cs, err := app.BuildClassifiersFor(ctx, cfg, log, splitList(*only), overrides)
	if err != nil {
		return err
	}
	var media mediaFunc
	if *withMedia {
		if media, err = newMediaFunc(ctx, cfg.Collect.UserAgent, cs, splitList(*mediaAllow)); err != nil {
			return err
		}
	}
	return classifyStreamMedia(ctx, cs, media, s.in, s.out, s.err)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// classifyStream classifies JSON lines from in to out, reporting bad lines on errw.
func classifyStream(ctx context.Context, cs []classifiers.Classifier, in io.Reader, out, errw io.Writer) error {
	return classifyStreamMedia(ctx, cs, nil, in, out, errw)
}

// classifyStreamMedia is classifyStream that also judges each post's images when media
// is not nil.
func classifyStreamMedia(ctx context.Context, cs []classifiers.Classifier, media mediaFunc, in io.Reader, out, errw io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<20)
	w := bufio.NewWriterSize(out, 1<<16)
	defer w.Flush()
	bad, total := 0, 0
	for lineNo := 1; ; lineNo++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := readLine(r, maxLineBytes)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			break
		}
		if errors.Is(err, errLineTooLong) {
			bad++
			fmt.Fprintf(errw, "line %d: longer than %d bytes, skipped\n", lineNo, maxLineBytes)
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read line %d: %w", lineNo, err)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		total++
		var p post.Post
		if jerr := json.Unmarshal(line, &p); jerr != nil {
			bad++
			fmt.Fprintf(errw, "line %d: not a JSON post: %v\n", lineNo, jerr)
			continue
		}
		if p.ID == "" {
			bad++
			fmt.Fprintf(errw, "line %d: missing \"id\"\n", lineNo)
			continue
		}
		p.Normalize()
		c, cerr := classifiers.ClassifyPost(ctx, cs, &p, time.Now())
		if cerr != nil {
			bad++
			fmt.Fprintf(errw, "line %d (%s): %v\n", lineNo, p.ID, cerr)
			continue
		}
		var extra []byte
		if media != nil {
			if extra, err = json.Marshal(media(ctx, &p)); err != nil {
				return fmt.Errorf("line %d (%s): media: %w", lineNo, p.ID, err)
			}
		}
		if err := writeResultLine(w, p.ID, c, extra); err != nil {
			return err
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d lines could not be classified (see above)", bad, total)
	}
	return nil
}

// writeResultLine writes {"id":…, "<name>":{…}} with classifiers in registry order.
// media, when not nil, is written last as "media".
func writeResultLine(w *bufio.Writer, id string, c *classifiers.Classified, media []byte) error {
	idJSON, _ := json.Marshal(id)
	w.WriteString(`{"id":`)
	w.Write(idJSON)
	for _, s := range c.Summaries {
		name, _ := json.Marshal(s.Classifier)
		w.WriteByte(',')
		w.Write(name)
		w.WriteByte(':')
		w.Write(c.Results[s.Classifier])
	}
	if media != nil {
		w.WriteString(`,"media":`)
		w.Write(media)
	}
	w.WriteString("}\n")
	return nil
}

var errLineTooLong = errors.New("line too long")

// readLine reads one '\n'-terminated line of at most max bytes; longer lines are
// consumed and reported as errLineTooLong so one huge line cannot exhaust memory.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return buf, err
	}
}
