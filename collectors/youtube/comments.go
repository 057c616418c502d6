package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/lang"
	"github.com/kuzot/kuzot/post"
)

// CommentsConfig selects the comments of a source's recent videos (Data API v3
// commentThreads.list, and comments.list for reply threads longer than the five replies
// a thread carries).
type CommentsConfig struct {
	// Enabled turns comment collection on. It needs a Data API key: APIKey here, the
	// source's api_key or KUZOT_YOUTUBE_API_KEY (videos may still be read from watch pages
	// when only this key is set).
	Enabled bool          `yaml:"enabled"`
	APIKey  config.Secret `yaml:"api_key"`
	// MaxAge: comments are followed for videos published less than MaxAge ago (default 7 days).
	MaxAge time.Duration `yaml:"max_age"`
	// MaxPages bounds the 100-thread pages read per video and poll (default 5); the rest
	// is read on later polls from the saved page token.
	MaxPages int `yaml:"max_pages"`
	// PageSize is maxResults of each call (default and maximum 100).
	PageSize int `yaml:"page_size"`
}

// ErrQuotaSpent: the source's daily quota budget (quota_budget) is used up; collection
// resumes when the quota day turns (midnight Pacific time, as the API's own quota).
var ErrQuotaSpent = errors.New("youtube: daily API quota budget spent")

// ErrNoAPIKey: comments are enabled but no Data API key is configured.
var ErrNoAPIKey = errors.New("youtube: comments need a Data API key (comments.api_key, api_key or KUZOT_YOUTUBE_API_KEY)")

// ErrAPIRefused: the Data API answered 403 for every video of a poll: the quota of the
// Google project is exceeded or the key is not allowed (a single video with comments
// turned off answers 403 too, which only skips that video).
var ErrAPIRefused = errors.New("youtube: Data API refused the requests (project quota exceeded or key not allowed)")

// pacific is the zone of the API's quota day (DST ignored: the day turns an hour early
// in summer, which only makes the budget stricter).
var pacific = time.FixedZone("PST", -8*3600)

// quota counts the units spent today against the budget. It lives in the source state.
type quota struct {
	Day  string `json:"day"`
	Used int    `json:"used"`
}

// spend reserves units, or fails with ErrQuotaSpent when the budget would be exceeded.
func (c *Collector) spend(units int) error {
	q := c.quota
	if q == nil {
		return nil
	}
	day := c.deps.Now().In(pacific).Format("2006-01-02")
	if q.Day != day {
		q.Day, q.Used = day, 0
	}
	if c.cfg.QuotaBudget > 0 && q.Used+units > c.cfg.QuotaBudget {
		return fmt.Errorf("%w: %d of %d units used on %s (Pacific)", ErrQuotaSpent, q.Used, c.cfg.QuotaBudget, q.Day)
	}
	q.Used += units
	c.deps.Metrics.QuotaUsed(units)
	return nil
}

// apiCost is the quota cost of a Data API method: 100 for search, 1 for list calls.
func apiCost(u string) int {
	if strings.Contains(u, "/youtube/v3/search?") {
		return 100
	}
	return 1
}

// commentState is what is known of one video's comments.
type commentState struct {
	Published time.Time `json:"published"`
	Channel   string    `json:"channel,omitempty"`
	// Context is the video's title and the start of its description.
	Context string `json:"context,omitempty"`
	// Newest is the publication time of the newest top-level comment published.
	Newest time.Time `json:"newest,omitzero"`
	// GapToken continues an interrupted read (page limit or quota) of older threads,
	// down to GapUntil (zero: to the first comment).
	GapToken string    `json:"gap_token,omitempty"`
	GapUntil time.Time `json:"gap_until,omitzero"`
	// Replies counts the replies published per thread, to fetch only grown threads.
	Replies map[string]int `json:"replies,omitempty"`
	// PendingReplies are threads whose replies could not be read yet (quota, errors).
	PendingReplies []string `json:"pending_replies,omitempty"`
	// Refused counts consecutive 403 answers; Off stops asking (comments disabled).
	Refused int  `json:"refused,omitempty"`
	Off     bool `json:"off,omitempty"`
	// Gone: the video was deleted (404); its comments already published stay.
	Gone bool `json:"gone,omitempty"`
}

// Thread and comment shapes of the Data API v3.
type apiComment struct {
	ID      string `json:"id"`
	Snippet struct {
		AuthorDisplayName string `json:"authorDisplayName"`
		AuthorChannelID   struct {
			Value string `json:"value"`
		} `json:"authorChannelId"`
		TextOriginal string `json:"textOriginal"`
		TextDisplay  string `json:"textDisplay"`
		ParentID     string `json:"parentId"`
		LikeCount    int64  `json:"likeCount"`
		PublishedAt  string `json:"publishedAt"`
		UpdatedAt    string `json:"updatedAt"`
	} `json:"snippet"`
}

type apiThread struct {
	ID      string `json:"id"`
	Snippet struct {
		VideoID         string     `json:"videoId"`
		TopLevelComment apiComment `json:"topLevelComment"`
		TotalReplyCount int        `json:"totalReplyCount"`
	} `json:"snippet"`
	Replies struct {
		Comments []apiComment `json:"comments"`
	} `json:"replies"`
}

// ThreadPage is one commentThreads.list answer.
type ThreadPage struct {
	NextPageToken string      `json:"nextPageToken"`
	Items         []apiThread `json:"items"`
}

// CommentPage is one comments.list answer.
type CommentPage struct {
	NextPageToken string       `json:"nextPageToken"`
	Items         []apiComment `json:"items"`
}

// ParseThreadPage decodes a commentThreads.list body, rejecting answers that are not
// one (an error object, or JSON without items) so a malformed answer is never read as
// "no comments".
func ParseThreadPage(body []byte) (*ThreadPage, error) {
	var p struct {
		ThreadPage
		Kind  string          `json:"kind"`
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("commentThreads: malformed JSON: %w", err)
	}
	if p.Kind != "youtube#commentThreadListResponse" || p.Items == nil {
		return nil, fmt.Errorf("commentThreads: not a commentThreadListResponse (kind %q)", p.Kind)
	}
	if err := json.Unmarshal(p.Items, &p.ThreadPage.Items); err != nil {
		return nil, fmt.Errorf("commentThreads: malformed items: %w", err)
	}
	return &p.ThreadPage, nil
}

// ParseCommentPage decodes a comments.list body.
func ParseCommentPage(body []byte) (*CommentPage, error) {
	var p struct {
		CommentPage
		Kind  string          `json:"kind"`
		Items json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("comments: malformed JSON: %w", err)
	}
	if p.Kind != "youtube#commentListResponse" || p.Items == nil {
		return nil, fmt.Errorf("comments: not a commentListResponse (kind %q)", p.Kind)
	}
	if err := json.Unmarshal(p.Items, &p.CommentPage.Items); err != nil {
		return nil, fmt.Errorf("comments: malformed items: %w", err)
	}
	return &p.CommentPage, nil
}

func (c *Collector) commentsKey() string {
	if c.cfg.Comments.APIKey != "" {
		return string(c.cfg.Comments.APIKey)
	}
	return string(c.cfg.APIKey)
}

// apiGet fetches one Data API URL (with the comments key) and spends its quota.
func (c *Collector) apiGet(ctx context.Context, method string, q url.Values) ([]byte, error) {
	key := c.commentsKey()
	q.Set("key", key)
	u := c.cfg.APIBaseURL + "/youtube/v3/" + method + "?" + q.Encode()
	if err := c.spend(apiCost(u)); err != nil {
		return nil, err
	}
	resp, err := c.deps.HTTP.Get(ctx, u)
	if err != nil {
		return nil, config.RedactError(err, config.Secret(key), "<key>")
	}
	return resp.Body, nil
}

// trackForComments records a video whose comments are followed while it is young.
func (c *Collector) trackForComments(st *state, v *Video) {
	if !c.cfg.Comments.Enabled || v.Published.IsZero() || c.deps.Now().Sub(v.Published) > c.cfg.Comments.MaxAge {
		return
	}
	if st.Comments == nil {
		st.Comments = map[string]*commentState{}
	}
	cs := st.Comments[v.ID]
	if cs == nil {
		cs = &commentState{}
		st.Comments[v.ID] = cs
	}
	cs.Published, cs.Channel = v.Published, v.ChannelID
	desc := v.Description
	if r := []rune(desc); len(r) > 600 {
		desc = string(r[:600])
	}
	cs.Context = post.ContextOf(v.Title, desc)
	cs.Gone = false
}

// collectComments reads the new comments and replies of every followed video. Each
// video's comments are emitted oldest first and its state advanced only after they are
// emitted, so an error (quota, network) loses nothing: the next poll resumes there.
func (c *Collector) collectComments(ctx context.Context, st *state, emit collectors.Emit) error {
	if !c.cfg.Comments.Enabled {
		return nil
	}
	if c.commentsKey() == "" {
		return ErrNoAPIKey
	}
	now := c.deps.Now()
	ids := make([]string, 0, len(st.Comments))
	for id, cs := range st.Comments {
		if now.Sub(cs.Published) > c.cfg.Comments.MaxAge {
			delete(st.Comments, id) // too old to follow
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var errs []error
	asked, refused := 0, 0
	for _, id := range ids {
		cs := st.Comments[id]
		if cs.Off || cs.Gone {
			continue
		}
		asked++
		err := c.videoComments(ctx, id, cs, now, emit)
		var se *collectors.StatusError
		switch {
		case err == nil:
			cs.Refused = 0
		case errors.Is(err, ErrQuotaSpent) || ctx.Err() != nil:
			return errors.Join(append(errs, fmt.Errorf("comments of %s: %w", id, err))...)
		case errors.As(err, &se) && se.Status == http.StatusNotFound:
			cs.Gone = true // video deleted: its published comments stay, nothing more to read
			if c.deps.Logger != nil {
				c.deps.Logger.Info("video gone; its comments are no longer followed", "video", id)
			}
		case errors.As(err, &se) && se.Status == http.StatusForbidden:
			refused++
			cs.Refused++
			if cs.Refused >= 3 {
				cs.Off = true
				if c.deps.Logger != nil {
					c.deps.Logger.Warn("comments refused three polls in a row (turned off?); no longer asked", "video", id)
				}
			}
		default:
			errs = append(errs, fmt.Errorf("comments of %s: %w", id, err))
		}
	}
	if asked > 1 && refused == asked {
		errs = append(errs, ErrAPIRefused)
	}
	return errors.Join(errs...)
}

// videoComments reads the new threads of one video (newest first, down to the last one
// published), then continues an interrupted older read, fetches grown reply threads and
// emits everything oldest first.
func (c *Collector) videoComments(ctx context.Context, videoID string, cs *commentState, now time.Time, emit collectors.Emit) error {
	var threads []apiThread
	pages := 0
	newest := cs.Newest
	oldNewest := cs.Newest
	read := func(token string, until time.Time) (next string, err error) {
		for pages < c.cfg.Comments.MaxPages {
			q := url.Values{"part": {"snippet,replies"}, "videoId": {videoID}, "maxResults": {strconv.Itoa(c.cfg.Comments.PageSize)},
				"order": {"time"}, "textFormat": {"plainText"}}
			if token != "" {
				q.Set("pageToken", token)
			}
			body, err := c.apiGet(ctx, "commentThreads", q)
			if err != nil {
				return token, err
			}
			pages++
			pg, err := ParseThreadPage(body)
			if err != nil {
				c.deps.Metrics.ParseErrors(1)
				return token, err
			}
			reached := false
			for _, t := range pg.Items {
				at := parsePublishDate(t.Snippet.TopLevelComment.Snippet.PublishedAt)
				if !until.IsZero() && !at.After(until) {
					reached = true
					continue
				}
				threads = append(threads, t)
				if at.After(newest) {
					newest = at
				}
			}
			if reached || pg.NextPageToken == "" {
				return "", nil
			}
			token = pg.NextPageToken
		}
		return token, nil
	}
	// Replies left unread by an earlier poll come first, before new threads use the quota.
	replies := make(map[string]int, len(cs.Replies))
	for k, v := range cs.Replies {
		replies[k] = v
	}
	var pendErr error
	pending := map[string]bool{}
	var posts []post.Post
	for _, id := range cs.PendingReplies {
		ps, err := c.grownReplies(ctx, videoID, id, cs, replies, now)
		var se *collectors.StatusError
		switch {
		case errors.As(err, &se) && se.Status == http.StatusNotFound: // thread deleted
		case err != nil:
			pending[id] = true
			pendErr = errors.Join(pendErr, fmt.Errorf("replies of %s: %w", id, err))
		}
		posts = append(posts, ps...)
	}
	next, topErr := read("", oldNewest)
	if topErr != nil && len(threads) == 0 && len(posts) == 0 {
		return errors.Join(pendErr, topErr)
	}
	// The state changes are committed only once every post is emitted. An interrupted
	// read (page limit, quota, a malformed page) keeps what it read and resumes from the
	// page it stopped at on a later poll.
	gapToken, gapUntil := cs.GapToken, cs.GapUntil
	var gapErr error
	switch {
	case next != "" && cs.GapToken != "":
		// A second interruption before the first was read: keep reading the newer one;
		// the older gap is lost (logged), which only happens under a flood of comments.
		if c.deps.Logger != nil {
			c.deps.Logger.Warn("comment flood: an older unread range is skipped", "video", videoID)
		}
		gapToken, gapUntil = next, oldNewest
	case next != "":
		gapToken, gapUntil = next, oldNewest
	case cs.GapToken != "" && topErr == nil:
		rest, err := read(cs.GapToken, cs.GapUntil)
		gapErr = err
		gapToken = rest
		if rest == "" && err == nil {
			gapUntil = time.Time{}
		}
	}
	more, err := c.threadPosts(ctx, videoID, cs, replies, pending, threads, now)
	posts = append(posts, more...)
	sort.SliceStable(posts, func(i, j int) bool { return posts[i].PublishedAt.Before(posts[j].PublishedAt) })
	for _, p := range posts {
		if eerr := emit(ctx, p); eerr != nil {
			return fmt.Errorf("emit %s: %w", p.ID, eerr)
		}
	}
	c.deps.Metrics.Posts(len(posts))
	cs.Newest, cs.GapToken, cs.GapUntil, cs.Replies = newest, gapToken, gapUntil, replies
	cs.PendingReplies = cs.PendingReplies[:0]
	for id := range pending {
		cs.PendingReplies = append(cs.PendingReplies, id)
	}
	sort.Strings(cs.PendingReplies)
	return errors.Join(pendErr, topErr, err, gapErr)
}

// threadPosts turns threads into comment and reply posts: a thread's embedded replies
// when they are complete, comments.list otherwise, and only replies not yet published.
func (c *Collector) threadPosts(ctx context.Context, videoID string, cs *commentState, published map[string]int, pending map[string]bool, threads []apiThread, now time.Time) ([]post.Post, error) {
	root := "youtube:" + videoID
	var out []post.Post
	var errs []error
	seenThread := map[string]bool{}
	for _, t := range threads {
		if seenThread[t.ID] {
			continue
		}
		seenThread[t.ID] = true
		top := t.Snippet.TopLevelComment
		if p, ok := c.commentPost(top, post.KindComment, root, root, cs, now); ok {
			out = append(out, p)
		} else {
			c.deps.Metrics.ParseErrors(1)
			errs = append(errs, fmt.Errorf("thread %s: comment without id or date", t.ID))
			continue
		}
		known := published[t.ID]
		if t.Snippet.TotalReplyCount <= known {
			continue
		}
		replies := t.Replies.Comments
		if len(replies) < t.Snippet.TotalReplyCount {
			all, err := c.allReplies(ctx, t.ID)
			var se *collectors.StatusError
			switch {
			case errors.As(err, &se) && se.Status == http.StatusNotFound:
				continue // the thread was deleted meanwhile: its top comment is kept
			case err != nil:
				// Read on a later poll: the thread itself will not be listed again.
				pending[t.ID] = true
				errs = append(errs, fmt.Errorf("replies of %s: %w", t.ID, err))
				continue
			}
			replies = all
		}
		sort.SliceStable(replies, func(i, j int) bool {
			return replies[i].Snippet.PublishedAt < replies[j].Snippet.PublishedAt
		})
		for i, r := range replies {
			if i < known {
				continue // published on an earlier poll (replies only grow at the end)
			}
			parent := root
			if r.Snippet.ParentID != "" {
				parent = "youtube:c:" + r.Snippet.ParentID
			}
			if p, ok := c.commentPost(r, post.KindReply, parent, root, cs, now); ok {
				out = append(out, p)
			}
		}
		published[t.ID] = len(replies)
	}
	return out, errors.Join(errs...)
}

// grownReplies reads the replies of a thread whose replies could not be read before.
func (c *Collector) grownReplies(ctx context.Context, videoID, threadID string, cs *commentState, published map[string]int, now time.Time) ([]post.Post, error) {
	all, err := c.allReplies(ctx, threadID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Snippet.PublishedAt < all[j].Snippet.PublishedAt })
	root := "youtube:" + videoID
	var out []post.Post
	for i, r := range all {
		if i < published[threadID] {
			continue
		}
		if p, ok := c.commentPost(r, post.KindReply, "youtube:c:"+threadID, root, cs, now); ok {
			out = append(out, p)
		}
	}
	published[threadID] = len(all)
	return out, nil
}

// allReplies pages through comments.list?parentId= for a long reply thread.
func (c *Collector) allReplies(ctx context.Context, threadID string) ([]apiComment, error) {
	var out []apiComment
	token := ""
	for range 20 {
		q := url.Values{"part": {"snippet"}, "parentId": {threadID}, "maxResults": {strconv.Itoa(c.cfg.Comments.PageSize)}, "textFormat": {"plainText"}}
		if token != "" {
			q.Set("pageToken", token)
		}
		body, err := c.apiGet(ctx, "comments", q)
		if err != nil {
			return nil, err
		}
		pg, err := ParseCommentPage(body)
		if err != nil {
			c.deps.Metrics.ParseErrors(1)
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.NextPageToken == "" {
			break
		}
		token = pg.NextPageToken
	}
	return out, nil
}

func (c *Collector) commentPost(cm apiComment, kind, parent, root string, cs *commentState, now time.Time) (post.Post, bool) {
	at := parsePublishDate(cm.Snippet.PublishedAt)
	if cm.ID == "" || at.IsZero() {
		return post.Post{}, false
	}
	text := cm.Snippet.TextOriginal
	if text == "" {
		text = cm.Snippet.TextDisplay
	}
	author := cm.Snippet.AuthorDisplayName
	if author == "" {
		author = cm.Snippet.AuthorChannelID.Value
	}
	videoID := strings.TrimPrefix(root, "youtube:")
	p := post.Post{
		ID:          "youtube:c:" + cm.ID,
		Source:      Kind,
		Kind:        kind,
		ParentID:    parent,
		RootID:      root,
		Context:     cs.Context,
		Channel:     cs.Channel,
		Author:      author,
		URL:         c.cfg.BaseURL + "/watch?v=" + videoID + "&lc=" + url.QueryEscape(cm.ID),
		Text:        text,
		PublishedAt: at,
		CollectedAt: now,
		Lang:        lang.Detect(text),
	}
	if p.Channel == "" {
		p.Channel = c.cfg.ChannelID
	}
	p.Normalize()
	return p, true
}
