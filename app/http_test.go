package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestHTTPServersHaveTimeouts: a client that trickles its headers or body, or never
// reads the answer, cannot hold a connection open for ever (issue 19, item 16).
func TestHTTPServersHaveTimeouts(t *testing.T) {
	s := newHTTPServer(http.NotFoundHandler())
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 {
		t.Fatalf("server without a timeout: %+v", s)
	}
	if s.WriteTimeout <= 30*time.Second {
		t.Fatalf("write timeout %s leaves no room for a 30 s CPU profile", s.WriteTimeout)
	}
}

// TestSharedHandlerRoutesMetrics: with http.metrics_listen "shared", /metrics and pprof
// come from the metrics mux and nothing else does.
func TestSharedHandlerRoutesMetrics(t *testing.T) {
	main, metrics := http.NewServeMux(), http.NewServeMux()
	main.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ui")) })
	metrics.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("metrics")) })
	h := sharedHandler(main, metrics)
	for path, want := range map[string]string{"/metrics": "metrics", "/debug/pprof/heap": "metrics", "/": "ui", "/metrics2": "ui", "/api/me": "ui"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s served by %q, want %q", path, rec.Body.String(), want)
		}
	}
}
