package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/kuzot/kuzot/web"
	"github.com/kuzot/kuzot/web/demodata"
)

type labelsReply struct {
	Labels []struct {
		PostID       string   `json:"post_id"`
		Org          string   `json:"org"`
		Analyst      string   `json:"analyst"`
		Action       string   `json:"action"`
		Homophobic   bool     `json:"homophobic"`
		Frames       []string `json:"frames"`
		ModelVersion string   `json:"model_version"`
		Note         string   `json:"note"`
	} `json:"labels"`
}

func (c *client) labels(query string) labelsReply {
	c.e.t.Helper()
	code, body := c.get("/api/narrative-labels" + query)
	if code != 200 {
		c.e.t.Fatalf("labels%s: %d %s", query, code, body)
	}
	var out labelsReply
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		c.e.t.Fatal(err)
	}
	return out
}

// TestIntegrationNarrativeLabels: staff and organisation users label posts through the
// API and the forms; a label records the model version of the classification and is
// audited; an organisation user sees only its organisation's labels (API, post page,
// labels page); invalid labels are refused; the explorer lists unflagged posts on
// request and filters by model version.
func TestIntegrationNarrativeLabels(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.ws.CreateUser(ctx, web.User{Name: "beta", Role: web.RoleOrg, Org: "org-beta"}, testPassword); err != nil {
		t.Fatal(err)
	}
	analyst, alpha, beta := e.login("analyst"), e.login("alpha"), e.login("beta")
	post := func(c *client, body string) (int, string) {
		return c.do("POST", "/api/narrative-labels", "application/json", body, true)
	}
	if code, body := post(analyst, fmt.Sprintf(`{"post_id":%q,"action":"confirm","frames":["foreign_agent"],"labels":["derogation"]}`, e.fx.Flagged)); code != 200 {
		t.Fatalf("analyst confirm: %d %s", code, body)
	}
	if code, body := post(alpha, fmt.Sprintf(`{"post_id":%q,"action":"dismiss","kind":"counter","note":"alpha-private-note"}`, e.fx.Flagged)); code != 200 {
		t.Fatalf("alpha dismiss: %d %s", code, body)
	}
	// Refused: invalid labels and unknown posts.
	for _, bad := range []struct {
		body string
		code int
	}{
		{fmt.Sprintf(`{"post_id":%q,"action":"dismiss","frames":["foreign_agent"]}`, e.fx.Flagged), 400},
		{fmt.Sprintf(`{"post_id":%q,"action":"confirm","frames":["made_up"]}`, e.fx.Flagged), 400},
		{fmt.Sprintf(`{"post_id":%q,"action":"shrug"}`, e.fx.Flagged), 400},
		{`{"post_id":"telegram:nope/1","action":"confirm"}`, 404},
		{`{"action":"confirm"}`, 400},
	} {
		if code, body := post(beta, bad.body); code != bad.code {
			t.Fatalf("%s: %d %s, want %d", bad.body, code, body, bad.code)
		}
	}
	// Mark a missed post from the explorer's form (as beta).
	form := "post=" + url.QueryEscape(e.fx.Unflagged) + "&action=missed&csrf=" + url.QueryEscape(beta.csrf)
	if code, body := beta.do("POST", "/narrative-labels", "application/x-www-form-urlencoded", form, false); code != 303 {
		t.Fatalf("mark missed: %d %s", code, body)
	}

	q := "?post=" + url.QueryEscape(e.fx.Flagged)
	staff := analyst.labels(q).Labels
	if len(staff) != 2 || staff[0].Analyst != "alpha" || staff[1].Analyst != "analyst" {
		t.Fatalf("staff sees %+v", staff)
	}
	if staff[1].ModelVersion != demodata.DemoModelVersion || !staff[1].Homophobic || staff[0].Homophobic {
		t.Fatalf("stored labels %+v", staff)
	}
	if a := alpha.labels(q).Labels; len(a) != 1 || a[0].Org != "org-alpha" || a[0].Note != "alpha-private-note" {
		t.Fatalf("alpha sees %+v", a)
	}
	if b := beta.labels(q).Labels; len(b) != 0 {
		t.Fatalf("beta sees another organisation's labels: %+v", b)
	}
	if b := beta.labels("").Labels; len(b) != 1 || b[0].PostID != e.fx.Unflagged || b[0].Action != "missed" || !b[0].Homophobic {
		t.Fatalf("beta's own labels: %+v", b)
	}
	for _, a := range alpha.labels("").Labels {
		if a.Org != "org-alpha" {
			t.Fatalf("alpha's recent labels include %+v", a)
		}
	}
	// Pages: the post page and the labels page show only the caller's organisation's.
	for _, path := range []string{"/posts/" + e.fx.Flagged, "/narrative-labels"} {
		_, page := beta.get(path)
		if strings.Contains(page, "alpha-private-note") || strings.Contains(page, "org-alpha") {
			t.Fatalf("%s shows org-alpha's label to org-beta", path)
		}
		if _, page := analyst.get(path); path == "/narrative-labels" && !strings.Contains(page, "org-alpha") {
			t.Fatalf("%s does not show org-alpha's label to staff", path)
		}
	}
	if code, page := alpha.get("/posts/" + e.fx.Flagged); code != 200 || !strings.Contains(page, "alpha-private-note") ||
		!strings.Contains(page, demodata.DemoModelVersion) {
		t.Fatalf("alpha's post page: %d", code)
	}
	// Audit rows: one per stored label, with the action and model version.
	var n uint64
	if err := e.conn.QueryRow(ctx, `SELECT count() FROM audit_log WHERE action = 'label_narrative'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("audit rows %d %v, want 3", n, err)
	}
	if err := e.conn.QueryRow(ctx, `SELECT count() FROM audit_log WHERE action = 'label_narrative' AND user = 'beta'
		AND org = 'org-beta' AND object_id = ? AND position(detail, 'action=missed') > 0`, e.fx.Unflagged).Scan(&n); err != nil || n != 1 {
		t.Fatalf("beta's audit row %d %v", n, err)
	}

	// Explorer: flagged only by default, all posts on request, filtered by model version.
	_, page := analyst.get("/explorer")
	if strings.Contains(page, "not flagged") {
		t.Fatal("default explorer lists unflagged posts")
	}
	_, page = analyst.get("/explorer?all=1")
	if !strings.Contains(page, `class="unflagged-tag"`) || !strings.Contains(page, "Mark missed") {
		t.Fatal("explorer over all posts lists no unflagged post")
	}
	// Labelled posts are tagged in the explorer, in the caller's scope only.
	if !strings.Contains(page, "labelled not homophobic by alpha") || !strings.Contains(page, "labelled homophobic by beta") {
		t.Fatal("staff explorer does not tag labelled posts")
	}
	if n := strings.Count(page, `class="label-tag"`); n != 2 {
		t.Fatalf("staff explorer tags %d posts as labelled, want the 2 labelled ones", n)
	}
	_, page = beta.get("/explorer?all=1")
	if strings.Contains(page, "by alpha") || !strings.Contains(page, "labelled homophobic by beta") ||
		strings.Count(page, `class="label-tag"`) != 1 {
		t.Fatal("org-beta's explorer shows another organisation's label, or not its own")
	}
	var reply struct {
		Posts []web.PostRow `json:"posts"`
	}
	_, body := analyst.get("/api/posts?all=1&model=" + demodata.DemoModelVersion)
	if err := json.Unmarshal([]byte(body), &reply); err != nil {
		t.Fatalf("api posts: %s", body)
	}
	rows := reply.Posts
	flagged := 0
	for _, r := range rows {
		if r.ModelVersion != demodata.DemoModelVersion {
			t.Fatalf("model filter returned %+v", r)
		}
		if r.Flagged {
			flagged++
		}
	}
	if len(rows) == 0 || flagged == len(rows) {
		t.Fatalf("all posts of the demo model: %d rows, %d flagged", len(rows), flagged)
	}
	_, body = analyst.get("/api/posts?model=ffffffff")
	if strings.Contains(body, `"id"`) {
		t.Fatalf("unknown model version matched posts: %.300s", body)
	}
	if code, _ := analyst.get("/explorer?all=1&q=x"); code != 400 {
		t.Fatalf("text search over all posts: %d, want 400", code)
	}
}
