package tipline

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/post"
)

// Tip kinds (post.Tip.Kind).
const (
	KindSMS        = "sms"
	KindForward    = "forward"
	KindScreenshot = "screenshot"
	KindLink       = "link"
)

// Tip is one submission, already stripped of who sent it.
type Tip struct {
	Kind string
	// Text is the SMS text, the forwarded text or the caption.
	Text string
	// SMSSender is the SMS sender ID given on a "From: …" first line (personal numbers masked).
	SMSSender string
	// Links found in the text (entities and bare URLs).
	Links []string
	// Media are photo and document references ("tg-file:<file_id>").
	Media []post.Media
	// ImageKey identifies an image across forwards (Telegram's file_unique_id).
	ImageKey string
	// Origin of a forward.
	OriginChannel, OriginTitle, OriginURL string
	OriginDate                            time.Time
	// OriginKey identifies the forwarded public post ("<channel>/<message id>").
	OriginKey string
	// At is when the reporter sent it.
	At time.Time
}

var (
	urlRe = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"']+|\bt\.me/[A-Za-z0-9_/+-]+`)
	// senderLineRe reads an SMS sender ID given as the first line: "From: KG-INFO",
	// "От: 0555", "Отправитель - Info", "Жөнөтүүчү: X", "Sender: X".
	senderLineRe = regexp.MustCompile(`(?i)^\s*(from|sender|от|отправитель|жөнөтүүчү|кимден)\s*[:\-–]\s*(\S.{0,39})\s*$`)
	// phoneLike is a personal number: 6+ digits, with or without +, spaces and dashes.
	phoneLike = regexp.MustCompile(`^\+?[\d\s\-()]{6,}$`)
)

// maxLinkCommentWords: a message with a link and at most this many other words is a
// link tip (the member's comment); a longer text with a link is an SMS (bulk SMS often
// carry links) unless it was forwarded or carries an image.
const maxLinkCommentWords = 12

// ExtractTip turns a message into a tip. ok is false when there is nothing to keep
// (an empty message, a sticker, a service message).
func ExtractTip(m *Message) (Tip, bool) {
	t := Tip{At: time.Unix(m.Date, 0).UTC()}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	if o := m.ForwardOrigin; o != nil {
		t.Kind = KindForward
		if o.Date > 0 {
			t.OriginDate = time.Unix(o.Date, 0).UTC()
		}
		src := o.Chat
		if src == nil {
			src = o.Sender
		}
		switch {
		case src != nil:
			t.OriginTitle, t.OriginChannel = src.Title, src.Username
			if src.Username != "" && o.MessageID > 0 {
				t.OriginKey = src.Username + "/" + strconv.FormatInt(o.MessageID, 10)
				t.OriginURL = "https://t.me/" + t.OriginKey
			}
		case o.Type == "user" || o.Type == "hidden_user":
			t.OriginTitle = "a private account" // never the person's name
		}
	} else if m.ForwardFromChat != nil || m.ForwardDate > 0 {
		t.Kind = KindForward
		if m.ForwardDate > 0 {
			t.OriginDate = time.Unix(m.ForwardDate, 0).UTC()
		}
		if c := m.ForwardFromChat; c != nil {
			t.OriginTitle, t.OriginChannel = c.Title, c.Username
			if c.Username != "" && m.ForwardFromMessageID > 0 {
				t.OriginKey = c.Username + "/" + strconv.FormatInt(m.ForwardFromMessageID, 10)
				t.OriginURL = "https://t.me/" + t.OriginKey
			}
		} else {
			t.OriginTitle = "a private account"
		}
	}
	if len(m.Photo) > 0 {
		big := m.Photo[len(m.Photo)-1]
		t.Media = append(t.Media, post.Media{Kind: "photo", URL: "tg-file:" + big.FileID})
		t.ImageKey = big.FileUniqueID
	}
	if d := m.Document; d != nil && d.FileID != "" {
		kind := "document"
		if strings.HasPrefix(d.MimeType, "image/") {
			kind = "photo"
			if t.ImageKey == "" {
				t.ImageKey = d.FileUniqueID
			}
		}
		t.Media = append(t.Media, post.Media{Kind: kind, URL: "tg-file:" + d.FileID})
	}
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if t.Kind != KindForward {
		if first, rest, ok := strings.Cut(text, "\n"); ok || text != "" {
			if mm := senderLineRe.FindStringSubmatch(first); mm != nil {
				t.SMSSender = maskSender(mm[2])
				if ok {
					text = strings.TrimSpace(rest)
				} else {
					text = ""
				}
			}
		}
	}
	t.Text = text
	t.Links = links(text, ents)
	switch {
	case t.Kind == KindForward:
	case t.ImageKey != "":
		t.Kind = KindScreenshot
	case len(t.Links) > 0 && len(strings.Fields(urlRe.ReplaceAllString(text, ""))) <= maxLinkCommentWords && t.SMSSender == "":
		t.Kind = KindLink
	default:
		t.Kind = KindSMS
	}
	if t.Text == "" && len(t.Media) == 0 && len(t.Links) == 0 {
		return Tip{}, false
	}
	return t, true
}

// maskSender keeps operator short codes and alphanumeric sender names (public) and masks
// a personal number down to its first four characters, as exposures are redacted.
func maskSender(s string) string {
	s = strings.TrimSpace(s)
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if phoneLike.MatchString(s) && digits >= 7 {
		keep := 4
		if strings.HasPrefix(s, "+") {
			keep = 4 // "+996"
		}
		r := []rune(s)
		if len(r) < keep {
			keep = len(r)
		}
		return string(r[:keep]) + strings.Repeat("•", 6)
	}
	return s
}

// links returns the URLs of url/text_link entities (offsets in UTF-16 units) and bare
// URLs of the text, deduplicated in order.
func links(text string, ents []MessageEntity) []string {
	var out []string
	add := func(u string) {
		u = strings.TrimRight(u, ".,;:!?)»\"'")
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	u16 := utf16.Encode([]rune(text))
	for _, e := range ents {
		switch e.Type {
		case "text_link":
			add(e.URL)
		case "url":
			if e.Offset >= 0 && e.Length > 0 && e.Offset+e.Length <= len(u16) {
				add(string(utf16.Decode(u16[e.Offset : e.Offset+e.Length])))
			}
		}
	}
	for _, u := range urlRe.FindAllString(text, -1) {
		add(u)
	}
	return out
}

// linkKey makes equivalent links equal, with the rule the coordination detector uses
// for co_link (no scheme, www./m., tracking parameters or trailing slash; youtu.be
// expanded; query sorted), so a link tip and a shared link name one object.
func linkKey(raw string) string {
	if k, ok := coordination.CanonicalLink(raw); ok {
		return k
	}
	return strings.ToLower(raw)
}

// Words returns the normalised word set of a text: lower case, digits folded to 0,
// punctuation and links dropped, one-letter words dropped, sorted hashes. Two SMS of one
// campaign that differ in a name, a number or punctuation share most of it.
func Words(text string) []uint32 {
	text = urlRe.ReplaceAllString(text, " ")
	set := map[uint32]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return '0'
			}
			return r
		}, w)
		if len([]rune(w)) < 2 {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(w))
		set[h.Sum32()] = true
	}
	out := make([]uint32, 0, len(set))
	for h := range set {
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

// Jaccard is |a∩b| / |a∪b| of two sorted word sets.
func Jaccard(a, b []uint32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	i, j, inter := 0, 0, 0
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
	union := len(a) + len(b) - inter
	return float64(inter) / float64(union)
}

// ExactKey is what identifies a tip exactly: the forwarded public post, the image, the
// link, or the normalised words of the text.
func (t Tip) ExactKey() string {
	switch {
	case t.OriginKey != "":
		return "post:" + strings.ToLower(t.OriginKey)
	case t.ImageKey != "":
		return "image:" + t.ImageKey
	case t.Kind == KindLink && len(t.Links) > 0:
		return "link:" + linkKey(t.Links[0])
	}
	ws := Words(t.Text)
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.FormatUint(uint64(w), 36)
	}
	return "text:" + strings.Join(parts, ".")
}

// textual reports whether near-duplicates are looked for by words (SMS and forwards
// without a public origin); images, links and public posts match exactly.
func (t Tip) textual() bool {
	return t.OriginKey == "" && t.ImageKey == "" && t.Kind != KindLink && len(Words(t.Text)) >= 3
}

// Fingerprint is the campaign id of an exact key: 16 hex digits of its SHA-256.
func Fingerprint(exactKey string) string {
	h := sha256.Sum256([]byte(exactKey))
	return hex.EncodeToString(h[:8])
}

// ReporterHash is the keyed hash that stands for a reporter inside one organisation:
// HMAC-SHA256 over the organisation and the Telegram (or e-mail) identity. Without the
// key it cannot be reversed or matched; two organisations get unrelated hashes for one
// person.
func ReporterHash(key []byte, org, identity string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kuzot-tipline-reporter\x00"))
	m.Write([]byte(org))
	m.Write([]byte{0})
	m.Write([]byte(identity))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Campaign is the merged record of near-identical tips, kept in the collector state under
// "tipline/campaign/<fingerprint>".
type Campaign struct {
	Fingerprint   string       `json:"fp"`
	Kind          string       `json:"kind"`
	Text          string       `json:"text"`
	SMSSender     string       `json:"sms_sender,omitempty"`
	Links         []string     `json:"links,omitempty"`
	Media         []post.Media `json:"media,omitempty"`
	OriginChannel string       `json:"origin_channel,omitempty"`
	OriginTitle   string       `json:"origin_title,omitempty"`
	OriginURL     string       `json:"origin_url,omitempty"`
	OriginDate    time.Time    `json:"origin_date,omitzero"`
	FirstSeen     time.Time    `json:"first_seen"`
	LastSeen      time.Time    `json:"last_seen"`
	Submissions   int          `json:"submissions"`
	Orgs          []string     `json:"orgs"`
	// Reporters are "<org>/<keyed hash>" of the reporters who did not ask to be forgotten.
	Reporters []string `json:"reporters"`
	// Times are the most recent submission times (for the burst count).
	Times     []time.Time `json:"times"`
	Withdrawn bool        `json:"withdrawn,omitempty"`
	// LinkedPost is the id of the collected public post the tips link to (fetch_links).
	LinkedPost string `json:"linked_post,omitempty"`
}

// maxTimes bounds Campaign.Times.
const maxTimes = 64

// Add counts a submission by reporter (org/hash); a repeat by the same reporter (or a
// replay of the same update after a restart) changes nothing and reports false.
func (c *Campaign) Add(t Tip, org, reporter string) bool {
	if slices.Contains(c.Reporters, reporter) {
		return false
	}
	c.Reporters = append(c.Reporters, reporter)
	c.Submissions++
	if !slices.Contains(c.Orgs, org) {
		c.Orgs = append(c.Orgs, org)
		sort.Strings(c.Orgs)
	}
	if c.FirstSeen.IsZero() {
		// Set once: it partitions the campaign's rows (tip_campaigns, posts), so every
		// version must keep it.
		c.FirstSeen = t.At
	}
	if t.At.After(c.LastSeen) {
		c.LastSeen = t.At
	}
	c.Times = append(c.Times, t.At)
	slices.SortFunc(c.Times, func(a, b time.Time) int { return a.Compare(b) })
	if len(c.Times) > maxTimes {
		c.Times = c.Times[len(c.Times)-maxTimes:]
	}
	if c.SMSSender == "" {
		c.SMSSender = t.SMSSender
	}
	for _, m := range t.Media {
		if !slices.Contains(c.Media, m) && len(c.Media) < 16 {
			c.Media = append(c.Media, m)
		}
	}
	return true
}

// Burst is the largest number of submissions inside any window of length w.
func (c *Campaign) Burst(w time.Duration) int {
	best, j := 0, 0
	for i := range c.Times {
		for c.Times[i].Sub(c.Times[j]) > w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// Post renders the campaign as the one post that stands for all its submissions.
func (c *Campaign) Post(now time.Time, burstWindow time.Duration, burstMin int, detect func(string) string) post.Post {
	burst := c.Burst(burstWindow)
	p := post.Post{
		ID:          "tipline:" + c.Fingerprint,
		Source:      Kind,
		Channel:     "tip:" + c.Kind,
		Author:      c.SMSSender,
		Text:        c.Text,
		PublishedAt: c.FirstSeen,
		CollectedAt: now,
		Views:       int64(c.Submissions),
		Media:       append([]post.Media(nil), c.Media...),
		Tip: &post.Tip{
			Kind: c.Kind, Fingerprint: c.Fingerprint, Submissions: c.Submissions, Orgs: append([]string{}, c.Orgs...),
			FirstSeen: c.FirstSeen, LastSeen: c.LastSeen, Burst: burst, Campaign: burst >= burstMin,
			SMSSender: c.SMSSender, OriginChannel: c.OriginChannel, OriginTitle: c.OriginTitle, OriginDate: c.OriginDate,
			Withdrawn: c.Withdrawn, LinkedPost: c.LinkedPost,
		},
	}
	if c.Kind == KindForward {
		p.Author = c.OriginTitle
		p.ForwardedFrom = c.OriginURL
		if p.ForwardedFrom == "" {
			p.ForwardedFrom = c.OriginTitle
		}
		p.URL = c.OriginURL
		if !c.OriginDate.IsZero() {
			p.PublishedAt = c.OriginDate
		}
	}
	for _, l := range c.Links {
		p.Media = append(p.Media, post.Media{Kind: "link", URL: l})
	}
	if c.Kind == KindLink && len(c.Links) > 0 {
		p.URL = c.Links[0]
	}
	label := map[string]string{KindSMS: "SMS", KindForward: "Forwarded message", KindScreenshot: "Screenshot", KindLink: "Link"}[c.Kind]
	p.Title = label + " tip · reported " + strconv.Itoa(c.Submissions) + "× by " + strconv.Itoa(len(c.Orgs)) + " organisation"
	if len(c.Orgs) != 1 {
		p.Title += "s"
	}
	if c.Withdrawn {
		p.Title = label + " tip · withdrawn by its reporter"
		p.Text, p.Media, p.URL, p.Author, p.ForwardedFrom, p.Tip.LinkedPost = "", nil, "", "", "", ""
	}
	if detect != nil {
		p.Lang = detect(p.Text)
	}
	p.Normalize()
	return p
}

// indexEntry is one campaign in the near-duplicate index ("tipline/index").
type indexEntry struct {
	Fingerprint string    `json:"fp"`
	Words       wordSet   `json:"w,omitempty"`
	Last        time.Time `json:"last"`
}

// sketchWords bounds the words kept per indexed text: the smallest hashes of the sorted
// set (a bottom-k sketch), so that a long forwarded post costs no more than an SMS.
const sketchWords = 32

// sketch returns the bottom-k sketch of a sorted word set.
func sketch(words []uint32) []uint32 {
	if len(words) > sketchWords {
		return words[:sketchWords]
	}
	return words
}

// wordSet is stored as base64 of little-endian uint32s: the index of every live
// campaign must fit one KV value (NATS' default max_payload is 1 MiB).
type wordSet []uint32

// MarshalJSON encodes the set compactly.
func (w wordSet) MarshalJSON() ([]byte, error) {
	b := make([]byte, 4*len(w))
	for i, v := range w {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return json.Marshal(base64.RawStdEncoding.EncodeToString(b))
}

// UnmarshalJSON decodes MarshalJSON's form.
func (w *wordSet) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 {
		return fmt.Errorf("word set: bad encoding")
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	*w = out
	return nil
}

// nearIndex lists the live campaigns with their last activity (for expiry) and, for
// texts, their word sets (to find the campaign a near-identical text belongs to).
type nearIndex struct {
	Entries []indexEntry `json:"entries"`
}

// match returns the fingerprint of the most similar indexed text at or above threshold.
func (x *nearIndex) match(words []uint32, threshold float64) (string, bool) {
	best, fp := 0.0, ""
	for _, e := range x.Entries {
		if e.Words == nil {
			continue
		}
		if s := Jaccard(words, e.Words); s >= threshold && s > best {
			best, fp = s, e.Fingerprint
		}
	}
	return fp, fp != ""
}

// touch adds or refreshes an entry (words nil for campaigns matched exactly only).
func (x *nearIndex) touch(fp string, words []uint32, at time.Time) {
	for i := range x.Entries {
		if x.Entries[i].Fingerprint == fp {
			if at.After(x.Entries[i].Last) {
				x.Entries[i].Last = at
			}
			return
		}
	}
	x.Entries = append(x.Entries, indexEntry{Fingerprint: fp, Words: words, Last: at})
}

// prune drops the entries last active before cutoff and, beyond max, the least recently
// active ones, returning their fingerprints: those campaigns are forgotten.
func (x *nearIndex) prune(cutoff time.Time, max int) []string {
	slices.SortStableFunc(x.Entries, func(a, b indexEntry) int { return b.Last.Compare(a.Last) })
	keep := len(x.Entries)
	for keep > 0 && (x.Entries[keep-1].Last.Before(cutoff) || keep > max) {
		keep--
	}
	var gone []string
	for _, e := range x.Entries[keep:] {
		gone = append(gone, e.Fingerprint)
	}
	x.Entries = x.Entries[:keep]
	return gone
}
