package config

import (
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
)

func TestRedactErrorRemovesEveryForm(t *testing.T) {
	const secret = Secret("tok/en+1 2")
	for _, form := range []string{string(secret), url.QueryEscape(string(secret)), url.PathEscape(string(secret))} {
		err := RedactError(errors.Join(io.ErrUnexpectedEOF, errors.New("GET https://api.example.org/x?key="+form)), secret, "<key>")
		if strings.Contains(err.Error(), form) || !strings.Contains(err.Error(), "key=<key>") {
			t.Errorf("form %q: %q", form, err)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("form %q: the original error is lost", form)
		}
	}
	plain := errors.New("no secret here")
	if RedactError(plain, secret, "<key>") != plain || RedactError(nil, secret, "x") != nil {
		t.Error("an error without the secret must be returned as is")
	}
}

func TestSecretOrEnv(t *testing.T) {
	env := map[string]string{"KUZOT_X": "from-env"}
	get := func(k string) string { return env[k] }
	cases := []struct {
		file Secret
		env  string
		want Secret
	}{{"", "KUZOT_X", "from-env"}, {"in-file", "KUZOT_X", "in-file"}, {"", "", ""}, {"", "KUZOT_UNSET", ""}}
	for _, tc := range cases {
		if got := tc.file.OrEnv(tc.env, get); got != tc.want {
			t.Errorf("%q.OrEnv(%q) = %q, want %q", tc.file, tc.env, got, tc.want)
		}
	}
}
