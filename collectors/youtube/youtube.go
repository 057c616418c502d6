// Package youtube collects YouTube videos: a channel's uploads or a list of videos
// (the 2021 exposure was a YouTube video). With an API key it uses the Data API v3;
// without one it reads the watch page's ytInitialPlayerResponse. Caption tracks become
// posts of their own, since exposure is often spoken; they are fetched only where
// robots.txt allows (YouTube disallows /api/, so in production that needs the API or a
// permitted mirror). Listed videos are re-visited every poll and re-emitted when their
// view count changes; when one disappears, its re-uploads (same title, found with the
// Data API) are published with forwarded_from pointing at the original and tracked too.
package youtube

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// Kind is the config kind of this collector.
const Kind = "youtube"

//go:embed sample.yaml
var sample string

// Config is a channel or a list of videos.
type Config struct {
	collectors.Common `yaml:",inline"`
	// ChannelID is a channel's UC… id: its uploads are followed.
	ChannelID string `yaml:"channel_id"`
	// Videos are video ids re-visited every poll (views, availability).
	Videos []string `yaml:"videos"`
	// BaseURL is the site (default https://www.youtube.com).
	BaseURL string `yaml:"base_url"`
	// APIBaseURL is the Data API host (default https://www.googleapis.com).
	APIBaseURL string `yaml:"api_base_url"`
	// APIKey selects the Data API v3 (1 quota unit per call); may come from
	// KUZOT_YOUTUBE_API_KEY. Without it the watch pages are read.
	APIKey config.Secret `yaml:"api_key"`
	// MaxVideos bounds the new channel videos fetched per poll (default 15).
	MaxVideos int `yaml:"max_videos"`
	// Captions fetches caption tracks as transcript posts (default true).
	Captions *bool `yaml:"captions"`
	// QuotaBudget is the daily Data API quota (units) this source may spend, every call
	// counted (1 per list call, 100 per search); 0 = unlimited. Default 2000 of the
	// project's 10,000 units a day.
	QuotaBudget int `yaml:"quota_budget"`
	// Comments follows the comments and replies of recent videos.
	Comments CommentsConfig `yaml:"comments"`
	// RefreshAge: the channel's videos younger than this are fetched again, backing off
	// with age (collectors.RefreshInterval), and re-published as refreshes when their
	// views changed (default 7 days, negative = never). Listed videos are re-visited
	// every poll regardless; a changed view count of one is a refresh too.
	RefreshAge time.Duration `yaml:"refresh_age"`
}

var (
	channelIDRe = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)
	videoIDRe   = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
)

// Defaults fills unset keys.
func (c *Config) Defaults() {
	target := c.ChannelID
	if target == "" && len(c.Videos) > 0 {
		target = strings.Join(c.Videos, ",")
		if len(target) > 60 {
			target = target[:60]
		}
	}
	c.ApplyDefaults(Kind, target)
	c.BaseURL = collectors.BaseURL(c.BaseURL, "https://www.youtube.com")
	c.APIBaseURL = collectors.BaseURL(c.APIBaseURL, "https://www.googleapis.com")
	c.APIKey = c.APIKey.OrEnv("KUZOT_YOUTUBE_API_KEY", os.Getenv)
	if c.MaxVideos == 0 {
		c.MaxVideos = 15
	}
	if c.Captions == nil {
		t := true
		c.Captions = &t
	}
	if c.QuotaBudget == 0 {
		c.QuotaBudget = 2000
	}
	if c.RefreshAge == 0 {
		c.RefreshAge = collectors.DefaultRefreshAge
	}
	if c.Comments.MaxAge == 0 {
		c.Comments.MaxAge = 7 * 24 * time.Hour
	}
	if c.Comments.MaxPages == 0 {
		c.Comments.MaxPages = 5
	}
	if c.Comments.PageSize == 0 {
		c.Comments.PageSize = 100
	}
}

// Validate reports every problem with the entry.
// Endpoints returns the configured URLs: a literal internal address among them (a local
// test or demo site) is the only internal address the source may connect to.
func (c *Config) Endpoints() []string { return []string{c.BaseURL, c.APIBaseURL} }

func (c *Config) Validate() error {
	errs := []error{c.ValidateCommon()}
	if c.ChannelID == "" && len(c.Videos) == 0 {
		errs = append(errs, errors.New("set channel_id or videos"))
	}
	if c.ChannelID != "" && !channelIDRe.MatchString(c.ChannelID) {
		errs = append(errs, fmt.Errorf("channel_id %q is not a UC… channel id", c.ChannelID))
	}
	for _, v := range c.Videos {
		if !videoIDRe.MatchString(v) {
			errs = append(errs, fmt.Errorf("video id %q is not 11 characters of [A-Za-z0-9_-]", v))
		}
	}
	errs = append(errs, collectors.ValidateHTTPURL("base_url", c.BaseURL), collectors.ValidateHTTPURL("api_base_url", c.APIBaseURL))
	if c.MaxVideos < 1 {
		errs = append(errs, errors.New("max_videos must be at least 1"))
	}
	if c.QuotaBudget < 0 || c.Comments.MaxAge < 0 || c.Comments.MaxPages < 1 || c.Comments.PageSize < 1 || c.Comments.PageSize > 100 {
		errs = append(errs, errors.New("quota_budget and comments.max_age must not be negative, comments.max_pages at least 1, comments.page_size 1..100"))
	}
	if c.Comments.Enabled && c.Comments.APIKey == "" && c.APIKey == "" {
		errs = append(errs, ErrNoAPIKey)
	}
	return errors.Join(errs...)
}

// Register adds the youtube kind to r.
func Register(r *collectors.Registry) { r.Add(collectors.NewFactory(Kind, sample, New)) }

// Collector polls one channel or video list.
type Collector struct {
	cfg  Config
	deps collectors.Deps
	key  string
	// quota points into the state of the running poll (one poll at a time per source).
	quota *quota
}

// New builds a YouTube collector; deps.HTTP and deps.State are required.
func New(cfg Config, deps collectors.Deps) (*Collector, error) {
	if err := collectors.CheckDeps(Kind, &deps); err != nil {
		return nil, err
	}
	return &Collector{cfg: cfg, deps: deps, key: collectors.StateKey(cfg.SourceName())}, nil
}

type videoState struct {
	Views int64 `json:"views"`
	// Published is the video's publication time (for refreshes and comments).
	Published time.Time `json:"published,omitzero"`
	// RefreshedAt is when the video was last fetched for a refresh.
	RefreshedAt time.Time `json:"refreshed_at,omitzero"`
	Title       string    `json:"title,omitempty"`
	// Origin is the deleted video a re-upload copies ("youtube:<id>").
	Origin     string `json:"origin,omitempty"`
	Transcript bool   `json:"transcript,omitempty"`
	Gone       bool   `json:"gone,omitempty"`
}

type state struct {
	// Videos maps every video already published to what was published of it.
	Videos map[string]*videoState `json:"videos"`
	// Order remembers insertion order so the map can be bounded.
	Order []string `json:"order"`
	// Tracked are re-uploads of listed videos, re-visited every poll like them.
	Tracked []string `json:"tracked,omitempty"`
	// Comments are the recent videos whose comments are followed.
	Comments map[string]*commentState `json:"comments,omitempty"`
	// Quota is the Data API quota spent today.
	Quota quota `json:"quota"`
}

const (
	maxKnownVideos = 2000
	maxTracked     = 200
)

// reuploads searches (Data API search.list, 100 quota units) for videos carrying the
// exact title of a listed video that just disappeared: exposure videos are routinely
// re-uploaded by other channels after a takedown. Without an API key it only logs,
// since the site's own search pages are not for robots.
func (c *Collector) reuploads(ctx context.Context, goneID, title string, st *state) ([]*Video, error) {
	key := c.apiKey()
	if strings.TrimSpace(title) == "" {
		return nil, nil
	}
	if key == "" {
		if c.deps.Logger != nil {
			c.deps.Logger.Info("re-upload search needs api_key; skipped", "video", goneID)
		}
		return nil, nil
	}
	var r struct {
		Items []struct {
			ID struct {
				VideoID string `json:"videoId"`
			} `json:"id"`
			Snippet struct {
				Title string `json:"title"`
			} `json:"snippet"`
		} `json:"items"`
	}
	q := url.Values{"part": {"snippet"}, "type": {"video"}, "maxResults": {"10"}, "q": {title}, "key": {key}}
	if err := c.getJSON(ctx, c.cfg.APIBaseURL+"/youtube/v3/search?"+q.Encode(), &r); err != nil {
		return nil, err
	}
	var ids []string
	for _, it := range r.Items {
		id := it.ID.VideoID
		if id == goneID || !validID(id) || st.Videos[id] != nil || contains(ids, id) {
			continue
		}
		if strings.EqualFold(strings.TrimSpace(it.Snippet.Title), strings.TrimSpace(title)) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := c.fetchVideos(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*Video, 0, len(found))
	for _, id := range ids {
		if v, ok := found[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// Collect lists the channel's uploads (new ones only) and the configured videos (every
// poll), fetches each, and emits video posts and transcript posts.
func (c *Collector) Collect(ctx context.Context, emit collectors.Emit) error {
	var st state
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
		return err
	}
	if st.Videos == nil {
		st.Videos = map[string]*videoState{}
	}
	c.quota = &st.Quota
	defer func() { c.quota = nil }()
	c.deps.Metrics.QuotaBudget(c.cfg.QuotaBudget)
	var ids []string
	if c.cfg.ChannelID != "" {
		list, err := c.channelVideos(ctx)
		if err != nil {
			return err
		}
		n := 0
		for _, id := range list {
			if _, known := st.Videos[id]; !known && n < c.cfg.MaxVideos {
				ids = append(ids, id)
				n++
			}
		}
		// Oldest first: the lists are newest first.
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	for _, id := range append(append([]string(nil), c.cfg.Videos...), st.Tracked...) {
		if !contains(ids, id) {
			ids = append(ids, id)
		}
	}
	// Young channel videos due for a refresh (views grow most in the first days).
	start := c.deps.Now()
	var due []string
	for _, id := range st.Order {
		vs := st.Videos[id]
		if vs == nil || vs.Gone || vs.Published.IsZero() || contains(ids, id) || c.cfg.RefreshAge <= 0 {
			continue
		}
		age := start.Sub(vs.Published)
		if age <= c.cfg.RefreshAge && start.Sub(vs.RefreshedAt) >= collectors.RefreshInterval(age) {
			due = append(due, id)
		}
	}
	ids = append(ids, due...)
	videos, err := c.fetchVideos(ctx, ids)
	if err != nil {
		return err
	}
	now := c.deps.Now()
	var errs []error
	for _, id := range ids {
		v, ok := videos[id]
		vs := st.Videos[id]
		if !ok {
			if vs == nil || vs.Gone {
				continue
			}
			vs.Gone = true
			if !contains(c.cfg.Videos, id) && !contains(st.Tracked, id) {
				continue // a channel video seen gone on a refresh: only listed ones are hunted
			}
			if c.deps.Logger != nil {
				c.deps.Logger.Warn("video no longer available (deleted or made private); looking for re-uploads", "video", id)
			}
			found, err := c.reuploads(ctx, id, vs.Title, &st)
			if err != nil {
				errs = append(errs, fmt.Errorf("re-uploads of %s: %w", id, err))
			}
			for _, v := range found {
				p := c.videoPost(v, now)
				p.ForwardedFrom = "youtube:" + id // the deleted original it copies
				if err := emit(ctx, p); err != nil {
					return fmt.Errorf("emit %s: %w", p.ID, err)
				}
				st.Videos[v.ID] = &videoState{Views: v.Views, Title: v.Title, Origin: p.ForwardedFrom}
				st.Order = append(st.Order, v.ID)
				st.Tracked = append(st.Tracked, v.ID)
			}
			continue
		}
		c.deps.Metrics.Posts(1)
		if vs == nil || vs.Views != v.Views || vs.Gone {
			p := c.videoPost(v, now)
			if vs != nil {
				p.ForwardedFrom = vs.Origin
				// Same video, same title, grown views: a refresh, not a new post.
				p.Refresh = !vs.Gone && vs.Title == v.Title
			}
			if err := emit(ctx, p); err != nil {
				return fmt.Errorf("emit youtube:%s: %w", id, err)
			}
		}
		if vs == nil {
			vs = &videoState{}
			st.Videos[id] = vs
			st.Order = append(st.Order, id)
		}
		vs.Views, vs.Gone, vs.Title, vs.Published, vs.RefreshedAt = v.Views, false, v.Title, v.Published, now
		c.trackForComments(&st, v)
		if !vs.Transcript && *c.cfg.Captions && len(v.Captions) > 0 {
			p, ok, err := c.transcriptPost(ctx, v, now)
			switch {
			case errors.Is(err, collectors.ErrRobotsDisallowed):
				vs.Transcript = true // robots.txt forbids it; do not ask every poll
				if c.deps.Logger != nil {
					c.deps.Logger.Debug("caption track disallowed by robots.txt", "video", id)
				}
			case err != nil:
				errs = append(errs, fmt.Errorf("captions of %s: %w", id, err))
			case ok:
				if err := emit(ctx, p); err != nil {
					return fmt.Errorf("emit %s: %w", p.ID, err)
				}
				vs.Transcript = true
			}
		}
	}
	if err := c.collectComments(ctx, &st, emit); err != nil {
		errs = append(errs, err)
	}
	if over := len(st.Order) - maxKnownVideos; over > 0 {
		for _, id := range st.Order[:over] {
			delete(st.Videos, id)
		}
		st.Order = append([]string(nil), st.Order[over:]...)
	}
	if over := len(st.Tracked) - maxTracked; over > 0 {
		st.Tracked = append([]string(nil), st.Tracked[over:]...)
	}
	if err := collectors.SaveJSON(ctx, c.deps.State, c.key, st); err != nil {
		return err
	}
	return errors.Join(errs...)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// channelVideos lists a channel's uploads, newest first: through the Data API when a
// key is configured, else from the channel's videos page.
func (c *Collector) channelVideos(ctx context.Context) ([]string, error) {
	if key := c.apiKey(); key != "" {
		return c.apiChannelVideos(ctx, key)
	}
	return c.pageChannelVideos(ctx)
}

// fetchVideos returns the available videos among ids; unavailable ones are absent.
func (c *Collector) fetchVideos(ctx context.Context, ids []string) (map[string]*Video, error) {
	if key := c.apiKey(); key != "" {
		return c.apiVideos(ctx, key, ids)
	}
	return c.pageVideos(ctx, ids)
}

func (c *Collector) videoPost(v *Video, now time.Time) post.Post {
	p := post.Post{
		ID:          "youtube:" + v.ID,
		Source:      Kind,
		Kind:        post.KindPost,
		Channel:     v.ChannelID,
		Author:      v.ChannelName,
		URL:         c.cfg.BaseURL + "/watch?v=" + v.ID,
		Title:       v.Title,
		Text:        v.Description,
		PublishedAt: v.Published,
		CollectedAt: now,
		Views:       v.Views,
		Media:       []post.Media{{Kind: "video", URL: c.cfg.BaseURL + "/watch?v=" + v.ID}},
		Lang:        lang.Detect(v.Title + "\n" + v.Description),
	}
	p.Normalize()
	return p
}

// FetchVideo collects one video (for a tip linking to it) as Collect would publish it,
// through the Data API when a key is configured, else its watch page. ok is false when
// the video is unavailable.
func (c *Collector) FetchVideo(ctx context.Context, id string) (post.Post, bool, error) {
	if !validID(id) {
		return post.Post{}, false, fmt.Errorf("youtube: video id %q", id)
	}
	vs, err := c.fetchVideos(ctx, []string{id})
	if err != nil {
		return post.Post{}, false, err
	}
	v, ok := vs[id]
	if !ok {
		return post.Post{}, false, nil
	}
	return c.videoPost(v, c.deps.Now()), true, nil
}
