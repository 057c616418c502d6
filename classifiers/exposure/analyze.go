package exposure

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/post"
)

// Severity grades an exposure for alerting. The rules (Analyze applies them in order):
//
//	critical  outing of a person who is also exposed by an identifier (phone, address,
//	          number, ...), outing of a watch-listed member, or a watch-listed member
//	          exposed with any identifier;
//	high      outing (SOGI claim about a named private person) without identifiers; or
//	          exposure with a national id, passport or home/work address, or with two or
//	          more kinds of identifier;
//	medium    exposure with one identifier kind: phone, birth date, vehicle plate;
//	low       exposure with only an e-mail or social handle; or a watch-listed member
//	          named without any identifier or SOGI claim (not exposed, but worth a look);
//	none      nothing of the above.
type Severity string

// The severities, from least to most urgent.
const (
	SeverityNone     Severity = "none"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Valid reports whether s is one of the five severities.
func (s Severity) Valid() bool {
	switch s {
	case SeverityNone, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical:
		return true
	}
	return false
}

// Rank orders severities (none = 0 … critical = 4) for thresholds.
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	case SeverityHigh:
		return 3
	case SeverityCritical:
		return 4
	}
	return 0
}

// Analysis is the verdict on one text. It holds no plaintext of the post beyond the
// redacted text.
type Analysis struct {
	// Exposed: personal data of an identifiable private person is published (not
	// self-disclosure, not an official public contact, not a public official).
	Exposed bool
	// Outing: a sexual orientation or gender identity is attributed to an identifiable
	// private person who is not the author.
	Outing bool
	// Threat: the post threatens to publish the personal data of a named or pointed-at
	// person ("мы знаем, где она работает, адрес следующим постом").
	Threat   bool
	Severity Severity
	// Entities are every recognised span, sorted by offset.
	Entities []Entity
	// Watchlist are the members the post exposes, outs or threatens, sorted, without
	// duplicates.
	Watchlist []watchlist.Ref
	// Mentions are the members merely named (praised, quoted, in the news): sorted,
	// without duplicates, never also in Watchlist.
	Mentions []watchlist.Ref
	// Categories are the identifier types that expose someone, sorted (what the alert
	// says was published: phone, address, ...).
	Categories []EntityType
	// Redacted is the text with every identifier and name masked (see Redact).
	Redacted string
	// Trace lists the recognisers and rules that fired, for the decision record; it
	// names types and rules only, never values.
	Trace []string
}

// Analyzer runs the recognisers and rules. It is immutable and safe for concurrent use.
type Analyzer struct {
	given map[string]bool
	now   func() time.Time
	// off are the issue-15 pieces switched off (zero in production; the evaluation's
	// ablation switches one off at a time to measure what it brings).
	off Piece
}

// Piece is one rule family of issue 15, for the ablation in `kuzot eval exposure
// --ablate`.
type Piece uint16

// The pieces that can be switched off for measurement.
const (
	PieceLists Piece = 1 << iota
	PieceLooseAttach
	PieceRelatives
	PieceQuasi
	PieceEuphemisms
	PieceSelfDisclosure
	PieceThreats
	PieceVocative
	PieceLoneSurname
)

// Pieces names every piece, in report order.
var Pieces = []struct {
	Piece Piece
	Name  string
}{
	{PieceLists, "list structure"}, {PieceLooseAttach, "clause/loose attachment"}, {PieceRelatives, "relatives"},
	{PieceQuasi, "workplace/school/route"}, {PieceEuphemisms, "euphemisms/obfuscation/former names"},
	{PieceSelfDisclosure, "self-disclosure detector"}, {PieceThreats, "threats"}, {PieceVocative, "surname-only threat target"},
	{PieceLoneSurname, "lone surname of one member"},
}

// WithoutPieces returns a copy of the analyzer with the given pieces switched off; only
// the evaluation uses it.
func (a *Analyzer) WithoutPieces(off Piece) *Analyzer {
	b := *a
	b.off = off
	return &b
}

// NewAnalyzer returns an analyzer; now is the clock used to reject future birth dates
// (time.Now when nil).
func NewAnalyzer(now func() time.Time) *Analyzer {
	if now == nil {
		now = time.Now
	}
	return &Analyzer{given: buildGivenNames(), now: now}
}

// ErrInvalidText is returned for text that cannot be analysed (invalid UTF-8, too long).
var ErrInvalidText = errors.New("invalid text")

// MaxTextBytes is the longest text analysed; it matches the pipeline's post limit.
const MaxTextBytes = post.MaxTextBytes

// Analyze finds exposures in text. author is the post's author (account or signature),
// used to recognise self-disclosure; ix is the watchlist index and may be nil.
func (a *Analyzer) Analyze(text, author string, ix *watchlist.Index) (*Analysis, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalidText)
	}
	if len(text) > MaxTextBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidText, len(text), MaxTextBytes)
	}
	s := &scan{text: text, now: a.now().UTC(), replyEnd: leadingHandles(text)}
	s.toks = tokenize(text, make([]token, 0, len(text)/6+8))
	s.used = make([]bool, len(s.toks))
	skels := make([][]byte, len(s.toks))
	var buf []byte
	for k, t := range s.toks {
		if t.digits {
			continue
		}
		start := len(buf)
		buf = watchlist.Skeleton(buf, t.lower)
		skels[k] = buf[start:len(buf):len(buf)]
	}

	s.dates()
	s.plates()
	s.digitGroups()
	s.atSigns()
	s.links()
	s.addresses()
	s.persons(a.given, skels)
	s.dropNamesInAddresses()
	s.promoteDates()
	s.sogi()
	s.off = a.off
	if a.off&PieceEuphemisms == 0 {
		s.sogiExtra(a.given, skels)
	}
	if a.off&PieceQuasi == 0 {
		s.quasi()
	}

	res := &Analysis{}
	if ix != nil && ix.Members() > 0 {
		s.matchWatchlist(ix, skels)
		if a.off&PieceLoneSurname == 0 {
			s.loneSurnameMember(ix, skels)
		}
		s.corefGivenNames(skels)
	}
	if a.off&PieceRelatives == 0 {
		s.kin()
		if ix != nil && ix.Members() > 0 {
			s.kinAnchorMember(ix, skels)
		}
	}
	s.attach()
	if a.off&PieceLooseAttach == 0 {
		s.coordinatedPlural()
		s.attachLoose()
		s.kinComparative()
	}
	s.authorSelf(author, ix)
	if a.off&PieceLists == 0 {
		s.lists()
	}
	c := s.cues()
	if a.off&PieceSelfDisclosure != 0 {
		c.ad, c.contact, c.lost, c.publicContact, c.announcement = false, false, false, false, false
	}
	if a.off&PieceThreats != 0 {
		c.threat = false
	}
	if c.threat && c.secondPerson && ix != nil && ix.Members() > 0 && a.off&PieceVocative == 0 {
		s.vocativeMember(ix, skels)
	}
	s.verdict(res, c)
	return res, nil
}

// dropNamesInAddresses removes person mentions inside an address: streets are named
// after people ("ул. Ахунбаева"), and that name is not a person in the post.
func (s *scan) dropNamesInAddresses() {
	addrs := newSpanSet(s.spans, func(sp *span) bool { return sp.Type == TypeAddress })
	out := s.spans[:0]
	for _, sp := range s.spans {
		if sp.Type == TypePerson && (addrs.overlaps(sp.Start, sp.End) || s.streetName(&sp)) {
			continue
		}
		out = append(out, sp)
	}
	s.spans = out
}

// streetName reports a person-shaped mention that is a street: its last word or the
// word after it is a street word ("на Жибек Жолу", "Manas ko'chasida", "Chui Avenue").
func (s *scan) streetName(sp *span) bool {
	a, b := tokenRange(s.toks, sp.Start, sp.End)
	// A Latin street word names a street only capitalised ("Chui Avenue"; "street
	// vendor" is a trade).
	anchor := func(x int) bool {
		return postAnchors[s.toks[x].lower] && (s.toks[x].upper || !isLatinASCII(s.toks[x].lower))
	}
	if b > a && anchor(b) {
		return true
	}
	return b+1 < len(s.toks) && !s.toks[b+1].brk && anchor(b+1)
}

// promoteDates turns a full past date without birth words into a birth date when its
// sentence lists a person together with another identifier ("Олег Баранов, СНИЛС …,
// 12 марта 1985"): in a doxxing list a bare date next to a name is the birth date.
func (s *scan) promoteDates() {
	if len(s.plainDates) == 0 {
		return
	}
	set := newSpanSet(s.spans, func(sp *span) bool { return sp.Type == TypePerson && !sp.public })
	ids := newSpanSet(s.spans, func(sp *span) bool { return sp.Type.IsIdentifier() })
	for _, d := range s.plainDates {
		i := tokenAt(s.toks, d.Start)
		lo, hi := window(s.toks, i, i, 40, 40)
		if lo >= len(s.toks) || hi <= lo {
			continue
		}
		a, b := s.toks[lo].start, s.toks[hi-1].end
		if set.overlaps(a, b) && ids.overlaps(a, b) {
			s.add(d, i)
		}
	}
}

// plates finds vehicle plates when a vehicle word is in the post.
func (s *scan) plates() {
	// A plate counts only with a vehicle word at most 8 tokens before or 4 after it
	// (ctxStem below), so the expressions run only on the text around those words, with
	// a margin of a plate's own tokens on each side: "номер" is frequent, and running
	// them over every whole post was a tenth of the analysis time.
	type region struct{ a, b int }
	var regions []region
	for k, t := range s.toks {
		if t.digits || !plateCtxIndex.has(t.lower) {
			continue
		}
		lo, hi := max(0, k-plateRegionBefore), min(len(s.toks)-1, k+plateRegionAfter)
		a, b := 0, len(s.text)
		if lo > 0 {
			a = s.toks[lo-1].end
		}
		if hi+1 < len(s.toks) {
			b = s.toks[hi+1].start
		}
		if n := len(regions); n > 0 && a <= regions[n-1].b {
			regions[n-1].b = max(regions[n-1].b, b)
			continue
		}
		regions = append(regions, region{a, b})
	}
	for _, re := range []*regexp.Regexp{plateNew, plateOld} {
		var found [][]int
		for _, r := range regions {
			for _, m := range re.FindAllStringSubmatchIndex(s.text[r.a:r.b], -1) {
				found = append(found, []int{m[0] + r.a, m[1] + r.a, m[2] + r.a, m[3] + r.a})
			}
		}
		for _, m := range found {
			a, b := m[2], m[3]
			i, j := tokenRange(s.toks, a, b)
			if !s.ctxStem(i, j, 8, 4, plateCtx) {
				continue
			}
			clash := false
			for x := i; x <= j; x++ {
				if s.used[x] {
					clash = true
				}
			}
			if clash {
				continue
			}
			for x := i; x <= j; x++ {
				s.used[x] = true
			}
			s.add(span{Entity: Entity{Type: TypeVehiclePlate, Start: a, End: b}, sub: "kg_plate", score: 0.8}, i)
		}
	}
}

// plateRegionBefore and plateRegionAfter are the tokens around a vehicle word in which a
// plate is looked for: the context window of the plate (8 tokens before it, 4 after) plus
// up to 6 tokens of the plate itself.
const (
	plateRegionBefore = 4 + 6
	plateRegionAfter  = 8 + 6
)

// addresses finds street addresses with a house or flat number.
func (s *scan) addresses() {
	t := s.toks
	lastEnd := -1
	for k := 0; k < len(t); k++ {
		w := t[k].lower
		if t[k].digits || t[k].start < lastEnd {
			continue
		}
		pre, post := addressAnchors[w], postAnchors[w]
		if !pre && !post {
			continue
		}
		// One-letter and short abbreviations count only as abbreviations ("д. 5", "ул.").
		if (w == "д" || w == "пр" || w == "пер" || w == "кв" || w == "ул" || w == "st") && !t[k].dotAfter &&
			!(k+1 < len(t) && (t[k+1].digits || t[k+1].upper)) {
			continue
		}
		a := k
		if w == "адрес" || w == "адресу" || w == "дареги" || w == "address" {
			a = k + 1
			if a < len(t) && (t[a].lower == "is" || t[a].lower == "это" || t[a].lower == "—") {
				a++ // "her home address is Toktogul 100-5"
			}
		}
		if post {
			for a > 0 && k-a < 3 && !t[a].sent && (t[a-1].upper || t[a-1].digits) && !s.used[a-1] &&
				(k-a < 2 || t[a-1].digits) {
				a--
			}
		} else if k > 0 && t[k-1].digits && !s.used[k-1] && !t[k].sent {
			a = k - 1 // "7 мкр"
		}
		e, hasNum := -1, false
		for x := a; x < len(t) && x-k <= 10; x++ {
			if x > a && t[x].sent && !(x > 0 && t[x-1].dotAfter && utf8.RuneCountInString(t[x-1].lower) <= 4) {
				break
			}
			tx := t[x]
			switch {
			case tx.digits:
				if s.used[x] {
					x = len(t)
					continue
				}
				hasNum = true
				e = x
			case addressAnchors[tx.lower] || postAnchors[tx.lower] || addressNumberWords[tx.lower]:
				if tx.lower == "адрес" || tx.lower == "address" {
					if x != k {
						x = len(t)
					}
					continue
				}
				if e < 0 || (postAnchors[tx.lower] && x == e+1) {
					e = x
				}
			case tx.upper:
				if e < 0 || x == e+1 {
					e = x
				}
			case x > 0 && t[x-1].digits && t[x-1].end == tx.start && utf8.RuneCountInString(tx.lower) <= 2:
				e = x // "12а", "5б"
			default:
				if x > k {
					x = len(t)
				}
			}
		}
		if !hasNum || e < a || a >= len(t) {
			continue
		}
		// Trim trailing words after the last number ("ул. Ахунбаева 12, Айбек").
		for e > a && !t[e].digits && !(e > 0 && t[e-1].digits && t[e-1].end == t[e].start) && !postAnchors[t[e].lower] {
			e--
		}
		sp := span{Entity: Entity{Type: TypeAddress, Start: t[a].start, End: t[e].end}, sub: "address", score: 0.7}
		if sp.Start < lastEnd {
			continue // inside the previous address
		}
		s.add(sp, a)
		lastEnd = sp.End
		if e > k {
			k = e // never backwards: a post-anchor address ends before its anchor
		}
	}
	s.bareStreets()
}

// streetEndings are the endings of Russian street names in the case after "на"/"по"
// (Киевской, Московской, Горького, Ахунбаева, Токтогула).
var streetEndings = []string{"ской", "цкой", "ной", "вой", "ей", "ого", "его", "ева", "ова", "ина", "ула", "ына", "ия"}

// bareStreets finds Russian addresses written without "ул.": "на"/"по" + a capitalised
// street name in the locative or genitive + a house number ("на Киевской 95", "на
// Горького 12/3", "по Ахунбаева 45"). The paradigm is the preposition, the case ending
// of the name and the number, not a list of streets (independent2 dev xind2-ru-0031,
// ru-0066).
func (s *scan) bareStreets() {
	t := s.toks
	for k := 1; k+1 < len(t); k++ {
		if (t[k-1].lower != "на" && t[k-1].lower != "по") || !t[k].upper || t[k].digits || t[k+1].digits == false ||
			t[k+1].brk || s.used[k] || s.used[k+1] || len(t[k+1].lower) > 3 {
			continue
		}
		ok := false
		for _, suf := range streetEndings {
			if strings.HasSuffix(t[k].lower, suf) && utf8.RuneCountInString(t[k].lower) > len([]rune(suf))+2 {
				ok = true
				break
			}
		}
		if !ok {
			continue
		}
		e := k + 1
		// "12/3", "95-14", "12а"
		if e+1 < len(t) && t[e+1].start-t[e].end == 1 && (s.text[t[e].end] == '/' || s.text[t[e].end] == '-') && t[e+1].digits {
			e++
		} else if e+1 < len(t) && t[e+1].start == t[e].end && !t[e+1].digits && utf8.RuneCountInString(t[e+1].lower) == 1 {
			e++
		}
		inside := false
		for i := range s.spans {
			if s.spans[i].Start < t[e].end && t[k].start < s.spans[i].End {
				inside = true
			}
		}
		if inside {
			continue
		}
		s.add(span{Entity: Entity{Type: TypeAddress, Start: t[k].start, End: t[e].end}, sub: "address_bare", score: 0.6}, k)
		k = e
	}
}

// sogi finds SOGI words and decides whether each is a claim about someone.
func (s *scan) sogi() {
	t := s.toks
	for k := 0; k < len(t); k++ {
		if t[k].digits {
			continue
		}
		ok, first := sogiWord(t[k].lower)
		if !ok {
			// "гeй", "трансa": Latin look-alikes inside a Cyrillic word.
			if f, mixed := foldToCyrillic(t[k].lower); mixed {
				ok, first = sogiWord(f)
			}
		}
		if !ok {
			continue
		}
		// "голубой автомобиль": the colour, when a word of the same clause follows.
		if strings.HasPrefix(t[k].lower, "голуб") && k+1 < len(t) && !t[k+1].brk && !t[k+1].digits &&
			!notColourNext[t[k+1].lower] {
			continue
		}
		sp := span{Entity: Entity{Type: TypeSOGI, Start: t[k].start, End: t[k].end}, sub: "sogi", score: 0.7, person: -1, self: first}
		// Hyphenated compounds ("ЛГБТ-пропаганда", "гей-парад") and phrases ("права
		// ЛГБТ", "gay rights"): the words right around decide. A venue ("гей-клуб",
		// "гей-сауна") said of someone seen there is a claim about them.
		if k+1 < len(t) && !t[k+1].sent && !t[k+1].digits && hasPrefixIn(t[k+1].lower, sogiGeneric) {
			sp.generic = true
			// "trans people", "ЛГБТ адамдар": a plural of persons is a group, which a list
			// header turns into a claim about everyone listed.
			if peopleNouns[t[k+1].lower] {
				sp.group = true
			}
			if hasPrefixIn(t[k+1].lower, sogiVenues) && s.venueClaim(k) {
				sp.generic, sp.sub = false, "venue"
			}
		}
		if k > 0 && !t[k].sent && !t[k-1].digits && !t[k-1].upper &&
			(hasPrefixIn(t[k-1].lower, sogiGenericBefore) || sogiGenericBeforeWords[t[k-1].lower]) {
			sp.generic = true
		}
		// Plural "геи", "gays", "ЛГБТ" on their own speak about a group (which a list
		// header turns into a claim about everyone listed).
		switch t[k].lower {
		case "геи", "геев", "геям", "геями", "геях", "гейлер", "гейлерди", "гейлердин", "гейлерге", "gays", "lgbt", "lgbtq", "lgbti", "lgbtqi", "трансы", "lesbians", "geylar":
			sp.group = true
		}
		if (strings.HasPrefix(t[k].lower, "лгбт") || t[k].lower == "lgbt") && !(k+1 < len(t) && strings.HasPrefix(t[k+1].lower, "активист")) {
			sp.group = true
			// "бул жигит ЛГБТ", "он из ЛГБТ.": a bare "ЛГБТ" closing a clause about
			// someone is a claim.
			if (t[k].lower == "лгбт" || t[k].lower == "lgbt") && !sp.generic && (k+1 == len(t) || t[k+1].brk || t[k+1].lower == "экен" || t[k+1].lower == "деп") &&
				k > 0 && !t[k].brk && (t[k-1].lower == "из" || personNouns[t[k-1].lower]) {
				sp.group = false
			}
			// "Нурлан Токтоматов, ЛГБТ жигит", "лгбт парень", "LGBT guy": a bare "ЛГБТ"
			// as the attribute of a singular person noun describes one person.
			if (t[k].lower == "лгбт" || t[k].lower == "lgbt") && !sp.generic && k+1 < len(t) && !t[k+1].brk &&
				personNouns[t[k+1].lower] && !pronouns[t[k+1].lower] {
				sp.group = false
			}
			// "Нурлан Абдрахманов ЛГБТ экен": an evidential predicate after it makes it
			// a statement about the person before it.
			if (t[k].lower == "лгбт" || t[k].lower == "lgbt") && !sp.generic && k+1 < len(t) && !t[k+1].brk &&
				evidentials[t[k+1].lower] && k > 0 && !t[k].brk && t[k-1].upper {
				sp.group = false
			}
		}
		if hasPrefixIn(t[k].lower, sogiPluralStems) {
			sp.group = true
		}
		// "Geylar guruhida admin", "админ гей-чата", "ЛГБТ тобунун мүчөсү", "member of a
		// gay group": a role in a SOGI group or chat is said of the person holding it.
		if (sp.generic || sp.group) && s.groupRole(k) {
			sp.generic, sp.group, sp.sub = false, false, "group_role"
		}
		// "Аружан да ушул лесбилердин арасында,", "Malika ham geylar orasida.", "он тоже
		// среди геев.", "he is among the gays.": a person placed among a SOGI plural that
		// closes the clause is said to be one of them (independent6 dev i6-ky-0046).
		if sp.group && !sp.generic && s.amongGroup(k) {
			sp.group, sp.sub = false, "group_member"
		}
		lo, _ := window(t, k, k, 3, 0)
		for x := lo; x < k; x++ {
			if selfSOGI[t[x].lower] {
				sp.self = true
			}
		}
		sp.official = false
		s.spans = append(s.spans, sp)
	}
}

// matchWatchlist looks the post's words and identifiers up in the watchlist and records
// the matched members on the spans (adding person spans for matched names).
func (s *scan) matchWatchlist(ix *watchlist.Index, skels [][]byte) {
	nts := make([]watchlist.NameToken, 0, len(s.toks))
	for k, t := range s.toks {
		if t.digits {
			continue
		}
		skel := skels[k]
		if functionWords[t.lower] {
			skel = nil // never a name token: not hashed, still a word between names
		}
		nameLike := t.upper
		if honorifics[t.lower] && k > 0 && s.toks[k-1].upper {
			// "Jasur aka (Qodirov)": an honorific may stand between a given name and a
			// surname like a middle name (independent5 dev i5-uz-0033).
			skel, nameLike = nil, true
		}
		nts = append(nts, watchlist.NameToken{Skel: skel, Start: t.start, End: t.end,
			Connector: watchlist.IsConnector(t.lower), Break: t.brk, NameLike: nameLike})
	}
	refIdx := map[watchlist.Ref]int{}
	idx := func(r watchlist.Ref) int {
		if i, ok := refIdx[r]; ok {
			return i
		}
		if i := slices.Index(s.refs, r); i >= 0 { // added by matchSplitNames
			refIdx[r] = i
			return i
		}
		refIdx[r] = len(s.refs)
		s.refs = append(s.refs, r)
		return refIdx[r]
	}
	idents := newSpanSet(s.spans, func(sp *span) bool { return sp.Type.IsIdentifier() && !sp.quasi })
	persons := newSpanSet(s.spans, func(sp *span) bool { return sp.Type == TypePerson })
	for _, m := range ix.MatchNames(nts) {
		if idents.overlaps(m.Start, m.End) {
			continue // "@aibek.toktosunov", "aibek.toktosunov@example.org"
		}
		r := idx(m.Ref)
		merged := false
		if persons.overlaps(m.Start, m.End) {
			for i := range s.spans {
				sp := &s.spans[i]
				if sp.Type == TypePerson && overlaps(sp.Start, sp.End, m.Start, m.End) {
					sp.Start, sp.End = min(sp.Start, m.Start), max(sp.End, m.End)
					sp.members = appendUnique(sp.members, r)
					merged = true
				}
			}
		}
		if !merged {
			sp := span{Entity: Entity{Type: TypePerson, Start: m.Start, End: m.End}, sub: "watchlist_name", score: 0.9, person: -1, members: []int{r}}
			i, j := tokenRange(s.toks, m.Start, m.End)
			s.personContext(&sp, i, j)
			s.spans = append(s.spans, sp)
		}
	}
	s.matchSplitNames(ix, skels)
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.canon == "" {
			continue
		}
		var kind watchlist.Kind
		switch sp.Type {
		case TypePhone:
			kind = watchlist.KindPhone
		case TypeNationalID, TypePassport:
			kind = watchlist.KindID
		case TypeSocialHandle:
			kind = watchlist.KindHandle
		case TypeEmail:
			kind = watchlist.KindEmail
		default:
			continue
		}
		for _, r := range ix.MatchIdent(kind, sp.canon) {
			sp.members = appendUnique(sp.members, idx(r))
		}
	}
}

func appendUnique(xs []int, x int) []int {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// sentenceOf returns the sentence number of the token at byte offset off.
func (s *scan) sentenceIDs() []int {
	ids := make([]int, len(s.toks))
	n := 0
	for k, t := range s.toks {
		if t.sent && k > 0 {
			n++
		}
		ids[k] = n
	}
	return ids
}

// attach links every identifier and SOGI claim to the person it is about: the nearest
// person mention in the same sentence, else the last one in the two sentences before.
// A SOGI word after a pronoun ("Он гей") refers to the last person mentioned.
func (s *scan) attach() {
	sortSpans(s.spans)
	sent := s.sentenceIDs()
	sentOf := func(off int) int {
		k := tokenAt(s.toks, off)
		if k >= len(sent) {
			k = len(sent) - 1
		}
		if k < 0 {
			return 0
		}
		return sent[k]
	}
	var persons []int // indexes of person spans, in offset order (spans are sorted)
	for i, sp := range s.spans {
		if sp.Type == TypePerson {
			persons = append(persons, i)
		}
	}
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type == TypePerson || len(persons) == 0 {
			continue
		}
		if sp.Type == TypeSOGI && (sp.generic || sp.self) {
			continue
		}
		si := sentOf(sp.Start)
		// Only the nearest persons before and after can win; look at a few on each side.
		n := sort.Search(len(persons), func(x int) bool { return s.spans[persons[x]].Start >= sp.Start })
		best, bestDist := -1, 1<<30
		for x := max(0, n-3); x < len(persons) && x < n+3; x++ {
			p := persons[x]
			ps := sentOf(s.spans[p].Start)
			d := 0
			switch {
			case ps == si:
				// The gap between the two, and a penalty for a clause boundary between
				// them: "Нуржан гей, Бермет лесби" binds each claim in its own clause.
				if s.spans[p].End <= sp.Start {
					d = sp.Start - s.spans[p].End
				} else {
					d = abs(s.spans[p].Start - sp.Start)
				}
				if s.clauseBreakBetween(min(s.spans[p].End, sp.End), max(s.spans[p].Start, sp.Start)) {
					d += 2000
				}
			case ps < si && si-ps <= 2 && s.spans[p].End <= sp.Start:
				d = 10000*(si-ps) + sp.Start - s.spans[p].End
			default:
				continue
			}
			if sp.Type == TypeSOGI && ps != si && !s.pronounBefore(sp.Start) {
				continue
			}
			if d < bestDist {
				best, bestDist = p, d
			}
		}
		sp.person = best
	}
}

// pronounBefore reports whether a third-person pronoun stands within three words
// before byte offset off in the same sentence.
func (s *scan) pronounBefore(off int) bool {
	k := tokenAt(s.toks, off)
	lo, _ := window(s.toks, k, k, 3, 0)
	for x := lo; x < k && x < len(s.toks); x++ {
		if pronouns[s.toks[x].lower] {
			return true
		}
	}
	return false
}

// authorSelf marks person mentions that name the post's author as self-disclosure.
func (s *scan) authorSelf(author string, ix *watchlist.Index) {
	if strings.TrimSpace(author) == "" || !utf8.ValidString(author) || len(author) > 1024 {
		return
	}
	// Self-disclosure only changes the verdict when a named person comes with data or
	// a SOGI word; skip the (costly) author key generation otherwise.
	person, other := false, false
	for _, sp := range s.spans {
		if sp.Type == TypePerson {
			person = true
		} else {
			other = true
		}
	}
	if !person || !other {
		return
	}
	var keys [][]byte
	for _, t := range tokenize(author, nil) {
		if !t.digits && utf8.RuneCountInString(t.lower) > 1 {
			keys = append(keys, watchlist.Skeleton(nil, t.lower))
		}
	}
	if len(keys) == 0 {
		return
	}
	var buf []byte
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson {
			continue
		}
		total, hit := 0, 0
		k, _ := tokenRange(s.toks, sp.Start, sp.End)
		for ; k < len(s.toks) && s.toks[k].start < sp.End; k++ {
			t := s.toks[k]
			if t.digits || utf8.RuneCountInString(t.lower) < 2 || watchlist.IsConnector(t.lower) {
				continue
			}
			total++
			buf = watchlist.Skeleton(buf[:0], t.lower)
			for _, a := range keys {
				if sameStem(buf, a) {
					hit++
					break
				}
			}
		}
		if total > 0 && (hit >= 2 || hit == total) {
			sp.self = true
		}
	}
}

// sameStem compares two name skeletons up to a case ending: equal, or one is the other
// plus at most three letters ("aibeka" ~ "aibek", "toktosunovoi" ~ "toktosunov").
func sameStem(a, b []byte) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	return len(b) >= 3 && len(a)-len(b) <= 3 && string(a[:len(b)]) == string(b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// verdict applies the exposure, outing, threat and severity rules (see Severity), and
// splits the matched members into Watchlist (exposed, outed or threatened) and Mentions.
func (s *scan) verdict(res *Analysis, c postCues) {
	claim := false
	for i := range s.spans {
		sp := &s.spans[i]
		if (sp.Type == TypeSOGI && !sp.generic && !sp.group && !sp.self) || (sp.listed && sp.headerClaim) {
			claim = true
		}
	}
	selfPost := c.selfDisclosure(claim)
	if selfPost {
		res.Trace = append(res.Trace, "self_disclosure")
	}
	private := func(p int) bool {
		return p >= 0 && !s.spans[p].self && (!s.spans[p].public || s.spans[p].kin)
	}
	hit := make([]bool, len(s.refs))      // member refs the post exposes, outs or threatens
	idMember := make([]bool, len(s.refs)) // member refs exposed by an identifier
	markMembers := func(p int, ident bool) {
		if p < 0 {
			return
		}
		for _, m := range s.spans[p].members {
			hit[m] = true
			if ident {
				idMember[m] = true
			}
		}
	}
	// Per person: the workplaces and routines, and the precise ones among them (with a
	// number or a time: "60-maktab", "ар күнү 8де", "every day at 8").
	var quasiCount, quasiPrecise []int
	for i := range s.spans {
		if s.spans[i].quasi && s.spans[i].person >= 0 {
			if quasiCount == nil {
				quasiCount, quasiPrecise = make([]int, len(s.spans)), make([]int, len(s.spans))
			}
			quasiCount[s.spans[i].person]++
			if s.precise(&s.spans[i]) {
				quasiPrecise[s.spans[i].person]++
			}
		}
	}
	// A list exposes its persons when its header (or footer) states their SOGI, when a
	// row carries an identifier or a birth year, or when the post is hostile.
	listExposes := func(p int) bool {
		sp := &s.spans[p]
		return sp.listed && !sp.self && (sp.headerClaim || (sp.rowData && !selfPost) || (sp.rowFields && c.hostile))
	}
	// A reply's addressees ("@a @b shut up f*ggot", VK's "[id1|Айбек], …") are the accounts
	// it answers: in a pure insult their handles expose no one and a slur thrown at them
	// outs no one (the narrative classifier's slur_insult). Not when the post states a SOGI
	// claim in neutral words ("@x we have the chats that prove you're gay"), gives other
	// data ("@x п…, работает в Мегакоме": Russian and Kyrgyz need no copula, so that
	// describes @x), or speaks of someone in the third person ("@mvd_kg @x п…, проверьте
	// его").
	addresseeOnly := s.replyEnd > 0 && !s.neutralClaim() && !s.dataBeyondReply() && !s.thirdPersonAfterReply()
	cats := map[EntityType]bool{}
	idKinds := 0
	exposedTargets := map[int]bool{} // person index, or -1 for an unnamed target
	anyTargetedID := false
	for i := range s.spans {
		sp := &s.spans[i]
		if !sp.Type.IsIdentifier() || sp.self || sp.official {
			continue
		}
		if addresseeOnly && sp.Type == TypeSocialHandle && sp.End <= s.replyEnd {
			continue // the account a reply answers, insulted or not, is not published data
		}
		p := sp.person
		if p >= 0 && s.spans[p].self {
			continue // the author's own data
		}
		if sp.quasi {
			// A workplace or a routine is personal data of a private person in a hostile
			// post, a list, about a relative, or when two of them locate one person.
			if !private(p) || selfPost {
				continue
			}
			pp := &s.spans[p]
			if c.threat || !(c.hostile || claim || listExposes(p) || pp.kin || (quasiCount[p] >= 2 && quasiPrecise[p] >= 1)) {
				continue // under a threat, "where you live" is what is promised, not given
			}
		} else {
			standalone := sp.Type == TypeNationalID || sp.Type == TypePassport
			// Under a threat or in a hostile post, data after a second-person possessive
			// ("твой офис на Киевской 95", "сенин үйүң …", "your flat at …") is the
			// addressee's, given, not promised.
			addressed := (c.threat || c.hostile) && c.secondPerson && s.secondPossessiveBefore(sp)
			exposes := private(p) || sp.target || standalone || len(sp.members) > 0 || addressed
			if !exposes {
				continue
			}
			if p >= 0 && s.spans[p].public && !s.spans[p].kin && len(sp.members) == 0 && (!sp.target || s.officeContext(sp)) {
				continue // a public official's official data ("his office line is …")
			}
			if selfPost && !(c.publicContactOnly() && s.homeData(sp)) {
				continue // an ad, a lost-document notice, a public contact
			}
			if !cats[sp.Type] {
				idKinds++
			}
		}
		cats[sp.Type] = true
		exposedTargets[p] = true
		if sp.target || p < 0 {
			anyTargetedID = true
		}
		for _, m := range sp.members {
			hit[m] = true
			if !sp.quasi {
				idMember[m] = true
			}
		}
		markMembers(p, !sp.quasi)
		res.Trace = append(res.Trace, fmt.Sprintf("exposed:%s/%s", sp.Type, sp.sub))
	}
	kinExposed := false // a person named as kin is exposed or outed
	for p := range exposedTargets {
		if p >= 0 && s.spans[p].kin {
			kinExposed = true
		}
	}
	listExposed := false
	outedMember := false
	privateOuting, publicOuting, outingCritical := false, false, false
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || !listExposes(i) {
			continue
		}
		listExposed = true
		exposedTargets[i] = true
		markMembers(i, false)
		res.Trace = append(res.Trace, "exposed:list")
		if sp.headerClaim {
			privateOuting = true
			outedMember = outedMember || len(sp.members) > 0
			res.Trace = append(res.Trace, "outing:list_header")
		}
	}
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypeSOGI || sp.generic || sp.group || sp.self {
			continue
		}
		p := sp.person
		if addresseeOnly && p >= 0 && s.spans[p].End <= s.replyEnd {
			continue // a slur thrown at the person a VK reply answers ("[id1|Айбек], ты …")
		}
		switch {
		case private(p):
			privateOuting = true
			kinExposed = kinExposed || s.spans[p].kin
			res.Trace = append(res.Trace, "outing:person/"+sp.sub)
			markMembers(p, false)
			if len(s.spans[p].members) > 0 {
				outedMember = true
			}
			if exposedTargets[p] && idKinds > 0 { // an identifier, not only a workplace or a route
				outingCritical = true
			}
		case p >= 0 && !s.spans[p].self:
			// A public figure said to be gay is still an outing of a real person; the
			// severity is lower than for a private person (see Severity).
			publicOuting = true
			res.Trace = append(res.Trace, "outing:public_figure/"+sp.sub)
		case p < 0 && anyTargetedID && idKinds > 0:
			// "вот номер этого гея: …": the identifier makes the target identifiable.
			privateOuting = true
			outingCritical = true
			res.Trace = append(res.Trace, "outing:identifier")
		}
	}
	res.Outing = privateOuting || publicOuting
	persons := 0
	for i := range s.spans {
		if s.spans[i].Type == TypePerson && !s.spans[i].self {
			persons++
		}
	}
	threatMember := false
	if c.threat && (persons > 0 || c.secondPerson) {
		res.Threat = true
		res.Trace = append(res.Trace, "threat")
		for i := range s.spans {
			sp := &s.spans[i]
			if sp.self || (sp.Type != TypePerson && len(sp.members) == 0) {
				continue
			}
			for _, m := range sp.members {
				hit[m] = true
				threatMember = true
			}
		}
	}
	// Outing implies exposed: a sexual orientation or gender identity is special-category
	// personal data.
	res.Exposed = len(cats) > 0 || res.Outing || listExposed
	// A member through whom a relative is located or outed ("Ergashevaning singlisi …
	// bozorida do'kon", "Жоробек уулу Адилеттин апасы … мектепте мугалим") is exposed by
	// that post: the relative is found through the member, and the member's family
	// is what the post hands to the readers.
	// Only when what is exposed is the relative's: data or a claim about no named
	// person, or about a person named as kin ("иниси Эрлан"), not about someone else
	// the post also names (review of round 8).
	if res.Exposed && !selfPost && (kinExposed || exposedTargets[-1]) {
		for i := range s.spans {
			if sp := &s.spans[i]; sp.Type == TypePerson && sp.kin && !sp.self {
				markMembers(i, false)
			}
		}
	}
	for ct := range cats {
		res.Categories = append(res.Categories, ct)
	}
	sort.Slice(res.Categories, func(i, j int) bool { return res.Categories[i] < res.Categories[j] })

	mentioned := make([]bool, len(s.refs))
	for _, sp := range s.spans {
		if sp.self {
			continue
		}
		for _, m := range sp.members {
			if !hit[m] {
				mentioned[m] = true
			}
		}
	}
	hits, idHits, mentions := 0, 0, 0
	for m := range s.refs {
		switch {
		case hit[m]:
			res.Watchlist = append(res.Watchlist, s.refs[m])
			hits++
			if idMember[m] {
				idHits++
			}
		case mentioned[m]:
			res.Mentions = append(res.Mentions, s.refs[m])
			mentions++
		}
	}
	switch {
	case outingCritical || idHits > 0 || outedMember || threatMember:
		res.Severity = SeverityCritical
	case privateOuting || res.Threat || hits > 0 || cats[TypeNationalID] || cats[TypePassport] || cats[TypeAddress] || idKinds >= 2:
		res.Severity = SeverityHigh
	case cats[TypePhone] || cats[TypeBirthDate] || cats[TypeVehiclePlate] || publicOuting || cats[TypeWorkplace] ||
		cats[TypeLocation] || listExposed:
		res.Severity = SeverityMedium
	case res.Exposed || mentions > 0:
		res.Severity = SeverityLow
	default:
		res.Severity = SeverityNone
	}
	sortSpans(s.spans)
	res.Entities = make([]Entity, 0, len(s.spans))
	for _, sp := range s.spans {
		res.Entities = append(res.Entities, sp.Entity)
	}
	sortRefs(res.Watchlist)
	sortRefs(res.Mentions)
	res.Redacted = redactStored(s.text, res.Entities)
}

// dataBeyondReply reports whether the post carries personal data other than the reply's
// own handles: an identifier, a workplace or a routine that is not the author's or an
// official contact.
func (s *scan) dataBeyondReply() bool {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type.IsIdentifier() && !sp.self && !sp.official && sp.Start >= s.replyEnd {
			return true
		}
	}
	return false
}

// thirdPersonAfterReply reports whether the text after the reply's addressees speaks of
// a third person ("he", "его", "уни", "аны"): then a slur may describe one of them.
func (s *scan) thirdPersonAfterReply() bool {
	for _, t := range s.toks {
		if t.start >= s.replyEnd && thirdPersonWords[t.lower] {
			return true
		}
	}
	return false
}

// thirdPersonWords are third-person object pronouns in en/ru/ky/uz ("check him",
// "проверьте его", "аны текшергиле"): someone other than the addressee is pointed at.
// Subject pronouns are left out: "@a he's a …" in a reply is most often an insult of a
// third account the thread knows, not of an identifiable person.
var thirdPersonWords = newWordSet("him", "его", "него", "ему", "нему", "её", "неё", "ей", "ней", "аны", "ага", "uni",
	"unga", "уни", "унга")

// neutralClaim reports whether the post has a SOGI claim about someone in words that
// are not slurs ("гей", "gay", "lesbiyanka", a euphemism), as opposed to slurs only.
func (s *scan) neutralClaim() bool {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type == TypeSOGI && !sp.generic && !sp.group && !sp.self && !slurText(s.text[sp.Start:sp.End]) {
			return true
		}
	}
	return false
}

// slurText reports whether a SOGI span is a slur (also obfuscated: "п*дор", "f@g").
func slurText(w string) bool {
	w = strings.ToLower(w)
	w = strings.NewReplacer("*", "", "@", "", "0", "o", "1", "i", "$", "s", ".", "", "_", "").Replace(w)
	if strings.HasPrefix(w, "гомосексуал") || strings.HasPrefix(w, "homosexual") {
		return false // the neutral word that the slur "гомосек" shortens
	}
	for _, p := range slurPrefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return slurWords[w]
}

func sortRefs(rs []watchlist.Ref) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Org != rs[j].Org {
			return rs[i].Org < rs[j].Org
		}
		return rs[i].Member < rs[j].Member
	})
}

// clauseBreakBetween reports whether a clause boundary precedes a token that starts in
// (a, b].
func (s *scan) clauseBreakBetween(a, b int) bool {
	for k := tokenAt(s.toks, a); k < len(s.toks) && s.toks[k].start <= b; k++ {
		if s.toks[k].start > a && s.toks[k].brk {
			return true
		}
	}
	return false
}

// secondPossessives are second-person possessive determiners (ru, ky, uz, en).
var secondPossessives = newWordSet("твой", "твоя", "твоё", "твое", "твои", "твоего", "твоей", "твоих", "ваш", "ваша",
	"ваше", "ваши", "вашего", "вашей", "сенин", "сиздин", "sening", "sizning", "сенинг", "сизнинг", "your")

// secondPossessiveBefore reports whether a second-person possessive stands within four
// words before the identifier sp in its sentence (independent2 dev xind2-ru-0031:
// "Токоев, твой офис на Киевской 95 мы уже нашли").
func (s *scan) secondPossessiveBefore(sp *span) bool {
	k := tokenAt(s.toks, sp.Start)
	lo, _ := window(s.toks, k, k, 4, 0)
	for x := lo; x < k && x < len(s.toks); x++ {
		if secondPossessives[s.toks[x].lower] {
			return true
		}
	}
	return false
}

// matchSplitNames finds a member named in two places of one post: a one-word person
// mention by the given name and another by the surname of the same registered name
// ("Nodira opa \"boshqacha\" … Xolmatova familiyasi", "Тимур деген … Фамилиясы
// Осмонов", "Azamat from that NGO, full name Niyazbekov"). Both mentions take the
// member. Only capitalised one-word person mentions without a member count, at most
// splitNameWindow words apart (independent5 dev i5-uz-0023, mixed-0023, mixed-0031,
// en-0032; independent4 dev i4-ky-0038).
func (s *scan) matchSplitNames(ix *watchlist.Index, skels [][]byte) {
	type cand struct{ span, tok int }
	// Count the candidate mentions first: looking words up costs, and most posts have
	// fewer than two person mentions without a member.
	n := 0
	for i := range s.spans {
		if sp := &s.spans[i]; sp.Type == TypePerson && len(sp.members) == 0 && !sp.self {
			n++
		}
	}
	if n < 2 && !s.hasMemberlessPair() {
		return
	}
	var cands []cand
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || len(sp.members) > 0 || sp.self {
			continue
		}
		a, b := tokenRange(s.toks, sp.Start, sp.End)
		// Short mentions only ("Nodira opa", "Фамилиясы Осмонов"); each capitalised word
		// is a candidate.
		if b-a > 2 {
			continue
		}
		for x := a; x <= b && x < len(s.toks); x++ {
			if s.toks[x].upper && len(skels[x]) > 0 && !functionWords[s.toks[x].lower] {
				cands = append(cands, cand{i, x})
			}
		}
	}
	if len(cands) < 2 {
		return
	}
	// Anchor on the surname-shaped words (few members share a surname; a common given
	// name has a posting per member who bears it) and look the other word up only for
	// the anchor's members.
	for _, an := range cands {
		if !surnameShape(s.toks[an.tok].lower) {
			continue
		}
		parts := ix.MatchNameParts(skels[an.tok])
		if len(parts) == 0 {
			continue
		}
		for _, o := range cands {
			if o.tok == an.tok {
				continue
			}
			p, q := o, an
			if q.tok < p.tok {
				p, q = q, p
			}
			// Two words of one mention match only as tokens of two different registered
			// names of the member: a nickname with the surname ("Нурика Темиркулова", the
			// member registered as "Нурлан Темиркулов" and "Нурик"; independent4 dev
			// i4-ru-0044). One name's two tokens together are MatchNames' case.
			adjacent := p.span == q.span && q.tok == p.tok+1
			if (p.span == q.span && !adjacent) || q.tok-p.tok > splitNameWindow || sameStem(skels[p.tok], skels[q.tok]) {
				continue
			}
			for _, a := range parts {
				for _, b := range ix.NamePartsOf(skels[o.tok], a.Ref) {
					if (!adjacent && (a.Name != b.Name || a.Token == b.Token)) || (adjacent && a.Name == b.Name) {
						continue
					}
					r := s.refIndex(a.Ref)
					s.spans[p.span].members = appendUnique(s.spans[p.span].members, r)
					s.spans[q.span].members = appendUnique(s.spans[q.span].members, r)
				}
			}
		}
	}
}

// splitNameWindow is how many words apart the two halves of a split name may stand.
const splitNameWindow = 40

// hasMemberlessPair reports a person mention without a member of two or three words,
// whose words may be two names of one member (a nickname and a surname).
func (s *scan) hasMemberlessPair() bool {
	for i := range s.spans {
		sp := &s.spans[i]
		if sp.Type != TypePerson || len(sp.members) > 0 || sp.self {
			continue
		}
		if a, b := tokenRange(s.toks, sp.Start, sp.End); b > a && b-a <= 2 {
			return true
		}
	}
	return false
}

// amongWordsAfter and amongWordsBefore place someone among a group: a Kyrgyz or Uzbek
// postposition after the plural ("лесбилердин арасында", "geylar orasida") or a
// preposition before it ("среди геев", "among the gays").
var (
	amongWordsAfter  = newWordSet("арасында", "арасынан", "ичинде", "orasida", "orasidan", "орасида", "орасидан")
	amongWordsBefore = newWordSet("среди", "among", "amongst")
)

// amongGroup reports whether the SOGI plural at token k is the place of someone in a
// group and closes its clause: "… лесбилердин арасында,", "… среди геев.".
func (s *scan) amongGroup(k int) bool {
	t := s.toks
	closes := func(x int) bool { return x+1 == len(t) || t[x+1].brk || t[x+1].sent }
	if k+1 < len(t) && !t[k+1].brk && amongWordsAfter[t[k+1].lower] && closes(k+1) {
		return true
	}
	for x := k - 1; x >= 0 && x >= k-2; x-- {
		if t[x].digits || (t[x+1].brk && x < k-1) {
			break
		}
		if amongWordsBefore[t[x].lower] {
			return closes(k) && x > 0 && !t[x].brk
		}
	}
	return false
}
