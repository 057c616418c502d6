package exposure

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Masks put in place of what the report rule removes.
const (
	maskName    = "[name]"
	maskNumber  = "[number]"
	maskEmail   = "[email]"
	maskLink    = "[link]"
	maskAccount = "[account]"
)

var (
	reEmail  = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}.\-]+\.\p{L}{2,}`)
	reLink   = regexp.MustCompile(`(?i)\b(?:https?://|www\.|t\.me/)\S+`)
	reHandle = regexp.MustCompile(`@[\p{L}\p{N}_]{2,}`)
	// reNumber is any run of digits, possibly split by spaces, dashes, dots, slashes or
	// brackets and led by "+", that holds at least five digits: phones, personal numbers,
	// passport and card numbers, plates' digits. Years and small counts survive.
	reNumber = regexp.MustCompile(`\+?\(?\d(?:[\s\-./()]{0,2}\d){4,}\)?`)
)

// redactReport is the text masker of AudienceReport: it masks e-mail addresses, links,
// @handles, every number of five or more digits (phones, personal and document numbers),
// and personal names, recognised conservatively as capitalised words that do not begin a
// sentence, plus a sentence's first word when a capitalised word follows it ("Айбек
// Токтосунов ..."), when it is capitalised again later in the text, or when it ends like
// a Central Asian or Russian name ("Токтосунов — ...", "Айбек живёт ..."). All-capital
// acronyms (ЛГБТ, NGO) stay. It over-masks on purpose: a report is published, and a
// missed name can put a person at risk.
//
// Texts from the exposures table are already redacted by the stored rule; this is
// applied again on top as a second line of defence.
func redactReport(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = reEmail.ReplaceAllString(s, maskEmail)
	s = reLink.ReplaceAllString(s, maskLink)
	s = reHandle.ReplaceAllString(s, maskAccount)
	s = reNumber.ReplaceAllString(s, maskNumber)
	return maskNames(s)
}

// word is one run of letters in a text.
type word struct {
	start, end    int
	capital       bool // Title-case: upper-case first letter and some lower-case letter
	sentenceStart bool
}

func maskNames(s string) string {
	var words []word
	sentence := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			switch r {
			case '.', '!', '?', '\n', '…', ':', '"', '«', '“':
				sentence = true
			}
			if r == '[' { // an earlier mask: skip it whole
				if j := strings.IndexByte(s[i:], ']'); j > 0 {
					i += j + 1
					sentence = false
					continue
				}
			}
			i += n
			continue
		}
		j := i
		hasLower := false
		for j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			if unicode.IsLetter(r2) || unicode.Is(unicode.Mn, r2) || ((r2 == '-' || r2 == '\'' || r2 == '’') && j+n2 < len(s) && isLetterAt(s, j+n2)) {
				if unicode.IsLower(r2) {
					hasLower = true
				}
				j += n2
				continue
			}
			break
		}
		words = append(words, word{start: i, end: j, capital: unicode.IsUpper(r) && hasLower, sentenceStart: sentence})
		sentence = false
		i = j
	}
	mask := make([]bool, len(words))
	midCaps := map[string]bool{}
	for _, w := range words {
		if w.capital && !w.sentenceStart {
			midCaps[s[w.start:w.end]] = true
		}
	}
	for k, w := range words {
		if !w.capital {
			continue
		}
		if !w.sentenceStart {
			mask[k] = true
			continue
		}
		word := s[w.start:w.end]
		switch {
		case k+1 < len(words) && words[k+1].capital && onlySpaceBetween(s, w.end, words[k+1].start):
			mask[k] = true // "Айбек Токтосунов ..."
		case midCaps[word]:
			mask[k] = true // capitalised again mid-sentence: a name
		case nameLike(word):
			mask[k] = true // "Токтосунов — ...", "Айбек живёт ..."
		}
	}
	var b strings.Builder
	last := 0
	prevMasked := -1
	for k, w := range words {
		if !mask[k] {
			continue
		}
		if prevMasked >= 0 && onlySpaceBetween(s, words[prevMasked].end, w.start) {
			// "Айбек Токтосунов" becomes one mask, not two.
			last = w.end
			prevMasked = k
			continue
		}
		b.WriteString(s[last:w.start])
		b.WriteString(maskName)
		last = w.end
		prevMasked = k
	}
	b.WriteString(s[last:])
	return b.String()
}

// nameEndings are endings of Central Asian and Russian surnames, patronymics and given
// names; a sentence's first word ending so is masked even when no other capital follows.
// It over-masks a few ordinary words ("Один"), which a published report can afford.
var nameEndings = []string{"ов", "ова", "ев", "ева", "ёв", "ёва", "ин", "ина", "ын", "ына", "ский", "ская", "цкий", "цкая",
	"уулу", "кызы", "бек", "бай", "гүл", "гуль", "жан", "жон", "вич", "вна", "ova", "ov", "eva", "ev", "bek", "bai", "uulu",
	"kyzy", "jon", "zhan", "gul"}

func nameLike(w string) bool {
	lw := strings.ToLower(w)
	if utf8.RuneCountInString(lw) < 4 {
		return false
	}
	for _, e := range nameEndings {
		if strings.HasSuffix(lw, e) {
			return true
		}
	}
	return false
}

func isLetterAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

func onlySpaceBetween(s string, a, b int) bool {
	return a <= b && strings.TrimSpace(s[a:b]) == ""
}
