package demosite

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultRobotsTxt mirrors the rules of the real sites that matter to the collectors:
// YouTube's /api/ (caption tracks), /youtubei/ and /feeds/videos.xml are disallowed, and
// /private/ lets tests check that a disallow is obeyed.
const DefaultRobotsTxt = `User-agent: *
Disallow: /api/
Disallow: /youtubei/
Disallow: /feeds/videos.xml
Disallow: /comment
Disallow: /private/
`

// Options configure a demo site.
type Options struct {
	// Seed drives the generated filler history and view growth.
	Seed int64
	// Epoch is the site's time zero: a post with offset At is published at Epoch+At.
	Epoch time.Time
	// Now is the site's clock (default time.Now); tests pass a fixed or stepping clock.
	Now func() time.Time
	// PageSize is the number of Telegram messages per page (default 20, as t.me).
	PageSize int
	// RobotsTxt replaces DefaultRobotsTxt.
	RobotsTxt string
}

// Site is the demo public web.
type Site struct {
	opt     Options
	content *Content
	mux     *http.ServeMux
	hooks   hookSink
	// bot is the local Bot API the demo tipline polls (/botapi/bot<token>/<method>).
	bot *BotAPI
	// pictures are the generated images of /media/ (media.go), rendered once.
	pics picturesOnce
}

// New loads the demo content and builds the site.
func New(opt Options) (*Site, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Epoch.IsZero() {
		return nil, fmt.Errorf("demosite: Options.Epoch is required (time zero of the content)")
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 20
	}
	if opt.RobotsTxt == "" {
		opt.RobotsTxt = DefaultRobotsTxt
	}
	c, err := Load(opt.Seed)
	if err != nil {
		return nil, err
	}
	s := &Site{opt: opt, content: c, mux: http.NewServeMux(), bot: NewBotAPI(DemoBotToken)}
	seedTips(s.bot, opt.Now())
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "kuzot-demo-site")
	// t.me/<channel>/<id>?embed=1 widgets: dispatched here, as a /{channel}/{id}
	// pattern would overlap the /botapi/ tree on the mux.
	if r.Method == http.MethodGet && r.URL.Query().Get("embed") == "1" {
		if ch, id, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); ok && ch != "s" && !strings.Contains(id, "/") {
			s.telegramDiscussion(w, r, ch, id)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// BotAPI is the site's local Telegram Bot API (the demo tipline's tips).
func (s *Site) BotAPI() *BotAPI { return s.bot }

// Content returns the site's data (shared, do not modify).
func (s *Site) Content() *Content { return s.content }

func (s *Site) routes() {
	s.mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(s.opt.RobotsTxt))
	})
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /rss/{file}", s.feed)
	s.mux.HandleFunc("GET /atom/{file}", s.feed)
	s.mux.HandleFunc("POST /hooks/{name}", s.hooks.receive(s.opt.Now))
	s.mux.HandleFunc("GET /hooks", s.hooks.list)
	s.mux.HandleFunc("GET /media/{file}", s.media)
	s.mux.Handle("/botapi/", s.bot)
	s.routesMore()
}

// PublishedAt is when p is (or will be) published on this site.
func (s *Site) PublishedAt(p Post) time.Time {
	return s.opt.Epoch.Add(p.At).UTC().Truncate(time.Second)
}

// Visible returns the posts of one kind and place published by now and not yet gone,
// oldest first.
func (s *Site) Visible(kind, place string) []Post {
	now := s.opt.Now()
	var out []Post
	for _, p := range s.content.Posts {
		if p.Kind == kind && p.Place == place && s.Live(p, now) {
			out = append(out, p)
		}
	}
	return out
}

// Live reports whether p is online at t: published and not removed.
func (s *Site) Live(p Post, t time.Time) bool {
	if s.PublishedAt(p).After(t) {
		return false
	}
	return p.GoneAfter == 0 || t.Before(s.opt.Epoch.Add(p.GoneAfter))
}

// Views is p's view count now: its base count plus a deterministic growth per hour
// since publication, so re-visits see views change.
func (s *Site) Views(p Post) int64 {
	h := sha256.Sum256(fmt.Appendf(nil, "%d/%s", s.opt.Seed, p.Key))
	perHour := int64(binary.BigEndian.Uint16(h[:2])%7) + 1
	hours := int64(s.opt.Now().Sub(s.PublishedAt(p)) / time.Hour)
	if hours < 0 {
		hours = 0
	}
	return p.Views + perHour*hours
}

func (s *Site) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintln(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>kuzot demo site</title></head><body>`)
	fmt.Fprintln(w, `<h1>kuzot demo public web</h1><p>Invented content, fictional people only.</p><ul>`)
	for _, f := range s.content.Places.RSS {
		fmt.Fprintf(w, "<li><a href=%q>%s (%s, %s)</a></li>\n", f.Path, f.Title, f.Format, f.Charset)
	}
	for _, c := range s.content.Places.Telegram {
		fmt.Fprintf(w, "<li><a href=\"/s/%s\">Telegram %s</a></li>\n", c.Name, c.Title)
	}
	for _, c := range s.content.Places.YouTube {
		fmt.Fprintf(w, "<li><a href=\"/channel/%s/videos\">YouTube %s</a></li>\n", c.ChannelID, c.Title)
	}
	for _, c := range s.content.Places.VK {
		fmt.Fprintf(w, "<li><a href=\"/method/wall.get?domain=%s&amp;v=5.199&amp;access_token=demo\">VK %s</a></li>\n", c.Domain, c.Title)
	}
	for _, t := range s.content.Places.Web {
		fmt.Fprintf(w, "<li><a href=\"/forum/thread/%s\">Forum %s</a></li>\n", t.Thread, t.Title)
	}
	fmt.Fprintln(w, `</ul></body></html>`)
}

// conditional answers 304 when the client's validators match, else sets them.
func conditional(w http.ResponseWriter, r *http.Request, etag string, modified time.Time) bool {
	w.Header().Set("ETag", etag)
	if !modified.IsZero() {
		w.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if inm == etag {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(t) {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}
