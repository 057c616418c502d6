package post_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
)

func TestOldMessageDecodesAsPost(t *testing.T) {
	old := `{"id":"telegram:ch/1","source":"telegram","channel":"ch","author":"","url":"","text":"hi",
		"published_at":"2026-01-01T00:00:00Z","collected_at":"2026-01-01T00:00:00Z","views":3,"forwarded_from":"",
		"media":[],"lang":""}`
	var p post.Post
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.ThreadKind() != post.KindPost || p.ParentID != "" || p.RootID != "" || p.Refresh {
		t.Fatalf("old message: %+v", p)
	}
	b, _ := json.Marshal(p)
	for _, k := range []string{"kind", "parent_id", "root_id", "context", "refresh", "forwards", "comments"} {
		if strings.Contains(string(b), `"`+k+`"`) {
			t.Errorf("a plain post gained %q: %s", k, b)
		}
	}
}

func TestValidateThread(t *testing.T) {
	base := post.Post{ID: "vk:-1_2", Source: "vk", PublishedAt: time.Unix(1, 0)}
	cases := []struct {
		name          string
		kind, par, rt string
		ok            bool
	}{
		{"post", post.KindPost, "", "", true},
		{"empty kind", "", "", "", true},
		{"comment", post.KindComment, "vk:-1_1", "vk:-1_1", true},
		{"reply", post.KindReply, "vk:-1_1#c5", "vk:-1_1", true},
		{"comment without root", post.KindComment, "vk:-1_1", "", false},
		{"reply without parent", post.KindReply, "", "vk:-1_1", false},
		{"unknown kind", "story", "", "", false},
	}
	for _, c := range cases {
		p := base
		p.Kind, p.ParentID, p.RootID = c.kind, c.par, c.rt
		err := p.Validate()
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, post.ErrInvalid)) {
			t.Errorf("%s: err %v", c.name, err)
		}
	}
}

func TestRefreshMsgIDChangesWithCounters(t *testing.T) {
	p := post.Post{ID: "telegram:ch/5", Text: "x", Views: 10}
	plain := p.MsgID()
	p.Refresh = true
	r1 := p.MsgID()
	p.Views = 11
	r2 := p.MsgID()
	if plain == r1 || r1 == r2 || !strings.HasPrefix(r1, "telegram:ch/5:") {
		t.Fatalf("ids %q %q %q", plain, r1, r2)
	}
}

func TestContextOfIsBounded(t *testing.T) {
	if got := post.ContextOf(" Title ", " body "); got != "Title\nbody" {
		t.Fatalf("got %q", got)
	}
	if got := post.ContextOf("", strings.Repeat("ө", post.MaxContextBytes)); len(got) > post.MaxContextBytes || !strings.HasPrefix(got, "ө") {
		t.Fatalf("len %d", len(got))
	}
}
