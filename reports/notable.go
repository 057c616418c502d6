package reports

import (
	"context"
	"sort"
	"strings"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/storage/readmodel"
)

// excerptRunes is the length of a notable post's excerpt.
const excerptRunes = 280

// notableCandidates times NotableN is how many of the period's most viewed posts (any,
// flagged or not) set the views threshold of the notable posts.
const notableCandidates = 200

// notable lists the flagged posts of the period with the most views, redacted, with the
// classifier's evidence phrases.
func (q *query) notable(ctx context.Context, r *Report) error {
	// Steps: find a views threshold that the most viewed posts pass (a partial sort of
	// one numeric column), rank the flagged posts above it, then read the texts of the
	// top posts only. The membership test in the flagged set then runs on a few thousand
	// rows instead of every post of the period. If too few flagged posts pass, the
	// threshold is dropped.
	threshold, err := readmodel.ViewsThreshold(q.ctx(ctx, nil), q.conn, q.period, notableCandidates*q.o.NotableN)
	if err != nil {
		return err
	}
	var top []string
	for _, th := range []uint64{threshold, 0} {
		if top, err = q.flagged.MostViewed(q.ctx(ctx, finalSettings), th, q.o.NotableN); err != nil {
			return err
		}
		if len(top) == q.o.NotableN || th == 0 {
			break
		}
	}
	if len(top) == 0 {
		return nil
	}
	viewed, err := readmodel.ViewedPosts(q.ctx(ctx, finalSettings), q.conn, q.period, top)
	if err != nil {
		return err
	}
	byID := make(map[string]readmodel.ViewedPost, len(viewed))
	for _, x := range viewed {
		byID[x.ID] = x
	}
	rows := make([]readmodel.ViewedPost, 0, len(top))
	for _, id := range top {
		if x, ok := byID[id]; ok {
			rows = append(rows, x)
		}
	}
	// Rank by the newest version's views (the candidates were found on any version's).
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Views != rows[j].Views {
			return rows[i].Views > rows[j].Views
		}
		return rows[i].ID < rows[j].ID
	})
	verdicts, err := readmodel.NarrativesOf(q.ctx(ctx, finalSettings), q.conn, top)
	if err != nil {
		return err
	}
	// Where the exposure classifier saw personal data it stored the text with every
	// identifier masked: show that version rather than the raw text.
	redacted, err := readmodel.RedactedTextsOf(q.ctx(ctx, finalSettings), q.conn, top)
	if err != nil {
		return err
	}
	for _, x := range rows {
		text := strings.TrimSpace(x.Text)
		if x.Title != "" {
			text = strings.TrimSpace(x.Title + ". " + text)
		}
		if t, ok := redacted[x.ID]; ok && t != "" {
			text = t
		}
		v, found := verdicts[x.ID]
		ev := []string{}
		if found {
			for _, e := range EvidencePhrases(v.Result) {
				ev = append(ev, truncateRunes(redactText(e), 120))
			}
		}
		r.Notable = append(r.Notable, NotablePost{
			Platform: x.Source, Channel: x.Channel, URL: redactURL(x.URL), PublishedAt: x.PublishedAt.UTC(),
			Views: x.Views, Frames: nonNil(v.Frames), Score: roundTo(v.Score, 3),
			Excerpt: truncateRunes(redactText(collapseSpace(text)), excerptRunes), Evidence: ev,
		})
	}
	return nil
}

// EvidencePhrases extracts the distinct evidence phrases (at most five) of a narrative
// result, decoded through the classifier's own type (narrative.DecodeResult)
// ({"evidence":[{"text":…}]}). A result that does not parse gives no evidence rather than
// failing the report: the post is still listed.
func EvidencePhrases(result string) []string {
	v, err := narrative.DecodeResult([]byte(result))
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, e := range v.Evidence {
		t := collapseSpace(e.Text)
		if t != "" && !seen[t] && len(out) < 5 {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
