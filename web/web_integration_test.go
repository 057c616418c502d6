package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/web"
	"github.com/kuzot/kuzot/web/auth"
	"github.com/kuzot/kuzot/web/demodata"
	"github.com/kuzot/kuzot/web/webtest"
)

// cheap argon2id costs keep the tests fast; production uses auth.DefaultParams.
var cheap = auth.Params{Time: 1, MemKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

const testPassword = "demo-password-1234"

// env is a running UI on a fresh database with demo data and one account per role.
type env struct {
	t    *testing.T
	srv  *httptest.Server
	ws   *web.Server
	db   *web.DB
	conn driver.Conn
	fx   demodata.Fixture
}

// accounts: name -> user. "orgpriv" is an organisation user with the unredact flag.
var accounts = []web.User{
	{Name: "admin", Role: web.RoleAdmin},
	{Name: "analyst", Role: web.RoleAnalyst},
	{Name: "alpha", Role: web.RoleOrg, Org: "org-alpha"},
	{Name: "alphapriv", Role: web.RoleOrg, Org: "org-alpha", CanUnredact: true},
}

func newEnv(t *testing.T, opts ...func(*web.Options)) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	now := time.Now().UTC()
	fx, err := demodata.Seed(ctx, conn, now)
	if err != nil {
		t.Fatal(err)
	}
	db := &web.DB{Conn: conn}
	cfg, err := web.LoadConfig(nil, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	insecure := false
	cfg.SecureCookies = &insecure
	if err := os.MkdirAll(cfg.ReportsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{fx.GeneralReport, fx.OrgBReport} {
		if err := os.WriteFile(filepath.Join(cfg.ReportsDir, f), []byte("<h1>"+f+"</h1>\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A file on disk that no report row names is never served.
	if err := os.WriteFile(filepath.Join(cfg.ReportsDir, "stray.html"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := web.Options{DB: db, Log: testenv.Logger(t), Config: cfg, Acker: webtest.ClickHouseAcker{DB: db},
		Labeler:  web.CoordinationLabeler{Store: coordination.NewStore(conn)},
		Backfill: &recordingBackfiller{},
		Rules:    &memRules{rules: map[string]web.AlertRule{"org-beta": {Org: "org-beta", MinSeverity: "high", Channels: []string{"webhook"}, Source: "config"}}}}
	for _, f := range opts {
		f(&o)
	}
	ws, err := web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.SetHashParams(cheap); err != nil {
		t.Fatal(err)
	}
	for _, u := range accounts {
		if err := ws.CreateUser(ctx, u, testPassword); err != nil {
			t.Fatalf("create %s: %v", u.Name, err)
		}
	}
	srv := httptest.NewServer(ws.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, ws: ws, db: db, conn: conn, fx: fx}
}

// client is a browser-like HTTP client with a cookie jar that does not follow redirects.
type client struct {
	e    *env
	hc   *http.Client
	csrf string
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login logs in through the JSON API and keeps the CSRF token it returns.
func (e *env) login(name string) *client {
	e.t.Helper()
	c := e.anon()
	code, body := c.do("POST", "/api/login", "application/json", fmt.Sprintf(`{"name":%q,"password":%q}`, name, testPassword), false)
	if code != 200 {
		e.t.Fatalf("login %s: %d %s", name, code, body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.CSRF == "" {
		e.t.Fatalf("login %s: %s", name, body)
	}
	c.csrf = out.CSRF
	return c
}

func (c *client) do(method, path, ctype, body string, withCSRF bool) (int, string) {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if withCSRF && c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) { return c.do("GET", path, "", "", false) }

// request builds the request for one endpoint with real path values and bodies.
func (e *env) request(ep web.Endpoint, n int) (method, path, ctype, body string) {
	path = ep.Path
	path = strings.ReplaceAll(path, "{$}", "")
	path = strings.ReplaceAll(path, "{file...}", "app.css")
	path = strings.ReplaceAll(path, "{name}", e.fx.GeneralReport)
	path = strings.ReplaceAll(path, "{org}", "org-alpha")
	if strings.HasPrefix(path, "/posts/") || strings.HasPrefix(path, "/api/posts/") {
		path = strings.ReplaceAll(path, "{id...}", e.fx.Flagged)
	}
	path = strings.ReplaceAll(path, "/clusters/{id}", "/clusters/"+e.fx.Cluster)
	path = strings.ReplaceAll(path, "{id}", e.fx.IncidentA)
	switch {
	case ep.Method == "GET":
		return "GET", path, "", ""
	case path == "/api/users":
		return "POST", path, "application/json", fmt.Sprintf(`{"name":"made-%d","role":"analyst","password":"a-long-password-%d"}`, n, n)
	case path == "/api/alert-rules":
		return "POST", path, "application/json", `{"org":"org-alpha","min_severity":"high","channels":["webhook"]}`
	case path == "/alert-rules":
		return "POST", path, "application/x-www-form-urlencoded", "org=org-alpha&min_severity=high&channels=webhook"
	case path == "/api/alerts/backfill":
		return "POST", path, "application/json", `{"org":"org-alpha","since":"24h"}`
	case path == "/api/narrative-labels":
		return "POST", path, "application/json", fmt.Sprintf(`{"post_id":%q,"action":"confirm","frames":["foreign_agent"]}`, e.fx.Flagged)
	case path == "/narrative-labels":
		return "POST", path, "application/x-www-form-urlencoded", "post=" + url.QueryEscape(e.fx.Flagged) + "&action=dismiss&kind=news"
	case strings.HasSuffix(path, "/label") && ep.API:
		return "POST", path, "application/json", `{"label":"confirmed","note":"same copypasta"}`
	case strings.HasSuffix(path, "/label"):
		return "POST", path, "application/x-www-form-urlencoded", "label=dismissed"
	case path == "/admin/users":
		return "POST", path, "application/x-www-form-urlencoded", fmt.Sprintf("name=form-%d&role=analyst&password=a-long-password-x", n)
	case ep.API:
		return "POST", path, "application/json", ""
	}
	return "POST", path, "application/x-www-form-urlencoded", ""
}

// TestIntegrationAuthorization calls every endpoint as every role (and anonymously) and
// checks the status against the route table's roles and the special rules: unredacting
// needs the privilege, clusters are absent without coordination.
func TestIntegrationAuthorization(t *testing.T) {
	e := newEnv(t)
	roles := append([]string{""}, "admin", "analyst", "alpha", "alphapriv")
	n := 0
	for _, ep := range e.ws.Endpoints() {
		if ep.Path == "/login" || ep.Path == "/api/login" {
			continue // covered by TestIntegrationLogin
		}
		for _, who := range roles {
			n++
			t.Run(ep.Method+" "+ep.Path+" as "+or(who, "anonymous"), func(t *testing.T) {
				var c *client
				var u web.User
				if who == "" {
					c = e.anon()
				} else {
					c = e.login(who)
					for _, a := range accounts {
						if a.Name == who {
							u = a
						}
					}
				}
				method, path, ctype, body := e.request(ep, n)
				if ctype == "application/x-www-form-urlencoded" && c.csrf != "" {
					if body != "" {
						body += "&"
					}
					body += "csrf=" + url.QueryEscape(c.csrf)
				}
				code, resp := c.do(method, path, ctype, body, ep.API)
				allowed := len(ep.Roles) == 0
				for _, r := range ep.Roles {
					allowed = allowed || (who != "" && r == u.Role)
				}
				want := 200
				switch {
				case !allowed && who == "" && ep.API:
					want = 401
				case !allowed && who == "":
					want = 303 // to /login
				case !allowed:
					want = 403
				case strings.HasSuffix(ep.Path, "/unredact") && !u.Privileged():
					want = 403
				case method == "POST" && !ep.API && !strings.HasSuffix(ep.Path, "/unredact"):
					want = 303 // form posts redirect; the unredacted view renders
				case ep.Path == "/api/alerts/backfill":
					want = 202 // a digest is queued
				}
				if code != want {
					t.Fatalf("%s %s as %q: status %d, want %d\n%.400s", method, path, who, code, want, resp)
				}
			})
		}
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestIntegrationOrgScope: an organisation user sees only its organisation's incidents
// and alerts, and another organisation's incident is not found (not even forbidden).
func TestIntegrationOrgScope(t *testing.T) {
	e := newEnv(t)
	alpha := e.login("alphapriv")
	code, body := alpha.get("/api/incidents")
	if code != 200 || !strings.Contains(body, e.fx.IncidentA) || strings.Contains(body, e.fx.IncidentB) {
		t.Fatalf("org incidents %d: %s", code, body)
	}
	code, body = alpha.get("/api/reports")
	if code != 200 || !strings.Contains(body, e.fx.GeneralReport) || strings.Contains(body, e.fx.OrgBReport) {
		t.Fatalf("org reports %d: %s", code, body)
	}
	if code, _ := alpha.get("/reports/" + e.fx.OrgBReport); code != 404 {
		t.Fatalf("other org's report file: %d", code)
	}
	code, body = alpha.get("/api/alerts")
	if code != 200 || !strings.Contains(body, "org-alpha") || strings.Contains(body, "org-beta") {
		t.Fatalf("org alerts %d: %s", code, body)
	}
	for _, p := range []string{"/api/incidents/" + e.fx.IncidentB, "/incidents/" + e.fx.IncidentB} {
		if code, body := alpha.get(p); code != 404 {
			t.Fatalf("other org's incident %s: %d %s", p, code, body)
		}
	}
	if code, body := alpha.do("POST", "/api/incidents/"+e.fx.IncidentB+"/unredact", "application/json", "", true); code != 404 {
		t.Fatalf("unredact other org's incident: %d %s", code, body)
	}
	if code, body := alpha.do("POST", "/api/incidents/"+e.fx.IncidentB+"/ack", "application/json", "", true); code != 404 {
		t.Fatalf("ack other org's incident: %d %s", code, body)
	}
	// The overview counts only the org's open incidents.
	code, body = alpha.get("/api/overview")
	var o web.Overview
	if code != 200 || json.Unmarshal([]byte(body), &o) != nil || o.OpenIncidents != 1 || len(o.Incidents) != 1 {
		t.Fatalf("org overview %d: open=%d incidents=%d", code, o.OpenIncidents, len(o.Incidents))
	}
	admin := e.login("admin")
	if code, _ := admin.get("/reports/" + e.fx.OrgBReport); code != 200 {
		t.Fatalf("admin downloads an org report: %d", code)
	}
	if code, body := admin.get("/api/incidents"); code != 200 || !strings.Contains(body, e.fx.IncidentB) {
		t.Fatalf("admin incidents %d: %s", code, body)
	}
}

// TestIntegrationRedaction: evidence is redacted by default; unredacting needs the
// privilege and writes one audit row per view.
func TestIntegrationRedaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, who := range []string{"admin", "analyst", "alpha"} {
		code, body := e.login(who).get("/api/incidents/" + e.fx.IncidentA)
		if code != 200 || !strings.Contains(body, e.fx.RedactedMarker) || strings.Contains(body, e.fx.RawMarker) {
			t.Fatalf("%s default view %d: %s", who, code, body)
		}
	}
	// The explorer and post pages show exposed posts redacted too.
	code, body := e.login("analyst").get("/api/posts/" + url.PathEscape(e.fx.ExposedPost))
	if code != 200 || strings.Contains(body, e.fx.RawMarker) || !strings.Contains(body, `"redacted": true`) {
		t.Fatalf("post view of an exposing post %d: %s", code, body)
	}
	audits := func() uint64 {
		var n uint64
		if err := e.conn.QueryRow(ctx, `SELECT count() FROM audit_log WHERE action = 'unredact_incident' AND object_id = ?`,
			e.fx.IncidentA).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, who := range []string{"analyst", "alpha"} {
		if code, _ := e.login(who).do("POST", "/api/incidents/"+e.fx.IncidentA+"/unredact", "application/json", "", true); code != 403 {
			t.Fatalf("%s unredact: %d", who, code)
		}
	}
	if n := audits(); n != 0 {
		t.Fatalf("refused views audited as unredacted: %d", n)
	}
	for i, who := range []string{"admin", "alphapriv"} {
		code, body := e.login(who).do("POST", "/api/incidents/"+e.fx.IncidentA+"/unredact", "application/json", "", true)
		if code != 200 || !strings.Contains(body, e.fx.RawMarker) {
			t.Fatalf("%s unredact %d: %s", who, code, body)
		}
		if n := audits(); n != uint64(i+1) {
			t.Fatalf("after %s's unredacted view: %d audit rows, want %d", who, n, i+1)
		}
	}
	var user, role, ip string
	if err := e.conn.QueryRow(ctx, `SELECT user, role, ip FROM audit_log WHERE action = 'unredact_incident' ORDER BY at, user LIMIT 1`).
		Scan(&user, &role, &ip); err != nil || user == "" || role == "" || ip == "" {
		t.Fatalf("audit row: %q %q %q %v", user, role, ip, err)
	}
}

// TestIntegrationCSRFAndOrigin: state-changing calls need the session's CSRF token and
// a same-origin Origin header when one is sent.
func TestIntegrationCSRFAndOrigin(t *testing.T) {
	e := newEnv(t)
	c := e.login("admin")
	if code, _ := c.do("POST", "/api/incidents/"+e.fx.IncidentA+"/ack", "application/json", "", false); code != 403 {
		t.Fatalf("ack without CSRF: %d", code)
	}
	other := e.login("analyst")
	c2 := *c
	c2.csrf = other.csrf
	if code, _ := c2.do("POST", "/api/incidents/"+e.fx.IncidentA+"/ack", "application/json", "", true); code != 403 {
		t.Fatalf("ack with another session's CSRF token: %d", code)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/incidents/"+e.fx.IncidentA+"/ack", nil)
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Origin", "https://evil.invalid")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-origin ack: %d", resp.StatusCode)
	}
	if code, body := c.do("POST", "/api/incidents/"+e.fx.IncidentA+"/ack", "application/json", "", true); code != 200 {
		t.Fatalf("ack: %d %s", code, body)
	}
	code, body := c.get("/api/incidents/" + e.fx.IncidentA)
	if code != 200 || !strings.Contains(body, `"status": "acknowledged"`) || !strings.Contains(body, `"acknowledged_by": "admin"`) {
		t.Fatalf("after ack %d: %s", code, body)
	}
}

// TestIntegrationLogin: wrong passwords are refused, rate-limited per IP and user, and a
// logged-out session is dead.
func TestIntegrationLogin(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	for i := range 5 {
		code, _ := c.do("POST", "/api/login", "application/json", `{"name":"analyst","password":"wrong-password-123"}`, false)
		if code != 401 {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	code, body := c.do("POST", "/api/login", "application/json", fmt.Sprintf(`{"name":"analyst","password":%q}`, testPassword), false)
	if code != 429 {
		t.Fatalf("6th attempt after 5 failures: %d %s", code, body)
	}
	// Another user from the same IP is not locked out.
	a := e.login("admin")
	if code, _ := a.get("/api/me"); code != 200 {
		t.Fatalf("me: %d", code)
	}
	if code, body := c.do("POST", "/api/login", "application/json", `{"name":"analyst"`, false); code != 400 && code != 429 {
		t.Fatalf("malformed JSON: %d %s", code, body)
	}
	if code, _ := a.do("POST", "/api/logout", "application/json", "", true); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := a.get("/api/me"); code != 401 {
		t.Fatalf("after logout: %d", code)
	}
	// The HTML form needs its pre-login CSRF cookie.
	f := e.anon()
	code, page := f.get("/login")
	i := strings.Index(page, `name="csrf" value="`)
	if code != 200 || i < 0 {
		t.Fatalf("login page %d", code)
	}
	tok := page[i+len(`name="csrf" value="`):]
	tok = tok[:strings.IndexByte(tok, '"')]
	if code, _ := e.anon().do("POST", "/login", "application/x-www-form-urlencoded", "name=admin&password="+testPassword+"&csrf=wrong", false); code != 403 {
		t.Fatalf("login form with a wrong CSRF token: %d", code)
	}
	code, _ = f.do("POST", "/login", "application/x-www-form-urlencoded", "name=admin&password="+testPassword+"&csrf="+tok+"&next=//evil.invalid", false)
	if code != 303 {
		t.Fatalf("login form: %d", code)
	}
	if code, _ := f.get("/"); code != 200 {
		t.Fatalf("overview after form login: %d", code)
	}
	var n uint64
	if err := e.conn.QueryRow(context.Background(), `SELECT count() FROM audit_log WHERE action = 'login_failed' AND user = 'analyst'`).Scan(&n); err != nil || n != 5 {
		t.Fatalf("failed logins audited: %d %v", n, err)
	}
	// Passwords are stored as argon2id hashes.
	var h string
	if err := e.conn.QueryRow(context.Background(), `SELECT password_hash FROM users FINAL WHERE name = 'admin'`).Scan(&h); err != nil ||
		!strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, testPassword) {
		t.Fatalf("stored hash %q %v", h, err)
	}
}

// TestIntegrationPagesAndAPI checks what the pages and API return on demo data.
func TestIntegrationPagesAndAPI(t *testing.T) {
	e := newEnv(t)
	c := e.login("analyst")
	code, body := c.get("/")
	if code != 200 || !strings.Contains(body, `<svg class="chart"`) || !strings.Contains(body, "<polyline") {
		t.Fatalf("overview %d: %.500s", code, body)
	}
	code, body = c.get("/api/overview")
	var o web.Overview
	if code != 200 || json.Unmarshal([]byte(body), &o) != nil {
		t.Fatalf("api overview %d %s", code, body)
	}
	if o.Flagged != uint64(e.fx.FlaggedPosts) || o.Posts != uint64(e.fx.Posts) || o.Exposures != 2 || o.OpenIncidents != 2 || len(o.Daily) == 0 {
		t.Fatalf("overview numbers: posts=%d flagged=%d exposures=%d open=%d (fixture %d/%d)", o.Posts, o.Flagged, o.Exposures,
			o.OpenIncidents, e.fx.Posts, e.fx.FlaggedPosts)
	}
	code, body = c.get("/api/posts?frame=foreign_agent&lang=ru")
	var ps struct{ Posts []web.PostRow }
	if code != 200 || json.Unmarshal([]byte(body), &ps) != nil || len(ps.Posts) == 0 {
		t.Fatalf("explorer %d %s", code, body)
	}
	for _, p := range ps.Posts {
		if len(p.Frames) != 1 || p.Frames[0] != "foreign_agent" || p.Lang != "ru" || len(p.Evidence) == 0 {
			t.Fatalf("filter leak: %+v", p)
		}
		ev := p.Evidence[0]
		if p.Text[ev.Start:ev.End] != ev.Text {
			t.Fatalf("evidence span %d-%d does not match %q in %q", ev.Start, ev.End, ev.Text, p.Text)
		}
	}
	// A newer classification that no longer flags a post hides it at once, before
	// background merges collapse the versions.
	if err := e.conn.Exec(context.Background(), `INSERT INTO classifications (post_id, classifier, classifier_version, flagged,
		score, labels, result, source, channel, author, lang, published_at, classified_at, version)
		SELECT post_id, classifier, 'v2', 0, 0.1, [], '{"homophobic":false,"score":0.1,"frames":[],"evidence":[]}', source, channel,
		author, lang, published_at, classified_at, version + 1 FROM classifications WHERE post_id = ?`, ps.Posts[0].ID); err != nil {
		t.Fatal(err)
	}
	// ... as the store role also writes it to narrative_posts (the explorer's table).
	if err := e.conn.Exec(context.Background(), `INSERT INTO narrative_posts (published_at, flagged, post_id, source,
		channel, author, lang, url, frames, score, result, text, classified_at, version)
		SELECT published_at, 0, post_id, source, channel, author, lang, url, [], 0.1, '', '', classified_at, version + 1
		FROM narrative_posts WHERE post_id = ?`, ps.Posts[0].ID); err != nil {
		t.Fatal(err)
	}
	code, body = c.get("/api/posts?frame=foreign_agent&lang=ru")
	if code != 200 || strings.Contains(body, `"id": "`+ps.Posts[0].ID+`"`) || !strings.Contains(body, `"id": "`+ps.Posts[1].ID+`"`) {
		t.Fatalf("re-classified post %s still listed (or others lost): %d", ps.Posts[0].ID, code)
	}
	code, body = c.get("/api/posts?q=" + url.QueryEscape("ГРАНТЫ"))
	if code != 200 || !strings.Contains(body, "гранты") || strings.Contains(body, "погоде") {
		t.Fatalf("full-text search %d %.300s", code, body)
	}
	code, body = c.get("/posts/" + url.PathEscape(e.fx.Flagged))
	if code != 200 || !strings.Contains(body, `<mark class="ev"`) || !strings.Contains(body, e.fx.EvidenceText) {
		t.Fatalf("post page %d %.800s", code, body)
	}
	for _, bad := range []string{"/api/posts?frame=nope", "/api/posts?from=2026-13-01", "/api/posts?page=0",
		"/api/posts?q=" + url.QueryEscape(strings.Repeat("x", 300)), "/api/posts?from=2026-02-01&to=2026-01-01"} {
		if code, _ := c.get(bad); code != 400 {
			t.Fatalf("%s: %d, want 400", bad, code)
		}
	}
	if code, _ := c.get("/api/posts/nope"); code != 404 {
		t.Fatalf("missing post: %d", code)
	}
	if code, body := c.get("/sources"); code != 200 || !strings.Contains(body, "demo_kanal_1") {
		t.Fatalf("sources %d", code)
	}
	if code, body := c.get("/alerts"); code != 200 || !strings.Contains(body, "hooks.demo.invalid: 503") {
		t.Fatalf("alerts %d", code)
	}
	if code, body := c.get("/reports/" + e.fx.GeneralReport); code != 200 || body != "<h1>"+e.fx.GeneralReport+"</h1>\n" {
		t.Fatalf("report download %d %q", code, body)
	}
	for _, p := range []string{"/reports/..%2Fsecret.md", "/reports/.hidden.md", "/static/..%2F..%2Fweb.go", "/reports/stray.html"} {
		if code, _ := c.get(p); code != 404 {
			t.Fatalf("%s: %d, want 404", p, code)
		}
	}
	resp, err := http.Get(e.srv.URL + "/static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP header %q", csp)
	}
	// Clusters: the newest version of the demo cluster with its members' signals; labels.
	code, body = c.get("/api/clusters/" + e.fx.Cluster)
	var cl web.Cluster
	if code != 200 || json.Unmarshal([]byte(body), &cl) != nil || cl.Size != 4 || len(cl.Members) != 4 || cl.Members[0].CoActions != 9 {
		t.Fatalf("cluster %d: %s", code, body)
	}
	if cl.Rhythm == nil || cl.Rhythm.Kind != "daily" || len(cl.Rhythm.Timeline) != 3 || len(cl.Platforms) != 1 {
		t.Fatalf("cluster rhythm %+v platforms %v", cl.Rhythm, cl.Platforms)
	}
	if code, body := c.do("POST", "/api/clusters/"+e.fx.Cluster+"/label", "application/json", `{"label":"maybe"}`, true); code != 400 {
		t.Fatalf("bad label: %d %s", code, body)
	}
	if code, body := c.do("POST", "/api/clusters/"+e.fx.Cluster+"/label", "application/json", `{"label":"confirmed","note":"same text"}`, true); code != 200 {
		t.Fatalf("label: %d %s", code, body)
	}
	if code, body := c.get("/api/clusters"); code != 200 || !strings.Contains(body, `"label": "confirmed"`) {
		t.Fatalf("clusters after labelling %d: %s", code, body)
	}
	if code, _ := c.get("/api/clusters/nope"); code != 404 {
		t.Fatalf("missing cluster: %d", code)
	}
	if code, body := c.get("/clusters/" + e.fx.Cluster); code != 200 || !strings.Contains(body, `<svg class="timeline"`) ||
		strings.Count(body, "<rect ") != 3 || !strings.Contains(body, "daily: 3 bursts, median gap 17h30m0s") {
		t.Fatalf("cluster page lacks the rhythm timeline: %d", code)
	}
	if code, body := c.get("/clusters/" + e.fx.Cluster); code != 200 || !strings.Contains(body, "confirmed by analyst") || !strings.Contains(body, "demo_account_07") {
		t.Fatalf("cluster page %d", code)
	}
	// Admin API: a user with a short password or an org role without org is refused.
	a := e.login("admin")
	for _, body := range []string{`{"name":"x","role":"analyst","password":"short"}`, `{"name":"y","role":"org","password":"long-enough-password"}`,
		`{"name":"bad name!","role":"analyst","password":"long-enough-password"}`, `{"name":"z","role":"root","password":"long-enough-password"}`,
		`{"name":"z","role":"analyst","password":"long-enough-password","extra":1}`, `not json`} {
		if code, resp := a.do("POST", "/api/users", "application/json", body, true); code != 400 {
			t.Fatalf("put user %s: %d %s", body, code, resp)
		}
	}
}

// memRules is an in-memory web.RuleManager for the UI's own tests (the alert engine's
// adapter is exercised by app's serve test).
type memRules struct {
	mu    sync.Mutex
	rules map[string]web.AlertRule
}

func (m *memRules) Rules(context.Context) ([]web.AlertRule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []web.AlertRule
	for _, r := range m.rules {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b web.AlertRule) int { return strings.Compare(a.Org, b.Org) })
	return out, nil
}

func (m *memRules) SetRule(_ context.Context, r web.AlertRule) error {
	if r.Org == "" || !slices.Contains([]string{"low", "medium", "high", "critical"}, r.MinSeverity) || len(r.Channels) == 0 {
		return fmt.Errorf("%w: org, severity and channels are required", web.ErrInvalidRule)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r.Source = "api"
	m.rules[r.Org] = r
	return nil
}

func (m *memRules) ResetRule(_ context.Context, org string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rules, org)
	return nil
}

// Channels: "webhook" is shared by both organisations, "email" is org-alpha's,
// "beta-hook" org-beta's, and "admin-pager" belongs to no organisation.
func (m *memRules) Channels() []web.AlertChannel {
	return []web.AlertChannel{{Name: "admin-pager"}, {Name: "beta-hook", Orgs: []string{"org-beta"}},
		{Name: "email", Orgs: []string{"org-alpha"}}, {Name: "webhook", Orgs: []string{"org-alpha", "org-beta"}}}
}

// TestIntegrationAlertRules: organisation users see and change only their own rule.
func TestIntegrationAlertRules(t *testing.T) {
	e := newEnv(t)
	alpha := e.login("alpha")
	if code, body := alpha.do("POST", "/api/alert-rules", "application/json", `{"org":"org-alpha","min_severity":"critical","channels":["email"]}`, true); code != 200 {
		t.Fatalf("own rule: %d %s", code, body)
	}
	if code, body := alpha.do("POST", "/api/alert-rules", "application/json", `{"org":"org-beta","min_severity":"low","channels":["email"]}`, true); code != 404 {
		t.Fatalf("other org's rule: %d %s", code, body)
	}
	if code, body := alpha.do("POST", "/api/alert-rules/org-beta/reset", "application/json", "", true); code != 404 {
		t.Fatalf("reset other org's rule: %d %s", code, body)
	}
	code, body := alpha.get("/api/alert-rules")
	if code != 200 || !strings.Contains(body, "org-alpha") || strings.Contains(body, "org-beta") {
		t.Fatalf("org rules %d %s", code, body)
	}
	if code, body := e.login("analyst").do("POST", "/api/alert-rules", "application/json", `{"org":"org-alpha","min_severity":"low","channels":["email"]}`, true); code != 403 {
		t.Fatalf("analyst sets a rule: %d %s", code, body)
	}
	admin := e.login("admin")
	if code, body := admin.do("POST", "/api/alert-rules", "application/json", `{"org":"org-beta","min_severity":"bogus","channels":["email"]}`, true); code != 400 {
		t.Fatalf("invalid rule: %d %s", code, body)
	}
	code, body = admin.get("/api/alert-rules")
	if code != 200 || !strings.Contains(body, "org-alpha") || !strings.Contains(body, "org-beta") {
		t.Fatalf("admin rules %d %s", code, body)
	}
	if code, body := admin.get("/alert-rules"); code != 200 || !strings.Contains(body, "critical") {
		t.Fatalf("rules page %d", code)
	}
	var n uint64
	if err := e.conn.QueryRow(context.Background(), `SELECT count() FROM audit_log WHERE action = 'rule_set'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rule changes audited: %d %v", n, err)
	}
}
