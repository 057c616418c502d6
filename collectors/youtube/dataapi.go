package youtube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/config"
)

// The Data API v3 side of the collector (used when an API key is configured): channel
// uploads and video metadata. Comments, which need the API, are in comments.go.

// apiKey is the configured Data API key; "" means the page side is used.
func (c *Collector) apiKey() string {
	return string(c.cfg.APIKey)
}

// apiChannelVideos lists a channel's uploads through the Data API, newest first.
func (c *Collector) apiChannelVideos(ctx context.Context, key string) ([]string, error) {
	var ch struct {
		Items []struct {
			ContentDetails struct {
				RelatedPlaylists struct {
					Uploads string `json:"uploads"`
				} `json:"relatedPlaylists"`
			} `json:"contentDetails"`
		} `json:"items"`
	}
	q := url.Values{"part": {"contentDetails"}, "id": {c.cfg.ChannelID}, "key": {key}}
	if err := c.getJSON(ctx, c.cfg.APIBaseURL+"/youtube/v3/channels?"+q.Encode(), &ch); err != nil {
		return nil, err
	}
	if len(ch.Items) == 0 || ch.Items[0].ContentDetails.RelatedPlaylists.Uploads == "" {
		return nil, fmt.Errorf("youtube channel %s: not found by the API", c.cfg.ChannelID)
	}
	var pl struct {
		Items []struct {
			ContentDetails struct {
				VideoID string `json:"videoId"`
			} `json:"contentDetails"`
		} `json:"items"`
	}
	q = url.Values{"part": {"contentDetails"}, "playlistId": {ch.Items[0].ContentDetails.RelatedPlaylists.Uploads},
		"maxResults": {"50"}, "key": {key}}
	if err := c.getJSON(ctx, c.cfg.APIBaseURL+"/youtube/v3/playlistItems?"+q.Encode(), &pl); err != nil {
		return nil, err
	}
	var ids []string
	for _, it := range pl.Items {
		if validID(it.ContentDetails.VideoID) {
			ids = append(ids, it.ContentDetails.VideoID)
		}
	}
	return ids, nil
}

// apiVideos reads the available videos among ids through the Data API (50 a request).
func (c *Collector) apiVideos(ctx context.Context, key string, ids []string) (map[string]*Video, error) {
	out := map[string]*Video{}
	for start := 0; start < len(ids); start += 50 {
		batch := ids[start:min(start+50, len(ids))]
		var r struct {
			Items []struct {
				ID      string `json:"id"`
				Snippet struct {
					PublishedAt  string   `json:"publishedAt"`
					ChannelID    string   `json:"channelId"`
					Title        string   `json:"title"`
					Description  string   `json:"description"`
					ChannelTitle string   `json:"channelTitle"`
					Tags         []string `json:"tags"`
				} `json:"snippet"`
				Statistics struct {
					ViewCount string `json:"viewCount"`
				} `json:"statistics"`
				ContentDetails struct {
					Duration string `json:"duration"`
				} `json:"contentDetails"`
			} `json:"items"`
		}
		q := url.Values{"part": {"snippet,statistics,contentDetails"}, "id": {strings.Join(batch, ",")}, "key": {key}}
		if err := c.getJSON(ctx, c.cfg.APIBaseURL+"/youtube/v3/videos?"+q.Encode(), &r); err != nil {
			return nil, err
		}
		for _, it := range r.Items {
			v := &Video{ID: it.ID, Title: it.Snippet.Title, Description: it.Snippet.Description,
				ChannelID: it.Snippet.ChannelID, ChannelName: it.Snippet.ChannelTitle, Keywords: it.Snippet.Tags,
				Duration: parseISODuration(it.ContentDetails.Duration)}
			v.Views, _ = strconv.ParseInt(it.Statistics.ViewCount, 10, 64)
			v.Published = parsePublishDate(it.Snippet.PublishedAt)
			if v.Published.IsZero() || !validID(v.ID) {
				continue
			}
			out[v.ID] = v
		}
	}
	return out, nil
}

func (c *Collector) getJSON(ctx context.Context, u string, v any) error {
	if err := c.spend(apiCost(u)); err != nil {
		return err
	}
	resp, err := c.deps.HTTP.Get(ctx, u)
	if err != nil {
		return config.RedactError(err, c.cfg.APIKey, "<key>")
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return fmt.Errorf("youtube api %s: %w", redactURL(u), err)
	}
	return nil
}

func redactURL(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "<url>"
	}
	q := pu.Query()
	if q.Has("key") {
		q.Set("key", "<key>")
	}
	pu.RawQuery = q.Encode()
	return pu.String()
}

var isoDur = regexp.MustCompile(`^P(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)

// parseISODuration reads the API's "PT12M34S" form; 0 when unparsable.
func parseISODuration(s string) time.Duration {
	m := isoDur.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	return d
}
