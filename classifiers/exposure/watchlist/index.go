package watchlist

import (
	"errors"
	"fmt"
	"math/bits"
	"sort"
)

// Ref names a matched member: the organisation id and the member id, both pseudonymous.
type Ref struct {
	Org    string `json:"org"`
	Member string `json:"member"`
	// Since is when the member was registered (Unix seconds; 0 = unknown). The alert
	// role ignores posts collected before it.
	Since int64 `json:"since,omitempty"`
}

type posting struct {
	list, member int32
	name, token  int16
	kind         Kind
}

// Index is the in-memory lookup of every loaded hashed list. It is immutable after
// NewIndex and safe for concurrent use.
type Index struct {
	h       *Hasher
	lists   []*HashedList
	m       map[Hash][]posting
	members int
	// orgs maps an organisation-name token to where it occurs (list, name, token).
	orgs map[Hash][]orgPosting
}

// orgPosting is one occurrence of an organisation-name token.
type orgPosting struct {
	list        int32
	name, token int16
}

// ErrKeyMismatch is returned when a stored list was made with another key than the
// one the process was given.
var ErrKeyMismatch = errors.New("watchlist was hashed with a different key")

// NewIndex builds the lookup of lists, which must all have been hashed with h's key.
func NewIndex(h *Hasher, lists []*HashedList) (*Index, error) {
	if h == nil {
		return nil, fmt.Errorf("build watchlist index: %w", ErrNoKey)
	}
	ix := &Index{h: h, m: map[Hash][]posting{}, orgs: map[Hash][]orgPosting{}}
	orgs := map[string]bool{}
	for li, l := range lists {
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("build watchlist index: %w", err)
		}
		if l.KeyID != h.KeyID() {
			return nil, fmt.Errorf("watchlist %s: %w (stored key id %s, current %s); re-import it with the current key", l.Org, ErrKeyMismatch, l.KeyID, h.KeyID())
		}
		if orgs[l.Org] {
			return nil, fmt.Errorf("build watchlist index: org %s loaded twice", l.Org)
		}
		orgs[l.Org] = true
		ix.lists = append(ix.lists, l)
		ix.members += len(l.Members)
		for _, e := range l.Entries {
			ix.m[e.Hash] = append(ix.m[e.Hash], posting{
				list: int32(li), member: int32(e.Member), name: int16(e.Name), token: int16(e.Token), kind: e.Kind,
			})
		}
		for _, ot := range l.OrgNames {
			ix.orgs[ot.Hash] = append(ix.orgs[ot.Hash], orgPosting{list: int32(li), name: int16(ot.Name), token: int16(ot.Token)})
		}
	}
	return ix, nil
}

// Hasher returns the index's hasher.
func (ix *Index) Hasher() *Hasher { return ix.h }

// Members is the number of members over all loaded lists.
func (ix *Index) Members() int {
	if ix == nil {
		return 0
	}
	return ix.members
}

// Orgs lists the loaded org ids.
func (ix *Index) Orgs() []string {
	if ix == nil {
		return nil
	}
	out := make([]string, len(ix.lists))
	for i, l := range ix.lists {
		out[i] = l.Org
	}
	return out
}

func (ix *Index) ref(p posting) Ref {
	l := ix.lists[p.list]
	r := Ref{Org: l.Org, Member: l.Members[p.member]}
	if int(p.member) < len(l.Since) {
		r.Since = l.Since[p.member]
	}
	return r
}

// MatchIdent returns the members registered with an identifier, given in its canonical
// form (CanonPhone, CanonID, CanonHandle, CanonEmail).
func (ix *Index) MatchIdent(kind Kind, canon string) []Ref {
	if ix == nil || len(ix.m) == 0 || canon == "" {
		return nil
	}
	var out []Ref
	for _, p := range ix.m[ix.h.SumString(kind, canon)] {
		if p.kind == kind {
			out = append(out, ix.ref(p))
		}
	}
	return out
}

// NameToken is one word of a post, as the name matcher sees it.
type NameToken struct {
	// Skel is Skeleton of the word.
	Skel []byte
	// Start and End are the word's byte offsets in the post text.
	Start, End int
	// Connector marks "уулу", "кызы" and the like, which may stand between name tokens.
	Connector bool
	// Break marks a sentence or clause boundary before this word; names never span it.
	Break bool
	// NameLike marks a capitalised word that may be a middle name or patronymic
	// standing between two matched tokens ("Айбек Асанович Токтосунов").
	NameLike bool
}

// NameMatch is a registered name found in a post.
type NameMatch struct {
	Ref
	// Start and End span the matched words in the post text.
	Start, End int
}

// maxGap is how many unmatched words (a patronymic, a middle name) may stand between
// two matched tokens of one name, not counting connectors.
const maxGap = 1

// MatchToken returns the members (unique, in index order) with a registered name that
// has a token with this skeleton. One token is weak evidence: callers use it only where
// the post singles a person out (a threat addressed to "Калысбеков, …").
func (ix *Index) MatchToken(skel []byte) []Ref {
	if ix == nil || len(skel) < 2 {
		return nil
	}
	var out []Ref
	for _, p := range ix.m[ix.h.Sum(KindName, skel)] {
		if p.kind != KindName {
			continue
		}
		r := ix.ref(p)
		dup := false
		for _, o := range out {
			if o == r {
				dup = true
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// NamePart is one token of a registered name that a word matches: the member, which of
// the member's names and which token of that name.
type NamePart struct {
	Ref
	Name, Token int16
}

// MatchNameParts returns the registered name tokens a word (its Skeleton) matches. The
// caller pairs parts of one name found apart in a post ("Nodira opa …, Xolmatova
// familiyasi"); one part alone is weak evidence, like MatchToken.
func (ix *Index) MatchNameParts(skel []byte) []NamePart {
	if ix == nil || len(skel) < 2 {
		return nil
	}
	var out []NamePart
	for _, p := range ix.m[ix.h.Sum(KindName, skel)] {
		if p.kind == KindName {
			out = append(out, NamePart{Ref: ix.ref(p), Name: p.name, Token: p.token})
		}
	}
	return out
}

// NamePartsOf returns the registered name tokens of one member that a word matches;
// unlike MatchNameParts it allocates only for that member's postings.
func (ix *Index) NamePartsOf(skel []byte, r Ref) []NamePart {
	if ix == nil || len(skel) < 2 {
		return nil
	}
	var out []NamePart
	for _, p := range ix.m[ix.h.Sum(KindName, skel)] {
		if p.kind != KindName {
			continue
		}
		l := ix.lists[p.list]
		if l.Org != r.Org || l.Members[p.member] != r.Member {
			continue
		}
		out = append(out, NamePart{Ref: ix.ref(p), Name: p.name, Token: p.token})
	}
	return out
}

// MatchNames finds registered names in a post's words: two different tokens of the
// same registered name of the same member, next to each other or separated only by
// connectors and at most maxGap other words, within one clause.
func (ix *Index) MatchNames(toks []NameToken) []NameMatch {
	if ix == nil || len(ix.m) == 0 || len(toks) < 2 {
		return nil
	}
	hits := make([][]posting, len(toks))
	any := 0
	var buf []byte
	for i := range toks {
		if toks[i].Connector || len(toks[i].Skel) < 2 {
			continue
		}
		// A common given name has a posting per member who bears it: use the index's
		// own slice (clipped, so a later append copies) instead of copying it per token.
		ps := ix.m[ix.h.Sum(KindName, toks[i].Skel)]
		allNames := true
		for _, p := range ps {
			if p.kind != KindName {
				allNames = false
				break
			}
		}
		if allNames {
			hits[i] = ps[:len(ps):len(ps)]
		} else {
			for _, p := range ps {
				if p.kind == KindName {
					hits[i] = append(hits[i], p)
				}
			}
		}
		// "Токтосун уулу Айбек" is the Kyrgyz form of "Айбек Токтосунов": a word followed
		// by a connector is also looked up as the surname made from it.
		if i+1 < len(toks) && toks[i+1].Connector {
			buf = buf[:0]
			for _, suf := range []string{"ov", "ev", "ova", "eva"} {
				buf = append(append(buf[:0], toks[i].Skel...), suf...)
				for _, p := range ix.m[ix.h.Sum(KindName, buf)] {
					if p.kind == KindName {
						hits[i] = append(hits[i], p)
					}
				}
			}
		}
		if len(hits[i]) > 0 {
			any++
		}
	}
	if any < 2 {
		return nil
	}
	var out []NameMatch
	seen := map[NameMatch]bool{}
	for i := range toks {
		if len(hits[i]) == 0 {
			continue
		}
		gap := 0
		for j := i + 1; j < len(toks) && gap <= maxGap; j++ {
			if toks[j].Break {
				break
			}
			if toks[j].Connector {
				continue
			}
			if len(hits[j]) == 0 && !toks[j].NameLike {
				break // "Нигора и Холмат …": only a name-like word may stand between
			}
			for _, a := range hits[i] {
				for _, b := range hits[j] {
					if a.list == b.list && a.member == b.member && a.name == b.name && a.token != b.token {
						m := NameMatch{Ref: ix.ref(a), Start: toks[i].Start, End: toks[j].End}
						if !seen[m] {
							seen[m] = true
							out = append(out, m)
						}
					}
				}
			}
			gap++
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].Org+"/"+out[i].Member < out[j].Org+"/"+out[j].Member
	})
	return out
}

// HasOrgNames reports whether any loaded list carries organisation-name tokens.
func (ix *Index) HasOrgNames() bool { return ix != nil && len(ix.orgs) > 0 }

// OrgsNamed returns the organisations a post names: words holds, for each word of the
// post in order, the skeleton keys to try (the word and its forms without a case
// suffix), nil for a word that is no name; orgContext tells whether a word stands where
// an organisation's name stands (in quotes, next to "фонд", "уюм", "NGO"; asked only of
// words that match a one-word name, as it may cost). A name of
// two or three tokens is named only whole, its tokens next to each other in any order
// ("Ак-Кайыңдагы": "ак" + "кайың…"); a longer one by three of them. A name of one token
// is named only in an organisation context: single words, and pairs of generic words
// ("Public Foundation"), are too often everyday words ("Kelechek", the future). at
// marks the words that name an organisation.
func (ix *Index) OrgsNamed(words [][][]byte, orgContext func(w int) bool) (orgs []string, at []bool) {
	if ix == nil || len(ix.orgs) == 0 {
		return nil, nil
	}
	at = make([]bool, len(words))
	type key struct {
		list int32
		name int16
	}
	type run struct {
		start, last int
		tokens      uint64 // bit set of the name's tokens seen in the run
	}
	runs := map[key]run{}
	named := map[int32]bool{}
	for w, keys := range words {
		for _, k := range keys {
			if len(k) < 2 {
				continue
			}
			for _, p := range ix.orgs[ix.h.Sum(KindOrgName, k)] {
				n := ix.lists[p.list].OrgNameTokens[p.name]
				if n == 1 {
					if orgContext != nil && orgContext(w) {
						named[p.list], at[w] = true, true
					}
					continue
				}
				kk := key{p.list, p.name}
				bit := uint64(1) << (uint(p.token) % 64)
				r, ok := runs[kk]
				switch {
				case ok && r.last == w: // another key of the same word
				case ok && r.last == w-1 && r.tokens&bit == 0:
					r.last, r.tokens = w, r.tokens|bit
				default:
					r = run{start: w, last: w, tokens: bit}
				}
				runs[kk] = r
				if bits.OnesCount64(r.tokens) >= min(n, 3) {
					named[p.list] = true
					for x := r.start; x <= r.last; x++ {
						at[x] = true
					}
				}
			}
		}
	}
	for li := range ix.lists {
		if named[int32(li)] {
			orgs = append(orgs, ix.lists[li].Org)
		}
	}
	return orgs, at
}
