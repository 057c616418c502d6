package narrative

import (
	"unicode"
	"unicode/utf8"
)

// hit is one lexicon entry found in a post, over tokens [t0, t1).
type hit struct {
	entry  int32
	t0, t1 int32
}

// analysis is the per-call scratch space of one classification. It is pooled by the
// Classifier (never shared between goroutines) so that steady-state classification
// does not allocate for tokens and matches.
type analysis struct {
	aux  []float64 // auxiliary head scores (reused)
	lx   *lexicon
	text string
	toks []token
	norm []rune
	// slot ids per token: slots[slotOff[i]:slotOff[i+1]]
	slots   []int32
	slotOff []int32
	pats    []int32
	wild    []rune
	hits    []hit
	feat    vec
	// sentence segments of feat, filled by features: sentStart[i] is the index in feat
	// where sentence i's n-gram features start, nGram the end of the n-gram block, and
	// blockMark the pre-normalisation marks (1 word, 2 character) of the n-gram block.
	sentStart []int
	nGram     int
	blockMark []float32
	// rule indexes, rebuilt per post by indexHits
	targets  []hit
	negEnd   []bool // a negation ends right before token i
	negStart []bool // a postposed negation starts at token i
	// negStartNear: a postposed negation that must follow its cue directly (flags
	// after,adjacent) starts at token i.
	negStartNear []bool
	negPrefix    []int32
	anaSents     []int
	// threadLGBT is set by classify for a comment whose thread's root is about LGBT
	// people (see thread.go): the root's topic is the comment's implicit target.
	threadLGBT bool
}

func (a *analysis) reset(lx *lexicon, text string) {
	a.lx, a.text = lx, text
	a.threadLGBT = false
	a.toks, a.norm, a.slots, a.slotOff, a.pats, a.hits = a.toks[:0], a.norm[:0], a.slots[:0], a.slotOff[:0], a.pats[:0], a.hits[:0]
}

// run tokenises and matches text against the lexicon.
func (a *analysis) run(lx *lexicon, text string) {
	a.reset(lx, text)
	a.tokenize(text)
	a.joinSpaced()
	a.matchWords()
	a.matchPhrases()
}

// matchRunes appends to a.pats every word pattern that the normalised word w is a form
// of. Wildcards (masked letters) match any letter.
func (a *analysis) matchRunes(w []rune) {
	lx := a.lx
	n := int32(0)
	for i, r := range w {
		if r == wildRune {
			// Masks must be fewer than the letters they hide among: "г*й", "п**ор" are
			// evasion; "f11" (a board name) is not "fag".
			if nw := countWild(w); nw <= maxWild && 2*nw < len(w) {
				a.matchWild(w, i, n)
			}
			return
		}
		nx, ok := lx.nodes[n].child(r)
		if !ok {
			return
		}
		n = nx
		for _, p := range lx.nodes[n].pats {
			if lx.morph.acceptTail(&lx.words[p], w[i+1:], w) {
				a.addPat(p)
			}
		}
	}
}

// matchWild continues a trie walk at position i (a wildcard) from node n, trying
// every child. Depth is bounded by the word length and words come from the tokenizer,
// so the walk is bounded by the lexicon size.
func (a *analysis) matchWild(w []rune, i int, n int32) {
	lx := a.lx
	if i == len(w) {
		return
	}
	step := func(nx int32) {
		for _, p := range lx.nodes[nx].pats {
			// a masked word must be matched whole: the mask stands for letters of the
			// lexicon word, not of an inflection tail.
			rest := w[i+1:]
			if len(rest) == 0 || lx.words[p].mode == modePrefix || (!hasWild(rest) && lx.morph.acceptTail(&lx.words[p], rest, w)) {
				a.addPat(p)
			}
		}
		a.matchWild(w, i+1, nx)
	}
	if w[i] == wildRune {
		for _, nx := range lx.nodes[n].kids {
			step(nx)
		}
		return
	}
	if nx, ok := lx.nodes[n].child(w[i]); ok {
		step(nx)
	}
}

// maxWild bounds masked letters per word: "г*й" and "п**ор" are evasion, "п*****й" is
// noise, and each mask multiplies the trie walk.
const maxWild = 3

func countWild(w []rune) int {
	n := 0
	for _, r := range w {
		if r == wildRune {
			n++
		}
	}
	return n
}

func hasWild(w []rune) bool {
	for _, r := range w {
		if r == wildRune {
			return true
		}
	}
	return false
}

func (a *analysis) addPat(p int32) {
	for _, q := range a.pats {
		if q == p {
			return
		}
	}
	a.pats = append(a.pats, p)
}

// matchToken fills a.pats for token t, retrying a masked reading of symbols (п@дик as
// п?дик) when the leetspeak reading finds nothing.
func (a *analysis) matchToken(t *token) {
	a.pats = a.pats[:0]
	a.matchRunes(a.norm[t.n0:t.n1])
	if len(a.pats) == 0 && t.symbols && !t.wild {
		a.wild, _, _ = normWord(a.wild[:0], a.text[t.start:t.end], t.script, true)
		a.matchRunes(a.wild)
	}
}

// maxSpaced bounds the letters of one spaced-out word (г е й, p.i.d.o.r).
const maxSpaced = 12

// maxSpacedTail bounds the inflection letters tried past the lexicon word.
const maxSpacedTail = 4

// joinSpaced merges runs of three or more one-letter tokens (г е й, п.и.д.о.р) into one
// word when the joined word is in the lexicon, trying the longest window first at each
// start. Ordinary one-letter words (я, в, a, i) are left alone otherwise.
func (a *analysis) joinSpaced() {
	out := a.toks[:0]
	i := 0
	for i < len(a.toks) {
		if !a.toks[i].single {
			out = append(out, a.toks[i])
			i++
			continue
		}
		j := i + 1
		for j < len(a.toks) && a.toks[j].single && a.toks[j].gapBefore <= 3 && a.toks[j].gapBefore > 0 && !a.toks[j].afterInvalid {
			j++
		}
		// tokens [i, j) are a run of spaced single letters
		k := i
		for k < j {
			joined, ok := a.joinWindow(k, j)
			if ok {
				consumed := joined.gapBefore
				joined.gapBefore = a.toks[k].gapBefore
				out = append(out, joined)
				k += consumed
				continue
			}
			out = append(out, a.toks[k])
			k++
		}
		i = j
	}
	a.toks = out
}

// joinWindow tries windows [k, e) of the run ending at j, longest first, and returns the
// joined token when its word is in the lexicon. The returned token's gapBefore holds
// the number of tokens consumed until the caller restores it.
func (a *analysis) joinWindow(k, j int) (token, bool) {
	maxE := min(j, k+maxSpaced)
	// Walk the trie along the letters: no window longer than the deepest reachable
	// node can match, which keeps long runs of single letters linear.
	// Letters past the deepest node can only be an inflection tail (пидор|ы).
	n, depth, prev, terminal := int32(0), 0, rune(-1), false
	for x := k; x < maxE; x++ {
		r := a.norm[a.toks[x].n0]
		if r == wildRune {
			depth, terminal = maxE-k, true // a mask can match anything: try every window
			break
		}
		if r != prev {
			nx, ok := a.lx.nodes[n].child(r)
			if !ok {
				break
			}
			n, prev = nx, r
			terminal = terminal || len(a.lx.nodes[n].pats) > 0
		}
		depth = x - k + 1
	}
	if !terminal {
		return token{}, false // no lexicon word starts with these letters
	}
	maxE = min(maxE, k+depth+maxSpacedTail)
	for e := maxE; e-k >= 3; e-- {
		n0 := len(a.norm)
		for x := k; x < e; x++ {
			r := a.norm[a.toks[x].n0]
			if len(a.norm) > n0 && a.norm[len(a.norm)-1] == r {
				continue
			}
			a.norm = append(a.norm, r)
		}
		t := a.toks[k]
		joined := token{start: t.start, end: a.toks[e-1].end, n0: n0, n1: len(a.norm), script: t.script,
			sent: t.sent, clause: t.clause, quoted: t.quoted}
		a.matchToken(&joined)
		if len(a.pats) > 0 {
			joined.gapBefore = e - k
			return joined, true
		}
		a.norm = a.norm[:n0]
	}
	return token{}, false
}

// matchWords records, for every token, the phrase slots its word patterns fill.
func (a *analysis) matchWords() {
	lx := a.lx
	for i := range a.toks {
		a.slotOff = append(a.slotOff, int32(len(a.slots)))
		a.matchToken(&a.toks[i])
		start := len(a.slots)
		for _, p := range a.pats {
		next:
			for _, s := range lx.slotsOf[p] {
				for _, q := range a.slots[start:] {
					if q == s {
						continue next
					}
				}
				a.slots = append(a.slots, s)
			}
		}
	}
	a.slotOff = append(a.slotOff, int32(len(a.slots)))
}

// matchPhrases walks the phrase trie from every token and records entry hits.
func (a *analysis) matchPhrases() {
	for i := range a.toks {
		a.walkPhrase(0, int32(i), int32(i))
	}
}

func (a *analysis) walkPhrase(n, start, j int32) {
	if int(j) >= len(a.toks) || int(j-start) >= a.lx.maxPhrase {
		return
	}
	if j > start && a.toks[j].sent != a.toks[start].sent {
		return
	}
	for _, s := range a.slots[a.slotOff[j]:a.slotOff[j+1]] {
		nx, ok := a.lx.pnodes[n].child(s)
		if !ok {
			continue
		}
		for _, e := range a.lx.pnodes[nx].entries {
			a.addHit(hit{entry: e, t0: start, t1: j + 1})
		}
		a.walkPhrase(nx, start, j+1)
	}
}

func (a *analysis) addHit(h hit) {
	if a.lx.entries[h.entry].lower && a.capitalisedName(h.t0) {
		return // "Troon" the town, not "troon" the slur
	}
	for k := len(a.hits) - 1; k >= 0 && k >= len(a.hits)-8; k-- {
		if a.hits[k] == h {
			return
		}
	}
	a.hits = append(a.hits, h)
}

// capitalisedName reports a word written with a capital letter: a name ("at Troon",
// "Royal Troon"). A capital at the start of a sentence is ambiguous and is read as a
// name too, so entries flagged "lower" match only words written in lower case.
func (a *analysis) capitalisedName(t int32) bool {
	r, _ := utf8.DecodeRuneInString(a.text[a.toks[t].start:])
	return unicode.IsUpper(r)
}
