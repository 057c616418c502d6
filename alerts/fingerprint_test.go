package alerts

import (
	"testing"

	"github.com/kuzot/kuzot/post"
)

const leak = "Вот он, Айбек Токтосунов, работает в НКО на улице Фиктивной, телефон +996 555 000 111, " +
	"родился 12 марта 1995 года. Все должны знать, кто он такой и с кем живёт. Распространите!"

func fp(p post.Post) Fingerprint { return FingerprintPost(&p) }

func TestSameContent(t *testing.T) {
	orig := fp(post.Post{URL: "https://t.me/demo_channel/12", Text: leak})
	for _, tc := range []struct {
		name string
		p    post.Post
		same bool
	}{
		{"verbatim re-post elsewhere", post.Post{URL: "https://vk.com/wall-1_2", Text: leak}, true},
		{"forward with a comment and tags", post.Post{URL: "https://t.me/other/99",
			Text: "Переслано из @demo_channel: " + leak + " #позор https://t.me/demo_channel/12"}, true},
		{"small edits", post.Post{URL: "https://t.me/x/1", Text: "ВОТ ОН — Айбек Токтосунов, работает в НКО на улице Фиктивной, телефон +996 555 000 111, " +
			"родился 12 марта 1995 года!!! Все должны знать, кто он такой и с кем живёт."}, true},
		{"forward of the original (forwarded_from)", post.Post{URL: "https://t.me/y/5", Text: "смотрите", ForwardedFrom: "t.me/demo_channel/12"}, true},
		{"unrelated post about the same person", post.Post{URL: "https://t.me/z/8",
			Text: "Айбек Токтосунов сегодня выступил на конференции о правах человека в Бишкеке и рассказал о работе организации."}, false},
		{"unrelated short post", post.Post{URL: "https://t.me/z/9", Text: "Позор!"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fp(tc.p)
			if orig.Same(&got) != tc.same {
				t.Fatalf("Same = %v, want %v (orig %016x, copy %016x)", !tc.same, tc.same, orig.SimHash, got.SimHash)
			}
		})
	}
}

func TestVideoKeys(t *testing.T) {
	a := fp(post.Post{URL: "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", Text: "видео"})
	b := fp(post.Post{URL: "https://t.me/c/1", Text: "смотрите", Media: []post.Media{{Kind: "video", URL: "https://youtu.be/dQw4w9WgXcQ"}}})
	c := fp(post.Post{URL: "https://vk.com/video-123_456", Text: "x"})
	d := fp(post.Post{URL: "https://vk.com/wall-9_9", Text: "y", Media: []post.Media{{Kind: "video", URL: "https://vk.com/video-123_456?list=1"}}})
	if !a.Same(&b) || !c.Same(&d) || a.Same(&c) {
		t.Fatalf("video keys: a %v b %v c %v d %v", a.Keys, b.Keys, c.Keys, d.Keys)
	}
}

func TestCanonicalURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.T.me/demo/12/?x=1#f": "t.me/demo/12",
		"t.me/demo/12":                    "t.me/demo/12",
		"":                                "",
		"http://[::1":                     "",
	} {
		if got := CanonicalURL(in); got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFingerprint(f *testing.F) {
	f.Add(leak, "https://t.me/x/1", "t.me/y/2")
	f.Add("", "", "")
	f.Add("\xff\xfe", "http://[::1", "%%%")
	f.Fuzz(func(t *testing.T, text, u, fwd string) {
		a := FingerprintPost(&post.Post{Text: text, URL: u, ForwardedFrom: fwd})
		b := FingerprintPost(&post.Post{Text: text, URL: u, ForwardedFrom: fwd})
		if (a.Words > 0 || len(a.Keys) > 0) && !a.Same(&b) {
			t.Fatalf("a post is not the same as itself: %+v", a)
		}
	})
}
