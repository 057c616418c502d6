package exposure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kuzot/kuzot/classifiers/narrative"
)

// SetRealText is the false-flag evaluation on real public posts: the six files of the
// shared data sets (Russian forum and social posts, English YouTube, Reddit and Twitter
// comments, many of them about LGBT people). None was written as an exposure, and almost
// none is one, so every flag is a candidate false alarm to be read by hand (on the dev
// part only). It measures what the independent sets cannot: how often ordinary real text
// — news, insults, jokes, ads — is taken for an exposure.
const SetRealText = "realtext"

// realTextFiles are the files read, relative to the shared data sets folder
// (narrative.DefaultDatasetsDir).
var realTextFiles = []string{
	"ru-snlp-sensitive-topics/all.jsonl", "ru-snlp-appropriateness/all.jsonl",
	"ltedi2022-en/train.jsonl", "ltedi2022-en/dev.jsonl",
	"en-redditbias-orientation/all.jsonl", "en-mlma/all.jsonl",
}

// realTextSplit is the frozen part of a real post: the narrative rule kuzot-split-v1
// (narrative.SplitOf: FNV-1a-32 of "kuzot-split-v1:"+id mod 100 < 20 is test), and
// LT-EDI's given dev file is test as a whole, so that a post held out for the narrative
// classifier is held out here too. Everything else (the narrative's train and dev parts)
// is this evaluation's dev part.
func realTextSplit(file, id string) string {
	if strings.HasPrefix(file, "ltedi2022-en/dev") || narrative.SplitOf(id) == narrative.PartTest {
		return "test"
	}
	return "dev"
}

// realPost is one post of the real-text evaluation.
type realPost struct {
	ID, Text, Lang, Set string
}

// loadRealText reads the real posts of one part from dir. A dev post whose text (case
// and spacing folded) is also a test post's is left out of dev, as the narrative loader
// does, so that nothing read while tuning is a test post.
func loadRealText(dir, part string) ([]realPost, error) {
	if dir == "" {
		return nil, errors.New("the shared data sets (../shared/datasets) are not found; pass --datasets DIR")
	}
	var dev, test []realPost
	for _, rel := range realTextFiles {
		rows, err := narrative.ReadSharedRows(filepath.Join(dir, rel))
		if err != nil {
			return nil, fmt.Errorf("real text: %w", err)
		}
		set := strings.Split(rel, "/")[0]
		for _, r := range rows {
			// MLMA's tweets carry "@URL" where the link was: put a link back, so that the
			// anonymisation is not read as an account. "@user" stands for a real account
			// and stays.
			p := realPost{ID: r.ID, Text: strings.ReplaceAll(r.Text, "@URL", "https://t.co/link"), Lang: r.Lang, Set: set}
			if realTextSplit(rel, r.ID) == "test" {
				test = append(test, p)
			} else {
				dev = append(dev, p)
			}
		}
	}
	if part == "test" {
		return test, nil
	}
	held := make(map[string]bool, len(test))
	for _, p := range test {
		held[foldText(p.Text)] = true
	}
	out := dev[:0]
	for _, p := range dev {
		if !held[foldText(p.Text)] {
			out = append(out, p)
		}
	}
	return out, nil
}

// foldText is the text lower-cased with runs of spaces collapsed, to find the same post
// in two parts.
func foldText(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// realTextCounts are the flags on the real posts of one data set; Invalid counts the
// posts the analyzer refused (too long: "refused" in the report), which stay in Posts.
type realTextCounts struct {
	Posts, Flagged, Exposed, Outing, Threat, Invalid int
}

// evalRealText classifies every post and prints the flags per data set; with show, it
// prints each flagged post (dev only: the caller refuses show on test).
func evalRealText(ctx context.Context, w io.Writer, an *Analyzer, posts []realPost, show bool) (realTextCounts, error) {
	by := map[string]*realTextCounts{}
	var order []string
	total := &realTextCounts{}
	for i, p := range posts {
		if i%1000 == 0 && ctx.Err() != nil {
			return *total, ctx.Err()
		}
		c := by[p.Set]
		if c == nil {
			c = &realTextCounts{}
			by[p.Set] = c
			order = append(order, p.Set)
		}
		res, err := an.Analyze(p.Text, "", nil)
		for _, x := range []*realTextCounts{c, total} {
			x.Posts++
			if err != nil {
				x.Invalid++
				continue
			}
			if res.Exposed || res.Outing || res.Threat {
				x.Flagged++
			}
			if res.Exposed {
				x.Exposed++
			}
			if res.Outing {
				x.Outing++
			}
			if res.Threat {
				x.Threat++
			}
		}
		if show && err == nil && (res.Exposed || res.Outing || res.Threat) {
			fmt.Fprintf(w, "--- %s exp=%v out=%v thr=%v %v\n%s\n", p.ID, res.Exposed, res.Outing, res.Threat, res.Trace, p.Text)
		}
	}
	fmt.Fprintf(w, "%-28s %7s %8s %8s %7s %7s %10s %8s\n", "data set", "posts", "flagged", "exposed", "outing", "threat", "per 10k", "refused")
	line := func(name string, c *realTextCounts) {
		rate := 0.0
		if c.Posts > 0 {
			rate = 1e4 * float64(c.Flagged) / float64(c.Posts)
		}
		fmt.Fprintf(w, "%-28s %7d %8d %8d %7d %7d %10.1f %8d\n", name, c.Posts, c.Flagged, c.Exposed, c.Outing, c.Threat, rate, c.Invalid)
	}
	for _, s := range order {
		line(s, by[s])
	}
	line("all", total)
	return *total, nil
}
