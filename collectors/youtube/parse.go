package youtube

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
)

// Video is what kuzot keeps of a video, from the watch page or the Data API.
type Video struct {
	ID          string
	Title       string
	Description string
	ChannelID   string
	ChannelName string
	Published   time.Time
	Views       int64
	Duration    time.Duration
	Keywords    []string
	// Captions are the caption tracks (watch page only).
	Captions []CaptionTrack
}

// CaptionTrack is one entry of captions.playerCaptionsTracklistRenderer.captionTracks.
type CaptionTrack struct {
	BaseURL      string `json:"baseUrl"`
	LanguageCode string `json:"languageCode"`
	Kind         string `json:"kind"`
	VssID        string `json:"vssId"`
}

// Errors of a watch page that carries no usable player response.
var (
	ErrNoPlayerResponse = errors.New("no ytInitialPlayerResponse in the page")
	ErrConsent          = errors.New("consent wall instead of the watch page")
	ErrBlocked          = errors.New("YouTube asks for a captcha (this address is blocked)")
	ErrUnavailable      = errors.New("video unavailable")
)

type playerResponse struct {
	PlayabilityStatus struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"playabilityStatus"`
	VideoDetails struct {
		VideoID          string   `json:"videoId"`
		Title            string   `json:"title"`
		LengthSeconds    string   `json:"lengthSeconds"`
		Keywords         []string `json:"keywords"`
		ChannelID        string   `json:"channelId"`
		ShortDescription string   `json:"shortDescription"`
		ViewCount        string   `json:"viewCount"`
		Author           string   `json:"author"`
	} `json:"videoDetails"`
	Microformat struct {
		R struct {
			PublishDate      string `json:"publishDate"`
			UploadDate       string `json:"uploadDate"`
			OwnerChannelName string `json:"ownerChannelName"`
		} `json:"playerMicroformatRenderer"`
	} `json:"microformat"`
	Captions struct {
		R struct {
			Tracks []CaptionTrack `json:"captionTracks"`
		} `json:"playerCaptionsTracklistRenderer"`
	} `json:"captions"`
}

// extractJSON finds `<name> = {` in a page and decodes the one JSON value that starts
// there (a json.Decoder stops after the value, so the trailing `;</script>` is ignored).
func extractJSON(page []byte, name string, v any) error {
	i := bytes.Index(page, []byte(name))
	for i >= 0 {
		rest := page[i+len(name):]
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if bytes.HasPrefix(rest, []byte("=")) {
			rest = bytes.TrimLeft(rest[1:], " \t\r\n")
			if bytes.HasPrefix(rest, []byte("{")) {
				dec := json.NewDecoder(bytes.NewReader(rest))
				if err := dec.Decode(v); err != nil {
					return fmt.Errorf("%s: malformed JSON: %w", name, err)
				}
				return nil
			}
		}
		next := bytes.Index(page[i+len(name):], []byte(name))
		if next < 0 {
			break
		}
		i += len(name) + next
	}
	return fmt.Errorf("%s: %w", name, errNotFound)
}

var errNotFound = errors.New("not found")

// ParseWatchPage reads a watch page's ytInitialPlayerResponse. It rejects a response
// for another video (YouTube sometimes serves a substitute) and reports consent walls,
// captchas and unavailable videos as errors.
func ParseWatchPage(page []byte, wantID string) (*Video, error) {
	if bytes.Contains(page, []byte(`action="https://consent.youtube.com/s"`)) {
		return nil, ErrConsent
	}
	var pr playerResponse
	if err := extractJSON(page, "ytInitialPlayerResponse", &pr); err != nil {
		if bytes.Contains(page, []byte("g-recaptcha")) {
			return nil, ErrBlocked
		}
		if errors.Is(err, errNotFound) {
			return nil, ErrNoPlayerResponse
		}
		return nil, err
	}
	if st := pr.PlayabilityStatus.Status; st != "OK" {
		return nil, fmt.Errorf("%w: %s %s", ErrUnavailable, st, pr.PlayabilityStatus.Reason)
	}
	d := pr.VideoDetails
	if d.VideoID == "" {
		return nil, fmt.Errorf("%w: empty videoDetails", ErrNoPlayerResponse)
	}
	if wantID != "" && d.VideoID != wantID {
		return nil, fmt.Errorf("player response is for video %q, not %q", d.VideoID, wantID)
	}
	v := &Video{
		ID: d.VideoID, Title: d.Title, Description: d.ShortDescription, ChannelID: d.ChannelID,
		ChannelName: firstNonEmpty(d.Author, pr.Microformat.R.OwnerChannelName), Keywords: d.Keywords,
		Captions: pr.Captions.R.Tracks,
	}
	v.Views, _ = strconv.ParseInt(d.ViewCount, 10, 64)
	if n, err := strconv.Atoi(d.LengthSeconds); err == nil {
		v.Duration = time.Duration(n) * time.Second
	}
	v.Published = parsePublishDate(firstNonEmpty(pr.Microformat.R.PublishDate, pr.Microformat.R.UploadDate))
	if v.Published.IsZero() {
		return nil, fmt.Errorf("video %s: no parsable publishDate", d.VideoID)
	}
	return v, nil
}

// parsePublishDate accepts RFC 3339 ("2018-08-02T06:00:08-07:00") and the older
// date-only form ("2018-08-02", taken as midnight Pacific).
func parsePublishDate(s string) time.Time {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.FixedZone("PST", -8*3600)); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// ParseChannelVideos lists the video ids of a channel's Videos tab (ytInitialData), in
// page order (newest first). It walks the whole JSON for videoRenderer.videoId so small
// layout changes (grid vs rich grid) do not break it.
func ParseChannelVideos(page []byte) ([]string, error) {
	var data any
	if err := extractJSON(page, "ytInitialData", &data); err != nil {
		if errors.Is(err, errNotFound) {
			return nil, fmt.Errorf("channel page: %w", ErrNoPlayerResponse)
		}
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 64 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			if vr, ok := t["videoRenderer"].(map[string]any); ok {
				if id, ok := vr["videoId"].(string); ok && validID(id) && !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			for _, c := range t {
				walk(c, depth+1)
			}
		case []any:
			for _, c := range t {
				walk(c, depth+1)
			}
		}
	}
	// Map iteration is random: walk the ordered structure only through slices, which
	// keep order; maps at one level hold one renderer each in practice.
	walk(data, 0)
	return ids, nil
}

func validID(id string) bool {
	if len(id) != 11 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ParseTranscript reads a timedtext track in srv1 (<text start dur>), srv3 (<p t d>) or
// json3 (events[].segs[].utf8) form into plain text, one cue per line. An empty body
// (what YouTube answers without a PO token) is an empty transcript, not an error.
func ParseTranscript(body []byte) (string, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", nil
	}
	if body[0] == '{' {
		var j struct {
			Events []struct {
				Segs []struct {
					UTF8 string `json:"utf8"`
				} `json:"segs"`
			} `json:"events"`
		}
		if err := json.Unmarshal(body, &j); err != nil {
			return "", fmt.Errorf("json3 transcript: %w", err)
		}
		var lines []string
		for _, e := range j.Events {
			var b strings.Builder
			for _, s := range e.Segs {
				b.WriteString(s.UTF8)
			}
			if l := strings.TrimSpace(b.String()); l != "" {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n"), nil
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var lines []string
	var cur *strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("xml transcript: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "text" || t.Name.Local == "p" {
				cur = &strings.Builder{}
			}
		case xml.CharData:
			if cur != nil {
				cur.Write(t)
			}
		case xml.EndElement:
			if (t.Name.Local == "text" || t.Name.Local == "p") && cur != nil {
				// srv1 escapes twice (&amp;#39;): unescape the HTML left after XML.
				if l := collectors.CleanText(html.UnescapeString(cur.String())); l != "" {
					lines = append(lines, l)
				}
				cur = nil
			}
		}
	}
	return strings.Join(lines, "\n"), nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
