package narrative

// Comments in their thread (issue 17). A comment such as "burn them all" or "алардын
// баарын кууш керек" names no target: it is homophobic only because of the post or video
// it answers. Collectors and `kuzot classify` hand the classifier the root's title and
// text as post.Post.Context. The classifier reads the context for one thing only, its
// topic, and never classifies it:
//
//   - root about LGBT people (the rule layer finds an identity term, a slur or an anchor
//     phrase in it) and a comment that names no target of its own: the root's topic is
//     the comment's implicit target. The comment's own frame cues count as if they named
//     LGBT people, and the model's calibration treats the comment as targeted. Every
//     guard of the comment still applies (support, counter-speech, self-reference,
//     reporting, negation), and a comment without hostile words of its own is not
//     flagged however hateful its root: the score comes from the comment's words alone.
//   - root about something else (no identity term, slur or anchor phrase) and a comment
//     that names no LGBT people: not homophobic, whatever it says ("burn them all" under
//     a post about corrupt officials is out of this classifier's scope).
//   - no context, or a comment that names its own target: judged as a post.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// threadTopic is what the root of a comment's thread is about.
type threadTopic int8

const (
	topicNone  threadTopic = iota // no context: a post, or a comment without its root
	topicLGBT                     // the root names LGBT people
	topicOther                    // the root names no LGBT people
)

// Values of Result.Thread.
const (
	// ThreadImplicitTarget: the comment names no target and its root is about LGBT
	// people, whose topic the comment was judged with as its target.
	ThreadImplicitTarget = "implicit-target"
	// ThreadOtherTopic: the comment names no LGBT people and its root is about
	// something else; it is not flagged.
	ThreadOtherTopic = "other-topic"
)

// topicOf reads the topic of a root: LGBT when the rule layer finds an identity term, a
// slur or an anchor phrase in it (quoted, negated or guarded alike: a news report about
// LGBT people and a hateful post both make LGBT people the topic), or one of
// topicPhrases.
func topicOf(a *analysis, lx *lexicon, context string) threadTopic {
	if context == "" {
		return topicNone
	}
	context = cutText(context)
	a.run(lx, context)
	ro := a.applyRules()
	if ro.target || hasTopicPhrase(context) {
		return topicLGBT
	}
	return topicOther
}

// topicPhrases name LGBT people's events and lives without an identity term — what a
// root (a video title, a news headline) says where a comment does not: a pride march, a
// coming-out, a change of sex. They decide a root's topic only, never a flag: a comment
// is judged by its own words. Lower case; matched at the start of a word.
var topicPhrases = []string{
	// ru, ky (Cyrillic)
	"прайд", "гей-парад", "гей парад", "гейпарад", "радужн", "каминг-аут", "камингаут", "совершил каминг", "совершила каминг",
	"смена пола", "смены пола", "сменил пол", "сменила пол", "сменить пол", "однополый брак", "однополые",
	"жынысын алмаштыр", "жынысын өзгөрт", "асан-үсөн", "асан үсөн",
	// uz (Latin and Cyrillic)
	"prayd", "kamalak", "камалак", "gey-parad", "gey parad", "bir jinsli", "jinsini o'zgartir", "jinsini oʻzgartir", "жинсини ўзгартир", "бир жинсли",
	// en
	"pride march", "pride parade", "pride month", "pride flag", "pride event", "pride week", "rainbow flag", "coming out",
	"came out as", "same-sex", "same sex", "drag queen", "drag show", "non-binary", "nonbinary", "trans woman", "trans women",
	"trans man", "trans men", "trans people", "trans kid", "transgender", "gender transition", "gender-affirming",
}

// topicSignal reports whether a post speaks of LGBT people's topics without an identity
// term: a topic phrase, or the rainbow or transgender flag emoji.
func topicSignal(text string) bool {
	return hasTopicPhrase(text) || strings.Contains(text, "🌈") || strings.Contains(text, "🏳️‍⚧️")
}

// hasTopicPhrase reports whether text holds one of topicPhrases at the start of a word.
func hasTopicPhrase(text string) bool {
	low := strings.ToLower(text)
	for _, p := range topicPhrases {
		for off := 0; ; {
			i := strings.Index(low[off:], p)
			if i < 0 {
				break
			}
			i += off
			if r, _ := utf8.DecodeLastRuneInString(low[:i]); i == 0 || !unicode.IsLetter(r) {
				return true
			}
			off = i + len(p)
		}
	}
	return false
}

// ClassifyInThread classifies a comment text in its thread: context is the root's title
// and text (post.Post.Context; "" for a post, which ClassifyText is). It never fails, as
// ClassifyText.
func (c *Classifier) ClassifyInThread(text, context string) *Result {
	a := c.pool.Get().(*analysis)
	defer c.pool.Put(a)
	lx := c.lex.Load()
	topic := topicOf(a, lx, context)
	return c.classify(a, lx, cutText(text), topic)
}

// hasFrameCue reports whether the matches of a hold a frame cue (slurs are targets).
func (a *analysis) hasFrameCue() bool {
	for _, h := range a.hits {
		if a.lx.entries[h.entry].kind == kindFrame {
			return true
		}
	}
	return false
}
