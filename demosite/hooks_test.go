package demosite

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHookSinkKeepsDeliveries(t *testing.T) {
	site, err := New(Options{Epoch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/hooks/demo-org", strings.NewReader(`{"type":"incident.new","severity":"critical"}`))
	req.Header.Set("webhook-id", "msg_1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("post: %v %v", err, resp.Status)
	}
	bad, _ := http.Post(srv.URL+"/hooks/demo-org", "application/json", strings.NewReader("not json"))
	if bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("invalid body accepted: %s", bad.Status)
	}
	resp, err = http.Get(srv.URL + "/hooks")
	if err != nil {
		t.Fatal(err)
	}
	var got []hookDelivery
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "demo-org" || got[0].WebhookID != "msg_1" || !strings.Contains(string(got[0].Payload), "critical") {
		t.Fatalf("deliveries %+v", got)
	}
}
