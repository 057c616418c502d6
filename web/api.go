package web

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/kuzot/kuzot/web/auth"
)

// The JSON API: the same data as the pages, through the same query helpers (overview,
// incident, label, ack) and the same DB read model, as JSON.

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func decodeJSON(r *http.Request, v any) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return errStatus(http.StatusUnsupportedMediaType, "send Content-Type: application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errStatus(http.StatusBadRequest, "malformed JSON body: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return errStatus(http.StatusBadRequest, "malformed JSON body: trailing data")
	}
	return nil
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	tok, u, err := s.login(r.Context(), in.Name, in.Password, rc.IP)
	if err != nil {
		return err
	}
	s.setSession(w, tok, int(s.cfg.SessionTTL.Seconds()))
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "csrf_token": auth.CSRFToken(tok)})
	return nil
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.logout(r.Context(), w, rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, _ *http.Request, rc *reqCtx) error {
	writeJSON(w, http.StatusOK, map[string]any{"user": rc.User, "csrf_token": rc.CSRF, "privileged": rc.User.Privileged()})
	return nil
}

func (s *Server) apiOverview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	o, err := s.overview(r, rc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiPosts(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	f, err := s.filter(r)
	if err != nil {
		return err
	}
	ps, err := s.db.SearchPosts(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"posts": nonNil(ps), "limit": f.Limit, "offset": f.Offset})
	return nil
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (s *Server) apiPost(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	p, err := s.db.Post(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiClusters(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	var cs []Cluster
	if s.cluster != nil {
		var err error
		if cs, err = s.cluster.Clusters(r.Context(), 100); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"clusters": nonNil(cs), "enabled": s.cluster != nil})
	return nil
}

func (s *Server) apiCluster(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	if s.cluster == nil {
		return errNoCoordination
	}
	c, err := s.cluster.Cluster(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	status := r.URL.Query().Get("status")
	if status != "" && status != "open" && status != "acknowledged" {
		return errStatus(http.StatusBadRequest, "status: open or acknowledged")
	}
	is, err := s.db.Incidents(r.Context(), ScopeOf(rc.User), status, 200)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": nonNil(is)})
	return nil
}

func (s *Server) apiIncident(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, posts, err := s.incident(r, rc, false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": inc, "posts": nonNil(posts)})
	return nil
}

func (s *Server) apiUnredact(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	inc, posts, err := s.incident(r, rc, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": inc, "posts": nonNil(posts)})
	return nil
}

func (s *Server) apiAck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.ack(r, rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ds, err := s.db.Deliveries(r.Context(), ScopeOf(rc.User), 200)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": nonNil(ds)})
	return nil
}

func (s *Server) apiSources(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	ss, err := s.db.Sources(r.Context(), s.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": nonNil(ss)})
	return nil
}

func (s *Server) apiReports(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rs, err := s.reports.List(r.Context(), ScopeOf(rc.User))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": nonNil(rs)})
	return nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	us, err := s.db.ListUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": nonNil(us)})
	return nil
}

func (s *Server) apiPutUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in struct {
		Name        string `json:"name"`
		Role        Role   `json:"role"`
		Org         string `json:"org"`
		CanUnredact bool   `json:"can_unredact"`
		Disabled    bool   `json:"disabled"`
		Password    string `json:"password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	u := User{Name: in.Name, Role: in.Role, Org: in.Org, CanUnredact: in.CanUnredact, Disabled: in.Disabled}
	if err := s.putUser(r, rc, u, in.Password); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": u})
	return nil
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	es, err := s.db.ListAudit(r.Context(), 500)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit": nonNil(es)})
	return nil
}
