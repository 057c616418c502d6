package classifiers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/kuzot/kuzot/post"
)

// Summary is the classifier-independent part of one result, which the store role writes
// to the classifications table without knowing the classifier.
type Summary struct {
	Classifier string   `json:"classifier"`
	Version    string   `json:"version"`
	Flagged    bool     `json:"flagged"`
	Score      float64  `json:"score"`
	Labels     []string `json:"labels"`
}

// Classified is every classifier's verdict on one post: the post, each classifier's full
// result under its name (decoded by the classifier's own DecodeResult), and their
// summaries. It is the message of the results stream (package pipeline carries it).
type Classified struct {
	Post         post.Post                  `json:"post"`
	Results      map[string]json.RawMessage `json:"results"`
	Summaries    []Summary                  `json:"summaries"`
	ClassifiedAt time.Time                  `json:"classified_at"`
}

// MsgID deduplicates results: the post's id and content plus the classifier versions,
// so a re-classification by a new version is stored while a redelivery is not.
func (c *Classified) MsgID() string {
	h := sha256.New()
	for _, s := range c.Summaries {
		h.Write([]byte(s.Classifier + "@" + s.Version + ";"))
	}
	return c.Post.MsgID() + ":" + hex.EncodeToString(h.Sum(nil))[:8]
}

// FlaggedHeader is the value of HeaderFlagged for this result: the classifiers that
// flagged the post, comma-separated in name order, or "-" when none did.
func (c *Classified) FlaggedHeader() string {
	var names []string
	for _, s := range c.Summaries {
		if s.Flagged {
			names = append(names, s.Classifier)
		}
	}
	if len(names) == 0 {
		return "-"
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// ClassifyPost runs every classifier on p. A classifier that fails or panics fails the
// whole post: results are all-or-nothing so that a post is never stored half-classified.
func ClassifyPost(ctx context.Context, cs []Classifier, p *post.Post, now time.Time) (*Classified, error) {
	out := &Classified{Post: *p, Results: make(map[string]json.RawMessage, len(cs)), ClassifiedAt: now.UTC()}
	for _, c := range cs {
		res, version, err := classifySafe(ctx, c, p)
		if err != nil {
			return nil, fmt.Errorf("classifier %s on %s: %w", c.Name(), p.ID, err)
		}
		raw, err := json.Marshal(res)
		if err != nil {
			return nil, fmt.Errorf("classifier %s on %s: encode result: %w", c.Name(), p.ID, err)
		}
		out.Results[c.Name()] = raw
		labels := res.Labels()
		if labels == nil {
			labels = []string{}
		}
		out.Summaries = append(out.Summaries, Summary{
			Classifier: c.Name(), Version: version, Flagged: res.Flagged(), Score: res.Score(), Labels: labels,
		})
	}
	sort.Slice(out.Summaries, func(i, j int) bool { return out.Summaries[i].Classifier < out.Summaries[j].Classifier })
	return out, nil
}

// VersionedClassifier is implemented by classifiers whose model can be swapped while
// they run (the narrative classifier of the classify role): it returns the version of
// the model that produced the result, so that a result never carries the version of a
// model swapped in between Classify and Version.
type VersionedClassifier interface {
	ClassifyVersioned(ctx context.Context, p *post.Post) (Result, string, error)
}

func classifySafe(ctx context.Context, c Classifier, p *post.Post) (res Result, version string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, firstLines(string(debug.Stack()), 12))
		}
	}()
	if vc, ok := c.(VersionedClassifier); ok {
		return vc.ClassifyVersioned(ctx, p)
	}
	res, err = c.Classify(ctx, p)
	return res, c.Version(), err
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
