// Package web is kuzot's built-in analyst UI and its JSON API: server-rendered HTML with
// a little JavaScript, SVG charts drawn in Go (package chart), and every asset embedded
// in the binary so that it works offline. Accounts have one of three roles (admin,
// analyst, organisation user); organisation users see only their organisation's
// incidents and alerts, enforced in the SQL of every query. Evidence is redacted by
// default; showing it unredacted needs a privilege and writes an audit_log row.
//
// The serve role (app/serve.go) builds a Server with New and mounts it on the app's mux.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/web/auth"
)

// Cookie names.
const (
	sessionCookie = "kuzot_session"
	loginCSRF     = "kuzot_login_csrf"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
)

// Server serves the UI and the API.
type Server struct {
	db      *DB
	log     *slog.Logger
	cfg     Config
	acker   IncidentAcker
	cluster ClusterSource
	labeler ClusterLabeler
	ruleMgr RuleManager
	// backfill queues digests of past exposures (nil: not available).
	backfill Backfiller
	// tips takes the tip form (nil: no tipline).
	tips    TipSubmitter
	reports ReportSource
	now     func() time.Time
	pages   *pages
	// limitUser counts failed logins per ip|user, limitIP per ip.
	limitUser, limitIP *auth.Limiter
	// hashParams are the argon2id costs for new passwords.
	hashParams auth.Params
	// dummyHash is verified against when a user does not exist, so that the response
	// time does not tell which names exist.
	dummyHash string
	// hashSlots bounds concurrent password checks (a slot per running argon2id).
	hashSlots chan struct{}
	// verify checks a password against a stored hash (auth.Verify; tests count calls).
	verify func(password, hash string) error
	routes []route
	facets facetCache
	// labels stores the analysts' narrative labels (package feedback owns the SQL).
	labels feedback.Store
	models modelCache
}

// facetCache keeps the explorer's language and source lists for a few minutes: they
// need a scan of the period and change slowly.
type facetCache struct {
	mu      sync.Mutex
	key     string
	at      time.Time
	langs   []string
	sources []string
}

const facetTTL = 5 * time.Minute

func (s *Server) cachedFacets(ctx context.Context, from, to time.Time) ([]string, []string, error) {
	key := from.Format(time.RFC3339) + "|" + to.Format(time.RFC3339)
	s.facets.mu.Lock()
	if s.facets.key == key && s.now().Sub(s.facets.at) < facetTTL {
		l, src := s.facets.langs, s.facets.sources
		s.facets.mu.Unlock()
		return l, src, nil
	}
	s.facets.mu.Unlock()
	l, src, err := s.db.Facets(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	s.facets.mu.Lock()
	s.facets.key, s.facets.at, s.facets.langs, s.facets.sources = key, s.now(), l, src
	s.facets.mu.Unlock()
	return l, src, nil
}

// New builds a Server.
func New(o Options) (*Server, error) {
	if o.DB == nil || o.Log == nil {
		return nil, errors.New("web: DB and Log are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Config.SecureCookies == nil {
		c, err := LoadConfig(nil, ".")
		if err != nil {
			return nil, err
		}
		o.Config = c
	}
	if o.Acker == nil {
		o.Acker = noAcker{}
	}
	if o.Cluster == nil {
		o.Cluster = CHClusters{DB: o.DB}
	}
	if o.Reports == nil {
		o.Reports = CHReports{DB: o.DB, Dir: o.Config.ReportsDir}
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{db: o.DB, log: o.Log, cfg: o.Config, acker: o.Acker, cluster: o.Cluster, labeler: o.Labeler, ruleMgr: o.Rules, reports: o.Reports,
		backfill: o.Backfill, tips: o.Tips, now: o.Now, pages: p, hashParams: auth.DefaultParams, labels: feedback.Store{Conn: o.DB.Conn},
		hashSlots: make(chan struct{}, max(o.Config.LoginConcurrentHashes, 1)), verify: auth.Verify,
		limitUser: auth.NewLimiter(o.Config.LoginMaxFailures, o.Config.LoginWindow),
		limitIP:   auth.NewLimiter(10*o.Config.LoginMaxFailures, o.Config.LoginWindow)}
	s.dummyHash, err = auth.Hash("kuzot-dummy-password", s.hashParams)
	if err != nil {
		return nil, err
	}
	s.routes = s.table()
	return s, nil
}

// SetHashParams changes the argon2id cost of new passwords (tests use cheap ones).
func (s *Server) SetHashParams(p auth.Params) error {
	h, err := auth.Hash("kuzot-dummy-password", p)
	if err != nil {
		return err
	}
	s.hashParams, s.dummyHash = p, h
	return nil
}

// reqCtx is what an authenticated handler knows about its request.
type reqCtx struct {
	User User
	// CSRF is the session's CSRF token, rendered into forms.
	CSRF string
	// Token is the session token (for logout).
	Token string
	IP    string
}

// access says who may call a route.
type access int

const (
	public     access = iota // no session needed (login, static)
	anyUser                  // any logged-in account (data scoped by org)
	staff                    // admin and analyst
	adminOnly                // admin
	adminOrOrg               // admin, or an organisation user (acting on its own org)
	ackers                   // who may acknowledge incidents: admin and organisation users, analysts only with web.analysts_acknowledge
)

// canAck reports whether role may acknowledge incidents (in its scope). Acknowledging
// stops an incident's updates and cancels its pending alerts, so by default only admins
// and the owning organisation's users may; analysts need web.analysts_acknowledge.
func (s *Server) canAck(role Role) bool {
	return role == RoleAdmin || role == RoleOrg || (role == RoleAnalyst && s.cfg.AnalystsAcknowledge)
}

// route is one endpoint. The authorisation tests iterate this table, so that no endpoint
// can be added without being covered.
type route struct {
	Method, Path string
	Access       access
	API          bool
	h            func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error
}

// Endpoint describes one route for documentation and tests.
type Endpoint struct {
	Method, Path string
	// Roles may call it (empty for public endpoints).
	Roles []Role
	API   bool
}

// Endpoints lists every route with the roles allowed to call it.
func (s *Server) Endpoints() []Endpoint {
	var out []Endpoint
	for _, rt := range s.routes {
		e := Endpoint{Method: rt.Method, Path: rt.Path, API: rt.API}
		switch rt.Access {
		case anyUser:
			e.Roles = []Role{RoleAdmin, RoleAnalyst, RoleOrg}
		case staff:
			e.Roles = []Role{RoleAdmin, RoleAnalyst}
		case adminOnly:
			e.Roles = []Role{RoleAdmin}
		case adminOrOrg:
			e.Roles = []Role{RoleAdmin, RoleOrg}
		case ackers:
			for _, r := range []Role{RoleAdmin, RoleAnalyst, RoleOrg} {
				if s.canAck(r) {
					e.Roles = append(e.Roles, r)
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// Mount registers every route on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
}

// Handler returns a fresh mux with only the UI (for tests and embedding).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Mount(mux)
	return mux
}

// httpError carries a status to the error renderer.
type httpError struct {
	code int
	msg  string
	// retry, when set, is sent as Retry-After (429 and 503 answers).
	retry time.Duration
}

func (e *httpError) Error() string { return e.msg }

func errStatus(code int, msg string) error { return &httpError{code: code, msg: msg} }

// clientIP is the address login limits and the audit log are keyed by. Behind
// trusted proxies (trust_proxy_headers) it is the trusted_proxies-th X-Forwarded-For
// entry from the right: every proxy appends the peer it received the request from, so
// that entry was written by the outermost trusted proxy, while anything to its left
// came from the client and could be forged to dodge the login limiter or to frame
// another address in the audit log. All X-Forwarded-For headers count, in order.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.cfg.TrustProxyHeaders {
		return host
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, v := range strings.Split(h, ",") {
			hops = append(hops, strings.TrimSpace(v))
		}
	}
	if len(hops) == 0 {
		return host
	}
	i := max(len(hops)-s.cfg.TrustedProxies, 0)
	ip, err := netip.ParseAddr(hops[i])
	if err != nil {
		// Not an address (a proxy that writes "unknown" or a port): the peer is all we know.
		return host
	}
	return ip.Unmap().String()
}

// secHeaders are sent with every response: no inline scripts or styles, no framing,
// no referrer to other sites (URLs may name incidents; "same-origin" rather than
// "no-referrer" so that browsers still send a real Origin header on our own form
// posts), and never cached. With secure cookies on (the UI is served over HTTPS) the
// browser is also told to use HTTPS only for a year (HSTS), so that a network attacker
// cannot downgrade a later visit to plain HTTP and read the session cookie's page loads.
func secHeaders(w http.ResponseWriter, hsts bool) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if hsts {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// sameOrigin rejects cross-site state-changing requests by their Origin (or Referer)
// header, in addition to the CSRF token.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" {
		// Not a browser form or fetch (curl, scripts): the CSRF token still applies.
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secHeaders(w, *s.cfg.SecureCookies)
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		rc := &reqCtx{IP: s.clientIP(r)}
		err := func() error {
			if r.Method == http.MethodPost && !sameOrigin(r) {
				return errStatus(http.StatusForbidden, "cross-origin request refused")
			}
			if rt.Access == public {
				return rt.h(w, r, rc)
			}
			if err := s.authenticate(r, rc); err != nil {
				return err
			}
			switch {
			case rt.Access == staff && rc.User.Role == RoleOrg,
				rt.Access == adminOnly && rc.User.Role != RoleAdmin,
				rt.Access == adminOrOrg && rc.User.Role == RoleAnalyst,
				rt.Access == ackers && !s.canAck(rc.User.Role):
				return errStatus(http.StatusForbidden, "your role may not open this page")
			}
			if r.Method == http.MethodPost {
				tok := r.Header.Get(csrfHeader)
				if tok == "" && !rt.API {
					tok = r.PostFormValue(csrfField)
				}
				if !auth.Equal(tok, rc.CSRF) {
					return errStatus(http.StatusForbidden, "missing or wrong CSRF token: reload the page and try again")
				}
			}
			return rt.h(w, r, rc)
		}()
		if err != nil {
			s.fail(w, r, rt, rc, err)
		}
	})
}

// authenticate resolves the session cookie into rc.User.
func (s *Server) authenticate(r *http.Request, rc *reqCtx) error {
	unauth := errStatus(http.StatusUnauthorized, "log in first")
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return unauth
	}
	sess, err := s.db.GetSession(r.Context(), auth.TokenHash(c.Value))
	if errors.Is(err, ErrNotFound) {
		return unauth
	}
	if err != nil {
		return err
	}
	if sess.Revoked || !s.now().Before(sess.ExpiresAt) {
		return unauth
	}
	u, err := s.db.GetUser(r.Context(), sess.User)
	if errors.Is(err, ErrNotFound) {
		return unauth
	}
	if err != nil {
		return err
	}
	if sess.CreatedAt.Before(u.UpdatedAt) {
		// Opened before the password, role or organisation last changed.
		return unauth
	}
	if u.Disabled || (u.Role == RoleOrg && u.Org == "") {
		// An organisation user without an organisation would match unowned rows.
		return unauth
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return unauth
	}
	rc.User, rc.Token, rc.CSRF = u, c.Value, auth.CSRFToken(c.Value)
	return nil
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, rt route, rc *reqCtx, err error) {
	code, msg := http.StatusInternalServerError, "internal error (see the server log)"
	var he *httpError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		code, msg = he.code, he.msg
		if he.retry > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((he.retry+time.Second-1)/time.Second)))
		}
	case errors.Is(err, ErrNotFound):
		code, msg = http.StatusNotFound, "not found"
	case errors.As(err, &mbe):
		code, msg = http.StatusRequestEntityTooLarge, "request too large"
	case errors.Is(err, context.Canceled):
		return
	default:
		s.log.Error("web request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if rt.API {
		writeJSON(w, code, map[string]string{"error": msg})
		return
	}
	if code == http.StatusUnauthorized {
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		return
	}
	w.WriteHeader(code)
	s.render(w, r, "error", rc, "Error", map[string]any{"Code": code, "Message": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// audit writes an audit row; failing to audit an unredacted view must fail the view, so
// callers return the error.
func (s *Server) audit(ctx context.Context, rc *reqCtx, action, objType, objID, detail string) error {
	return s.db.Audit(ctx, AuditEntry{At: s.now(), User: rc.User.Name, Role: string(rc.User.Role), Org: rc.User.Org,
		Action: action, ObjectType: objType, ObjectID: objID, IP: rc.IP, Detail: detail})
}

// ---- login and sessions ----

// login checks credentials with rate limiting and creates a session; it returns the
// session token. Every failure looks the same to the caller.
func (s *Server) login(ctx context.Context, name, password, ip string) (string, User, error) {
	now := s.now()
	keyU, keyIP := ip+"|"+strings.ToLower(name), ip
	// The attempt is counted before the password is checked, so that concurrent attempts
	// cannot all pass the limiter before the first failure is recorded.
	if ok, wait := s.limitIP.Take(keyIP, now); !ok {
		return "", User{}, &httpError{code: http.StatusTooManyRequests, msg: fmt.Sprintf("too many failed logins: try again in %s", wait.Round(time.Second)), retry: wait}
	}
	if ok, wait := s.limitUser.Take(keyU, now); !ok {
		s.limitIP.Untake(keyIP, now)
		return "", User{}, &httpError{code: http.StatusTooManyRequests, msg: fmt.Sprintf("too many failed logins: try again in %s", wait.Round(time.Second)), retry: wait}
	}
	fail := func() {
		_ = s.db.Audit(ctx, AuditEntry{At: now, User: truncate(name, 100), Action: "login_failed", IP: ip})
	}
	bad := errStatus(http.StatusUnauthorized, "wrong user name or password")
	if name == "" || len(name) > 200 || password == "" {
		fail()
		return "", User{}, bad
	}
	u, err := s.db.GetUser(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", User{}, err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = s.dummyHash
	}
	// Each argon2id check allocates its memory cost (19 MiB by default): a bounded number
	// run at once, and a login that finds no free slot within a second is turned away.
	if err := s.acquireHashSlot(ctx); err != nil {
		// Turned away before any password check: the attempt does not count against the
		// user or the address (every attempt that reaches Verify still does).
		s.limitIP.Untake(keyIP, now)
		s.limitUser.Untake(keyU, now)
		return "", User{}, err
	}
	verr := s.verify(password, hash)
	<-s.hashSlots
	if err != nil || verr != nil || u.Disabled {
		fail()
		if verr != nil && !errors.Is(verr, auth.ErrMismatch) {
			s.log.Warn("unusable password hash", "user", u.Name, "err", verr)
		}
		return "", User{}, bad
	}
	s.limitIP.Untake(keyIP, now)
	s.limitUser.Reset(keyU)
	tok, err := auth.NewToken()
	if err != nil {
		return "", User{}, err
	}
	if err := s.db.PutSession(ctx, Session{TokenHash: auth.TokenHash(tok), User: u.Name, CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.SessionTTL), IP: ip}, now); err != nil {
		return "", User{}, err
	}
	_ = s.db.Audit(ctx, AuditEntry{At: now, User: u.Name, Role: string(u.Role), Org: u.Org, Action: "login", IP: ip})
	return tok, u, nil
}

// hashWait is how long a login waits for a free password-check slot.
const hashWait = time.Second

// acquireHashSlot takes one of the hashSlots, waiting up to hashWait.
func (s *Server) acquireHashSlot(ctx context.Context) error {
	select {
	case s.hashSlots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case s.hashSlots <- struct{}{}:
		return nil
	case <-t.C:
		return &httpError{code: http.StatusServiceUnavailable, msg: "the server is busy checking other logins: try again in a few seconds", retry: 2 * time.Second}
	case <-ctx.Done():
		return ctx.Err()
	}
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

func (s *Server) setSession(w http.ResponseWriter, tok string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: *s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode})
}

func (s *Server) logout(ctx context.Context, w http.ResponseWriter, rc *reqCtx) error {
	now := s.now()
	sess, err := s.db.GetSession(ctx, auth.TokenHash(rc.Token))
	if err != nil {
		return err
	}
	sess.Revoked = true
	if err := s.db.PutSession(ctx, sess, now); err != nil {
		return err
	}
	s.setSession(w, "", -1)
	return s.audit(ctx, rc, "logout", "", "", "")
}

// CreateUser validates and stores a new or updated account with a hashed password.
func (s *Server) CreateUser(ctx context.Context, u User, password string) error {
	return CreateUser(ctx, s.db, u, password, s.hashParams, s.now())
}

// CreateUser validates an account and its password and stores it with an argon2id hash
// (used by `kuzot user add` and the admin API).
func CreateUser(ctx context.Context, db *DB, u User, password string, p auth.Params, now time.Time) error {
	if err := validUser(u); err != nil {
		return err
	}
	if err := auth.CheckPolicy(password); err != nil {
		return errStatus(http.StatusBadRequest, err.Error())
	}
	h, err := auth.Hash(password, p)
	if err != nil {
		return err
	}
	u.PasswordHash = h
	old, err := db.GetUser(ctx, u.Name)
	isNew := errors.Is(err, ErrNotFound)
	if err != nil && !isNew {
		return err
	}
	if !isNew {
		u.CreatedAt = old.CreatedAt
	}
	if err := db.PutUser(ctx, u, now); err != nil {
		return err
	}
	if isNew {
		return nil // a new account has no sessions
	}
	// Every update sets a new password (and perhaps a new role, organisation or the
	// disabled flag): sessions opened with the old ones end now. authenticate also
	// refuses any session older than the account's last update, in case one was
	// opened while this ran.
	return db.RevokeUserSessions(ctx, u.Name, now)
}

func validUser(u User) error {
	bad := func(m string) error { return errStatus(http.StatusBadRequest, m) }
	if _, err := ParseRole(string(u.Role)); err != nil {
		return bad(err.Error())
	}
	if u.Name == "" || len(u.Name) > 64 || strings.IndexFunc(u.Name, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return bad("user name: 1-64 characters of a-z, A-Z, 0-9, '-', '_', '.', '@'")
	}
	if u.Role == RoleOrg && u.Org == "" {
		return bad("an organisation user needs an org id")
	}
	if u.Role != RoleOrg && u.Org != "" {
		return bad("only organisation users belong to an org")
	}
	if len(u.Org) > 64 {
		return bad("org id longer than 64 bytes")
	}
	return nil
}

// ---- request parsing ----

// period reads from/to (YYYY-MM-DD, to inclusive) with a default of the last 30 days.
func (s *Server) period(r *http.Request) (time.Time, time.Time, error) {
	q := r.URL.Query()
	to := s.now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	from := to.Add(-30 * 24 * time.Hour)
	if v := q.Get("to"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return from, to, errStatus(http.StatusBadRequest, "to: want YYYY-MM-DD")
		}
		to = t.Add(24 * time.Hour)
	}
	if v := q.Get("from"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			return from, to, errStatus(http.StatusBadRequest, "from: want YYYY-MM-DD")
		}
		from = t
	}
	if !from.Before(to) {
		return from, to, errStatus(http.StatusBadRequest, "from must be before to")
	}
	if to.Sub(from) > 3*366*24*time.Hour {
		return from, to, errStatus(http.StatusBadRequest, "period longer than three years")
	}
	return from, to, nil
}

// frames are the narrative frames of issue 4, in display order (read-only).
var frames = []string{"propaganda_ban", "foreign_agent", "western_values", "traditional_family", "child_protection",
	"political_smear", "dehumanization", "violence_threat"}

func (s *Server) filter(r *http.Request) (Filter, error) {
	from, to, err := s.period(r)
	if err != nil {
		return Filter{}, err
	}
	q := r.URL.Query()
	f := Filter{From: from, To: to, Frame: q.Get("frame"), Lang: q.Get("lang"), Source: q.Get("source"),
		Channel: q.Get("channel"), Q: strings.TrimSpace(q.Get("q")), Model: strings.TrimSpace(q.Get("model")),
		All: q.Get("all") == "1", Limit: 50}
	if f.Frame != "" && !slices.Contains(frames, f.Frame) {
		return f, errStatus(http.StatusBadRequest, "unknown frame")
	}
	if f.All && f.Q != "" {
		return f, errStatus(http.StatusBadRequest, "text search covers flagged posts only: clear \"all posts\" or the text")
	}
	for _, v := range []string{f.Lang, f.Source, f.Channel, f.Q, f.Model} {
		if len(v) > 200 || !utf8Valid(v) {
			return f, errStatus(http.StatusBadRequest, "filter value too long or not UTF-8")
		}
	}
	if v := q.Get("page"); v != "" {
		var p int
		if _, err := fmt.Sscanf(v, "%d", &p); err != nil || p < 1 || (p-1)*f.Limit > maxOffset {
			return f, errStatus(http.StatusBadRequest, fmt.Sprintf("page: 1..%d", maxOffset/f.Limit+1))
		}
		f.Offset = (p - 1) * f.Limit
	}
	return f, nil
}
