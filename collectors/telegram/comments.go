package telegram

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// CommentsConfig follows the public comments of a channel's recent posts through the
// discussion widget (<base_url>/<channel>/<post>?embed=1&discussion=1).
type CommentsConfig struct {
	// Enabled turns comment collection on.
	Enabled bool `yaml:"enabled"`
	// MaxAge: comments are followed for posts published less than MaxAge ago (default 3 days).
	MaxAge time.Duration `yaml:"max_age"`
	// PageSize is the widget's comments_limit: the newest comments one page shows
	// (default and maximum 100).
	PageSize int `yaml:"page_size"`
	// MaxPages bounds the older pages (the widget's own "load more") read per post and
	// poll (default 3).
	MaxPages int `yaml:"max_pages"`
	// Recheck is how long a channel found without a discussion is left alone before its
	// next new post is tried again (default 24h).
	Recheck time.Duration `yaml:"recheck"`
}

func (c *CommentsConfig) defaults() {
	if c.MaxAge == 0 {
		c.MaxAge = 3 * 24 * time.Hour
	}
	if c.PageSize == 0 {
		c.PageSize = 100
	}
	if c.MaxPages == 0 {
		c.MaxPages = 3
	}
	if c.Recheck == 0 {
		c.Recheck = 24 * time.Hour
	}
}

func (c *CommentsConfig) validate() error {
	if !c.Enabled {
		return nil
	}
	var errs []error
	if c.MaxAge < 0 || c.Recheck < 0 {
		errs = append(errs, errors.New("comments.max_age and comments.recheck must not be negative"))
	}
	if c.PageSize < 1 || c.PageSize > 100 {
		errs = append(errs, errors.New("comments.page_size must be between 1 and 100"))
	}
	if c.MaxPages < 0 {
		errs = append(errs, errors.New("comments.max_pages must not be negative"))
	}
	return errors.Join(errs...)
}

// ErrCommentsTruncated means a post got more new comments since the last poll than the
// widget's page and the configured older pages show: the rest is reported, not skipped
// silently (raise comments.max_pages or shorten the interval).
var ErrCommentsTruncated = errors.New("telegram: more new comments than the pages read")

// postComments is what is known of one followed post's discussion.
type postComments struct {
	Date    time.Time `json:"date"`
	Context string    `json:"context,omitempty"`
	// HWM is the highest comment id already published.
	HWM int `json:"hwm"`
	// Checked is when the discussion was last read (back-off: collectors.RefreshInterval).
	Checked time.Time `json:"checked,omitempty"`
}

// trackComments starts following the comments of a freshly published post.
func (c *Collector) trackComments(st *state, p post.Post, now time.Time) {
	cc := c.cfg.Comments
	if !cc.Enabled || now.Sub(p.PublishedAt) > cc.MaxAge {
		return
	}
	if !st.NoDiscussionSince.IsZero() && now.Sub(st.NoDiscussionSince) < cc.Recheck {
		return // the channel has no discussion; try again after Recheck
	}
	if st.Comments == nil {
		st.Comments = map[string]*postComments{}
	}
	if st.Comments[p.ID] == nil {
		st.Comments[p.ID] = &postComments{Date: p.PublishedAt, Context: post.ContextOf(p.Title, p.Text)}
	}
}

// collectComments reads the new comments of every followed post that is due and emits
// them oldest first. A post without a discussion is dropped and, when no followed post
// has one, the channel is marked as having none (a state and a metric, not an error).
func (c *Collector) collectComments(ctx context.Context, st *state, emit collectors.Emit, now time.Time) (bool, error) {
	if !c.cfg.Comments.Enabled {
		return false, nil
	}
	if !st.NoDiscussionSince.IsZero() {
		c.deps.Metrics.CommentsAvailable(false) // known from the state, also after a restart
	}
	if len(st.Comments) == 0 {
		return false, nil
	}
	ids := make([]string, 0, len(st.Comments))
	for id, pc := range st.Comments {
		if now.Sub(pc.Date) > c.cfg.Comments.MaxAge {
			delete(st.Comments, id)
			continue
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return postNum(ids[i]) < postNum(ids[j]) })
	changed := len(ids) != len(st.Comments)
	var errs []error
	available, unavailable := 0, 0
	for _, id := range ids {
		pc := st.Comments[id]
		if !pc.Checked.IsZero() && now.Sub(pc.Checked) < collectors.RefreshInterval(now.Sub(pc.Date)) {
			continue
		}
		err := c.postComments(ctx, id, pc, now, emit)
		switch {
		case errors.Is(err, ErrNoDiscussion):
			delete(st.Comments, id)
			unavailable++
		case errors.Is(err, errEmit), ctx.Err() != nil:
			return true, err
		case err != nil && pc.Checked.IsZero():
			errs = append(errs, err) // never read: try again next poll
		default:
			available++
			pc.Checked = now
			if err != nil {
				errs = append(errs, err)
			}
		}
		changed = true
	}
	// A post without a discussion among posts read before (comments off for that post)
	// says nothing about the channel; only when no followed post has one is the channel
	// marked as having none.
	readBefore := false
	for _, pc := range st.Comments {
		readBefore = readBefore || !pc.Checked.IsZero()
	}
	switch {
	case available > 0 || (unavailable > 0 && readBefore):
		st.NoDiscussionSince = time.Time{}
		c.deps.Metrics.CommentsAvailable(true)
	case unavailable > 0:
		if st.NoDiscussionSince.IsZero() && c.deps.Logger != nil {
			c.deps.Logger.Info("telegram channel has no public discussion; its comments are not available",
				"channel", c.cfg.Channel, "recheck", c.cfg.Comments.Recheck)
		}
		st.NoDiscussionSince = now
		c.deps.Metrics.CommentsAvailable(false)
		for id := range st.Comments { // the channel has none: stop asking until Recheck
			delete(st.Comments, id)
		}
	}
	return changed, errors.Join(errs...)
}

// errEmit marks an emit failure, which ends the poll.
var errEmit = errors.New("emit")

// postNum is the message number of a post id "telegram:<channel>/<n>".
func postNum(id string) int {
	n, _ := strconv.Atoi(id[strings.LastIndexByte(id, '/')+1:])
	return n
}

// postComments reads one post's discussion: the widget page (the newest comments), then
// older pages through the widget's loadComments call until it reaches the comments
// already published, and emits the new ones.
func (c *Collector) postComments(ctx context.Context, rootID string, pc *postComments, now time.Time, emit collectors.Emit) error {
	num := postNum(rootID)
	pageURL := fmt.Sprintf("%s/%s/%d?embed=1&discussion=1&comments_limit=%d", c.cfg.BaseURL, c.cfg.Channel, num, c.cfg.Comments.PageSize)
	resp, err := c.deps.HTTP.Get(ctx, pageURL)
	if err != nil {
		return fmt.Errorf("telegram %s/%d comments: %w", c.cfg.Channel, num, err)
	}
	body, _, err := collectors.DecodeUTF8(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return fmt.Errorf("telegram %s/%d comments: %w", c.cfg.Channel, num, err)
	}
	d, err := ParseDiscussion(body, resp.URL.String())
	if err != nil {
		if errors.Is(err, ErrNotDiscussion) {
			c.deps.Metrics.ParseErrors(1)
		}
		return fmt.Errorf("telegram %s/%d comments: %w", c.cfg.Channel, num, err)
	}
	byID := map[int]DiscussionComment{}
	parseErrs := d.Errors
	oldest := 0
	add := func(cs []DiscussionComment) {
		for _, cm := range cs {
			byID[cm.ID] = cm
			if oldest == 0 || cm.ID < oldest {
				oldest = cm.ID
			}
		}
	}
	add(d.Comments)
	top, _ := strconv.Atoi(d.Load.TopMsgID)
	before := d.Before
	var truncated error
	for page := 0; before > 0 && oldest > pc.HWM+1; page++ {
		if page >= c.cfg.Comments.MaxPages || !d.Load.OK() {
			truncated = fmt.Errorf("telegram %s/%d: comments older than %d not read (pages %d, load-more call named by the page: %v): %w",
				c.cfg.Channel, num, oldest, page, d.Load.OK(), ErrCommentsTruncated)
			break
		}
		resp, err := c.deps.HTTP.Do(ctx, collectors.Request{URL: d.Load.APIURL, Form: d.Load.Form(before),
			Header: map[string][]string{"Accept": {"application/json"}, "Referer": {pageURL}}})
		if err != nil {
			return fmt.Errorf("telegram %s/%d older comments: %w", c.cfg.Channel, num, err)
		}
		more, err := ParseLoadComments(resp.Body)
		if err != nil {
			c.deps.Metrics.ParseErrors(1)
			return fmt.Errorf("telegram %s/%d older comments: %w", c.cfg.Channel, num, err)
		}
		parseErrs = append(parseErrs, more.Errors...)
		if len(more.Comments) == 0 && len(more.Errors) == 0 {
			break
		}
		add(more.Comments)
		before = more.Before
	}
	ids := make([]int, 0, len(byID))
	for id := range byID {
		if id > pc.HWM {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	c.deps.Metrics.Posts(len(ids))
	for _, id := range ids {
		cm := byID[id]
		if cm.ReplyTo == top {
			cm.ReplyTo = 0 // answers the channel post's copy in the group: a comment
		}
		p := c.commentPost(cm, rootID, num, pc, now)
		if err := emit(ctx, p); err != nil {
			return fmt.Errorf("%w %s: %w", errEmit, p.ID, err)
		}
		pc.HWM = id
	}
	var perr error
	if len(parseErrs) > 0 {
		c.deps.Metrics.ParseErrors(len(parseErrs))
		perr = fmt.Errorf("telegram %s/%d: %d comment(s) not understood: %w", c.cfg.Channel, num, len(parseErrs), errors.Join(parseErrs...))
	}
	return errors.Join(perr, truncated)
}

// commentPost converts a comment: kind comment when it answers the post, reply when it
// answers another comment (its parent; a deleted parent keeps its id).
func (c *Collector) commentPost(cm DiscussionComment, rootID string, num int, pc *postComments, now time.Time) post.Post {
	kind, parent := post.KindComment, rootID
	if cm.ReplyTo != 0 {
		kind, parent = post.KindReply, fmt.Sprintf("%s:c%d", rootID, cm.ReplyTo)
	}
	p := post.Post{
		ID:          fmt.Sprintf("%s:c%d", rootID, cm.ID),
		Source:      Kind,
		Kind:        kind,
		ParentID:    parent,
		RootID:      rootID,
		Context:     pc.Context,
		Channel:     c.cfg.Channel,
		Author:      cm.Author,
		URL:         fmt.Sprintf("%s/%s/%d?comment=%d", c.cfg.BaseURL, c.cfg.Channel, num, cm.ID),
		Text:        cm.Text,
		PublishedAt: cm.Date,
		CollectedAt: now,
		Lang:        lang.Detect(cm.Text),
	}
	for _, u := range cm.Photos {
		p.Media = append(p.Media, post.Media{Kind: "photo", URL: u})
	}
	p.Normalize()
	return p
}
