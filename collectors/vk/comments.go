package vk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// CommentsConfig selects the comments of a wall's recent posts (wall.getComments with
// their threads of replies).
type CommentsConfig struct {
	// Enabled turns comment collection on.
	Enabled bool `yaml:"enabled"`
	// MaxAge: comments are followed for posts published less than MaxAge ago (default 3 days).
	MaxAge time.Duration `yaml:"max_age"`
	// MaxPages bounds the pages of top-level comments read per post and poll (default 3).
	MaxPages int `yaml:"max_pages"`
	// PageSize is count= of each call (default and maximum 100).
	PageSize int `yaml:"page_size"`
}

// postComments is what is known of one post's comments.
type postComments struct {
	Date    time.Time `json:"date"`
	Context string    `json:"context,omitempty"`
	// HWM is the highest top-level comment id already read.
	HWM int64 `json:"hwm"`
	// Replies maps a top-level comment to the highest reply id published under it.
	Replies map[int64]int64 `json:"replies,omitempty"`
	// Pending are top-level comments whose replies could not be read yet.
	Pending []int64 `json:"pending,omitempty"`
	// Gone: the post was deleted; its published comments stay.
	Gone bool `json:"gone,omitempty"`
}

// Comment is one wall comment; Thread holds the first replies of a top-level one.
type Comment struct {
	ID           int64   `json:"id"`
	FromID       int64   `json:"from_id"`
	Date         int64   `json:"date"`
	Text         string  `json:"text"`
	Deleted      bool    `json:"deleted"`
	ParentsStack []int64 `json:"parents_stack"`
	ReplyTo      int64   `json:"reply_to_comment"`
	Thread       *struct {
		Count int       `json:"count"`
		Items []Comment `json:"items"`
	} `json:"thread"`
	Attachments []Attachment `json:"attachments"`
}

// CommentsResponse is the wall.getComments answer.
type CommentsResponse struct {
	Count    int       `json:"count"`
	Items    []Comment `json:"items"`
	Profiles []Profile `json:"profiles"`
	Groups   []Group   `json:"groups"`
}

// ParseCommentsResponse decodes a wall.getComments body; an "error" object becomes an
// *APIError and an answer without items is malformed, never "no comments".
func ParseCommentsResponse(body []byte) (*CommentsResponse, error) {
	var env struct {
		Response *struct {
			CommentsResponse
			Items json.RawMessage `json:"items"`
		} `json:"response"`
		Error *APIError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("vk wall.getComments: malformed JSON: %w", err)
	}
	if env.Error != nil {
		return nil, env.Error
	}
	if env.Response == nil || env.Response.Items == nil {
		return nil, errors.New("vk wall.getComments: neither items nor error")
	}
	r := env.Response.CommentsResponse
	if err := json.Unmarshal(env.Response.Items, &r.Items); err != nil {
		return nil, fmt.Errorf("vk wall.getComments: malformed items: %w", err)
	}
	return &r, nil
}

func (c *Collector) getComments(ctx context.Context, ownerID, postID int64, q url.Values) (*CommentsResponse, error) {
	q.Set("owner_id", strconv.FormatInt(ownerID, 10))
	q.Set("post_id", strconv.FormatInt(postID, 10))
	q.Set("extended", "1")
	q.Set("v", c.cfg.APIVersion)
	q.Set("access_token", string(c.cfg.AccessToken))
	resp, err := c.deps.HTTP.Get(ctx, c.cfg.BaseURL+"/method/wall.getComments?"+q.Encode())
	if err != nil {
		return nil, config.RedactError(err, c.cfg.AccessToken, "<token>")
	}
	r, err := ParseCommentsResponse(resp.Body)
	var ae *APIError
	if err != nil && !errors.As(err, &ae) {
		c.deps.Metrics.ParseErrors(1)
	}
	return r, err
}

// trackComments starts following the comments of a freshly published post.
func (c *Collector) trackComments(st *state, it Item, now time.Time) {
	date := time.Unix(it.Date, 0).UTC()
	if !c.cfg.Comments.Enabled || now.Sub(date) > c.cfg.Comments.MaxAge {
		return
	}
	if st.Comments == nil {
		st.Comments = map[string]*postComments{}
	}
	key := fmt.Sprintf("%d_%d", it.OwnerID, it.ID)
	if st.Comments[key] == nil {
		text := it.Text
		if r := []rune(text); len(r) > 600 {
			text = string(r[:600])
		}
		st.Comments[key] = &postComments{Date: date, Context: post.ContextOf("", mention.ReplaceAllString(text, "$1"))}
	}
}

// collectComments reads the new comments and replies of every followed post and emits
// them oldest first; a post's state advances only once its comments are emitted.
func (c *Collector) collectComments(ctx context.Context, st *state, emit collectors.Emit, now time.Time) error {
	if !c.cfg.Comments.Enabled {
		return nil
	}
	keys := make([]string, 0, len(st.Comments))
	for k, pc := range st.Comments {
		if now.Sub(pc.Date) > c.cfg.Comments.MaxAge {
			delete(st.Comments, k)
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		pc := st.Comments[k]
		if pc.Gone {
			continue
		}
		var owner, id int64
		if _, err := fmt.Sscanf(k, "%d_%d", &owner, &id); err != nil {
			delete(st.Comments, k)
			continue
		}
		err := c.postComments(ctx, owner, id, pc, now, emit)
		var ae *APIError
		switch {
		case err == nil:
		case errors.As(err, &ae) && (ae.Code == 100 || ae.Code == 15 || ae.Code == 212):
			// Post deleted or comments closed: stop following, what was published stays.
			pc.Gone = true
			if c.deps.Logger != nil {
				c.deps.Logger.Info("post comments no longer available", "post", k, "err", err)
			}
		case errors.As(err, &ae) && ae.RateLimited():
			return errors.Join(append(errs, err)...)
		default:
			errs = append(errs, fmt.Errorf("comments of %s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

func (c *Collector) postComments(ctx context.Context, owner, id int64, pc *postComments, now time.Time, emit collectors.Emit) error {
	names := map[int64]string{}
	var tops []Comment
	seen := map[int64]bool{}
	for page := 0; page < c.cfg.Comments.MaxPages; page++ {
		q := url.Values{"sort": {"desc"}, "count": {strconv.Itoa(c.cfg.Comments.PageSize)},
			"offset": {strconv.Itoa(page * c.cfg.Comments.PageSize)}, "thread_items_count": {"10"}}
		r, err := c.getComments(ctx, owner, id, q)
		if err != nil {
			return err
		}
		addNames(names, r.Profiles, r.Groups)
		reached := false
		for _, cm := range r.Items {
			if seen[cm.ID] {
				continue
			}
			seen[cm.ID] = true
			tops = append(tops, cm)
			if cm.ID <= pc.HWM {
				reached = true
			}
		}
		if reached || len(r.Items) == 0 || (page+1)*c.cfg.Comments.PageSize >= r.Count {
			break
		}
	}
	root := fmt.Sprintf("vk:%d_%d", owner, id)
	replies := make(map[int64]int64, len(pc.Replies))
	for k, v := range pc.Replies {
		replies[k] = v
	}
	hwm := pc.HWM
	var out []post.Post
	var errs []error
	var pending []int64
	emitThread := func(topID int64, thread []Comment) {
		parent := fmt.Sprintf("%s:c%d", root, topID)
		known := replies[topID]
		for _, r := range thread {
			if r.ID <= known || r.Deleted {
				continue
			}
			p := parent
			if r.ReplyTo != 0 && r.ReplyTo != topID {
				p = fmt.Sprintf("%s:c%d", root, r.ReplyTo)
			}
			out = append(out, c.commentPost(r, post.KindReply, p, root, pc, names, owner, id, now))
			replies[topID] = max(replies[topID], r.ID)
		}
	}
	inTops := map[int64]bool{}
	for _, top := range tops {
		inTops[top.ID] = true
	}
	for _, topID := range pc.Pending {
		if inTops[topID] {
			continue // read with the pages below
		}
		all, err := c.threadReplies(ctx, owner, id, topID, names)
		if err != nil {
			pending = append(pending, topID)
			errs = append(errs, fmt.Errorf("replies of %d: %w", topID, err))
			continue
		}
		emitThread(topID, all)
	}
	for _, top := range tops {
		if top.ID > pc.HWM && !top.Deleted {
			out = append(out, c.commentPost(top, post.KindComment, root, root, pc, names, owner, id, now))
		}
		hwm = max(hwm, top.ID)
		if top.Thread == nil || top.Thread.Count == 0 {
			continue
		}
		thread := top.Thread.Items
		known := replies[top.ID]
		if len(thread) > 0 && thread[len(thread)-1].ID <= known && top.Thread.Count <= len(thread) {
			continue // nothing new under this comment
		}
		if top.Thread.Count > len(thread) {
			all, err := c.threadReplies(ctx, owner, id, top.ID, names)
			if err != nil {
				pending = append(pending, top.ID)
				errs = append(errs, fmt.Errorf("replies of %d: %w", top.ID, err))
				continue
			}
			thread = all
		}
		emitThread(top.ID, thread)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PublishedAt.Before(out[j].PublishedAt) })
	for _, p := range out {
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("emit %s: %w", p.ID, err)
		}
	}
	c.deps.Metrics.Posts(len(out))
	pc.HWM, pc.Replies, pc.Pending = hwm, replies, pending
	return errors.Join(errs...)
}

// threadReplies pages through the replies of one top-level comment, oldest first.
func (c *Collector) threadReplies(ctx context.Context, owner, id, commentID int64, names map[int64]string) ([]Comment, error) {
	var out []Comment
	for page := 0; page < 50; page++ {
		q := url.Values{"sort": {"asc"}, "count": {strconv.Itoa(c.cfg.Comments.PageSize)},
			"offset": {strconv.Itoa(page * c.cfg.Comments.PageSize)}, "comment_id": {strconv.FormatInt(commentID, 10)}}
		r, err := c.getComments(ctx, owner, id, q)
		if err != nil {
			return nil, err
		}
		addNames(names, r.Profiles, r.Groups)
		out = append(out, r.Items...)
		if len(r.Items) == 0 || len(out) >= r.Count {
			break
		}
	}
	return out, nil
}

func addNames(names map[int64]string, ps []Profile, gs []Group) {
	for _, p := range ps {
		names[p.ID] = p.FirstName + " " + p.LastName
	}
	for _, g := range gs {
		names[-g.ID] = g.Name
	}
}

func (c *Collector) commentPost(cm Comment, kind, parent, root string, pc *postComments, names map[int64]string, owner, id int64, now time.Time) post.Post {
	author := names[cm.FromID]
	if author == "" {
		author = strconv.FormatInt(cm.FromID, 10)
	}
	text := mention.ReplaceAllString(cm.Text, "$1")
	p := post.Post{
		ID:          fmt.Sprintf("%s:c%d", root, cm.ID),
		Source:      Kind,
		Kind:        kind,
		ParentID:    parent,
		RootID:      root,
		Context:     pc.Context,
		Channel:     names[owner],
		Author:      author,
		URL:         fmt.Sprintf("https://vk.com/wall%d_%d?reply=%d", owner, id, cm.ID),
		Text:        text,
		PublishedAt: time.Unix(cm.Date, 0).UTC(),
		CollectedAt: now,
		Media:       attachments(cm.Attachments),
		Lang:        lang.Detect(text),
	}
	if p.Channel == "" {
		p.Channel = c.cfg.Domain
	}
	p.Normalize()
	return p
}
