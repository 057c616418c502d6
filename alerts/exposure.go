package alerts

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// ExposureName is the key of the exposure classifier's result in pipeline.Classified.
const ExposureName = "exposure"

// Entity is one span the exposure classifier found: its type and byte offsets
// [Start, End) into the post text. It carries no text by design.
type Entity struct {
	Type  string `json:"type"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// MemberRef is a watch-list match: the organisation id and the organisation's
// pseudonymous member id (never a name or a number).
type MemberRef struct {
	Org    string `json:"org"`
	Member string `json:"member"`
}

// WatchRef is a watch-list member as the exposure classifier reports it: the member and,
// when the watch list recorded it, when the member was registered (Unix seconds).
type WatchRef struct {
	Org    string `json:"org"`
	Member string `json:"member"`
	Since  int64  `json:"since,omitempty"`
}

// Exposure is the part of the exposure classifier's result alerts need. It is decoded
// from the JSON contract rather than the classifier's Go type so that the alert role
// does not load the watch-list machinery.
//
// Watchlist holds only the members the post exposes or outs, or threatens to expose
// (Threat); Mentions holds members merely named (praised, quoted, in the news). A
// mention never alerts.
type Exposure struct {
	Exposed   bool       `json:"exposed"`
	Outing    bool       `json:"outing"`
	Threat    bool       `json:"threat"`
	Severity  Severity   `json:"severity"`
	Entities  []Entity   `json:"entities"`
	Watchlist []WatchRef `json:"watchlist"`
	Mentions  []WatchRef `json:"mentions"`
	// Exposes are the classifier's own data categories (exposure/2 and later); older
	// results have none and their entity types stand in.
	Exposes []string `json:"categories"`
}

// ErrNoExposure reports a result without an exposure section (the exposure classifier
// is not enabled); such results are skipped, not dead-lettered.
var ErrNoExposure = errors.New("no exposure result")

// DecodeExposure parses the exposure classifier's JSON result.
func DecodeExposure(raw json.RawMessage) (Exposure, error) {
	var e Exposure
	if len(raw) == 0 || string(raw) == "null" {
		return e, ErrNoExposure
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, fmt.Errorf("exposure result: %w", err)
	}
	return e, nil
}

// Categories are the kinds of data exposed, for the alert: the classifier's categories
// when it reports them, otherwise (older results) every entity type except the bare
// person mention; plus "sogi" for an outing and "threat" for a threat. Sorted and unique.
func (e *Exposure) Categories() []string {
	var out []string
	if e.Exposes != nil {
		out = append(out, e.Exposes...)
	} else {
		for _, en := range e.Entities {
			if en.Type != "" && en.Type != "person" {
				out = append(out, en.Type)
			}
		}
	}
	if e.Outing {
		out = append(out, "sogi")
	}
	if e.Threat {
		out = append(out, "threat")
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Members returns the unique (org, member) pairs matched, in order.
func (e *Exposure) Members() []MemberRef {
	seen := map[MemberRef]bool{}
	var out []MemberRef
	for _, w := range e.Watchlist {
		m := MemberRef{Org: w.Org, Member: w.Member}
		if m.Org == "" || m.Member == "" || seen[m] {
			continue
		}
		seen[m] = true
		out = append(out, m)
	}
	return out
}

// Ref returns the watch-list entry of member m with its registration time (the latest
// one reported, should the classifier name the member twice).
func (e *Exposure) Ref(m MemberRef) WatchRef {
	r := WatchRef{Org: m.Org, Member: m.Member}
	for _, w := range e.Watchlist {
		if w.Org == m.Org && w.Member == m.Member && w.Since > r.Since {
			r.Since = w.Since
		}
	}
	return r
}

// ErrBadSpans reports entity offsets that do not fit the text; the evidence is then
// withheld entirely rather than risk showing an unmasked identifier.
var ErrBadSpans = errors.New("entity offsets do not fit the text")

// Redact masks every entity span of text with its type in brackets ("[phone]",
// "[person]"). All types are masked, names included, because an alert must never carry
// a watch-listed value. Invalid offsets (out of range, inside a UTF-8 sequence) or an
// invalid text give ErrBadSpans.
func Redact(text string, entities []Entity) (string, error) {
	if !utf8.ValidString(text) {
		return "", fmt.Errorf("%w: text is not valid UTF-8", ErrBadSpans)
	}
	spans := slices.Clone(entities)
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].End > spans[j].End
	})
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
			return "", fmt.Errorf("%w: [%d,%d) in %d bytes", ErrBadSpans, s.Start, s.End, len(text))
		}
		if !boundary(text, s.Start) || !boundary(text, s.End) {
			return "", fmt.Errorf("%w: [%d,%d) splits a character", ErrBadSpans, s.Start, s.End)
		}
		if s.End <= pos { // contained in a span already masked
			continue
		}
		start := max(s.Start, pos)
		if start > pos {
			b.WriteString(text[pos:start])
		} else if pos > 0 && s.Start < pos {
			// Overlaps the previous span: extend the mask without a second label.
			pos = s.End
			continue
		}
		b.WriteString("[" + safeLabel(s.Type) + "]")
		pos = s.End
	}
	b.WriteString(text[pos:])
	return b.String(), nil
}

func boundary(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

// safeLabel keeps entity type labels to a small alphabet so a malformed result cannot
// smuggle text into the mask.
func safeLabel(t string) string {
	if t == "" || len(t) > 32 {
		return "data"
	}
	for _, r := range t {
		if (r < 'a' || r > 'z') && r != '_' {
			return "data"
		}
	}
	return t
}
