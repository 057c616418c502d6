package exposure

import (
	"bytes"
	"fmt"
	"regexp"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
)

// benchPosts are ~300-byte posts cut from the corpus (doxxing, outing, member mentions
// and hard negatives in ru, ky and en), in corpus order.
func benchPosts(tb testing.TB) []string {
	tb.Helper()
	exs, err := ReadCorpus(bytes.NewReader(embeddedCorpus))
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	var cur string
	for _, ex := range exs {
		cur += ex.Text + " "
		if len(cur) >= 300 {
			cut := 300
			for cut > 0 && !utf8.RuneStart(cur[cut]) {
				cut--
			}
			out = append(out, cur[:cut])
			cur = ""
		}
	}
	return out
}

// benchIndex builds a watchlist of n invented members (two names each, one phone, one
// id, one handle) plus the corpus watchlist, hashed in memory.
func benchIndex(tb testing.TB, n int) *watchlist.Index {
	tb.Helper()
	h, err := watchlist.NewHasher([]byte(evalKey))
	if err != nil {
		tb.Fatal(err)
	}
	given := []string{"Айбек", "Бакыт", "Нурлан", "Асель", "Бермет", "Жылдыз", "Данияр", "Мирлан", "Чолпон", "Динара"}
	stems := []string{"Асан", "Усен", "Калыбек", "Токо", "Бообек", "Сары", "Кара", "Ак", "Мамыт", "Орозо", "Жоомарт", "Бектен"}
	syll := []string{"", "бай", "кул", "бек", "али", "тай", "жан", "мырза", "тур", "сал"}
	var org watchlist.Org
	org.ID = "bench"
	for i := 0; i < n; i++ {
		// (i%12, i/12%10, i/120%10) is unique for i < 1200: every member has its own surname.
		g := given[(i*7)%len(given)]
		sur := stems[i%len(stems)] + syll[(i/len(stems))%len(syll)] + syll[(i/(len(stems)*len(syll)))%len(syll)] + "ов"
		org.Members = append(org.Members, watchlist.Member{
			ID:      fmt.Sprintf("b-%04d", i),
			Names:   []string{g + " " + sur, sur + " " + g},
			Phones:  []string{fmt.Sprintf("+996 700 %03d %03d", i/1000, i%1000)},
			IDs:     []string{fmt.Sprintf("2010119900%04d", i)},
			Handles: []string{fmt.Sprintf("@member_%d", i)},
		})
	}
	l, err := watchlist.Build(&org, h)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := watchlist.ParseFile(bytes.NewReader(embeddedWatchlist))
	if err != nil {
		tb.Fatal(err)
	}
	lists := []*watchlist.HashedList{l}
	for i := range f.Orgs {
		cl, err := watchlist.Build(&f.Orgs[i], h)
		if err != nil {
			tb.Fatal(err)
		}
		lists = append(lists, cl)
	}
	ix, err := watchlist.NewIndex(h, lists)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func benchAnalyze(b *testing.B, ix *watchlist.Index) {
	posts := benchPosts(b)
	a := NewAnalyzer(func() time.Time { return evalNow })
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := a.Analyze(posts[i%len(posts)], "Бишкек Жаңылыктары / Bishkek News", ix); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpu0)
}

// reportRates reports posts per wall second and posts per CPU second of the process
// (the per-core figure; with -cpu 1 the work runs on one core, GC included).
func reportRates(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "posts/cpu-s")
	}
}

// BenchmarkAnalyzeWatchlist1000 is the acceptance figure: full analysis (recognisers,
// names, SOGI binding, verdict, redaction) with a 1,000-member watchlist.
func BenchmarkAnalyzeWatchlist1000(b *testing.B) { benchAnalyze(b, benchIndex(b, 1000)) }

// BenchmarkAnalyzeIndependentWatchlist1000 is the same analysis on the posts of the
// independent corpus (issue 15: lists, long threads, ru/ky/uz/en/mixed), timing only,
// with the 1,000-member watchlist.
func BenchmarkAnalyzeIndependentWatchlist1000(b *testing.B) {
	exs, err := ReadCorpus(bytes.NewReader(independentFile("independent.jsonl")))
	if err != nil {
		b.Fatal(err)
	}
	posts := make([]string, len(exs))
	for i, ex := range exs {
		posts[i] = ex.Text
	}
	ix := benchIndex(b, 1000)
	a := NewAnalyzer(func() time.Time { return evalNow })
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		if _, err := a.Analyze(posts[i%len(posts)], "", ix); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpu0)
}

// BenchmarkAnalyzeNoWatchlist is the first baseline: the same analysis without
// watchlist matching, so the difference is the cost of hashing and lookups.
func BenchmarkAnalyzeNoWatchlist(b *testing.B) { benchAnalyze(b, nil) }

// naivePatterns is the second baseline: what a regexp-only detector would run (phones,
// 14-digit PINs, e-mails, handles, dates), without validation, context or names.
var naivePatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?:\+996|0)[ -]?\(?[0-9]{3}\)?[ -]?[0-9]{2,3}[ -]?[0-9]{2}[ -]?[0-9]{2,3}`),
	regexp.MustCompile(`\b[12][0-9]{13}\b`),
	regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
	regexp.MustCompile(`@[A-Za-z0-9_.]{3,32}`),
	regexp.MustCompile(`\b[0-9]{2}[./][0-9]{2}[./][0-9]{4}\b`),
}

// BenchmarkNaiveRegexp measures the regexp-only baseline on the same posts.
func BenchmarkNaiveRegexp(b *testing.B) {
	posts := benchPosts(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	found := 0
	for i := 0; i < b.N; i++ {
		p := posts[i%len(posts)]
		for _, re := range naivePatterns {
			found += len(re.FindAllStringIndex(p, -1))
		}
	}
	reportRates(b, cpu0)
	if found == 0 {
		b.Fatal("naive baseline found nothing")
	}
}

// TestBenchIndexMatchesMembers checks that the benchmark watchlist is real: its
// members are found in a post, so the benchmark measures matching, not misses.
func TestBenchIndexMatchesMembers(t *testing.T) {
	ix := benchIndex(t, 1000)
	if ix.Members() != 1020 {
		t.Fatalf("members = %d", ix.Members())
	}
	a := NewAnalyzer(func() time.Time { return evalNow })
	res, err := a.Analyze("Айбек Асанов и его телефон +996 700 000 000", "", ix)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Watchlist) != 1 || res.Watchlist[0].Member != "b-0000" {
		t.Errorf("watchlist = %v", res.Watchlist)
	}
	if len(benchPosts(t)) < 50 {
		t.Error("too few benchmark posts")
	}
}
