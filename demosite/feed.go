package demosite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

func xmlEsc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// feed serves an RSS 2.0 or Atom document. A windows-1251 feed declares its charset in
// the header and the prolog by default (the double-decoding trap of colly's OnXML); the
// query ?cs=header or ?cs=prolog declares it in one place only. Letters cp1251 cannot
// encode (Kyrgyz ң ө ү) are written as numeric character references, as such sites do.
func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	var f *Feed
	for i := range s.content.Places.RSS {
		if s.content.Places.RSS[i].Path == r.URL.Path {
			f = &s.content.Places.RSS[i]
		}
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	posts := s.Visible("rss", f.Path)
	var body bytes.Buffer
	cp1251 := strings.EqualFold(f.Charset, "windows-1251")
	cs := r.URL.Query().Get("cs")
	prolog := `<?xml version="1.0" encoding="UTF-8"?>`
	if cp1251 && cs != "header" {
		prolog = `<?xml version="1.0" encoding="windows-1251"?>`
	}
	if cp1251 && cs == "header" {
		prolog = `<?xml version="1.0"?>`
	}
	body.WriteString(prolog + "\n")
	var updated time.Time
	for _, p := range posts {
		if t := s.PublishedAt(p); t.After(updated) {
			updated = t
		}
	}
	if updated.IsZero() {
		updated = s.opt.Epoch
	}
	if f.Format == "atom" {
		fmt.Fprintf(&body, "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>%s</title>\n<id>tag:demo-blog.invalid,2026:feed</id>\n<updated>%s</updated>\n<link rel=\"self\" href=\"%s\"/>\n",
			xmlEsc(f.Title), updated.Format(time.RFC3339), xmlEsc(f.Path))
		for i := len(posts) - 1; i >= 0; i-- {
			p := posts[i]
			t := s.PublishedAt(p)
			fmt.Fprintf(&body, "<entry>\n<id>%s</id>\n<title type=\"text\">%s</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"https://demo-blog.invalid/%s\"/>\n<published>%s</published>\n<updated>%s</updated>\n<author><name>%s</name></author>\n<content type=\"html\">%s</content>\n</entry>\n",
				xmlEsc(p.NativeID), xmlEsc(p.Title), xmlEsc(p.Key), t.Format(time.RFC3339), t.Format(time.RFC3339),
				xmlEsc(p.Author), xmlEsc("<p>"+strings.ReplaceAll(xmlEsc(p.Text), "\n", "<br/>")+"</p>"))
		}
		body.WriteString("</feed>\n")
	} else {
		fmt.Fprintf(&body, "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n<title>%s</title>\n<link>https://demo-news.invalid/</link>\n<description>%s</description>\n",
			xmlEsc(f.Title), xmlEsc(f.Title))
		if f.TTL > 0 {
			fmt.Fprintf(&body, "<ttl>%d</ttl>\n", f.TTL)
		}
		for i := len(posts) - 1; i >= 0; i-- {
			p := posts[i]
			link := p.NativeID
			if !strings.HasPrefix(link, "http") {
				link = "https://demo-vesti.invalid/" + p.NativeID
			}
			fmt.Fprintf(&body, "<item>\n<title>%s</title>\n<link>%s</link>\n<guid isPermaLink=\"%t\">%s</guid>\n<pubDate>%s</pubDate>\n<dc:creator>%s</dc:creator>\n<description><![CDATA[<p>%s</p>]]></description>\n</item>\n",
				xmlEsc(p.Title), xmlEsc(link), strings.HasPrefix(p.NativeID, "http"), xmlEsc(p.NativeID),
				s.PublishedAt(p).Format(time.RFC1123Z), xmlEsc(p.Author), strings.ReplaceAll(xmlEsc(p.Text), "\n", "<br>"))
		}
		body.WriteString("</channel>\n</rss>\n")
	}
	out := body.Bytes()
	ctype := "application/rss+xml; charset=utf-8"
	if f.Format == "atom" {
		ctype = "application/atom+xml; charset=utf-8"
	}
	if cp1251 {
		enc := encoding.HTMLEscapeUnsupported(charmap.Windows1251.NewEncoder())
		b, err := enc.Bytes(out)
		if err != nil {
			http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
			return
		}
		out = b
		ctype = "application/rss+xml; charset=windows-1251"
		if cs == "prolog" {
			ctype = "application/rss+xml"
		}
	}
	sum := sha256.Sum256(out)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if conditional(w, r, etag, updated) {
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(out)
}
