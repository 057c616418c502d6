package watchlist

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
	"sync"
)

// HashSize is the length of a stored token: HMAC-SHA256 truncated to 128 bits, which
// keeps collisions out of reach for any realistic list while halving the store.
const HashSize = 16

// Hash is one keyed token of a normalised watchlist value.
type Hash [HashSize]byte

// Kind is the domain a hashed value belongs to. It is mixed into the HMAC input so that
// a phone number and an identity number with the same digits never collide.
type Kind byte

// The kinds of hashed values.
const (
	KindName   Kind = 'n' // one skeleton key of one name token
	KindPhone  Kind = 'p' // E.164 phone number
	KindID     Kind = 'i' // personal, passport or ID-card number, upper-case alphanumerics
	KindHandle Kind = 'h' // social handle, lower case without '@'
	KindEmail  Kind = 'e' // e-mail address, lower case
	// KindOrgName is one skeleton key of one token of an organisation's own name or
	// alias: a post that names the organisation corroborates a lone name of one of its
	// members (research/exposure.md: name + organisation escalates).
	KindOrgName Kind = 'o'
)

// String names the kind for errors and reports.
func (k Kind) String() string {
	switch k {
	case KindName:
		return "name"
	case KindPhone:
		return "phone"
	case KindID:
		return "id"
	case KindHandle:
		return "handle"
	case KindEmail:
		return "email"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// MinKeyBytes is the shortest HMAC key accepted: 32 bytes (256 bits, SHA-256's block
// half), so that the stored hashes of phone and personal numbers cannot be enumerated by
// guessing the key. make run generates one: 32 random bytes, hex-encoded.
const MinKeyBytes = 32

// DefaultKeyEnv is the environment variable that holds the watchlist key by default.
const DefaultKeyEnv = "KUZOT_WATCHLIST_KEY"

// DemoModeEnv, set to 1, is demo mode: the only place where a key printed in the
// repository (KnownPublicKeys) is accepted, for replaying the bundled fictional demo.
const DemoModeEnv = "KUZOT_DEMO"

// ErrNoKey is returned when a watchlist would be loaded or imported without a key.
var ErrNoKey = errors.New("watchlist key is not set")

// ErrPublicKey is returned for a key that is printed in the repository, its
// documentation or its history: anyone could recompute the hashes made with it.
var ErrPublicKey = errors.New("watchlist key is public")

// KnownPublicKeys are keys printed in the repository that no deployment may use: the
// default make run once fell back to, and the placeholders of the documentation.
var KnownPublicKeys = []string{
	"demo-only-watchlist-key-change-me",
	"change-me",
	"changeme",
	"test",
	"...",
}

// IsPublicKey reports whether key is one of KnownPublicKeys or an obvious placeholder
// (it contains "change-me" or "changeme").
func IsPublicKey(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	for _, p := range KnownPublicKeys {
		if k == p {
			return true
		}
	}
	return strings.Contains(k, "change-me") || strings.Contains(k, "changeme")
}

// KeyFromEnv reads the HMAC key from the named environment variable (DefaultKeyEnv when
// name is empty) through getenv (os.Getenv when nil; tests pass a map lookup). A missing
// or short key is an error, and so is a known public key outside demo mode
// (DemoModeEnv=1): a watchlist is never hashed or matched without the operator's secret.
func KeyFromEnv(getenv func(string) string, name string) ([]byte, error) {
	if name == "" {
		name = DefaultKeyEnv
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	v := getenv(name)
	if v == "" {
		return nil, fmt.Errorf("%w: set the environment variable %s to a secret of at least %d bytes (e.g. openssl rand -hex 32; make run generates <data_dir>/watchlist.key)", ErrNoKey, name, MinKeyBytes)
	}
	if IsPublicKey(v) && getenv(DemoModeEnv) != "1" {
		return nil, fmt.Errorf("%w: %s holds a key printed in the kuzot repository; generate your own (openssl rand -hex 32)", ErrPublicKey, name)
	}
	if len(v) < MinKeyBytes {
		return nil, fmt.Errorf("%w: %s holds %d bytes, need at least %d (e.g. openssl rand -hex 32)", ErrNoKey, name, len(v), MinKeyBytes)
	}
	return []byte(v), nil
}

// Hasher computes keyed tokens. It is safe for concurrent use: each goroutine borrows
// its own HMAC state from a pool, so the hot path allocates nothing.
type Hasher struct {
	keyID string
	pool  sync.Pool
}

// NewHasher returns a hasher for key, which must be at least MinKeyBytes long.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("%w: key has %d bytes, need at least %d", ErrNoKey, len(key), MinKeyBytes)
	}
	k := append([]byte(nil), key...)
	h := &Hasher{}
	h.pool.New = func() any { return &hstate{mac: hmac.New(sha256.New, k)} }
	fp := hmac.New(sha256.New, k)
	fp.Write([]byte("kuzot/watchlist/key-id/v1"))
	h.keyID = hex.EncodeToString(fp.Sum(nil)[:8])
	return h, nil
}

type hstate struct {
	mac hash.Hash
	in  []byte
	sum []byte
}

// KeyID is a fingerprint of the key (an HMAC of a fixed label). Stored lists carry it so
// that loading them with another key fails loudly instead of silently never matching.
func (h *Hasher) KeyID() string { return h.keyID }

// Sum returns the keyed token of value in the given kind.
func (h *Hasher) Sum(kind Kind, value []byte) Hash {
	st := h.pool.Get().(*hstate)
	st.mac.Reset()
	st.in = append(st.in[:0], byte(kind), 0)
	st.in = append(st.in, value...)
	st.mac.Write(st.in)
	st.sum = st.mac.Sum(st.sum[:0])
	var out Hash
	copy(out[:], st.sum)
	h.pool.Put(st)
	return out
}

// SumString is Sum for a string value.
func (h *Hasher) SumString(kind Kind, value string) Hash {
	st := h.pool.Get().(*hstate)
	st.mac.Reset()
	st.in = append(st.in[:0], byte(kind), 0)
	st.in = append(st.in, value...)
	st.mac.Write(st.in)
	st.sum = st.mac.Sum(st.sum[:0])
	var out Hash
	copy(out[:], st.sum)
	h.pool.Put(st)
	return out
}
