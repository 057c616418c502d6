package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// AlertRule is an organisation's alerting rule as the UI shows and edits it: the lowest
// severity that alerts, the delivery channels, the grouping window and first delay
// (Go durations such as "30s"), the languages of the messages, and where the rule comes
// from ("config" or "api").
type AlertRule struct {
	Org         string   `json:"org"`
	MinSeverity string   `json:"min_severity"`
	Channels    []string `json:"channels"`
	GroupWindow string   `json:"group_window,omitempty"`
	FirstDelay  string   `json:"first_delay,omitempty"`
	Languages   []string `json:"languages,omitempty"`
	Source      string   `json:"source,omitempty"`
}

// ErrInvalidRule marks a rule the alert engine refuses (a client error, HTTP 400).
var ErrInvalidRule = errors.New("invalid alert rule")

// RuleManager lists and changes the alert engine's per-organisation rules. The alerts
// package implements it behind an adapter in app/serve.go; nil hides rule management.
type RuleManager interface {
	Rules(ctx context.Context) ([]AlertRule, error)
	// SetRule stores a rule made through the UI or API (wrap ErrInvalidRule when the
	// rule is refused).
	SetRule(ctx context.Context, r AlertRule) error
	// ResetRule removes an API-made rule, falling back to the configuration's.
	ResetRule(ctx context.Context, org string) error
	// Channels lists the configured delivery channels with the organisations bound to
	// them (alerts.channels[].orgs).
	Channels() []AlertChannel
}

// AlertChannel is a configured delivery channel and the organisations whose rules may
// route to it (none: only an admin may).
type AlertChannel struct {
	Name string   `json:"name"`
	Orgs []string `json:"orgs,omitempty"`
}

// channelsFor lists the channel names u may see and pick: every channel for staff,
// only its organisation's own for an organisation user (another organisation's
// channel names and receivers are not its business).
func (s *Server) channelsFor(u User) []string {
	var out []string
	for _, c := range s.ruleMgr.Channels() {
		if u.Role != RoleOrg || slices.Contains(c.Orgs, u.Org) {
			out = append(out, c.Name)
		}
	}
	return out
}

var errNoRules = errStatus(http.StatusNotFound, "alert rules are not managed through the UI in this deployment")

// rules lists the rules in the caller's scope.
func (s *Server) rules(r *http.Request, rc *reqCtx) ([]AlertRule, error) {
	if s.ruleMgr == nil {
		return nil, errNoRules
	}
	all, err := s.ruleMgr.Rules(r.Context())
	if err != nil {
		return nil, err
	}
	sc := ScopeOf(rc.User)
	if sc.All {
		return all, nil
	}
	return slices.DeleteFunc(all, func(x AlertRule) bool { return x.Org != sc.Org }), nil
}

// canChangeRule: admins change any organisation's rule, organisation users their own.
func canChangeRule(u User, org string) error {
	if u.Role == RoleAdmin || (u.Role == RoleOrg && u.Org == org) {
		return nil
	}
	if u.Role == RoleOrg {
		return ErrNotFound
	}
	return errStatus(http.StatusForbidden, "only admins and the organisation's own users change its alert rule")
}

func (s *Server) setRule(r *http.Request, rc *reqCtx, ar AlertRule) error {
	if s.ruleMgr == nil {
		return errNoRules
	}
	if err := canChangeRule(rc.User, ar.Org); err != nil {
		return err
	}
	if rc.User.Role == RoleOrg {
		own := s.channelsFor(rc.User)
		for _, ch := range ar.Channels {
			if !slices.Contains(own, ch) {
				return errStatus(http.StatusBadRequest, fmt.Sprintf("channel %q is not one of your organisation's channels", truncate(ch, 64)))
			}
		}
	}
	if err := s.ruleMgr.SetRule(r.Context(), ar); err != nil {
		if errors.Is(err, ErrInvalidRule) {
			return errStatus(http.StatusBadRequest, err.Error())
		}
		return err
	}
	return s.audit(r.Context(), rc, "rule_set", "org", ar.Org, "min_severity="+ar.MinSeverity+" channels="+strings.Join(ar.Channels, ","))
}

func (s *Server) resetRule(r *http.Request, rc *reqCtx) error {
	if s.ruleMgr == nil {
		return errNoRules
	}
	org := r.PathValue("org")
	if err := canChangeRule(rc.User, org); err != nil {
		return err
	}
	if err := s.ruleMgr.ResetRule(r.Context(), org); err != nil {
		return err
	}
	return s.audit(r.Context(), rc, "rule_reset", "org", org, "")
}

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rs, err := s.rules(r, rc)
	if err != nil {
		return err
	}
	s.render(w, r, "rules", rc, "Alert rules", map[string]any{"Rules": rs, "Channels": s.channelsFor(rc.User),
		"CanEdit": rc.User.Role != RoleAnalyst, "Message": r.URL.Query().Get("msg")})
	return nil
}

func (s *Server) ruleForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "malformed form")
	}
	ar := AlertRule{Org: strings.TrimSpace(r.PostFormValue("org")), MinSeverity: r.PostFormValue("min_severity"),
		Channels: r.PostForm["channels"], GroupWindow: strings.TrimSpace(r.PostFormValue("group_window")),
		FirstDelay: strings.TrimSpace(r.PostFormValue("first_delay")), Languages: r.PostForm["languages"]}
	if rc.User.Role == RoleOrg && ar.Org == "" {
		ar.Org = rc.User.Org
	}
	if err := s.setRule(r, rc, ar); err != nil {
		var he *httpError
		if errors.As(err, &he) && he.code == http.StatusBadRequest {
			http.Redirect(w, r, "/alert-rules?msg="+urlQueryEscape(he.msg), http.StatusSeeOther)
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/alert-rules?msg="+urlQueryEscape("saved the rule of "+ar.Org), http.StatusSeeOther)
	return nil
}

func (s *Server) ruleResetForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.resetRule(r, rc); err != nil {
		return err
	}
	http.Redirect(w, r, "/alert-rules?msg="+urlQueryEscape("reset the rule of "+r.PathValue("org")), http.StatusSeeOther)
	return nil
}

func (s *Server) apiRules(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rs, err := s.rules(r, rc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": nonNil(rs), "channels": nonNil(s.channelsFor(rc.User))})
	return nil
}

func (s *Server) apiSetRule(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var ar AlertRule
	if err := decodeJSON(r, &ar); err != nil {
		return err
	}
	ar.Source = ""
	if err := s.setRule(r, rc, ar); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) apiResetRule(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.resetRule(r, rc); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}
