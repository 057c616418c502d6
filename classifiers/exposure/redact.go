package exposure

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Redact returns text with every identifier and person name masked, for evidence that
// is stored (ClickHouse) or shown to users by default. Phones keep their layout, the
// country code and the last three digits ("+996 *** *** 456"), which is enough for an
// organisation to recognise a member's number without publishing it again; every other
// identifier becomes its type in brackets ("[national_id]", "[person]"). SOGI words are
// kept: they are the claim, not an identifier.
//
// Entities that are out of range, not on character boundaries or that overlap an
// earlier one are skipped (the earlier, longer one wins); Redact never panics and
// returns valid UTF-8 for valid input.
func Redact(text string, entities []Entity) string {
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
