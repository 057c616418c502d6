package coordination

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Labeler stores analyst labels; *Store implements it.
type Labeler interface {
	SetLabel(ctx context.Context, l Label) error
}

// maxLabelBody caps a label request body.
const maxLabelBody = 16 << 10

// LabelHandler serves an analyst's label for one cluster: a POST whose route carries the
// cluster id as the {id} path value (for example "POST /api/coordination/clusters/{id}/label")
// and whose JSON body is {"label": "confirmed"|"dismissed"|"unlabelled", "note": "..."}.
// who returns the authenticated analyst from the web layer's session (authentication,
// CSRF and audit stay there); an error from it is answered 401. The stored label is
// echoed as JSON. Storage errors are logged and answered 500 without details.
func LabelHandler(l Labeler, who func(*http.Request) (string, error), now func() time.Time, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			httpError(w, http.StatusMethodNotAllowed, "use POST")
			return
		}
		analyst, err := who(r)
		if err != nil || analyst == "" {
			httpError(w, http.StatusUnauthorized, "not signed in")
			return
		}
		var body struct {
			Label string `json:"label"`
			Note  string `json:"note"`
		}
		dec := json.NewDecoder(io.LimitReader(r.Body, maxLabelBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			httpError(w, http.StatusBadRequest, "body must be {\"label\": ..., \"note\": ...}")
			return
		}
		lab := Label{ClusterID: r.PathValue("id"), Label: body.Label, Analyst: analyst, Note: body.Note, At: now().UTC()}
		if err := lab.Validate(); err != nil {
			httpError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := l.SetLabel(r.Context(), lab); err != nil {
			if errors.Is(err, ErrLabel) {
				httpError(w, http.StatusBadRequest, err.Error())
				return
			}
			log.Error("store cluster label", "cluster", lab.ClusterID, "err", err)
			httpError(w, http.StatusInternalServerError, "could not store the label")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(lab)
	})
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
