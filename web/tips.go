package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TipSubmitter hands a tip from the web form to the tipline (collectors/tipline): the
// tip is merged with what members sent the bot or the mailbox and published like them.
type TipSubmitter interface {
	// Orgs are the organisations the tipline takes tips for.
	Orgs() []string
	// SubmitTip returns the receipt once the tip is published; an error wrapping
	// ErrTipRefused says why the tipline would not keep it.
	SubmitTip(ctx context.Context, t TipSubmission) (TipReceipt, error)
	// Notice is the tipline's privacy notice in lang (en, ru, ky).
	Notice(lang string) string
}

// TipSubmission is one tip from the form. Submitter stands for the account that sent
// it; the tipline keeps it only as a keyed hash of its organisation.
type TipSubmission struct {
	Org, Submitter, Text, Link, SMSSender string
	// Forget asks to unlink every earlier tip of Submitter in Org.
	Forget bool
}

// TipReceipt is the tipline's answer: the campaign reference and whether the account
// had already sent it.
type TipReceipt struct {
	Ref    string
	Repeat bool
	Kind   string
	// Unlinked and Withdrawn answer a Forget.
	Unlinked, Withdrawn int
}

// ErrTipRefused marks a tip the tipline will not keep (nothing in it, unknown org).
var ErrTipRefused = errors.New("tip refused")

// Limits of the form's fields.
const (
	maxTipText   = 4000
	maxTipLink   = 2000
	maxSMSSender = 40
)

type tipsView struct {
	Configured bool
	Orgs       []string
	Notices    []tipNotice
	Receipt    *TipReceipt
	// Forgotten answers the forget button.
	Forgotten *TipReceipt
	Error     string
	// Form repeats what was typed after a refused submission.
	Form TipSubmission
}

type tipNotice struct{ Lang, Label, Text string }

func (s *Server) tipsData(rc *reqCtx) tipsView {
	v := tipsView{Configured: s.tips != nil}
	if s.tips == nil {
		return v
	}
	if rc.User.Role != RoleOrg {
		v.Orgs = s.tips.Orgs()
	}
	for _, l := range []struct{ lang, label string }{{"en", "English"}, {"ru", "Русский"}, {"ky", "Кыргызча"}} {
		v.Notices = append(v.Notices, tipNotice{Lang: l.lang, Label: l.label, Text: s.tips.Notice(l.lang)})
	}
	return v
}

func (s *Server) tipsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	v := s.tipsData(rc)
	q := r.URL.Query()
	if ref := q.Get("ref"); ref != "" && len(ref) <= 16 {
		v.Receipt = &TipReceipt{Ref: ref, Repeat: q.Get("repeat") == "1"}
	}
	if q.Has("unlinked") {
		v.Forgotten = &TipReceipt{Unlinked: atoiOr(q.Get("unlinked")), Withdrawn: atoiOr(q.Get("withdrawn"))}
	}
	s.render(w, r, "tips", rc, "Submit a tip", v)
	return nil
}

// tipForm takes a tip from an organisation user (for its own organisation, from the
// session) or an analyst or admin (for the organisation chosen). The account is handed
// on only as the tip's submitter, which the tipline hashes; it is not logged or audited
// here, so no record links an account to a tip.
func (s *Server) tipForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.tips == nil {
		// The page says that no tipline is configured.
		http.Redirect(w, r, "/tips", http.StatusSeeOther)
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "malformed form")
	}
	sub := TipSubmission{Org: strings.TrimSpace(r.PostFormValue("org")), Text: strings.TrimSpace(r.PostFormValue("text")),
		Link: strings.TrimSpace(r.PostFormValue("link")), SMSSender: strings.TrimSpace(r.PostFormValue("sms_sender"))}
	if rc.User.Role == RoleOrg {
		if sub.Org != "" && sub.Org != rc.User.Org {
			return errStatus(http.StatusForbidden, "an organisation user submits tips for its own organisation only")
		}
		sub.Org = rc.User.Org
	}
	refuse := func(msg string) error {
		v := s.tipsData(rc)
		v.Error, v.Form = msg, sub
		w.WriteHeader(http.StatusBadRequest)
		s.render(w, r, "tips", rc, "Submit a tip", v)
		return nil
	}
	switch {
	case !slices.Contains(s.tips.Orgs(), sub.Org):
		return refuse("choose an organisation that has a tipline")
	case sub.Text == "" && sub.Link == "":
		return refuse("write the text you received or give a link")
	case utf8.RuneCountInString(sub.Text) > maxTipText, len(sub.Link) > maxTipLink, utf8.RuneCountInString(sub.SMSSender) > maxSMSSender:
		return refuse("the text, link or sender ID is too long")
	case strings.ContainsAny(sub.SMSSender, "\r\n"):
		return refuse("the sender ID is one line")
	}
	if sub.Link != "" {
		u, err := url.Parse(sub.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return refuse("the link must be an http(s) address")
		}
	}
	sub.Submitter = "web:" + rc.User.Name
	rcpt, err := s.tips.SubmitTip(r.Context(), sub)
	if errors.Is(err, ErrTipRefused) {
		return refuse("the tipline did not keep this tip: " + strings.TrimPrefix(err.Error(), ErrTipRefused.Error()+": "))
	}
	if err != nil {
		return errStatus(http.StatusServiceUnavailable, "the tipline did not confirm the tip; nothing may have been stored, try again in a minute")
	}
	q := url.Values{"ref": {rcpt.Ref}}
	if rcpt.Repeat {
		q.Set("repeat", "1")
	}
	http.Redirect(w, r, "/tips?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// tipForgetForm unlinks every tip the account sent for its organisation (an analyst or
// admin: for the organisation chosen): the web form's /forget.
func (s *Server) tipForgetForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.tips == nil {
		// The page says that no tipline is configured.
		http.Redirect(w, r, "/tips", http.StatusSeeOther)
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "malformed form")
	}
	org := strings.TrimSpace(r.PostFormValue("org"))
	if rc.User.Role == RoleOrg {
		if org != "" && org != rc.User.Org {
			return errStatus(http.StatusForbidden, "an organisation user acts for its own organisation only")
		}
		org = rc.User.Org
	}
	if !slices.Contains(s.tips.Orgs(), org) {
		return errStatus(http.StatusBadRequest, "choose an organisation that has a tipline")
	}
	rcpt, err := s.tips.SubmitTip(r.Context(), TipSubmission{Org: org, Submitter: "web:" + rc.User.Name, Forget: true})
	if err != nil {
		return errStatus(http.StatusServiceUnavailable, "the tipline did not confirm; try again in a minute")
	}
	http.Redirect(w, r, "/tips?"+url.Values{"unlinked": {strconv.Itoa(rcpt.Unlinked)}, "withdrawn": {strconv.Itoa(rcpt.Withdrawn)}}.Encode(), http.StatusSeeOther)
	return nil
}

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
