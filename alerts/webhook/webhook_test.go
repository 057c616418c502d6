package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts"
)

// The synthetic vectors of the research note (coordination-and-alerts.md §5).
const (
	vecSecret = "whsec_a3V6b3QtdGVzdC1zZWNyZXQta2V5LTMyLWJ5dGVzISE="
	vecID     = "msg_test1"
	vecTS     = 1700000000
	vecBody   = `{"alert_id":"a1"}`
	vecSig    = "v1,vHd1FISTvbqYQi48iiPTifazPYOjuHGR7bzPdxk1su4="
	otherSec  = "whsec_b3RoZXIta3V6b3Qta2V5LTMyLWJ5dGVzLWxvbmch"
)

func TestSignVector(t *testing.T) {
	key, err := ParseSecret(vecSecret)
	if err != nil {
		t.Fatal(err)
	}
	if string(key) != "kuzot-test-secret-key-32-bytes!!" {
		t.Fatalf("key = %q", key)
	}
	if got := Sign(key, vecID, vecTS, []byte(vecBody)); got != vecSig {
		t.Fatalf("Sign = %s, want %s", got, vecSig)
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(vecTS, 0).Add(time.Minute)
	hdr := func(id, ts, sig string) http.Header {
		h := http.Header{}
		if id != "" {
			h.Set(HeaderID, id)
		}
		if ts != "" {
			h.Set(HeaderTimestamp, ts)
		}
		if sig != "" {
			h.Set(HeaderSignature, sig)
		}
		return h
	}
	ts := strconv.Itoa(vecTS)
	otherKey, _ := ParseSecret(otherSec)
	other := Sign(otherKey, vecID, vecTS, []byte(vecBody))
	for _, tc := range []struct {
		name    string
		secrets []string
		h       http.Header
		body    string
		now     time.Time
		want    error
	}{
		{"valid", []string{vecSecret}, hdr(vecID, ts, vecSig), vecBody, now, nil},
		{"tampered body", []string{vecSecret}, hdr(vecID, ts, vecSig), `{"alert_id":"a2"}`, now, ErrSignature},
		{"wrong key", []string{otherSec}, hdr(vecID, ts, vecSig), vecBody, now, ErrSignature},
		{"six minutes old", []string{vecSecret}, hdr(vecID, ts, vecSig), vecBody, time.Unix(vecTS, 0).Add(6 * time.Minute), ErrTimestamp},
		{"from the future", []string{vecSecret}, hdr(vecID, ts, vecSig), vecBody, time.Unix(vecTS, 0).Add(-6 * time.Minute), ErrTimestamp},
		{"missing signature", []string{vecSecret}, hdr(vecID, ts, ""), vecBody, now, ErrMissingHeaders},
		{"missing id", []string{vecSecret}, hdr("", ts, vecSig), vecBody, now, ErrMissingHeaders},
		{"changed id", []string{vecSecret}, hdr("msg_test2", ts, vecSig), vecBody, now, ErrSignature},
		{"two signatures, one valid", []string{vecSecret}, hdr(vecID, ts, other+" "+vecSig), vecBody, now, nil},
		{"receiver rotated to the new key", []string{otherSec}, hdr(vecID, ts, vecSig+" "+other), vecBody, now, nil},
		{"bad timestamp", []string{vecSecret}, hdr(vecID, "yesterday", vecSig), vecBody, now, ErrTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secrets, tc.h, []byte(tc.body), tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseSecretRejects(t *testing.T) {
	for _, s := range []string{"", "a3V6b3Q=", "whsec_!!!", "whsec_c2hvcnQ="} {
		if _, err := ParseSecret(s); err == nil {
			t.Errorf("ParseSecret(%q) accepted", s)
		}
	}
}

func TestSendSignsAndClassifiesAnswers(t *testing.T) {
	key, _ := ParseSecret(vecSecret)
	okey, _ := ParseSecret(otherSec)
	var status = http.StatusOK
	var gotErr error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		gotErr = Verify([]string{otherSec}, r.Header, body, time.Now())
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	ch := New(&Config{URL: srv.URL, Headers: map[string]string{"X-Org": "org-a"}}, [][]byte{key, okey}, srv.Client(), nil)
	a := &alerts.Alert{ID: "inc_1.1.hook", Message: alerts.Message{AlertID: "inc_1.1"}}
	if err := ch.Send(context.Background(), a); err != nil || gotErr != nil {
		t.Fatalf("send: %v, receiver verify: %v", err, gotErr)
	}
	status = http.StatusInternalServerError
	if err := ch.Send(context.Background(), a); err == nil || errors.Is(err, alerts.ErrPermanent) {
		t.Fatalf("500 must be retryable, got %v", err)
	}
	status = http.StatusTooManyRequests
	var ra *alerts.RetryAfterError
	if err := ch.Send(context.Background(), a); !errors.As(err, &ra) || ra.After != 7*time.Second {
		t.Fatalf("429 must carry Retry-After, got %v", err)
	}
	status = http.StatusGone
	if err := ch.Send(context.Background(), a); !errors.Is(err, alerts.ErrPermanent) {
		t.Fatalf("410 must be permanent, got %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	c := &Config{URL: "ftp://x", Headers: map[string]string{"webhook-id": "x"}}
	err := c.Validate()
	for _, want := range []string{"url", "secret_envs", "set by kuzot"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want mention of %q", err, want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(vecID, strconv.Itoa(vecTS), vecSig, vecBody)
	f.Add("", "", "", "")
	f.Add("x", "-99999999999999999999", "v1,", "{}")
	f.Add("x", "1700000000", "v1,AAAA v2,BBBB   ", "{}")
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		h := http.Header{}
		h.Set(HeaderID, id)
		h.Set(HeaderTimestamp, ts)
		h.Set(HeaderSignature, sig)
		err := Verify([]string{vecSecret}, h, []byte(body), time.Unix(vecTS, 0))
		if err == nil && sig != "" {
			key, _ := ParseSecret(vecSecret)
			n, _ := strconv.ParseInt(ts, 10, 64)
			if !strings.Contains(sig, Sign(key, id, n, []byte(body))) {
				t.Fatalf("accepted a signature that is not ours: %q", sig)
			}
		}
	})
}

// TestWebhookURLRules: signed alerts go over https, or plain http only to this machine
// (issue 19, item 15).
func TestWebhookURLRules(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://alerts.example.org/kuzot", true},
		{"http://127.0.0.1:8090/hooks/demo-org", true},
		{"http://[::1]:9000/h", true},
		{"http://localhost:9000/h", true},
		{"http://alerts.example.org/kuzot", false},
		{"http://10.0.0.5/hook", false},
		{"http://127.0.0.1.evil.example/hook", false},
		{"https://user:pass@alerts.example.org/", false},
		{"ftp://alerts.example.org/", false},
		{"//alerts.example.org/", false},
	} {
		err := (&Config{URL: tc.url, SecretEnvs: []string{"X"}}).Validate()
		if (err == nil) != tc.ok {
			t.Errorf("Validate(%s) = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
}

// TestWebhookErrorsHideTheURL: the hook URL's path and query often are its access
// token; delivery errors (stored as last_error, shown in the UI, logged) and config
// errors carry only the scheme and host (issue 19, item 15).
func TestWebhookErrorsHideTheURL(t *testing.T) {
	const token = "s3cr3t-hook-token"
	key, _ := ParseSecret(vecSecret)
	// A closed port: the transport's error would name the full URL.
	ln := httptest.NewServer(http.NotFoundHandler())
	closed := ln.URL
	ln.Close()
	down := New(&Config{URL: closed + "/hooks/" + token + "?token=" + token}, [][]byte{key}, nil, nil)
	a := &alerts.Alert{ID: "inc_1.1.hook", Message: alerts.Message{AlertID: "inc_1.1"}}
	err := down.Send(context.Background(), a)
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), strings.TrimPrefix(closed, "http://")) {
		t.Fatalf("error of an unreachable hook: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer srv.Close()
	bad := New(&Config{URL: srv.URL + "/hooks/" + token + "?token=" + token}, [][]byte{key}, srv.Client(), nil)
	if err := bad.Send(context.Background(), a); err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("error of a failing hook: %v", err)
	}
	if err := (&Config{URL: "http://alerts.example.org/hooks/" + token, SecretEnvs: []string{"X"}}).Validate(); err == nil ||
		strings.Contains(err.Error(), token) {
		t.Fatalf("config error: %v", err)
	}
}

// TestWebhookDoesNotFollowRedirects: a receiver (or whoever took over its address) that
// answers 307 or 308 must not get kuzot to re-send the signed body elsewhere (issue 19,
// item 15).
func TestWebhookDoesNotFollowRedirects(t *testing.T) {
	key, _ := ParseSecret(vecSecret)
	var stolen atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
	}))
	defer attacker.Close()
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, attacker.URL+"/collect", code)
		}))
		ch := New(&Config{URL: hook.URL}, [][]byte{key}, hook.Client(), nil)
		err := ch.Send(context.Background(), &alerts.Alert{ID: "inc_1.1.hook", Message: alerts.Message{AlertID: "inc_1.1"}})
		hook.Close()
		if !errors.Is(err, alerts.ErrPermanent) || !strings.Contains(err.Error(), "redirect") {
			t.Errorf("%d: Send = %v, want a permanent redirect error", code, err)
		}
	}
	if n := stolen.Load(); n != 0 {
		t.Fatalf("the redirect target received %d signed bodies", n)
	}
}
