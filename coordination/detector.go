package coordination

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kuzot/kuzot/post"
)

// Errors returned by Observe. A rejected post leaves the detector unchanged; the caller
// acknowledges it (it can never be paired) and counts it.
var (
	// ErrInvalidObservation wraps post.ErrInvalid: no id, no author or channel, no time.
	ErrInvalidObservation = fmt.Errorf("coordination: %w", post.ErrInvalid)
	// ErrTooLate marks a post older than the newest post seen minus Params.Lateness:
	// the actions it could pair with have expired.
	ErrTooLate = errors.New("coordination: post arrived later than the allowed lateness")
	// ErrFuture marks a post dated more than maxFutureSkew after its collection time
	// (or the clock): accepting it would move event time forward and expire all state.
	ErrFuture = errors.New("coordination: post is dated in the future")
)

// maxFutureSkew tolerates clock differences between platforms and kuzot.
const maxFutureSkew = time.Hour

// maxScanBytes caps the text scanned for links and tokens per post.
const maxScanBytes = 64 << 10

// Observation is one post handed to the detector, with what other stages know about it.
type Observation struct {
	Post post.Post
	// Frames are the narrative frames the narrative classifier found in the post (its
	// Labels), when the caller has them; clusters report how often each occurs.
	Frames []string
	// AccountCreatedAt is the author's account creation time when the source gives it
	// (zero when unknown); it becomes the account_age_days signal.
	AccountCreatedAt time.Time
}

// Stats are counters and sizes for metrics and capacity planning.
type Stats struct {
	Posts         int64 // observations accepted
	Rejected      int64 // observations rejected (invalid, too late, future)
	TooLate       int64 // of which too late
	Pairs         int64 // distinct (account pair, object) co-actions counted
	CappedActions int64 // actions on hot objects that produced no pairs
	HotObjects    int64 // objects that went hot
	Accounts      int   // accounts in state
	Buckets       int   // objects in the window
	Texts         int   // texts in the near-duplicate index
	Edges         int   // account pairs with weight >= 1
	StrongEdges   int   // account pairs that pass MinWeight and MinAffinity
	PrunedEdges   int64 // weak pairs pruned to stay within MaxPairs
	Watermark     time.Time
}

// Behaviour names, as they appear in Cluster.Behaviours.
const (
	BehaviourCoLink  = "co_link"
	BehaviourCoReply = "co_reply"
	BehaviourCoText  = "co_text"
	// BehaviourCoHashtag is hashtag synchrony: the same set of two or more hashtags
	// within Window (campaigns post Kyrgyz and Russian versions with the same tags).
	BehaviourCoHashtag = "co_hashtag"
)

type objKind uint8

const (
	kindLink objKind = iota + 1
	kindForward
	kindReply
	kindText
	kindTag
)

// behaviour bits of an edge
const (
	bitLink  uint8 = 1
	bitReply uint8 = 2
	bitText  uint8 = 4
	bitTag   uint8 = 8
)

func (k objKind) bit() uint8 {
	switch k {
	case kindLink, kindForward:
		return bitLink
	case kindReply:
		return bitReply
	case kindTag:
		return bitTag
	default:
		return bitText
	}
}

func behaviourNames(bits uint8) []string {
	out := []string{}
	if bits&bitLink != 0 {
		out = append(out, BehaviourCoLink)
	}
	if bits&bitReply != 0 {
		out = append(out, BehaviourCoReply)
	}
	if bits&bitText != 0 {
		out = append(out, BehaviourCoText)
	}
	if bits&bitTag != 0 {
		out = append(out, BehaviourCoHashtag)
	}
	return out
}

// ringSize is how many recent coordinated posts an account remembers as evidence.
const ringSize = 32

// coPost is a post of an account that took part in a co-action.
type coPost struct {
	id     string
	t      int64
	obj    uint64
	frames []string
}

// account holds one account's signals and recent coordinated posts.
type account struct {
	name            string
	posts, dupPosts int
	capped          int
	coacts          float64 // actions that produced pairs, decayed over Horizon
	coactsT         int64
	first, last     int64
	gapN            int
	gapMean, gapM2  float64
	created         int64
	ring            []coPost
	head            int
	// slots are the 10-minute slots (unix/600) in which the account co-acted, sorted,
	// within the horizon (at most maxSlots): the cluster's burst timeline.
	slots []uint32
}

// bucketEntry is one account's latest action on an object.
type bucketEntry struct {
	acct   uint32
	t      int64
	post   string
	frames []string
	paired bool // the action has produced at least one pair
}

// bucket holds the recent actions on one object.
type bucket struct {
	entries []bucketEntry
	hot     bool
	last    int64
}

// edge is the co-action record of one account pair.
type edge struct {
	weight      uint32
	bits        uint8
	strong      bool  // passes MinWeight and MinAffinity (is in the strong adjacency)
	n           uint8 // objects recorded (saturates)
	first, last int64
	objs        [4]uint64 // most recent distinct objects, for dedup and evidence
}

// objInfo describes an object that produced at least one pair, for evidence.
type objInfo struct {
	kind    objKind
	display string
	hot     bool
	last    int64
}

type exactEntry struct {
	groups [maxTextGroups]uint64
	n      uint8
	t      int64
}

// Detector is the streaming coordination detector. It is safe for concurrent use; one
// Detector serves one stream (one consumer), so that event time is monotone.
type Detector struct {
	mu     sync.Mutex
	p      Params
	digest string
	clock  func() time.Time
	redact func(string) string
	// noFold and noTags switch off transliteration folding and hashtag synchrony
	// (WithoutFolding, WithoutHashtags), for measuring what each catches.
	noFold, noTags bool

	win, textWin, late, horizon int64 // seconds
	started                     bool
	watermark                   int64
	nextSweep, nextEdgeSweep    int64

	names   map[string]uint32
	acct    map[uint32]*account
	nextID  uint32
	buckets map[uint64]*bucket
	exact   map[uint64]exactEntry
	lsh     *lshIndex
	edges   map[uint64]edge
	strong  map[uint32][]uint32
	// ties lists every account's pair partners (weight >= 1), for the periphery of
	// clusters (see periphery). It is appended to as pairs appear and rebuilt from
	// edges after expiry and pruning, so it may name pairs that are gone.
	ties    map[uint32][]uint32
	objs    map[uint64]*objInfo
	dirty   map[uint32]struct{}
	cluster map[uint32]string

	stats       Stats
	lastVersion uint64

	// scratch buffers, reused across posts
	set, keys []uint64
	postObjs  []postObj
	tags      []string
	groups    []uint64
	sims      []groupSim
	// textPartners are the accounts a post has paired with through one of its text
	// groups: a text that bridges several groups counts once per partner.
	textPartners []uint32
}

type postObj struct {
	key     uint64
	kind    objKind
	display string
}

// Option configures a Detector.
type Option func(*Detector)

// WithClock sets the wall clock used to reject posts dated in the future when they carry
// no collection time (default time.Now). Tests inject a fixed clock.
func WithClock(now func() time.Time) Option { return func(d *Detector) { d.clock = now } }

// WithRedactor sets a function applied to every evidence text before it is kept for a
// cluster (Cluster.Texts, Evidence.Objects), and used to check shared links, reply
// targets and forward sources (RedactLink). Copypasta can carry a victim's personal
// data and a cluster can share a victim's profile link; the pipeline passes the
// exposure classifier's redaction here so that stored and displayed evidence is
// redacted by default. The default keeps texts and links as they are.
func WithRedactor(redact func(string) string) Option {
	return func(d *Detector) { d.redact = redact }
}

// WithoutFolding switches off the cross-script folding of co_text tokens (Cyrillic and
// Latin spellings of a word are then different tokens). For measurements; the default
// folds.
func WithoutFolding() Option { return func(d *Detector) { d.noFold = true } }

// WithoutHashtags switches off hashtag synchrony (co_hashtag). For measurements; the
// default pairs accounts posting the same hashtag set within Window.
func WithoutHashtags() Option { return func(d *Detector) { d.noTags = true } }

// NewDetector validates p and returns an empty detector.
func NewDetector(p Params, opts ...Option) (*Detector, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	d := &Detector{
		p: p, digest: p.Digest(), clock: time.Now,
		win: int64(p.Window / time.Second), textWin: int64(p.textWindow() / time.Second),
		late: int64(p.Lateness / time.Second), horizon: int64(p.Horizon / time.Second),
		names: map[string]uint32{}, acct: map[uint32]*account{}, buckets: map[uint64]*bucket{},
		exact: map[uint64]exactEntry{}, lsh: newLSH(p.LSHBands, p.LSHRows), edges: map[uint64]edge{},
		strong: map[uint32][]uint32{}, ties: map[uint32][]uint32{}, objs: map[uint64]*objInfo{}, dirty: map[uint32]struct{}{},
		cluster: map[uint32]string{},
	}
	for _, o := range opts {
		o(d)
	}
	return d, nil
}

// Params returns the parameters the detector runs with.
func (d *Detector) Params() Params { return d.p }

// Stats returns current counters and state sizes.
func (d *Detector) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.stats
	s.Accounts, s.Buckets, s.Texts, s.Edges = len(d.acct), len(d.buckets), len(d.lsh.entries), len(d.edges)
	n := 0
	for _, l := range d.strong {
		n += len(l)
	}
	s.StrongEdges = n / 2
	if d.started {
		s.Watermark = time.Unix(d.watermark, 0).UTC()
	}
	return s
}

// actorKey names the account of a post: "<source>:<author>", the channel when the
// author is unknown (channel posts), without the source prefix when there is none
// (exports from other tools).
func actorKey(p *post.Post) string {
	who := p.Author
	if who == "" {
		who = p.Channel
	}
	if who == "" {
		return ""
	}
	who = strings.ToValidUTF8(who, "\uFFFD")
	if len(who) > 512 {
		who = who[:512]
		for !utf8.ValidString(who) {
			who = who[:len(who)-1]
		}
	}
	if p.Source == "" {
		return who
	}
	return p.Source + ":" + who
}

// Observe adds one post to the detector. It returns ErrInvalidObservation, ErrTooLate or
// ErrFuture (wrapped with the post id) for posts it cannot use; the detector state is
// then unchanged. Clusters are reported by Flush.
func (d *Detector) Observe(o Observation) error { return d.observe(o, false) }

// Rebuild adds a post that a loaded state (Load) already counted: it rebuilds the
// window state (objects and texts of the last ReplayMargin, which Save does not keep)
// so that later posts pair with it, without counting its pairs, co-actions or account
// signals a second time. After Load, pass the posts from ReplayMargin before the saved
// point up to the last post the state includes to Rebuild, and the ones after to
// Observe. It rejects the same posts as Observe.
func (d *Detector) Rebuild(o Observation) error { return d.observe(o, true) }

func (d *Detector) observe(o Observation, rebuild bool) error {
	p := &o.Post
	who := actorKey(p)
	switch {
	case p.ID == "":
		return d.reject(fmt.Errorf("%w: empty id", ErrInvalidObservation))
	case who == "":
		return d.reject(fmt.Errorf("%w: %s: no author or channel", ErrInvalidObservation, p.ID))
	case p.PublishedAt.IsZero():
		return d.reject(fmt.Errorf("%w: %s: missing published_at", ErrInvalidObservation, p.ID))
	}
	ref := d.clock()
	if !p.CollectedAt.IsZero() {
		ref = p.CollectedAt
	}
	if p.PublishedAt.After(ref.Add(maxFutureSkew)) {
		return d.reject(fmt.Errorf("%w: %s published %s", ErrFuture, p.ID, p.PublishedAt.UTC().Format(time.RFC3339)))
	}
	t := p.PublishedAt.Unix()

	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started && t < d.watermark-d.late {
		d.stats.Rejected++
		d.stats.TooLate++
		return fmt.Errorf("%w: %s is %v behind the newest post", ErrTooLate, p.ID, time.Duration(d.watermark-t)*time.Second)
	}
	if !d.started {
		d.started, d.watermark = true, t
		d.nextSweep, d.nextEdgeSweep = t+d.sweepEvery(), t+d.edgeSweepEvery()
	}
	if t > d.watermark {
		d.watermark = t
	}
	d.sweep()
	id, a := d.account(who)
	if rebuild {
		if a.posts == 0 { // expired since the save, or a state without it
			a.first, a.last = t, t
		}
		d.collectObjects(p, a, t, true)
		for _, ob := range d.postObjs {
			d.rebuildAct(id, ob, t, p.ID, o.Frames)
		}
		return nil
	}
	d.stats.Posts++
	a.posts++
	switch {
	case a.posts == 1:
		a.first, a.last = t, t
	case t < a.first:
		a.first = t
	case t > a.last:
		d.gap(a, float64(t-a.last))
		a.last = t
	}
	if !o.AccountCreatedAt.IsZero() {
		a.created = o.AccountCreatedAt.Unix()
	}

	d.collectObjects(p, a, t, false)
	d.textPartners = d.textPartners[:0]
	for _, ob := range d.postObjs {
		d.act(id, a, ob, t, p.ID, o.Frames)
	}
	return nil
}

func (d *Detector) reject(err error) error {
	d.mu.Lock()
	d.stats.Rejected++
	d.mu.Unlock()
	return err
}

// gap updates the running mean and variance of an account's inter-post gaps (Welford).
func (d *Detector) gap(a *account, g float64) {
	a.gapN++
	delta := g - a.gapMean
	a.gapMean += delta / float64(a.gapN)
	a.gapM2 += delta * (g - a.gapMean)
}

func (d *Detector) account(name string) (uint32, *account) {
	if id, ok := d.names[name]; ok {
		return id, d.acct[id]
	}
	d.nextID++
	id := d.nextID
	a := &account{name: name}
	d.names[name] = id
	d.acct[id] = a
	return id, a
}

// collectObjects fills d.postObjs with the distinct objects of a post.
func (d *Detector) collectObjects(p *post.Post, a *account, t int64, rebuild bool) {
	d.postObjs = d.postObjs[:0]
	text := p.Text
	if len(text) > maxScanBytes {
		text = text[:maxScanBytes]
	}
	spans := linkSpans(text)
	d.linkObjects(p, text, spans)
	if d.tags = hashtags(text, d.tags); len(d.tags) >= 2 && !d.noTags {
		d.addObj(kindTag, "#"+strings.Join(d.tags, " #"))
	}
	tk := tokenizeFold(text, spans, d.set, !d.noFold)
	d.set = tk.set
	if tk.n < d.p.MinTextTokens {
		return
	}
	groups, dup := d.textGroups(tk, t)
	if dup && !rebuild {
		a.dupPosts++
	}
	for _, g := range groups {
		d.postObjs = append(d.postObjs, postObj{key: mix64(g ^ 0x7465787400000000), kind: kindText, display: text})
	}
}

// linkObjects adds the co_link and co_reply objects of a post: links in its text and
// url, its forwarded source and its reply target.
func (d *Detector) linkObjects(p *post.Post, text string, spans [][]int) {
	for _, sp := range spans {
		if l, ok := CanonicalLink(text[sp[0]:sp[1]]); ok {
			d.addObj(kindLink, l)
		}
	}
	if p.URL != "" {
		if l, ok := CanonicalLink(p.URL); ok {
			d.addObj(kindLink, l)
		}
	}
	if p.ForwardedFrom != "" {
		d.addObj(kindForward, strings.ToValidUTF8(p.ForwardedFrom, "\uFFFD"))
	}
	if p.ReplyTo != "" {
		d.addObj(kindReply, strings.ToValidUTF8(p.ReplyTo, "\uFFFD"))
	}
}

func (d *Detector) addObj(k objKind, key string) {
	h := mix64(fnv1a64(key) ^ uint64(k)<<56)
	for _, o := range d.postObjs {
		if o.key == h {
			return
		}
	}
	d.postObjs = append(d.postObjs, postObj{key: h, kind: k, display: key})
}

// textGroups returns the text groups of a tokenised text (its own first, then up to
// maxTextGroups-1 more it bridges, see lshIndex.matchAll) in d.groups, and whether the
// text copies a text seen within the text window (exactly or as a near duplicate).
func (d *Detector) textGroups(tk tokens, t int64) ([]uint64, bool) {
	d.groups = d.groups[:0]
	if e, ok := d.exact[tk.exact]; ok && abs64(e.t-t) <= d.textWin {
		if t > e.t {
			e.t = t
			d.exact[tk.exact] = e
		}
		d.groups = append(d.groups, e.groups[:e.n]...)
		return d.groups, true
	}
	d.keys = d.lsh.signature(tk.set, d.keys)
	d.sims = d.lsh.matchAll(tk.set, d.keys, t, d.textWin, d.p.Similarity, d.sims)
	for _, g := range d.sims {
		d.groups = append(d.groups, g.group)
	}
	found := len(d.groups) > 0
	if !found {
		d.groups = append(d.groups, tk.exact)
	}
	e := exactEntry{t: t, n: uint8(len(d.groups))}
	copy(e.groups[:], d.groups)
	d.exact[tk.exact] = e
	d.lsh.add(d.groups[0], t, tk.set, d.keys)
	return d.groups, found
}

// act records one action of account id on object ob and pairs it with the other
// accounts' actions still in the object's bucket.
func (d *Detector) act(id uint32, a *account, ob postObj, t int64, postID string, frames []string) {
	w := d.win
	if ob.kind == kindText {
		w = d.textWin
	}
	b := d.buckets[ob.key]
	if b == nil {
		b = &bucket{}
		d.buckets[ob.key] = b
	}
	if t > b.last {
		b.last = t
	}
	if b.hot {
		d.stats.CappedActions++
		a.capped++
		return
	}
	live, self := 0, -1
	for i := range b.entries {
		e := &b.entries[i]
		if e.acct == id {
			self = i
			continue
		}
		if abs64(e.t-t) <= w {
			live++
		}
	}
	if live >= d.p.MaxObjectActors {
		// Hot object: one more account than the cap inside one window. No pairs from
		// now on until the object falls out of the window.
		b.hot, b.entries = true, nil
		d.stats.HotObjects++
		d.stats.CappedActions++
		a.capped++
		d.info(ob, t).hot = true
		return
	}
	paired := false
	bit := ob.kind.bit()
	for i := range b.entries {
		e := &b.entries[i]
		if e.acct == id || abs64(e.t-t) > w {
			continue
		}
		if ob.kind == kindText {
			if slices.Contains(d.textPartners, e.acct) {
				continue
			}
			d.textPartners = append(d.textPartners, e.acct)
		}
		if !e.paired {
			if pa := d.acct[e.acct]; pa != nil {
				d.coact(pa, e.t)
			}
		}
		if !paired {
			d.coact(a, t)
		}
		if d.pair(id, e.acct, ob.key, bit, t, e.t) {
			paired = true
			e.paired = true
			if pa := d.acct[e.acct]; pa != nil {
				notePost(pa, coPost{id: e.post, t: e.t, obj: ob.key, frames: e.frames})
				noteSlot(pa, e.t)
			}
		}
	}
	if paired {
		notePost(a, coPost{id: postID, t: t, obj: ob.key, frames: frames})
		noteSlot(a, t)
		d.info(ob, t)
	}
	switch {
	case self >= 0:
		if t >= b.entries[self].t {
			b.entries[self] = bucketEntry{acct: id, t: t, post: postID, frames: frames, paired: paired}
		}
	case len(b.entries) < d.p.MaxObjectActors:
		b.entries = append(b.entries, bucketEntry{acct: id, t: t, post: postID, frames: frames, paired: paired})
	default:
		oldest := 0
		for i := range b.entries {
			if b.entries[i].t < b.entries[oldest].t {
				oldest = i
			}
		}
		b.entries[oldest] = bucketEntry{acct: id, t: t, post: postID, frames: frames, paired: paired}
	}
}

// rebuildAct puts one action of a post the loaded state already counted into its
// object's bucket (Rebuild): later actions pair with it, it pairs with nothing itself.
func (d *Detector) rebuildAct(id uint32, ob postObj, t int64, postID string, frames []string) {
	w := d.win
	if ob.kind == kindText {
		w = d.textWin
	}
	b := d.buckets[ob.key]
	if b == nil {
		b = &bucket{}
		d.buckets[ob.key] = b
	}
	b.last = max(b.last, t)
	if b.hot {
		return
	}
	live, self := 0, -1
	for i := range b.entries {
		e := &b.entries[i]
		if e.acct == id {
			self = i
			continue
		}
		if abs64(e.t-t) <= w {
			live++
			e.paired = true // it paired with this action when the state was counted
		}
	}
	if live >= d.p.MaxObjectActors {
		b.hot, b.entries = true, nil
		return
	}
	ent := bucketEntry{acct: id, t: t, post: postID, frames: frames, paired: live > 0}
	switch {
	case self >= 0:
		if t >= b.entries[self].t {
			b.entries[self] = ent
		}
	case len(b.entries) < d.p.MaxObjectActors:
		b.entries = append(b.entries, ent)
	default:
		oldest := 0
		for i := range b.entries {
			if b.entries[i].t < b.entries[oldest].t {
				oldest = i
			}
		}
		b.entries[oldest] = ent
	}
}

// info returns (creating) the evidence record of an object.
func (d *Detector) info(ob postObj, t int64) *objInfo {
	oi := d.objs[ob.key]
	if oi == nil {
		disp := ob.display
		if ob.kind == kindText {
			if len(disp) > 4096 {
				disp = truncateBytes(disp, 4096)
			}
			disp = strings.TrimSpace(strings.ToValidUTF8(disp, "\uFFFD"))
			if d.redact != nil {
				disp = d.redact(disp)
			}
			disp = truncateRunes(disp, 280)
		} else if ob.kind == kindForward {
			disp = "forward:" + RedactLink(truncateRunes(disp, 512), d.redact)
		} else {
			// Links and reply targets: a victim's profile link shared by a cluster is
			// personal data too.
			disp = RedactLink(truncateRunes(disp, 512), d.redact)
		}
		oi = &objInfo{kind: ob.kind, display: disp}
		d.objs[ob.key] = oi
	}
	if t > oi.last {
		oi.last = t
	}
	return oi
}

// pair counts one co-action of accounts x and y on object obj, once per distinct object
// (among the pair's most recent objects). It reports whether the pair was new for obj.
func (d *Detector) pair(x, y uint32, obj uint64, bit uint8, tx, ty int64) bool {
	if x > y {
		x, y = y, x
	}
	key := uint64(x)<<32 | uint64(y)
	e := d.edges[key]
	n := min(int(e.n), len(e.objs))
	for i := 0; i < n; i++ {
		if e.objs[i] == obj {
			return false
		}
	}
	e.objs[int(e.n)%len(e.objs)] = obj
	if e.n < 255 {
		e.n++
	}
	lo, hi := min(tx, ty), max(tx, ty)
	if e.weight == 0 || lo < e.first {
		e.first = lo
	}
	if hi > e.last {
		e.last = hi
	}
	if e.weight == 0 {
		d.ties[x] = append(d.ties[x], y)
		d.ties[y] = append(d.ties[y], x)
	}
	e.weight++
	e.bits |= bit
	d.stats.Pairs++
	strong := d.isStrong(e.weight, x, y, max(tx, ty))
	switch {
	case strong && !e.strong:
		d.strong[x] = append(d.strong[x], y)
		d.strong[y] = append(d.strong[y], x)
	case !strong && e.strong:
		d.unlink(x, y)
	}
	switch sx, sy := len(d.strong[x]) > 0, len(d.strong[y]) > 0; {
	case strong || e.strong:
		d.dirty[x], d.dirty[y] = struct{}{}, struct{}{}
	case sx && !sy:
		d.dirty[x] = struct{}{} // y may join x's cluster as periphery
	case sy && !sx:
		d.dirty[y] = struct{}{}
	}
	e.strong = strong
	d.edges[key] = e
	if len(d.edges) > d.p.MaxPairs {
		d.prune()
	}
	return true
}

// isStrong applies MinWeight and MinAffinity to a pair's weight at time t. Affinity is
// the Salton (cosine) index of the pair's co-actions: weight / sqrt(cx*cy).
func (d *Detector) isStrong(w uint32, x, y uint32, t int64) bool {
	if int(w) < d.p.MinWeight {
		return false
	}
	if d.p.MinAffinity == 0 {
		return true
	}
	ax, ay := d.acct[x], d.acct[y]
	if ax == nil || ay == nil {
		return false
	}
	return float64(w) >= d.p.MinAffinity*math.Sqrt(d.decayed(ax, t)*d.decayed(ay, t))
}

// decayed is an account's co-action count at time t, decaying with time constant
// Horizon so that old activity stops diluting new affinities.
func (d *Detector) decayed(a *account, t int64) float64 {
	if t <= a.coactsT {
		return a.coacts
	}
	return a.coacts * math.Exp(-float64(t-a.coactsT)/float64(d.horizon))
}

// coact counts one more action of a that produced pairs.
func (d *Detector) coact(a *account, t int64) {
	a.coacts = d.decayed(a, t) + 1
	if t > a.coactsT {
		a.coactsT = t
	}
}

// unlink removes a strong edge from the adjacency.
func (d *Detector) unlink(x, y uint32) {
	d.strong[x] = removeID(d.strong[x], y)
	d.strong[y] = removeID(d.strong[y], x)
	if len(d.strong[x]) == 0 {
		delete(d.strong, x)
	}
	if len(d.strong[y]) == 0 {
		delete(d.strong, y)
	}
}

// notePost remembers a coordinated post of an account (bounded ring, no duplicates).
func notePost(a *account, c coPost) {
	for i := range a.ring {
		if a.ring[i].id == c.id && a.ring[i].obj == c.obj {
			return
		}
	}
	if len(a.ring) < ringSize {
		a.ring = append(a.ring, c)
		return
	}
	a.ring[a.head] = c
	a.head = (a.head + 1) % ringSize
}

// sweepEvery is the event-time interval between window sweeps: a quarter of the longer
// window, so state outlives its window by at most that much.
func (d *Detector) sweepEvery() int64 { return max(max(d.win, d.textWin)/4, 1) }

// sweep expires window state, and edges and accounts past the horizon. It runs when
// event time has advanced by a quarter window (edges: by Horizon/8), so its cost is
// amortised over the posts of that interval.
func (d *Detector) sweep() {
	if d.watermark >= d.nextSweep {
		d.nextSweep = d.watermark + d.sweepEvery()
		cut := d.watermark - max(d.win, d.textWin) - d.late
		for k, b := range d.buckets {
			if b.last < cut {
				delete(d.buckets, k)
				continue
			}
			if b.hot {
				continue
			}
			out := b.entries[:0]
			for _, e := range b.entries {
				if e.t >= cut {
					out = append(out, e)
				}
			}
			clear(b.entries[len(out):])
			b.entries = out
		}
		tcut := d.watermark - d.textWin - d.late
		for k, e := range d.exact {
			if e.t < tcut {
				delete(d.exact, k)
			}
		}
		d.lsh.expire(tcut)
	}
	if d.watermark >= d.nextEdgeSweep {
		d.nextEdgeSweep = d.watermark + d.edgeSweepEvery()
		cut := d.watermark - d.horizon
		for k, e := range d.edges {
			if e.last >= cut {
				continue
			}
			delete(d.edges, k)
			if e.strong {
				x, y := uint32(k>>32), uint32(k)
				d.unlink(x, y)
				d.dirty[x], d.dirty[y] = struct{}{}, struct{}{}
			}
		}
		for k, o := range d.objs {
			if o.last < cut {
				delete(d.objs, k)
			}
		}
		d.rebuildTies()
		for id, a := range d.acct {
			trimRing(a, cut)
			trimSlots(a, cut)
			if a.last >= cut || len(d.strong[id]) > 0 {
				continue
			}
			delete(d.acct, id)
			delete(d.names, a.name)
			delete(d.cluster, id)
			delete(d.dirty, id)
		}
	}
}

// trimRing drops evidence posts older than cut, so a cluster's posts are those of the
// last Horizon and long-lived accounts do not carry stale evidence.
func trimRing(a *account, cut int64) {
	if len(a.ring) == 0 {
		return
	}
	// Restore time order (the ring's head is its oldest entry once full), then keep
	// the recent part.
	if a.head != 0 {
		a.ring = slices.Concat(a.ring[a.head:], a.ring[:a.head])
		a.head = 0
	}
	keep := a.ring[:0]
	for _, p := range a.ring {
		if p.t >= cut {
			keep = append(keep, p)
		}
	}
	clear(a.ring[len(keep):])
	a.ring = keep
	if len(a.ring) == 0 {
		a.ring = nil
	}
}

func removeID(l []uint32, id uint32) []uint32 {
	for i, x := range l {
		if x == id {
			l[i] = l[len(l)-1]
			return l[:len(l)-1]
		}
	}
	return l
}

// Restore gives the accounts of previously reported active clusters their cluster ids,
// so that after a restart (detector state is in memory) a network that is detected
// again keeps its id instead of appearing as a new cluster. Pass the active clusters of
// the last Horizon, for example from Store.RecentClusters. Accounts unseen for Horizon
// after c.Last expire as usual.
func (d *Detector) Restore(cs []Cluster) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range cs {
		if c.Status == StatusMerged || c.ID == "" {
			continue
		}
		for _, name := range c.Accounts {
			if name == "" {
				continue
			}
			id, a := d.account(name)
			if a.posts == 0 {
				a.first, a.last = c.Last.Unix(), c.Last.Unix()
			}
			d.cluster[id] = c.ID
		}
	}
}
