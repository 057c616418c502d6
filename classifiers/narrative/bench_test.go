package narrative

import (
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// cpuTime is this process's user+system CPU time. Throughput per CPU second is the
// "per core" figure the issue asks for, and it is stable on a shared machine where
// wall-clock posts/s depends on what the other processes do.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runPosts runs fn over the posts b.N times and reports posts/s (wall) and
// posts/cpu-s (per core).
func runPosts(b *testing.B, posts []string, fn func(string)) {
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		fn(posts[i%len(posts)])
	}
	cpu := cpuTime() - c0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "posts/cpu-s")
	}
}

// benchPosts builds a realistic mix of ~300-character posts from the corpus (hate,
// self-posts, counter-speech, news and ordinary talk in ru, ky, en, uz), each the
// concatenation of consecutive corpus texts cut at a word boundary.
func benchPosts(tb testing.TB) []string {
	tb.Helper()
	exs, err := Corpus()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	var b strings.Builder
	for i := 0; len(out) < 256; i++ {
		e := exs[(i*37)%len(exs)] // spread over languages and kinds
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e.Text)
		if utf8.RuneCountInString(b.String()) >= 300 {
			out = append(out, cutRunes(b.String(), 300))
			b.Reset()
		}
	}
	return out
}

func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			if k := strings.LastIndexByte(s[:j], ' '); k > 0 {
				return s[:k]
			}
			return s[:j]
		}
		i++
	}
	return s
}

// lexiconRegexp compiles the whole lexicon into one case-insensitive alternation, the
// obvious baseline: every entry's alternatives, words joined by whitespace, inflected
// words and prefixes as stem + letters.
func lexiconRegexp(tb testing.TB, lx *lexicon) *regexp.Regexp {
	tb.Helper()
	var alts []string
	for _, e := range lx.entries {
		for _, alt := range strings.Split(e.text, "|") {
			var ws []string
			for _, w := range strings.Fields(alt) {
				switch {
				case strings.HasPrefix(w, "="):
					ws = append(ws, regexp.QuoteMeta(w[1:]))
				case strings.HasSuffix(w, "*"):
					ws = append(ws, regexp.QuoteMeta(strings.TrimSuffix(w, "*"))+`\pL*`)
				default:
					stem := w
					if e.langs&langRU != 0 && utf8.RuneCountInString(w) > 4 && !isLatinWord(w) {
						stem = stemRU(w)
					}
					ws = append(ws, regexp.QuoteMeta(stem)+`\pL*`)
				}
			}
			alts = append(alts, strings.Join(ws, `\s+`))
		}
	}
	return regexp.MustCompile(`(?i)(?:` + strings.Join(alts, "|") + `)`)
}

// BenchmarkClassify measures posts/s per core of the full classifier (normalisation,
// lexicon, rules, guards, model) on the 300-character mix. Run with -cpu 1.
func BenchmarkClassify(b *testing.B) {
	_, full := testClassifiers(b)
	runPosts(b, benchPosts(b), func(p string) { full.ClassifyText(p) })
}

// BenchmarkClassifyRulesOnly is the same without the model.
func BenchmarkClassifyRulesOnly(b *testing.B) {
	rules, _ := testClassifiers(b)
	runPosts(b, benchPosts(b), func(p string) { rules.ClassifyText(p) })
}

// BenchmarkRegexpBaseline is one pass of Go's regexp alternation of the same lexicon
// over the same posts: it only finds matches, with none of the normalisation, rules,
// guards or model.
func BenchmarkRegexpBaseline(b *testing.B) {
	rules, _ := testClassifiers(b)
	re := lexiconRegexp(b, rules.lex.Load())
	runPosts(b, benchPosts(b), func(p string) { re.FindAllStringIndex(p, -1) })
}

func TestBenchPostsAreRealistic(t *testing.T) {
	posts := benchPosts(t)
	for _, p := range posts {
		if n := utf8.RuneCountInString(p); n < 250 || n > 300 {
			t.Fatalf("post of %d runes: %q", n, p)
		}
	}
	rules, _ := testClassifiers(t)
	re := lexiconRegexp(t, rules.lex.Load())
	if re.FindStringIndex("Геи — больные люди") == nil {
		t.Error("baseline regexp finds nothing in an obvious post")
	}
}
