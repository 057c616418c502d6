package web

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestNoAckerRefuses: a server without the alert state has no acker of its own, so an
// acknowledgement answers 503 instead of writing an incident row the alert mirror would
// undo.
func TestNoAckerRefuses(t *testing.T) {
	s := newUnitServer(t, nil)
	err := s.acker.Acknowledge(context.Background(), Scope{All: true}, "inc-1", "admin", time.Now())
	var he *httpError
	if !errors.As(err, &he) || he.code != http.StatusServiceUnavailable {
		t.Fatalf("Acknowledge without the alert state = %v, want a 503", err)
	}
}
