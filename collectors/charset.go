package collectors

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

var (
	xmlProlog = regexp.MustCompile(`(?i)^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)
	metaCS    = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)`)
)

// DecodeUTF8 converts a response body to UTF-8, choosing the charset in this order: the
// Content-Type header, a byte-order mark, the XML prolog or HTML <meta> (only when the
// header names none, so a cp1251 feed is never decoded twice), (mostly) valid UTF-8, and
// finally windows-1251 — the legacy charset of the region's sites, which a generic detector
// misreads as Latin-1 for short Russian texts. Invalid sequences become U+FFFD; the
// result is always valid UTF-8. It returns the charset name used.
func DecodeUTF8(body []byte, contentType string) ([]byte, string, error) {
	enc, name := pickEncoding(body, contentType)
	var out []byte
	if enc == nil {
		out = body
	} else {
		r := transform.NewReader(bytes.NewReader(body), enc.NewDecoder())
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, name, fmt.Errorf("decode %s body: %w", name, err)
		}
		out = b
	}
	// Drop a UTF-8 BOM and repair invalid bytes.
	out = bytes.TrimPrefix(out, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return out, name, nil
}

func pickEncoding(body []byte, contentType string) (encoding.Encoding, string) {
	if contentType != "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			if cs := params["charset"]; cs != "" {
				if e, name := lookup(cs); e != nil || name == "utf-8" {
					return e, name
				}
			}
		}
	}
	switch {
	case bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")):
		return nil, "utf-8"
	case bytes.HasPrefix(body, []byte("\xFE\xFF")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(body, []byte("\xFF\xFE")):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	}
	head := body
	if len(head) > 2048 {
		head = head[:2048]
	}
	if m := xmlProlog.FindSubmatch(head); m != nil {
		if e, name := lookup(string(m[1])); e != nil || name == "utf-8" {
			return e, name
		}
	}
	if m := metaCS.FindSubmatch(head); m != nil {
		if e, name := lookup(string(m[1])); e != nil || name == "utf-8" {
			return e, name
		}
	}
	if mostlyUTF8(body) {
		return nil, "utf-8"
	}
	return charmap.Windows1251, "windows-1251"
}

// mostlyUTF8 tells UTF-8 with a few broken bytes (a truncated or corrupted page) from
// a legacy 8-bit charset: valid multi-byte sequences must outnumber invalid bytes
// four to one. Pure cp1251 Cyrillic almost never forms valid UTF-8 sequences.
func mostlyUTF8(b []byte) bool {
	var multi, bad int
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			bad++
		case n > 1:
			multi++
		}
		b = b[n:]
	}
	return bad == 0 || multi > 4*bad
}

// lookup maps a charset label to an encoding; nil with "utf-8" means no conversion.
func lookup(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.TrimSpace(label))
	if label == "utf-8" || label == "utf8" {
		return nil, "utf-8"
	}
	e, name := charset.Lookup(label)
	if e == nil {
		return nil, ""
	}
	if name == "utf-8" {
		return nil, "utf-8"
	}
	return e, name
}
