package narrative

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wildRune marks a masked letter (г*й, п@дик) in a normalised token. It matches any
// single letter in the lexicon trie. It is a private-use code point so it can never
// come from real text after normalisation.
const wildRune = '\uE000'

// script of a token, decided by the majority of its letters.
const (
	scriptOther uint8 = iota
	scriptCyrillic
	scriptLatin
)

// token is one word of a post after normalisation. Offsets are byte offsets into the
// original text so that evidence spans always point at what the author wrote.
type token struct {
	start, end int // bytes in the original text
	// n0, n1 delimit the normalised runes in analysis.norm.
	n0, n1 int
	script uint8
	// symbols reports leetspeak or masking symbols inside the word; wild reports that
	// at least one of them became wildRune.
	symbols bool
	wild    bool
	// single is set for one-letter tokens, candidates for spaced-out words (г е й).
	single bool
	// sent and clause number the sentence and clause the token is in.
	sent, clause int
	// quoted is set inside quotation marks and on a quoted reply line; quote numbers
	// the quoted span (0 outside quotation marks), so the words of one span can be
	// counted.
	quoted bool
	quote  int32
	// replyQuote is set on a quoted reply line (">коммент, на который отвечают"):
	// the words of the comment being answered.
	replyQuote bool
	// gapBefore is the byte length of the separator run before the token;
	// afterInvalid reports an invalid UTF-8 byte in it.
	gapBefore    int
	afterInvalid bool
}

// latinToCyrillic folds Latin look-alikes inside a mostly Cyrillic word (lower-cased).
var latinToCyrillic = [128]rune{
	'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'н', 'k': 'к', 'm': 'м', 'n': 'п',
	'o': 'о', 'p': 'р', 'r': 'г', 't': 'т', 'u': 'и', 'x': 'х', 'y': 'у',
}

// cyrillicToLatin folds Cyrillic look-alikes inside a mostly Latin word (lower-cased).
var cyrillicToLatin = map[rune]rune{
	'а': 'a', 'в': 'b', 'с': 'c', 'е': 'e', 'н': 'h', 'к': 'k', 'м': 'm', 'о': 'o',
	'р': 'p', 'т': 't', 'х': 'x', 'у': 'y', 'і': 'i', 'ј': 'j', 'ѕ': 's', 'г': 'r',
}

// leetCyrillic and leetLatin map digits and symbols used as letters.
var leetCyrillic = [128]rune{
	'0': 'о', '3': 'з', '4': 'ч', '6': 'б', '@': 'а', '$': 'с', '8': 'в',
}

var leetLatin = [128]rune{
	'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i', '|': 'l',
}

// foldLetter applies case folding and the letter-level folds shared by lexicon and
// text: ё→е, the Kyrgyz "loose" channel (ө→о, ү→у, ң→н, as on phone keyboards without
// those letters), Uzbek Cyrillic letters (ў→у, қ→к, ғ→г, ҳ→х) and Kazakh/Ukrainian і→и.
func foldLetter(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 32
	case r < 0x80:
		return r
	case r >= 'А' && r <= 'Я':
		return r + 32
	case r >= 'а' && r <= 'я':
		return r
	case r >= 0x400 && r <= 0x40F: // Ѐ..Џ (Ё, Ў, І...)
		r += 0x50
	default:
		r = unicode.ToLower(r)
	}
	switch r {
	case 'ё':
		return 'е'
	case 'ө':
		return 'о'
	case 'ү', 'ў':
		return 'у'
	case 'ң':
		return 'н'
	case 'қ':
		return 'к'
	case 'ғ':
		return 'г'
	case 'ҳ':
		return 'х'
	case 'і':
		return 'и'
	case 'ә':
		return 'а'
	case 'ı':
		return 'i'
	}
	return r
}

// isLetter is unicode.IsLetter with fast paths for ASCII and Cyrillic, the scripts of
// nearly every post (the generic table lookup dominated the profile).
func isLetter(r rune) bool {
	switch {
	case r < 0x80:
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	case r >= 0x400 && r <= 0x481, r >= 0x48A && r <= 0x52F:
		return true
	}
	return unicode.IsLetter(r)
}

func isDigit(r rune) bool {
	if r < 0x80 {
		return r >= '0' && r <= '9'
	}
	return unicode.IsDigit(r)
}

func isMark(r rune) bool {
	switch {
	case r < 0x300:
		return false
	case r >= 0x400 && r <= 0x52F: // Cyrillic: only the combining titlo and friends
		return r >= 0x483 && r <= 0x489
	}
	return unicode.Is(unicode.Mn, r)
}

func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x052F }

func isLatin(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= 0xC0 && r <= 0x24F)
}

// isApostrophe covers the marks used inside words: English contractions and the Uzbek
// Latin letters o‘ and g‘ (written with ‘, ʻ, ’ or ').
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʻ', 'ʼ', '‘', '`':
		return true
	}
	return false
}

// isWordSymbol reports characters that evaders put inside words.
func isWordSymbol(r rune) bool {
	switch r {
	case '@', '$', '*', '#', '%', '!', '_', '|', '€':
		return true
	}
	return false
}

func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', '\n', '…', '。':
		return true
	}
	return false
}

func isClauseBreak(r rune) bool {
	switch r {
	case ',', ';', ':', '—', '–', '(', ')', '[', ']':
		return true
	}
	return false
}

// quoteKind returns +1 for an opening quote, -1 for a closing one, 2 for a symmetric
// quote that toggles, 3 for “ (opens in English “…”, closes in Russian „…“) and 0
// for anything else.
func quoteKind(r rune) int {
	switch r {
	case '«', '„':
		return 1
	case '»', '”':
		return -1
	case '"':
		return 2
	case '“':
		return 3
	}
	return 0
}

// tokenize splits text into normalised tokens in one pass. It never fails: invalid
// UTF-8 bytes and unknown symbols act as separators, so offsets stay exact.
func (a *analysis) tokenize(text string) {
	a.toks = a.toks[:0]
	a.norm = a.norm[:0]
	sent, clause := 0, 0
	quoted := false
	var quote int32
	// replyQuote is set on a line that opens with ">" (">>коммент, на который
	// отвечают"): the words of the post being answered, quoted as in mail and on
	// forums. Only in a post with lines of the author's own: a post whose every line
	// opens with ">" is greentext, the author's own story.
	ownLine := strings.IndexByte(text, '>') >= 0 && hasUnquotedLine(text) // most posts have no '>'
	replyQuote := ownLine && opensReplyQuote(text)
	gap := 0
	invalid := false // an invalid byte since the last word
	i := 0
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && w <= 1 {
			// An invalid byte ends the sentence, so no phrase, spaced-out word or
			// evidence span reaches across it (evidence must stay valid UTF-8).
			gap += w
			i += w
			sent++
			clause++
			invalid = true
			continue
		}
		if !isLetter(r) && !isDigit(r) && !(isWordSymbol(r) && symbolsLeadToWord(text[i:])) {
			switch {
			case isSentenceEnd(r):
				sent++
				clause++
			case isClauseBreak(r):
				clause++
			}
			if r == '\n' {
				replyQuote = ownLine && opensReplyQuote(text[i+w:])
			}
			k := quoteKind(r)
			if k == 3 {
				k = 1
				if quoted {
					k = -1
				}
			}
			switch k {
			case 1:
				quoted = true
				quote++
				clause++
			case -1:
				quoted = false
				clause++
			case 2:
				quoted = !quoted
				if quoted {
					quote++
				}
				clause++
			}
			gap += w
			i += w
			continue
		}
		// A word run: letters, digits, symbols and inner apostrophes or marks.
		j := i
		for j < len(text) {
			r2, w2 := utf8.DecodeRuneInString(text[j:])
			if r2 == utf8.RuneError && w2 <= 1 {
				break
			}
			if isLetter(r2) || isDigit(r2) || isWordSymbol(r2) || isMark(r2) {
				j += w2
				continue
			}
			if isApostrophe(r2) && j+w2 < len(text) {
				r3, _ := utf8.DecodeRuneInString(text[j+w2:])
				if isLetter(r3) {
					j += w2
					continue
				}
			}
			break
		}
		// Trailing symbols ("гей!", "kill*") are separators, so "!" still ends a sentence.
		for j > i {
			r2, w2 := utf8.DecodeLastRuneInString(text[i:j])
			if !isWordSymbol(r2) {
				break
			}
			j -= w2
		}
		q := int32(0)
		if quoted {
			q = quote
		}
		before := len(a.toks)
		a.addWord(text, i, j, sent, clause, q, replyQuote, gap)
		if len(a.toks) > before {
			a.toks[before].afterInvalid = invalid
			invalid = false // kept across a run without letters ("0\xe7\xb80")
		}
		gap = 0
		i = j
	}
}

// opensReplyQuote reports whether the line starting at s opens with ">" after
// optional blanks: a quoted reply line. ">>12345" (a link to a numbered post, the
// reply following it) and "> 18" (more than) are not.
func opensReplyQuote(s string) bool {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i == len(s) || s[i] != '>' {
		return false
	}
	for i < len(s) && (s[i] == '>' || s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i < len(s) && !(s[i] >= '0' && s[i] <= '9')
}

// hasUnquotedLine reports whether some non-blank line of text does not open a reply
// quote.
func hasUnquotedLine(text string) bool {
	for len(text) > 0 {
		line := text
		if n := strings.IndexByte(text, '\n'); n >= 0 {
			line, text = text[:n], text[n+1:]
		} else {
			text = ""
		}
		if strings.TrimSpace(line) != "" && !opensReplyQuote(line) {
			return true
		}
	}
	return false
}

// symbolsLeadToWord reports whether the run of word symbols at the start of s is
// followed by a letter or digit (a masked or leetspeak word like "@ЛГБТ" or "*ей").
func symbolsLeadToWord(s string) bool {
	for _, r := range s {
		if isWordSymbol(r) {
			continue
		}
		return isLetter(r) || isDigit(r)
	}
	return false
}

// addWord normalises text[s:e] into a token unless it holds no letter.
func (a *analysis) addWord(text string, s, e, sent, clause int, quote int32, replyQuote bool, gap int) {
	// Trim symbols at both ends (emphasis, hashtags, mentions).
	for s < e {
		r, w := utf8.DecodeRuneInString(text[s:])
		if isLetter(r) || isDigit(r) {
			break
		}
		s += w
		gap += w
	}
	for e > s {
		r, w := utf8.DecodeLastRuneInString(text[s:e])
		if isLetter(r) || isDigit(r) {
			break
		}
		e -= w
	}
	if s >= e {
		return
	}
	// Majority script and letter count.
	cyr, lat, letters := 0, 0, 0
	for _, r := range text[s:e] {
		if isLetter(r) {
			letters++
			if isCyrillic(r) {
				cyr++
			} else if isLatin(r) {
				lat++
			}
		}
	}
	if letters == 0 {
		return // a number or a symbol run
	}
	// A quoted reply line is someone else's words for the evidence too ("mention, not
	// use"), like a quotation.
	t := token{start: s, end: e, sent: sent, clause: clause, quoted: quote > 0 || replyQuote, quote: quote, replyQuote: replyQuote, gapBefore: gap}
	switch {
	case cyr > lat:
		t.script = scriptCyrillic
	case lat > 0:
		t.script = scriptLatin
	}
	t.n0 = len(a.norm)
	var wild bool
	a.norm, t.symbols, wild = normWord(a.norm, text[s:e], t.script, false)
	t.wild = wild
	t.n1 = len(a.norm)
	t.single = t.n1-t.n0 == 1
	a.toks = append(a.toks, t)
}

// normWord appends the normalised runes of one word to dst. With allWild every digit
// or symbol inside the word becomes wildRune instead of its leetspeak letter, the
// second reading tried when the first finds nothing (п@дик is п?дик, not падик).
func normWord(dst []rune, word string, script uint8, allWild bool) (out []rune, symbols, wild bool) {
	prev := rune(-1)
	for _, r := range word {
		var n rune
		switch {
		case isApostrophe(r):
			continue
		case isLetter(r):
			n = foldLetter(r)
			if script == scriptCyrillic && n < 128 && latinToCyrillic[n] != 0 {
				n = latinToCyrillic[n]
			} else if script == scriptLatin {
				if m, ok := cyrillicToLatin[n]; ok {
					n = m
				}
			}
		case isMark(r):
			continue
		default: // digit or symbol inside a word with letters
			symbols = true
			var m rune
			if r < 128 && !allWild {
				if script == scriptCyrillic {
					m = leetCyrillic[r]
				} else {
					m = leetLatin[r]
				}
			} else if r == '€' && !allWild { // "п€д0р": the euro sign as an e
				m = 'e'
				if script == scriptCyrillic {
					m = 'е'
				}
			}
			if m != 0 {
				n = m
			} else {
				n = wildRune
				wild = true
			}
		}
		// Collapse repeated letters: the lexicon is indexed the same way, so
		// "гееей" and "kill" meet their entries as "гей" and "kil".
		if n == prev && n != wildRune {
			continue
		}
		dst = append(dst, n)
		prev = n
	}
	return dst, symbols, wild
}

// collapseRunes removes immediate repeats, as tokenize does for text.
func collapseRunes(rs []rune) []rune {
	out := rs[:0]
	prev := rune(-1)
	for _, r := range rs {
		if r == prev {
			continue
		}
		out = append(out, r)
		prev = r
	}
	return out
}
