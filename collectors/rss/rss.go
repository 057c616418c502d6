// Package rss collects RSS 2.0, RSS 1.0 and Atom feeds: news sites and blogs that publish
// narratives or report on them. It polls with conditional GET (ETag/Last-Modified), waits
// out the feed's <ttl> and a server's Retry-After, and decodes windows-1251 feeds.
package rss

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// Kind is the config kind of this collector.
const Kind = "rss"

//go:embed sample.yaml
var sample string

// Config is one feed.
type Config struct {
	collectors.Common `yaml:",inline"`
	// URL of the RSS or Atom document.
	URL string `yaml:"url"`
}

// Defaults names the source after the feed's host and path.
func (c *Config) Defaults() { c.ApplyDefaults(Kind, feedKey(c.URL)) }

// Validate reports every problem with the entry.
// Endpoints returns the configured URLs: a literal internal address among them (a local
// test or demo site) is the only internal address the source may connect to.
func (c *Config) Endpoints() []string { return []string{c.URL} }

func (c *Config) Validate() error {
	return errors.Join(c.ValidateCommon(), collectors.ValidateHTTPURL("url", c.URL))
}

// Register adds the rss kind to r.
func Register(r *collectors.Registry) { r.Add(collectors.NewFactory(Kind, sample, New)) }

// Collector polls one feed.
type Collector struct {
	cfg  Config
	deps collectors.Deps
	key  string
}

// New builds a feed collector; deps.HTTP and deps.State are required.
func New(cfg Config, deps collectors.Deps) (*Collector, error) {
	if err := collectors.CheckDeps(Kind, &deps); err != nil {
		return nil, err
	}
	return &Collector{cfg: cfg, deps: deps, key: collectors.StateKey(cfg.SourceName())}, nil
}

// state is what the collector remembers between polls.
type state struct {
	ETag         string          `json:"etag,omitempty"`
	LastModified string          `json:"last_modified,omitempty"`
	NotBefore    time.Time       `json:"not_before,omitzero"`
	Seen         collectors.Seen `json:"seen"`
}

const maxSeen = 5000

// Collect fetches the feed (conditionally) and emits items not seen before, oldest first.
func (c *Collector) Collect(ctx context.Context, emit collectors.Emit) error {
	var st state
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
		return err
	}
	now := c.deps.Now()
	if now.Before(st.NotBefore) {
		return nil // the feed's TTL or the server's Retry-After asks us to wait
	}
	hdr := http.Header{"Accept": {"application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"}}
	if st.ETag != "" {
		hdr.Set("If-None-Match", st.ETag)
	}
	if st.LastModified != "" {
		hdr.Set("If-Modified-Since", st.LastModified)
	}
	resp, err := c.deps.HTTP.Do(ctx, collectors.Request{URL: c.cfg.URL, Header: hdr})
	if err != nil {
		if ra := collectors.RetryAfter(err); ra > 0 {
			st.NotBefore = now.Add(ra)
			if serr := collectors.SaveJSON(ctx, c.deps.State, c.key, st); serr != nil {
				return errors.Join(err, serr)
			}
		}
		return err
	}
	if resp.NotModified() {
		return nil
	}
	feed, err := Parse(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("feed %s: %w", c.cfg.URL, err)
	}
	posts := c.posts(feed, resp.URL, now)
	c.deps.Metrics.Posts(len(posts))
	for _, p := range posts {
		id := p.ID
		if st.Seen.Has(id) {
			continue
		}
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("emit %s: %w", id, err)
		}
		st.Seen.Add(id, maxSeen)
	}
	// Conditional GET validators are kept unless the server says not to cache at all.
	if resp.Header.Get("Expires") != "0" {
		st.ETag = resp.Header.Get("ETag")
		st.LastModified = resp.Header.Get("Last-Modified")
	}
	st.NotBefore = time.Time{}
	if interval, _ := c.cfg.Schedule(); feed.TTL > interval {
		st.NotBefore = now.Add(feed.TTL)
	}
	return collectors.SaveJSON(ctx, c.deps.State, c.key, st)
}

// posts converts items to posts sorted oldest first. An item without a date gets the
// collection time (Validate requires a date; the first sighting is the best we know).
func (c *Collector) posts(feed *Feed, base *url.URL, now time.Time) []post.Post {
	fk := feedKey(c.cfg.URL)
	out := make([]post.Post, 0, len(feed.Items))
	for _, it := range feed.Items {
		link := it.Link
		if base != nil && link != "" {
			if u, err := base.Parse(link); err == nil {
				link = u.String()
			}
		}
		p := post.Post{
			ID:          "rss:" + fk + ":" + collectors.ShortHash(it.GUID),
			Source:      Kind,
			Channel:     feed.Title,
			Author:      it.Author,
			URL:         link,
			Title:       it.Title,
			Text:        it.Text,
			PublishedAt: it.Published,
			CollectedAt: now,
		}
		if p.Channel == "" {
			p.Channel = fk
		}
		if p.PublishedAt.IsZero() {
			p.PublishedAt = now
		}
		for _, m := range it.Media {
			p.Media = append(p.Media, post.Media{Kind: mediaKind(m), URL: m})
		}
		p.Lang = lang.Detect(strings.TrimSpace(p.Title + "\n" + p.Text))
		p.Normalize()
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PublishedAt.Before(out[j].PublishedAt) })
	return out
}

func mediaKind(u string) string {
	l := strings.ToLower(u)
	switch {
	case strings.HasSuffix(l, ".jpg"), strings.HasSuffix(l, ".jpeg"), strings.HasSuffix(l, ".png"), strings.HasSuffix(l, ".webp"):
		return "photo"
	case strings.HasSuffix(l, ".mp4"), strings.HasSuffix(l, ".webm"):
		return "video"
	case strings.HasSuffix(l, ".mp3"), strings.HasSuffix(l, ".ogg"):
		return "audio"
	}
	return "link"
}

// feedKey is the feed's host and path, the stable part of post ids.
func feedKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host + strings.TrimSuffix(u.Path, "/")
}
