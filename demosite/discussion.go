package demosite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// DiscussionAPIPath is where the demo discussion widget's "load more" script posts
// (the api_url its page names, as t.me's widget pages do).
const DiscussionAPIPath = "/discussion/api"

// discussionAPIPage is how many older comments one loadComments answer holds.
const discussionAPIPage = 3

// discussionPost finds the live Telegram post <channel>/<id>.
func (s *Site) discussionPost(channel string, id int) (*TelegramChannel, Post, bool) {
	ch := s.tgChannel(channel)
	if ch == nil || ch.NoPreview {
		return nil, Post{}, false
	}
	for _, p := range s.Visible("telegram", ch.Name) {
		if tgID(p) == id {
			return ch, p, true
		}
	}
	return nil, Post{}, false
}

// discussionHash is the demo widget's discussion_hash of a post.
func discussionHash(ch string, id int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "demo-discussion/%s/%d", ch, id))
	return hex.EncodeToString(h[:8])
}

// topMsgID is the id of the channel post's copy in the demo discussion group.
func topMsgID(id int) int { return 4000 + id }

// telegramDiscussion serves <channel>/<id>?embed=1&discussion=1[&comments_limit=N]: the
// discussion widget t.me serves for a post, with the channel post on top and its newest
// comments_limit comments (default 5, at most 100), oldest first, behind a "load more"
// link when older ones exist. A channel without a discussion group gets the widget's
// "Discussion is not available".
func (s *Site) telegramDiscussion(w http.ResponseWriter, r *http.Request, channel, post string) {
	q := r.URL.Query()
	id, err := strconv.Atoi(post)
	ch, p, ok := s.discussionPost(channel, id)
	if err != nil || !ok || q.Get("embed") != "1" || q.Get("discussion") != "1" {
		http.NotFound(w, r)
		return
	}
	limit, err := strconv.Atoi(q.Get("comments_limit"))
	if err != nil || limit <= 0 {
		limit = 5
	}
	limit = min(limit, 100)
	base := "https://t.me"
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Telegram Widget</title>
<script src="//telegram.org/js/widget-frame.js?63"></script>
<script src="//telegram.org/js/discussion-widget.js?9"></script>
</head><body class="widget_frame_base tgme_widget body_widget_discussion emoji_image nodark">
<div class="tgme_widget_message_wrap js-discuss_top_message">
`)
	s.writeTelegramMessage(&b, ch, p, base, origin(r))
	b.WriteString("</div>\n")
	if !ch.Discussion {
		b.WriteString(`<div class="tgme_post_discussion_unavailable"><div class="tgme_widget_message_error">Discussion is not available</div></div>
<script>TWidgetDiscussion.init({"auto_height":true});</script>
</body></html>
`)
		_, _ = w.Write([]byte(b.String()))
		return
	}
	comments := s.VisibleComments(p.Key)
	fmt.Fprintf(&b, `<div class="tgme_post_discussion"><h3 class="tgme_post_discussion_header"><span class="js-header">%d comments</span></h3>
<div class="tgme_post_discussion_messages js-message_history">
`, len(comments))
	if len(comments) == 0 {
		b.WriteString(`<div class="tgme_widget_message_centered js-no_messages_wrap">No comments here yet.</div>` + "\n")
	}
	shown := comments
	if len(shown) > limit {
		shown = shown[len(shown)-limit:]
	}
	s.writeDiscussionComments(&b, ch, p, shown, len(shown) < len(comments))
	if len(shown) > 0 {
		fmt.Fprintf(&b, `<div class="tme_messages_more js-messages_more autoload" data-after="%s"></div>`+"\n", shown[len(shown)-1].NativeID)
	}
	fmt.Fprintf(&b, `</div></div>
<form class="tgme_post_discussion_new_message_form js-new_message_form"><input type="hidden" name="peer" value="demo_discussion_%s"><input type="hidden" name="top_msg_id" value="%d"><input type="hidden" name="discussion_hash" value="%s"><input type="hidden" name="send_as" value=""><textarea class="js-message_input" name="message" placeholder="Write a comment..."></textarea><button type="submit">Send</button></form>
<script>TWidgetAuth.init({"api_url":"%s?api_hash=demo","unauth":true});</script>
<script>TWidgetDiscussion.init({"comments_cnt":%d,"autoload":true,"auto_height":true});</script>
</body></html>
`, ch.Name, topMsgID(id), discussionHash(ch.Name, id), DiscussionAPIPath, len(comments))
	_, _ = w.Write([]byte(b.String()))
}

// writeDiscussionComments renders comments as the widget does, with a "load more" link to
// older ones first when more is set.
func (s *Site) writeDiscussionComments(b *strings.Builder, ch *TelegramChannel, root Post, cs []Comment, more bool) {
	base := "https://t.me"
	if more && len(cs) > 0 {
		fmt.Fprintf(b, `<div class="tgme_widget_message_centered js-messages_more_wrap"><a class="tme_messages_more js-messages_more" data-before="%s">Show older comments</a></div>`+"\n", cs[0].NativeID)
	}
	for _, cm := range cs {
		t := s.CommentPublishedAt(cm)
		user := "demo_user_" + strings.ToLower(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, cm.Key))
		fmt.Fprintf(b, `<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message js-widget_message" data-post-id="%s" data-view="demo">
<div class="tgme_widget_message_user"><a href="%s/%s"><i class="tgme_widget_message_user_photo bgcolor3"></i></a></div>
<div class="tgme_widget_message_bubble">
<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_author_name" href="%s/%s"><span dir="auto">%s</span></a></div>
`, cm.NativeID, base, user, base, user, html.EscapeString(cm.Author))
		if cm.Parent != "" {
			parent, _ := s.comment(cm.Parent)
			quoted, author := "Deleted message", "Deleted Account"
			if s.CommentLive(parent, s.opt.Now()) {
				quoted, author = parent.Text, parent.Author
			}
			if len([]rune(quoted)) > 60 {
				quoted = string([]rune(quoted)[:60]) + "…"
			}
			fmt.Fprintf(b, `<a class="tgme_widget_message_reply js-reply_to" href="%s/%s/%s?comment=%s"><div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_author_name" dir="auto">%s</span></div><div class="tgme_widget_message_text js-message_reply_text" dir="auto">%s</div></a>`+"\n",
				base, ch.Name, root.NativeID, parent.NativeID, html.EscapeString(author), html.EscapeString(quoted))
		}
		fmt.Fprintf(b, `<div class="tgme_widget_message_text js-message_text" dir="auto">%s</div>
<div class="tgme_widget_message_footer js-message_footer"><div class="tgme_widget_message_info js-message_info"><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="%s/%s/%s?comment=%s"><time datetime="%s" class="time">%s</time></a></span></div>
<a class="tgme_widget_message_reply_btn js-reply_btn" href="#">Reply</a></div>
</div></div></div>
`, tgText(cm.Text), base, ch.Name, root.NativeID, cm.NativeID, t.Format("2006-01-02T15:04:05+00:00"), t.Format("15:04"))
	}
}

// telegramDiscussionAPI answers the widget's loadComments call (form: method, peer,
// top_msg_id, discussion_hash, before_id) with the older comments as JSON, as the real
// widget's script expects: {"comments_html", "comments_cnt"} or {"error"}.
func (s *Site) telegramDiscussionAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	if err := r.ParseForm(); err != nil || r.Form.Get("method") != "loadComments" {
		_ = enc.Encode(map[string]string{"error": "METHOD_INVALID"})
		return
	}
	channel, _ := strings.CutPrefix(r.Form.Get("peer"), "demo_discussion_")
	top, _ := strconv.Atoi(r.Form.Get("top_msg_id"))
	ch, p, ok := s.discussionPost(channel, top-4000)
	if !ok || !ch.Discussion || r.Form.Get("discussion_hash") != discussionHash(ch.Name, top-4000) {
		_ = enc.Encode(map[string]string{"error": "DISCUSSION_INVALID"})
		return
	}
	before, err := strconv.Atoi(r.Form.Get("before_id"))
	if err != nil {
		_ = enc.Encode(map[string]string{"error": "BEFORE_ID_INVALID"})
		return
	}
	all := s.VisibleComments(p.Key)
	var older []Comment
	for _, cm := range all {
		if n, _ := strconv.Atoi(cm.NativeID); n < before {
			older = append(older, cm)
		}
	}
	more := len(older) > discussionAPIPage
	if more {
		older = older[len(older)-discussionAPIPage:]
	}
	var b strings.Builder
	s.writeDiscussionComments(&b, ch, p, older, more)
	_ = enc.Encode(map[string]any{"comments_html": b.String(), "comments_cnt": len(all),
		"header_html": fmt.Sprintf("%d comments", len(all))})
}
