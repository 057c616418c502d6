package config

import (
	"net/url"
	"strings"
)

// OrEnv is kuzot's one convention for secrets: a Secret key in the file, which, when
// empty there, comes from the environment variable env (read through getenv; os.Getenv
// in production). env is either a fixed KUZOT_* name documented next to the key, or —
// where one file holds several secrets of one kind (bots, channels) — the name a
// companion `<key>_env` key gives. An empty env leaves s as it is.
func (s Secret) OrEnv(env string, getenv func(string) string) Secret {
	if s != "" || env == "" {
		return s
	}
	return Secret(getenv(env))
}

// Redact returns text with every occurrence of secret — raw, query-escaped and
// path-escaped, as it appears in URLs quoted by net/http errors — replaced by mask.
func Redact(text string, secret Secret, mask string) string {
	if secret == "" {
		return text
	}
	s := string(secret)
	for _, form := range []string{url.QueryEscape(s), url.PathEscape(s), s} {
		text = strings.ReplaceAll(text, form, mask)
	}
	return text
}

// RedactError keeps a secret (a token or key sent in a URL) out of an error's message,
// and so out of logs, while errors.Is and errors.As still see the original error.
// It returns err itself when the message does not contain the secret.
func RedactError(err error, secret Secret, mask string) error {
	if err == nil || secret == "" {
		return err
	}
	msg := err.Error()
	clean := Redact(msg, secret, mask)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (r *redactedError) Error() string { return r.msg }
func (r *redactedError) Unwrap() error { return r.err }
