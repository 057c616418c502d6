package demosite

import (
	"fmt"
	"html"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// FormatCount writes a counter the way t.me does: 882, 4.2K, 1.2M.
func FormatCount(n int64) string {
	trim := func(f float64) string {
		s := strconv.FormatFloat(f, 'f', 1, 64)
		return strings.TrimSuffix(s, ".0")
	}
	switch {
	case n >= 1_000_000:
		return trim(float64(n)/1e6) + "M"
	case n >= 1_000:
		return trim(float64(n)/1e3) + "K"
	}
	return strconv.FormatInt(n, 10)
}

// groupThousands writes 12345 as "12 345" with NBSP, as the plain channel page does.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u00a0")
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Site) tgChannel(name string) *TelegramChannel {
	for i := range s.content.Places.Telegram {
		if strings.EqualFold(s.content.Places.Telegram[i].Name, name) {
			return &s.content.Places.Telegram[i]
		}
	}
	return nil
}

func tgID(p Post) int {
	n, _ := strconv.Atoi(p.NativeID)
	return n
}

// telegramPreview serves /s/<channel>[?before=N|?after=N]: the public web preview with
// up to PageSize messages, oldest first, and a "more" link to older ones. Channels
// without a preview and unknown channels redirect to /<channel>, as t.me does.
func (s *Site) telegramPreview(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("channel")
	ch := s.tgChannel(name)
	if ch == nil || ch.NoPreview {
		http.Redirect(w, r, "/"+name, http.StatusFound)
		return
	}
	posts := s.Visible("telegram", ch.Name)
	sort.Slice(posts, func(i, j int) bool { return tgID(posts[i]) < tgID(posts[j]) })
	q := r.URL.Query()
	if b, err := strconv.Atoi(q.Get("before")); err == nil {
		var keep []Post
		for _, p := range posts {
			if tgID(p) < b {
				keep = append(keep, p)
			}
		}
		posts = keep
	}
	if a, err := strconv.Atoi(q.Get("after")); err == nil {
		var keep []Post
		for _, p := range posts {
			if tgID(p) > a {
				keep = append(keep, p)
			}
		}
		if len(keep) > s.opt.PageSize {
			keep = keep[:s.opt.PageSize]
		}
		posts = keep
	} else if len(posts) > s.opt.PageSize {
		posts = posts[len(posts)-s.opt.PageSize:]
	}
	base := "https://t.me"
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%s – Telegram</title>
<meta property="og:title" content="%s">
`, html.EscapeString(ch.Title), html.EscapeString(ch.Title))
	if len(posts) > 0 {
		fmt.Fprintf(&b, `<link rel="prev" href="/s/%s?before=%d">`+"\n", ch.Name, tgID(posts[0]))
	}
	fmt.Fprintf(&b, `<script src="//telegram.org/js/widget-frame.js?62"></script>
</head><body class="widget_frame_base tgme_webpreview">
<header class="tgme_header"><div class="tgme_channel_info">
<div class="tgme_channel_info_header"><i class="tgme_page_photo_image bgcolor1"></i>
<div class="tgme_channel_info_header_title"><span dir="auto">%s</span></div>
<div class="tgme_channel_info_header_username"><a href="%s/%s">@%s</a></div></div>
<div class="tgme_channel_info_description">%s</div>
<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter"><span class="counter_value">%s</span> <span class="counter_type">subscribers</span></div></div>
</div></header>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">
`, html.EscapeString(ch.Title), base, ch.Name, ch.Name, html.EscapeString(ch.Description), FormatCount(int64(ch.Subscribers)))
	if len(posts) > 0 && tgID(posts[0]) > s.minTelegramID(ch.Name) {
		fmt.Fprintf(&b, `<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/%s?before=%d" class="tme_messages_more js-messages_more" data-before="%d"></a></div>`+"\n",
			ch.Name, tgID(posts[0]), tgID(posts[0]))
	}
	for _, p := range posts {
		s.writeTelegramMessage(&b, ch, p, base, origin(r))
	}
	b.WriteString("</section></main></body></html>\n")
	_, _ = w.Write([]byte(b.String()))
}

func (s *Site) minTelegramID(channel string) int {
	minID := 0
	for _, p := range s.Visible("telegram", channel) {
		if id := tgID(p); minID == 0 || id < minID {
			minID = id
		}
	}
	return minID
}

func (s *Site) writeTelegramMessage(b *strings.Builder, ch *TelegramChannel, p Post, base, self string) {
	id := tgID(p)
	fmt.Fprintf(b, `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="%s/%d" data-view="demo">
<div class="tgme_widget_message_user"><a href="%s/%s"><i class="tgme_widget_message_user_photo bgcolor1"></i></a></div>
<div class="tgme_widget_message_bubble"><i class="tgme_widget_message_bubble_tail"></i>
<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="%s/%s"><span dir="auto">%s</span></a></div>
`, ch.Name, id, base, ch.Name, base, ch.Name, html.EscapeString(ch.Title))
	if p.ForwardedFrom != "" {
		src, _, _ := strings.Cut(p.ForwardedFrom, "/")
		fmt.Fprintf(b, `<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from <a class="tgme_widget_message_forwarded_from_name" href="%s/%s"><span dir="auto">%s</span></a></div>`+"\n",
			base, p.ForwardedFrom, html.EscapeString(src))
	}
	if p.ReplyTo != "" {
		quoted := ""
		for _, q := range s.content.Posts {
			if q.Kind == "telegram" && q.Place == p.Place && q.NativeID == p.ReplyTo {
				quoted = q.Text
			}
		}
		if len([]rune(quoted)) > 60 {
			quoted = string([]rune(quoted)[:60]) + "…"
		}
		fmt.Fprintf(b, `<a class="tgme_widget_message_reply" href="%s/%s/%s"><div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name">%s</span></div><div class="tgme_widget_message_text js-message_reply_text" dir="auto">%s</div></a>`+"\n",
			base, ch.Name, p.ReplyTo, html.EscapeString(ch.Title), html.EscapeString(quoted))
	}
	for i := 1; i <= p.Photos; i++ {
		fmt.Fprintf(b, `<a class="tgme_widget_message_photo_wrap %d blured" href="%s/%s/%d?single" style="width:800px;background-image:url('https://cdn.demo.invalid/file/%s-%d-%d.jpg')"><div class="tgme_widget_message_photo" style="padding-top:75%%"></div></a>`+"\n",
			i, base, ch.Name, id, ch.Name, id, i)
	}
	if p.Image != "" {
		// A picture the site serves itself (/media/, generated in memory).
		fmt.Fprintf(b, `<a class="tgme_widget_message_photo_wrap %d blured" href="%s/%s/%d?single" style="width:800px;background-image:url('%s/media/%s.png')"><div class="tgme_widget_message_photo" style="padding-top:75%%"></div></a>`+"\n",
			p.Photos+1, base, ch.Name, id, self, p.Image)
	}
	switch {
	case p.Poll != nil:
		writeTelegramPoll(b, p.Poll)
	case p.Document != nil:
		fmt.Fprintf(b, `<a class="tgme_widget_message_document_wrap" href="%s/%s/%d?single"><div class="tgme_widget_message_document_icon accent_bg"></div><div class="tgme_widget_message_document"><div class="tgme_widget_message_document_title accent_color" dir="auto">%s</div><div class="tgme_widget_message_document_extra" dir="auto">%s</div></div></a>`+"\n",
			base, ch.Name, id, html.EscapeString(p.Document.Name), html.EscapeString(p.Document.Size))
	}
	if p.Poll == nil {
		fmt.Fprintf(b, `<div class="tgme_widget_message_text js-message_text" dir="auto">%s</div>`+"\n", tgText(p.Text))
	}
	if p.LinkPreview != "" {
		fmt.Fprintf(b, `<a class="tgme_widget_message_link_preview" href="%s"><div class="link_preview_site_name accent_color" dir="auto">demo-news.invalid</div><div class="link_preview_title" dir="auto">Demo article</div></a>`+"\n",
			html.EscapeString(strings.ReplaceAll(p.LinkPreview, "&", "&amp;")))
	}
	t := s.PublishedAt(p)
	b.WriteString(`<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info">` + "\n")
	if p.Poll != nil {
		fmt.Fprintf(b, `<span class="tgme_widget_message_voters">%s</span><span class="copyonly"> votes</span>`, FormatCount(p.Poll.Voters))
	}
	fmt.Fprintf(b, `<span class="tgme_widget_message_views">%s</span>`, FormatCount(s.Views(p)))
	if p.Signature != "" {
		fmt.Fprintf(b, `<span class="tgme_widget_message_from_author" dir="auto">%s,&nbsp;</span>`, html.EscapeString(p.Signature))
	}
	fmt.Fprintf(b, `<span class="copyonclick"></span><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="%s/%s/%d"><time datetime="%s" class="time">%s</time></a></span>
</div></div></div></div></div>
`, base, ch.Name, id, t.Format("2006-01-02T15:04:05+00:00"), t.Format("15:04"))
}

// writeTelegramPoll renders a poll as t.me does (question, type, options with shares).
func writeTelegramPoll(b *strings.Builder, p *Poll) {
	fmt.Fprintf(b, `<div class="tgme_widget_message_poll js-poll"><div class="tgme_widget_message_poll_question">%s</div><div class="tgme_widget_message_poll_type">%s</div><div class="tgme_widget_message_poll_options">`,
		html.EscapeString(p.Question), html.EscapeString(p.Type))
	for i, o := range p.Options {
		pct := 100 / len(p.Options)
		if i == 0 {
			pct += 100 % len(p.Options)
		}
		fmt.Fprintf(b, `<div class="tgme_widget_message_poll_option"><div class="tgme_widget_message_poll_option_percent">%d%%</div><div class="tgme_widget_message_poll_option_value"><div class="tgme_widget_message_poll_option_text">%s</div><div class="tgme_widget_message_poll_option_bar" style="width:%d%%"></div></div></div>`,
			pct, html.EscapeString(o), pct)
	}
	b.WriteString("</div></div>\n")
}

// tgText renders a message body as t.me does: escaped text, <br/> for newlines, links.
func tgText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = html.EscapeString(l)
	}
	return strings.Join(lines, "<br/>")
}

// telegramPlain serves /<channel>: the plain channel page with the exact subscriber
// count, or the "Contact @x" page of an unknown name.
func (s *Site) telegramPlain(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("channel")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	ch := s.tgChannel(name)
	if ch == nil {
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram: Contact @%s</title>
<meta property="og:title" content="Telegram: Contact @%s"><meta name="robots" content="noindex, nofollow"></head>
<body><div class="tgme_page"><div class="tgme_page_title"><span dir="auto">Telegram</span></div>
<div class="tgme_page_description">If you have <strong>Telegram</strong>, you can contact <a class="tgme_username_link" href="tg://resolve?domain=%s">@%s</a> right away.</div></div></body></html>
`, html.EscapeString(name), html.EscapeString(name), html.EscapeString(name), html.EscapeString(name))
		return
	}
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram: View @%s</title>
<meta property="og:title" content="%s"></head>
<body><div class="tgme_page"><div class="tgme_page_title"><span dir="auto">%s</span></div>
<div class="tgme_page_extra">%s subscribers</div>
<div class="tgme_page_description">%s</div></div></body></html>
`, ch.Name, html.EscapeString(ch.Title), html.EscapeString(ch.Title), groupThousands(ch.Subscribers), html.EscapeString(ch.Description))
}
