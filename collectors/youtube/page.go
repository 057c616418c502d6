package youtube

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// The page side of the collector (no API key): the channel's videos page, the watch
// pages (parse.go reads them) and the caption tracks they list.

// pageChannelVideos lists a channel's uploads from its videos page, newest first.
func (c *Collector) pageChannelVideos(ctx context.Context) ([]string, error) {
	resp, err := c.deps.HTTP.Get(ctx, c.cfg.BaseURL+"/channel/"+c.cfg.ChannelID+"/videos")
	if err != nil {
		return nil, err
	}
	body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	ids, err := ParseChannelVideos(body)
	if err != nil {
		return nil, fmt.Errorf("youtube channel %s: %w", c.cfg.ChannelID, err)
	}
	return ids, nil
}

// pageVideos reads the available videos among ids from their watch pages; a failed
// page is logged unless every page failed.
func (c *Collector) pageVideos(ctx context.Context, ids []string) (map[string]*Video, error) {
	out := map[string]*Video{}
	var errs []error
	for _, id := range ids {
		resp, err := c.deps.HTTP.Get(ctx, c.cfg.BaseURL+"/watch?v="+url.QueryEscape(id))
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			errs = append(errs, err)
			continue
		}
		body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		v, err := ParseWatchPage(body, id)
		switch {
		case errors.Is(err, ErrUnavailable):
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("watch page %s: %w", id, err))
			continue
		}
		out[id] = v
	}
	if len(out) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(errs) > 0 && c.deps.Logger != nil {
		c.deps.Logger.Warn("some watch pages failed", "err", errors.Join(errs...))
	}
	return out, nil
}

// transcriptPost fetches the best caption track (a manual one before ASR) as a post
// "youtube:<id>:transcript" replying to the video.
func (c *Collector) transcriptPost(ctx context.Context, v *Video, now time.Time) (post.Post, bool, error) {
	track := v.Captions[0]
	for _, t := range v.Captions {
		if t.Kind != "asr" {
			track = t
			break
		}
	}
	base, err := url.Parse(c.cfg.BaseURL + "/")
	if err != nil {
		return post.Post{}, false, err
	}
	tu, err := base.Parse(track.BaseURL)
	if err != nil {
		return post.Post{}, false, fmt.Errorf("caption url: %w", err)
	}
	resp, err := c.deps.HTTP.Get(ctx, tu.String())
	if err != nil {
		return post.Post{}, false, err
	}
	body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return post.Post{}, false, err
	}
	text, err := ParseTranscript(body)
	if err != nil || text == "" {
		return post.Post{}, false, err
	}
	p := post.Post{
		ID:          "youtube:" + v.ID + ":transcript",
		Source:      Kind,
		Channel:     v.ChannelID,
		Author:      v.ChannelName,
		URL:         c.cfg.BaseURL + "/watch?v=" + v.ID,
		Title:       v.Title,
		Text:        text,
		PublishedAt: v.Published,
		CollectedAt: now,
		Views:       v.Views,
		ReplyTo:     "youtube:" + v.ID,
		Lang:        lang.Detect(text),
	}
	p.Normalize()
	return p, true, nil
}
