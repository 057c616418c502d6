package exposure

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Audience is who reads a redacted text. Each audience has one rule, and Redact is the
// one function that applies them; every place that shows or stores evidence names its
// audience:
//
//	audience          who reads it                                  rule
//	AudienceStored    exposures.redacted_text, cluster evidence,    phones keep country code and last three
//	                  tip campaigns in ClickHouse; the web UI's     digits ("+996 *** *** 456"), every other
//	                  redacted view and Grafana show these texts    identifier and person name becomes "[type]";
//	                  as stored (and the web UI masks a post not    SOGI words are kept (they are the claim, not
//	                  yet classified with the same rule)            an identifier); bad spans are skipped
//	AudienceAlert     alert e-mails, webhooks, Telegram messages    every span masked as "[type]", SOGI words and
//	                  sent to organisations                         whole phones included, labels outside [a-z_]
//	                                                                become "[data]"; spans that do not fit the text
//	                                                                are an error (ErrBadSpans) and the caller
//	                                                                withholds the evidence
//	AudienceReport    published periodic reports (excerpts and     the stored rule for the spans given, then a
//	                  evidence phrases), whose texts may be read    conservative text masker on top: e-mails, links,
//	                  back from ClickHouse already redacted         @handles, numbers of five or more digits and
//	                                                                capitalised words that look like names
type Audience int

// The audiences of Redact.
const (
	// AudienceStored is evidence stored in ClickHouse and shown by the web UI and Grafana.
	AudienceStored Audience = iota
	// AudienceAlert is the evidence of an alert sent to an organisation.
	AudienceAlert
	// AudienceReport is text that a published report shows.
	AudienceReport
)

// String names the audience.
func (a Audience) String() string {
	switch a {
	case AudienceStored:
		return "stored"
	case AudienceAlert:
		return "alert"
	case AudienceReport:
		return "report"
	}
	return fmt.Sprintf("audience(%d)", int(a))
}

// ErrBadSpans reports entity offsets that do not fit the text (AudienceAlert only): the
// evidence is then withheld entirely rather than risk showing an unmasked identifier.
var ErrBadSpans = errors.New("entity offsets do not fit the text")

// Redact masks the entity spans of text (byte offsets, as the classify result gives
// them) by the rule of the audience that reads it (see Audience). Only AudienceAlert
// returns an error (ErrBadSpans, with an empty text); the other rules skip spans that do
// not fit. Redact never panics and returns valid UTF-8 for valid input (AudienceReport:
// for any input).
func Redact(text string, entities []Entity, audience Audience) (string, error) {
	switch audience {
	case AudienceStored:
		return redactStored(text, entities), nil
	case AudienceAlert:
		return redactAlert(text, entities)
	case AudienceReport:
		return redactReport(redactStored(text, entities)), nil
	}
	return "", fmt.Errorf("redact: unknown audience %v", audience)
}

// TextRedactor returns a function that masks personal data (phones, numbers, names,
// addresses...) in a text without a classify result, by the AudienceStored rule: the
// exposure recognisers find the spans. The coordinate role stores cluster evidence and
// the tipline its campaigns through it, so that copypasta carrying a victim's data is
// stored and shown redacted. A text the analyser rejects (it never should) is replaced
// entirely rather than kept raw.
func TextRedactor(now func() time.Time) func(string) string {
	an := NewAnalyzer(now)
	return func(text string) string {
		res, err := an.Analyze(text, "", nil)
		if err != nil {
			return "[redacted]"
		}
		return redactStored(text, res.Entities)
	}
}

// redactStored is the AudienceStored rule (see Audience).
func redactStored(text string, entities []Entity) string {
	es := make([]Entity, 0, len(entities))
	for _, e := range entities {
		if e.Type == TypeSOGI || e.Start < 0 || e.End > len(text) || e.Start >= e.End {
			continue
		}
		if !utf8.RuneStart(text[e.Start]) || (e.End < len(text) && !utf8.RuneStart(text[e.End])) {
			continue
		}
		es = append(es, e)
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Start != es[j].Start {
			return es[i].Start < es[j].Start
		}
		return es[i].End > es[j].End
	})
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for _, e := range es {
		if e.Start < pos {
			continue // overlaps an entity already masked
		}
		b.WriteString(text[pos:e.Start])
		if e.Type == TypePhone {
			b.WriteString(maskPhone(text[e.Start:e.End]))
		} else {
			b.WriteString("[" + string(e.Type) + "]")
		}
		pos = e.End
	}
	b.WriteString(text[pos:])
	return b.String()
}

// maskPhone masks the digits of a phone number except a leading "+<country code>" and
// the last three digits, keeping separators.
func maskPhone(p string) string {
	total := 0
	for i := 0; i < len(p); i++ {
		if p[i] >= '0' && p[i] <= '9' {
			total++
		}
	}
	keepLead := 0
	if strings.HasPrefix(strings.TrimSpace(p), "+") {
		switch {
		case strings.HasPrefix(strings.TrimLeft(p, "+ "), "7"):
			keepLead = 1
		default:
			keepLead = 3
		}
	}
	var b strings.Builder
	seen := 0
	for _, r := range p {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= keepLead || seen > total-3 {
				b.WriteRune(r)
			} else {
				b.WriteByte('*')
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// redactAlert is the AudienceAlert rule: every span masked with its type in brackets,
// overlapping spans merged under the first label, any span that does not fit an error.
func redactAlert(text string, entities []Entity) (string, error) {
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
		b.WriteString("[" + safeLabel(string(s.Type)) + "]")
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
