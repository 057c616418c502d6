package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v3"

	"github.com/kuzot/kuzot/app"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/web"
)

// TestIntegrationBrowserTipForm walks the tip form (issue 22) in headless Chromium
// against the real app (collect, store, tipline and serve roles on an embedded
// JetStream and the test ClickHouse, the tipline's form intake on loopback): an
// organisation user submits an SMS with its sender ID and a link for its own
// organisation (no organisation to choose) and sees the receipt and the privacy notice
// in three languages; submitting for another organisation, or without the CSRF token,
// is refused; an analyst submits a near-identical SMS for another organisation and the
// campaign counts two submissions from two organisations in tip_campaigns. Neither
// account's name is stored in any ClickHouse table.
func TestIntegrationBrowserTipForm(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	chromiumPath(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	formAddr := ln.Addr().String()
	ln.Close()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.HTTP.MetricsListen = "127.0.0.1:0"
	cfg.NATS = testenv.NATSConfig(t.TempDir())
	cfg.CH = testenv.ClickHouseConfig(t)
	cfg.Store.FlushInterval = 100 * time.Millisecond
	if err := cfg.Web.Encode(map[string]any{"secure_cookies": false}); err != nil {
		t.Fatal(err)
	}
	var src yaml.Node
	if err := yaml.Unmarshal(fmt.Appendf(nil, `kind: tipline
name: tipline:form-test
reporter_key: test-only-reporter-key-0123456789
default_org: org-alpha
orgs: [{id: org-alpha}, {id: org-beta}]
form: {listen: %q, secret_token: test-only-form-secret-0123456789}
`, formAddr), &src); err != nil {
		t.Fatal(err)
	}
	cfg.Sources = []yaml.Node{*src.Content[0]}
	roles, err := app.SelectRoles("collect,store,tipline,serve")
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
	const orgUser, analystUser = "tipper-orguser", "tipper-analyst"
	for _, u := range []web.User{{Name: analystUser, Role: web.RoleAnalyst}, {Name: orgUser, Role: web.RoleOrg, Org: "org-alpha"}} {
		if err := web.CreateUser(ctx, &web.DB{Conn: conn}, u, testPassword, cheap, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	base := "http://" + run.HTTPAddr
	go func() {
		if err := run.Wait(); err != nil && ctx.Err() == nil {
			t.Errorf("app stopped: %v", err)
		}
	}()
	testenv.Eventually(t, 10*time.Second, "web UI mounted", func() bool {
		resp, err := http.Get(base + "/login")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	sh := shooter{t, artifacts(t)}

	// The organisation user: no organisation to choose, the notice in three languages.
	b := browser(t)
	loginAs(t, b, base, orgUser)
	do(t, b, "open the tip form", chromedp.Navigate(base+"/tips"), chromedp.WaitVisible(chromedp.CSS("form.tipform")))
	if n := count(t, b, "#torg"); n != 0 {
		t.Fatal("an organisation user must not choose the organisation")
	}
	if n := count(t, b, "section.privacy p[lang]"); n != 3 {
		t.Fatalf("%d privacy notices, want EN/RU/KY", n)
	}
	if s := text(t, b, "section.privacy"); !strings.Contains(s, "never store your name") || !strings.Contains(s, "не храним") {
		t.Fatalf("privacy notice: %q", s)
	}
	do(t, b, "submit an SMS",
		chromedp.SendKeys(chromedp.CSS("#ttext"), "Уважаемый Азамат! Партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 10 октября за традиционные ценности!"),
		chromedp.SendKeys(chromedp.CSS("#tsender"), "VOTE-KG"),
		chromedp.Click(chromedp.CSS("form.tipform button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("p.receipt")),
	)
	ref := text(t, b, "p.receipt .ref")
	if len(ref) != 8 {
		t.Fatalf("receipt reference %q", ref)
	}
	sh.shot(b, "tip-form-receipt")
	// Another organisation, or no CSRF token: refused.
	status := func(body string) int {
		t.Helper()
		js := `(async () => { const r = await fetch('/tips', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: ` + quoteJS(body) + `, redirect: 'manual'}); return r.status; })()`
		code, err := chromedp.Run(b, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		return code
	}
	csrf, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('form.tipform input[name=csrf]').value`))
	if err != nil {
		t.Fatal(err)
	}
	if code := status("csrf=" + csrf + "&org=org-beta&text=another+org"); code != http.StatusForbidden {
		t.Errorf("org user submitting for org-beta: %d, want 403", code)
	}
	if code := status("text=no+token"); code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d, want 403", code)
	}

	// The analyst chooses the organisation.
	a := browser(t)
	loginAs(t, a, base, analystUser)
	do(t, a, "analyst submits for org-beta",
		chromedp.Navigate(base+"/tips"), chromedp.WaitVisible(chromedp.CSS("#torg")),
		chromedp.SetValue(chromedp.CSS("#torg"), "org-beta"),
		chromedp.SendKeys(chromedp.CSS("#ttext"), "Уважаемая Гульнара, партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 11 октября за традиционные ценности"),
		chromedp.SendKeys(chromedp.CSS("#tlink"), "https://t.me/kg_demo_patriot/201"),
		chromedp.Click(chromedp.CSS("form.tipform button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("p.receipt")),
	)
	if got := text(t, a, "p.receipt .ref"); got != ref {
		t.Errorf("near-identical SMS has ref %q, want the campaign %q", got, ref)
	}

	var subs uint32
	var orgs []string
	var sender string
	testenv.Eventually(t, 20*time.Second, "campaign stored", func() bool {
		err := conn.QueryRow(ctx, "SELECT submissions, orgs, sms_sender FROM tip_campaigns FINAL WHERE startsWith(fingerprint, ?)", ref).Scan(&subs, &orgs, &sender)
		return err == nil && subs == 2
	})
	if strings.Join(orgs, ",") != "org-alpha,org-beta" || sender != "VOTE-KG" {
		t.Errorf("campaign orgs %v sender %q", orgs, sender)
	}
	// No account name in any table but the accounts' and sessions' own.
	rows, err := conn.Query(ctx, "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT LIKE '%View'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	checked := 0
	for _, tb := range tables {
		if tb == "users" || tb == "sessions" || tb == "audit_log" || strings.HasPrefix(tb, "schema_") {
			continue
		}
		var hits uint64
		q := fmt.Sprintf("SELECT count() FROM %s WHERE positionCaseInsensitive(toString(tuple(*)), ?) > 0 OR positionCaseInsensitive(toString(tuple(*)), ?) > 0", tb)
		if err := conn.QueryRow(ctx, q, orgUser, analystUser).Scan(&hits); err != nil {
			continue // a table whose columns have no text form here (aggregate states)
		}
		checked++
		if hits > 0 {
			t.Errorf("an account name is stored in %s (%d rows)", tb, hits)
		}
	}
	if checked < 3 {
		t.Fatalf("only %d tables searched", checked)
	}
}
