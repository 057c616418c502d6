package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// benchText is a typical flagged post with a name, a phone and a personal number.
const benchText = "Грантоеды из НКО снова получают деньги. Айбек Токтосунов из этой организации — иностранный агент, " +
	"звоните +996 700 000 001, ПИН 21234199000012. Запретить пропаганду среди детей! Пропаганда разрушает школу."

// BenchmarkRedact measures the redaction of one post excerpt; compare with
// BenchmarkRedactBaselineLower, one linear Unicode pass over the same text.
func BenchmarkRedact(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		_ = redactText(benchText)
	}
}

func BenchmarkRedactBaselineLower(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		_ = strings.ToLower(benchText)
	}
}

// BenchmarkTermCounter measures tokenising, stemming and counting one flagged post for
// emerging terms; compare with BenchmarkTermCounterBaselineFields (strings.Fields into
// a map, no stemming).
func BenchmarkTermCounter(b *testing.B) {
	tc := newTermCounter()
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		tc.add(benchText, true)
	}
}

func BenchmarkTermCounterBaselineFields(b *testing.B) {
	m := map[string]int{}
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		for _, w := range strings.Fields(strings.ToLower(benchText)) {
			m[w]++
		}
	}
}

// benchReport is a report of realistic size: a quarter by week, every frame, 40 sources,
// 20 terms, 10 notable posts.
func benchReport() *Report {
	r := &Report{Title: "t", Lang: "en", Bucket: "week", GeneratedAt: time.Date(2026, 7, 6, 6, 0, 0, 0, time.UTC),
		Period: Period{From: time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC)}}
	for i, f := range Frames {
		r.Frames = append(r.Frames, Count{f, uint64(1000 * (i + 1)), uint64(900 * (i + 1))})
		for _, bk := range buckets("week", r.Period.From, r.Period.To) {
			r.Timeline = append(r.Timeline, TimelineRow{bk, f, uint64(100 + i)})
		}
		for j := range 5 {
			r.TopChannels = append(r.TopChannels, SourceRow{f, "telegram", fmt.Sprintf("channel_%d", j), uint64(50 - j)})
			r.TopAccounts = append(r.TopAccounts, SourceRow{f, "telegram", fmt.Sprintf("account_%d", j), uint64(20 - j)})
		}
	}
	for i := range 20 {
		r.EmergingTerms = append(r.EmergingTerms, TermRow{fmt.Sprintf("term%d", i), uint64(100 - i), 10, 5})
	}
	for range 10 {
		r.Notable = append(r.Notable, NotablePost{Platform: "telegram", Channel: "ch", Views: 1000, Frames: []string{"propaganda_ban"},
			Excerpt: redactText(benchText), Evidence: []string{"Запретить пропаганду"}})
	}
	r.fillEmpty()
	return r
}

// BenchmarkWriteHTML renders the HTML report with its SVG charts; compare with
// BenchmarkWriteHTMLBaselineJSON, encoding/json of the same report.
func BenchmarkWriteHTML(b *testing.B) {
	r := benchReport()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteHTMLBaselineJSON(b *testing.B) {
	r := benchReport()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteCSV writes the zip of CSV tables; its baseline is the JSON encoding above.
func BenchmarkWriteCSV(b *testing.B) {
	r := benchReport()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteCSV(&buf, r); err != nil {
			b.Fatal(err)
		}
	}
}
