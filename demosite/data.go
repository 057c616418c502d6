// Package demosite is kuzot's demo "public web": one HTTP handler that serves Telegram
// channel previews, YouTube watch/channel pages and Data API answers, VK wall.get
// answers, RSS and Atom feeds (one in windows-1251) and a forum, in markup that follows
// the real sites (see shared/research/collectors.md). The content is invented
// (data/posts.yaml, fictional people only) and covers the narratives, hard negatives,
// exposures and a coordinated burst of context.md in Russian, Kyrgyz and English.
//
// The site is deterministic given its seed, epoch and clock: a post is visible once
// epoch + its offset has passed, so tests can assert exact posts and new posts appear
// over time while `kuzot demo-site` runs.
package demosite

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed data/posts.yaml
var postsYAML []byte

// PostsYAML returns the raw data file, for tools that want to read it themselves.
func PostsYAML() []byte { return append([]byte(nil), postsYAML...) }

// Content is the demo data: places per kind and the posts published in them.
type Content struct {
	Places Places `yaml:"places"`
	Posts  []Post `yaml:"posts"`
	Filler Filler `yaml:"filler"`
	// Comments are the comments and replies of data/comments.yaml, bursts expanded,
	// oldest first.
	Comments []Comment `yaml:"-"`
}

// Places lists the channels, feeds and threads the site serves.
type Places struct {
	Telegram []TelegramChannel `yaml:"telegram"`
	YouTube  []YouTubeChannel  `yaml:"youtube"`
	VK       []VKCommunity     `yaml:"vk"`
	RSS      []Feed            `yaml:"rss"`
	Web      []Thread          `yaml:"web"`
}

// TelegramChannel is a public channel served at /s/<name>.
type TelegramChannel struct {
	Name        string `yaml:"name"`
	Title       string `yaml:"title"`
	Subscribers int    `yaml:"subscribers"`
	Description string `yaml:"description"`
	// NoPreview channels redirect /s/<name> to /<name>, as t.me does.
	NoPreview bool `yaml:"no_preview"`
	// Discussion: the channel has a linked discussion group, so its posts' discussion
	// widgets (/<name>/<id>?embed=1&discussion=1) show their comments; without one the
	// widget says "Discussion is not available".
	Discussion bool `yaml:"discussion"`
}

// YouTubeChannel is served at /channel/<id>/videos and through the Data API.
type YouTubeChannel struct {
	ChannelID   string `yaml:"channel_id"`
	Title       string `yaml:"title"`
	Handle      string `yaml:"handle"`
	Subscribers int    `yaml:"subscribers"`
}

// VKCommunity is served by /method/wall.get.
type VKCommunity struct {
	Domain  string `yaml:"domain"`
	OwnerID int64  `yaml:"owner_id"`
	Title   string `yaml:"title"`
}

// Feed is an RSS or Atom document at Path.
type Feed struct {
	Path    string `yaml:"path"`
	Format  string `yaml:"format"`  // rss or atom
	Charset string `yaml:"charset"` // utf-8 or windows-1251
	Title   string `yaml:"title"`
	TTL     int    `yaml:"ttl"`
}

// Thread is a forum thread at /forum/thread/<id>.
type Thread struct {
	Thread string `yaml:"thread"`
	Title  string `yaml:"title"`
}

// Filler adds generated neutral history to one Telegram channel so it has several pages.
type Filler struct {
	Place   string        `yaml:"place"`
	FirstID int           `yaml:"first_id"`
	Count   int           `yaml:"count"`
	Every   time.Duration `yaml:"every"`
	Texts   []string      `yaml:"texts"`
}

// Post is one demo post with its ground-truth labels.
type Post struct {
	Key  string `yaml:"key" json:"key"`
	Kind string `yaml:"kind" json:"kind"`
	// Place is the channel name, YouTube channel id, VK domain, feed path or thread id.
	Place    string `yaml:"place" json:"place"`
	NativeID string `yaml:"native_id" json:"native_id"`
	Author   string `yaml:"author" json:"author"`
	// Signature is a Telegram post signature.
	Signature string `yaml:"signature" json:"signature,omitempty"`
	// FromID is the VK author of a post by a member (coordinated burst).
	FromID int64 `yaml:"from_id" json:"from_id,omitempty"`
	// At is the publication time relative to the site's epoch.
	At time.Duration `yaml:"at" json:"at"`
	// GoneAfter, when set, removes the post at epoch + GoneAfter (deleted by the platform).
	GoneAfter time.Duration `yaml:"gone_after" json:"gone_after,omitempty"`
	Views     int64         `yaml:"views" json:"views"`
	Duration  int           `yaml:"duration" json:"duration,omitempty"`
	Lang      string        `yaml:"lang" json:"lang"`
	Label     string        `yaml:"label" json:"label"`
	Frame     string        `yaml:"frame" json:"frame,omitempty"`
	Exposure  []string      `yaml:"exposure" json:"exposure,omitempty"`
	Title     string        `yaml:"title" json:"title,omitempty"`
	Text      string        `yaml:"text" json:"text"`
	// Transcript is a YouTube video's spoken text (served as a caption track).
	Transcript    string   `yaml:"transcript" json:"transcript,omitempty"`
	Keywords      []string `yaml:"keywords" json:"keywords,omitempty"`
	ForwardedFrom string   `yaml:"forwarded_from" json:"forwarded_from,omitempty"`
	// ReplyTo is the native id of the post this one replies to (Telegram).
	ReplyTo  string `yaml:"reply_to" json:"reply_to,omitempty"`
	RepostOf string `yaml:"repost_of" json:"repost_of,omitempty"`
	Pinned   bool   `yaml:"pinned" json:"pinned,omitempty"`
	Photos   int    `yaml:"photos" json:"photos,omitempty"`
	// Image names a picture the site generates and serves at /media/<image>.png
	// (media.go: id_card, list), shown as the message's photo.
	Image       string `yaml:"image" json:"image,omitempty"`
	LinkPreview string `yaml:"link_preview" json:"link_preview,omitempty"`
	// Poll and Document make a Telegram message a poll or a file (data/comments.yaml).
	Poll     *Poll     `yaml:"poll" json:"poll,omitempty"`
	Document *Document `yaml:"document" json:"document,omitempty"`
}

// Load parses the embedded data and adds the seeded filler posts. The result is a fresh
// copy; callers may modify it.
func Load(seed int64) (*Content, error) {
	var c Content
	if err := yaml.Unmarshal(postsYAML, &c); err != nil {
		return nil, fmt.Errorf("demosite: data/posts.yaml: %w", err)
	}
	if err := loadComments(&c); err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, p := range c.Posts {
		if keys[p.Key] {
			return nil, fmt.Errorf("demosite: duplicate post key %q", p.Key)
		}
		keys[p.Key] = true
	}
	if f := c.Filler; f.Count > 0 && len(f.Texts) > 0 {
		oldest := time.Duration(0)
		for _, p := range c.Posts {
			if p.Kind == "telegram" && p.Place == f.Place && p.At < oldest {
				oldest = p.At
			}
		}
		rng := rand.New(rand.NewPCG(uint64(seed), 0x6b757a6f74))
		for i := range f.Count {
			c.Posts = append(c.Posts, Post{
				Key:      "tg-filler-" + strconv.Itoa(f.FirstID+i),
				Kind:     "telegram",
				Place:    f.Place,
				NativeID: strconv.Itoa(f.FirstID + i),
				Author:   placeTitle(&c, f.Place),
				At:       oldest - time.Duration(f.Count-i)*f.Every,
				Views:    int64(100 + rng.IntN(900)),
				Label:    "neutral",
				Text:     f.Texts[rng.IntN(len(f.Texts))],
			})
		}
	}
	sort.SliceStable(c.Posts, func(i, j int) bool { return c.Posts[i].At < c.Posts[j].At })
	return &c, nil
}

func placeTitle(c *Content, name string) string {
	for _, ch := range c.Places.Telegram {
		if ch.Name == name {
			return ch.Title
		}
	}
	return name
}
