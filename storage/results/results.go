// Package results turns classify results (classifiers.Classified) into the rows of the
// tables the store role writes from them — classifications, exposures and narrative_posts —
// and writes them. It is the one writer of those three tables; the mapping of each
// classifier's result to its table lives here, decoded through the classifier's own
// result type.
package results

import (
	"context"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/storage"
)

// Write stores a batch of classify results: exposures first, then classifications, then
// the web explorer's time-ordered copy of narrative results (narrative_posts, migration
// 0026). If any insert fails the whole batch is retried, and every table is idempotent
// (ReplacingMergeTree keyed by the natural id).
func Write(ctx context.Context, conn driver.Conn, rows []classifiers.Classified) error {
	if err := storage.InsertExposures(ctx, conn, ExposureRows(rows)); err != nil {
		return err
	}
	if err := storage.InsertClassifications(ctx, conn, ClassificationRows(rows)); err != nil {
		return err
	}
	return storage.InsertNarrativePosts(ctx, conn, NarrativeRows(rows))
}

// ClassificationRows flattens results into one classifications row per classifier.
func ClassificationRows(rows []classifiers.Classified) []storage.Classification {
	out := make([]storage.Classification, 0, len(rows)*2)
	for _, c := range rows {
		for _, s := range c.Summaries {
			out = append(out, storage.Classification{
				PostID: c.Post.ID, Classifier: s.Classifier, ClassifierVersion: s.Version, Flagged: s.Flagged,
				Score: s.Score, Labels: s.Labels, Result: string(c.Results[s.Classifier]),
				Source: c.Post.Source, Channel: c.Post.Channel, Author: c.Post.Author, Lang: c.Post.Lang,
				PublishedAt: c.Post.PublishedAt, ClassifiedAt: c.ClassifiedAt,
			})
		}
	}
	return out
}

// ExposureRows extracts the exposures table rows from classify results: one row per
// post the exposure classifier flagged. The evidence is redacted here from the entity
// offsets, so no identifier reaches the table.
func ExposureRows(rows []classifiers.Classified) []storage.Exposure {
	var out []storage.Exposure
	for _, c := range rows {
		raw, ok := c.Results[exposure.Name]
		if !ok {
			continue
		}
		var sum *classifiers.Summary
		for i := range c.Summaries {
			if c.Summaries[i].Classifier == exposure.Name {
				sum = &c.Summaries[i]
			}
		}
		if sum == nil || !sum.Flagged {
			continue
		}
		r, err := exposure.DecodeResult(raw)
		if err != nil {
			// Validated when the result was produced; an unreadable one is skipped
			// here rather than blocking the classifications batch.
			continue
		}
		redacted, _ := exposure.Redact(c.Post.Text, r.Entities, exposure.AudienceStored) // never fails for this audience
		e := storage.Exposure{
			PostID: c.Post.ID, Source: c.Post.Source, Channel: c.Post.Channel, Author: c.Post.Author, URL: c.Post.URL,
			Lang: c.Post.Lang, PublishedAt: c.Post.PublishedAt, CollectedAt: c.Post.CollectedAt, Views: c.Post.Views,
			Exposed: r.Exposed, Outing: r.Outing, Severity: string(r.Severity),
			RedactedText: redacted, ClassifierVersion: sum.Version,
			ClassifiedAt: c.ClassifiedAt,
		}
		for _, l := range sum.Labels {
			if !strings.HasPrefix(l, "severity:") {
				e.Categories = append(e.Categories, l)
			}
		}
		for _, en := range r.Entities {
			e.EntityTypes = append(e.EntityTypes, string(en.Type))
			e.EntityStarts = append(e.EntityStarts, uint32(en.Start))
			e.EntityEnds = append(e.EntityEnds, uint32(en.End))
		}
		for _, w := range r.Watchlist {
			e.Orgs = append(e.Orgs, w.Org)
			e.Members = append(e.Members, w.Member)
		}
		out = append(out, e)
	}
	return out
}

// NarrativeRows turns classified messages into narrative_posts rows: one per message
// with a narrative summary. Messages without one (another classifier set) give none.
func NarrativeRows(rows []classifiers.Classified) []storage.NarrativePost {
	out := make([]storage.NarrativePost, 0, len(rows))
	for _, c := range rows {
		var isNarrative, exposed bool
		var s classifiers.Summary
		for _, x := range c.Summaries {
			switch x.Classifier {
			case narrative.Name:
				isNarrative, s = true, x
			case exposure.Name:
				exposed = x.Flagged
			}
		}
		if !isNarrative {
			continue
		}
		r := storage.NarrativePost{
			PostID: c.Post.ID, Source: c.Post.Source, Channel: c.Post.Channel, Author: c.Post.Author,
			Lang: c.Post.Lang, URL: c.Post.URL, PublishedAt: c.Post.PublishedAt, Flagged: s.Flagged,
			Frames: s.Labels, Score: s.Score, ClassifiedAt: c.ClassifiedAt,
			ModelVersion: feedback.ModelVersion(s.Version),
		}
		if s.Flagged {
			r.Result = string(c.Results[narrative.Name])
			if !exposed {
				r.Text = c.Post.Text
			}
		}
		out = append(out, r)
	}
	return out
}
