package tipline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/kuzot/kuzot/config"
)

// The subset of the Telegram Bot API (https://core.telegram.org/bots/api) the tipline
// reads. Fields that would identify a reporter beyond the numeric id it needs for the
// keyed hash and the reply (names, usernames, phone numbers) are deliberately not
// declared, so they are never decoded into memory that could reach a post or a log.

// Update is one getUpdates result.
type Update struct {
	UpdateID int64    `json:"update_id"`
	Message  *Message `json:"message"`
}

// User is a message's sender: only its id (hashed at once) and language (for the reply).
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	LanguageCode string `json:"language_code"`
}

// Chat is where a message was sent or where a forward came from.
type Chat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"` // private, group, supergroup, channel
	Title    string `json:"title"`
	Username string `json:"username"`
}

// MessageEntity marks a link inside a text or caption.
type MessageEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	URL    string `json:"url"`
}

// PhotoSize is one size of a photo; the largest is last.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// Document is a file sent as a document (screenshots often arrive this way).
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	MimeType     string `json:"mime_type"`
}

// MessageOrigin is where a forwarded message came from (Bot API 7.0 forward_origin).
// For a user or hidden user origin only the type is kept: that person is not a source.
type MessageOrigin struct {
	Type      string `json:"type"` // user, hidden_user, chat, channel
	Date      int64  `json:"date"`
	Chat      *Chat  `json:"chat"`        // channel
	Sender    *Chat  `json:"sender_chat"` // chat
	MessageID int64  `json:"message_id"`
}

// Message is a message to the bot.
type Message struct {
	MessageID       int64           `json:"message_id"`
	From            *User           `json:"from"`
	Chat            *Chat           `json:"chat"`
	Date            int64           `json:"date"`
	Text            string          `json:"text"`
	Caption         string          `json:"caption"`
	Entities        []MessageEntity `json:"entities"`
	CaptionEntities []MessageEntity `json:"caption_entities"`
	Photo           []PhotoSize     `json:"photo"`
	Document        *Document       `json:"document"`
	ForwardOrigin   *MessageOrigin  `json:"forward_origin"`
	// Pre-7.0 forward fields, still sent by some clients and servers.
	ForwardFromChat      *Chat `json:"forward_from_chat"`
	ForwardFromMessageID int64 `json:"forward_from_message_id"`
	ForwardDate          int64 `json:"forward_date"`
}

// apiResponse is the envelope of every Bot API answer.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// FloodError is the Bot API's flood control (HTTP 429 with parameters.retry_after).
type FloodError struct{ RetryAfter time.Duration }

func (e *FloodError) Error() string {
	return fmt.Sprintf("bot api flood control: retry after %s", e.RetryAfter)
}

// APIError is any other Bot API failure.
type APIError struct {
	Method      string
	Code        int
	Description string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("bot api %s: %d %s", e.Method, e.Code, e.Description)
}

// botClient calls one bot's methods at <base>/bot<token>/<method>. The token is part of
// every URL, so every error it returns has the token replaced with "<token>".
type botClient struct {
	base, token string
	http        *http.Client
	userAgent   string
}

func (b *botClient) call(ctx context.Context, method string, params any, result any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("bot api %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/bot"+b.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return b.redact(fmt.Errorf("bot api %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json")
	if b.userAgent != "" {
		req.Header.Set("User-Agent", b.userAgent)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return b.redact(fmt.Errorf("bot api %s: %w", method, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return b.redact(fmt.Errorf("bot api %s: read: %w", method, err))
	}
	var env apiResponse
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("bot api %s: HTTP %d, not a Bot API answer: %w", method, resp.StatusCode, err)
	}
	if !env.OK {
		if env.ErrorCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusTooManyRequests {
			ra := 1
			if env.Parameters != nil && env.Parameters.RetryAfter > 0 {
				ra = env.Parameters.RetryAfter
			}
			return &FloodError{RetryAfter: time.Duration(ra) * time.Second}
		}
		return &APIError{Method: method, Code: env.ErrorCode, Description: b.redactString(env.Description)}
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, result); err != nil {
		return fmt.Errorf("bot api %s: result: %w", method, err)
	}
	return nil
}

func (b *botClient) redactString(s string) string {
	return config.Redact(s, config.Secret(b.token), "<token>")
}

// redact rewrites err's message without the token, keeping it unwrappable.
func (b *botClient) redact(err error) error {
	return config.RedactError(err, config.Secret(b.token), "<token>")
}

// getUpdates long-polls for updates after offset-1; asking with offset confirms (and
// makes Telegram forget) every update below it.
func (b *botClient) getUpdates(ctx context.Context, offset int64, timeout time.Duration, limit int) ([]json.RawMessage, error) {
	var out []json.RawMessage
	err := b.call(ctx, "getUpdates", map[string]any{
		"offset": offset, "timeout": int(timeout / time.Second), "limit": limit,
		"allowed_updates": []string{"message"},
	}, &out)
	return out, err
}

// sendMessage answers a chat (the receipt, the privacy notice, /forget's confirmation).
func (b *botClient) sendMessage(ctx context.Context, chatID int64, text string, replyTo int64) error {
	p := map[string]any{"chat_id": chatID, "text": text}
	if replyTo != 0 {
		p["reply_parameters"] = map[string]any{"message_id": replyTo, "allow_sending_without_reply": true}
	}
	return b.call(ctx, "sendMessage", p, nil)
}

var errNoToken = errors.New("bot token is empty")
