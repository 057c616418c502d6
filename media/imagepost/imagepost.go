// Package imagepost turns what the ocr role read in one image of a post into a result on
// the results stream, so that the store, alert and web roles treat it like a classified
// post: a derived post (id "<post id>#img<media index>", the parent's source, channel,
// author, URL and times) whose text is the image's redacted OCR text, with the exposure
// verdict of the picture (zones, personal numbers and the text analysis), every other
// classifier's verdict on the redacted text, and an "image" result with the perceptual
// hash, the text sketch, the document kind and the entities' bounding boxes.
//
// Nothing here holds pixels or the plain OCR text once Build returns: the plain text is
// judged in memory by the exposure analysis (inside scan.Scanner) and dropped.
package imagepost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/media/scan"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// Name and Version of the "image" result (a classifier-like entry of the result, stored
// as a classifications row like the others).
const (
	Name    = "image"
	Version = "image/1"
)

// HeaderImage marks a result derived from an image (its value is the parent post id), so
// that the alert role reads it for re-upload matching even when the exposure classifier
// did not flag it.
const HeaderImage = pipeline.HeaderImage

// idSep separates the parent post id from the media index in a derived post id.
const idSep = "#img"

// PostID is the id of the derived post of the index-th media item of parentID.
func PostID(parentID string, index int) string { return parentID + idSep + strconv.Itoa(index) }

// ParentOf splits a derived post id into the parent id and the media index; ok is false
// for an ordinary post id.
func ParentOf(id string) (parent string, index int, ok bool) {
	i := strings.LastIndex(id, idSep)
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+len(idSep):])
	if err != nil || n < 0 {
		return "", 0, false
	}
	return id[:i], n, true
}

// Result is the "image" entry of a derived result: the finding (hash, text sketch,
// kind, verdict, entity types with boxes, redacted OCR text) and the parent post.
type Result struct {
	ParentPostID string `json:"parent_post_id"`
	*scan.Finding
}

// ErrNoResult is returned by DecodeResult for an absent or null image result.
var ErrNoResult = errors.New("imagepost: no image result")

// DecodeResult decodes the "image" entry of a classified post: the one reader of the
// ocr role's JSON contract, used by every consumer (alerts matches re-uploads with it).
func DecodeResult(raw []byte) (*Result, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ErrNoResult
	}
	r := Result{Finding: &scan.Finding{}}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("image result: %w", err)
	}
	return &r, nil
}

// Build makes the result of one image of parent. cs are the classifiers of the process;
// the exposure classifier among them is not run again (the finding holds its analysis
// of the plain OCR text, merged with the zones and personal numbers), every other one
// judges the redacted text.
func Build(ctx context.Context, cs []classifiers.Classifier, parent *post.Post, f *scan.Finding, now time.Time) (*pipeline.Classified, error) {
	if f.MediaIndex < 0 || f.MediaIndex >= len(parent.Media) {
		return nil, fmt.Errorf("imagepost: media index %d of %s out of range", f.MediaIndex, parent.ID)
	}
	p := post.Post{
		ID: PostID(parent.ID, f.MediaIndex), Source: parent.Source, Channel: parent.Channel, Author: parent.Author,
		URL: parent.URL, Text: f.Redacted, PublishedAt: parent.PublishedAt, CollectedAt: parent.CollectedAt,
		Views: parent.Views, ForwardedFrom: parent.ForwardedFrom, ReplyTo: parent.ReplyTo,
		Media: []post.Media{{Kind: parent.Media[f.MediaIndex].Kind, URL: parent.Media[f.MediaIndex].URL}},
		Lang:  parent.Lang, Kind: parent.Kind, ParentID: parent.ParentID, RootID: parent.RootID,
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("imagepost: %w", err)
	}
	others := slices.DeleteFunc(slices.Clone(cs), func(c classifiers.Classifier) bool { return c.Name() == exposure.Name })
	c, err := pipeline.ClassifyPost(ctx, others, &p, now)
	if err != nil {
		return nil, fmt.Errorf("imagepost: %w", err)
	}
	if slices.ContainsFunc(cs, func(c classifiers.Classifier) bool { return c.Name() == exposure.Name }) {
		er := ExposureResult(f)
		raw, err := json.Marshal(er)
		if err != nil {
			return nil, fmt.Errorf("imagepost: encode exposure result: %w", err)
		}
		c.Results[exposure.Name] = raw
		c.Summaries = append(c.Summaries, pipeline.Summary{Classifier: exposure.Name, Version: exposure.Version,
			Flagged: er.Flagged(), Score: er.Score(), Labels: er.Labels()})
	}
	raw, err := json.Marshal(Result{ParentPostID: parent.ID, Finding: f})
	if err != nil {
		return nil, fmt.Errorf("imagepost: encode image result: %w", err)
	}
	c.Results[Name] = raw
	c.Summaries = append(c.Summaries, pipeline.Summary{Classifier: Name, Version: Version, Flagged: f.Exposed,
		Score: float64(exposure.Severity(f.Severity).Rank()) / 4, Labels: Labels(f)})
	sort.Slice(c.Summaries, func(i, j int) bool { return c.Summaries[i].Classifier < c.Summaries[j].Classifier })
	return c, nil
}

// Labels of the image result: kind:<kind>, mrz_valid, the exposed categories and
// severity:<level>.
func Labels(f *scan.Finding) []string {
	out := []string{}
	if f.Kind != "" {
		out = append(out, "kind:"+f.Kind)
	}
	if f.MRZValid {
		out = append(out, "mrz_valid")
	}
	for _, c := range f.Categories {
		out = append(out, string(c))
	}
	if f.Outing {
		out = append(out, "outing")
	}
	return append(out, "severity:"+f.Severity)
}

// ExposureResult is the exposure classifier's result for the picture: the text
// analysis of the plain OCR text with its entities relocated onto the redacted text,
// raised by the document evidence (a valid zone is a high-severity exposure of its
// holder) and with the members the document names (scan.Finding.Members).
func ExposureResult(f *scan.Finding) *exposure.Result {
	a := f.Analysis
	if a == nil {
		a = &exposure.Analysis{Severity: exposure.SeverityNone}
	}
	r := exposure.NewResult(a)
	r.Entities = append([]exposure.Entity{}, f.TextEntities...)
	sev := exposure.Severity(f.Severity)
	if a.Severity.Rank() > sev.Rank() {
		sev = a.Severity
	}
	r.Severity = sev
	r.Exposed = f.Exposed || a.Exposed
	r.Outing = f.Outing || a.Outing
	r.Exposes = append([]exposure.EntityType{}, f.Categories...)
	r.Watchlist = append([]watchlist.Ref{}, f.Members...)
	r.Mentions = []watchlist.Ref{}
	for _, m := range a.Mentions {
		if !slices.Contains(f.Members, m) {
			r.Mentions = append(r.Mentions, m)
		}
	}
	return r
}
