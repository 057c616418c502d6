package narrative

import (
	"sort"
)

// Frame is a narrative frame id, as stored in ClickHouse and shown on dashboards.
type Frame string

// The eight frames of issue 4 (see ../shared/docs/context.md). Ids are part of the
// output schema: never rename one.
const (
	FramePropagandaBan     Frame = "propaganda_ban"
	FrameForeignAgent      Frame = "foreign_agent"
	FrameWesternValues     Frame = "western_values"
	FrameTraditionalFamily Frame = "traditional_family"
	FrameChildProtection   Frame = "child_protection"
	FramePoliticalSmear    Frame = "political_smear"
	FrameDehumanization    Frame = "dehumanization"
	FrameViolenceThreat    Frame = "violence_threat"
)

// frameList lists every frame in output order (read-only; AllFrames hands out copies).
var frameList = [...]Frame{
	FramePropagandaBan, FrameForeignAgent, FrameWesternValues, FrameTraditionalFamily,
	FrameChildProtection, FramePoliticalSmear, FrameDehumanization, FrameViolenceThreat,
}

// AllFrames lists every frame id in output order, for dashboards, schemas and tests.
func AllFrames() []Frame { return append([]Frame(nil), frameList[:]...) }

func parseFrame(s string) (Frame, bool) {
	for _, f := range frameList {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

func frameIndex(f Frame) int {
	for i, g := range frameList {
		if g == f {
			return i
		}
	}
	return -1
}

// Guard kinds: the reasons a frame match is downgraded or dropped.
const (
	GuardSelf      = "self_reference"
	GuardReclaimed = "reclaimed"
	GuardCounter   = "counter_speech"
	GuardReported  = "reported_speech"
	GuardNegation  = "negation"
)

// Tunables of the rule layer. They are constants, not configuration, because the
// trained model learns its weights on top of them; changing one changes Version.
const (
	targetWindow = 12   // tokens between a frame cue and its target, same sentence
	selfWindow   = 1    // tokens allowed between "я/I am/мен" and the identity term
	multSelf     = 0.25 // score multiplier when the author speaks about themselves
	multCounter  = 0.3  // ... when the post criticises the narrative
	multReport   = 0.4  // ... when the post reports someone else's words
	multQuoted   = 0.5  // extra, for evidence inside quotation marks of a report
)

// guardSet is a small set of guard names (no map allocation per post).
type guardSet uint8

func guardBit(g string) guardSet {
	for i, h := range guardOrder {
		if h == g {
			return 1 << i
		}
	}
	return 0
}

func (s *guardSet) set(g string)     { *s |= guardBit(g) }
func (s guardSet) has(g string) bool { return s&guardBit(g) != 0 }

// Evidence is one explanation span: byte offsets into the original post text, the
// text found there and the frame it supports.
type Evidence struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Frame Frame  `json:"frame"`
}

// ruleOutcome is the rule layer's verdict, also the input of the model's rule features.
type ruleOutcome struct {
	score    float64
	frames   [len(frameList)]bool // unguarded frame evidence
	guarded  [len(frameList)]bool // frame evidence removed or downgraded by a guard
	evidence []Evidence
	guards   guardSet
	target   bool // an identity term or slur is present
	slur     bool // a slur that is neither negated nor reclaimed
	cue      bool // a frame cue other than a slur counted (not only slurs)
	negated  bool // a cue was negated
	quoted   bool // evidence inside quotes
	implicit bool // the thread's topic is the implicit target (thread.go)
}

// applyRules runs proximity rules and the guard layer over the matches in a.
func (a *analysis) applyRules() ruleOutcome {
	lx := a.lx
	out := ruleOutcome{}
	a.indexHits()
	var (
		selfRef, ingroup, counter, report bool
		unquotedEvidence                  bool
	)
	targets := a.targets[:0]
	for _, h := range a.hits {
		e := &lx.entries[h.entry]
		switch e.kind {
		case kindTarget, kindSlur:
			targets = append(targets, h)
			out.target = true
		case kindFrame:
			if e.anchor {
				targets = append(targets, h)
				out.target = true
			}
		case kindIngroup:
			ingroup = true
		// Counter-speech and reporting cues speak for the author only in the author's
		// own words: on a quoted reply line or in scare quotes they are someone
		// else's (">>…huquqi bor" answered with "Huquq? Qanaqa huquq?", «ВОЗ»,
		// "human rights" NGOs). A longer quotation keeps its cue: it is often the
		// author's own slogan (“love is love”, «гомофобия — это не мнение»).
		case kindCounter:
			if !a.negated(h) && !a.othersWords(h) {
				counter = true
			}
		case kindReport:
			if !a.othersWords(h) && (!e.final || a.endsClause(h)) {
				report = true
			}
		}
	}
	a.targets = targets // hits are in token order, so targets are sorted by t0
	// A comment that names no target of its own under a root about LGBT people: the
	// root's topic is its implicit target (issue 17, thread.go).
	// It needs words of its own that point at someone or say something hostile: a
	// pronoun standing for a target ("them", "таких", "алар") or a frame cue; "ok" or
	// "first!" under a hateful root is judged as without the thread.
	implicit := a.threadLGBT && len(targets) == 0 && (len(a.anaSents) > 0 || a.hasFrameCue())
	if implicit {
		out.target, out.implicit = true, true
	}
	// Self-reference: a first-person cue followed closely by an identity term in the
	// same sentence, with no negation in between ("я гей", "as a trans woman", not
	// "я не гей").
	for _, h := range a.hits {
		if selfRef || lx.entries[h.entry].kind != kindSelf {
			continue
		}
		win := int32(selfWindow)
		if lx.entries[h.entry].adjacent {
			win = 0
		}
		k := sort.Search(len(targets), func(i int) bool { return targets[i].t0 >= h.t1 })
		for ; k < len(targets) && targets[k].t0-h.t1 <= win; k++ {
			t := targets[k]
			te := &lx.entries[t.entry]
			if te.kind == kindFrame || (te.kind == kindSlur && !te.reclaimable) {
				continue
			}
			if t.t0 >= h.t1 && t.t0-h.t1 <= win && a.toks[t.t0].sent == a.toks[h.t0].sent && !a.negationBetween(h.t1, t.t0) && !a.obliqueCase(t) {
				selfRef = true
			}
		}
	}

	prod := 1.0
	addEv := func(h hit, f Frame) {
		if !a.toks[h.t0].quoted {
			unquotedEvidence = true
		}
		out.evidence = append(out.evidence, Evidence{Start: a.toks[h.t0].start, End: a.toks[h.t1-1].end, Text: a.text[a.toks[h.t0].start:a.toks[h.t1-1].end], Frame: f})
	}
	for i, h := range a.hits {
		e := &lx.entries[h.entry]
		if e.kind != kindFrame && e.kind != kindSlur {
			continue
		}
		if a.insideLongerCue(i) {
			continue // "foreign agents" is foreign_agent, not also "foreign" (western_values)
		}
		fi := frameIndex(e.frame)
		if a.negated(h) {
			out.negated = true
			out.guarded[fi] = true
			out.guards.set(GuardNegation)
			continue
		}
		if e.kind == kindSlur && e.reclaimable && (selfRef || ingroup) {
			out.guarded[fi] = true
			out.guards.set(GuardReclaimed)
			continue
		}
		if e.kind == kindSlur {
			out.slur = true
		}
		w := e.weight
		var target *hit
		if !e.anchor && !implicit {
			target = a.nearestTarget(h, targets)
			if target == nil {
				continue
			}
		}
		if implicit && !e.anchor && a.toks[h.t0].quoted {
			// A quoted phrase with only the thread for a target: scare quotes and
			// reported words look alike, so it is judged as without the thread.
			continue
		}
		if a.toks[h.t0].quoted {
			// Mention, not use: a phrase in quotation marks is usually someone else's
			// words, all the more so in a post that reports or criticises them.
			w *= multQuoted
			if report || counter {
				w *= multQuoted
			}
			out.quoted = true
			out.guarded[fi] = true
			out.guards.set(GuardReported)
		}
		out.frames[fi] = true
		if e.kind == kindFrame {
			out.cue = true
		}
		prod *= 1 - w
		addEv(h, e.frame)
		if target != nil {
			addEv(*target, e.frame)
		}
	}
	score := 1 - prod
	if out.quoted && !unquotedEvidence {
		// Every piece of evidence is inside quotation marks: the post mentions the
		// words rather than uses them.
		score *= multReport
	}
	if selfRef || ingroup {
		score *= multSelf
		out.guards.set(GuardSelf)
	}
	if counter {
		score *= multCounter
		out.guards.set(GuardCounter)
	}
	if report {
		score *= multReport
		out.guards.set(GuardReported)
	}
	if score < 1-prod {
		for i := range out.frames {
			if out.frames[i] {
				out.guarded[i] = true
			}
		}
	}
	out.score = score
	out.evidence = dedupEvidence(out.evidence)
	return out
}

// endsClause reports whether hit h is the last word of its clause: the finite verb of
// a Kyrgyz or Uzbek clause ("… керек деген, мен ага макул эмесмин"), not the
// participle that means "so-called" ("ЛГБТ деген бир оору").
func (a *analysis) endsClause(h hit) bool {
	return int(h.t1) >= len(a.toks) || a.toks[h.t1].clause != a.toks[h.t1-1].clause
}

// scareQuoteWords is the longest quotation read as scare quotes: a word or two.
const scareQuoteWords = 2

// othersWords reports whether hit h stands on a quoted reply line or inside scare
// quotes (a quoted span of at most scareQuoteWords words).
func (a *analysis) othersWords(h hit) bool {
	t := &a.toks[h.t0]
	if t.replyQuote {
		return true
	}
	if t.quote == 0 {
		return false
	}
	n := 0
	for k := int(h.t0); k >= 0 && a.toks[k].quote == t.quote; k-- {
		n++
	}
	for k := int(h.t0) + 1; k < len(a.toks) && a.toks[k].quote == t.quote; k++ {
		n++
	}
	return n <= scareQuoteWords
}

// obliqueEndings mark an identity term as an object, not a self-label: "я геев
// (ненавижу)", "мен гейлерди (жактырбайм)", "men geylarni" are not "я гей", "мен гей".
// Only endings that no nominative self-label ends with are listed (not -ка: лесбиянка).
var obliqueEndings = func() [][]rune {
	var out [][]rune
	for _, e := range []string{
		"ев", "ов", "ям", "ами", "ями", "ах", "ях", // Russian plural oblique cases
		"ди", "ды", "ду", "ны", "ни", "ну", "ти", "ты", "ту", "га", "ге", "го", // Kyrgyz accusative, dative
		"нын", "нин", "нун", "дын", "дин", "дун", "дан", "ден", "дон", "тан", "тен", "тон",
		"ni", "ga", "ning", "dan", // Uzbek
	} {
		out = append(out, []rune(foldString(e)))
	}
	return out
}()

func (a *analysis) obliqueCase(t hit) bool {
	if t.t1-t.t0 != 1 {
		return false
	}
	tk := &a.toks[t.t0]
	w := a.norm[tk.n0:tk.n1]
	for _, e := range obliqueEndings {
		if len(w) >= len(e)+1 && runesHasPrefix(w[len(w)-len(e):], e) {
			return true
		}
	}
	return false
}

// insideLongerCue reports whether frame hit i lies inside a longer frame or slur hit,
// so the longest phrase explains those words (leftmost-longest, as a reader would).
func (a *analysis) insideLongerCue(i int) bool {
	h := a.hits[i]
	// Hits are in order of their first token and no phrase is longer than maxPhrase,
	// so a covering hit starts at most maxPhrase tokens before h.
	for j := i - 1; j >= 0 && a.hits[j].t0 >= h.t0-int32(a.lx.maxPhrase); j-- {
		if a.covers(a.hits[j], h) {
			return true
		}
	}
	for j := i + 1; j < len(a.hits) && a.hits[j].t0 == h.t0; j++ {
		if a.covers(a.hits[j], h) {
			return true
		}
	}
	return false
}

// covers reports whether frame or slur hit g strictly contains h.
func (a *analysis) covers(g, h hit) bool {
	k := a.lx.entries[g.entry].kind
	return (k == kindFrame || k == kindSlur) && g.t0 <= h.t0 && g.t1 >= h.t1 && g.t1-g.t0 > h.t1-h.t0
}

// nearestTarget returns the closest target to cue h in the same sentence, within
// targetWindow tokens and not overlapping the cue. Targets are sorted by t0.
func (a *analysis) nearestTarget(h hit, targets []hit) *hit {
	var best *hit
	bestD := int32(1 << 30)
	sent := a.toks[h.t0].sent
	k := sort.Search(len(targets), func(i int) bool { return targets[i].t0 >= h.t1 })
	for j := k; j < len(targets) && targets[j].t0-h.t1 <= targetWindow; j++ {
		if t := &targets[j]; a.toks[t.t0].sent == sent && t.t0-h.t1 < bestD {
			best, bestD = t, t.t0-h.t1
			break
		}
	}
	// Targets starting before the cue's end: before it or overlapping it.
	for j := k - 1; j >= 0 && h.t0-targets[j].t0 <= targetWindow+int32(a.lx.maxPhrase); j-- {
		t := &targets[j]
		if t.t1 > h.t0 || a.toks[t.t0].sent != sent {
			continue // overlaps the cue itself, or another sentence
		}
		if d := h.t0 - t.t1; d <= targetWindow && d < bestD {
			best, bestD = t, d
		}
	}
	if best != nil || sent == 0 || !a.anaphorIn(sent) {
		return best
	}
	// "ЛГБТ — это зло. Их надо гнать.": a pronoun in the cue's sentence refers to a
	// target in the previous sentence.
	k = sort.Search(len(targets), func(i int) bool { return a.toks[targets[i].t0].sent >= sent })
	if k > 0 && a.toks[targets[k-1].t0].sent == sent-1 {
		return &targets[k-1]
	}
	return nil
}

// anaphorIn reports a pronoun standing for a target in sentence sent.
func (a *analysis) anaphorIn(sent int) bool {
	k := sort.SearchInts(a.anaSents, sent)
	return k < len(a.anaSents) && a.anaSents[k] == sent
}

// indexHits builds the per-post indexes the rules use, so that they stay linear
// in the number of tokens even on adversarial 256 KB posts full of cues.
func (a *analysis) indexHits() {
	n := len(a.toks)
	a.negEnd = resizeBools(a.negEnd, n+1)
	a.negStart = resizeBools(a.negStart, n+1)
	a.negStartNear = resizeBools(a.negStartNear, n+1)
	if cap(a.negPrefix) < n+1 {
		a.negPrefix = make([]int32, n+1)
	}
	a.negPrefix = a.negPrefix[:n+1]
	clear(a.negPrefix)
	a.anaSents = a.anaSents[:0]
	for _, h := range a.hits {
		e := &a.lx.entries[h.entry]
		switch e.kind {
		case kindNegation:
			if e.after && e.adjacent {
				a.negStartNear[h.t0] = true
			} else if e.after {
				a.negStart[h.t0] = true
			} else {
				a.negEnd[h.t1] = true
			}
			a.negPrefix[h.t0+1]++
		case kindAnaphor:
			if s := a.toks[h.t0].sent; len(a.anaSents) == 0 || a.anaSents[len(a.anaSents)-1] != s {
				a.anaSents = append(a.anaSents, s)
			}
		}
	}
	for i := 1; i <= n; i++ {
		a.negPrefix[i] += a.negPrefix[i-1]
	}
}

func resizeBools(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// negated reports a negation cue right before h (не болезнь, is not a sin) or a
// postposed one right after it (оору эмес, kasal emas), within h's clause.
func (a *analysis) negated(h hit) bool {
	if a.negEnd[h.t0] && h.t0 > 0 && a.toks[h.t0-1].clause == a.toks[h.t0].clause {
		return true
	}
	// A postposed negation (Kyrgyz эмес/жок, Uzbek emas/yo'q) closes the predicate, so it
	// may follow the cue by a word or two of the same clause: "үй-бүлөгө коркунуч эмес"
	// ("not a threat to the family").
	for j := h.t1; j <= h.t1+postNegWindow && int(j) < len(a.toks); j++ {
		if a.toks[j].clause != a.toks[h.t1-1].clause {
			break
		}
		if a.negStart[j] {
			return true
		}
		// A negation with a person ending ("эмесмин", "emasman": I did not / I am
		// not) negates the word right before it: the cue itself, or a verb of saying
		// or an auxiliary of the cue's own verb after it ("оорулуу деп айткан
		// эмесмин", "I did not say they are sick"; "жек көрүп калган жокмун", "I did
		// not come to hate him"), not a cue further back ("оорулуу экенинен
		// шектенген эмесмин", "I never doubted they are sick").
		if a.negStartNear[j] && a.onlyVerbComplexBetween(h.t1, j) {
			return true
		}
	}
	return false
}

// verbComplexWords may stand between a cue and a negation with a person ending: a
// verb of saying and the auxiliaries that complete a Kyrgyz or Uzbek verb (normalised
// as the text is).
var verbComplexWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		"деп", "айткан", "айтканым", "деген", "deb", "aytgan", "degan", "aytganim",
		"калган", "жаткан", "турган", "койгон", "алган", "берген", "жүргөн",
		"qolgan", "yotgan", "turgan", "qo'ygan", "olgan", "bergan", "yurgan",
	} {
		m[string(foldString(w))] = true
	}
	return m
}()

// onlyVerbComplexBetween reports whether every token in [from, to) is one of
// verbComplexWords (true for none).
func (a *analysis) onlyVerbComplexBetween(from, to int32) bool {
	for k := from; k < to; k++ {
		t := &a.toks[k]
		if !verbComplexWords[string(a.norm[t.n0:t.n1])] {
			return false
		}
	}
	return true
}

// postNegWindow is how many words may stand between a cue and a postposed negation.
const postNegWindow = 2

// negationBetween reports a negation cue starting within tokens [from, to).
func (a *analysis) negationBetween(from, to int32) bool {
	return to > from && a.negPrefix[to]-a.negPrefix[from] > 0
}

// dedupEvidence sorts spans by position and removes exact duplicates, keeping at most
// maxEvidence spans so a 1 MB post cannot produce a 1 MB explanation.
func dedupEvidence(ev []Evidence) []Evidence {
	sort.SliceStable(ev, func(i, j int) bool {
		if ev[i].Start != ev[j].Start {
			return ev[i].Start < ev[j].Start
		}
		if ev[i].End != ev[j].End {
			return ev[i].End < ev[j].End
		}
		return ev[i].Frame < ev[j].Frame
	})
	out := ev[:0]
	for i, e := range ev {
		if i > 0 && e == ev[i-1] {
			continue
		}
		out = append(out, e)
		if len(out) == maxEvidence {
			break
		}
	}
	return out
}

// maxEvidence bounds the evidence list of one post.
const maxEvidence = 32
