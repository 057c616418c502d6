package demosite

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// ForumPageSize is the number of posts per forum page.
const ForumPageSize = 3

// forumThread serves /forum/thread/<id>?page=N in XenForo-like markup (article.message,
// .bbWrapper bodies, <time datetime>, a "next" link), oldest posts first. Under
// /forum-cp1251/ the same page is windows-1251 with the charset only in <meta>, as on
// older regional forums (the header names none).
func (s *Site) forumThread(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var th *Thread
	for i := range s.content.Places.Web {
		if s.content.Places.Web[i].Thread == id {
			th = &s.content.Places.Web[i]
		}
	}
	if th == nil {
		http.NotFound(w, r)
		return
	}
	cp1251 := strings.HasPrefix(r.URL.Path, "/forum-cp1251/")
	prefix := "/forum"
	if cp1251 {
		prefix = "/forum-cp1251"
	}
	posts := s.Visible("web", id)
	pages := max(1, (len(posts)+ForumPageSize-1)/ForumPageSize)
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	if page > pages {
		http.NotFound(w, r)
		return
	}
	lo := (page - 1) * ForumPageSize
	shown := posts[lo:min(lo+ForumPageSize, len(posts))]
	charset := "utf-8"
	if cp1251 {
		charset = "windows-1251"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="ru"><head><meta charset="%s"><title>%s | Демо форум</title></head>
<body><div class="p-body"><h1 class="p-title-value">%s</h1>
<div class="block-body js-replyNewMessageContainer">
`, charset, html.EscapeString(th.Title), html.EscapeString(th.Title))
	for _, p := range shown {
		t := s.PublishedAt(p)
		fmt.Fprintf(&b, `<article class="message message--post" data-author="%s" id="js-post-%s">
<div class="message-cell message-cell--user"><h4 class="message-name"><a href="%s/members/%s" class="username">%s</a></h4></div>
<div class="message-cell message-cell--main"><header class="message-attribution">
<a href="%s/thread/%s/post-%s" class="message-date u-concealed"><time class="u-dt" datetime="%s" data-time="%d">%s</time></a></header>
<div class="message-content"><div class="message-userContent"><article class="message-body"><div class="bbWrapper">%s</div></article></div></div>
</div></article>
`, html.EscapeString(p.Author), p.NativeID, prefix, html.EscapeString(p.Author), html.EscapeString(p.Author),
			prefix, id, p.NativeID, t.Format("2006-01-02T15:04:05-0700"), t.Unix(), t.Format("02.01.2006 в 15:04"),
			strings.ReplaceAll(html.EscapeString(p.Text), "\n", "<br />"))
	}
	b.WriteString(`</div><div class="pageNav">`)
	if page < pages {
		fmt.Fprintf(&b, `<a href="%s/thread/%s?page=%d" class="pageNav-jump pageNav-jump--next">Далее</a>`, prefix, id, page+1)
	}
	b.WriteString("</div></div></body></html>\n")
	out := []byte(b.String())
	if cp1251 {
		enc := encoding.HTMLEscapeUnsupported(charmap.Windows1251.NewEncoder())
		if out, err = enc.Bytes(out); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html")
	} else {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	_, _ = w.Write(out)
}
