package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
)

// threadFixture is a video with flagged comments (one whose target is named only by the
// video's title), an unflagged comment, and a comment under a root that exposes someone
// and has no exposure verdict yet (its text must be masked wherever it is shown).
type threadFixture struct {
	root, flagged, reply, unflagged, exposedRoot, underExposed string
	rootTitle, rootText, flaggedText, replyText, unflaggedText string
	rawPhone                                                   string
}

func seedThread(t *testing.T, e *env) threadFixture {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	fx := threadFixture{
		root: "youtube:demoThread01", flagged: "youtube:c:UgzDemoThread01a", reply: "youtube:c:UgzDemoThread01a.9r1",
		unflagged: "youtube:c:UgzDemoThread01b", exposedRoot: "telegram:demo_thread_kanal/77", underExposed: "telegram:demo_thread_kanal/77:c5001",
		rootTitle:     "Демо видео: ЛГБТ-активисты провели встречу в Бишкеке",
		rootText:      "Видео о встрече вымышленной инициативы «Демо Көпүрө».",
		flaggedText:   "Таких надо гнать из страны.",
		replyText:     "Всех их в один вагон и за границу.",
		unflaggedText: "Звук плохой, ничего не слышно.",
		rawPhone:      "+996 000 000 577",
	}
	at := now.Add(-3 * time.Hour)
	mk := func(id, kind, parent, root, title, text string, d time.Duration) post.Post {
		src, _, _ := strings.Cut(id, ":")
		return post.Post{ID: id, Source: src, Channel: "demo_thread_channel", Author: "demo_thread_author", Kind: kind, ParentID: parent,
			RootID: root, Title: title, Text: text, Lang: "ru", URL: "https://demo.invalid/" + id,
			PublishedAt: at.Add(d), CollectedAt: at.Add(d + time.Minute), Media: []post.Media{}}
	}
	posts := []post.Post{
		mk(fx.root, post.KindPost, "", "", fx.rootTitle, fx.rootText, 0),
		mk(fx.flagged, post.KindComment, fx.root, fx.root, "", fx.flaggedText, 10*time.Minute),
		mk(fx.reply, post.KindReply, fx.flagged, fx.root, "", fx.replyText, 20*time.Minute),
		mk(fx.unflagged, post.KindComment, fx.root, fx.root, "", fx.unflaggedText, 30*time.Minute),
		mk(fx.exposedRoot, post.KindPost, "", "", "", "Вот номер активистки Демо Демоевой: "+fx.rawPhone+", звоните.", time.Minute),
		mk(fx.underExposed, post.KindComment, fx.exposedRoot, fx.exposedRoot, "", "Таких надо гнать отсюда.", 40*time.Minute),
	}
	var cls []storage.Classification
	var nps []storage.NarrativePost
	for _, p := range posts {
		flagged := p.ID == fx.flagged || p.ID == fx.reply || p.ID == fx.underExposed
		c := storage.Classification{PostID: p.ID, Classifier: "narrative", ClassifierVersion: "demo-thread", Source: p.Source,
			Channel: p.Channel, Author: p.Author, Lang: p.Lang, PublishedAt: p.PublishedAt, ClassifiedAt: p.CollectedAt.Add(time.Minute),
			Labels: []string{}, Result: `{"homophobic":false,"score":0.1,"frames":[],"evidence":[]}`, Score: 0.1}
		if flagged {
			c.Flagged, c.Score, c.Labels = true, 0.8, []string{"violence_threat"}
			c.Result = `{"homophobic":true,"score":0.8,"frames":["violence_threat"],"evidence":[]}`
		}
		cls = append(cls, c)
		np := storage.NarrativePost{PostID: p.ID, Source: p.Source, Channel: p.Channel, Author: p.Author, Lang: p.Lang, URL: p.URL,
			PublishedAt: p.PublishedAt, Flagged: c.Flagged, Frames: c.Labels, Score: c.Score, ClassifiedAt: c.ClassifiedAt, ModelVersion: "demo-thread"}
		if flagged {
			np.Result, np.Text = c.Result, p.Text
		}
		nps = append(nps, np)
		if p.ID == fx.exposedRoot {
			continue // no exposure verdict yet: masked at read time
		}
		cls = append(cls, storage.Classification{PostID: p.ID, Classifier: "exposure", ClassifierVersion: "demo", Labels: []string{"severity:none"},
			Result: `{"exposed":false,"outing":false,"severity":"none","entities":[],"watchlist":[]}`, Source: p.Source,
			Channel: p.Channel, Author: p.Author, Lang: p.Lang, PublishedAt: p.PublishedAt, ClassifiedAt: p.CollectedAt.Add(time.Minute)})
	}
	if err := storage.InsertPosts(ctx, e.conn, posts); err != nil {
		t.Fatal(err)
	}
	if err := storage.InsertClassifications(ctx, e.conn, cls); err != nil {
		t.Fatal(err)
	}
	if err := storage.InsertNarrativePosts(ctx, e.conn, nps); err != nil {
		t.Fatal(err)
	}
	return fx
}

// TestIntegrationThreads: the explorer shows a comment with its root (title, text,
// links), a comment's page shows its root and parent, a post's page lists its flagged
// comments only, and a root that may expose someone is masked wherever it is shown.
func TestIntegrationThreads(t *testing.T) {
	e := newEnv(t)
	fx := seedThread(t, e)
	c := e.login("analyst")

	code, body := c.get("/explorer?channel=demo_thread_channel")
	if code != 200 {
		t.Fatalf("explorer %d", code)
	}
	for _, want := range []string{fx.flaggedText, "comment on", fx.rootTitle, `href="/posts/` + fx.root + `"`, "https://demo.invalid/" + fx.root} {
		if !strings.Contains(body, want) {
			t.Errorf("explorer lacks %q", want)
		}
	}
	if strings.Contains(body, fx.unflaggedText) {
		t.Error("explorer lists an unflagged comment")
	}

	code, body = c.get("/posts/" + fx.reply)
	if code != 200 {
		t.Fatalf("reply page %d", code)
	}
	for _, want := range []string{`id="thread-root"`, fx.rootTitle, fx.rootText, `href="/posts/` + fx.root + `"`, `href="/posts/` + fx.flagged + `"`, "Reply "} {
		if !strings.Contains(body, want) {
			t.Errorf("reply page lacks %q", want)
		}
	}

	code, body = c.get("/posts/" + fx.root)
	if code != 200 {
		t.Fatalf("root page %d", code)
	}
	i := strings.Index(body, `id="thread-comments"`)
	if i < 0 {
		t.Fatal("root page has no flagged comments section")
	}
	comments := body[i:]
	if !strings.Contains(comments, fx.flaggedText) || !strings.Contains(comments, fx.replyText) || strings.Contains(comments, fx.unflaggedText) {
		t.Errorf("flagged comments section: %s", comments)
	}
	if strings.Index(comments, fx.flaggedText) > strings.Index(comments, fx.replyText) {
		t.Error("flagged comments are not oldest first")
	}
	if strings.Contains(body, `id="thread-root"`) {
		t.Error("a post page shows a thread root")
	}

	// JSON: the comment carries its thread and root.
	code, body = c.get("/api/posts/" + url.PathEscape(fx.flagged))
	var p web.PostRow
	if code != 200 || json.Unmarshal([]byte(body), &p) != nil {
		t.Fatalf("api post %d: %s", code, body)
	}
	if p.Kind != post.KindComment || p.RootID != fx.root || p.Root == nil || p.Root.Title != fx.rootTitle || p.Root.Text != fx.rootText {
		t.Errorf("api comment: %+v root %+v", p, p.Root)
	}

	// A root not yet checked for personal data is masked next to its comment too.
	for _, path := range []string{"/posts/" + fx.underExposed, "/explorer?channel=demo_thread_channel"} {
		code, body = c.get(path)
		if code != 200 || strings.Contains(body, fx.rawPhone) || !strings.Contains(body, "Таких надо гнать отсюда.") ||
			!strings.Contains(body, "Вот номер активистки") || !strings.Contains(body, "redacted") {
			t.Errorf("%s %d: raw phone shown, or comment or masked root missing", path, code)
		}
	}
}
