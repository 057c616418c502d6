package pipeline

import (
	"context"
	"time"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/post"
)

// ResultsSchemaVersion is the Kuzot-Schema header of classify results.
const ResultsSchemaVersion = "classified.v1"

// HostClockSkew is how far the clocks of the hosts running different roles (collect,
// classify, alert, serve) may disagree. Comparisons of a post's collection time with a
// time taken on another host allow for it.
const HostClockSkew = time.Minute

// Classified is classifiers.Classified, kept under its old name for code not yet
// moved.
//
// Deprecated: use classifiers.Classified.
type Classified = classifiers.Classified

// Summary is classifiers.Summary.
//
// Deprecated: use classifiers.Summary.
type Summary = classifiers.Summary

// VersionedClassifier is classifiers.VersionedClassifier.
//
// Deprecated: use classifiers.VersionedClassifier.
type VersionedClassifier = classifiers.VersionedClassifier

// ClassifyPost is classifiers.ClassifyPost.
//
// Deprecated: use classifiers.ClassifyPost.
func ClassifyPost(ctx context.Context, cs []classifiers.Classifier, p *post.Post, now time.Time) (*Classified, error) {
	return classifiers.ClassifyPost(ctx, cs, p, now)
}
