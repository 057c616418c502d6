package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts"
)

const token = "123456:TEST-not-a-real-token"

func testAlert() *alerts.Alert {
	return &alerts.Alert{ID: "inc_1.1.tg", Languages: []string{"en", "ru"}, Message: alerts.Message{
		IncidentID: "inc_1", Member: "m-001", Kind: alerts.KindNew, Severity: "critical", Categories: []string{"phone", "sogi"},
		Summary:   map[string]string{"en": "New incident", "ru": "Новый инцидент"},
		NextSteps: map[string][]string{"en": alerts.NextSteps("en", []string{"telegram"}), "ru": alerts.NextSteps("ru", []string{"telegram"})},
	}}
}

func TestSendMessage(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":1}}`))
	}))
	defer srv.Close()
	cfg := &Config{BaseURL: srv.URL, ChatID: "-100500", TokenEnv: "X"}
	cfg.Defaults()
	cfg.MinInterval = 200 * time.Millisecond
	ch := New(cfg, token, srv.Client())
	start := time.Now()
	for range 2 {
		if err := ch.Send(context.Background(), testAlert()); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 200*time.Millisecond {
		t.Fatalf("two messages to one chat within %s: the per-chat interval is not kept", el)
	}
	if paths[0] != "/bot"+token+"/sendMessage" || got[0]["chat_id"] != "-100500" {
		t.Fatalf("request %s %v", paths[0], got[0])
	}
	text := got[0]["text"].(string)
	for _, want := range []string{"member m-001", "phone number", "номер телефона", "abuse@telegram.org", "Access Now Digital Security Helpline", "inc_1.1.tg"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestErrorsAreClassifiedAndTokenNeverLeaks(t *testing.T) {
	status, body := 0, ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	cfg := &Config{BaseURL: srv.URL, ChatID: "1", TokenEnv: "X"}
	ch := New(cfg, token, srv.Client())
	status, body = 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`
	var ra *alerts.RetryAfterError
	if err := ch.Send(context.Background(), testAlert()); !errors.As(err, &ra) || ra.After != 3*time.Second {
		t.Fatalf("429: %v", err)
	}
	status, body = 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`
	if err := ch.Send(context.Background(), testAlert()); !errors.Is(err, alerts.ErrPermanent) {
		t.Fatalf("403 must be permanent: %v", err)
	}
	status, body = 502, `not json`
	err := ch.Send(context.Background(), testAlert())
	if err == nil || errors.Is(err, alerts.ErrPermanent) {
		t.Fatalf("502 must be retryable: %v", err)
	}
	srv.Close()
	err = ch.Send(context.Background(), testAlert())
	if err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("connection error must not contain the token: %v", err)
	}
}

func TestTruncate(t *testing.T) {
	s := strings.Repeat("ж", 5000)
	if got := Truncate(s, MaxText); len([]rune(got)) != MaxText || !strings.HasSuffix(got, "…") {
		t.Fatalf("len %d", len([]rune(got)))
	}
	if Truncate("abc", 10) != "abc" {
		t.Fatal("short text changed")
	}
}
