// Package post defines the common post schema that every collector produces and every
// classifier, store and report consumes. It is the message body on the posts stream and
// what `kuzot collect --stdout` prints, one JSON object per line.
package post

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SchemaVersion is carried in the Kuzot-Schema header of every post message so that
// consumers can refuse (dead-letter) messages of a schema they do not understand.
// Additions that old consumers can ignore and that old messages lack without harm (kind,
// parent_id, root_id, context, forwards, comments, refresh) keep the version: an old
// message decodes as a top-level post that is not a refresh.
const SchemaVersion = "post.v1"

// Kinds of item in a thread. An empty Kind (messages written before kinds existed) means
// KindPost.
const (
	// KindPost is a top-level post, video or article.
	KindPost = "post"
	// KindComment answers a post directly (its parent is the root).
	KindComment = "comment"
	// KindReply answers a comment (its parent is another comment, its root the post).
	KindReply = "reply"
)

// MaxContextBytes caps Context, the root's title and text handed to classifiers with a
// comment: enough to name the target of a thread, small enough for every message.
const MaxContextBytes = 4 << 10

// MaxTextBytes caps the text of one post. Longer texts are truncated on a rune boundary
// by Normalize, so that one huge page cannot exhaust a consumer or a ClickHouse batch.
const MaxTextBytes = 256 << 10

// Media is one attachment of a post (photo, video, document, link preview...). Kinds:
// photo, video, round_video, voice, audio, document, sticker, poll, link, link_preview,
// location, unsupported (media the source does not show). Only kind and url are stored
// in ClickHouse; the rest travel with the message for classifiers and --stdout.
type Media struct {
	Kind string `json:"kind"`
	URL  string `json:"url"`
	// Name is a file name (document), a site name (link preview) or a poll's type.
	Name string `json:"name,omitempty"`
	// Title and Description: a link preview's card, a poll's question.
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Size is a file size as the source shows it ("1.2 MB").
	Size string `json:"size,omitempty"`
	// Seconds is the duration of a video, round video or voice message.
	Seconds int `json:"duration_s,omitempty"`
	// Count is a poll's number of voters.
	Count int64 `json:"count,omitempty"`
}

// Post is one public post, comment, video or article in the common schema.
type Post struct {
	// ID is "<source>:<native id>", stable across re-collection of the same item.
	ID string `json:"id"`
	// Source is the collector kind that produced the post: telegram, youtube, vk, rss, web.
	Source string `json:"source"`
	// Channel is the channel, community, feed or site the post was published in.
	Channel string `json:"channel"`
	// Author is the account or signature that published it, when known.
	Author string `json:"author"`
	// URL is the canonical public address of the post.
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Text  string `json:"text"`
	// PublishedAt is when the platform says the post was published.
	PublishedAt time.Time `json:"published_at"`
	// CollectedAt is when kuzot fetched it.
	CollectedAt time.Time `json:"collected_at"`
	Views       int64     `json:"views"`
	// ForwardedFrom names the origin of a forward or repost ("t.me/src/12", "vk:-1_34").
	ForwardedFrom string `json:"forwarded_from"`
	// ReplyTo identifies the post or account this one replies to, when the source says.
	ReplyTo string  `json:"reply_to,omitempty"`
	Media   []Media `json:"media"`
	// Lang is an ISO 639-1 code (ru, ky, en, uz, ...) or "" when unknown.
	Lang string `json:"lang"`
	// Kind is post, comment or reply ("" = post).
	Kind string `json:"kind,omitempty"`
	// ParentID is the id of the item a comment or reply answers ("youtube:<video>" for a
	// top-level YouTube comment, the comment's id for a reply); empty for a post.
	ParentID string `json:"parent_id,omitempty"`
	// RootID is the id of the post or video the thread belongs to; empty for a post.
	RootID string `json:"root_id,omitempty"`
	// Context is the root's title and text (cut to MaxContextBytes), so that a comment
	// with no named target can be judged in its thread. Classifiers read it; it is not
	// stored (the root is a row of its own).
	Context string `json:"context,omitempty"`
	// Forwards and Comments are the platform's counters when it shows them.
	Forwards int64 `json:"forwards,omitempty"`
	Comments int64 `json:"comments,omitempty"`
	// Refresh marks a re-collection of an already published item whose counters (views,
	// forwards, comments) changed: the store keeps it as the latest version, while the
	// classify stage skips it, so a refresh is never a new post for classifiers or alerts.
	Refresh bool `json:"refresh,omitempty"`
	// Tip is set only on posts of source "tipline" (what members forwarded to an
	// organisation's tipline); every other consumer may ignore it.
	Tip *Tip `json:"tip,omitempty"`
}

// ThreadKind returns Kind, or KindPost for a post that has none.
func (p *Post) ThreadKind() string {
	if p.Kind == "" {
		return KindPost
	}
	return p.Kind
}

// Tip describes a tipline post: one campaign of near-identical tips merged, with how
// many times and by how many organisations it was reported. It never identifies who
// reported it.
type Tip struct {
	// Kind is sms, forward, screenshot or link.
	Kind string `json:"kind"`
	// Fingerprint identifies the campaign (near-identical tips share it).
	Fingerprint string `json:"fingerprint"`
	// Submissions counts the distinct reporters who sent it (a repeat by the same
	// reporter is not counted again).
	Submissions int `json:"submissions"`
	// Orgs are the organisations whose members reported it, sorted.
	Orgs []string `json:"orgs"`
	// FirstSeen and LastSeen bound the submissions.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Burst is the largest number of submissions within the tipline's burst window; a
	// burst at or above its threshold makes Campaign true (an sms_campaign cluster).
	Burst    int  `json:"burst"`
	Campaign bool `json:"campaign"`
	// SMSSender is the sender ID of a forwarded SMS (operator short code or sender
	// name; personal numbers are redacted), when the reporter gave it.
	SMSSender string `json:"sms_sender,omitempty"`
	// OriginChannel, OriginTitle and OriginDate describe where a forwarded message came from.
	OriginChannel string    `json:"origin_channel,omitempty"`
	OriginTitle   string    `json:"origin_title,omitempty"`
	OriginDate    time.Time `json:"origin_date,omitzero"`
	// Withdrawn marks a tip whose only reporter asked to be forgotten: its content is gone.
	Withdrawn bool `json:"withdrawn,omitempty"`
	// LinkedPost is the id of the public post the tip links to (or forwards), collected
	// by its source kind's collector under the id that collector gives it
	// ("telegram:<channel>/<id>", "youtube:<id>", "vk:<owner>_<id>", "web:<url>").
	LinkedPost string `json:"linked_post,omitempty"`
}

// ErrInvalid marks a post that can never be processed (it goes to the dead-letter stream).
var ErrInvalid = errors.New("invalid post")

// Validate reports why a post cannot enter the pipeline, wrapping ErrInvalid.
func (p *Post) Validate() error {
	switch {
	case p.ID == "":
		return fmt.Errorf("%w: empty id", ErrInvalid)
	case !strings.Contains(p.ID, ":"):
		return fmt.Errorf("%w: id %q is not <source>:<native id>", ErrInvalid, p.ID)
	case p.Source == "":
		return fmt.Errorf("%w: %s: empty source", ErrInvalid, p.ID)
	case !utf8.ValidString(p.Text) || !utf8.ValidString(p.Title) || !utf8.ValidString(p.Author):
		return fmt.Errorf("%w: %s: text is not valid UTF-8", ErrInvalid, p.ID)
	case p.PublishedAt.IsZero():
		return fmt.Errorf("%w: %s: missing published_at", ErrInvalid, p.ID)
	case p.Kind != "" && p.Kind != KindPost && p.Kind != KindComment && p.Kind != KindReply:
		return fmt.Errorf("%w: %s: kind %q is not post, comment or reply", ErrInvalid, p.ID, p.Kind)
	case (p.Kind == KindComment || p.Kind == KindReply) && (p.ParentID == "" || p.RootID == ""):
		return fmt.Errorf("%w: %s: a %s needs parent_id and root_id", ErrInvalid, p.ID, p.Kind)
	}
	return nil
}

// Normalize repairs what can be repaired without losing meaning: invalid UTF-8 is replaced
// with U+FFFD, over-long text is truncated, times are made UTC and media is never nil.
func (p *Post) Normalize() {
	p.Text = truncate(strings.ToValidUTF8(p.Text, "\uFFFD"), MaxTextBytes)
	p.Title = truncate(strings.ToValidUTF8(p.Title, "\uFFFD"), 4096)
	p.Author = truncate(strings.ToValidUTF8(p.Author, "\uFFFD"), 1024)
	p.Channel = truncate(strings.ToValidUTF8(p.Channel, "\uFFFD"), 1024)
	p.Context = truncate(strings.ToValidUTF8(p.Context, "\uFFFD"), MaxContextBytes)
	p.PublishedAt = p.PublishedAt.UTC()
	p.CollectedAt = p.CollectedAt.UTC()
	if p.Media == nil {
		p.Media = []Media{}
	}
}

// ContentHash is a short hex digest of the text and title. It versions the message id so
// that an edited post is stored again while a re-collected unchanged one is deduplicated.
func (p *Post) ContentHash() string {
	h := sha256.New()
	h.Write([]byte(p.Title))
	h.Write([]byte{0})
	h.Write([]byte(p.Text))
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// MsgID is the JetStream Nats-Msg-Id of this post: its id plus a content hash prefix. A
// refresh carries the same content, so its id adds the counters it refreshes: a changed
// count is published, a repeated one is deduplicated.
func (p *Post) MsgID() string {
	if p.Refresh {
		return fmt.Sprintf("%s:%s:r%d.%d.%d", p.ID, p.ContentHash(), p.Views, p.Forwards, p.Comments)
	}
	return p.ID + ":" + p.ContentHash()
}

// ContextOf builds the Context of a comment from its root's title and text.
func ContextOf(title, text string) string {
	s := strings.TrimSpace(title)
	if t := strings.TrimSpace(text); t != "" {
		if s != "" {
			s += "\n"
		}
		s += t
	}
	return truncate(strings.ToValidUTF8(s, "\uFFFD"), MaxContextBytes)
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
