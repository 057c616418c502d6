package demosite

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// hookSink is the demo's stand-in for an organisation's alert receiver: `make run`
// points the demo organisation's webhook at POST /hooks/{name}, and GET /hooks shows what
// arrived, so the whole path from an exposing post to an alert can be watched offline.
// It keeps the last maxHooks deliveries in memory and verifies nothing: a real receiver
// checks the signature (see docs/alerts.md).
type hookSink struct {
	mu   sync.Mutex
	last []hookDelivery
}

type hookDelivery struct {
	Name       string          `json:"name"`
	ReceivedAt time.Time       `json:"received_at"`
	WebhookID  string          `json:"webhook_id"`
	Payload    json.RawMessage `json:"payload"`
}

const maxHooks = 100

func (h *hookSink) receive(now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !json.Valid(body) {
			http.Error(w, "expected a JSON body", http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.last = append(h.last, hookDelivery{Name: r.PathValue("name"), ReceivedAt: now().UTC(),
			WebhookID: r.Header.Get("webhook-id"), Payload: body})
		if len(h.last) > maxHooks {
			h.last = h.last[len(h.last)-maxHooks:]
		}
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *hookSink) list(w http.ResponseWriter, _ *http.Request) {
	h.mu.Lock()
	out := append([]hookDelivery{}, h.last...)
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}
