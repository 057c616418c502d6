package alerts

import (
	"hash/fnv"
	"math/bits"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/kuzot/kuzot/post"
)

// NearDupDistance is the largest Hamming distance between two 64-bit SimHashes of texts
// that count as the same content. Manku et al. (WWW 2007) use 3 for web pages; posts
// are short, and a forward adds a line or two, so kuzot allows a little more. The
// threshold is covered by tests on re-posts and on unrelated texts.
const NearDupDistance = 8

// MinShingles is the least number of word shingles for SimHash to be meaningful; shorter
// texts only match on their exact normalised hash.
const MinShingles = 6

var (
	reURL     = regexp.MustCompile(`(?i)\b(?:https?://|www\.|t\.me/|vk\.com/)\S+`)
	reMention = regexp.MustCompile(`[@#][\p{L}\p{N}_]+`)
)

// NormalizeText lower-cases, removes links, @mentions and #tags, keeps letters and
// digits, and collapses whitespace: the view of a post under which re-posts and
// forwards with small changes look alike.
func NormalizeText(s string) []string {
	s = reURL.ReplaceAllString(s, " ")
	s = reMention.ReplaceAllString(s, " ")
	s = strings.ToLower(s)
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// Fingerprint is what identifies exposed content across copies.
type Fingerprint struct {
	// SimHash is the 64-bit SimHash of word bigrams and trigrams of the normalised text.
	SimHash uint64 `json:"simhash"`
	// Exact is a hash of the whole normalised text (the only text identity of short posts).
	Exact uint64 `json:"exact"`
	// Shingles is how many shingles fed SimHash; below MinShingles it is not compared.
	Shingles int `json:"shingles"`
	// Words is the number of normalised words (0: no text, Exact is not compared).
	Words int `json:"words"`
	// Keys are exact identities of the content: the canonical post URL, what it was
	// forwarded from, and video ids it shows ("url:t.me/src/12", "yt:abc", "vk:video-1_2").
	Keys []string `json:"keys"`
	// Images are the prints of the pictures of a result derived from an image (the ocr
	// role): a re-upload of one of them is the same content (ImageThresholds).
	Images []ImagePrint `json:"images,omitempty"`
}

// FingerprintPost computes the fingerprint of a post's title and text, URL, forward
// origin and media.
func FingerprintPost(p *post.Post) Fingerprint {
	words := NormalizeText(p.Title + " " + p.Text)
	fp := Fingerprint{Exact: hash64(strings.Join(words, " ")), Words: len(words)}
	var v [64]int
	add := func(s string) {
		h := hash64(s)
		for i := range 64 {
			if h&(1<<i) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
		fp.Shingles++
	}
	for i := range words {
		if i+1 < len(words) {
			add(words[i] + " " + words[i+1])
		}
		if i+2 < len(words) {
			add(words[i] + " " + words[i+1] + " " + words[i+2])
		}
	}
	for i := range 64 {
		if v[i] > 0 {
			fp.SimHash |= 1 << i
		}
	}
	keys := map[string]bool{}
	if u := CanonicalURL(p.URL); u != "" {
		keys["url:"+u] = true
	}
	if p.ForwardedFrom != "" {
		if u := CanonicalURL(p.ForwardedFrom); u != "" {
			keys["url:"+u] = true
		}
	}
	for _, k := range videoKeys(p.URL) {
		keys[k] = true
	}
	for _, m := range p.Media {
		for _, k := range videoKeys(m.URL) {
			keys[k] = true
		}
		if m.Kind == "video" {
			if u := CanonicalURL(m.URL); u != "" {
				keys["media:"+u] = true
			}
		}
	}
	for k := range keys {
		fp.Keys = append(fp.Keys, k)
	}
	sortStrings(fp.Keys)
	return fp
}

// Same reports whether two fingerprints identify the same content: a shared exact key
// (URL, forward origin, video id), the same normalised text, or SimHashes within
// NearDupDistance when both texts are long enough.
func (a *Fingerprint) Same(b *Fingerprint) bool {
	for _, k := range a.Keys {
		if containsSorted(b.Keys, k) {
			return true
		}
	}
	if a.Words > 0 && b.Words > 0 && a.Exact == b.Exact {
		return true
	}
	t := ImageThresholds()
	for _, x := range a.Images {
		for _, y := range b.Images {
			if t.Joins(x.Hash, x.Sig, y.Hash, y.Sig) {
				return true
			}
		}
	}
	return a.Shingles >= MinShingles && b.Shingles >= MinShingles &&
		bits.OnesCount64(a.SimHash^b.SimHash) <= NearDupDistance
}

var (
	reYouTube = regexp.MustCompile(`(?i)(?:youtube\.com/(?:watch\?(?:.*&)?v=|shorts/|embed/|live/)|youtu\.be/)([A-Za-z0-9_-]{6,20})`)
	reVKVideo = regexp.MustCompile(`(?i)vk(?:video)?\.(?:com|ru)/.*?(video-?\d+_\d+)`)
)

// videoKeys extracts platform video ids from a URL, so the same video shared or
// embedded anywhere joins one incident.
func videoKeys(u string) []string {
	var out []string
	if m := reYouTube.FindStringSubmatch(u); m != nil {
		out = append(out, "yt:"+m[1])
	}
	if m := reVKVideo.FindStringSubmatch(u); m != nil {
		out = append(out, "vk:"+strings.ToLower(m[1]))
	}
	return out
}

// CanonicalURL reduces a URL (or a bare "t.me/src/12") to host+path without scheme,
// "www.", query, fragment or trailing slash, lower-casing the host. Unparsable input
// gives "".
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	return host + strings.TrimRight(u.EscapedPath(), "/")
}

func hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	// fnv's low bits mix poorly for short inputs; finalise with a 64-bit mixer.
	x := h.Sum64()
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
