package web

import (
	"errors"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/kuzot/kuzot/web/auth"
	"github.com/kuzot/kuzot/web/chart"
)

// table lists every route. HTML pages and their JSON twins share the data functions, so
// the API enforces exactly what the pages do.
func (s *Server) table() []route {
	return []route{
		{"GET", "/static/{file...}", public, false, s.static},
		{"GET", "/login", public, false, s.loginPage},
		{"POST", "/login", public, false, s.loginForm},
		{"POST", "/logout", anyUser, false, s.logoutForm},
		{"GET", "/{$}", anyUser, false, s.overviewPage},
		{"GET", "/explorer", anyUser, false, s.explorerPage},
		{"GET", "/posts/{id...}", anyUser, false, s.postPage},
		{"POST", "/narrative-labels", anyUser, false, s.labelForm},
		{"GET", "/narrative-labels", anyUser, false, s.labelsPage},
		{"GET", "/clusters", anyUser, false, s.clustersPage},
		{"GET", "/clusters/{id}", anyUser, false, s.clusterPage},
		{"POST", "/clusters/{id}/label", staff, false, s.clusterLabelForm},
		{"GET", "/incidents", anyUser, false, s.incidentsPage},
		{"GET", "/incidents/{id}", anyUser, false, s.incidentPage},
		{"POST", "/incidents/{id}/unredact", anyUser, false, s.incidentUnredactPage},
		{"POST", "/incidents/{id}/ack", ackers, false, s.incidentAckForm},
		{"GET", "/alerts", anyUser, false, s.alertsPage},
		{"GET", "/alert-rules", anyUser, false, s.rulesPage},
		{"POST", "/alert-rules", adminOrOrg, false, s.ruleForm},
		{"POST", "/alert-rules/{org}/reset", adminOrOrg, false, s.ruleResetForm},
		{"GET", "/sources", staff, false, s.sourcesPage},
		{"GET", "/reports", anyUser, false, s.reportsPage},
		{"GET", "/tips", anyUser, false, s.tipsPage},
		{"POST", "/tips", anyUser, false, s.tipForm},
		{"POST", "/tips/forget", anyUser, false, s.tipForgetForm},
		{"GET", "/reports/{name}", anyUser, false, s.reportFile},
		{"GET", "/admin/users", adminOnly, false, s.usersPage},
		{"POST", "/admin/users", adminOnly, false, s.userForm},
		{"GET", "/admin/audit", adminOnly, false, s.auditPage},

		{"POST", "/api/login", public, true, s.apiLogin},
		{"POST", "/api/logout", anyUser, true, s.apiLogout},
		{"GET", "/api/me", anyUser, true, s.apiMe},
		{"GET", "/api/overview", anyUser, true, s.apiOverview},
		{"GET", "/api/posts", anyUser, true, s.apiPosts},
		{"GET", "/api/posts/{id...}", anyUser, true, s.apiPost},
		{"POST", "/api/narrative-labels", anyUser, true, s.apiLabel},
		{"GET", "/api/narrative-labels", anyUser, true, s.apiLabels},
		{"GET", "/api/clusters", anyUser, true, s.apiClusters},
		{"GET", "/api/clusters/{id}", anyUser, true, s.apiCluster},
		{"POST", "/api/clusters/{id}/label", staff, true, s.apiClusterLabel},
		{"GET", "/api/incidents", anyUser, true, s.apiIncidents},
		{"GET", "/api/incidents/{id}", anyUser, true, s.apiIncident},
		{"POST", "/api/incidents/{id}/unredact", anyUser, true, s.apiUnredact},
		{"POST", "/api/incidents/{id}/ack", ackers, true, s.apiAck},
		{"GET", "/api/alerts", anyUser, true, s.apiAlerts},
		{"GET", "/api/alert-rules", anyUser, true, s.apiRules},
		{"POST", "/api/alert-rules", adminOrOrg, true, s.apiSetRule},
		{"POST", "/api/alert-rules/{org}/reset", adminOrOrg, true, s.apiResetRule},
		{"POST", "/api/alerts/backfill", adminOrOrg, true, s.apiBackfill},
		{"GET", "/api/sources", staff, true, s.apiSources},
		{"GET", "/api/reports", anyUser, true, s.apiReports},
		{"GET", "/api/users", adminOnly, true, s.apiUsers},
		{"POST", "/api/users", adminOnly, true, s.apiPutUser},
		{"GET", "/api/audit", adminOnly, true, s.apiAudit},
	}
}

// ---- static assets and login ----

func (s *Server) static(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	name := path.Clean("static/" + r.PathValue("file"))
	b, err := fs.ReadFile(staticFS, name)
	if err != nil || !strings.HasPrefix(name, "static/") {
		return ErrNotFound
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}

// safeNext keeps post-login redirects on this site: it accepts only an absolute path
// on this origin and returns "/" for anything else. Browsers strip tabs and newlines
// from URLs and treat a backslash like a slash, so "/\t/evil.example" and "/\\evil.example"
// would become the scheme-relative "//evil.example"; the value is therefore refused
// when it has any control character, backslash, a leading "//", a scheme, a host or
// user information, or is not valid UTF-8.
func safeNext(n string) string {
	if n == "" || len(n) > 500 || n[0] != '/' || strings.HasPrefix(n, "//") || !utf8Valid(n) {
		return "/"
	}
	for _, r := range n {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return "/"
		}
	}
	// The decoded path must not start a scheme-relative URL or hold a backslash either
	// ("/%2F/evil.example" is harmless to browsers, but a proxy that decodes paths would
	// make it "//evil.example").
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "\\") {
		return "/"
	}
	return n
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showLogin(w, r, rc, http.StatusOK, "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx, code int, msg string) error {
	tok, err := auth.NewToken()
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRF, Value: tok, Path: "/login", MaxAge: 3600, HttpOnly: true,
		Secure: *s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(code)
	s.render(w, r, "login", nil, "Log in", map[string]any{"CSRF": tok, "Next": safeNext(r.FormValue("next")), "Error": msg})
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := r.Cookie(loginCSRF)
	if err != nil || !auth.Equal(c.Value, r.PostFormValue(csrfField)) {
		return s.showLogin(w, r, rc, http.StatusForbidden, "The form expired. Please try again.")
	}
	tok, _, err := s.login(r.Context(), r.PostFormValue("name"), r.PostFormValue("password"), rc.IP)
	var he *httpError
	if errors.As(err, &he) {
		if he.retry > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((he.retry+time.Second-1)/time.Second)))
		}
		return s.showLogin(w, r, rc, he.code, he.msg)
	}
	if err != nil {
		return err
	}
	s.setSession(w, tok, int(s.cfg.SessionTTL.Seconds()))
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) logoutForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.logout(r.Context(), w, rc); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// ---- overview ----

// overviewCharts turns the daily series into the SVG line chart (one series per frame,
// zero-filled days) and the top-channels bar chart.
func overviewCharts(o Overview) (line, bars template.HTML) {
	var days []string
	idx := map[string]int{}
	for d := o.From.UTC(); d.Before(o.To); d = d.Add(24 * time.Hour) {
		idx[d.Format("2006-01-02")] = len(days)
		days = append(days, d.Format("01-02"))
	}
	series := map[string][]float64{}
	for _, p := range o.Daily {
		i, ok := idx[p.Day.UTC().Format("2006-01-02")]
		if !ok {
			continue
		}
		if series[p.Frame] == nil {
			series[p.Frame] = make([]float64, len(days))
		}
		series[p.Frame][i] += float64(p.Posts)
	}
	lc := chart.Line{Title: "Flagged posts per day by narrative frame", Labels: days}
	for _, f := range frames {
		if v := series[f]; v != nil {
			lc.Series = append(lc.Series, chart.Series{Name: strings.ReplaceAll(f, "_", " "), Values: v})
		}
	}
	b := chart.Bars{Title: "Channels with the most flagged posts"}
	for _, c := range o.TopChannels {
		b.Bars = append(b.Bars, chart.Bar{Label: c.Label, Value: float64(c.N)})
	}
	return lc.SVG(), b.SVG()
}

func (s *Server) overview(r *http.Request, rc *reqCtx) (Overview, error) {
	from, to, err := s.period(r)
	if err != nil {
		return Overview{}, err
	}
	o, err := s.db.Overview(r.Context(), ScopeOf(rc.User), from, to)
	if err != nil {
		return o, err
	}
	if s.cluster != nil {
		o.Clusters, err = s.cluster.Clusters(r.Context(), 5)
	}
	return o, err
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	o, err := s.overview(r, rc)
	if err != nil {
		return err
	}
	line, bars := overviewCharts(o)
	s.render(w, r, "overview", rc, "Overview", map[string]any{"O": o, "Line": line, "Bars": bars,
		"Coordination": s.cluster != nil, "Frames": frames})
	return nil
}

// ---- explorer and posts ----

func (s *Server) explorerPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, err := s.filter(r)
	if err != nil {
		return err
	}
	posts, err := s.db.SearchPosts(r.Context(), f)
	if err != nil {
		return err
	}
	langs, sources, err := s.cachedFacets(r.Context(), f.From, f.To)
	if err != nil {
		return err
	}
	models, err := s.cachedModelVersions(r.Context(), f.From, f.To)
	if err != nil {
		return err
	}
	ids := make([]string, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	labelled, err := s.labels.LatestFor(r.Context(), labelScope(rc.User), ids)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	next := ""
	if len(posts) == f.Limit {
		q.Set("page", strconv.Itoa(f.Offset/f.Limit+2))
		next = "/explorer?" + q.Encode()
	}
	s.render(w, r, "explorer", rc, "Narrative explorer", map[string]any{"Posts": posts, "F": f,
		"FromDay": f.From.Format("2006-01-02"), "ToDay": f.To.Add(-24 * time.Hour).Format("2006-01-02"),
		"Frames": frames, "Langs": langs, "Sources": sources, "Models": models, "Labelled": labelled, "Next": next})
	return nil
}

func (s *Server) postPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	v, err := s.postView(r.Context(), rc, r.PathValue("id"), r.URL.Query().Get("labelled") == "1")
	if err != nil {
		return err
	}
	s.render(w, r, "post", rc, "Post", v)
	return nil
}

// ---- clusters ----

var errNoCoordination = errStatus(http.StatusNotFound, "coordination detection has not stored any clusters in this deployment")

func (s *Server) clustersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var cs []Cluster
	var err error
	if s.cluster != nil {
		if cs, err = s.cluster.Clusters(r.Context(), 100); err != nil {
			return err
		}
	}
	s.render(w, r, "clusters", rc, "Coordinated clusters", map[string]any{"Clusters": cs, "Enabled": s.cluster != nil})
	return nil
}

func (s *Server) clusterPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.cluster == nil {
		return errNoCoordination
	}
	c, err := s.cluster.Cluster(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, "cluster", rc, "Cluster", map[string]any{"C": c, "CanLabel": s.labeler != nil && rc.User.Role != RoleOrg})
	return nil
}

// label stores an analyst's verdict on a cluster and audits it.
func (s *Server) label(r *http.Request, rc *reqCtx, label, note string) error {
	if s.labeler == nil {
		return errStatus(http.StatusNotFound, "cluster labelling is not enabled in this deployment")
	}
	id := r.PathValue("id")
	switch label {
	case "confirmed", "dismissed", "unlabelled":
	default:
		return errStatus(http.StatusBadRequest, "label: confirmed, dismissed or unlabelled")
	}
	if len(note) > 4096 || !utf8Valid(note) {
		return errStatus(http.StatusBadRequest, "note: at most 4096 bytes of UTF-8")
	}
	if _, err := s.cluster.Cluster(r.Context(), id); err != nil {
		return err
	}
	if err := s.labeler.SetLabel(r.Context(), id, label, rc.User.Name, note, s.now()); err != nil {
		return err
	}
	return s.audit(r.Context(), rc, "label_cluster", "cluster", id, "label="+label)
}

func (s *Server) clusterLabelForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.label(r, rc, r.PostFormValue("label"), r.PostFormValue("note")); err != nil {
		return err
	}
	http.Redirect(w, r, "/clusters/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	return nil
}

func (s *Server) apiClusterLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in struct {
		Label string `json:"label"`
		Note  string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.label(r, rc, in.Label, in.Note); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

// ---- incidents ----

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	status := r.URL.Query().Get("status")
	if status != "" && status != "open" && status != "acknowledged" {
		return errStatus(http.StatusBadRequest, "status: open or acknowledged")
	}
	is, err := s.db.Incidents(r.Context(), ScopeOf(rc.User), status, 200)
	if err != nil {
		return err
	}
	s.render(w, r, "incidents", rc, "Exposure incidents", map[string]any{"Incidents": is, "Status": status})
	return nil
}

// incident loads an incident in the caller's scope with its posts, unredacted only
// after checking the privilege and writing the audit row.
func (s *Server) incident(r *http.Request, rc *reqCtx, unredacted bool) (Incident, []IncidentPost, error) {
	inc, err := s.db.Incident(r.Context(), ScopeOf(rc.User), r.PathValue("id"))
	if err != nil {
		return inc, nil, err
	}
	if unredacted {
		if !rc.User.Privileged() {
			return inc, nil, errStatus(http.StatusForbidden, "viewing unredacted evidence needs the unredact privilege")
		}
		if err := s.audit(r.Context(), rc, "unredact_incident", "incident", inc.ID, "posts="+strings.Join(inc.PostIDs, ",")); err != nil {
			return inc, nil, err
		}
	}
	posts, err := s.db.IncidentPosts(r.Context(), inc, unredacted)
	return inc, posts, err
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, posts, err := s.incident(r, rc, false)
	if err != nil {
		return err
	}
	s.render(w, r, "incident", rc, "Incident", map[string]any{"I": inc, "Posts": posts, "Unredacted": false,
		"CanAck": s.canAck(rc.User.Role)})
	return nil
}

func (s *Server) incidentUnredactPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, posts, err := s.incident(r, rc, true)
	if err != nil {
		return err
	}
	s.render(w, r, "incident", rc, "Incident (unredacted)", map[string]any{"I": inc, "Posts": posts, "Unredacted": true,
		"CanAck": s.canAck(rc.User.Role)})
	return nil
}

func (s *Server) ack(r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if err := s.acker.Acknowledge(r.Context(), ScopeOf(rc.User), id, rc.User.Name, s.now()); err != nil {
		return err
	}
	return s.audit(r.Context(), rc, "ack_incident", "incident", id, "")
}

func (s *Server) incidentAckForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.ack(r, rc); err != nil {
		return err
	}
	http.Redirect(w, r, "/incidents/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	return nil
}

// ---- alerts, sources, reports ----

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ds, err := s.db.Deliveries(r.Context(), ScopeOf(rc.User), 200)
	if err != nil {
		return err
	}
	s.render(w, r, "alerts", rc, "Alerts log", ds)
	return nil
}

func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ss, err := s.db.Sources(r.Context(), s.now())
	if err != nil {
		return err
	}
	s.render(w, r, "sources", rc, "Sources health", ss)
	return nil
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rs, err := s.reports.List(r.Context(), ScopeOf(rc.User))
	if err != nil {
		return err
	}
	s.render(w, r, "reports", rc, "Reports", rs)
	return nil
}

func (s *Server) reportFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, rep, err := s.reports.Open(r.Context(), ScopeOf(rc.User), r.PathValue("name"))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": rep.Name}))
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, rep.Name, rep.Modified, f)
	return nil
}

// ---- admin ----

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	us, err := s.db.ListUsers(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, "users", rc, "Accounts", map[string]any{"Users": us, "Message": r.URL.Query().Get("msg")})
	return nil
}

func (s *Server) putUser(r *http.Request, rc *reqCtx, u User, password string) error {
	if err := s.CreateUser(r.Context(), u, password); err != nil {
		return err
	}
	return s.audit(r.Context(), rc, "user_put", "user", u.Name, "role="+string(u.Role)+" org="+u.Org)
}

func (s *Server) userForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	u := User{Name: strings.TrimSpace(r.PostFormValue("name")), Role: Role(r.PostFormValue("role")),
		Org: strings.TrimSpace(r.PostFormValue("org")), CanUnredact: r.PostFormValue("can_unredact") == "on",
		Disabled: r.PostFormValue("disabled") == "on"}
	if err := s.putUser(r, rc, u, r.PostFormValue("password")); err != nil {
		var he *httpError
		if errors.As(err, &he) {
			http.Redirect(w, r, "/admin/users?msg="+url.QueryEscape(he.msg), http.StatusSeeOther)
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/admin/users?msg="+url.QueryEscape("saved "+u.Name), http.StatusSeeOther)
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	es, err := s.db.ListAudit(r.Context(), 500)
	if err != nil {
		return err
	}
	s.render(w, r, "audit", rc, "Audit log", es)
	return nil
}
