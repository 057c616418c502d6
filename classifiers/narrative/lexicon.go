package narrative

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// embeddedLexicon is the lexicon shipped in the binary; a lexicon_dir in the config
// replaces it so analysts can edit the files without recompiling.
//
//go:embed lexicon/*.tsv lexicon/VERSION
var embeddedLexicon embed.FS

// EmbeddedLexicon returns the lexicon files compiled into the binary (directory
// "lexicon"), for tools that copy them out as a starting point for analysts.
func EmbeddedLexicon() fs.FS {
	sub, err := fs.Sub(embeddedLexicon, "lexicon")
	if err != nil {
		panic("narrative: embedded lexicon missing: " + err.Error()) // build-time invariant
	}
	return sub
}

// Entry kinds. Each lexicon line has one.
const (
	kindTarget   uint8 = iota + 1 // names LGBT or gender-diverse people (neutral identity term)
	kindSlur                      // a slur: names the target and dehumanises it
	kindFrame                     // a frame cue (frame in entry.frame)
	kindSelf                      // first-person cue ("я", "we", "мен") for self-reference
	kindIngroup                   // in-group phrase ("наше сообщество", "coming out")
	kindCounter                   // counter-speech cue ("гомофобия", "bigotry")
	kindReport                    // reporting/news cue ("заявил", "according to")
	kindNegation                  // negation cue ("не", "not"); flag "after" for postpositions (эмес)
	kindAnaphor                   // pronoun that carries a target into the next sentence ("их", "them")
)

var kindNames = map[string]uint8{
	"target": kindTarget, "slur": kindSlur, "self": kindSelf, "ingroup": kindIngroup,
	"counter": kindCounter, "report": kindReport, "negation": kindNegation, "anaphor": kindAnaphor,
}

// Word-pattern modes.
const (
	modeInflect uint8 = iota // stem + an inflection tail of the entry's languages
	modeExact                // exactly this form (=word)
	modePrefix               // any word starting with it (word*)
)

// wordPat is one normalised word of the lexicon, shared by every entry that uses it.
type wordPat struct {
	key   []rune
	mode  uint8
	langs uint8
	short bool
	stem  string // Snowball stem (Russian) for the fallback check
}

// entry is one lexicon line.
type entry struct {
	kind        uint8
	frame       Frame
	langs       uint8
	weight      float64
	anchor      bool // names the target itself: no separate target needed
	reclaimable bool // slur that communities reclaim (queer, dyke, faggot in-group)
	after       bool // negation that follows its scope (эмес, жок, emas)
	adjacent    bool // self cue that must touch the identity term ("мы ЛГБТ", not "мы запретим ЛГБТ"); a postposed negation that must follow its cue directly
	final       bool // reporting verb that counts only at the end of its clause (Kyrgyz деген "said", not "so-called")
	lower       bool // matches only a word written in lower case (a capitalised one is a name: Troon the town)
	text        string
	src         string // file:line, for analysts and errors
	nwords      int
}

// lexicon is a compiled lexicon: a character trie of normalised words and a word-level
// trie of phrases. It is immutable after compile and shared by concurrent Classify calls.
type lexicon struct {
	version string
	entries []entry
	words   []wordPat
	// char trie
	nodes []trieNode
	// slotsOf maps a word pattern to the phrase slots it can fill.
	slotsOf [][]int32
	// phrase trie over slot ids
	pnodes []phraseNode
	morph  *morphology
	// maxPhrase is the longest phrase in words.
	maxPhrase int
}

type trieNode struct {
	next map[rune]int32 // while building; frozen into keys/kids
	pats []int32
	// keys and kids are the sorted children, searched linearly or by bisection:
	// faster than a map for the handful of children most nodes have.
	keys []rune
	kids []int32
}

// child returns the child of n for r.
func (n *trieNode) child(r rune) (int32, bool) {
	k := n.keys
	if len(k) <= 8 {
		for i, x := range k {
			if x == r {
				return n.kids[i], true
			}
		}
		return 0, false
	}
	lo, hi := 0, len(k)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k[m] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(k) && k[lo] == r {
		return n.kids[lo], true
	}
	return 0, false
}

type phraseNode struct {
	next    map[int32]int32 // while building; frozen into keys/kids
	entries []int32
	keys    []int32
	kids    []int32
}

// child returns the child of n for phrase slot s: a linear scan of a few keys, a
// binary search of many (the root has one key per first word of every phrase).
func (n *phraseNode) child(s int32) (int32, bool) {
	k := n.keys
	if len(k) <= 8 {
		for i, x := range k {
			if x == s {
				return n.kids[i], true
			}
		}
		return 0, false
	}
	lo, hi := 0, len(k)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k[m] < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(k) && k[lo] == s {
		return n.kids[lo], true
	}
	return 0, false
}

// freeze turns the build-time child maps into sorted slices.
func (lx *lexicon) freeze() {
	for i := range lx.nodes {
		n := &lx.nodes[i]
		for r := range n.next {
			n.keys = append(n.keys, r)
		}
		sort.Slice(n.keys, func(a, b int) bool { return n.keys[a] < n.keys[b] })
		for _, r := range n.keys {
			n.kids = append(n.kids, n.next[r])
		}
		n.next = nil
	}
	for i := range lx.pnodes {
		n := &lx.pnodes[i]
		for s := range n.next {
			n.keys = append(n.keys, s)
		}
		sort.Slice(n.keys, func(a, b int) bool { return n.keys[a] < n.keys[b] })
		for _, s := range n.keys {
			n.kids = append(n.kids, n.next[s])
		}
		n.next = nil
	}
}

// MaxLexiconBytes bounds one lexicon file, so a wrong path cannot make the classifier
// read a huge file into memory.
const MaxLexiconBytes = 8 << 20

// loadLexicon reads VERSION and every *.tsv file of fsys and compiles them. The
// version is VERSION's first line plus a content hash, so any edit changes it.
func loadLexicon(fsys fs.FS) (*lexicon, error) {
	names, err := fs.Glob(fsys, "*.tsv")
	if err != nil {
		return nil, fmt.Errorf("list lexicon files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("lexicon: no *.tsv files")
	}
	sort.Strings(names)
	ver, err := fs.ReadFile(fsys, "VERSION")
	if err != nil {
		return nil, fmt.Errorf("lexicon: read VERSION: %w", err)
	}
	b := &lexBuilder{lx: &lexicon{morph: newMorphology()}, wordIdx: map[string]int32{}, slotIdx: map[string]int32{}}
	b.lx.nodes = []trieNode{{}}
	b.lx.pnodes = []phraseNode{{}}
	h := sha256.New()
	var errs []error
	for _, n := range names {
		data, err := readLimited(fsys, n)
		if err != nil {
			return nil, err
		}
		h.Write([]byte(n))
		h.Write(data)
		errs = append(errs, b.parseFile(n, data)...)
	}
	if len(errs) > 0 {
		if len(errs) > 20 {
			errs = append(errs[:20], fmt.Errorf("... and %d more errors", len(errs)-20))
		}
		return nil, fmt.Errorf("lexicon: %w", errors.Join(errs...))
	}
	v := strings.TrimSpace(strings.SplitN(string(ver), "\n", 2)[0])
	if v == "" {
		return nil, errors.New("lexicon: VERSION is empty")
	}
	b.lx.version = v + "+" + hex.EncodeToString(h.Sum(nil))[:8]
	b.lx.freeze()
	return b.lx, nil
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, MaxLexiconBytes+1))
	if err != nil {
		return nil, fmt.Errorf("lexicon: read %s: %w", name, err)
	}
	if n > MaxLexiconBytes {
		return nil, fmt.Errorf("lexicon: %s is larger than %d bytes", name, MaxLexiconBytes)
	}
	return buf.Bytes(), nil
}

// loadLexiconDir loads a lexicon from a directory on disk.
func loadLexiconDir(dir string) (*lexicon, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("lexicon_dir: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("lexicon_dir %s is not a directory", dir)
	}
	lx, err := loadLexicon(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return lx, nil
}

type lexBuilder struct {
	lx      *lexicon
	wordIdx map[string]int32
	slotIdx map[string]int32
}

// parseFile reads lines "kind<TAB>langs<TAB>pattern[<TAB>flags]". Blank lines and
// lines starting with # are ignored. It returns one error per bad line.
func (b *lexBuilder) parseFile(name string, data []byte) []error {
	var errs []error
	if !utf8.Valid(data) {
		return []error{fmt.Errorf("%s: not valid UTF-8", name)}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), " \r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(strings.TrimSpace(s), "#") {
			continue
		}
		if err := b.parseLine(fmt.Sprintf("%s:%d", name, line), s); err != nil {
			errs = append(errs, err)
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	return errs
}

func (b *lexBuilder) parseLine(src, s string) error {
	cols := strings.Split(s, "\t")
	if len(cols) < 3 || len(cols) > 4 {
		return fmt.Errorf("%s: want 3 or 4 tab-separated columns (kind, langs, pattern, flags), got %d", src, len(cols))
	}
	e := entry{src: src, weight: 0.8, text: strings.TrimSpace(cols[2])}
	kind := strings.TrimSpace(cols[0])
	if k, ok := kindNames[kind]; ok {
		e.kind = k
	} else if f, ok := parseFrame(kind); ok {
		e.kind, e.frame = kindFrame, f
	} else {
		return fmt.Errorf("%s: unknown kind %q (want a frame id or one of target, slur, self, ingroup, counter, report, negation, anaphor)", src, kind)
	}
	langs, ok := parseLangs(strings.TrimSpace(cols[1]))
	if !ok {
		return fmt.Errorf("%s: bad languages %q (want ru, ky, en, uz, a comma list or *)", src, cols[1])
	}
	e.langs = langs
	if e.kind == kindSlur {
		e.anchor, e.frame, e.weight = true, FrameDehumanization, 0.9
	}
	if len(cols) == 4 {
		for _, f := range strings.Split(cols[3], ",") {
			f = strings.TrimSpace(f)
			switch {
			case f == "":
			case f == "anchor":
				e.anchor = true
			case f == "reclaimable":
				e.reclaimable = true
			case f == "after":
				e.after = true
			case f == "adjacent":
				e.adjacent = true
			case f == "final":
				e.final = true
			case f == "lower":
				e.lower = true
			case strings.HasPrefix(f, "w="):
				w, err := strconv.ParseFloat(f[2:], 64)
				if err != nil || w <= 0 || w > 1 {
					return fmt.Errorf("%s: weight %q must be in (0,1]", src, f)
				}
				e.weight = w
			default:
				return fmt.Errorf("%s: unknown flag %q (want anchor, reclaimable, after, adjacent, final, lower, w=0.8)", src, f)
			}
		}
	}
	if e.text == "" {
		return fmt.Errorf("%s: empty pattern", src)
	}
	id := int32(len(b.lx.entries))
	var phrases [][]int32
	for _, alt := range strings.Split(e.text, "|") {
		words := strings.Fields(alt)
		if len(words) == 0 {
			return fmt.Errorf("%s: empty alternative in %q", src, e.text)
		}
		var slots []int32
		for _, w := range words {
			ids, err := b.words(w, langs)
			if err != nil {
				return fmt.Errorf("%s: %w", src, err)
			}
			slots = append(slots, b.slot(ids))
		}
		phrases = append(phrases, slots)
		if len(slots) > e.nwords {
			e.nwords = len(slots)
		}
	}
	if e.nwords > b.lx.maxPhrase {
		b.lx.maxPhrase = e.nwords
	}
	b.lx.entries = append(b.lx.entries, e)
	for _, slots := range phrases {
		b.addPhrase(slots, id)
	}
	return nil
}

// addPhrase walks or extends the phrase trie, one node per slot, and marks the end.
func (b *lexBuilder) addPhrase(slots []int32, id int32) {
	n := int32(0)
	for _, sid := range slots {
		nx, ok := b.lx.pnodes[n].next[sid]
		if !ok {
			nx = int32(len(b.lx.pnodes))
			b.lx.pnodes = append(b.lx.pnodes, phraseNode{})
			if b.lx.pnodes[n].next == nil {
				b.lx.pnodes[n].next = map[int32]int32{}
			}
			b.lx.pnodes[n].next[sid] = nx
		}
		n = nx
	}
	for _, x := range b.lx.pnodes[n].entries {
		if x == id {
			return
		}
	}
	b.lx.pnodes[n].entries = append(b.lx.pnodes[n].entries, id)
}

// slot interns the word patterns of one pattern word (two for Uzbek Latin, which
// also matches its Cyrillic spelling) as one phrase slot.
func (b *lexBuilder) slot(alts []int32) int32 {
	sorted := append([]int32(nil), alts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	key := fmt.Sprint(sorted)
	if id, ok := b.slotIdx[key]; ok {
		return id
	}
	id := int32(len(b.slotIdx))
	b.slotIdx[key] = id
	for _, w := range sorted {
		b.lx.slotsOf[w] = append(b.lx.slotsOf[w], id)
	}
	return id
}

// words compiles one pattern word into word patterns (two for Uzbek: Latin and
// Cyrillic spellings).
func (b *lexBuilder) words(w string, langs uint8) ([]int32, error) {
	mode := modeInflect
	switch {
	case strings.HasPrefix(w, "="):
		mode, w = modeExact, w[1:]
	case strings.HasSuffix(w, "*"):
		mode, w = modePrefix, strings.TrimSuffix(w, "*")
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && !isApostrophe(r) && !unicode.IsDigit(r) {
			return nil, fmt.Errorf("word %q: only letters allowed (use separate words for hyphenated compounds)", w)
		}
	}
	if w == "" {
		return nil, errors.New("empty word")
	}
	spellings := []string{w}
	if langs&langUZ != 0 && isLatinWord(w) {
		spellings = append(spellings, uzLatinToCyrillic(w))
	}
	var ids []int32
	for _, sp := range spellings {
		ids = append(ids, b.word(sp, mode, langs))
	}
	return ids, nil
}

func isLatinWord(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) && !isLatin(r) {
			return false
		}
	}
	return true
}

func (b *lexBuilder) word(w string, mode, langs uint8) int32 {
	key := foldString(w)
	p := wordPat{mode: mode, langs: langs}
	n := utf8.RuneCountInString(key)
	p.short = n <= 4
	if mode == modeInflect && langs&langRU != 0 && !p.short && !isLatinWord(key) {
		// Russian: index the Snowball stem, accept the endings it strips.
		p.stem = stemRU(key)
		if len([]rune(p.stem)) >= 3 {
			key = p.stem
		}
	}
	if mode == modeInflect && langs&(langEN) != 0 && isLatinWord(key) && n > 4 {
		// English: drop a final e or y so that "disease/diseased", "family/families" meet.
		// ... but never down to a short, generic key ("tranny" must not become "tran").
		if (strings.HasSuffix(key, "e") || strings.HasSuffix(key, "y")) && utf8.RuneCountInString(key) > 5 {
			key = key[:len(key)-1]
		}
	}
	p.key = []rune(key)
	k := fmt.Sprintf("%d|%d|%s", mode, langs, key)
	if id, ok := b.wordIdx[k]; ok {
		return id
	}
	id := int32(len(b.lx.words))
	b.lx.words = append(b.lx.words, p)
	b.lx.slotsOf = append(b.lx.slotsOf, nil)
	b.wordIdx[k] = id
	// insert into the char trie
	n0 := int32(0)
	for _, r := range p.key {
		nx, ok := b.lx.nodes[n0].next[r]
		if !ok {
			nx = int32(len(b.lx.nodes))
			b.lx.nodes = append(b.lx.nodes, trieNode{})
			if b.lx.nodes[n0].next == nil {
				b.lx.nodes[n0].next = map[rune]int32{}
			}
			b.lx.nodes[n0].next[r] = nx
		}
		n0 = nx
	}
	b.lx.nodes[n0].pats = append(b.lx.nodes[n0].pats, id)
	return id
}
