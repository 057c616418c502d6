package demosite

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// pacific is the fixed offset YouTube writes publishDate in (PST).
var pacific = time.FixedZone("PST", -8*3600)

func (s *Site) ytChannel(id string) *YouTubeChannel {
	for i := range s.content.Places.YouTube {
		if s.content.Places.YouTube[i].ChannelID == id {
			return &s.content.Places.YouTube[i]
		}
	}
	return nil
}

// ytVideo returns a visible video by id.
func (s *Site) ytVideo(id string) (Post, *YouTubeChannel, bool) {
	for _, c := range s.content.Places.YouTube {
		for _, p := range s.Visible("youtube", c.ChannelID) {
			if p.NativeID == id {
				ch := c
				return p, &ch, true
			}
		}
	}
	return Post{}, nil, false
}

func writeJSONScript(b *strings.Builder, name string, v any) {
	raw, _ := json.Marshal(v) // escapes & < > as \u0026 \u003c \u003e, as YouTube does
	fmt.Fprintf(b, "<script nonce=\"demo\">var %s = %s;</script>\n", name, raw)
}

// youtubeChannelVideos serves /channel/<id>/videos with the channel's uploads, newest
// first, in ytInitialData (the grid renderer of the Videos tab).
func (s *Site) youtubeChannelVideos(w http.ResponseWriter, r *http.Request) {
	ch := s.ytChannel(r.PathValue("id"))
	if ch == nil {
		http.NotFound(w, r)
		return
	}
	posts := s.Visible("youtube", ch.ChannelID)
	var items []any
	for i := len(posts) - 1; i >= 0; i-- {
		p := posts[i]
		items = append(items, map[string]any{"richItemRenderer": map[string]any{"content": map[string]any{"videoRenderer": map[string]any{
			"videoId":            p.NativeID,
			"title":              map[string]any{"runs": []any{map[string]any{"text": p.Title}}},
			"viewCountText":      map[string]any{"simpleText": strconv.FormatInt(s.Views(p), 10) + " views"},
			"navigationEndpoint": map[string]any{"commandMetadata": map[string]any{"webCommandMetadata": map[string]any{"url": "/watch?v=" + p.NativeID}}},
		}}}})
	}
	data := map[string]any{
		"contents": map[string]any{"twoColumnBrowseResultsRenderer": map[string]any{"tabs": []any{
			map[string]any{"tabRenderer": map[string]any{"title": "Home"}},
			map[string]any{"tabRenderer": map[string]any{"title": "Videos", "selected": true, "content": map[string]any{
				"richGridRenderer": map[string]any{"contents": items}}}},
		}}},
		"metadata": map[string]any{"channelMetadataRenderer": map[string]any{"title": ch.Title, "externalId": ch.ChannelID, "vanityChannelUrl": "http://www.youtube.com/" + ch.Handle}},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s - YouTube</title></head><body>\n", html.EscapeString(ch.Title))
	writeJSONScript(&b, "ytInitialData", data)
	b.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// youtubeWatch serves /watch?v=<id> with ytInitialPlayerResponse and ytInitialData.
func (s *Site) youtubeWatch(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("v")
	p, ch, ok := s.ytVideo(id)
	var player map[string]any
	if !ok {
		player = map[string]any{"playabilityStatus": map[string]any{"status": "ERROR", "reason": "Video unavailable"}}
	} else {
		t := s.PublishedAt(p).In(pacific).Format(time.RFC3339)
		player = map[string]any{
			"responseContext":   map[string]any{"serviceTrackingParams": []any{}},
			"playabilityStatus": map[string]any{"status": "OK", "playableInEmbed": true},
			"videoDetails": map[string]any{
				"videoId": p.NativeID, "title": p.Title, "lengthSeconds": strconv.Itoa(p.Duration),
				"keywords": p.Keywords, "channelId": ch.ChannelID, "shortDescription": p.Text,
				"viewCount": strconv.FormatInt(s.Views(p), 10), "author": ch.Title, "isPrivate": false,
			},
			"microformat": map[string]any{"playerMicroformatRenderer": map[string]any{
				"title": map[string]any{"simpleText": p.Title}, "ownerChannelName": ch.Title,
				"ownerProfileUrl": "http://www.youtube.com/" + ch.Handle, "externalChannelId": ch.ChannelID,
				"publishDate": t, "uploadDate": t, "category": "News & Politics", "isUnlisted": false,
				"availableCountries": []string{"KG", "KZ", "RU"},
			}},
		}
		if p.Transcript != "" {
			player["captions"] = map[string]any{"playerCaptionsTracklistRenderer": map[string]any{"captionTracks": []any{
				map[string]any{
					"baseUrl":      "/api/timedtext?v=" + p.NativeID + "&caps=asr&xoaf=5&exp=xpe&lang=" + p.Lang + "&fmt=srv1",
					"name":         map[string]any{"simpleText": p.Lang + " (auto-generated)"},
					"vssId":        "a." + p.Lang,
					"languageCode": p.Lang,
					"kind":         "asr",
				},
			}}}
		}
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
	if ok {
		fmt.Fprintf(&b, "<title>%s - YouTube</title><meta name=\"title\" content=\"%s\">", html.EscapeString(p.Title), html.EscapeString(p.Title))
	}
	b.WriteString("</head><body>\n")
	writeJSONScript(&b, "ytInitialPlayerResponse", player)
	if ok {
		writeJSONScript(&b, "ytInitialData", map[string]any{"contents": map[string]any{"twoColumnWatchNextResults": map[string]any{"results": map[string]any{"results": map[string]any{"contents": []any{
			map[string]any{"videoSecondaryInfoRenderer": map[string]any{"owner": map[string]any{"videoOwnerRenderer": map[string]any{
				"title":               map[string]any{"runs": []any{map[string]any{"text": ch.Title}}},
				"subscriberCountText": map[string]any{"simpleText": FormatCount(int64(ch.Subscribers)) + " subscribers"},
			}}}},
		}}}}}})
	}
	b.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// youtubeTimedText serves a caption track in the srv1 format: <text start dur>.
// Robots.txt disallows /api/ (as on YouTube), so polite collectors only reach it when a
// test or a mirror allows it.
func (s *Site) youtubeTimedText(w http.ResponseWriter, r *http.Request) {
	p, _, ok := s.ytVideo(r.URL.Query().Get("v"))
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	if !ok || p.Transcript == "" {
		return // YouTube answers 200 with an empty body
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8" ?><transcript>`)
	for i, line := range strings.Split(p.Transcript, "\n") {
		fmt.Fprintf(&b, `<text start="%d.5" dur="4.2">%s</text>`, i*5, html.EscapeString(line))
	}
	b.WriteString("</transcript>\n")
	_, _ = w.Write([]byte(b.String()))
}

// youtubeAPI serves the Data API v3 methods the collector uses: channels (uploads
// playlist), playlistItems, videos, search, commentThreads and comments. A key is required, as on the real API.
func (s *Site) youtubeAPI(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	enc := json.NewEncoder(w)
	if q.Get("key") == "" {
		w.WriteHeader(http.StatusForbidden)
		_ = enc.Encode(map[string]any{"error": map[string]any{"code": 403, "message": "The request is missing a valid API key.", "errors": []any{map[string]any{"reason": "forbidden"}}}})
		return
	}
	switch r.PathValue("method") {
	case "channels":
		var items []any
		if ch := s.ytChannel(q.Get("id")); ch != nil {
			items = append(items, map[string]any{"kind": "youtube#channel", "id": ch.ChannelID,
				"contentDetails": map[string]any{"relatedPlaylists": map[string]any{"uploads": "UU" + strings.TrimPrefix(ch.ChannelID, "UC")}}})
		}
		_ = enc.Encode(map[string]any{"kind": "youtube#channelListResponse", "pageInfo": map[string]any{"totalResults": len(items)}, "items": items})
	case "playlistItems":
		ch := s.ytChannel("UC" + strings.TrimPrefix(q.Get("playlistId"), "UU"))
		if ch == nil {
			w.WriteHeader(http.StatusNotFound)
			_ = enc.Encode(map[string]any{"error": map[string]any{"code": 404, "message": "playlistNotFound"}})
			return
		}
		posts := s.Visible("youtube", ch.ChannelID)
		var items []any
		for i := len(posts) - 1; i >= 0; i-- {
			items = append(items, map[string]any{"kind": "youtube#playlistItem", "contentDetails": map[string]any{
				"videoId": posts[i].NativeID, "videoPublishedAt": s.PublishedAt(posts[i]).Format(time.RFC3339)}})
		}
		_ = enc.Encode(map[string]any{"kind": "youtube#playlistItemListResponse", "pageInfo": map[string]any{"totalResults": len(items)}, "items": items})
	case "search":
		// Enough of search.list for re-upload hunting: videos whose title contains q.
		needle := strings.ToLower(strings.TrimSpace(q.Get("q")))
		var items []any
		for _, c := range s.content.Places.YouTube {
			for _, p := range s.Visible("youtube", c.ChannelID) {
				if needle == "" || !strings.Contains(strings.ToLower(p.Title), needle) {
					continue
				}
				items = append(items, map[string]any{"kind": "youtube#searchResult",
					"id":      map[string]any{"kind": "youtube#video", "videoId": p.NativeID},
					"snippet": map[string]any{"title": p.Title, "channelId": c.ChannelID, "channelTitle": c.Title, "publishedAt": s.PublishedAt(p).Format(time.RFC3339)}})
			}
		}
		_ = enc.Encode(map[string]any{"kind": "youtube#searchListResponse", "pageInfo": map[string]any{"totalResults": len(items)}, "items": items})
	case "videos":
		var items []any
		for _, id := range strings.Split(q.Get("id"), ",") {
			p, ch, ok := s.ytVideo(id)
			if !ok {
				continue
			}
			items = append(items, map[string]any{"kind": "youtube#video", "id": p.NativeID,
				"snippet": map[string]any{"publishedAt": s.PublishedAt(p).Format(time.RFC3339), "channelId": ch.ChannelID, "title": p.Title,
					"description": p.Text, "channelTitle": ch.Title, "tags": p.Keywords, "defaultAudioLanguage": p.Lang},
				"statistics":     map[string]any{"viewCount": strconv.FormatInt(s.Views(p), 10)},
				"contentDetails": map[string]any{"duration": fmt.Sprintf("PT%dM%dS", p.Duration/60, p.Duration%60), "caption": strconv.FormatBool(p.Transcript != "")},
			})
		}
		_ = enc.Encode(map[string]any{"kind": "youtube#videoListResponse", "pageInfo": map[string]any{"totalResults": len(items)}, "items": items})
	case "commentThreads":
		s.youtubeCommentThreads(w, q)
	case "comments":
		s.youtubeComments(w, q)
	default:
		http.NotFound(w, r)
	}
}
