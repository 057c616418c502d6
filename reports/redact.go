package reports

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure"
)

// redactText masks the identifiers of a text that a report shows, by the report rule of
// the one redaction function (exposure.Redact with exposure.AudienceReport, which never
// fails).
func redactText(s string) string {
	out, _ := exposure.Redact(s, nil, exposure.AudienceReport)
	return out
}

// redactURL keeps a post's link as evidence unless it carries something that looks like
// an identifier (a long number, an e-mail, a query string); then only scheme and host are
// kept.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	path := u.EscapedPath()
	if u.RawQuery != "" || u.User != nil || strings.Contains(raw, "@") || longDigits(path, 9) {
		return u.Scheme + "://" + u.Host + "/"
	}
	return u.Scheme + "://" + u.Host + path
}

func longDigits(s string, n int) bool {
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// truncateRunes cuts s to at most n runes, adding an ellipsis when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return strings.TrimSpace(s[:k]) + "…"
		}
		i++
	}
	return s
}
