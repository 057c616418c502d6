package web

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// maxPageText caps the text kept of a whole page.
const maxPageText = 16 << 10

// FetchPage collects one public page (for a tip linking to it) through the polite
// client, without selectors: the post's id is "web:<final URL>", as the web kind names
// an item by its link; the title is og:title or <title>; the text og:description
// followed by the page's <article> (else <main>, else <body>) text; the author and date
// from the usual meta tags or the first <time datetime>.
func FetchPage(ctx context.Context, client *collectors.Client, pageURL string, now time.Time) (post.Post, error) {
	resp, err := client.Get(ctx, pageURL)
	if err != nil {
		return post.Post{}, err
	}
	body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return post.Post{}, fmt.Errorf("web page %s: %w", resp.URL, err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return post.Post{}, fmt.Errorf("web page %s: %w", resp.URL, err)
	}
	meta := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(doc.Find(`meta[property="`+n+`"], meta[name="`+n+`"]`).First().AttrOr("content", "")); v != "" {
				return v
			}
		}
		return ""
	}
	title := meta("og:title", "twitter:title")
	if title == "" {
		title = collectors.CleanText(doc.Find("title").First().Text())
	}
	doc.Find("script, style, noscript, nav, header, footer, form").Remove()
	var main string
	for _, sel := range []string{"article", "main", "body"} {
		if s := doc.Find(sel).First(); s.Length() > 0 {
			if main = collectors.CleanText(s.Text()); main != "" {
				break
			}
		}
	}
	text := meta("og:description", "description")
	if main != "" && !strings.Contains(main, text) {
		text = strings.TrimSpace(text + "\n\n" + main)
	} else if main != "" {
		text = main
	}
	if r := []rune(text); len(r) > maxPageText {
		text = string(r[:maxPageText])
	}
	var published time.Time
	if v := meta("article:published_time", "og:published_time", "date"); v != "" {
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, v); err == nil {
				published = t.UTC()
				break
			}
		}
	}
	if published.IsZero() {
		published = parseDate(doc.Find("time[datetime]").First())
	}
	if published.IsZero() {
		published = now
	}
	u := resp.URL.String()
	p := post.Post{
		ID: "web:" + u, Source: Kind, Kind: post.KindPost, Channel: resp.URL.Host, Author: meta("author", "article:author"),
		URL: u, Title: title, Text: text, PublishedAt: published, CollectedAt: now, Lang: lang.Detect(title + "\n" + text),
	}
	p.Normalize()
	return p, nil
}
