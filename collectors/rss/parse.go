package rss

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kuzot/kuzot/collectors"
)

// Feed is a parsed RSS 2.0, RSS 1.0 (RDF) or Atom document.
type Feed struct {
	Title string
	// TTL is the feed's <ttl> (RSS 2.0): how long it may be cached; 0 when absent.
	TTL   time.Duration
	Items []Item
}

// Item is one feed entry with its text already reduced from HTML to plain text.
type Item struct {
	// GUID is the item's guid/id, else its link, else a hash of title and text.
	GUID      string
	Title     string
	Link      string
	Author    string
	Text      string
	Published time.Time // zero when the feed gives no parsable date
	Media     []string
}

// ErrNotAFeed means the document is well-formed XML but neither RSS nor Atom.
var ErrNotAFeed = errors.New("not an RSS or Atom feed")

type rssDoc struct {
	XMLName xml.Name
	Channel struct {
		Title string    `xml:"title"`
		TTL   string    `xml:"ttl"`
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
	// RSS 1.0 puts items beside the channel.
	Items []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	PubDate     string `xml:"pubDate"`
	DCDate      string `xml:"http://purl.org/dc/elements/1.1/ date"`
	Author      string `xml:"author"`
	Creator     string `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Description string `xml:"description"`
	Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	Enclosures  []struct {
		URL string `xml:"url,attr"`
	} `xml:"enclosure"`
}

type atomDoc struct {
	Title   string      `xml:"title"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID        string `xml:"id"`
	Title     string `xml:"title"`
	Published string `xml:"published"`
	Updated   string `xml:"updated"`
	Author    struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
		Type string `xml:"type,attr"`
	} `xml:"link"`
	Content atomText `xml:"content"`
	Summary atomText `xml:"summary"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",innerxml"`
}

// Parse decodes a feed body. contentType is the response's Content-Type; the charset is
// chosen by collectors.DecodeUTF8 (header first, then the XML prolog, then UTF-8, then
// windows-1251), and the XML decoder is told not to convert a second time.
func Parse(body []byte, contentType string) (*Feed, error) {
	text, _, err := collectors.DecodeUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	root, err := rootName(text)
	if err != nil {
		return nil, err
	}
	switch root {
	case "rss", "RDF":
		var d rssDoc
		if err := newDecoder(text).Decode(&d); err != nil {
			return nil, fmt.Errorf("parse rss: %w", err)
		}
		f := &Feed{Title: strings.TrimSpace(d.Channel.Title)}
		if n, err := strconv.Atoi(strings.TrimSpace(d.Channel.TTL)); err == nil && n > 0 && n < 7*24*60 {
			f.TTL = time.Duration(n) * time.Minute
		}
		for _, it := range append(d.Channel.Items, d.Items...) {
			f.Items = append(f.Items, it.item())
		}
		return f, nil
	case "feed":
		var d atomDoc
		if err := newDecoder(text).Decode(&d); err != nil {
			return nil, fmt.Errorf("parse atom: %w", err)
		}
		f := &Feed{Title: strings.TrimSpace(d.Title)}
		for _, e := range d.Entries {
			f.Items = append(f.Items, e.item())
		}
		return f, nil
	default:
		return nil, fmt.Errorf("%w: root element <%s>", ErrNotAFeed, root)
	}
}

func newDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	// The body is UTF-8 already: whatever the prolog says, do not convert again.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	d.Strict = false
	d.Entity = xml.HTMLEntity
	return d
}

func rootName(b []byte) (string, error) {
	d := newDecoder(b)
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("%w: no root element", ErrNotAFeed)
			}
			return "", fmt.Errorf("parse feed: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local, nil
		}
	}
}

func (it rssItem) item() Item {
	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = it.Description
	}
	out := Item{
		GUID:   strings.TrimSpace(it.GUID),
		Title:  htmlText(it.Title),
		Link:   strings.TrimSpace(it.Link),
		Author: strings.TrimSpace(firstNonEmpty(it.Creator, it.Author)),
		Text:   htmlText(body),
	}
	out.Published = parseDate(firstNonEmpty(it.PubDate, it.DCDate))
	for _, e := range it.Enclosures {
		if e.URL != "" {
			out.Media = append(out.Media, e.URL)
		}
	}
	return out.withGUID()
}

func (e atomEntry) item() Item {
	out := Item{
		GUID:   strings.TrimSpace(e.ID),
		Title:  htmlText(e.Title),
		Author: strings.TrimSpace(e.Author.Name),
	}
	for _, l := range e.Links {
		if (l.Rel == "" || l.Rel == "alternate") && out.Link == "" {
			out.Link = strings.TrimSpace(l.Href)
		}
		if l.Rel == "enclosure" && l.Href != "" {
			out.Media = append(out.Media, l.Href)
		}
	}
	body := e.Content
	if strings.TrimSpace(body.Body) == "" {
		body = e.Summary
	}
	out.Text = atomBody(body)
	out.Published = parseDate(firstNonEmpty(e.Published, e.Updated))
	return out.withGUID()
}

func (it Item) withGUID() Item {
	switch {
	case it.GUID != "":
	case it.Link != "":
		it.GUID = it.Link
	default:
		it.GUID = collectors.ShortHash(it.Title + "\x00" + it.Text)
	}
	return it
}

// atomBody turns Atom text constructs into plain text: type="html" is escaped HTML,
// type="xhtml" is inline markup, text is text (entities already in innerxml).
func atomBody(t atomText) string {
	raw := t.Body
	switch strings.ToLower(t.Type) {
	case "xhtml":
		return htmlText(raw)
	default:
		// innerxml keeps entities escaped: unescape once, then strip tags for html.
		var s string
		if err := xml.Unmarshal([]byte("<x>"+raw+"</x>"), &s); err != nil {
			s = raw
		}
		return htmlText(s)
	}
}

// htmlText strips markup (descriptions are HTML more often than not) to plain text.
func htmlText(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "<&") {
		return collectors.CleanText(s)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		return collectors.CleanText(s)
	}
	return collectors.NodeText(doc.Find("body"))
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

var dateLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339, time.RFC3339Nano, time.RFC822Z, time.RFC822,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04 -0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
}

// parseDate accepts the date spellings feeds use in practice; zero when none fits.
func parseDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
