// Package vk collects VK community and user walls through the official wall.get API:
// posts, dates, views, reposts with their origin and attachments. VK's HTML is brittle
// and its robots.txt disallows wall URLs, so only the API is used; it needs a service
// access token (a registered app that accepted VK's API terms).
package vk

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// Kind is the config kind of this collector.
const Kind = "vk"

//go:embed sample.yaml
var sample string

// Config is one wall.
type Config struct {
	collectors.Common `yaml:",inline"`
	// Domain is the wall's short name (vk.com/<domain>), or OwnerID its numeric id
	// (negative for communities).
	Domain  string `yaml:"domain"`
	OwnerID int64  `yaml:"owner_id"`
	// AccessToken is a service token; may come from KUZOT_VK_ACCESS_TOKEN.
	AccessToken config.Secret `yaml:"access_token"`
	// BaseURL is the API host (default https://api.vk.com).
	BaseURL string `yaml:"base_url"`
	// APIVersion is the v= parameter (default 5.199).
	APIVersion string `yaml:"api_version"`
	// MaxPages bounds the 100-post pages read per poll (default 5).
	MaxPages int `yaml:"max_pages"`
	// Comments follows the comments and replies of recent posts.
	Comments CommentsConfig `yaml:"comments"`
	// RefreshAge: posts younger than this that a poll sees again are re-published as
	// refreshes when their views, reposts or comment counts changed (default 7 days,
	// negative = never), backing off with age (collectors.RefreshInterval).
	RefreshAge time.Duration `yaml:"refresh_age"`
}

var domainRe = regexp.MustCompile(`^[A-Za-z0-9_.]{2,64}$`)

// Defaults fills unset keys.
func (c *Config) Defaults() {
	target := c.Domain
	if target == "" && c.OwnerID != 0 {
		target = strconv.FormatInt(c.OwnerID, 10)
	}
	c.ApplyDefaults(Kind, target)
	c.AccessToken = c.AccessToken.OrEnv("KUZOT_VK_ACCESS_TOKEN", os.Getenv)
	c.BaseURL = collectors.BaseURL(c.BaseURL, "https://api.vk.com")
	if c.APIVersion == "" {
		c.APIVersion = "5.199"
	}
	if c.MaxPages == 0 {
		c.MaxPages = 5
	}
	if c.Comments.MaxAge == 0 {
		c.Comments.MaxAge = 3 * 24 * time.Hour
	}
	if c.RefreshAge == 0 {
		c.RefreshAge = collectors.DefaultRefreshAge
	}
	if c.Comments.MaxPages == 0 {
		c.Comments.MaxPages = 3
	}
	if c.Comments.PageSize == 0 {
		c.Comments.PageSize = 100
	}
}

// Validate reports every problem with the entry.
// Endpoints returns the configured URLs: a literal internal address among them (a local
// test or demo site) is the only internal address the source may connect to.
func (c *Config) Endpoints() []string { return []string{c.BaseURL} }

func (c *Config) Validate() error {
	errs := []error{c.ValidateCommon()}
	switch {
	case c.Domain == "" && c.OwnerID == 0:
		errs = append(errs, errors.New("set domain or owner_id"))
	case c.Domain != "" && !domainRe.MatchString(c.Domain):
		errs = append(errs, fmt.Errorf("domain %q is not a VK short name", c.Domain))
	}
	if c.AccessToken == "" {
		errs = append(errs, errors.New("access_token is required (or KUZOT_VK_ACCESS_TOKEN)"))
	}
	errs = append(errs, collectors.ValidateHTTPURL("base_url", c.BaseURL))
	if c.MaxPages < 1 {
		errs = append(errs, errors.New("max_pages must be at least 1"))
	}
	if c.Comments.MaxAge < 0 || c.Comments.MaxPages < 1 || c.Comments.PageSize < 1 || c.Comments.PageSize > 100 {
		errs = append(errs, errors.New("comments.max_age must not be negative, comments.max_pages at least 1, comments.page_size 1..100"))
	}
	return errors.Join(errs...)
}

// Register adds the vk kind to r.
func Register(r *collectors.Registry) { r.Add(collectors.NewFactory(Kind, sample, New)) }

// APIError is an error object of the VK API (HTTP 200 with {"error": …}).
type APIError struct {
	Code int    `json:"error_code"`
	Msg  string `json:"error_msg"`
}

func (e *APIError) Error() string { return fmt.Sprintf("vk api error %d: %s", e.Code, e.Msg) }

// RateLimited reports the codes that ask to slow down: 6 (too many per second),
// 9 (flood control), 29 (rate limit reached).
func (e *APIError) RateLimited() bool { return e.Code == 6 || e.Code == 9 || e.Code == 29 }

// Collector polls one wall.
type Collector struct {
	cfg  Config
	deps collectors.Deps
	key  string
}

// New builds a wall collector; deps.HTTP and deps.State are required.
func New(cfg Config, deps collectors.Deps) (*Collector, error) {
	if err := collectors.CheckDeps(Kind, &deps); err != nil {
		return nil, err
	}
	return &Collector{cfg: cfg, deps: deps, key: collectors.StateKey(cfg.SourceName())}, nil
}

type state struct {
	// HWM is the highest post id already published.
	HWM int64 `json:"hwm"`
	// NotBefore is set after a rate-limit answer.
	NotBefore time.Time `json:"not_before,omitzero"`
	// Comments are the recent posts ("<owner>_<id>") whose comments are followed.
	Comments map[string]*postComments `json:"comments,omitempty"`
	// Refresh tracks the recent posts whose counters are refreshed.
	Refresh collectors.Refreshes `json:"refresh,omitempty"`
}

// Response is the wall.get answer.
type Response struct {
	Count    int       `json:"count"`
	Items    []Item    `json:"items"`
	Profiles []Profile `json:"profiles"`
	Groups   []Group   `json:"groups"`
}

// Item is one wall post (or, in copy_history, the reposted original).
type Item struct {
	ID          int64        `json:"id"`
	OwnerID     int64        `json:"owner_id"`
	FromID      int64        `json:"from_id"`
	SignerID    int64        `json:"signer_id"`
	Date        int64        `json:"date"`
	Text        string       `json:"text"`
	IsPinned    int          `json:"is_pinned"`
	Attachments []Attachment `json:"attachments"`
	CopyHistory []Item       `json:"copy_history"`
	Views       struct {
		Count int64 `json:"count"`
	} `json:"views"`
	Reposts struct {
		Count int64 `json:"count"`
	} `json:"reposts"`
	Comments struct {
		Count int64 `json:"count"`
	} `json:"comments"`
}

// Attachment is a typed attachment; only the URL-bearing parts are decoded.
type Attachment struct {
	Type  string `json:"type"`
	Photo *struct {
		Sizes []struct {
			URL   string `json:"url"`
			Width int    `json:"width"`
		} `json:"sizes"`
	} `json:"photo"`
	Video *struct {
		ID      int64 `json:"id"`
		OwnerID int64 `json:"owner_id"`
	} `json:"video"`
	Link *struct {
		URL string `json:"url"`
	} `json:"link"`
	Doc *struct {
		URL string `json:"url"`
	} `json:"doc"`
}

// Profile is a user in an extended answer.
type Profile struct {
	ID        int64  `json:"id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// Group is a community in an extended answer.
type Group struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ParseResponse decodes a wall.get body; an "error" object becomes an *APIError.
func ParseResponse(body []byte) (*Response, error) {
	var env struct {
		Response *Response `json:"response"`
		Error    *APIError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("vk wall.get: malformed JSON: %w", err)
	}
	if env.Error != nil {
		return nil, env.Error
	}
	if env.Response == nil {
		return nil, errors.New("vk wall.get: neither response nor error")
	}
	return env.Response, nil
}

// Collect reads the wall newest first until it reaches the high-water mark (the pinned
// post is skipped in that test: it sits on top whatever its age) and emits the new posts
// oldest first.
func (c *Collector) Collect(ctx context.Context, emit collectors.Emit) error {
	var st state
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
		return err
	}
	now := c.deps.Now()
	if now.Before(st.NotBefore) {
		return nil
	}
	var fresh, again []Item
	names := map[int64]string{}
	for page := 0; page < c.cfg.MaxPages; page++ {
		r, err := c.wallGet(ctx, page*100)
		var ae *APIError
		if errors.As(err, &ae) && ae.RateLimited() {
			wait := map[int]time.Duration{6: time.Second, 9: 10 * time.Minute, 29: time.Hour}[ae.Code]
			st.NotBefore = now.Add(wait)
			return errors.Join(fmt.Errorf("vk %s: %w", c.cfg.SourceName(), err), collectors.SaveJSON(ctx, c.deps.State, c.key, st))
		}
		if err != nil {
			return fmt.Errorf("vk %s: %w", c.cfg.SourceName(), err)
		}
		for _, p := range r.Profiles {
			names[p.ID] = strings.TrimSpace(p.FirstName + " " + p.LastName)
		}
		for _, g := range r.Groups {
			names[-g.ID] = g.Name
		}
		reached := false
		for _, it := range r.Items {
			if it.ID > st.HWM {
				fresh = append(fresh, it)
			} else {
				again = append(again, it)
				if it.IsPinned == 0 {
					reached = true
				}
			}
		}
		if reached || len(r.Items) == 0 || (page+1)*100 >= r.Count {
			break
		}
	}
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].ID < fresh[j].ID })
	c.deps.Metrics.Posts(len(fresh))
	hwm := st.HWM
	if st.Refresh == nil {
		st.Refresh = collectors.Refreshes{}
	}
	for _, it := range fresh {
		p := c.toPost(it, names, now)
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("emit %s: %w", p.ID, err)
		}
		hwm = max(hwm, it.ID)
		c.trackComments(&st, it, now)
		st.Refresh.Mark(p.ID, p.PublishedAt, now, c.cfg.RefreshAge, counters(p))
	}
	sort.Slice(again, func(i, j int) bool { return again[i].ID < again[j].ID })
	for _, it := range again {
		p := c.toPost(it, names, now)
		if !st.Refresh.Due(p.ID, p.PublishedAt, now, c.cfg.RefreshAge, counters(p)) {
			continue
		}
		p.Refresh = true
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("emit refresh %s: %w", p.ID, err)
		}
		st.Refresh.Mark(p.ID, p.PublishedAt, now, c.cfg.RefreshAge, counters(p))
	}
	st.Refresh.Prune(now, c.cfg.RefreshAge)
	cerr := c.collectComments(ctx, &st, emit, now)
	var ae *APIError
	if errors.As(cerr, &ae) && ae.RateLimited() {
		st.NotBefore = now.Add(map[int]time.Duration{6: time.Second, 9: 10 * time.Minute, 29: time.Hour}[ae.Code])
	} else {
		st.NotBefore = time.Time{}
	}
	if hwm == st.HWM && !c.cfg.Comments.Enabled && len(again) == 0 && st.NotBefore.IsZero() && cerr == nil {
		return nil
	}
	st.HWM = hwm
	return errors.Join(collectors.SaveJSON(ctx, c.deps.State, c.key, st), cerr)
}

func (c *Collector) wallGet(ctx context.Context, offset int) (*Response, error) {
	q := url.Values{
		"count": {"100"}, "offset": {strconv.Itoa(offset)}, "filter": {"all"}, "extended": {"1"},
		"v": {c.cfg.APIVersion}, "access_token": {string(c.cfg.AccessToken)},
	}
	if c.cfg.Domain != "" {
		q.Set("domain", c.cfg.Domain)
	} else {
		q.Set("owner_id", strconv.FormatInt(c.cfg.OwnerID, 10))
	}
	resp, err := c.deps.HTTP.Get(ctx, c.cfg.BaseURL+"/method/wall.get?"+q.Encode())
	if err != nil {
		return nil, config.RedactError(err, c.cfg.AccessToken, "<token>")
	}
	return ParseResponse(resp.Body)
}

func counters(p post.Post) collectors.Counters {
	return collectors.Counters{Views: p.Views, Forwards: p.Forwards, Comments: p.Comments}
}

var mention = regexp.MustCompile(`\[(?:id|club|public)\d+\|([^\]]*)\]`)

func (c *Collector) toPost(it Item, names map[int64]string, now time.Time) post.Post {
	author := names[it.FromID]
	if it.SignerID != 0 && names[it.SignerID] != "" {
		author = names[it.SignerID]
	}
	if author == "" {
		author = strconv.FormatInt(it.FromID, 10)
	}
	text := it.Text
	p := post.Post{
		ID:          fmt.Sprintf("vk:%d_%d", it.OwnerID, it.ID),
		Source:      Kind,
		Kind:        post.KindPost,
		Channel:     names[it.OwnerID],
		Author:      author,
		URL:         fmt.Sprintf("https://vk.com/wall%d_%d", it.OwnerID, it.ID),
		PublishedAt: time.Unix(it.Date, 0).UTC(),
		CollectedAt: now,
		Views:       it.Views.Count,
		Forwards:    it.Reposts.Count,
		Comments:    it.Comments.Count,
	}
	if p.Channel == "" {
		p.Channel = c.cfg.Domain
	}
	if len(it.CopyHistory) > 0 {
		orig := it.CopyHistory[0]
		p.ForwardedFrom = fmt.Sprintf("vk:%d_%d", orig.OwnerID, orig.ID)
		if strings.TrimSpace(text) == "" {
			text = orig.Text // a bare repost: what was reposted is what spreads
		}
		p.Media = append(p.Media, attachments(orig.Attachments)...)
	}
	p.Text = mention.ReplaceAllString(text, "$1")
	p.Media = append(attachments(it.Attachments), p.Media...)
	p.Lang = lang.Detect(p.Text)
	p.Normalize()
	return p
}

func attachments(as []Attachment) []post.Media {
	var out []post.Media
	for _, a := range as {
		switch {
		case a.Photo != nil && len(a.Photo.Sizes) > 0:
			best := a.Photo.Sizes[0]
			for _, s := range a.Photo.Sizes {
				if s.Width > best.Width {
					best = s
				}
			}
			out = append(out, post.Media{Kind: "photo", URL: best.URL})
		case a.Video != nil:
			out = append(out, post.Media{Kind: "video", URL: fmt.Sprintf("https://vk.com/video%d_%d", a.Video.OwnerID, a.Video.ID)})
		case a.Link != nil:
			out = append(out, post.Media{Kind: "link", URL: a.Link.URL})
		case a.Doc != nil:
			out = append(out, post.Media{Kind: "document", URL: a.Doc.URL})
		}
	}
	return out
}

// FetchPost collects one wall post <owner>_<id> (for a tip linking to it) with
// wall.getById, as Collect would publish it. ok is false when the post is deleted or
// not public.
func (c *Collector) FetchPost(ctx context.Context, ownerID, id int64) (post.Post, bool, error) {
	q := url.Values{
		"posts": {strconv.FormatInt(ownerID, 10) + "_" + strconv.FormatInt(id, 10)}, "extended": {"1"},
		"v": {c.cfg.APIVersion}, "access_token": {string(c.cfg.AccessToken)},
	}
	resp, err := c.deps.HTTP.Get(ctx, c.cfg.BaseURL+"/method/wall.getById?"+q.Encode())
	if err != nil {
		return post.Post{}, false, fmt.Errorf("vk wall.getById: %w", config.RedactError(err, c.cfg.AccessToken, "<token>"))
	}
	r, err := ParseResponse(resp.Body)
	if err != nil {
		return post.Post{}, false, fmt.Errorf("vk wall.getById: %w", err)
	}
	names := map[int64]string{}
	for _, p := range r.Profiles {
		names[p.ID] = strings.TrimSpace(p.FirstName + " " + p.LastName)
	}
	for _, g := range r.Groups {
		names[-g.ID] = g.Name
	}
	for _, it := range r.Items {
		if it.OwnerID == ownerID && it.ID == id {
			return c.toPost(it, names, c.deps.Now()), true, nil
		}
	}
	return post.Post{}, false, nil
}
