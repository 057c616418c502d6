package demosite

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DemoBotToken is the bot token the demo site's Bot API accepts.
const DemoBotToken = "123456:demo-tipline-bot-token"

// BotAPI is a local stand-in for the Telegram Bot API methods a tipline uses:
// getUpdates (long polling; asking with offset confirms and forgets every update below
// it, as Telegram does), sendMessage (recorded) and setWebhook/deleteWebhook (while a
// webhook is set getUpdates answers 409 and DeliverWebhook posts the queued updates to it). Tests queue updates, malformed ones
// and flood-control answers (429 with parameters.retry_after). Serve it at any prefix:
// it answers <prefix>/bot<token>/<method>.
type BotAPI struct {
	token string
	mu    sync.Mutex
	// updates not confirmed yet, in update_id order.
	updates []json.RawMessage
	ids     []int64
	nextID  int64
	sent    []SentMessage
	flood   []int
	calls   map[string]int
	wake    chan struct{}
	// webhook set by setWebhook ("" when none) and its secret_token.
	hookURL, hookSecret string
	// MaxWait caps a long poll's wait (default 2s), so a demo or test never hangs.
	MaxWait time.Duration
}

// SentMessage is one sendMessage call.
type SentMessage struct {
	ChatID int64  `json:"chat_id"`
	Text   string `json:"text"`
}

// NewBotAPI returns a stand-in accepting token.
func NewBotAPI(token string) *BotAPI {
	return &BotAPI{token: token, nextID: 100, calls: map[string]int{}, wake: make(chan struct{}), MaxWait: 2 * time.Second}
}

// Push queues an update; its update_id is assigned (and returned) when update has none.
func (b *BotAPI) Push(update map[string]any) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	id, ok := update["update_id"].(int64)
	if !ok {
		b.nextID++
		id = b.nextID
		update["update_id"] = id
	}
	raw, _ := json.Marshal(update)
	b.pushLocked(id, raw)
	return id
}

// PushRaw queues a raw update body as it is (a malformed update, say) under id.
func (b *BotAPI) PushRaw(id int64, raw string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pushLocked(id, json.RawMessage(raw))
}

func (b *BotAPI) pushLocked(id int64, raw json.RawMessage) {
	if id > b.nextID {
		b.nextID = id
	}
	b.updates = append(b.updates, raw)
	b.ids = append(b.ids, id)
	close(b.wake)
	b.wake = make(chan struct{})
}

// Flood makes the next call answer 429 with parameters.retry_after = seconds.
func (b *BotAPI) Flood(seconds int) {
	b.mu.Lock()
	b.flood = append(b.flood, seconds)
	b.mu.Unlock()
}

// Sent returns the messages the bot sent.
func (b *BotAPI) Sent() []SentMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]SentMessage(nil), b.sent...)
}

// Pending is the number of updates not confirmed yet.
func (b *BotAPI) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.updates)
}

// Calls is how many times method was called (429 answers included).
func (b *BotAPI) Calls(method string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[method]
}

func botReply(w http.ResponseWriter, status int, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ServeHTTP answers /…/bot<token>/<method>, with parameters as a JSON body or a form.
func (b *BotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] != "bot"+b.token {
		botReply(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
		return
	}
	method := parts[len(parts)-1]
	params := map[string]any{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&params); err != nil {
			botReply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: invalid JSON"})
			return
		}
	} else {
		_ = r.ParseForm()
		for k, v := range r.Form {
			params[k] = v[0]
		}
	}
	num := func(k string) int64 {
		switch v := params[k].(type) {
		case float64:
			return int64(v)
		case string:
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
		return 0
	}
	b.mu.Lock()
	b.calls[method]++
	if len(b.flood) > 0 {
		ra := b.flood[0]
		b.flood = b.flood[1:]
		b.mu.Unlock()
		botReply(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error_code": 429,
			"description": fmt.Sprintf("Too Many Requests: retry after %d", ra), "parameters": map[string]any{"retry_after": ra}})
		return
	}
	b.mu.Unlock()
	switch method {
	case "setWebhook":
		u, _ := params["url"].(string)
		secret, _ := params["secret_token"].(string)
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			botReply(w, http.StatusBadRequest, map[string]any{"ok": false, "error_code": 400, "description": "Bad Request: bad webhook: invalid URL"})
			return
		}
		b.mu.Lock()
		b.hookURL, b.hookSecret = u, secret
		b.mu.Unlock()
		botReply(w, http.StatusOK, map[string]any{"ok": true, "result": true, "description": "Webhook was set"})
	case "deleteWebhook":
		b.mu.Lock()
		b.hookURL, b.hookSecret = "", ""
		b.mu.Unlock()
		botReply(w, http.StatusOK, map[string]any{"ok": true, "result": true, "description": "Webhook was deleted"})
	case "getUpdates":
		b.mu.Lock()
		hooked := b.hookURL != ""
		b.mu.Unlock()
		if hooked {
			botReply(w, http.StatusConflict, map[string]any{"ok": false, "error_code": 409,
				"description": "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
			return
		}
		b.getUpdates(w, r, num("offset"), num("limit"), time.Duration(num("timeout"))*time.Second)
	case "sendMessage":
		text, _ := params["text"].(string)
		b.mu.Lock()
		b.sent = append(b.sent, SentMessage{ChatID: num("chat_id"), Text: text})
		n := len(b.sent)
		b.mu.Unlock()
		botReply(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{
			"message_id": n, "date": time.Now().Unix(), "chat": map[string]any{"id": num("chat_id"), "type": "private"}, "text": text}})
	default:
		botReply(w, http.StatusNotFound, map[string]any{"ok": false, "error_code": 404, "description": "Not Found: method not found"})
	}
}

func (b *BotAPI) getUpdates(w http.ResponseWriter, r *http.Request, offset, limit int64, timeout time.Duration) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout = min(timeout, b.MaxWait)
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		if offset > 0 { // confirmed: forgotten for good
			k := 0
			for k < len(b.ids) && b.ids[k] < offset {
				k++
			}
			b.ids, b.updates = b.ids[k:], b.updates[k:]
		}
		out := b.updates[:min(int64(len(b.updates)), limit)]
		wake := b.wake
		b.mu.Unlock()
		if len(out) > 0 || timeout <= 0 {
			botReply(w, http.StatusOK, map[string]any{"ok": true, "result": out})
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			timeout = 0
		case <-r.Context().Done():
			return
		}
	}
}

// Webhook returns the URL and secret token set by setWebhook ("" when none).
func (b *BotAPI) Webhook() (url, secretToken string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hookURL, b.hookSecret
}

// DeliverWebhook posts the queued updates, oldest first, to the webhook with the secret
// token header, as Telegram does: an update answered 2xx is forgotten; the first other
// answer (or a failed request) stops the delivery and the update stays queued for the
// next call. It returns how many were delivered.
func (b *BotAPI) DeliverWebhook(ctx context.Context, client *http.Client) (int, error) {
	n := 0
	for {
		b.mu.Lock()
		u, secret := b.hookURL, b.hookSecret
		if u == "" || len(b.updates) == 0 {
			b.mu.Unlock()
			return n, nil
		}
		raw, id := b.updates[0], b.ids[0]
		b.mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(raw))
		if err != nil {
			return n, err
		}
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := client.Do(req)
		if err != nil {
			return n, fmt.Errorf("deliver update %d: %w", id, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return n, fmt.Errorf("deliver update %d: HTTP %d", id, resp.StatusCode)
		}
		b.mu.Lock()
		if len(b.ids) > 0 && b.ids[0] == id {
			b.ids, b.updates = b.ids[1:], b.updates[1:]
		}
		b.mu.Unlock()
		n++
	}
}
