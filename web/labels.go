package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/storage/readmodel"
)

// Analysts' labels of narrative classifications (issue 14): confirm or dismiss a flag,
// correct frames and labels, mark a post the classifier missed. Every role may label;
// an organisation user's label belongs to its organisation, and every read of labels is
// scoped to the caller's organisation in SQL (package feedback). Every label is audited.

// labelInput is a label as a form or the API submits it.
type labelInput struct {
	PostID     string   `json:"post_id"`
	Action     string   `json:"action"`
	Homophobic bool     `json:"homophobic"`
	Frames     []string `json:"frames"`
	Labels     []string `json:"labels"`
	Kind       string   `json:"kind"`
	Note       string   `json:"note"`
}

func labelScope(u User) feedback.Scope {
	sc := ScopeOf(u)
	return feedback.Scope{All: sc.All, Org: sc.Org}
}

// labelPost stores a label of a post the caller can open, with the model version of the
// post's classification, and audits it.
func (s *Server) labelPost(ctx context.Context, rc *reqCtx, in labelInput) (feedback.Label, error) {
	if in.PostID == "" || len(in.PostID) > 512 {
		return feedback.Label{}, errStatus(http.StatusBadRequest, "post_id: required")
	}
	p, err := s.db.Post(ctx, in.PostID)
	if err != nil {
		return feedback.Label{}, err
	}
	l := feedback.Label{PostID: p.ID, Source: p.Source, PublishedAt: p.PublishedAt, Org: rc.User.Org,
		Analyst: rc.User.Name, Role: string(rc.User.Role), Action: in.Action, ModelVersion: p.ModelVersion,
		Homophobic: in.Homophobic, Frames: in.Frames, Labels: in.Labels, Kind: in.Kind, Note: in.Note,
		LabelledAt: s.now()}
	if err := l.Normalize(); err != nil {
		return l, errStatus(http.StatusBadRequest, err.Error())
	}
	if err := s.labels.Add(ctx, l); err != nil {
		return l, err
	}
	return l, s.audit(ctx, rc, "label_narrative", "post", p.ID, fmt.Sprintf("action=%s homophobic=%t frames=%s labels=%s kind=%s model=%s",
		l.Action, l.Homophobic, strings.Join(l.Frames, ","), strings.Join(l.Labels, ","), l.Kind, l.ModelVersion))
}

func (s *Server) labelForm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return errStatus(http.StatusBadRequest, "bad form")
	}
	f := r.PostForm
	in := labelInput{PostID: f.Get("post"), Action: f.Get("action"), Homophobic: f.Get("homophobic") == "1",
		Frames: f["frames"], Labels: f["labels"], Kind: f.Get("kind"), Note: f.Get("note")}
	if in.Action == feedback.ActionDismiss {
		// The form starts with the classifier's frames ticked: dismissing the flag drops
		// them, and every form of hate speech except a slur used as a general insult.
		in.Frames = nil
		in.Labels = slices.DeleteFunc(slices.Clone(in.Labels), func(l string) bool { return l != "slur_insult" })
	}
	if _, err := s.labelPost(r.Context(), rc, in); err != nil {
		return err
	}
	http.Redirect(w, r, "/posts/"+url.PathEscape(in.PostID)+"?labelled=1#labels", http.StatusSeeOther)
	return nil
}

func (s *Server) apiLabel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var in labelInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	l, err := s.labelPost(r.Context(), rc, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "label": l})
	return nil
}

// apiLabels lists the labels of ?post=ID, or the newest labels, in the caller's scope.
func (s *Server) apiLabels(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var ls []feedback.Label
	var err error
	if id := r.URL.Query().Get("post"); id != "" {
		ls, err = s.labels.ForPost(r.Context(), labelScope(rc.User), id)
	} else {
		ls, err = s.labels.Recent(r.Context(), labelScope(rc.User), 200)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"labels": nonNil(ls)})
	return nil
}

// labelsPage lists the newest labels in the caller's scope.
func (s *Server) labelsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ls, err := s.labels.Recent(r.Context(), labelScope(rc.User), 200)
	if err != nil {
		return err
	}
	s.render(w, r, "labels", rc, "Narrative labels", map[string]any{"Labels": ls})
	return nil
}

// postView is the post page's data: the post, its labels in the caller's scope, and the
// label choices (TAXONOMY).
type postView struct {
	P          PostRow
	Labels     []feedback.Label
	Frames     []string
	LabelNames []string
	Kinds      []string
	Labelled   bool
	// Checked are the frames and labels the form starts with: the newest visible
	// label's, or the classifier's frames when the post has no label yet.
	CheckedFrames, CheckedLabels []string
	// Comments are the post's flagged comments and replies (none for a comment).
	Comments []PostRow
}

func (s *Server) postView(ctx context.Context, rc *reqCtx, id string, labelled bool) (postView, error) {
	p, err := s.db.Post(ctx, id)
	if err != nil {
		return postView{}, err
	}
	ls, err := s.labels.ForPost(ctx, labelScope(rc.User), p.ID)
	if err != nil {
		return postView{}, err
	}
	v := postView{P: p, Labels: ls, Frames: feedback.Frames, LabelNames: feedback.Labels, Kinds: feedback.Kinds,
		Labelled: labelled, CheckedFrames: p.Frames}
	if len(ls) > 0 {
		v.CheckedFrames, v.CheckedLabels = ls[0].Frames, ls[0].Labels
	}
	if !p.IsComment() {
		if v.Comments, err = s.db.FlaggedComments(ctx, p); err != nil {
			return postView{}, err
		}
	}
	return v, nil
}

// modelCache keeps the explorer's model-version list for a few minutes (facetTTL): it
// needs a scan of the period's model_version column and changes only on promotion.
type modelCache struct {
	mu     sync.Mutex
	key    string
	at     time.Time
	models []string
}

func (s *Server) cachedModelVersions(ctx context.Context, from, to time.Time) ([]string, error) {
	key := from.Format(time.RFC3339) + "|" + to.Format(time.RFC3339)
	s.models.mu.Lock()
	if s.models.key == key && s.now().Sub(s.models.at) < facetTTL {
		m := s.models.models
		s.models.mu.Unlock()
		return m, nil
	}
	s.models.mu.Unlock()
	m, err := s.db.modelVersions(ctx, from, to)
	if err != nil {
		return nil, err
	}
	s.models.mu.Lock()
	s.models.key, s.models.at, s.models.models = key, s.now(), m
	s.models.mu.Unlock()
	return m, nil
}

// modelVersions lists the model versions of the period's narrative classifications,
// for the explorer's model filter.
func (d *DB) modelVersions(ctx context.Context, from, to time.Time) ([]string, error) {
	return readmodel.ModelVersions(ctx, d.Conn, from.UTC(), to.UTC())
}
