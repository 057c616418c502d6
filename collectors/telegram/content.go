package telegram

import (
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/kuzot/kuzot/collectors"
)

// Poll is a poll message: t.me shows the question, the type ("Anonymous Poll", "Quiz"),
// each option with its share of the votes, and the number of voters in the footer.
type Poll struct {
	Question string
	Type     string
	Options  []PollOption
	// Voters is lossy like every t.me counter ("1.2K").
	Voters int64
}

// PollOption is one answer of a poll and the percentage that chose it (-1 when hidden).
type PollOption struct {
	Text    string
	Percent int
}

// Document is a file attached to a message.
type Document struct {
	// Name is the file name ("report.pdf"), Size as shown ("1.2 MB"); URL the message's
	// ?single link (t.me does not link the file itself).
	Name, Size, URL string
	// Audio marks a music file (the document icon says "audio"); Name is then the title.
	Audio bool
}

// Clip is a media reference with a duration: a video, round video or voice message.
type Clip struct {
	URL string
	// Seconds is parsed from "m:ss" or "h:mm:ss"; 0 when t.me shows none.
	Seconds int
}

// LinkPreview is the card t.me renders under a message with a link.
type LinkPreview struct {
	URL, Site, Title, Description string
}

// parseContent reads every kind of content a message can carry besides its text.
func parseContent(m *goquery.Selection, msg *Message) {
	m.Find("a.tgme_widget_message_photo_wrap").Each(func(_ int, p *goquery.Selection) {
		if st, ok := p.Attr("style"); ok {
			if mm := bgURL.FindStringSubmatch(st); mm != nil {
				msg.Photos = append(msg.Photos, mm[1])
			}
		}
	})
	m.Find("video.tgme_widget_message_video[src]").Each(func(_ int, v *goquery.Selection) {
		msg.Videos = append(msg.Videos, v.AttrOr("src", ""))
	})
	// A video that is too big to preview keeps its player link and duration.
	m.Find("a.tgme_widget_message_video_player").Each(func(_ int, a *goquery.Selection) {
		c := Clip{Seconds: parseDuration(a.Find("time.message_video_duration").First().Text())}
		if v := a.Find("video[src]").First(); v.Length() > 0 {
			c.URL = v.AttrOr("src", "")
		} else {
			c.URL = unescapeHref(a.AttrOr("href", ""))
		}
		msg.VideoClips = append(msg.VideoClips, c)
	})
	m.Find(".tgme_widget_message_roundvideo_player").Each(func(_ int, a *goquery.Selection) {
		c := Clip{Seconds: parseDuration(a.Find(".tgme_widget_message_roundvideo_duration").First().Text())}
		c.URL = a.Find("video.tgme_widget_message_roundvideo[src]").First().AttrOr("src", "")
		if c.URL == "" {
			c.URL = unescapeHref(a.AttrOr("href", ""))
		}
		msg.RoundVideos = append(msg.RoundVideos, c)
	})
	m.Find(".tgme_widget_message_voice_player").Each(func(_ int, a *goquery.Selection) {
		c := Clip{Seconds: parseDuration(a.Find(".tgme_widget_message_voice_duration").First().Text())}
		au := a.Find("audio.tgme_widget_message_voice").First()
		c.URL = au.AttrOr("src", au.AttrOr("data-src", ""))
		msg.Voices = append(msg.Voices, c)
	})
	m.Find(".tgme_widget_message_document_wrap").Each(func(_ int, d *goquery.Selection) {
		doc := Document{
			Name:  collectors.CleanText(d.Find(".tgme_widget_message_document_title").First().Text()),
			Size:  collectors.CleanText(d.Find(".tgme_widget_message_document_extra").First().Text()),
			URL:   unescapeHref(d.AttrOr("href", "")),
			Audio: d.Find(".tgme_widget_message_document_icon.audio").Length() > 0,
		}
		msg.Documents = append(msg.Documents, doc)
	})
	m.Find(".tgme_widget_message_sticker_wrap").Each(func(_ int, s *goquery.Selection) {
		u := ""
		if i := s.Find("i.tgme_widget_message_sticker").First(); i.Length() > 0 {
			u = i.AttrOr("data-webp", "")
			if u == "" {
				if mm := bgURL.FindStringSubmatch(i.AttrOr("style", "")); mm != nil {
					u = mm[1]
				}
			}
		}
		if u == "" { // animated (tgs) and video (webm) stickers
			u = s.Find(".tgme_widget_message_tgsticker source[srcset]").First().AttrOr("srcset", "")
		}
		if u == "" {
			u = s.Find("video[src]").First().AttrOr("src", "")
		}
		if u == "" {
			u = unescapeHref(s.Find("a[href]").First().AttrOr("href", ""))
		}
		msg.Stickers = append(msg.Stickers, u)
	})
	if p := m.Find(".tgme_widget_message_poll").First(); p.Length() > 0 {
		poll := &Poll{
			Question: collectors.NodeText(p.Find(".tgme_widget_message_poll_question").First()),
			Type:     collectors.CleanText(p.Find(".tgme_widget_message_poll_type").First().Text()),
		}
		p.Find(".tgme_widget_message_poll_option").Each(func(_ int, o *goquery.Selection) {
			opt := PollOption{Text: collectors.NodeText(o.Find(".tgme_widget_message_poll_option_text").First()), Percent: -1}
			if pc := strings.TrimSuffix(collectors.CleanText(o.Find(".tgme_widget_message_poll_option_percent").First().Text()), "%"); pc != "" {
				if n, err := strconv.Atoi(pc); err == nil && n >= 0 && n <= 100 {
					opt.Percent = n
				}
			}
			poll.Options = append(poll.Options, opt)
		})
		if v := m.Find(".tgme_widget_message_voters").First(); v.Length() > 0 {
			poll.Voters, _ = ParseCount(v.Text())
		}
		msg.Poll = poll
	}
	m.Find("a.tgme_widget_message_link_preview").Each(func(_ int, a *goquery.Selection) {
		lp := LinkPreview{
			URL:         unescapeHref(a.AttrOr("href", "")),
			Site:        collectors.CleanText(a.Find(".link_preview_site_name").First().Text()),
			Title:       collectors.NodeText(a.Find(".link_preview_title").First()),
			Description: collectors.NodeText(a.Find(".link_preview_description").First()),
		}
		msg.Previews = append(msg.Previews, lp)
		if lp.URL != "" {
			msg.Links = append(msg.Links, lp.URL)
		}
	})
	// "Please open Telegram to view this post" / "Media is too big": the media exists
	// but the preview does not show it; the message is kept as a reference to itself.
	if m.Find(".message_media_not_supported, .message_media_not_supported_wrap").Length() > 0 {
		msg.Unsupported = true
	}
	m.Find(".tgme_widget_message_location_wrap").Each(func(_ int, a *goquery.Selection) {
		msg.Locations = append(msg.Locations, unescapeHref(a.AttrOr("href", "")))
	})
	if c := m.Find(".tgme_widget_message_contact_wrap").First(); c.Length() > 0 {
		// Kept in the text: a shared contact card is what the exposure classifier looks for.
		msg.Contact = strings.TrimSpace(collectors.CleanText(c.Find(".tgme_widget_message_contact_name").First().Text()) + " " +
			collectors.CleanText(c.Find(".tgme_widget_message_contact_phone").First().Text()))
		if msg.Contact == "" {
			msg.Contact = collectors.CleanText(c.Text())
		}
	}
}

// hasContent reports whether the parser found anything in a message: a non-service
// message without any is markup the parser does not know, never an empty post.
func (m *Message) hasContent() bool {
	return m.Text != "" || len(m.Photos) > 0 || len(m.Videos) > 0 || len(m.VideoClips) > 0 || len(m.RoundVideos) > 0 ||
		len(m.Voices) > 0 || len(m.Documents) > 0 || len(m.Stickers) > 0 || m.Poll != nil || len(m.Previews) > 0 ||
		m.Unsupported || len(m.Locations) > 0 || m.Contact != ""
}

// parseDuration reads "0:42", "12:05" or "1:02:03" as seconds (0 when unreadable).
func parseDuration(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	total := 0
	for _, part := range strings.Split(s, ":") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > 1<<20 {
			return 0
		}
		total = total*60 + n
		if total > 1<<30 {
			return 0
		}
	}
	return total
}
