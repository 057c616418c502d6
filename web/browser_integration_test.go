package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kuzot/kuzot/internal/testenv"
)

// chromiumPath finds the distribution's Chromium (make test installs the package).
func chromiumPath(t *testing.T) string {
	for _, p := range []string{os.Getenv("KUZOT_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("KUZOT_TEST_REQUIRE_SERVICES") != "" {
		t.Fatal("chromium not found: make test installs the distribution's chromium package")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// artifacts is where screenshots go: $KUZOT_TEST_ARTIFACTS or web/testdata/artifacts
// (ignored by git).
func artifacts(t *testing.T) string {
	dir := os.Getenv("KUZOT_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// browser starts a fresh headless Chromium with its own profile directory.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 4*time.Minute)
}

// browserFor is browser with the whole session bounded by limit, for a test that does
// minutes of other work (training a model) between its browser steps.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	// Bound the whole browser session, so that a wedged Chromium fails this test in
	// minutes instead of holding `make test` until its global timeout.
	bctx, bcancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(bcancel)
	actx, acancel := chromedp.NewExecAllocator(bctx, opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); acancel() })
	// The first action starts the browser on ctx itself, so that the shorter step
	// contexts derived from it later do not own (and stop) the browser.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

type shooter struct {
	t   *testing.T
	dir string
}

func (s shooter) shot(ctx context.Context, name string) {
	s.t.Helper()
	// A screenshot is an artefact, not an assertion: bounded, retried once, and only
	// logged when Chromium cannot produce it (it has hung here under heavy load).
	var png []byte
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		png, err = chromedp.Run(sctx, chromedp.FullScreenshot(100))
		cancel()
		if err == nil {
			break
		}
	}
	if err != nil {
		s.t.Logf("screenshot %s not saved: %v", name, err)
		return
	}
	p := filepath.Join(s.dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("screenshot: %s", p)
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		fctx, fcancel := context.WithTimeout(ctx, 20*time.Second)
		defer fcancel()
		loc, _ := chromedp.Run(fctx, chromedp.Location())
		if png, serr := chromedp.Run(fctx, chromedp.FullScreenshot(100)); serr == nil {
			p := filepath.Join(artifacts(t), "FAILED-"+strings.ReplaceAll(what, " ", "-")+".png")
			_ = os.WriteFile(p, png, 0o644)
			t.Logf("screenshot of the failure: %s", p)
		}
		t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quoteJS(sel)+`).length`))
	if err != nil {
		t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

func quoteJS(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func loginAs(t *testing.T, ctx context.Context, base, name string) {
	t.Helper()
	do(t, ctx, "login "+name,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("header.top")),
	)
}

// TestIntegrationBrowser walks the acceptance scenario of issue 8 in headless Chromium:
// log in, see the overview charts, filter the explorer, open a post with highlighted
// evidence, open an incident as an organisation user (redacted) and as an admin
// (unredacted, audited), and be refused another organisation's incident.
func TestIntegrationBrowser(t *testing.T) {
	e := newEnv(t)
	base := e.srv.URL
	sh := shooter{t, artifacts(t)}

	// Analyst: overview with charts drawn from the demo data.
	ctx := browser(t)
	loginAs(t, ctx, base, "analyst")
	do(t, ctx, "overview", chromedp.WaitVisible(chromedp.CSS("svg.chart polyline")))
	if n := count(t, ctx, "svg.chart polyline"); n < 3 {
		t.Fatalf("overview chart has %d series", n)
	}
	if n := count(t, ctx, "svg.chart rect"); n == 0 {
		t.Fatal("top-channels bar chart is empty")
	}
	if !strings.Contains(text(t, ctx, ".stats"), "open incidents") {
		t.Fatal("overview totals missing")
	}
	sh.shot(ctx, "01-overview")

	// Narrative explorer: filter by frame with the keyboard-accessible form.
	do(t, ctx, "explorer",
		chromedp.Navigate(base+"/explorer"),
		chromedp.WaitVisible(chromedp.CSS("#frame")),
		chromedp.SetValue(chromedp.CSS("#frame"), "foreign_agent"),
		chromedp.Click(chromedp.CSS("form.filters button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("ol.posts")),
	)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "frame=foreign_agent") {
		t.Fatalf("filter not applied: %s", loc)
	}
	frames, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('ol.posts .frame')).map(e => e.textContent)`))
	if err != nil || len(frames) == 0 {
		t.Fatalf("explorer results: %v %v", frames, err)
	}
	for _, f := range frames {
		if f != "foreign agent" {
			t.Fatalf("explorer shows a %q post under the foreign_agent filter", f)
		}
	}
	sh.shot(ctx, "02-explorer-filtered")

	// Open a post: its evidence is highlighted.
	do(t, ctx, "open post",
		chromedp.Click(chromedp.CSS("ol.posts li .meta a")),
		chromedp.WaitVisible(chromedp.CSS("blockquote.text mark.ev")),
	)
	if m := text(t, ctx, "blockquote.text mark.ev"); !strings.Contains(m, "иностранные агенты") {
		t.Fatalf("highlighted evidence %q", m)
	}
	sh.shot(ctx, "03-post-evidence")

	// Phone-sized viewport: the overview still renders (responsive layout).
	do(t, ctx, "phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	sh.shot(ctx, "04-overview-phone")

	// Organisation user: own incident redacted, no unredact button, other org refused.
	octx := browser(t)
	loginAs(t, octx, base, "alpha")
	do(t, octx, "org incident", chromedp.Navigate(base+"/incidents/"+e.fx.IncidentA),
		chromedp.WaitVisible(chromedp.CSS("blockquote.text")))
	ev := text(t, octx, "ol.posts")
	if !strings.Contains(ev, e.fx.RedactedMarker) || strings.Contains(ev, e.fx.RawMarker) {
		t.Fatalf("org user's incident is not redacted: %q", ev)
	}
	if n := count(t, octx, "#unredact"); n != 0 {
		t.Fatal("unprivileged org user is offered the unredact button")
	}
	sh.shot(octx, "05-incident-org-redacted")
	do(t, octx, "other org incident", chromedp.Navigate(base+"/incidents/"+e.fx.IncidentB),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h := text(t, octx, "main h1"); h != "404" {
		t.Fatalf("other organisation's incident: page %q, want 404", h)
	}
	sh.shot(octx, "06-incident-other-org-refused")
	if n := count(t, octx, `a[href="/sources"]`); n != 0 {
		t.Fatal("org user sees the sources link")
	}

	// Admin: unredact (confirm dialog accepted), raw evidence shown, audit row written.
	actx := browser(t)
	loginAs(t, actx, base, "admin")
	do(t, actx, "admin incident", chromedp.Navigate(base+"/incidents/"+e.fx.IncidentA),
		chromedp.WaitVisible(chromedp.CSS("#unredact")))
	if _, err := chromedp.Run(actx, chromedp.Evaluate[bool](`window.confirm = () => true; true`)); err != nil {
		t.Fatal(err)
	}
	do(t, actx, "unredact", chromedp.Click(chromedp.CSS("#unredact")),
		chromedp.WaitVisible(chromedp.CSS("p.warning")),
		chromedp.WaitVisible(chromedp.CSS("blockquote.unredacted")))
	if raw := text(t, actx, "ol.posts"); !strings.Contains(raw, e.fx.RawMarker) {
		t.Fatalf("admin's unredacted view lacks the raw text: %q", raw)
	}
	sh.shot(actx, "07-incident-admin-unredacted")
	var n uint64
	if err := e.conn.QueryRow(context.Background(), `SELECT count() FROM audit_log
		WHERE action = 'unredact_incident' AND user = 'admin' AND object_id = ?`, e.fx.IncidentA).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit rows for the admin's unredacted view: %d %v", n, err)
	}
	// Acknowledge from the page.
	do(t, actx, "ack", chromedp.Navigate(base+"/incidents/"+e.fx.IncidentA),
		chromedp.Click(chromedp.CSS(`form[action$="/ack"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/ack"]`)),
		chromedp.WaitVisible(chromedp.CSS("#status")))
	if s := text(t, actx, "#status"); !strings.HasPrefix(s, "acknowledged by admin") {
		t.Fatalf("status after acknowledging: %q", s)
	}
	sh.shot(actx, "08-incident-acknowledged")

	// Clusters: the analyst opens the demo cluster and confirms it.
	do(t, ctx, "cluster", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/clusters"),
		chromedp.Click(chromedp.CSS(`a[href="/clusters/`+e.fx.Cluster+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#lbl")),
		chromedp.SetValue(chromedp.CSS("#lbl"), "confirmed"),
		chromedp.SendKeys(chromedp.CSS("#note"), "same copypasta in four accounts"),
		chromedp.Click(chromedp.CSS(`form[action$="/label"] button`)),
	)
	testenv.Eventually(t, 10*time.Second, "cluster label shown", func() bool {
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#label")))
		return err == nil && strings.HasPrefix(s, "confirmed by analyst")
	})
	sh.shot(ctx, "09-cluster-labelled")
}
