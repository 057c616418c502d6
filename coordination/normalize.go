package coordination

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stemRunes is how many leading runes of a token the near-duplicate set keeps. Cutting
// suffixes is a crude, language-independent stemmer: Russian and Kyrgyz rewordings often
// only change endings ("пропаганду"/"пропаганда").
const stemRunes = 6

// maxTokens caps the tokens read from one text: copies are recognised from their start,
// and a 256 KiB article must not cost more than a comment.
const maxTokens = 400

// fnv1a64 hashes s with FNV-1a; it is deterministic across processes, so cluster ids and
// golden files are stable.
func fnv1a64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix64 is the splitmix64 finaliser: it spreads the bits of combined keys.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// tokens is the result of tokenising one text.
type tokens struct {
	// exact is the hash of the full normalised token sequence (0 when empty).
	exact uint64
	// n is the number of tokens read.
	n int
	// set holds the sorted, distinct hashes of the stemmed tokens.
	set []uint64
}

// urlRe finds links in post text: explicit schemes, www. hosts and bare t.me links.
var urlRe = regexp.MustCompile(`(?i)(?:https?://|www\.|t\.me/)[^\s<>"'«»\x60]+`)

// hasLinkHint is a cheap pre-check before running urlRe.
func hasLinkHint(s string) bool {
	return strings.Contains(s, "http") || strings.Contains(s, "www.") || strings.Contains(s, "t.me/") ||
		strings.Contains(s, "HTTP") || strings.Contains(s, "WWW.") || strings.Contains(s, "T.ME/")
}

// linkSpans returns the byte spans of links in s.
func linkSpans(s string) [][]int {
	if !hasLinkHint(s) {
		return nil
	}
	return urlRe.FindAllStringIndex(s, 64)
}

// tokenize normalises text for co_text: links and @mentions are dropped, letters and
// digits are lower-cased, everything else separates tokens. set is reused as scratch.
func tokenize(s string, spans [][]int, set []uint64) tokens { return tokenizeFold(s, spans, set, true) }

// tokenizeFold is tokenize with the cross-script folding of letters switchable (off:
// letters are only lower-cased), for measuring what the folding catches.
func tokenizeFold(s string, spans [][]int, set []uint64, fold bool) tokens {
	out := tokens{set: set[:0]}
	h := uint64(14695981039346656037) // exact hash over all tokens
	var stem uint64
	inTok, skipWord := false, false
	runes := 0
	span := 0
	var buf [utf8.UTFMax]byte
	endTok := func() {
		if !inTok {
			return
		}
		inTok = false
		out.n++
		out.set = append(out.set, mix64(stem))
		h ^= ' '
		h *= 1099511628211
	}
	for i := 0; i < len(s) && out.n < maxTokens; {
		if span < len(spans) && i >= spans[span][0] {
			endTok()
			i = spans[span][1]
			span++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		isWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		if !isWord {
			if r == '_' && skipWord {
				continue
			}
			endTok()
			skipWord = r == '@'
			continue
		}
		if skipWord {
			continue
		}
		r = unicode.ToLower(r)
		if !inTok {
			inTok = true
			runes = 0
			stem = 14695981039346656037
		}
		if f, ok := foldRune(r); ok && fold {
			// Cyrillic and Latin letters are written in one Latin spelling, so a
			// transliterated copy has the same tokens; each Latin letter is a stem unit.
			for i := 0; i < len(f); i++ {
				c := f[i]
				h ^= uint64(c)
				h *= 1099511628211
				if runes < stemRunes {
					stem ^= uint64(c)
					stem *= 1099511628211
				}
				runes++
			}
			continue
		}
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			h ^= uint64(c)
			h *= 1099511628211
			if runes < stemRunes {
				stem ^= uint64(c)
				stem *= 1099511628211
			}
		}
		runes++
	}
	endTok()
	if out.n > 0 {
		out.exact = mix64(h)
	}
	slices.Sort(out.set)
	out.set = slices.Compact(out.set)
	return out
}

// cyrLatin spells the Russian and Kyrgyz Cyrillic letters (U+0400–U+04FF) in the
// practical Latin transliteration people type without a Cyrillic keyboard (ш sh, ж zh,
// х kh, ц ts, ч ch, я ya, ю yu); Kyrgyz ң, ө, ү fold to ng, o, u. An empty entry
// means the letter is not folded.
var cyrLatin = func() [256]string {
	var t [256]string
	for r, l := range map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh", 'з': "z", 'и': "i",
		'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
		'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "\x00", 'ы': "y", 'ь': "\x00",
		'э': "e", 'ю': "yu", 'я': "ya", 'ң': "ng", 'ө': "o", 'ү': "u", 'і': "i", 'ғ': "g", 'қ': "k", 'ұ': "u", 'һ': "h",
	} {
		t[r-0x400] = l
	}
	return t
}()

// foldRune returns the Latin spelling of a lower-case letter for co_text tokens:
// Cyrillic letters by cyrLatin (hard and soft signs vanish), Latin letters as they are
// with common phone spellings unified (w sh, x kh, j y, q k; ö ü ñ as o u ng). ok is
// false for letters of other scripts and for digits, which are kept as they are.
func foldRune(r rune) (string, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		switch r {
		case 'w':
			return "sh", true
		case 'x':
			return "kh", true
		case 'j':
			return "y", true
		case 'q':
			return "k", true
		}
		return latinLetters[r-'a' : r-'a'+1], true
	case r >= 0x400 && r <= 0x4FF:
		if l := cyrLatin[r-0x400]; l != "" {
			if l == "\x00" {
				return "", true
			}
			return l, true
		}
	case r == 'ö':
		return "o", true
	case r == 'ü':
		return "u", true
	case r == 'ñ':
		return "ng", true
	}
	return "", false
}

const latinLetters = "abcdefghijklmnopqrstuvwxyz"

// hashtags returns the distinct lower-cased, folded hashtags of text in sorted order
// (at most 16), for hashtag synchrony.
func hashtags(text string, dst []string) []string {
	dst = dst[:0]
	for i := 0; i < len(text) && len(dst) < 16; i++ {
		if text[i] != '#' || (i > 0 && text[i-1] != ' ' && text[i-1] != '\n' && text[i-1] != '\t' && text[i-1] != '(') {
			continue
		}
		j := i + 1
		var b strings.Builder
		n := 0
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
				break
			}
			r = unicode.ToLower(r)
			if f, ok := foldRune(r); ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
			j += size
			n++
		}
		if n >= 2 {
			dst = append(dst, b.String())
		}
		i = j - 1
	}
	slices.Sort(dst)
	return slices.Compact(dst)
}

// jaccard is the Jaccard similarity of two sorted distinct hash sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// trackingParams are query parameters that identify the sharer, not the page; they are
// removed so that the same article shared by different accounts is one object.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "yclid": true, "igshid": true, "igsh": true, "si": true,
	"feature": true, "ref": true, "ref_src": true, "mc_cid": true, "mc_eid": true, "_openstat": true,
}

// CanonicalLink turns a link found in text (or a post url) into the co_link object key:
// scheme and "www."/"m." dropped, host lower-cased, fragment and tracking parameters
// removed, remaining parameters sorted, youtu.be expanded. ok is false for what is not
// an http(s) link with a host.
func CanonicalLink(raw string) (string, bool) {
	raw = strings.TrimRight(raw, ".,;:!?)]}>…\"'")
	if raw == "" || len(raw) > 2048 {
		return "", false
	}
	low := strings.ToLower(raw)
	if !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	host = strings.TrimPrefix(host, "m.")
	if host == "" || !strings.Contains(host, ".") {
		return "", false
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	q := u.Query()
	if host == "youtu.be" && len(path) > 1 {
		q.Set("v", path[1:])
		host, path = "youtube.com", "/watch"
	}
	if host == "telegram.me" {
		host = "t.me"
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		lk := strings.ToLower(k)
		if trackingParams[lk] || strings.HasPrefix(lk, "utm_") {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(host)
	b.WriteString(path)
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		vs := q[k]
		sort.Strings(vs)
		for j, v := range vs {
			if j > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String(), true
}

// truncateRunes shortens s to at most n runes, for evidence texts.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// RedactLink returns how a shared link, reply target or forward source is kept and
// shown as cluster evidence: unchanged when redact (the exposure recognisers' masking)
// finds nothing in it, and otherwise only its host followed by "/…" ("vk.com/…"), so
// that a victim's profile link ("vk.com/id…", "t.me/name", "@name") is not repeated to
// every reader while the platform stays visible. A value without a recognisable host
// becomes "[redacted]". A nil redact keeps every value.
func RedactLink(link string, redact func(string) string) string {
	if redact == nil || redact(link) == link {
		return link
	}
	raw := link
	if low := strings.ToLower(raw); !strings.HasPrefix(low, "http://") && !strings.HasPrefix(low, "https://") {
		raw = "https://" + strings.TrimPrefix(raw, "//")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || !strings.Contains(u.Hostname(), ".") || u.User != nil {
		return "[redacted]"
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	return host + "/…"
}
