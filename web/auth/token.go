package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// NewToken returns 32 random bytes, URL-safe base64: a session token or a pre-login CSRF
// cookie value. 256 bits cannot be guessed.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is what is stored for a session token (hex SHA-256), so that whoever reads
// the sessions table cannot impersonate a logged-in user.
func TokenHash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// CSRFToken derives the CSRF token of a session from its secret token. Only someone who
// holds the session token (the browser, through the page it was served) can know it; a
// cross-site form can send the cookie but cannot read the token.
func CSRFToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("kuzot csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Equal compares two tokens in constant time; empty tokens never match.
func Equal(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
