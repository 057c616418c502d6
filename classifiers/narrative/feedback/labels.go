// Package feedback is the analysts' side of the narrative classifier (issue 14, "analysts
// teach it"): the labels analysts and organisation users give in the web UI, stored in
// ClickHouse table narrative_labels (migration 0040), and their use as training and
// evaluation examples. It owns every SQL statement on that table; every value is a bound
// parameter, and every read made for a user is restricted to the user's organisation in
// the SQL (an organisation user never sees another organisation's labels).
package feedback

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kuzot/kuzot/classifiers/narrative"
)

// Actions an analyst takes on a post.
const (
	// ActionConfirm confirms the classifier's flag (the post is homophobic).
	ActionConfirm = "confirm"
	// ActionDismiss dismisses a flag (the post is not homophobic).
	ActionDismiss = "dismiss"
	// ActionCorrect keeps or changes the verdict and corrects frames and labels.
	ActionCorrect = "correct"
	// ActionMissed marks a post the classifier did not flag as homophobic.
	ActionMissed = "missed"
)

// Actions lists the valid actions, in display order (read-only).
var Actions = []string{ActionConfirm, ActionDismiss, ActionCorrect, ActionMissed}

// Frames are the eight narrative frames of TAXONOMY, in display order (read-only).
var Frames = []string{"propaganda_ban", "foreign_agent", "western_values", "traditional_family", "child_protection",
	"political_smear", "dehumanization", "violence_threat"}

// Labels are the forms of homophobic speech of TAXONOMY, in display order (read-only).
// slur_insult is the one label of a non-homophobic post (a slur used as a general insult
// at someone not targeted for being LGBT).
var Labels = []string{"derogation", "stereotype", "dehumanisation", "threat_violence", "exclusion", "identity_denial",
	"slur", "coded", "slur_insult"}

// Kinds are TAXONOMY's kinds: hate for homophobic posts, the others for negatives.
var Kinds = []string{"hate", "self", "counter", "news", "negation", "neutral", "ordinary", "slur_insult"}

// Label is one analyst's label of one post.
type Label struct {
	PostID string `json:"post_id"`
	// Source and PublishedAt locate the post in posts (to join its text for training).
	Source      string    `json:"source"`
	PublishedAt time.Time `json:"published_at"`
	// Org is the organisation of an organisation user, "" for staff.
	Org     string `json:"org,omitempty"`
	Analyst string `json:"analyst"`
	Role    string `json:"role"`
	Action  string `json:"action"`
	// ModelVersion is the model version of the classification the analyst saw.
	ModelVersion string    `json:"model_version"`
	Homophobic   bool      `json:"homophobic"`
	Labels       []string  `json:"labels"`
	Frames       []string  `json:"frames"`
	Kind         string    `json:"kind,omitempty"`
	Note         string    `json:"note,omitempty"`
	LabelledAt   time.Time `json:"labelled_at"`
}

// MaxNoteBytes bounds a label's note.
const MaxNoteBytes = 2048

// Normalize checks a label against TAXONOMY and fills what follows from the action:
// confirm means homophobic, dismiss means not, missed means homophobic; kind defaults to
// hate for homophobic posts. Labels and frames are sorted and deduplicated.
func (l *Label) Normalize() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if l.PostID == "" || len(l.PostID) > 512 || !utf8.ValidString(l.PostID) {
		bad("post id: 1-512 bytes of UTF-8")
	}
	if l.Analyst == "" {
		bad("analyst: required")
	}
	switch l.Action {
	case ActionConfirm, ActionMissed:
		l.Homophobic = true
	case ActionDismiss:
		l.Homophobic = false
	case ActionCorrect:
	default:
		bad("action %q: one of %s", l.Action, strings.Join(Actions, ", "))
	}
	l.Labels, l.Frames = uniqSorted(l.Labels), uniqSorted(l.Frames)
	for _, x := range l.Labels {
		if !slices.Contains(Labels, x) {
			bad("label %q: one of %s", x, strings.Join(Labels, ", "))
		}
	}
	for _, x := range l.Frames {
		if !slices.Contains(Frames, x) {
			bad("frame %q: one of %s", x, strings.Join(Frames, ", "))
		}
	}
	if l.Kind == "" && l.Homophobic {
		l.Kind = "hate"
	}
	if l.Kind != "" && !slices.Contains(Kinds, l.Kind) {
		bad("kind %q: one of %s", l.Kind, strings.Join(Kinds, ", "))
	}
	switch {
	case l.Homophobic && l.Kind != "hate":
		bad("kind %q: a homophobic post has kind hate", l.Kind)
	case !l.Homophobic && l.Kind == "hate":
		bad("kind hate: the post is not marked homophobic")
	case !l.Homophobic && len(l.Frames) > 0:
		bad("frames: a post that is not homophobic has no narrative frames")
	case !l.Homophobic && len(l.Labels) > 0 && !slices.Equal(l.Labels, []string{"slur_insult"}):
		bad("labels: a post that is not homophobic has no labels except slur_insult")
	case l.Homophobic && slices.Contains(l.Labels, "slur_insult"):
		bad("labels: slur_insult marks a slur used as a general insult, which is not homophobic")
	}
	if len(l.Note) > MaxNoteBytes || !utf8.ValidString(l.Note) {
		bad("note: at most %d bytes of UTF-8", MaxNoteBytes)
	}
	return errors.Join(errs...)
}

func uniqSorted(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Scope restricts reads to what a user may see: staff (admin, analyst) see every label;
// an organisation user sees only its organisation's.
type Scope struct {
	All bool
	Org string
}

// LabelID is the stable id of the analysts' label of a post: "label:" + post id. The
// latest label of a post replaces the earlier ones, so the id depends on the post only.
func LabelID(postID string) string { return "label:" + postID }

// PartOf is the frozen part of the label of a post, by the one split rule of every
// labelled data set, kuzot-split-v1 (narrative.SplitOf) over LabelID: bucket =
// FNV-1a-32("kuzot-split-v1:" + "label:" + post id) mod 100; < 20 test (held out for
// `kuzot model compare`), 20-34 dev (candidate selection and calibration), the rest
// train. A post stays in its part for good however often it is relabelled.
func PartOf(postID string) narrative.Part { return narrative.SplitOf(LabelID(postID)) }

// HeldOut reports whether the label of a post belongs to the frozen test part of the
// analysts' labels (PartOf is test), about one label in five.
func HeldOut(postID string) bool { return PartOf(postID) == narrative.PartTest }

// ModelVersion extracts the model version from a narrative classifier version
// ("narrative/1 lexicon/… model/1a2b3c4d" gives "1a2b3c4d"; "none" for rules only); it
// returns "" when the version names no model.
func ModelVersion(classifierVersion string) string {
	for _, f := range strings.Fields(classifierVersion) {
		if v, ok := strings.CutPrefix(f, "model/"); ok {
			return v
		}
	}
	return ""
}
