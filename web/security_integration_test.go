package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// formLogin logs in through the HTML form with next and returns the redirect target.
func (e *env) formLogin(name, next string) string {
	e.t.Helper()
	f := e.anon()
	code, page := f.get("/login")
	i := strings.Index(page, `name="csrf" value="`)
	if code != 200 || i < 0 {
		e.t.Fatalf("login page %d", code)
	}
	tok := page[i+len(`name="csrf" value="`):]
	tok = tok[:strings.IndexByte(tok, '"')]
	body := url.Values{"name": {name}, "password": {testPassword}, "csrf": {tok}, "next": {next}}.Encode()
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("form login: %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// TestIntegrationLoginOpenRedirect logs in through the form with the next= values of
// the review (issue 19, item 6): the browser is only ever sent to a path on this site.
func TestIntegrationLoginOpenRedirect(t *testing.T) {
	e := newEnv(t)
	for _, next := range []string{"/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/\r\n/evil.example"} {
		if loc := e.formLogin("analyst", next); loc != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, loc)
		}
	}
	if loc := e.formLogin("analyst", "/incidents?status=open"); loc != "/incidents?status=open" {
		t.Errorf("a local next was not kept: %q", loc)
	}
	// The login page does not render a hostile next into its form either.
	_, page := e.anon().get("/login?next=" + url.QueryEscape("/\t/evil.example"))
	if strings.Contains(page, "evil.example") {
		t.Error("login page renders the hostile next")
	}
}

// TestIntegrationAccountChangeRevokesSessions: a stolen session stops working once the
// account's password or role is changed (issue 19, item 12).
func TestIntegrationAccountChangeRevokesSessions(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin")
	put := func(body string) {
		t.Helper()
		if code, resp := admin.do("POST", "/api/users", "application/json", body, true); code != 200 {
			t.Fatalf("put user %s: %d %s", body, code, resp)
		}
	}
	// Password change.
	stolen := e.login("analyst")
	if code, _ := stolen.get("/api/me"); code != 200 {
		t.Fatalf("me before: %d", code)
	}
	const newPassword = "a-brand-new-password-1"
	put(fmt.Sprintf(`{"name":"analyst","role":"analyst","password":%q}`, newPassword))
	if code, _ := stolen.get("/api/me"); code != 401 {
		t.Fatalf("session opened before the password change: %d, want 401", code)
	}
	c := e.anon()
	if code, _ := c.do("POST", "/api/login", "application/json", fmt.Sprintf(`{"name":"analyst","password":%q}`, newPassword), false); code != 200 {
		t.Fatalf("login with the new password: %d", code)
	}
	if code, _ := c.get("/api/me"); code != 200 {
		t.Fatalf("session opened after the change: %d", code)
	}
	// Role (and organisation) change.
	org := e.login("alpha")
	put(fmt.Sprintf(`{"name":"alpha","role":"org","org":"org-beta","password":%q}`, testPassword))
	if code, _ := org.get("/api/incidents"); code != 401 {
		t.Fatalf("session opened before the organisation changed: %d, want 401", code)
	}
	// Other accounts keep their sessions.
	if code, _ := admin.get("/api/me"); code != 200 {
		t.Fatalf("admin's own session after changing others: %d", code)
	}
	var n uint64
	if err := e.conn.QueryRow(t.Context(), `SELECT count() FROM sessions FINAL WHERE user = 'alpha' AND revoked = 0`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("live sessions of alpha after the change: %d %v", n, err)
	}
}

// TestIntegrationAcknowledgeScope: acknowledging cancels an incident's pending alerts,
// so by default analysts may not, and an organisation user only for its own incidents
// (issue 19, item 13).
func TestIntegrationAcknowledgeScope(t *testing.T) {
	e := newEnv(t)
	analyst := e.login("analyst")
	if code, body := analyst.do("POST", "/api/incidents/"+e.fx.IncidentA+"/ack", "application/json", "", true); code != 403 {
		t.Fatalf("analyst acknowledging org-alpha's incident: %d %s", code, body)
	}
	_, page := analyst.get("/incidents/" + e.fx.IncidentA)
	if strings.Contains(page, `/ack"`) {
		t.Error("the incident page offers analysts the acknowledge button")
	}
	alpha := e.login("alpha")
	if code, _ := alpha.do("POST", "/api/incidents/"+e.fx.IncidentB+"/ack", "application/json", "", true); code != 404 {
		t.Fatalf("org-alpha acknowledging another organisation's incident: %d, want 404", code)
	}
	if code, body := alpha.get("/api/incidents/" + e.fx.IncidentA); code != 200 || !strings.Contains(body, `"status": "open"`) {
		t.Fatalf("incident after refused acknowledgements: %d %.300s", code, body)
	}
	if code, body := alpha.do("POST", "/api/incidents/"+e.fx.IncidentA+"/ack", "application/json", "", true); code != 200 {
		t.Fatalf("org-alpha acknowledging its own incident: %d %s", code, body)
	}
}

// TestIntegrationUnclassifiedPostIsRedacted: a post the exposure classifier has no
// current verdict on (not classified yet, stuck in the dead-letter queue, or edited
// since) is shown with its identifiers masked, on the page and in the API, to an
// organisation user (issue 19, item 5).
func TestIntegrationUnclassifiedPostIsRedacted(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	const rawPhone = "+996 555 123 456"
	text := "Звоните ему по номеру " + rawPhone + ", пусть знает."
	posts := []post.Post{
		{ID: "telegram:demo_unclassified/1", Source: "telegram", Channel: "demo_unclassified", Author: "demo_a", Text: text,
			Lang: "ru", PublishedAt: now.Add(-time.Hour), CollectedAt: now.Add(-50 * time.Minute), Media: []post.Media{}},
		{ID: "telegram:demo_unclassified/2", Source: "telegram", Channel: "demo_unclassified", Author: "demo_a", Text: text,
			Lang: "ru", PublishedAt: now.Add(-time.Hour), CollectedAt: now.Add(-10 * time.Minute), Media: []post.Media{}},
		{ID: "telegram:demo_unclassified/3", Source: "telegram", Channel: "demo_unclassified", Author: "demo_a", Text: text,
			Lang: "ru", PublishedAt: now.Add(-time.Hour), CollectedAt: now.Add(-50 * time.Minute), Media: []post.Media{}},
	}
	if err := storage.InsertPosts(ctx, e.conn, posts); err != nil {
		t.Fatal(err)
	}
	verdict := func(p post.Post, at time.Time) storage.Classification {
		return storage.Classification{PostID: p.ID, Classifier: "exposure", ClassifierVersion: "test", Labels: []string{"severity:none"},
			Result: `{"exposed":false}`, Source: p.Source, Channel: p.Channel, Author: p.Author, Lang: p.Lang,
			PublishedAt: p.PublishedAt, ClassifiedAt: at}
	}
	// Post 2 was classified, then edited (collected again 30 minutes later) and not
	// classified since; post 3 has a current verdict (clean), and is shown as it is.
	if err := storage.InsertClassifications(ctx, e.conn, []storage.Classification{
		verdict(posts[1], now.Add(-40*time.Minute)), verdict(posts[2], now.Add(-45*time.Minute))}); err != nil {
		t.Fatal(err)
	}
	org := e.login("alpha")
	for _, p := range posts[:2] {
		for _, path := range []string{"/posts/" + p.ID, "/api/posts/" + p.ID} {
			code, body := org.get(path)
			if code != 200 {
				t.Fatalf("%s: %d %.300s", path, code, body)
			}
			if strings.Contains(body, "555 123") || strings.Contains(body, "555123") {
				t.Errorf("%s shows the raw phone number of a post without a current verdict:\n%.600s", path, body)
			}
			if !strings.Contains(body, "456") {
				t.Errorf("%s: the masked phone (last digits kept) is missing:\n%.600s", path, body)
			}
		}
		_, body := org.get("/api/posts/" + p.ID)
		if !strings.Contains(body, `"redacted": true`) || !strings.Contains(body, `"unverified": true`) {
			t.Errorf("API of %s does not say the text is masked: %.400s", p.ID, body)
		}
	}
	if _, body := org.get("/api/posts/" + posts[2].ID); !strings.Contains(body, rawPhone) {
		t.Errorf("a post with a current clean verdict is masked too: %.400s", body)
	}
}

// TestIntegrationOrgChannels: an organisation user sees only its organisation's alert
// channels and cannot route its alerts to another organisation's channel, or to one
// bound to none (issue 19, item 7).
func TestIntegrationOrgChannels(t *testing.T) {
	e := newEnv(t)
	alpha := e.login("alpha")
	code, body := alpha.get("/api/alert-rules")
	if code != 200 || !strings.Contains(body, `"email"`) || !strings.Contains(body, `"webhook"`) ||
		strings.Contains(body, "beta-hook") || strings.Contains(body, "admin-pager") {
		t.Fatalf("org-alpha's channel list: %d %s", code, body)
	}
	if _, page := alpha.get("/alert-rules"); strings.Contains(page, "beta-hook") || strings.Contains(page, "admin-pager") {
		t.Fatal("the rules page offers org-alpha other channels")
	}
	for _, ch := range []string{"beta-hook", "admin-pager", "no-such-channel"} {
		rule := fmt.Sprintf(`{"org":"org-alpha","min_severity":"high","channels":["email",%q]}`, ch)
		if code, body := alpha.do("POST", "/api/alert-rules", "application/json", rule, true); code != 400 {
			t.Errorf("org-alpha routing to %s: %d %s", ch, code, body)
		}
	}
	if code, body := alpha.do("POST", "/api/alert-rules", "application/json",
		`{"org":"org-alpha","min_severity":"high","channels":["email","webhook"]}`, true); code != 200 {
		t.Fatalf("org-alpha routing to its own channels: %d %s", code, body)
	}
	// Staff see every channel.
	if _, body := e.login("admin").get("/api/alert-rules"); !strings.Contains(body, "beta-hook") || !strings.Contains(body, "admin-pager") {
		t.Fatalf("admin's channel list: %s", body)
	}
}

// TestIntegrationClusterLinksRedacted: a cluster row stored with a victim's profile link
// and phone number in its evidence (written before links were redacted, or by a
// detector without a redactor) is shown without them, on the page and in the API
// (issue 19, item 8).
func TestIntegrationClusterLinksRedacted(t *testing.T) {
	e := newEnv(t)
	now := time.Now().UTC()
	b, err := e.conn.PrepareBatch(t.Context(), `INSERT INTO coordination_clusters (id, status, merged_into, size, score, behaviours,
		accounts, posts, posts_truncated, texts, links, reply_targets, frames, frame_posts, capped_objects, capped_actions,
		first_at, last_at, detected_at, detector, params, version)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("cl-links", "active", "", uint32(3), 0.9, []string{"co_link"}, []string{"vk:a", "vk:b", "vk:c"}, []string{"vk:1"},
		uint8(0), []string{"Звоните ему по номеру +996 555 123 456, пусть знает."},
		[]string{"https://vk.com/id48151623", "https://demo.invalid/article/1"}, []string{"t.me/demo_victim_kg/77"},
		[]string{}, []uint32{}, uint32(0), uint32(0), now.Add(-2*time.Hour), now.Add(-time.Hour), now, "demo", `{}`, uint64(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	org := e.login("alpha")
	for _, path := range []string{"/clusters/cl-links", "/api/clusters/cl-links", "/api/clusters"} {
		code, body := org.get(path)
		if code != 200 {
			t.Fatalf("%s: %d %.300s", path, code, body)
		}
		for _, raw := range []string{"id48151623", "555 123"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s shows %q", path, raw)
			}
		}
		if !strings.Contains(body, "vk.com/…") || !strings.Contains(body, "demo.invalid/article/1") {
			t.Errorf("%s: the redacted link's host or the harmless link is missing:\n%.800s", path, body)
		}
	}
}
