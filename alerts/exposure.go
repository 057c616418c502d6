package alerts

import (
	"slices"
	"sort"

	"github.com/kuzot/kuzot/classifiers/exposure"
)

// MemberRef is a watch-list match: the organisation id and the organisation's
// pseudonymous member id (never a name or a number).
type MemberRef struct {
	Org    string `json:"org"`
	Member string `json:"member"`
}

// Categories are the kinds of data a result exposes, as an alert names them: the
// classifier's categories when it reports them, otherwise (older results) every entity
// type except the bare person mention; plus "sogi" for an outing and "threat" for a
// threat. Sorted and unique.
func Categories(r *exposure.Result) []string {
	var out []string
	if r.Exposes != nil {
		for _, c := range r.Exposes {
			out = append(out, string(c))
		}
	} else {
		for _, en := range r.Entities {
			if en.Type != "" && en.Type != exposure.TypePerson {
				out = append(out, string(en.Type))
			}
		}
	}
	if r.Outing {
		out = append(out, "sogi")
	}
	if r.Threat {
		out = append(out, "threat")
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// severityOf maps the classifier's severity onto the alert rules' scale; DecodeResult
// has already refused unknown names.
func severityOf(r *exposure.Result) Severity {
	s, err := ParseSeverity(string(r.Severity))
	if err != nil {
		return SeverityNone
	}
	return s
}
