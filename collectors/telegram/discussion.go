package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/kuzot/kuzot/collectors"
)

// The discussion widget is what t.me serves for <channel>/<post>?embed=1&discussion=1
// (telegram-widget.js's data-telegram-discussion): the channel post on top, then the
// public comments of the channel's linked discussion group in a .js-message_history
// list, oldest first, each a .js-widget_message with data-post-id (the comment's message
// id in the group). A .js-messages_more[data-before] link stands before the list when
// older comments exist; the widget's script loads them with its loadComments method
// (peer, top_msg_id and discussion_hash from the page's .js-new_message_form, before_id),
// which answers JSON whose comments_html holds the same markup. A channel without a
// linked group shows "Discussion is not available" instead of the list.

// ErrNoDiscussion means the post has no public comments: the channel has no linked
// discussion group (or comments are off for the post). It is a state, not a failure.
var ErrNoDiscussion = errors.New("telegram discussion is not available")

// ErrNotDiscussion means the page is not a discussion widget at all (markup changed).
var ErrNotDiscussion = errors.New("not a telegram discussion widget page")

// Discussion is one parsed discussion widget page or loadComments answer.
type Discussion struct {
	// Count is the number of comments the widget reports (-1 when it does not say).
	Count int
	// Comments are the comments on the page, oldest first.
	Comments []DiscussionComment
	// Before is the id to ask older comments with (0 when the page shows the oldest).
	Before int
	// Load is what the widget's "load more" call needs (zero on a loadComments answer).
	Load LoadMore
	// Errors are comment wrappers that did not parse: a source error, never a lost comment.
	Errors []error
}

// LoadMore is the widget's own "load more" call: its API URL (from the page's
// TWidgetAuth/TWidgetDiscussion options, resolved against the page) and the hidden form
// values naming the discussion.
type LoadMore struct {
	APIURL               string
	Peer, TopMsgID, Hash string
}

// Form returns the loadComments request for comments older than before.
func (l LoadMore) Form(before int) url.Values {
	return url.Values{"method": {"loadComments"}, "peer": {l.Peer}, "top_msg_id": {l.TopMsgID},
		"discussion_hash": {l.Hash}, "before_id": {strconv.Itoa(before)}}
}

// OK reports whether the page named everything the call needs.
func (l LoadMore) OK() bool {
	return l.APIURL != "" && l.Peer != "" && l.TopMsgID != "" && l.Hash != ""
}

// DiscussionComment is one comment of a discussion.
type DiscussionComment struct {
	ID     int
	Author string
	// AuthorURL is the author's t.me link when the widget shows one ("" for a hidden user).
	AuthorURL string
	Text      string
	Date      time.Time
	// ReplyTo is the id of the comment this one answers (0 when it answers the post).
	ReplyTo int
	Photos  []string
	Edited  bool
}

var (
	initRe      = regexp.MustCompile(`(TWidgetAuth|TWidgetDiscussion)\.init\((\{.*\})\)`)
	commentIDRe = regexp.MustCompile(`[?&]comment=(\d+)`)
)

// widgetOptions reads the JSON options the page passes to the widget scripts.
func widgetOptions(body []byte) (opts map[string]any, discussionInit bool) {
	opts = map[string]any{}
	for _, m := range initRe.FindAllSubmatch(body, -1) {
		var o map[string]any
		if json.Unmarshal(m[2], &o) != nil {
			continue
		}
		if string(m[1]) == "TWidgetDiscussion" {
			discussionInit = true
		}
		for k, v := range o {
			opts[k] = v
		}
	}
	return opts, discussionInit
}

// ParseDiscussion parses a discussion widget page fetched from pageURL (UTF-8).
func ParseDiscussion(body []byte, pageURL string) (*Discussion, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse telegram discussion: %w", err)
	}
	opts, discussionInit := widgetOptions(body)
	history := doc.Find(".js-message_history").First()
	if history.Length() == 0 {
		if discussionInit || strings.Contains(doc.Text(), "Discussion is not available") {
			return nil, ErrNoDiscussion
		}
		return nil, ErrNotDiscussion
	}
	d := &Discussion{Count: -1}
	if n, ok := opts["comments_cnt"].(float64); ok && n >= 0 {
		d.Count = int(n)
	} else if h := collectors.CleanText(doc.Find(".js-header").First().Text()); h != "" {
		if n, err := strconv.Atoi(strings.Fields(h)[0]); err == nil {
			d.Count = n
		}
	} else if doc.Find(".js-no_messages_wrap").Length() > 0 {
		d.Count = 0
	}
	parseComments(history, d)
	if api, ok := opts["api_url"].(string); ok && api != "" {
		if base, err := url.Parse(pageURL); err == nil {
			if ref, err := url.Parse(api); err == nil {
				d.Load.APIURL = base.ResolveReference(ref).String()
			}
		}
	}
	form := doc.Find("form.js-new_message_form").First()
	d.Load.Peer = form.Find(`input[name="peer"]`).AttrOr("value", "")
	d.Load.TopMsgID = form.Find(`input[name="top_msg_id"]`).AttrOr("value", "")
	d.Load.Hash = form.Find(`input[name="discussion_hash"]`).AttrOr("value", "")
	return d, nil
}

// ParseLoadComments parses the JSON answer of the widget's loadComments call.
func ParseLoadComments(body []byte) (*Discussion, error) {
	var r struct {
		CommentsHTML *string `json:"comments_html"`
		CommentsCnt  *int    `json:"comments_cnt"`
		Error        string  `json:"error"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("telegram loadComments: malformed JSON: %w", err)
	}
	if r.Error != "" {
		return nil, fmt.Errorf("telegram loadComments: %s", r.Error)
	}
	if r.CommentsHTML == nil {
		return nil, errors.New("telegram loadComments: answer without comments_html")
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<div class=\"js-message_history\">" + *r.CommentsHTML + "</div>"))
	if err != nil {
		return nil, fmt.Errorf("telegram loadComments: %w", err)
	}
	d := &Discussion{Count: -1}
	if r.CommentsCnt != nil {
		d.Count = *r.CommentsCnt
	}
	parseComments(doc.Find(".js-message_history").First(), d)
	return d, nil
}

// parseComments reads the comments of a history list and its "older" link.
func parseComments(history *goquery.Selection, d *Discussion) {
	if more := history.Find(".js-messages_more[data-before]").First(); more.Length() > 0 && !more.HasClass("hide") {
		d.Before, _ = strconv.Atoi(more.AttrOr("data-before", ""))
	}
	history.Find(".tgme_widget_message_wrap").Each(func(i int, w *goquery.Selection) {
		m := w.Find(".tgme_widget_message[data-post-id]").First()
		if m.Length() == 0 {
			if w.Find(".service_message").Length() > 0 {
				return // "X joined the group": not a comment
			}
			d.Errors = append(d.Errors, fmt.Errorf("%w: comment wrapper %d has no data-post-id message", ErrMarkupChanged, i+1))
			return
		}
		if m.HasClass("service_message") {
			return
		}
		c, err := parseComment(m)
		if err != nil {
			d.Errors = append(d.Errors, fmt.Errorf("%w: %w", ErrMarkupChanged, err))
			return
		}
		d.Comments = append(d.Comments, c)
	})
}

func parseComment(m *goquery.Selection) (DiscussionComment, error) {
	raw := m.AttrOr("data-post-id", "")
	id, err := strconv.Atoi(raw)
	if err != nil || id <= 0 {
		return DiscussionComment{}, fmt.Errorf("comment with data-post-id %q: not a message id", raw)
	}
	c := DiscussionComment{ID: id}
	// Trap: a reply's quote reuses tgme_widget_message_author_name and _text; the
	// comment's own ones are outside a.tgme_widget_message_reply.
	own := func(sel string) *goquery.Selection {
		return m.Find(sel).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.ParentsFiltered(".tgme_widget_message_reply").Length() == 0
		}).First()
	}
	a := own(".tgme_widget_message_author_name")
	c.Author = collectors.CleanText(a.Text())
	if href, ok := a.Attr("href"); ok {
		c.AuthorURL = href
	}
	c.Text = collectors.NodeText(own(".tgme_widget_message_text.js-message_text"))
	dt, ok := m.Find("a.tgme_widget_message_date time[datetime]").First().Attr("datetime")
	if !ok {
		return DiscussionComment{}, fmt.Errorf("comment %d: no date", id)
	}
	if c.Date, err = time.Parse(time.RFC3339, dt); err != nil {
		return DiscussionComment{}, fmt.Errorf("comment %d: date %q: %w", id, dt, err)
	}
	if r := m.Find(".tgme_widget_message_reply").First(); r.Length() > 0 {
		// The quote links to the answered comment: <channel>/<post>?comment=<id>.
		if mm := commentIDRe.FindStringSubmatch(r.AttrOr("href", "")); mm != nil {
			c.ReplyTo, _ = strconv.Atoi(mm[1])
		}
	}
	m.Find("a.tgme_widget_message_photo_wrap").Each(func(_ int, p *goquery.Selection) {
		if mm := bgURL.FindStringSubmatch(p.AttrOr("style", "")); mm != nil {
			c.Photos = append(c.Photos, mm[1])
		}
	})
	c.Edited = strings.Contains(m.Find("span.tgme_widget_message_meta").Text(), "edited")
	if c.Author == "" {
		return DiscussionComment{}, fmt.Errorf("comment %d: no author", id)
	}
	if c.Text == "" && len(c.Photos) == 0 && m.Find(".tgme_widget_message_sticker_wrap, .tgme_widget_message_video_player, .tgme_widget_message_document_wrap, .tgme_widget_message_voice_player, .tgme_widget_message_roundvideo_player, .message_media_not_supported").Length() == 0 {
		return DiscussionComment{}, fmt.Errorf("comment %d: no text and no known media", id)
	}
	return c, nil
}
