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
const SchemaVersion = "post.v1"

// MaxTextBytes caps the text of one post. Longer texts are truncated on a rune boundary
// by Normalize, so that one huge page cannot exhaust a consumer or a ClickHouse batch.
const MaxTextBytes = 256 << 10

// Media is one attachment of a post (photo, video, document, link preview...).
type Media struct {
	Kind string `json:"kind"`
	URL  string `json:"url"`
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
	// Tip is set only on posts of source "tipline" (what members forwarded to an
	// organisation's tipline); every other consumer may ignore it.
	Tip *Tip `json:"tip,omitempty"`
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

// MsgID is the JetStream Nats-Msg-Id of this post: its id plus a content hash prefix.
func (p *Post) MsgID() string { return p.ID + ":" + p.ContentHash() }

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
