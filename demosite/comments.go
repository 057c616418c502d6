package demosite

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed data/comments.yaml
var commentsYAML []byte

// Comment is one demo comment or reply with its ground-truth labels.
type Comment struct {
	Key string `yaml:"key" json:"key"`
	// Root is the key of the post (video, wall post, channel message) the thread is under.
	Root string `yaml:"root" json:"root"`
	// Parent is the key of the comment this one replies to ("" for a top-level comment).
	Parent   string `yaml:"parent" json:"parent,omitempty"`
	Author   string `yaml:"author" json:"author"`
	FromID   int64  `yaml:"from_id" json:"from_id,omitempty"`
	NativeID string `yaml:"-" json:"native_id"`
	// At is the publication time relative to the site's epoch; GoneAfter deletes it.
	At        time.Duration `yaml:"at" json:"at"`
	GoneAfter time.Duration `yaml:"gone_after" json:"gone_after,omitempty"`
	Lang      string        `yaml:"lang" json:"lang"`
	Label     string        `yaml:"label" json:"label"`
	Frame     string        `yaml:"frame" json:"frame,omitempty"`
	// NeedsContext marks a comment whose target is named only by its root.
	NeedsContext bool   `yaml:"needs_context" json:"needs_context,omitempty"`
	Text         string `yaml:"text" json:"text"`
}

// CommentBurst generates a coordinated burst: one comment per account, Every apart.
type CommentBurst struct {
	Key      string        `yaml:"key"`
	Root     string        `yaml:"root"`
	At       time.Duration `yaml:"at"`
	Every    time.Duration `yaml:"every"`
	Lang     string        `yaml:"lang"`
	Label    string        `yaml:"label"`
	Frame    string        `yaml:"frame"`
	Accounts []struct {
		Author string `yaml:"author"`
		FromID int64  `yaml:"from_id"`
	} `yaml:"accounts"`
	Texts []string `yaml:"texts"`
}

// Poll is a Telegram poll message.
type Poll struct {
	Question string   `yaml:"question" json:"question"`
	Type     string   `yaml:"type" json:"type"`
	Options  []string `yaml:"options" json:"options"`
	Voters   int64    `yaml:"voters" json:"voters"`
}

// Document is a file attached to a Telegram message.
type Document struct {
	Name string `yaml:"name" json:"name"`
	Size string `yaml:"size" json:"size"`
}

// CollectedText is the text a collector yields for p: a poll's question and options.
func (p Post) CollectedText() string {
	if p.Poll == nil {
		return p.Text
	}
	lines := []string{p.Poll.Question}
	for _, o := range p.Poll.Options {
		lines = append(lines, "— "+o)
	}
	return strings.Join(lines, "\n")
}

// loadComments adds the posts, comments and generated bursts of data/comments.yaml.
func loadComments(c *Content) error {
	var extra struct {
		Posts    []Post         `yaml:"posts"`
		Comments []Comment      `yaml:"comments"`
		Bursts   []CommentBurst `yaml:"comment_bursts"`
	}
	if err := yaml.Unmarshal(commentsYAML, &extra); err != nil {
		return fmt.Errorf("demosite: data/comments.yaml: %w", err)
	}
	ids := map[string]string{}
	for _, p := range c.Posts {
		ids[p.Kind+"/"+p.Place+"/"+p.NativeID] = p.Key
	}
	for _, p := range extra.Posts {
		if k := ids[p.Kind+"/"+p.Place+"/"+p.NativeID]; k != "" {
			return fmt.Errorf("demosite: post %s reuses the id of %s", p.Key, k)
		}
	}
	c.Posts = append(c.Posts, extra.Posts...)
	comments := extra.Comments
	for _, b := range extra.Bursts {
		for i, a := range b.Accounts {
			comments = append(comments, Comment{Key: fmt.Sprintf("%s-%d", b.Key, i+1), Root: b.Root, Author: a.Author,
				FromID: a.FromID, At: b.At + time.Duration(i)*b.Every, Lang: b.Lang, Label: b.Label, Frame: b.Frame,
				Text: b.Texts[i%len(b.Texts)]})
		}
	}
	roots := map[string]Post{}
	for _, p := range c.Posts {
		roots[p.Key] = p
	}
	keys := map[string]*Comment{}
	sort.SliceStable(comments, func(i, j int) bool { return comments[i].At < comments[j].At })
	seq := map[string]int{}
	for i := range comments {
		cm := &comments[i]
		root, ok := roots[cm.Root]
		if !ok {
			return fmt.Errorf("demosite: comment %s: unknown root %q", cm.Key, cm.Root)
		}
		if keys[cm.Key] != nil {
			return fmt.Errorf("demosite: duplicate comment key %q", cm.Key)
		}
		if cm.Parent != "" && keys[cm.Parent] == nil {
			return fmt.Errorf("demosite: comment %s: parent %q is not an earlier comment", cm.Key, cm.Parent)
		}
		keys[cm.Key] = cm
		h := sha256.Sum256([]byte(cm.Key))
		switch root.Kind {
		case "youtube":
			if cm.Parent != "" {
				cm.NativeID = keys[cm.Parent].NativeID + ".9" + hex.EncodeToString(h[:8])
			} else {
				cm.NativeID = "Ugz" + hex.EncodeToString(h[:10])
			}
		default: // vk and telegram discussions number comments in order
			seq[root.Kind]++
			cm.NativeID = strconv.Itoa(5000 + seq[root.Kind])
		}
	}
	c.Comments = comments
	return nil
}

// CommentPublishedAt is when cm is (or will be) published.
func (s *Site) CommentPublishedAt(cm Comment) time.Time {
	return s.opt.Epoch.Add(cm.At).UTC().Truncate(time.Second)
}

// CommentLive reports whether cm is online at t: published, not deleted, root online.
func (s *Site) CommentLive(cm Comment, t time.Time) bool {
	root, ok := s.post(cm.Root)
	if !ok || !s.Live(root, t) || s.CommentPublishedAt(cm).After(t) {
		return false
	}
	return cm.GoneAfter == 0 || t.Before(s.opt.Epoch.Add(cm.GoneAfter))
}

// CommentsOf returns the comments of a root post published by now, oldest first,
// including deleted ones (deleted reports whether each is deleted) so that a site can
// show a deleted parent's replies as the platform does.
func (s *Site) CommentsOf(rootKey string) (out []Comment, deleted []bool) {
	now := s.opt.Now()
	for _, cm := range s.content.Comments {
		if cm.Root != rootKey || s.CommentPublishedAt(cm).After(now) {
			continue
		}
		if root, ok := s.post(cm.Root); !ok || !s.Live(root, now) {
			continue
		}
		out = append(out, cm)
		deleted = append(deleted, !s.CommentLive(cm, now))
	}
	return out, deleted
}

// VisibleComments returns the live comments of a root post, oldest first.
func (s *Site) VisibleComments(rootKey string) []Comment {
	cs, del := s.CommentsOf(rootKey)
	var out []Comment
	for i, cm := range cs {
		if !del[i] {
			out = append(out, cm)
		}
	}
	return out
}

func (s *Site) post(key string) (Post, bool) {
	for _, p := range s.content.Posts {
		if p.Key == key {
			return p, true
		}
	}
	return Post{}, false
}

func (s *Site) comment(key string) (Comment, bool) {
	for _, c := range s.content.Comments {
		if c.Key == key {
			return c, true
		}
	}
	return Comment{}, false
}

// CommentsAt returns the comments a collector with default settings finds at epoch + d
// under roots of the given kinds: published, not deleted, root online, and root young
// enough to be followed (the collectors' default comments.max_age: 7 days on YouTube,
// 3 days on VK and Telegram). Tests compare collected comments with it.
func (c *Content) CommentsAt(d time.Duration, kinds ...string) []Comment {
	maxAge := map[string]time.Duration{"youtube": 7 * 24 * time.Hour, "vk": 3 * 24 * time.Hour, "telegram": 3 * 24 * time.Hour}
	roots := map[string]Post{}
	for _, p := range c.Posts {
		roots[p.Key] = p
	}
	var out []Comment
	for _, cm := range c.Comments {
		root := roots[cm.Root]
		ok := false
		for _, k := range kinds {
			ok = ok || root.Kind == k
		}
		if !ok || cm.At > d || (cm.GoneAfter != 0 && d >= cm.GoneAfter) || root.At > d ||
			(root.GoneAfter != 0 && d >= root.GoneAfter) || d-root.At > maxAge[root.Kind] {
			continue
		}
		out = append(out, cm)
	}
	return out
}
