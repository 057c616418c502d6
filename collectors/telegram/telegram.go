// Package telegram collects public Telegram channels through their web preview
// (<base_url>/s/<channel>), the place where troll channels publish narratives and
// exposures. It pages back with ?before= to the last message already published, so a
// poll sees every message since the previous one, and reports channels without a preview
// and deleted channels as clear errors.
package telegram

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// Kind is the config kind of this collector.
const Kind = "telegram"

//go:embed sample.yaml
var sample string

// Config is one public channel.
type Config struct {
	collectors.Common `yaml:",inline"`
	// Channel is the public username (without @).
	Channel string `yaml:"channel"`
	// BaseURL is the preview host (default https://t.me).
	BaseURL string `yaml:"base_url"`
	// MaxPages bounds the ?before= pages one poll walks back (default 10).
	MaxPages int `yaml:"max_pages"`
	// BackfillPages is how many pages the first poll of a channel reads (default 3).
	BackfillPages int `yaml:"backfill_pages"`
	// RefreshAge: messages younger than this that a poll sees again (on the pages it
	// reads) are re-published as refreshes when their views changed (default 7 days,
	// negative = never), backing off with age (collectors.RefreshInterval).
	RefreshAge time.Duration `yaml:"refresh_age"`
	// Comments follows the public comments of recent posts (the discussion widget).
	Comments CommentsConfig `yaml:"comments"`
}

var channelRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// Defaults fills unset keys.
func (c *Config) Defaults() {
	c.Channel = strings.TrimPrefix(strings.TrimSpace(c.Channel), "@")
	c.ApplyDefaults(Kind, c.Channel)
	c.BaseURL = collectors.BaseURL(c.BaseURL, "https://t.me")
	if c.MaxPages == 0 {
		c.MaxPages = 10
	}
	if c.BackfillPages == 0 {
		c.BackfillPages = 3
	}
	if c.RefreshAge == 0 {
		c.RefreshAge = collectors.DefaultRefreshAge
	}
	c.Comments.defaults()
}

// Validate reports every problem with the entry.
// Endpoints returns the configured URLs: a literal internal address among them (a local
// test or demo site) is the only internal address the source may connect to.
func (c *Config) Endpoints() []string { return []string{c.BaseURL} }

func (c *Config) Validate() error {
	errs := []error{c.ValidateCommon()}
	if !channelRe.MatchString(c.Channel) {
		errs = append(errs, fmt.Errorf("channel %q is not a public channel username", c.Channel))
	}
	errs = append(errs, collectors.ValidateHTTPURL("base_url", c.BaseURL))
	if c.MaxPages < 1 || c.BackfillPages < 1 {
		errs = append(errs, errors.New("max_pages and backfill_pages must be at least 1"))
	}
	errs = append(errs, c.Comments.validate())
	return errors.Join(errs...)
}

// Register adds the telegram kind to r.
func Register(r *collectors.Registry) { r.Add(collectors.NewFactory(Kind, sample, New)) }

// Errors of a channel that cannot be collected.
var (
	// ErrNoPreview: the channel exists but has its web preview disabled (or is a group).
	ErrNoPreview = errors.New("channel has no public web preview")
	// ErrChannelNotFound: the name is unknown, private or deleted.
	ErrChannelNotFound = errors.New("channel not found (deleted, private or never existed)")
)

// Collector polls one channel.
type Collector struct {
	cfg  Config
	deps collectors.Deps
	key  string
}

// New builds a channel collector; deps.HTTP and deps.State are required.
func New(cfg Config, deps collectors.Deps) (*Collector, error) {
	if err := collectors.CheckDeps(Kind, &deps); err != nil {
		return nil, err
	}
	return &Collector{cfg: cfg, deps: deps, key: collectors.StateKey(cfg.SourceName())}, nil
}

type state struct {
	// HWM is the highest message id already published.
	HWM int `json:"hwm"`
	// Refresh tracks the recent messages whose views are refreshed.
	Refresh collectors.Refreshes `json:"refresh,omitempty"`
	// Comments are the recent posts whose discussions are followed, by post id.
	Comments map[string]*postComments `json:"comments,omitempty"`
	// NoDiscussionSince is when the channel was last found without a public discussion.
	NoDiscussionSince time.Time `json:"no_discussion_since,omitempty"`
}

// Collect reads the newest page and walks back until it reaches the high-water mark,
// then emits the new messages oldest first and raises the mark.
func (c *Collector) Collect(ctx context.Context, emit collectors.Emit) error {
	var st state
	if _, err := collectors.LoadJSON(ctx, c.deps.State, c.key, &st); err != nil {
		return err
	}
	limit := c.cfg.MaxPages
	if st.HWM == 0 {
		limit = c.cfg.BackfillPages
	}
	now := c.deps.Now()
	byID := map[int]Message{}
	seenAgain := map[int]Message{}
	next := c.cfg.BaseURL + "/s/" + c.cfg.Channel
	reached := false
	var parseErrs []error
	for page := 0; page < limit; page++ {
		pg, err := c.fetch(ctx, next)
		if err != nil {
			return err
		}
		parseErrs = append(parseErrs, pg.Errors...)
		if page == 0 && pg.Subscribers > 0 {
			c.deps.Metrics.Audience(pg.Subscribers)
		}
		minID := 0
		for _, m := range pg.Messages {
			if minID == 0 || m.ID < minID {
				minID = m.ID
			}
			if m.ID > st.HWM {
				byID[m.ID] = m
			} else {
				seenAgain[m.ID] = m
			}
		}
		if len(pg.Messages) == 0 || pg.Before == 0 || minID <= st.HWM+1 {
			reached = true
			break
		}
		next = c.cfg.BaseURL + "/s/" + c.cfg.Channel + "?before=" + strconv.Itoa(pg.Before)
	}
	if !reached && st.HWM > 0 && c.deps.Logger != nil {
		c.deps.Logger.Warn("page limit reached before the last seen message; older new messages are skipped",
			"channel", c.cfg.Channel, "max_pages", limit, "hwm", st.HWM)
	}
	ids := make([]int, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	c.deps.Metrics.Posts(len(ids))
	hwm := st.HWM
	if st.Refresh == nil {
		st.Refresh = collectors.Refreshes{}
	}
	refreshed := 0
	for _, id := range ids {
		m := byID[id]
		if p, ok := c.toPost(m, now); ok {
			if err := emit(ctx, p); err != nil {
				return fmt.Errorf("emit %s: %w", p.ID, err)
			}
			st.Refresh.Mark(p.ID, p.PublishedAt, now, c.cfg.RefreshAge, collectors.Counters{Views: p.Views})
			c.trackComments(&st, p, now)
		}
		hwm = max(hwm, id)
	}
	// Messages seen again whose views grew: refreshes, oldest first.
	again := make([]int, 0, len(seenAgain))
	for id := range seenAgain {
		again = append(again, id)
	}
	sort.Ints(again)
	for _, id := range again {
		p, ok := c.toPost(seenAgain[id], now)
		n := collectors.Counters{Views: p.Views}
		if !ok || !st.Refresh.Due(p.ID, p.PublishedAt, now, c.cfg.RefreshAge, n) {
			continue
		}
		p.Refresh = true
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("emit refresh %s: %w", p.ID, err)
		}
		st.Refresh.Mark(p.ID, p.PublishedAt, now, c.cfg.RefreshAge, n)
		refreshed++
	}
	st.Refresh.Prune(now, c.cfg.RefreshAge)
	// Messages that did not parse are a source error (metric, alert rule), reported after
	// the readable ones are safely emitted, so one odd message never holds up the rest.
	var perr error
	if len(parseErrs) > 0 {
		c.deps.Metrics.ParseErrors(len(parseErrs))
		perr = fmt.Errorf("telegram %s: %d message(s) not understood: %w", c.cfg.Channel, len(parseErrs), errors.Join(parseErrs...))
	}
	// Comments of the followed posts, after their roots.
	commentsChanged, cerr := c.collectComments(ctx, &st, emit, now)
	if errors.Is(cerr, errEmit) || ctx.Err() != nil {
		return cerr
	}
	if hwm == st.HWM && refreshed == 0 && !commentsChanged {
		return errors.Join(perr, cerr)
	}
	st.HWM = hwm
	return errors.Join(collectors.SaveJSON(ctx, c.deps.State, c.key, st), perr, cerr)
}

func (c *Collector) fetch(ctx context.Context, u string) (*Page, error) {
	resp, err := c.deps.HTTP.Get(ctx, u)
	if err != nil {
		return nil, err
	}
	body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(resp.URL.Path, "/s/") {
		// t.me answers a non-previewable or unknown name with a redirect to /<name>.
		cp, err := ParseChannelPage(body)
		if err != nil {
			return nil, err
		}
		if cp.Exists {
			return nil, fmt.Errorf("telegram %s: %w", c.cfg.Channel, ErrNoPreview)
		}
		return nil, fmt.Errorf("telegram %s: %w", c.cfg.Channel, ErrChannelNotFound)
	}
	pg, err := ParsePreview(body)
	if err != nil {
		return nil, fmt.Errorf("telegram %s: %s: %w", c.cfg.Channel, u, err)
	}
	return pg, nil
}

// toPost converts a message. Service messages are skipped (they still raise the
// high-water mark); every other message becomes a post, media-only ones (stickers, round
// videos, voice) with an empty text and their media as references. A poll's question and
// options are its text; a document's name is the title and its caption the text; a link
// preview's title and description are the text of a message that has none.
func (c *Collector) toPost(m Message, now time.Time) (post.Post, bool) {
	if m.Service {
		return post.Post{}, false
	}
	author := m.Author
	if m.Signature != "" {
		author = m.Signature
	}
	p := post.Post{
		ID:            fmt.Sprintf("telegram:%s/%d", m.Channel, m.ID),
		Source:        Kind,
		Kind:          post.KindPost,
		Channel:       m.Channel,
		Author:        author,
		URL:           fmt.Sprintf("%s/%s/%d", c.cfg.BaseURL, m.Channel, m.ID),
		PublishedAt:   m.Date,
		CollectedAt:   now,
		Views:         m.Views,
		ForwardedFrom: m.ForwardedFrom,
		ReplyTo:       m.ReplyTo,
	}
	p.Text, p.Title = messageText(m)
	for _, u := range m.Photos {
		p.Media = append(p.Media, post.Media{Kind: "photo", URL: u})
	}
	clips := map[string]bool{}
	for _, v := range m.VideoClips {
		clips[v.URL] = true
		p.Media = append(p.Media, post.Media{Kind: "video", URL: v.URL, Seconds: v.Seconds})
	}
	for _, u := range m.Videos { // a <video> outside a player
		if !clips[u] {
			p.Media = append(p.Media, post.Media{Kind: "video", URL: u})
		}
	}
	for _, v := range m.RoundVideos {
		p.Media = append(p.Media, post.Media{Kind: "round_video", URL: v.URL, Seconds: v.Seconds})
	}
	for _, v := range m.Voices {
		p.Media = append(p.Media, post.Media{Kind: "voice", URL: v.URL, Seconds: v.Seconds})
	}
	for _, d := range m.Documents {
		kind := "document"
		if d.Audio {
			kind = "audio"
		}
		p.Media = append(p.Media, post.Media{Kind: kind, URL: d.URL, Name: d.Name, Size: d.Size})
	}
	for _, u := range m.Stickers {
		p.Media = append(p.Media, post.Media{Kind: "sticker", URL: u})
	}
	if m.Poll != nil {
		p.Media = append(p.Media, post.Media{Kind: "poll", URL: p.URL, Title: m.Poll.Question, Name: m.Poll.Type, Count: m.Poll.Voters})
	}
	for _, lp := range m.Previews {
		p.Media = append(p.Media, post.Media{Kind: "link_preview", URL: lp.URL, Name: lp.Site, Title: lp.Title, Description: lp.Description})
	}
	for _, u := range m.Locations {
		p.Media = append(p.Media, post.Media{Kind: "location", URL: u})
	}
	if m.Unsupported {
		p.Media = append(p.Media, post.Media{Kind: "unsupported", URL: p.URL})
	}
	previews := map[string]bool{}
	for _, lp := range m.Previews {
		previews[lp.URL] = true
	}
	for _, u := range m.Links {
		if !previews[u] {
			p.Media = append(p.Media, post.Media{Kind: "link", URL: u})
		}
	}
	p.Lang = lang.Detect(p.Text)
	p.Normalize()
	return p, true
}

// messageText is the text and title of a message as a post.
func messageText(m Message) (text, title string) {
	parts := []string{}
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	if m.Poll != nil {
		lines := []string{m.Poll.Question}
		for _, o := range m.Poll.Options {
			lines = append(lines, "— "+o.Text)
		}
		parts = append(parts, strings.Join(lines, "\n"))
	}
	for _, lp := range m.Previews {
		// A bare link's card is all a reader sees of it; with a text, the card stays in media.
		if card := strings.Join(nonEmpty(lp.Title, lp.Description), "\n"); card != "" && m.Text == "" {
			parts = append(parts, card)
		}
	}
	if m.Contact != "" {
		parts = append(parts, m.Contact)
	}
	for _, d := range m.Documents {
		if title == "" {
			title = d.Name
		}
	}
	return strings.Join(parts, "\n\n"), title
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// FetchPost collects the one message <channel>/<id> (for a tip linking to it) from the
// preview page that ends with it (`/s/<channel>?before=<id+1>`), as Collect would publish
// it: same id, fields and parsing. ok is false when the page does not show the message
// (deleted, a service message).
func (c *Collector) FetchPost(ctx context.Context, id int) (post.Post, bool, error) {
	if id <= 0 {
		return post.Post{}, false, fmt.Errorf("telegram %s: message id %d", c.cfg.Channel, id)
	}
	pg, err := c.fetch(ctx, c.cfg.BaseURL+"/s/"+c.cfg.Channel+"?before="+strconv.Itoa(id+1))
	if err != nil {
		return post.Post{}, false, err
	}
	for _, m := range pg.Messages {
		if m.ID == id {
			p, ok := c.toPost(m, c.deps.Now())
			return p, ok, nil
		}
	}
	return post.Post{}, false, nil
}
