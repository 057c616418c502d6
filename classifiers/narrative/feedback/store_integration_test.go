package feedback_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationLabelsStore writes labels from staff and two organisations and checks
// the organisation scope of every read, the latest-label-wins rule and the text join.
func TestIntegrationLabelsStore(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	pub := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	posts := []post.Post{
		{ID: "telegram:chan/1", Source: "telegram", Channel: "chan", Text: "ЛГБТ это проект иностранных спецслужб", Lang: "ru", PublishedAt: pub},
		{ID: "telegram:chan/2", Source: "telegram", Channel: "chan", Text: "Our pride march was joyful", Lang: "en", PublishedAt: pub.Add(time.Hour)},
		{ID: "vk:-5_7", Source: "vk", Channel: "club5", Text: "семья это муж и жена, другого здесь не будет", Lang: "ru", PublishedAt: pub.Add(-40 * 24 * time.Hour)},
	}
	// An invented exposing post: labelled, but never used for training.
	posts = append(posts, post.Post{ID: "telegram:chan/3", Source: "telegram", Channel: "chan", Lang: "ru", PublishedAt: pub,
		Text: "Вот он, Тестов Тест, телефон +996 000 000 000. Он гей."})
	if err := storage.InsertPosts(ctx, conn, posts); err != nil {
		t.Fatal(err)
	}
	b, err := conn.PrepareBatch(ctx, `INSERT INTO exposures (post_id, source, published_at, exposed, version)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("telegram:chan/3", "telegram", pub, uint8(1), uint64(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	st := feedback.Store{Conn: conn}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	add := func(l feedback.Label) {
		t.Helper()
		at = at.Add(time.Minute)
		l.LabelledAt = at
		if err := st.Add(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	add(feedback.Label{PostID: "telegram:chan/1", Source: "telegram", PublishedAt: pub, Analyst: "analyst", Role: "analyst",
		Action: feedback.ActionConfirm, ModelVersion: "m1", Frames: []string{"foreign_agent"}})
	add(feedback.Label{PostID: "telegram:chan/2", Source: "telegram", PublishedAt: pub.Add(time.Hour), Org: "org-alpha",
		Analyst: "alpha", Role: "org", Action: feedback.ActionDismiss, Kind: "self", ModelVersion: "m1", Note: "a pride post"})
	add(feedback.Label{PostID: "vk:-5_7", Source: "vk", PublishedAt: posts[2].PublishedAt, Org: "org-beta", Analyst: "beta",
		Role: "org", Action: feedback.ActionMissed, Frames: []string{"traditional_family"}, Labels: []string{"exclusion"}})
	// A later label of post 1 by org-beta overrides the analyst's for training.
	add(feedback.Label{PostID: "telegram:chan/1", Source: "telegram", PublishedAt: pub, Org: "org-beta", Analyst: "beta",
		Role: "org", Action: feedback.ActionCorrect, Homophobic: true, Frames: []string{"foreign_agent", "western_values"}})
	add(feedback.Label{PostID: "telegram:chan/3", Source: "telegram", PublishedAt: pub, Analyst: "analyst", Role: "analyst",
		Action: feedback.ActionConfirm, Frames: []string{"dehumanization"}})
	if err := st.Add(ctx, feedback.Label{PostID: "x", Analyst: "a", Action: "like"}); err == nil {
		t.Fatal("an invalid label was stored")
	}

	analysts := func(ls []feedback.Label) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Analyst)
		}
		return out
	}
	scopes := []struct {
		name  string
		sc    feedback.Scope
		post1 []string // analysts of post 1's labels, newest first
		all   []string // analysts of Recent, newest first
	}{
		{"staff", feedback.Scope{All: true}, []string{"beta", "analyst"}, []string{"analyst", "beta", "beta", "alpha", "analyst"}},
		{"org-alpha", feedback.Scope{Org: "org-alpha"}, nil, []string{"alpha"}},
		{"org-beta", feedback.Scope{Org: "org-beta"}, []string{"beta"}, []string{"beta", "beta"}},
		{"org-gamma", feedback.Scope{Org: "org-gamma"}, nil, nil},
	}
	for _, tc := range scopes {
		t.Run(tc.name, func(t *testing.T) {
			ls, err := st.ForPost(ctx, tc.sc, "telegram:chan/1")
			if err != nil {
				t.Fatal(err)
			}
			if got := analysts(ls); !slices.Equal(got, tc.post1) {
				t.Fatalf("labels of post 1: %v, want %v", got, tc.post1)
			}
			for _, l := range ls {
				if !tc.sc.All && l.Org != tc.sc.Org {
					t.Fatalf("%s sees a label of %q", tc.name, l.Org)
				}
			}
			rs, err := st.Recent(ctx, tc.sc, 50)
			if err != nil {
				t.Fatal(err)
			}
			if got := analysts(rs); !slices.Equal(got, tc.all) {
				t.Fatalf("recent labels: %v, want %v", got, tc.all)
			}
			latest, err := st.LatestFor(ctx, tc.sc, []string{"telegram:chan/1", "telegram:chan/2", "vk:-5_7"})
			if err != nil {
				t.Fatal(err)
			}
			for id, l := range latest {
				if !tc.sc.All && l.Org != tc.sc.Org {
					t.Fatalf("%s sees the latest label of %s from %q", tc.name, id, l.Org)
				}
			}
			if tc.sc.All && (len(latest) != 3 || latest["telegram:chan/1"].Analyst != "beta") {
				t.Fatalf("staff latest labels: %+v", latest)
			}
		})
	}

	ls, err := st.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 4 {
		t.Fatalf("latest labels: %d, want one per post (4)", len(ls))
	}
	lp, missing, err := st.WithTexts(ctx, ls)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 1 || len(lp) != 3 { // the exposing post is left out
		t.Fatalf("joined %d texts, %d missing", len(lp), missing)
	}
	byID := map[string]feedback.LabelledPost{}
	for _, p := range lp {
		byID[p.PostID] = p
	}
	p1 := byID["telegram:chan/1"]
	if p1.Analyst != "beta" || !p1.Homophobic || !slices.Equal(p1.Frames, []string{"foreign_agent", "western_values"}) ||
		p1.Text != posts[0].Text || p1.Lang != "ru" {
		t.Fatalf("post 1's training label: %+v", p1)
	}
	e := byID["telegram:chan/2"].Example()
	if e.Homophobic || e.Kind != "self" || e.Text != posts[1].Text || e.ID != "label:telegram:chan/2" || !e.FramesKnown {
		t.Fatalf("post 2's example: %+v", e)
	}
	e = byID["vk:-5_7"].Example()
	if !e.Homophobic || len(e.Frames) != 1 || e.Frames[0] != "traditional_family" {
		t.Fatalf("missed post's example: %+v", e)
	}
	train, held := feedback.SplitExamples(lp)
	if len(train)+len(held) != 3 {
		t.Fatalf("split %d + %d", len(train), len(held))
	}
	for _, h := range held {
		if !feedback.HeldOut(h.ID[len("label:"):]) {
			t.Fatalf("%s held out against the rule", h.ID)
		}
	}
}
