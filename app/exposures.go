package app

import (
	"strings"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
)

// ExposureRows extracts the exposures table rows from classify results: one row per
// post the exposure classifier flagged. The evidence is redacted here from the entity
// offsets, so no identifier reaches the table.
func ExposureRows(rows []pipeline.Classified) []storage.Exposure {
	var out []storage.Exposure
	for _, c := range rows {
		raw, ok := c.Results[exposure.Name]
		if !ok {
			continue
		}
		var sum *pipeline.Summary
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
