package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Backfiller queues a digest of an organisation's past exposures (the alert engine):
// the explicit, bounded way for an organisation or member that joined today to learn
// what was exposed before, as one message rather than a burst of alerts.
type Backfiller interface {
	Backfill(ctx context.Context, req BackfillRequest) (BackfillResult, error)
}

// BackfillRequest is the API's request: an organisation, optionally one member, and a
// period given either as Since (a duration back from now, e.g. "168h") or From/To.
type BackfillRequest struct {
	Org    string    `json:"org"`
	Member string    `json:"member,omitempty"`
	Since  string    `json:"since,omitempty"`
	From   time.Time `json:"from,omitempty"`
	To     time.Time `json:"to,omitempty"`
	Limit  int       `json:"limit,omitempty"`
}

// BackfillResult says what was queued.
type BackfillResult struct {
	DigestID string   `json:"digest_id"`
	Posts    int      `json:"posts"`
	Listed   int      `json:"listed"`
	Channels []string `json:"channels"`
}

// ErrInvalidBackfill marks a request outside the engine's bounds (a client error).
var ErrInvalidBackfill = errors.New("invalid backfill request")

// apiBackfill queues a digest. Admins may ask for any organisation, an organisation's
// users for their own; analysts may not (a digest goes to the organisation's channels).
func (s *Server) apiBackfill(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.backfill == nil {
		return errStatus(http.StatusNotFound, "backfill is not available in this deployment")
	}
	var req BackfillRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := canChangeRule(rc.User, req.Org); err != nil {
		return err
	}
	if req.Since != "" {
		d, err := time.ParseDuration(req.Since)
		if err != nil || d <= 0 {
			return errStatus(http.StatusBadRequest, "since must be a positive duration such as 168h")
		}
		req.From, req.To = s.now().Add(-d), time.Time{}
	}
	res, err := s.backfill.Backfill(r.Context(), req)
	if err != nil {
		if errors.Is(err, ErrInvalidBackfill) {
			return errStatus(http.StatusBadRequest, err.Error())
		}
		return err
	}
	detail := fmt.Sprintf("member=%s from=%s to=%s posts=%d", req.Member, req.From.UTC().Format(time.RFC3339),
		req.To.UTC().Format(time.RFC3339), res.Posts)
	if err := s.audit(r.Context(), rc, "backfill", "org", req.Org, detail); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, res)
	return nil
}
