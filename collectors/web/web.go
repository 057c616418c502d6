// Package web collects any web page with CSS selectors: forums and news comment
// sections that have no feed. Each item the `item` selector matches becomes a post;
// `follow` names the "next page" link walked up to max_depth pages, on the same host
// only. It is the generic fallback, so everything it needs is in its config.
package web

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// Kind is the config kind of this collector.
const Kind = "web"

//go:embed sample.yaml
var sample string

// Selectors are the CSS selectors of one site's markup.
type Selectors struct {
	// Item matches each post on a page; the others are relative to it.
	Item string `yaml:"item"`
	// Text is the post body (default: the whole item).
	Text string `yaml:"text"`
	// Author and Date are optional; Date reads datetime, data-time, title or the text.
	Author string `yaml:"author"`
	Date   string `yaml:"date"`
	// Link is an <a> whose href is the post's own URL (the post id); optional.
	Link string `yaml:"link"`
}

// Config is one page (and the pages its follow link leads to).
type Config struct {
	collectors.Common `yaml:",inline"`
	URL               string    `yaml:"url"`
	Selectors         Selectors `yaml:"selectors"`
	// Follow is the selector of the next-page link; empty reads only URL.
	Follow string `yaml:"follow"`
	// MaxDepth bounds the pages read per poll, URL included (default 5).
	MaxDepth int `yaml:"max_depth"`
}

// Defaults fills unset keys.
func (c *Config) Defaults() {
	c.ApplyDefaults(Kind, c.URL)
	if c.MaxDepth == 0 {
		c.MaxDepth = 5
	}
}

// Validate reports every problem with the entry, bad selectors included.
// Endpoints returns the configured URLs: a literal internal address among them (a local
// test or demo site) is the only internal address the source may connect to.
func (c *Config) Endpoints() []string { return []string{c.URL} }

func (c *Config) Validate() error {
	errs := []error{c.ValidateCommon()}
	errs = append(errs, collectors.ValidateHTTPURL("url", c.URL))
	if c.Selectors.Item == "" {
		errs = append(errs, errors.New("selectors.item is required"))
	}
	for name, sel := range map[string]string{"item": c.Selectors.Item, "text": c.Selectors.Text, "author": c.Selectors.Author,
		"date": c.Selectors.Date, "link": c.Selectors.Link, "follow": c.Follow} {
		if sel == "" {
			continue
		}
		if _, err := cascadia.Compile(sel); err != nil {
			errs = append(errs, fmt.Errorf("selector %s %q: %w", name, sel, err))
		}
	}
	if c.MaxDepth < 1 || c.MaxDepth > 100 {
		errs = append(errs, errors.New("max_depth must be between 1 and 100"))
	}
	return errors.Join(errs...)
}

// Register adds the web kind to r.
func Register(r *collectors.Registry) { r.Add(collectors.NewFactory(Kind, sample, New)) }

// Collector polls one page chain.
type Collector struct {
	cfg  Config
	deps collectors.Deps
	key  string
}

// New builds a web collector; deps.HTTP and deps.State are required.
func New(cfg Config, deps collectors.Deps) (*Collector, error) {
	if err := collectors.CheckDeps(Kind, &deps); err != nil {
		return nil, err
	}
	return &Collector{cfg: cfg, deps: deps, key: collectors.StateKey(cfg.SourceName())}, nil
}

type state struct {
	Seen collectors.Seen `json:"seen"`
}

const maxSeen = 10000

// Item is one extracted post.
type Item struct {
	// Link is the absolute URL of the post when the link selector found one.
	Link string
	// Page is the URL of the page the item was on, when it has no link of its own.
	Page      string
	Author    string
	Text      string
	Published time.Time
}

// Page is what one page yields.
type Page struct {
	Items []Item
	// Next is the absolute URL of the follow link, "" when none.
	Next string
}

// ParsePage extracts items and the next link from an HTML page (UTF-8).
func ParsePage(body []byte, pageURL *url.URL, sel Selectors, follow string) (*Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", pageURL, err)
	}
	pg := &Page{}
	doc.Find(sel.Item).Each(func(_ int, it *goquery.Selection) {
		textSel := it
		if sel.Text != "" {
			textSel = it.Find(sel.Text).First()
		}
		item := Item{Text: collectors.NodeText(textSel)}
		if item.Text == "" {
			return
		}
		if sel.Author != "" {
			item.Author = collectors.CleanText(it.Find(sel.Author).First().Text())
		}
		if sel.Date != "" {
			item.Published = parseDate(it.Find(sel.Date).First())
		}
		if sel.Link != "" {
			if href, ok := it.Find(sel.Link).First().Attr("href"); ok {
				if u, err := pageURL.Parse(strings.TrimSpace(href)); err == nil {
					u.Fragment = ""
					item.Link = u.String()
				}
			}
		}
		if item.Link == "" {
			item.Page = pageURL.String()
		}
		pg.Items = append(pg.Items, item)
	})
	if follow != "" {
		if href, ok := doc.Find(follow).First().Attr("href"); ok {
			if u, err := pageURL.Parse(strings.TrimSpace(href)); err == nil && u.Host == pageURL.Host &&
				(u.Scheme == "http" || u.Scheme == "https") {
				pg.Next = u.String()
			}
		}
	}
	return pg, nil
}

var dateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"02.01.2006 15:04", "02.01.2006 в 15:04", "02.01.2006, 15:04", "02.01.2006", "2006-01-02", time.RFC1123Z, time.RFC1123,
}

// parseDate reads datetime, data-time (Unix), title, then the text; zero when none parses.
func parseDate(s *goquery.Selection) time.Time {
	if s.Length() == 0 {
		return time.Time{}
	}
	if v, ok := s.Attr("data-time"); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0).UTC()
		}
	}
	for _, v := range []string{s.AttrOr("datetime", ""), s.AttrOr("title", ""), collectors.CleanText(s.Text())} {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// Collect reads the page chain and emits the items not seen before, oldest first.
func (c *Collector) Collect(ctx context.Context, emit collectors.Emit) error {
	var st state
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
		return err
	}
	now := c.deps.Now()
	var items []Item
	visited := map[string]bool{}
	next := c.cfg.URL
	for depth := 0; depth < c.cfg.MaxDepth && next != "" && !visited[next]; depth++ {
		visited[next] = true
		resp, err := c.deps.HTTP.Get(ctx, next)
		if err != nil {
			return err
		}
		body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
		if err != nil {
			return err
		}
		pg, err := ParsePage(body, resp.URL, c.cfg.Selectors, c.cfg.Follow)
		if err != nil {
			return err
		}
		items = append(items, pg.Items...)
		next = pg.Next
	}
	c.deps.Metrics.Posts(len(items))
	posts := make([]post.Post, 0, len(items))
	for _, it := range items {
		// Without a permalink the id is the start URL plus a hash of author and text, so
		// an item that moves to another page (pagination shifting) is not new.
		id, link := "web:"+it.Link, it.Link
		if it.Link == "" {
			id, link = "web:"+c.cfg.URL+"#"+collectors.ShortHash(it.Author+"\x00"+it.Text), it.Page
		}
		if st.Seen.Has(id) {
			continue
		}
		p := post.Post{
			ID: id, Source: Kind, Channel: c.channel(), Author: it.Author, URL: link,
			Text: it.Text, PublishedAt: it.Published, CollectedAt: now, Lang: lang.Detect(it.Text),
		}
		if p.PublishedAt.IsZero() {
			p.PublishedAt = now
		}
		p.Normalize()
		posts = append(posts, p)
	}
	sort.SliceStable(posts, func(i, j int) bool { return posts[i].PublishedAt.Before(posts[j].PublishedAt) })
	for _, p := range posts {
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("emit %s: %w", p.ID, err)
		}
		st.Seen.Add(p.ID, maxSeen)
	}
	if len(posts) == 0 {
		return nil
	}
	return collectors.SaveJSON(ctx, c.deps.State, c.key, st)
}

// channel is the site and path the items come from.
func (c *Collector) channel() string {
	u, err := url.Parse(c.cfg.URL)
	if err != nil {
		return c.cfg.URL
	}
	return u.Host + u.Path
}
