package tipline

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/telegram"
	"github.com/kuzot/kuzot/collectors/vk"
	"github.com/kuzot/kuzot/collectors/web"
	"github.com/kuzot/kuzot/collectors/youtube"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
)

// LinksConfig makes a tip that is (or contains) a link to a public post collect that
// post: the matching collector (telegram, youtube, vk, web) fetches that one post
// through the polite fetcher and the network guard, the post is published under the id
// that collector gives it (so it joins the same post collected from its source, and
// coordination sees it), and the tip's post names it in tip.linked_post.
type LinksConfig struct {
	// Kinds are the collectors used (default all: telegram, youtube, vk, web). web
	// takes any other http(s) page.
	Kinds []string `yaml:"kinds"`
	// TelegramBaseURL is the t.me preview host (default https://t.me).
	TelegramBaseURL string `yaml:"telegram_base_url"`
	// YouTubeBaseURL (watch pages, default https://www.youtube.com), YouTubeAPIBaseURL
	// (default https://www.googleapis.com) and YouTubeAPIKey (env KUZOT_YOUTUBE_API_KEY;
	// without it the watch page is read).
	YouTubeBaseURL    string        `yaml:"youtube_base_url"`
	YouTubeAPIBaseURL string        `yaml:"youtube_api_base_url"`
	YouTubeAPIKey     config.Secret `yaml:"youtube_api_key"`
	// VKBaseURL is the API host (default https://api.vk.com); VKAccessToken a service
	// token (env KUZOT_VK_ACCESS_TOKEN); VK links are kept as links without one.
	VKBaseURL     string        `yaml:"vk_base_url"`
	VKAccessToken config.Secret `yaml:"vk_access_token"`
}

var linkKinds = []string{telegram.Kind, youtube.Kind, vk.Kind, web.Kind}

func (l *LinksConfig) defaults() {
	if len(l.Kinds) == 0 {
		l.Kinds = slices.Clone(linkKinds)
	}
	l.TelegramBaseURL = collectors.BaseURL(l.TelegramBaseURL, "https://t.me")
	l.YouTubeBaseURL = collectors.BaseURL(l.YouTubeBaseURL, "https://www.youtube.com")
	l.YouTubeAPIBaseURL = collectors.BaseURL(l.YouTubeAPIBaseURL, "https://www.googleapis.com")
	l.VKBaseURL = collectors.BaseURL(l.VKBaseURL, "https://api.vk.com")
	l.YouTubeAPIKey = l.YouTubeAPIKey.OrEnv("KUZOT_YOUTUBE_API_KEY", os.Getenv)
	l.VKAccessToken = l.VKAccessToken.OrEnv("KUZOT_VK_ACCESS_TOKEN", os.Getenv)
}

func (l *LinksConfig) validate() error {
	var errs []error
	for _, k := range l.Kinds {
		if !slices.Contains(linkKinds, k) {
			errs = append(errs, fmt.Errorf("fetch_links.kinds: %q is not one of %v", k, linkKinds))
		}
	}
	for key, u := range map[string]string{"fetch_links.telegram_base_url": l.TelegramBaseURL, "fetch_links.youtube_base_url": l.YouTubeBaseURL,
		"fetch_links.youtube_api_base_url": l.YouTubeAPIBaseURL, "fetch_links.vk_base_url": l.VKBaseURL} {
		errs = append(errs, collectors.ValidateHTTPURL(key, u))
	}
	return errors.Join(errs...)
}

// Endpoints are the configured hosts: a literal internal address among them (the demo
// site, a test server) is the only internal address the link fetches may reach.
func (c *Config) Endpoints() []string {
	var out []string
	if l := c.FetchLinks; l != nil {
		out = append(out, l.TelegramBaseURL, l.YouTubeBaseURL, l.YouTubeAPIBaseURL, l.VKBaseURL)
	}
	return out
}

var (
	tmePostRe   = regexp.MustCompile(`^/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/(\d{1,10})/?$`)
	ytIDRe      = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vkWallRe    = regexp.MustCompile(`wall(-?\d{1,12})_(\d{1,12})`)
	tmeHosts    = []string{"t.me", "telegram.me", "telegram.dog"}
	ytHosts     = []string{"youtube.com", "youtu.be", "youtube-nocookie.com"}
	vkHosts     = []string{"vk.com", "vk.ru", "vkontakte.ru"}
	errNotAPost = errors.New("not a link to a public post")
)

// LinkTarget is a public post a link names: the collector kind and its address there.
type LinkTarget struct {
	Kind    string
	Channel string // telegram channel
	ID      int64  // telegram message id, VK post id
	Owner   int64  // VK owner id
	Video   string // YouTube video id
	URL     string // web page
}

// ParseLink names the public post a link points at: t.me/<channel>/<id>, a YouTube
// video (watch?v=, youtu.be/, shorts/), a VK wall post (wall<owner>_<id>, or ?w=wall…)
// or any other http(s) page. Links to Telegram, YouTube or VK that are not one post
// (a channel, a profile) are refused.
func ParseLink(raw string) (LinkTarget, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return LinkTarget{}, errNotAPost
	}
	host := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."), "m.")
	switch {
	case slices.Contains(tmeHosts, host):
		m := tmePostRe.FindStringSubmatch(u.Path)
		if m == nil {
			return LinkTarget{}, errNotAPost
		}
		id, _ := strconv.ParseInt(m[2], 10, 64)
		return LinkTarget{Kind: telegram.Kind, Channel: m[1], ID: id}, nil
	case slices.Contains(ytHosts, host):
		var id string
		switch {
		case host == "youtu.be":
			id = strings.Trim(u.Path, "/")
		case u.Path == "/watch":
			id = u.Query().Get("v")
		case strings.HasPrefix(u.Path, "/shorts/"), strings.HasPrefix(u.Path, "/embed/"), strings.HasPrefix(u.Path, "/live/"):
			id = strings.Trim(u.Path[strings.Index(u.Path[1:], "/")+1:], "/")
		}
		if !ytIDRe.MatchString(id) {
			return LinkTarget{}, errNotAPost
		}
		return LinkTarget{Kind: youtube.Kind, Video: id}, nil
	case slices.Contains(vkHosts, host):
		m := vkWallRe.FindStringSubmatch(u.Query().Get("w"))
		if m == nil {
			m = vkWallRe.FindStringSubmatch(u.Path)
		}
		if m == nil {
			return LinkTarget{}, errNotAPost
		}
		owner, _ := strconv.ParseInt(m[1], 10, 64)
		id, _ := strconv.ParseInt(m[2], 10, 64)
		return LinkTarget{Kind: vk.Kind, Owner: owner, ID: id}, nil
	}
	u.Fragment = ""
	return LinkTarget{Kind: web.Kind, URL: u.String()}, nil
}

// fetchLinked collects the public post target names with its kind's collector. ok is
// false when the kind is not enabled or the post is not there (deleted, private).
func (c *Collector) fetchLinked(ctx context.Context, target LinkTarget) (post.Post, bool, error) {
	l := c.cfg.FetchLinks
	if !slices.Contains(l.Kinds, target.Kind) {
		return post.Post{}, false, nil
	}
	deps := c.deps
	deps.Registerer = nil // the kinds' metrics belong to their own sources
	switch target.Kind {
	case telegram.Kind:
		cfg := telegram.Config{Channel: target.Channel, BaseURL: l.TelegramBaseURL}
		cfg.Defaults()
		col, err := telegram.New(cfg, deps)
		if err != nil {
			return post.Post{}, false, err
		}
		return col.FetchPost(ctx, int(target.ID))
	case youtube.Kind:
		cfg := youtube.Config{Videos: []string{target.Video}, BaseURL: l.YouTubeBaseURL, APIBaseURL: l.YouTubeAPIBaseURL, APIKey: l.YouTubeAPIKey}
		cfg.Defaults()
		col, err := youtube.New(cfg, deps)
		if err != nil {
			return post.Post{}, false, err
		}
		return col.FetchVideo(ctx, target.Video)
	case vk.Kind:
		if l.VKAccessToken == "" {
			return post.Post{}, false, nil
		}
		cfg := vk.Config{OwnerID: target.Owner, BaseURL: l.VKBaseURL, AccessToken: l.VKAccessToken}
		cfg.Defaults()
		col, err := vk.New(cfg, deps)
		if err != nil {
			return post.Post{}, false, err
		}
		return col.FetchPost(ctx, target.Owner, target.ID)
	default:
		p, err := web.FetchPage(ctx, c.deps.HTTP, target.URL, c.deps.Now())
		return p, err == nil, err
	}
}

// linkPost collects the public post a tip points at — a forward's public origin first,
// then its links, the first that names a post of an enabled kind — unless its campaign
// already has one. A failed fetch keeps the tip as it is (its link stays in the post's
// media) and is tried again at the campaign's next submission; it is logged without the
// link, which is the tip's content.
func (c *Collector) linkPost(ctx context.Context, in *intake, fp string, t Tip) error {
	if c.cfg.FetchLinks == nil {
		return nil
	}
	camp := in.camps[fp]
	if camp == nil || camp.LinkedPost != "" || camp.Withdrawn {
		return nil
	}
	cands := t.Links
	if t.OriginURL != "" {
		cands = append([]string{t.OriginURL}, cands...)
	}
	for _, raw := range cands {
		target, err := ParseLink(raw)
		if err != nil || !slices.Contains(c.cfg.FetchLinks.Kinds, target.Kind) {
			continue
		}
		p, ok, err := c.fetchLinked(ctx, target)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			c.m.links.WithLabelValues(target.Kind, "error").Inc()
			if c.deps.Logger != nil {
				var se *collectors.StatusError
				status := 0
				if errors.As(err, &se) {
					status = se.Status
				}
				c.deps.Logger.Warn("linked post not collected", "link_kind", target.Kind, "campaign", fp,
					"http_status", status, "internal_address", errors.Is(err, collectors.ErrForbiddenAddress))
			}
			return nil
		}
		if !ok {
			c.m.links.WithLabelValues(target.Kind, "missing").Inc()
			return nil
		}
		c.m.links.WithLabelValues(target.Kind, "collected").Inc()
		in.link(fp, p)
		return nil
	}
	return nil
}
