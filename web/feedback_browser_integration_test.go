package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
)

// TestIntegrationBrowserFeedbackLoop walks issue 14's feedback loop end to end in
// headless Chromium against the real app (store, classify and serve roles on an
// embedded JetStream and the test ClickHouse): an analyst corrects the frames of a
// flagged post and marks a post the classifier missed from the explorer over all posts;
// an organisation user confirms a flag, and another organisation does not see that
// label; `kuzot train narrative --labels` trains a candidate, `kuzot model compare`
// compares it with the current model, `kuzot model promote` promotes it; the running
// classify role swaps it in without a restart, and the next post's classification
// carries the new model version, which the explorer filters by.
func TestIntegrationBrowserFeedbackLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	chromiumPath(t) // skip (or fail under KUZOT_TEST_REQUIRE_SERVICES) before starting anything
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	// Both listeners on free ports: another kuzot on this machine may hold the defaults.
	cfg.HTTP.Listen, cfg.HTTP.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	cfg.NATS = testenv.NATSConfig(t.TempDir())
	cfg.CH = testenv.ClickHouseConfig(t)
	cfg.Store.FlushInterval = 100 * time.Millisecond
	cfg.Models.Dir = filepath.Join(cfg.DataDir, "models")
	cfg.Models.WatchInterval = 300 * time.Millisecond
	if err := cfg.Web.Encode(map[string]any{"secure_cookies": false}); err != nil {
		t.Fatal(err)
	}
	roles, err := app.SelectRoles("store,classify,serve")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run, err := app.Start(ctx, cfg, roles, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := storage.Open(ctx, cfg.CH, testenv.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, u := range []web.User{{Name: "analyst", Role: web.RoleAnalyst}, {Name: "alpha", Role: web.RoleOrg, Org: "org-alpha"},
		{Name: "beta", Role: web.RoleOrg, Org: "org-beta"}} {
		if err := web.CreateUser(ctx, &web.DB{Conn: conn}, u, testPassword, cheap, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The same deployment as a config file, for the commands.
	cfgFile := filepath.Join(t.TempDir(), "kuzot.yaml")
	t.Setenv("KUZOT_CLICKHOUSE_PASSWORD", string(cfg.CH.Password))
	if err := os.WriteFile(cfgFile, []byte(fmt.Sprintf("data_dir: %s\nclickhouse:\n  addr: %s\n  database: %s\n",
		cfg.DataDir, cfg.CH.Addr, cfg.CH.Database)), 0o644); err != nil {
		t.Fatal(err)
	}

	pub := pipeline.NewPublisher(run.Bus.JS, run.Metrics)
	now := time.Now().UTC().Truncate(time.Second)
	publish := func(id, text string, ago time.Duration) {
		p := post.Post{ID: "telegram:e2e/" + id, Source: "telegram", Channel: "e2e", Author: "invented_account",
			Text: text, Lang: "ru", URL: "https://demo.invalid/e2e/" + id, PublishedAt: now.Add(-ago), CollectedAt: now}
		if err := pub.PublishPost(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	modelOf := func(id string) (version string, flagged bool) {
		var f uint8
		_ = conn.QueryRow(ctx, `SELECT argMax(model_version, version), argMax(flagged, version) FROM narrative_posts
			WHERE post_id = ?`, "telegram:e2e/"+id).Scan(&version, &f)
		return version, f == 1
	}
	// Invented posts: one the shipped model flags (with a frame to correct), one it
	// misses, one ordinary.
	publish("flagged", "ЛГБТ это проект иностранных спецслужб, их надо гнать из страны", 3*time.Hour)
	publish("missed", "Семья это муж и жена, ничего другого здесь никогда не будет разрешено", 2*time.Hour)
	publish("ordinary", "Сегодня в Бишкеке солнечно, цены на рынке выросли", time.Hour)
	// A slur used as a general insult at the housing office, not at LGBT people: the
	// shipped model flags it (a false positive); by the label scheme it is slur_insult,
	// not homophobic.
	publish("insult", "Пидорасы из ЖЭКа снова отключили воду", 90*time.Minute)
	var oldModel string
	testenv.Eventually(t, 30*time.Second, "posts classified and stored", func() bool {
		v1, f1 := modelOf("flagged")
		v2, f2 := modelOf("missed")
		v3, _ := modelOf("ordinary")
		v4, f4 := modelOf("insult")
		oldModel = v1
		return v1 != "" && v2 != "" && v3 != "" && v4 != "" && f1 && !f2 && f4
	})

	base := "http://" + run.HTTPAddr
	testenv.Eventually(t, 10*time.Second, "web UI mounted", func() bool {
		resp, err := http.Get(base + "/login")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	sh := shooter{t, artifacts(t)}

	// Analyst: correct the frames of the flagged post.
	// Training a candidate inside the session takes minutes on a loaded machine.
	actx := browserFor(t, 12*time.Minute)
	loginAs(t, actx, base, "analyst")
	do(t, actx, "open the flagged post",
		chromedp.Navigate(base+"/posts/telegram:e2e/flagged"),
		chromedp.WaitVisible(chromedp.CSS("#label-form")))
	if s := text(t, actx, "#model-version"); s != oldModel {
		t.Fatalf("post page shows model %q, want %q", s, oldModel)
	}
	// The analyst's frames: foreign_agent only. Set, not toggled: which frames start
	// ticked is the model's verdict and changes with the lexicon (since 2026-12-06.1 it
	// finds foreign_agent in this very post).
	if _, err := chromedp.Run(actx, chromedp.Evaluate[bool](`document.querySelectorAll('#label-form input[name=frames]').forEach(
		b => { b.checked = b.value === 'foreign_agent' }); true`)); err != nil {
		t.Fatalf("set the corrected frames: %v", err)
	}
	do(t, actx, "correct labels",
		chromedp.Click(chromedp.CSS(`#label-form input[name=labels][value=exclusion]`)))
	submitAndWait(t, actx, "save corrected frames", "#label-correct", "#label-saved")
	if s := text(t, actx, "#label-history"); !strings.Contains(s, "correct") || !strings.Contains(s, "\tforeign_agent\t") {
		t.Fatalf("label history after correcting: %q", s)
	}
	sh.shot(actx, "fl-01-frames-corrected")

	// Dismiss the flag of the slur used as a general insult (its frame starts ticked).
	do(t, actx, "open the insult",
		chromedp.Navigate(base+"/posts/telegram:e2e/insult"),
		chromedp.WaitVisible(chromedp.CSS("#label-form")),
		chromedp.Click(chromedp.CSS(`#label-form input[name=labels][value=slur_insult]`)))
	submitAndWait(t, actx, "dismiss the flag", "#label-dismiss", "#label-saved")
	if s := text(t, actx, "#label-history"); !strings.Contains(s, "not homophobic") || !strings.Contains(s, "slur_insult") {
		t.Fatalf("label history after dismissing: %q", s)
	}

	// Explorer over all posts: the missed post is listed unflagged; mark it missed, then
	// give its frame on the post page.
	do(t, actx, "explorer over all posts",
		chromedp.Navigate(base+"/explorer"),
		chromedp.WaitVisible(chromedp.CSS("#all")),
		chromedp.SetValue(chromedp.CSS("#all"), "1"),
		chromedp.Click(chromedp.CSS("form.filters button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`li[data-post="telegram:e2e/missed"] form.mark-missed button`)))
	if n := count(t, actx, `li[data-post="telegram:e2e/flagged"] form.mark-missed`); n != 0 {
		t.Fatal("a flagged post is offered as missed")
	}
	if count(t, actx, `li[data-post="telegram:e2e/flagged"] .label-tag`) != 1 || count(t, actx, `li[data-post="telegram:e2e/ordinary"] .label-tag`) != 0 {
		t.Fatal("explorer label tags: the labelled post untagged or an unlabelled post tagged")
	}
	sh.shot(actx, "fl-02-explorer-all-posts")
	submitAndWait(t, actx, "mark missed", `li[data-post="telegram:e2e/missed"] form.mark-missed button`, "#label-saved")
	do(t, actx, "tick the missed post's frame",
		chromedp.Click(chromedp.CSS(`#label-form input[name=frames][value=traditional_family]`)))
	submitAndWait(t, actx, "save the missed post's frame", "#label-correct", "#label-saved")
	if s := text(t, actx, "#label-history"); !strings.Contains(s, "missed") || !strings.Contains(s, "traditional_family") {
		t.Fatalf("label history of the missed post: %q", s)
	}
	sh.shot(actx, "fl-03-missed-post-labelled")

	// Organisation users: alpha confirms the flag with a note; beta does not see it.
	octx := browser(t)
	loginAs(t, octx, base, "alpha")
	do(t, octx, "alpha confirms",
		chromedp.Navigate(base+"/posts/telegram:e2e/flagged"),
		chromedp.WaitVisible(chromedp.CSS("#label-form")),
		chromedp.SendKeys(chromedp.CSS("#label-note"), "alpha-only note"))
	submitAndWait(t, octx, "alpha confirms the flag", "#label-confirm", "#label-history")
	if s := text(t, octx, "#label-history"); !strings.Contains(s, "alpha-only note") || strings.Contains(s, "analyst") {
		t.Fatalf("alpha's label history (own organisation only): %q", s)
	}
	sh.shot(octx, "fl-04-org-alpha-label")
	bctx := browser(t)
	loginAs(t, bctx, base, "beta")
	do(t, bctx, "beta opens the post", chromedp.Navigate(base+"/posts/telegram:e2e/flagged"),
		chromedp.WaitVisible(chromedp.CSS("#no-labels")))
	if n := count(t, bctx, "#label-history"); n != 0 {
		t.Fatal("beta sees labels of this post")
	}
	do(t, bctx, "beta's labels page", chromedp.Navigate(base+"/narrative-labels"), chromedp.WaitVisible(chromedp.CSS("#no-labels")))
	sh.shot(bctx, "fl-05-org-beta-sees-no-label")
	do(t, actx, "analyst sees the org label", chromedp.Navigate(base+"/narrative-labels"), chromedp.WaitVisible(chromedp.CSS("#labels-table")))
	if s := text(t, actx, "#labels-table"); !strings.Contains(s, "org-alpha") {
		t.Fatalf("staff labels page lacks org-alpha's label: %q", s)
	}

	// Train with the labels, compare, promote (the commands behind kuzot train / model).
	var out, errb bytes.Buffer
	if err := modeldir.TrainCommand(ctx, []string{"--labels", "--config", cfgFile}, &out, &errb); err != nil {
		t.Fatalf("train: %v\n%s", err, errb.String())
	}
	t.Logf("train:\n%s", out.String())
	m := regexp.MustCompile(`trained narrative candidate ([0-9a-f]+)`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "analysts' labels:") {
		t.Fatalf("train output %q", out.String())
	}
	candidate := m[1]
	if candidate == oldModel {
		t.Fatal("the candidate has the running model's version")
	}
	out.Reset()
	if err := modeldir.ModelCommand(ctx, []string{"compare", "--config", cfgFile, candidate}, &out, &errb); err != nil {
		t.Fatalf("compare: %v\n%s", err, errb.String())
	}
	t.Logf("compare:\n%s", out.String())
	if !strings.Contains(out.String(), "model/"+oldModel) || !strings.Contains(out.String(), "model/"+candidate) {
		t.Fatalf("compare does not name both models: %q", out.String())
	}
	out.Reset()
	// A candidate retrained from scratch on these few labels may score below the shipped
	// model (whose weights were chosen over several seeds): promote must then refuse and
	// say where it is worse, and the analyst's --force overrides it.
	if err := modeldir.ModelCommand(ctx, []string{"promote", "--config", cfgFile, candidate}, &out, &errb); err != nil {
		if !strings.Contains(err.Error(), "worse than current") || !strings.Contains(err.Error(), " dev") {
			t.Fatalf("promote: %v\n%s%s", err, out.String(), errb.String())
		}
		t.Logf("promote refused as designed: %v; promoting with --force", err)
		out.Reset()
		if err := modeldir.ModelCommand(ctx, []string{"promote", "--force", "--config", cfgFile, candidate}, &out, &errb); err != nil {
			t.Fatalf("promote --force: %v\n%s%s", err, out.String(), errb.String())
		}
	}
	t.Logf("promote:\n%s", out.String())

	// The running classifier swaps the model in; the next post carries its version.
	i := 0
	var last string
	testenv.Eventually(t, 30*time.Second, "a post classified by the promoted model", func() bool {
		last = fmt.Sprintf("after-%d", i)
		i++
		publish(last, "Семья — это только муж и жена, другого у нас никогда не будет", 10*time.Minute)
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if v, _ := modelOf(last); v != "" {
				return v == candidate
			}
			time.Sleep(50 * time.Millisecond)
		}
		return false
	})

	// The explorer filters by the new model version.
	do(t, actx, "explorer by model",
		chromedp.Navigate(base+"/explorer?all=1"),
		chromedp.WaitVisible(chromedp.CSS("#model")),
		chromedp.SetValue(chromedp.CSS("#model"), candidate))
	submitAndWait(t, actx, "filter by model", "form.filters button[type=submit]", `li[data-post="telegram:e2e/`+last+`"]`)
	posts, err := chromedp.Run(actx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('ol.posts li')).map(e => e.dataset.post)`))
	if err != nil || len(posts) == 0 {
		t.Fatalf("explorer by model: %v %v", posts, err)
	}
	for _, p := range posts {
		if v, _ := modelOf(strings.TrimPrefix(p, "telegram:e2e/")); v != candidate {
			t.Fatalf("explorer filtered by model %s lists %s classified by %q", candidate, p, v)
		}
	}
	sh.shot(actx, "fl-06-explorer-by-new-model")
	do(t, actx, "new post's page", chromedp.Navigate(base+"/posts/telegram:e2e/"+last), chromedp.WaitVisible(chromedp.CSS("#model-version")))
	if s := text(t, actx, "#model-version"); s != candidate {
		t.Fatalf("post page model %q, want %q", s, candidate)
	}
}

// submitAndWait clicks a submit button and waits for sel on the page the form leads to
// (not on the page it was clicked on, which may show sel already).
func submitAndWait(t *testing.T, ctx context.Context, what, click, sel string) {
	t.Helper()
	mctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(mctx, chromedp.Evaluate[bool](`document.body.dataset.submitted = "1"; true`)); err != nil {
		t.Fatalf("%s: mark the page: %v", what, err)
	}
	do(t, ctx, what,
		chromedp.Click(chromedp.CSS(click)),
		chromedp.WaitVisible(chromedp.CSS("body:not([data-submitted]) "+sel)))
}
