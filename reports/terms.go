package reports

import (
	"context"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/russian"

	"github.com/kuzot/kuzot/storage/readmodel"
)

// sampleBuckets is the resolution of the deterministic hash sample of emerging terms.
const sampleBuckets = 10000

// emergingTerms finds the terms whose share of flagged posts rose most against the
// previous period. Flagged posts are tokenised in Go (letters only, at least four runes,
// stop words dropped, Russian/English Snowball stems so that inflections count together);
// each term counts once per post. Above Options.TermSample flagged posts per period, a
// deterministic sample by hash of the post id is taken and counts are scaled back.
//
// Posts the exposure classifier flagged are left out, and so is any word written with a
// capital letter in most of its occurrences (names of people and places): a term list
// must never surface a victim's name.
func (q *query) emergingTerms(ctx context.Context, r *Report) error {
	size, err := q.flagged.Size(q.ctx(ctx, nil))
	if err != nil {
		return err
	}
	nCur, nPrev := size.Current, size.Previous
	rate := 1.0
	if m := max(nCur, nPrev); m > uint64(q.o.TermSample) {
		rate = float64(q.o.TermSample) / float64(m)
	}
	keep := uint64(rate*sampleBuckets + 0.5)
	r.Methods.TermsSampled, r.Methods.TermsRate = rate < 1, roundTo(float64(keep)/sampleBuckets, 4)
	if keep == 0 || nCur == 0 {
		return nil
	}
	tc := newTermCounter()
	var docsCur, docsPrev int
	err = q.flagged.SampledTexts(q.ctx(ctx, finalSettings), readmodel.Sample{Buckets: sampleBuckets, Keep: keep},
		func(t readmodel.SampledText) error {
			tc.add(t.Title+"\n"+t.Text, t.Current)
			if t.Current {
				docsCur++
			} else {
				docsPrev++
			}
			return nil
		})
	if err != nil {
		return err
	}
	r.EmergingTerms = tc.emerging(docsCur, docsPrev, rate, q.o.MinTermPosts, q.o.TermsN)
	return nil
}

// termStat accumulates one stem.
type termStat struct {
	cur, prev int
	// forms counts the lower-case surface forms, to show the most common one.
	forms map[string]int
	// capital and total count occurrences written with a capital first letter (not at
	// the start of a sentence) and all occurrences not at a sentence start.
	capital, total int
}

type termCounter struct {
	stems map[string]*termStat
	// memo caches word -> stem: Snowball costs microseconds per word and the
	// vocabulary of a period's posts repeats heavily.
	memo map[string]string
}

func newTermCounter() *termCounter {
	return &termCounter{stems: map[string]*termStat{}, memo: map[string]string{}}
}

// add counts the distinct terms of one post.
func (tc *termCounter) add(text string, cur bool) {
	seen := map[string]bool{}
	sentence := true
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			if strings.ContainsRune(".!?\n…", r) {
				sentence = true
			}
			i += n
			continue
		}
		j := i
		for j < len(text) {
			r2, n2 := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r2) && !unicode.Is(unicode.Mn, r2) {
				break
			}
			j += n2
		}
		w := text[i:j]
		atStart := sentence
		sentence = false
		i = j
		if utf8.RuneCountInString(w) < 4 || utf8.RuneCountInString(w) > 40 {
			continue
		}
		lw := strings.ToLower(w)
		if stopWords[lw] {
			continue
		}
		stem, ok := tc.memo[lw]
		if !ok {
			stem = stemWord(lw)
			if len(tc.memo) < 1<<20 {
				tc.memo[lw] = stem
			}
		}
		st := tc.stems[stem]
		if st == nil {
			st = &termStat{forms: map[string]int{}}
			tc.stems[stem] = st
		}
		st.forms[lw]++
		if !atStart {
			st.total++
			if unicode.IsUpper(r) && !isAllUpper(w) {
				st.capital++
			}
		}
		if !seen[stem] {
			seen[stem] = true
			if cur {
				st.cur++
			} else {
				st.prev++
			}
		}
	}
}

func isAllUpper(w string) bool {
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// stemWord stems a lower-case word with the Snowball stemmer of its script.
func stemWord(w string) string {
	for _, r := range w {
		if unicode.Is(unicode.Cyrillic, r) {
			return russian.Stem(w, true)
		}
		if r < unicode.MaxASCII {
			return english.Stem(w, true)
		}
		break
	}
	return w
}

// emerging ranks terms by the growth of their smoothed document frequency,
// ((cur+1)/(docsCur+1)) / ((prev+1)/(docsPrev+1)), keeping terms found in at least
// minPosts posts of the period (after scaling) that grew.
func (tc *termCounter) emerging(docsCur, docsPrev int, rate float64, minPosts, n int) []TermRow {
	scale := func(x int) uint64 { return uint64(float64(x)/rate + 0.5) }
	var out []TermRow
	for _, st := range tc.stems {
		cur, prev := scale(st.cur), scale(st.prev)
		if cur < uint64(minPosts) {
			continue
		}
		if st.total > 0 && st.capital*2 >= st.total {
			continue // a proper name
		}
		if st.total == 0 {
			continue // only ever seen at a sentence start: cannot tell a name from a word
		}
		g := (float64(st.cur+1) / float64(docsCur+1)) / (float64(st.prev+1) / float64(docsPrev+1))
		if g <= 1 {
			continue
		}
		out = append(out, TermRow{Term: topForm(st.forms), Posts: cur, Previous: prev, Growth: roundTo(g, 2)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Growth != out[j].Growth {
			return out[i].Growth > out[j].Growth
		}
		if out[i].Posts != out[j].Posts {
			return out[i].Posts > out[j].Posts
		}
		return out[i].Term < out[j].Term
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func topForm(forms map[string]int) string {
	best, bn := "", -1
	for f, c := range forms {
		if c > bn || (c == bn && f < best) {
			best, bn = f, c
		}
	}
	return best
}

// stopWords are frequent function words of four letters or more (Russian, Kyrgyz,
// English) that never make a term.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		this that with from have they their there which were been will about what when more also into only
		other than them these some would should could after before being does just like over such very your
		while where here those because through your ours yours
		этот этого этой этом эти этих это чтобы который которые которая которых когда только также более если
		было были будет будут может могут нужно надо очень всех всего свои своих своей себя даже после через
		между потому уже тоже всем если есть нельзя можно вообще такие такой такая таких сейчас здесь теперь
		пока почему зачем хотя ведь будто каждый многие люди человек сегодня
		жана менен үчүн болуп деген бирок анын алар дагы бизде биздин силер эмне кандай мындай ошол ушул`) {
		m[w] = true
	}
	return m
}()
