package scan

import (
	"regexp"
	"sort"
	"strings"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/media/ocr"
)

// mask is one span of the OCR text replaced in the redacted text.
type mask struct {
	start, end int
	repl       string
	// prio decides the label of overlapping masks: a zone line (2) over an entity (1)
	// over a date or digit run (0).
	prio int
}

// redactSpans masks the OCR text of one image as post text is masked (the exposure
// classifier's entities, phones keeping their last digits), and also every zone-like
// line ([MRZ]), every date ([date]) and every run of six or more digits ([ID]): document
// numbers, personal numbers and dates read off a picture are masked even where the text
// analysis alone would not count them. It returns the redacted text and the entities
// relocated onto it, so that a consumer masking the redacted text again with them
// (alerts.Redact, exposure.Redact) gets the same text back.
func redactSpans(res *ocr.Result, ents []exposure.Entity, mrzLines map[int]bool) (string, []exposure.Entity) {
	text := res.Text
	var ms []mask
	lineStart := 0
	for i, line := range strings.Split(text, "\n") {
		end := lineStart + len(line)
		if mrzLines[i] || mrzLike(line) {
			ms = append(ms, mask{lineStart, end, "[MRZ]", 2})
		} else {
			for _, m := range datePattern.FindAllStringIndex(line, -1) {
				ms = append(ms, mask{lineStart + m[0], lineStart + m[1], "[date]", 0})
			}
			for _, m := range digitRuns(line) {
				ms = append(ms, mask{lineStart + m[0], lineStart + m[1], "[ID]", 0})
			}
		}
		lineStart = end + 1
	}
	for _, e := range ents {
		if e.Type == exposure.TypeSOGI || e.Start < 0 || e.End > len(text) || e.Start >= e.End {
			continue
		}
		// exposure.Redact of the entity alone gives its mask ("[person]", a phone with
		// its layout and last digits).
		ms = append(ms, mask{e.Start, e.End, entityMask(text, e), 1})
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].start != ms[j].start {
			return ms[i].start < ms[j].start
		}
		return ms[i].end > ms[j].end
	})
	// Overlapping masks merge: nothing of either span survives, and the label is the
	// one of higher priority.
	var merged []mask
	for _, m := range ms {
		if n := len(merged); n > 0 && m.start < merged[n-1].end {
			last := &merged[n-1]
			last.end = max(last.end, m.end)
			if m.prio > last.prio {
				last.repl, last.prio = m.repl, m.prio
			}
			continue
		}
		merged = append(merged, m)
	}
	var b strings.Builder
	type placed struct{ inStart, inEnd, outStart, outEnd int }
	var out []placed
	pos := 0
	for _, m := range merged {
		b.WriteString(text[pos:m.start])
		o := b.Len()
		b.WriteString(m.repl)
		out = append(out, placed{m.start, m.end, o, b.Len()})
		pos = m.end
	}
	b.WriteString(text[pos:])
	// mapPos maps an offset outside every mask to the redacted text; inside a mask it
	// returns the mask's output span.
	mapPos := func(p int) (int, int, bool) {
		shift := 0
		for _, pl := range out {
			switch {
			case p < pl.inStart:
				return p + shift, 0, false
			case p < pl.inEnd:
				return pl.outStart, pl.outEnd, true
			}
			shift += (pl.outEnd - pl.outStart) - (pl.inEnd - pl.inStart)
		}
		return p + shift, 0, false
	}
	var relocated []exposure.Entity
	for _, e := range ents {
		if e.Start < 0 || e.End > len(text) || e.Start >= e.End {
			continue
		}
		s, sEnd, inS := mapPos(e.Start)
		if inS {
			// A masked entity points at its mask; one swallowed by a mask of another
			// label (a name inside a zone line) is dropped: its text is masked all the
			// same, and masking the redacted text again must not relabel it.
			if b.String()[s:sEnd] == entityMask(text, e) {
				relocated = append(relocated, exposure.Entity{Type: e.Type, Start: s, End: sEnd})
			}
			continue
		}
		// Kept text (a SOGI word): map both ends; an end inside a mask takes its end.
		end, endEnd, inE := mapPos(e.End)
		if inE {
			end = endEnd
		}
		if end > s {
			relocated = append(relocated, exposure.Entity{Type: e.Type, Start: s, End: end})
		}
	}
	return b.String(), relocated
}

// entityMask is what exposure.Redact puts in place of e for stored evidence ("[person]",
// a phone with its layout and last digits). The stored rule never fails.
func entityMask(text string, e exposure.Entity) string {
	masked, _ := exposure.Redact(text[e.Start:e.End], []exposure.Entity{{Type: e.Type, Start: 0, End: e.End - e.Start}},
		exposure.AudienceStored)
	return masked
}

var datePattern = regexp.MustCompile(`\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b`)

// digitRuns finds runs of 6 or more digits (single spaces inside allowed) in s, as
// byte ranges.
func digitRuns(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j, digits, last := i, 0, i
		for j < len(s) {
			switch {
			case s[j] >= '0' && s[j] <= '9':
				digits++
				j++
				last = j
				continue
			case s[j] == ' ' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9':
				j++
				continue
			}
			break
		}
		if digits >= 6 {
			out = append(out, [2]int{i, last})
		}
		i = max(j, i+1)
	}
	return out
}

// maskDigitRuns replaces runs of 6 or more digits (spaces inside allowed) with [ID].
func maskDigitRuns(s string) string {
	var b strings.Builder
	pos := 0
	for _, r := range digitRuns(s) {
		b.WriteString(s[pos:r[0]])
		b.WriteString("[ID]")
		pos = r[1]
	}
	b.WriteString(s[pos:])
	return b.String()
}
