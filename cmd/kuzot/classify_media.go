package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/media/intake"
	"github.com/kuzot/kuzot/media/ocr"
	"github.com/kuzot/kuzot/media/scan"
	"github.com/kuzot/kuzot/post"
)

// mediaFunc judges the images of one post (`kuzot classify --media`).
type mediaFunc func(ctx context.Context, p *post.Post) []scan.MediaResult

// newMediaFunc builds the image path of `kuzot classify --media`: images fetched through
// the collectors' polite fetcher under intake.DefaultLimits, OCR by tesseract, the text
// judged by the exposure classifier among cs (when it runs).
// allow lists internal endpoints (a test server, the demo site) images may come from.
func newMediaFunc(ctx context.Context, userAgent string, cs []classifiers.Classifier, allow []string) (mediaFunc, error) {
	t := &ocr.Tesseract{}
	if err := t.Check(ctx); err != nil {
		return nil, err
	}
	lim := intake.DefaultLimits()
	cf, err := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: userAgent, MaxBodyBytes: lim.MaxBytes, Timeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("classify --media: %w", err)
	}
	sc := &scan.Scanner{OCR: t}
	for _, c := range cs {
		if e, ok := c.(*exposure.Classifier); ok {
			sc.Analyze = e.Analyze
		}
	}
	f := &intake.Fetcher{Client: cf.Client(nil).WithEndpoints(allow...), Limits: lim}
	return func(ctx context.Context, p *post.Post) []scan.MediaResult {
		rs := sc.Post(ctx, f, p)
		if rs == nil {
			rs = []scan.MediaResult{}
		}
		return rs
	}, nil
}
