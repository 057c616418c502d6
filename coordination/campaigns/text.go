package campaigns

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"
)

// Invented words: Russian-looking syllables, and Kyrgyz-looking ones (with ң, ө, ү)
// for translations. None of them is meant to be a real word.
var (
	ruSyllables = []string{"ба", "ва", "го", "де", "жи", "за", "ки", "ло", "ми", "но", "по", "ру", "са", "ти", "фу",
		"ха", "це", "чи", "ша", "щу", "ею", "ял", "ны", "ско", "про", "тра", "ств", "ени", "ова", "ель", "ный", "ать"}
	kySyllables = []string{"аң", "бө", "гү", "дө", "жа", "кы", "лө", "мү", "ңа", "өз", "сү", "тө", "үй", "чы", "ша",
		"ыр", "ай", "бар", "кел", "жок", "дар", "лар", "төр", "күн", "ман", "сың", "быз", "уу", "өө", "үү"}
	interjections = []string{"ну", "вот", "ага", "эх", "короче", "смотрите", "!!!", "внимание"}
	emoji         = []string{"😡", "👎", "🔥", "‼️", "🤬", "🇰🇬"}
)

// makeWords invents n distinct words of minSyl..maxSyl Russian-looking syllables.
func makeWords(r *rand.Rand, n, minSyl, maxSyl int) []string {
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		k := minSyl + r.IntN(maxSyl-minSyl+1)
		var b strings.Builder
		for i := 0; i < k; i++ {
			b.WriteString(ruSyllables[r.IntN(len(ruSyllables))])
		}
		w := b.String()
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// handle invents an account handle.
func handle(r *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	for i := 0; i < 6+r.IntN(5); i++ {
		b.WriteByte(letters[r.IntN(len(letters))])
	}
	if r.IntN(2) == 0 {
		b.WriteByte('_')
		b.WriteByte(byte('0' + r.IntN(10)))
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func pick(r *rand.Rand, l []string) string { return l[r.IntN(len(l))] }

// paraphrase rewords a message as a member of a farm does: some words replaced by
// other words (synonyms), dropped or swapped, an interjection in front and an emoji at
// the end.
func paraphrase(r *rand.Rand, s string) string {
	words := strings.Fields(s)
	out := words[:0:0]
	for _, w := range words {
		switch x := r.Float64(); {
		case x < 0.06:
			continue
		case x < 0.16 && !isNumber(w):
			out = append(out, synonym(w))
		default:
			out = append(out, w)
		}
	}
	for i := 0; i+1 < len(out); i++ {
		if r.Float64() < 0.06 {
			out[i], out[i+1] = out[i+1], out[i]
			i++
		}
	}
	if r.Float64() < 0.3 {
		out = append([]string{pick(r, interjections)}, out...)
	}
	if r.Float64() < 0.3 {
		out = append(out, pick(r, emoji))
	}
	return strings.Join(out, " ")
}

// synonym is a fixed other word for w (its reversed syllables), so two members who
// pick the synonym agree.
func synonym(w string) string {
	rs := []rune(w)
	for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
		rs[i], rs[j] = rs[j], rs[i]
	}
	return string(rs) + "о"
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// translate renders a Russian-looking message in Kyrgyz-looking words: every word maps
// to a fixed invented Kyrgyz word (so members agree on the translation), numbers and
// hashtags stay. The two versions share no word except numbers.
func translate(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if isNumber(w) || strings.HasPrefix(w, "#") || strings.HasPrefix(w, "http") {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(w))
		x := h.Sum64()
		var b strings.Builder
		for k := 0; k < 2+int(x%3); k++ {
			x = x*6364136223846793005 + 1442695040888963407
			b.WriteString(kySyllables[(x>>33)%uint64(len(kySyllables))])
		}
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

// zipfDraw draws ranks 0..n-1 with probability proportional to 1/(rank+1+offset)^s.
type zipfDraw struct{ cdf []float64 }

func newZipf(n int, s float64, offset int) *zipfDraw {
	z := &zipfDraw{cdf: make([]float64, n)}
	sum := 0.0
	for i := 0; i < n; i++ {
		sum += 1 / math.Pow(float64(i+1+offset), s)
		z.cdf[i] = sum
	}
	for i := range z.cdf {
		z.cdf[i] /= sum
	}
	return z
}

func (z *zipfDraw) draw(r *rand.Rand) int {
	x := r.Float64()
	return min(sort.SearchFloat64s(z.cdf, x), len(z.cdf)-1)
}
