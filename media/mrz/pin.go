package mrz

import (
	"strings"
	"time"
)

// PIN is a Kyrgyz personal identification number (ПИН, 14 digits `S DDMMYYYY NNNNN`) as
// printed on the ID-card front: S is 1 (female) or 2 (male), DDMMYYYY the date of birth.
// No checksum is published, so a real birth date between 1900 and now is the validator
// (see /work/shared/research/exposure.md §4.1) and no OCR repair is attempted.
type PIN struct {
	Number    string    `json:"number"`
	Sex       string    `json:"sex"`
	BirthDate time.Time `json:"birth_date"`
	// Line is the index of the text line it was read on.
	Line int `json:"line"`
	// Labelled is true when a ПИН/PIN/персоналдык label is on the same or previous line.
	Labelled bool `json:"labelled"`
}

// ParsePIN validates a 14-digit Kyrgyz personal number.
func ParsePIN(s string, now time.Time) (PIN, bool) {
	if len(s) != 14 || (s[0] != '1' && s[0] != '2') {
		return PIN{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return PIN{}, false
		}
	}
	n := func(a, b int) int {
		v := 0
		for i := a; i < b; i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	dd, mm, yyyy := n(1, 3), n(3, 5), n(5, 9)
	t := time.Date(yyyy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if yyyy < 1900 || mm < 1 || mm > 12 || dd < 1 || t.Day() != dd || int(t.Month()) != mm || t.After(now) {
		return PIN{}, false
	}
	sex := "F"
	if s[0] == '2' {
		sex = "M"
	}
	return PIN{Number: s, Sex: sex, BirthDate: t}, true
}

// pinIn returns the first valid PIN that makes up a whole digit run of s.
func pinIn(s string, now time.Time) string {
	for _, run := range digitRuns(s) {
		if p, ok := ParsePIN(run, now); ok {
			return p.Number
		}
	}
	return ""
}

// digitRuns splits s into maximal runs of digits, where single spaces between digits
// (OCR's reading of the printed grouping) join a run.
func digitRuns(s string) []string {
	var runs []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			runs = append(runs, b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' && b.Len() > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
		default:
			flush()
		}
	}
	flush()
	return runs
}

var pinLabels = []string{"пин", "pin", "персонал", "жеке", "идентификац", "personal", "шахсий", "jshshir", "жшшир"}

// FindPINs returns the valid Kyrgyz personal numbers printed in text (one OCR line per
// text line): whole digit runs of exactly 14 digits; longer runs are not split.
func FindPINs(text string, now time.Time) []PIN {
	var out []PIN
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		for _, run := range digitRuns(line) {
			p, ok := ParsePIN(run, now)
			if !ok {
				continue
			}
			p.Line = i
			p.Labelled = hasLabel(line) || (i > 0 && hasLabel(lines[i-1]))
			out = append(out, p)
		}
	}
	return out
}

func hasLabel(line string) bool {
	l := strings.ToLower(line)
	for _, w := range pinLabels {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}
