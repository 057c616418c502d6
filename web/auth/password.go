// Package auth holds the security primitives of the web UI: slow password hashing
// (argon2id), random session tokens, CSRF tokens bound to a session, and a login rate
// limiter. It has no storage and no HTTP handlers, so that every primitive is tested on
// its own; package web composes them.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters. They are stored in every hash (PHC string), so
// raising them later keeps old hashes verifiable.
type Params struct {
	Time    uint32
	MemKiB  uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultParams follow OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): slow enough
// to make offline guessing expensive, cheap enough for a 2-core server.
var DefaultParams = Params{Time: 2, MemKiB: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

// MinPasswordLen is the shortest password accepted for a new account.
const MinPasswordLen = 12

// MaxPasswordLen bounds the work an attacker can request per login attempt.
const MaxPasswordLen = 1024

// ErrMismatch is returned by Verify when the password is wrong.
var ErrMismatch = errors.New("password does not match")

// ErrBadHash is returned when a stored hash cannot be parsed.
var ErrBadHash = errors.New("malformed password hash")

// CheckPolicy reports why a new password is not acceptable.
func CheckPolicy(pw string) error {
	switch {
	case !utf8.ValidString(pw):
		return errors.New("password is not valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("password must have at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Errorf("password must have at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// Hash derives an argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$key) with a
// fresh random salt.
func Hash(pw string, p Params) (string, error) {
	if len(pw) > MaxPasswordLen {
		return "", fmt.Errorf("hash password: longer than %d bytes", MaxPasswordLen)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemKiB, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks pw against a PHC string made by Hash, in constant time. It returns
// ErrMismatch for a wrong password and ErrBadHash (wrapped) for an unusable hash.
func Verify(pw, encoded string) error {
	if len(pw) > MaxPasswordLen {
		return ErrMismatch
	}
	p, salt, key, err := ParseHash(encoded)
	if err != nil {
		return err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemKiB, p.Threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return ErrMismatch
	}
	return nil
}

// Limits on parameters read from a stored hash, so that a tampered row cannot make one
// login allocate gigabytes or spin for minutes.
const (
	maxMemKiB = 1 << 20 // 1 GiB
	maxTime   = 20
)

// ParseHash splits a PHC argon2id string into its parameters, salt and key.
func ParseHash(encoded string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrBadHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrBadHash, parts[2])
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrBadHash, kv)
		}
		switch k {
		case "m":
			p.MemKiB = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parallelism %d", ErrBadHash, n)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", ErrBadHash, k)
		}
	}
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.MemKiB < 8*uint32(p.Threads) || p.MemKiB > maxMemKiB {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range (m=%d t=%d p=%d)", ErrBadHash, p.MemKiB, p.Time, p.Threads)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 || len(salt) > 64 {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrBadHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("%w: key", ErrBadHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
