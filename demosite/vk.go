package demosite

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func (s *Site) vkCommunity(domain, ownerID string) *VKCommunity {
	for i := range s.content.Places.VK {
		c := &s.content.Places.VK[i]
		if (domain != "" && strings.EqualFold(c.Domain, domain)) || (ownerID != "" && strconv.FormatInt(c.OwnerID, 10) == ownerID) {
			return c
		}
	}
	return nil
}

func vkError(w http.ResponseWriter, code int, msg string) {
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"error_code": code, "error_msg": msg}})
}

// vkMethod serves /method/wall.get like api.vk.com: errors are HTTP 200 with an
// "error" object; posts are newest first with the pinned post on top; extended=1 adds
// the authors' profiles and groups.
func (s *Site) vkMethod(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	method := r.PathValue("method")
	if method != "wall.get" && method != "wall.getComments" && method != "wall.getById" {
		vkError(w, 3, "Unknown method passed")
		return
	}
	q := r.URL.Query()
	if q.Get("access_token") == "" {
		vkError(w, 5, "User authorization failed: no access_token passed.")
		return
	}
	if q.Get("v") == "" {
		vkError(w, 8, "Invalid request: v (version) is required")
		return
	}
	// wall.getById names one post as posts=<owner_id>_<id> (extended=1 answers an object
	// with items, profiles and groups, like wall.get).
	byOwner, byID, _ := strings.Cut(q.Get("posts"), "_")
	if method != "wall.getById" {
		byOwner = q.Get("owner_id")
	}
	c := s.vkCommunity(q.Get("domain"), byOwner)
	if c == nil {
		vkError(w, 100, "One of the parameters specified was missing or invalid: owner_id is undefined")
		return
	}
	if method == "wall.getComments" {
		s.vkGetComments(w, q, c)
		return
	}
	posts := s.Visible("vk", c.Domain)
	if method == "wall.getById" {
		posts = slices.DeleteFunc(posts, func(p Post) bool { return p.NativeID != byID })
	}
	sort.SliceStable(posts, func(i, j int) bool {
		if posts[i].Pinned != posts[j].Pinned {
			return posts[i].Pinned
		}
		return s.PublishedAt(posts[i]).After(s.PublishedAt(posts[j]))
	})
	offset, _ := strconv.Atoi(q.Get("offset"))
	count, err := strconv.Atoi(q.Get("count"))
	if err != nil || count <= 0 {
		count = 20
	}
	count = min(count, 100)
	total := len(posts)
	if offset > len(posts) {
		offset = len(posts)
	}
	posts = posts[offset:min(offset+count, len(posts))]
	var items []any
	profiles := map[int64]map[string]any{}
	for _, p := range posts {
		id, _ := strconv.Atoi(p.NativeID)
		from := c.OwnerID
		if p.FromID != 0 {
			from = p.FromID
			first, last, _ := strings.Cut(p.Author, " ")
			profiles[p.FromID] = map[string]any{"id": p.FromID, "first_name": first, "last_name": last, "screen_name": "id" + strconv.FormatInt(p.FromID, 10)}
		}
		item := map[string]any{
			"id": id, "owner_id": c.OwnerID, "from_id": from, "date": s.PublishedAt(p).Unix(),
			"post_type": "post", "text": p.Text, "marked_as_ads": 0,
			"comments": map[string]any{"count": len(s.VisibleComments(p.Key))}, "likes": map[string]any{"count": s.Views(p) / 20},
			"reposts": map[string]any{"count": s.Views(p) / 100}, "views": map[string]any{"count": s.Views(p)},
		}
		if p.Pinned {
			item["is_pinned"] = 1
		}
		if p.RepostOf != "" {
			owner, pid, _ := strings.Cut(p.RepostOf, "_")
			oid, _ := strconv.ParseInt(owner, 10, 64)
			n, _ := strconv.Atoi(pid)
			item["copy_history"] = []any{map[string]any{"id": n, "owner_id": oid, "from_id": oid,
				"date": s.PublishedAt(p).Unix() - 3600, "post_type": "post", "text": ""}}
		}
		for i := 0; i < p.Photos; i++ {
			item["attachments"] = append(asSlice(item["attachments"]), map[string]any{"type": "photo", "photo": map[string]any{
				"id": 1000 + i, "owner_id": c.OwnerID,
				"sizes": []any{map[string]any{"type": "x", "url": "https://sun.demo.invalid/photo/" + p.NativeID + "-" + strconv.Itoa(i) + ".jpg", "width": 604, "height": 403}},
			}})
		}
		items = append(items, item)
	}
	resp := map[string]any{"count": total, "items": items}
	if q.Get("extended") == "1" {
		var ps []any
		for _, p := range profiles {
			ps = append(ps, p)
		}
		sort.Slice(ps, func(i, j int) bool {
			return ps[i].(map[string]any)["id"].(int64) < ps[j].(map[string]any)["id"].(int64)
		})
		resp["profiles"] = ps
		resp["groups"] = []any{map[string]any{"id": -c.OwnerID, "name": c.Title, "screen_name": c.Domain, "is_closed": 0, "type": "page"}}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"response": resp})
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
