package telegram

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kuzot/kuzot/collectors"
)

// Page is one parsed preview page of a channel.
type Page struct {
	// Title and Subscribers come from the channel header (Subscribers is lossy: "12.3K").
	Title       string
	Subscribers int64
	// Before is the id to request older messages with (?before=), 0 when there are none.
	Before   int
	Messages []Message
	// Errors are the message wrappers that did not parse (markup changed, cut page): the
	// collector reports them as a source error instead of silently losing the messages.
	Errors []error
}

// Message is one channel message as the preview shows it.
type Message struct {
	// Channel is the canonical spelling from data-post; ID the message id.
	Channel string
	ID      int
	Text    string
	// Author is the channel (owner) name; Signature the post author's signature.
	Author    string
	Signature string
	Date      time.Time
	Views     int64
	// ForwardedFrom is "t.me/<src>/<id>" or the name of a hidden source.
	ForwardedFrom string
	// ReplyTo is the URL of the replied-to message.
	ReplyTo string
	Photos  []string
	// Videos are playable video sources; VideoClips the players of videos (with their
	// duration) whether or not t.me serves the file.
	Videos      []string
	VideoClips  []Clip
	RoundVideos []Clip
	Voices      []Clip
	Documents   []Document
	// Stickers are sticker image (or animation) URLs.
	Stickers []string
	Poll     *Poll
	Previews []LinkPreview
	// Locations are map links; Contact a shared contact card's name and phone.
	Locations []string
	Contact   string
	// Unsupported: the message has media the preview does not show ("Please open
	// Telegram to view this post").
	Unsupported bool
	Links       []string
	Edited      bool
	Service     bool
}

// ErrMarkupChanged means a page had message wrappers the parser could not read: t.me
// changed its markup (or the page was cut). It is a source error, never zero posts.
var ErrMarkupChanged = errors.New("telegram preview markup not understood")

// ErrNotPreview means the page is not a channel preview (no header, no messages).
var ErrNotPreview = errors.New("not a telegram channel preview page")

var bgURL = regexp.MustCompile(`background-image:\s*url\(['"]?(.*?)['"]?\)`)

// ParsePreview parses a /s/<channel> page. body must be UTF-8 (t.me always is).
func ParsePreview(body []byte) (*Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse telegram preview: %w", err)
	}
	header := doc.Find(".tgme_channel_info")
	msgs := doc.Find("div.tgme_widget_message[data-post]")
	if header.Length() == 0 && msgs.Length() == 0 {
		return nil, ErrNotPreview
	}
	pg := &Page{Title: collectors.NodeText(header.Find(".tgme_channel_info_header_title").First())}
	header.Find(".tgme_channel_info_counter").EachWithBreak(func(_ int, c *goquery.Selection) bool {
		if strings.HasPrefix(strings.TrimSpace(c.Find(".counter_type").Text()), "subscriber") {
			pg.Subscribers, _ = ParseCount(c.Find(".counter_value").Text())
			return false
		}
		return true
	})
	if v, ok := doc.Find("a.tme_messages_more[data-before]").First().Attr("data-before"); ok {
		pg.Before, _ = strconv.Atoi(v)
	}
	msgs.Each(func(_ int, m *goquery.Selection) {
		msg, err := parseMessage(m)
		if err != nil {
			pg.Errors = append(pg.Errors, fmt.Errorf("%w: %w", ErrMarkupChanged, err))
			return
		}
		pg.Messages = append(pg.Messages, msg)
	})
	// A wrapper whose message has no data-post is a message the selectors above missed.
	doc.Find(".tgme_widget_message_wrap").Each(func(i int, w *goquery.Selection) {
		if w.Find("div.tgme_widget_message[data-post]").Length() == 0 {
			pg.Errors = append(pg.Errors, fmt.Errorf("%w: message wrapper %d has no data-post message", ErrMarkupChanged, i+1))
		}
	})
	if len(pg.Messages) == 0 && len(pg.Errors) > 0 {
		return nil, fmt.Errorf("parse telegram preview: every message failed: %w", errors.Join(pg.Errors...))
	}
	return pg, nil
}

func parseMessage(m *goquery.Selection) (Message, error) {
	dp, _ := m.Attr("data-post")
	ch, idStr, ok := strings.Cut(dp, "/")
	id, err := strconv.Atoi(idStr)
	if !ok || err != nil || ch == "" || id <= 0 {
		return Message{}, fmt.Errorf("message with data-post %q: not <channel>/<id>", dp)
	}
	msg := Message{Channel: ch, ID: id, Service: m.HasClass("service_message")}
	// Trap: reply quotes reuse tgme_widget_message_text; the body is .js-message_text.
	msg.Text = collectors.NodeText(m.Find(".tgme_widget_message_text.js-message_text").First())
	msg.Author = collectors.NodeText(m.Find("a.tgme_widget_message_owner_name span").First())
	msg.Signature = strings.TrimSuffix(collectors.CleanText(m.Find("span.tgme_widget_message_from_author").First().Text()), ",")
	// Trap: video durations are <time> too; the date is the one under the date link.
	dt, ok := m.Find("a.tgme_widget_message_date time[datetime]").First().Attr("datetime")
	if !ok {
		return Message{}, fmt.Errorf("message %s: no date", dp)
	}
	msg.Date, err = time.Parse(time.RFC3339, dt)
	if err != nil {
		return Message{}, fmt.Errorf("message %s: date %q: %w", dp, dt, err)
	}
	if v := m.Find("span.tgme_widget_message_views").First(); v.Length() > 0 {
		msg.Views, _ = ParseCount(v.Text())
	}
	msg.Edited = strings.Contains(m.Find("span.tgme_widget_message_meta").Text(), "edited")
	if f := m.Find(".tgme_widget_message_forwarded_from_name").First(); f.Length() > 0 {
		if href, ok := f.Attr("href"); ok {
			msg.ForwardedFrom = shortTme(href)
		} else {
			msg.ForwardedFrom = collectors.CleanText(f.Text())
		}
	}
	if href, ok := m.Find("a.tgme_widget_message_reply").First().Attr("href"); ok {
		msg.ReplyTo = shortTme(href)
	}
	parseContent(m, &msg)
	m.Find(".tgme_widget_message_text.js-message_text a[href]").Each(func(_ int, a *goquery.Selection) {
		h := unescapeHref(a.AttrOr("href", ""))
		if strings.HasPrefix(h, "http") {
			msg.Links = append(msg.Links, h)
		}
	})
	if !msg.Service && !msg.hasContent() {
		return Message{}, fmt.Errorf("message %s: no text and no known media", dp)
	}
	return msg, nil
}

// unescapeHref undoes t.me's double escaping of '&' in external links (since 2024).
func unescapeHref(h string) string { return strings.ReplaceAll(h, "&amp;", "&") }

// shortTme turns "https://t.me/src/77" into "t.me/src/77"; other URLs are kept.
func shortTme(href string) string {
	for _, p := range []string{"https://", "http://"} {
		href = strings.TrimPrefix(href, p)
	}
	return href
}

// ParseCount reads t.me counters: "882", "4.2K", "1.2M", "10 518" (NBSP), "3B".
func ParseCount(s string) (int64, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == ',' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" {
		return 0, errors.New("empty counter")
	}
	mult := 1.0
	switch s[len(s)-1] {
	case 'K', 'k':
		mult = 1e3
	case 'M', 'm':
		mult = 1e6
	case 'G', 'B', 'b':
		mult = 1e9
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0 && f <= 1e12) { // also rejects NaN and Inf
		return 0, fmt.Errorf("counter %q: not a count", s)
	}
	return int64(f*mult + 0.5), nil
}

// ChannelPage is what the plain /<channel> page says about a name.
type ChannelPage struct {
	// Exists is false for the "Contact @x" page of an unknown or private name.
	Exists      bool
	Title       string
	Subscribers int64
}

// ParseChannelPage parses t.me/<channel> (the page a non-previewable channel redirects to).
func ParseChannelPage(body []byte) (*ChannelPage, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse telegram channel page: %w", err)
	}
	cp := &ChannelPage{Title: collectors.NodeText(doc.Find(".tgme_page_title").First())}
	extra := collectors.CleanText(doc.Find(".tgme_page_extra").First().Text())
	if n, ok := strings.CutSuffix(extra, "subscribers"); ok {
		cp.Exists = true
		cp.Subscribers, _ = ParseCount(n)
	} else if strings.HasSuffix(extra, "subscriber") || strings.HasSuffix(extra, "members") {
		cp.Exists = true
	}
	return cp, nil
}
