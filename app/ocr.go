package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/collectors"
	collectorsall "github.com/kuzot/kuzot/collectors/all"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/wait"
	"github.com/kuzot/kuzot/media/imagepost"
	"github.com/kuzot/kuzot/media/intake"
	"github.com/kuzot/kuzot/media/ocr"
	"github.com/kuzot/kuzot/media/scan"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// DefaultOCRNice is the default niceness of the ocr role's tesseract processes.
const DefaultOCRNice = 10

// OCRConsumer is the durable consumer of the ocr role on the posts stream.
const OCRConsumer = "ocr"

// OCRConfig is the `ocr:` section: the ocr role reads the images of posts (photos, video
// and link previews) with Tesseract. Zero values take the defaults of LoadOCRConfig.
type OCRConfig struct {
	// Enabled runs the role's work (default true); false leaves images unread.
	Enabled *bool `yaml:"enabled"`
	// Workers is how many images are read at once (default 1): one tesseract process
	// each, on one core, so the text path keeps its cores.
	Workers int `yaml:"workers"`
	// Tesseract is the binary (default "tesseract" on PATH); Languages its -l argument
	// (default rus+kir+uzb+uzb_cyrl+eng).
	Tesseract string `yaml:"tesseract"`
	Languages string `yaml:"languages"`
	// OCRTimeout bounds the reading of one image (default 60 s).
	OCRTimeout time.Duration `yaml:"ocr_timeout"`
	// Nice is the niceness of the tesseract processes (default 10, 0–19; Linux): on a
	// machine with few cores the scheduler gives the CPU to the text path first
	// (bench/ocrlatency measures the text path's latency with the role busy).
	Nice *int `yaml:"nice"`
	// FetchTimeout bounds one download attempt (default 30 s).
	FetchTimeout time.Duration `yaml:"fetch_timeout"`
	// MaxBytes caps an image file (default 10 MiB), MaxPixels its declared width×height
	// (default 24,000,000) and MaxSide either side (default 10,000): checked before any
	// pixel is decoded, so an image bomb fails cleanly.
	MaxBytes  int64 `yaml:"max_bytes"`
	MaxPixels int64 `yaml:"max_pixels"`
	MaxSide   int   `yaml:"max_side"`
	// MaxImagesPerPost bounds the images read of one post (default and maximum 10).
	MaxImagesPerPost int `yaml:"max_images_per_post"`
	// AllowEndpoints are internal addresses images may be fetched from besides the
	// configured sources' own (a local mirror); every other internal address is refused.
	AllowEndpoints []string `yaml:"allow_endpoints"`
}

// On reports whether the role reads images.
func (c OCRConfig) On() bool { return c.Enabled == nil || *c.Enabled }

// Limits are the intake limits of the configuration.
func (c OCRConfig) Limits() intake.Limits {
	return intake.Limits{MaxBytes: c.MaxBytes, MaxPixels: c.MaxPixels, MaxSide: c.MaxSide}
}

var ocrLanguages = regexp.MustCompile(`^[a-z_]+(\+[a-z_]+)*$`)

// LoadOCRConfig decodes the ocr section strictly, applies defaults and validates it.
func LoadOCRConfig(cfg *config.Config) (OCRConfig, error) {
	var c OCRConfig
	if err := config.DecodeSection(&cfg.OCR, "ocr", &c); err != nil {
		return c, err
	}
	d := intake.DefaultLimits()
	if c.Workers == 0 {
		c.Workers = 1
	}
	if c.Tesseract == "" {
		c.Tesseract = "tesseract"
	}
	if c.Languages == "" {
		c.Languages = ocr.DefaultLanguages
	}
	if c.OCRTimeout == 0 {
		c.OCRTimeout = time.Minute
	}
	if c.Nice == nil {
		n := DefaultOCRNice
		c.Nice = &n
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = 30 * time.Second
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = d.MaxBytes
	}
	if c.MaxPixels == 0 {
		c.MaxPixels = d.MaxPixels
	}
	if c.MaxSide == 0 {
		c.MaxSide = d.MaxSide
	}
	if c.MaxImagesPerPost == 0 {
		c.MaxImagesPerPost = scan.MaxImagesPerPost
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Workers < 1 || c.Workers > 64 {
		bad("workers", "must be between 1 and 64, got %d", c.Workers)
	}
	if !ocrLanguages.MatchString(c.Languages) {
		bad("languages", "must be tesseract language names joined by '+', got %q", c.Languages)
	}
	if c.OCRTimeout < time.Second || c.OCRTimeout > 10*time.Minute {
		bad("ocr_timeout", "must be between 1s and 10m, got %s", c.OCRTimeout)
	}
	if *c.Nice < 0 || *c.Nice > 19 {
		bad("nice", "must be between 0 and 19, got %d", *c.Nice)
	}
	if c.FetchTimeout < time.Second || c.FetchTimeout > 5*time.Minute {
		bad("fetch_timeout", "must be between 1s and 5m, got %s", c.FetchTimeout)
	}
	if c.MaxBytes < 1<<10 || c.MaxBytes > 64<<20 {
		bad("max_bytes", "must be between 1 KiB and 64 MiB, got %d", c.MaxBytes)
	}
	if c.MaxPixels < 1 || c.MaxPixels > 100_000_000 {
		bad("max_pixels", "must be between 1 and 100000000, got %d", c.MaxPixels)
	}
	if c.MaxSide < 1 || c.MaxSide > 50_000 {
		bad("max_side", "must be between 1 and 50000, got %d", c.MaxSide)
	}
	if c.MaxImagesPerPost < 1 || c.MaxImagesPerPost > scan.MaxImagesPerPost {
		bad("max_images_per_post", "must be between 1 and %d, got %d", scan.MaxImagesPerPost, c.MaxImagesPerPost)
	}
	for i, e := range c.AllowEndpoints {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad(fmt.Sprintf("allow_endpoints[%d]", i), "must be an http(s) URL, got %q", e)
		}
	}
	return c, errors.Join(errs...)
}

// OCRMetrics instrument the ocr role. Labels are reasons and outcomes, never posts.
type OCRMetrics struct {
	Posts      *prometheus.CounterVec
	Images     prometheus.Counter
	Failed     *prometheus.CounterVec
	Exposed    prometheus.Counter
	OCRSeconds prometheus.Histogram
	QueueDepth prometheus.Gauge
	InFlight   prometheus.Gauge
	Available  prometheus.Gauge
}

// NewOCRMetrics creates and registers the ocr role's metrics on reg.
func NewOCRMetrics(reg prometheus.Registerer) *OCRMetrics {
	m := &OCRMetrics{
		Posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_ocr_posts_total",
			Help: "Posts the ocr role finished, by outcome (no_images, read, malformed).",
		}, []string{"outcome"}),
		Images: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kuzot_ocr_images_fetched_total",
			Help: "Images fetched, decoded and read by the ocr role.",
		}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_ocr_images_failed_total",
			Help: "Images the ocr role could not read, by reason (too_many_bytes, too_many_pixels, unsupported, truncated, corrupt, robots, forbidden_address, http_status, fetch, ocr, publish).",
		}, []string{"reason"}),
		Exposed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kuzot_ocr_images_exposing_total",
			Help: "Images judged exposing (a document, a personal number or exposing text).",
		}),
		OCRSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kuzot_ocr_seconds",
			Help:    "Time to read one image (OCR passes, zones, hashes, analysis), download excluded.",
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 10),
		}),
		QueueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kuzot_ocr_queue_depth",
			Help: "Posts waiting for the ocr role: not yet delivered plus delivered and not yet finished.",
		}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kuzot_ocr_in_flight_posts",
			Help: "Posts the ocr workers are reading now.",
		}),
		Available: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kuzot_ocr_available",
			Help: "1 when tesseract and its language data were found at start, else 0 (images are not read).",
		}),
	}
	reg.MustRegister(m.Posts, m.Images, m.Failed, m.Exposed, m.OCRSeconds, m.QueueDepth, m.InFlight, m.Available)
	return m
}

// FailureReason names why an image could not be read, for the failure metric.
func FailureReason(err error) string {
	var se *collectors.StatusError
	switch {
	case errors.Is(err, intake.ErrTooManyBytes), errors.Is(err, collectors.ErrBodyTooLarge):
		return "too_many_bytes"
	case errors.Is(err, intake.ErrTooManyPixels):
		return "too_many_pixels"
	case errors.Is(err, intake.ErrUnsupported):
		return "unsupported"
	case errors.Is(err, intake.ErrTruncated):
		return "truncated"
	case errors.Is(err, intake.ErrCorrupt):
		return "corrupt"
	case errors.Is(err, collectors.ErrRobotsDisallowed):
		return "robots"
	case errors.Is(err, collectors.ErrForbiddenAddress):
		return "forbidden_address"
	case errors.As(err, &se):
		return "http_status"
	case errors.Is(err, ocr.ErrNotInstalled):
		return "ocr"
	}
	return "fetch"
}

// ocrRole reads the text in post images: its own durable consumer on the posts stream
// and a bounded pool of workers (ocr.workers), so the classify role's latency does not
// depend on it. Each image is fetched through the collectors' polite fetcher under the
// intake limits, read (OCR, machine-readable zones, personal numbers, perceptual hash,
// the exposure analysis of the plain text in memory) and published to the results
// stream as a derived post (media/imagepost) carrying only the redacted OCR text, entity
// types with boxes and hashes. See docs/images.md.
func ocrRole() Role {
	return Role{
		Name:    "ocr",
		Summary: "read the text in post images (OCR, ID-card and passport zones, perceptual hashes) and publish it classified",
		Run:     runOCR,
	}
}

func runOCR(ctx context.Context, a *App) error {
	oc, err := LoadOCRConfig(a.Cfg)
	if err != nil {
		return err
	}
	log := a.Log.With("role", "ocr")
	m := NewOCRMetrics(a.Registry)
	if !oc.On() {
		log.Info("ocr.enabled is false: images are not read")
		<-ctx.Done()
		return nil
	}
	t := &ocr.Tesseract{Path: oc.Tesseract, Languages: oc.Languages, Timeout: oc.OCRTimeout, Nice: *oc.Nice}
	if err := t.Check(ctx); err != nil {
		// Not fatal for the other roles of the process: the text path runs on.
		log.Error("tesseract is not usable: images are not read (install tesseract-ocr and its rus, kir, uzb, uzb-cyrl, eng data, or set ocr.enabled: false)", "err", err)
		<-ctx.Done()
		return nil
	}
	m.Available.Set(1)
	// The classifiers' own metrics count the text path; the ones judging OCR text
	// here register on a private registry (the ocr metrics above count images).
	cs, err := buildClassifiers(ctx, a.Cfg, log, prometheus.NewRegistry(), nil, nil)
	if err != nil {
		return err
	}
	sc := &scan.Scanner{OCR: t, Now: a.Now}
	for _, c := range cs {
		if e, ok := c.(*exposure.Classifier); ok {
			sc.Analyze = e.Analyze
		}
		watchClassifier(ctx, a, c, "ocr classifier ")
	}
	fetcher, err := NewImageFetcher(a.Cfg, oc, log)
	if err != nil {
		return err
	}
	w := &ocrWorker{a: a, oc: oc, m: m, log: log, cs: cs, sc: sc, fetch: fetcher}
	return w.run(ctx)
}

// watchClassifier registers c's reloader (SIGHUP) and follows promoted models, as the
// classify role does.
func watchClassifier(ctx context.Context, a *App, c classifiers.Classifier, prefix string) {
	if live, ok := c.(*modeldir.Live); ok {
		go live.Watch(ctx, a.Cfg.Models.WatchInterval)
	}
	switch r := c.(type) {
	case interface{ Reload() error }:
		a.AddReloader(prefix+c.Name(), r.Reload)
	case interface{ Reload(context.Context) error }:
		a.AddReloader(prefix+c.Name(), func() error { return r.Reload(ctx) })
	}
}

// NewImageFetcher builds the ocr role's image fetcher: the collectors' polite fetcher
// (robots.txt, per-host pacing, internal addresses refused) with the intake byte cap as
// its body cap, allowed to reach the internal endpoints of the configured sources (a
// post's images come from where its source is) and ocr.allow_endpoints.
func NewImageFetcher(cfg *config.Config, oc OCRConfig, log *slog.Logger) (*intake.Fetcher, error) {
	opt := collectors.FetcherOptions{UserAgent: cfg.Collect.UserAgent, MaxBodyBytes: oc.MaxBytes, Timeout: oc.FetchTimeout,
		MaxTries: 2}
	for _, r := range cfg.Collect.HostRules {
		opt.HostRules = append(opt.HostRules, collectors.HostRule{Pattern: r.Pattern, Delay: r.Delay, Jitter: r.Jitter})
	}
	f, err := collectors.NewFetcher(opt)
	if err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	endpoints := append([]string(nil), oc.AllowEndpoints...)
	sources, err := DecodeSources(collectorsall.Registry(), cfg.Sources)
	if err != nil {
		log.Warn("ocr: sources not decoded; images only from public addresses and ocr.allow_endpoints", "err", err)
	}
	for _, s := range sources {
		if e, ok := s.(collectors.Endpointer); ok {
			endpoints = append(endpoints, e.Endpoints()...)
		}
	}
	return &intake.Fetcher{Client: f.Client(nil).WithEndpoints(endpoints...), Limits: oc.Limits()}, nil
}

type ocrWorker struct {
	a     *App
	oc    OCRConfig
	m     *OCRMetrics
	log   *slog.Logger
	cs    []classifiers.Classifier
	sc    *scan.Scanner
	fetch *intake.Fetcher
}

// ocrAckWait is how long a post may stay with a worker before JetStream redelivers it;
// workers send progress while they read, so only a crashed worker's posts come back.
const ocrAckWait = 2 * time.Minute

func (w *ocrWorker) run(ctx context.Context) error {
	a := w.a
	cons, err := a.Bus.EnsureConsumer(ctx, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: OCRConsumer,
		AckWait: ocrAckWait, MaxAckPending: 4 * w.oc.Workers})
	if err != nil {
		return err
	}
	// Each worker pulls one post at a time: nothing waits in a client buffer while its
	// ack wait runs.
	var wg sync.WaitGroup
	for range w.oc.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The worker's own Go work (decode, hashes, zone preprocessing, classifiers on
			// the OCR text) runs at the tesseract processes' niceness, on a thread locked to
			// this goroutine for its whole life (a niceness cannot be lowered again): the
			// classify role's goroutines in this process get the CPU first.
			if *w.oc.Nice > 0 {
				if err := ocr.NiceThread(*w.oc.Nice); err != nil {
					w.log.Warn("ocr: lowering the worker thread's priority failed; it runs at the default", "err", err)
				}
			}
			for ctx.Err() == nil {
				batch, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
				if err != nil {
					if ctx.Err() == nil {
						w.log.Warn("ocr: fetch from the posts stream failed; retrying", "err", err)
						wait.Sleep(ctx, time.Second)
					}
					continue
				}
				for msg := range batch.Messages() {
					w.m.InFlight.Inc()
					w.handle(ctx, msg)
					w.m.InFlight.Dec()
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.pollDepth(ctx, cons)
	}()
	wg.Wait()
	return nil
}

func (w *ocrWorker) pollDepth(ctx context.Context, cons jetstream.Consumer) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if info, err := cons.Info(qctx); err == nil {
			w.m.QueueDepth.Set(float64(info.NumPending + uint64(info.NumAckPending)))
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// handle reads the images of one post and publishes their results, then acks. A failed
// image is counted and skipped (the post's text is classified by the classify role
// whatever happens here); a failed publish leaves the post for redelivery.
func (w *ocrWorker) handle(ctx context.Context, msg jetstream.Msg) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Warn("ocr: panic while reading a post's images; skipped", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			w.m.Posts.WithLabelValues("panic").Inc()
			_ = msg.Term()
		}
	}()
	p, err := pipeline.DecodePost(ctx, msg)
	if err != nil {
		// The classify role dead-letters it; nothing to read here.
		w.m.Posts.WithLabelValues("malformed").Inc()
		_ = msg.Ack()
		return
	}
	if p.Refresh || !hasImages(&p) {
		w.m.Posts.WithLabelValues("no_images").Inc()
		_ = msg.Ack()
		return
	}
	// Progress keeps the post from being redelivered while its images are read.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(ocrAckWait / 4)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	rows := w.read(ctx, &p)
	if ctx.Err() != nil {
		_ = msg.Nak() // shutting down mid-post: read again by the next process
		return
	}
	if err := w.publish(ctx, rows); err != nil {
		w.m.Failed.WithLabelValues("publish").Add(float64(len(rows)))
		w.log.Warn("ocr: publishing image results failed; the post will be read again", "post", p.ID, "err", err)
		_ = msg.NakWithDelay(10 * time.Second)
		return
	}
	w.m.Posts.WithLabelValues("read").Inc()
	_ = msg.Ack()
}

func hasImages(p *post.Post) bool {
	for _, m := range p.Media {
		if scan.MediaKinds[m.Kind] && m.URL != "" {
			return true
		}
	}
	return false
}

// read fetches and reads every image of p (up to max_images_per_post) and builds their
// results. Pixels and plain OCR text are dropped when it returns.
func (w *ocrWorker) read(ctx context.Context, p *post.Post) []*pipeline.Classified {
	var out []*pipeline.Classified
	n := 0
	for i, md := range p.Media {
		if !scan.MediaKinds[md.Kind] || md.URL == "" {
			continue
		}
		if n >= w.oc.MaxImagesPerPost || ctx.Err() != nil {
			break
		}
		n++
		img, err := w.fetch.Fetch(ctx, md.URL)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			reason := FailureReason(err)
			w.m.Failed.WithLabelValues(reason).Inc()
			w.log.Warn("ocr: image not read", "post", p.ID, "media_index", i, "reason", reason, "err", err)
			continue
		}
		start := time.Now()
		f, err := w.sc.Scan(ctx, i, img.Image, p.Author)
		img = nil
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			w.m.Failed.WithLabelValues("ocr").Inc()
			w.log.Warn("ocr: image not read", "post", p.ID, "media_index", i, "reason", "ocr", "err", err)
			continue
		}
		w.m.OCRSeconds.Observe(time.Since(start).Seconds())
		w.m.Images.Inc()
		if f.Exposed {
			w.m.Exposed.Inc()
		}
		c, err := imagepost.Build(ctx, w.cs, p, f, w.a.Now())
		if err != nil {
			w.m.Failed.WithLabelValues("ocr").Inc()
			w.log.Warn("ocr: image result not built", "post", p.ID, "media_index", i, "err", err)
			continue
		}
		out = append(out, c)
	}
	return out
}

// publish sends the results of one post's images to the results stream, marked with
// imagepost.HeaderImage, and waits for JetStream's acks. Message ids make a repeat after
// a redelivery harmless.
func (w *ocrWorker) publish(ctx context.Context, rows []*pipeline.Classified) error {
	if len(rows) == 0 {
		return nil
	}
	msgs := make([]*nats.Msg, 0, len(rows))
	for _, c := range rows {
		msg, err := ImageResultMsg(c)
		if err != nil {
			return err
		}
		msgs = append(msgs, msg)
	}
	return pipeline.PublishBatch(ctx, w.a.Bus.JS, w.a.Metrics, pipeline.ResultsStream, msgs)
}

// ImageResultMsg is the results-stream message of an image result.
func ImageResultMsg(c *pipeline.Classified) (*nats.Msg, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode image result %s: %w", c.Post.ID, err)
	}
	msg := &nats.Msg{Subject: pipeline.ResultsSubject + strings.TrimPrefix(pipeline.PostSubject(&c.Post), pipeline.PostsSubject), Data: data, Header: nats.Header{}}
	msg.Header.Set(pipeline.HeaderSchema, pipeline.ResultsSchemaVersion)
	msg.Header.Set(pipeline.HeaderFlagged, c.FlaggedHeader())
	msg.Header.Set(jetstream.MsgIDHeader, c.MsgID())
	if parent, _, ok := imagepost.ParentOf(c.Post.ID); ok {
		msg.Header.Set(imagepost.HeaderImage, parent)
	}
	return msg, nil
}
