package demosite

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// pageOf cuts a page of up to size items after the item whose id the token names, so
// that, as on the real API, a page token stays valid when new items arrive on top.
func pageOf(ids []string, token string, size int) (from, to int, next string) {
	if size <= 0 || size > 100 {
		size = 20
	}
	if after, ok := strings.CutPrefix(token, "after:"); ok {
		from = len(ids)
		for i, id := range ids {
			if id == after {
				from = i + 1
			}
		}
	}
	to = min(from+size, len(ids))
	if to < len(ids) && to > 0 {
		next = "after:" + ids[to-1]
	}
	return from, to, next
}

func nativeIDs(cs []Comment) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.NativeID
	}
	return out
}

func (s *Site) ytCommentJSON(cm Comment, videoID, parentID string) map[string]any {
	sn := map[string]any{
		"videoId": videoID, "textDisplay": cm.Text, "textOriginal": cm.Text,
		"authorDisplayName": cm.Author, "authorChannelId": map[string]any{"value": "UCdemoauthor" + strings.Repeat("0", 12)},
		"canRate": true, "viewerRating": "none", "likeCount": len(cm.Text) % 7,
		"publishedAt": s.CommentPublishedAt(cm).Format(time.RFC3339), "updatedAt": s.CommentPublishedAt(cm).Format(time.RFC3339),
	}
	if parentID != "" {
		sn["parentId"] = parentID
	}
	return map[string]any{"kind": "youtube#comment", "etag": "demo", "id": cm.NativeID, "snippet": sn}
}

// youtubeCommentThreads serves commentThreads.list?videoId=: threads newest first, each
// with up to five replies, paged by maxResults/pageToken; 404 videoNotFound for a video
// that is gone, as the API answers.
func (s *Site) youtubeCommentThreads(w http.ResponseWriter, q url.Values) {
	enc := json.NewEncoder(w)
	p, _, ok := s.ytVideo(q.Get("videoId"))
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		_ = enc.Encode(map[string]any{"error": map[string]any{"code": 404, "message": "The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> parameter could not be found.",
			"errors": []any{map[string]any{"reason": "videoNotFound", "domain": "youtube.commentThread"}}}})
		return
	}
	all := s.VisibleComments(p.Key)
	var tops []Comment
	replies := map[string][]Comment{}
	for _, cm := range all {
		if cm.Parent == "" {
			tops = append(tops, cm)
		} else {
			replies[cm.Parent] = append(replies[cm.Parent], cm)
		}
	}
	sort.SliceStable(tops, func(i, j int) bool { return tops[i].At > tops[j].At })
	size, _ := strconv.Atoi(q.Get("maxResults"))
	from, to, next := pageOf(nativeIDs(tops), q.Get("pageToken"), size)
	items := []any{}
	for _, t := range tops[from:to] {
		rs := replies[t.Key]
		thread := map[string]any{"kind": "youtube#commentThread", "etag": "demo", "id": t.NativeID,
			"snippet": map[string]any{"channelId": "UCdemo", "videoId": p.NativeID, "topLevelComment": s.ytCommentJSON(t, p.NativeID, ""),
				"canReply": true, "totalReplyCount": len(rs), "isPublic": true}}
		if len(rs) > 0 {
			shown := []any{}
			for _, r := range rs[:min(5, len(rs))] {
				shown = append(shown, s.ytCommentJSON(r, p.NativeID, t.NativeID))
			}
			thread["replies"] = map[string]any{"comments": shown}
		}
		items = append(items, thread)
	}
	resp := map[string]any{"kind": "youtube#commentThreadListResponse", "etag": "demo",
		"pageInfo": map[string]any{"totalResults": len(items), "resultsPerPage": to - from}, "items": items}
	if next != "" {
		resp["nextPageToken"] = next
	}
	_ = enc.Encode(resp)
}

// youtubeComments serves comments.list?parentId=: a thread's replies, oldest first.
func (s *Site) youtubeComments(w http.ResponseWriter, q url.Values) {
	enc := json.NewEncoder(w)
	parent := q.Get("parentId")
	var top Comment
	found := false
	for _, cm := range s.content.Comments {
		if cm.NativeID == parent && cm.Parent == "" && s.CommentLive(cm, s.opt.Now()) {
			top, found = cm, true
		}
	}
	if !found {
		w.WriteHeader(http.StatusNotFound)
		_ = enc.Encode(map[string]any{"error": map[string]any{"code": 404, "message": "The comment identified by the parentId parameter could not be found.",
			"errors": []any{map[string]any{"reason": "commentNotFound"}}}})
		return
	}
	root, _ := s.post(top.Root)
	var rs []Comment
	for _, cm := range s.VisibleComments(top.Root) {
		if cm.Parent == top.Key {
			rs = append(rs, cm)
		}
	}
	size, _ := strconv.Atoi(q.Get("maxResults"))
	from, to, next := pageOf(nativeIDs(rs), q.Get("pageToken"), size)
	items := []any{}
	for _, r := range rs[from:to] {
		items = append(items, s.ytCommentJSON(r, root.NativeID, top.NativeID))
	}
	resp := map[string]any{"kind": "youtube#commentListResponse", "etag": "demo", "items": items}
	if next != "" {
		resp["nextPageToken"] = next
	}
	_ = enc.Encode(resp)
}

// vkGetComments serves wall.getComments: top-level comments (sort asc|desc, offset,
// count) each with its thread (thread_items_count replies), or with comment_id the
// replies of one comment. A deleted comment that has replies is shown as VK does:
// "deleted": true with an empty text, its thread intact.
func (s *Site) vkGetComments(w http.ResponseWriter, q url.Values, c *VKCommunity) {
	postID := q.Get("post_id")
	var root Post
	found := false
	for _, p := range s.Visible("vk", c.Domain) {
		if p.NativeID == postID {
			root, found = p, true
		}
	}
	if !found {
		vkError(w, 100, "One of the parameters specified was missing or invalid: post was deleted or not found")
		return
	}
	all, deleted := s.CommentsOf(root.Key)
	byKey := map[string]int{}
	for i, cm := range all {
		byKey[cm.Key] = i
	}
	replies := map[string][]int{}
	for i, cm := range all {
		if cm.Parent != "" && !deleted[i] {
			replies[cm.Parent] = append(replies[cm.Parent], i)
		}
	}
	profiles := map[int64]map[string]any{}
	item := func(i int) map[string]any {
		cm := all[i]
		id, _ := strconv.Atoi(cm.NativeID)
		it := map[string]any{"id": id, "from_id": cm.FromID, "post_id": root.NativeID, "owner_id": c.OwnerID,
			"date": s.CommentPublishedAt(cm).Unix(), "text": cm.Text, "parents_stack": []any{}}
		if cm.Parent != "" {
			pid, _ := strconv.Atoi(all[byKey[cm.Parent]].NativeID)
			it["parents_stack"] = []any{pid}
			it["reply_to_comment"] = pid
			it["reply_to_user"] = all[byKey[cm.Parent]].FromID
		}
		if deleted[i] {
			it["deleted"] = true
			it["text"] = ""
			it["from_id"] = 0
		} else if cm.FromID != 0 {
			first, last, _ := strings.Cut(cm.Author, " ")
			profiles[cm.FromID] = map[string]any{"id": cm.FromID, "first_name": first, "last_name": last}
		}
		return it
	}
	count, err := strconv.Atoi(q.Get("count"))
	if err != nil || count <= 0 {
		count = 10
	}
	count = min(count, 100)
	offset, _ := strconv.Atoi(q.Get("offset"))
	var level []int
	if cid := q.Get("comment_id"); cid != "" {
		for _, cm := range all {
			if cm.NativeID == cid {
				level = replies[cm.Key]
			}
		}
	} else {
		for i, cm := range all {
			if cm.Parent == "" && (!deleted[i] || len(replies[cm.Key]) > 0) {
				level = append(level, i)
			}
		}
		if q.Get("sort") == "desc" {
			sort.SliceStable(level, func(a, b int) bool { return level[a] > level[b] })
		}
	}
	total := len(level)
	offset = min(max(offset, 0), total)
	items := []any{}
	threadN, _ := strconv.Atoi(q.Get("thread_items_count"))
	threadN = min(max(threadN, 0), 10)
	for _, i := range level[offset:min(offset+count, total)] {
		it := item(i)
		if q.Get("comment_id") == "" {
			rs := replies[all[i].Key]
			th := []any{}
			for _, r := range rs[:min(threadN, len(rs))] {
				th = append(th, item(r))
			}
			it["thread"] = map[string]any{"count": len(rs), "items": th, "can_post": true}
		}
		items = append(items, it)
	}
	resp := map[string]any{"count": total, "current_level_count": total, "can_post": true, "items": items}
	if q.Get("extended") == "1" {
		ps := []any{}
		ids := make([]int64, 0, len(profiles))
		for id := range profiles {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
		for _, id := range ids {
			ps = append(ps, profiles[id])
		}
		resp["profiles"] = ps
		resp["groups"] = []any{map[string]any{"id": -c.OwnerID, "name": c.Title, "screen_name": c.Domain}}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"response": resp})
}
