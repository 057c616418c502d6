package narrative

// Label is a sub-label of the shared narrative taxonomy (TAXONOMY.md, issue 14): the
// form of homophobic speech. Frames stay a separate list of sub-labels.
type Label string

// The taxonomy labels. Ids are part of the output schema: never rename one.
const (
	LabelDerogation     Label = "derogation"
	LabelStereotype     Label = "stereotype"
	LabelDehumanisation Label = "dehumanisation"
	LabelThreatViolence Label = "threat_violence"
	LabelExclusion      Label = "exclusion"
	LabelIdentityDenial Label = "identity_denial"
	LabelSlur           Label = "slur"
	LabelCoded          Label = "coded"
	// LabelSlurInsult is an anti-LGBT slur used as a general insult at someone not
	// targeted for being LGBT: homophobic language, but not a narrative about LGBT
	// people. A post with only this label is not flagged (homophobic is false); analysts
	// filter these separately.
	LabelSlurInsult Label = "slur_insult"
)

// labelList lists the labels in output order (read-only; AllLabels hands out copies).
var labelList = [...]Label{
	LabelDerogation, LabelStereotype, LabelDehumanisation, LabelThreatViolence,
	LabelExclusion, LabelIdentityDenial, LabelSlur, LabelCoded, LabelSlurInsult,
}

// AllLabels lists every taxonomy label in output order.
func AllLabels() []Label { return append([]Label(nil), labelList[:]...) }

func labelIndex(l Label) int {
	for i, g := range labelList {
		if g == l {
			return i
		}
	}
	return -1
}

// Example kinds (TAXONOMY.md): hate for homophobic items, the rest are negative kinds.
const (
	KindHate       = "hate"
	KindSelf       = "self"
	KindCounter    = "counter"
	KindNews       = "news"
	KindNegation   = "negation"
	KindNeutral    = "neutral"
	KindOrdinary   = "ordinary"
	KindSlurInsult = "slur_insult"
	// KindReclaimed is the original corpus's kind for reclaimed slurs (TAXONOMY folds
	// it into self).
	KindReclaimed = "reclaimed"
)

var knownKinds = map[string]bool{
	KindHate: true, KindSelf: true, KindCounter: true, KindNews: true, KindNegation: true,
	KindNeutral: true, KindOrdinary: true, KindSlurInsult: true, KindReclaimed: true,
}
