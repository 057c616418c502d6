package reports

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/narrative"
)

// excerptRunes is the length of a notable post's excerpt.
const excerptRunes = 280

// notableCandidates times NotableN is how many of the period's most viewed posts (any,
// flagged or not) set the views threshold of the notable posts.
const notableCandidates = 200

// notable lists the flagged posts of the period with the most views, redacted, with the
// classifier's evidence phrases.
func (q *query) notable(ctx context.Context, r *Report) error {
	type row struct {
		id, source, channel, url, title, text string
		views                                 uint64
		published                             time.Time
	}
	// Steps: find a views threshold that the most viewed posts pass (a partial sort of
	// one numeric column), rank the flagged posts above it, then read the texts of the
	// top posts only. The membership test in the flagged set then runs on a few thousand
	// rows instead of every post of the period. If too few flagged posts pass, the
	// threshold is dropped.
	const period = "published_at >= toDateTime(@from) AND published_at < toDateTime(@to)"
	var threshold uint64
	if err := q.conn.QueryRow(q.ctx(ctx, nil), `SELECT min(v) FROM (SELECT views AS v FROM posts PREWHERE `+period+`
		ORDER BY views DESC LIMIT @candidates)`, q.args(clickhouse.Named("candidates", notableCandidates*q.o.NotableN))...).Scan(&threshold); err != nil {
		return fmt.Errorf("views threshold: %w", err)
	}
	var top []string
	for _, th := range []uint64{threshold, 0} {
		top = top[:0]
		err := q.scan(ctx, `SELECT id FROM posts
			PREWHERE `+period+` AND views >= @threshold
			WHERE id IN (SELECT post_id FROM `+scratchName(q.flagged)+` WHERE cur = 1)
			GROUP BY id ORDER BY max(views) DESC, id LIMIT @n`,
			func(rs driver.Rows) error {
				var id string
				if err := rs.Scan(&id); err != nil {
					return err
				}
				top = append(top, id)
				return nil
			}, q.args(clickhouse.Named("threshold", th), clickhouse.Named("n", q.o.NotableN))...)
		if err != nil {
			return fmt.Errorf("most viewed: %w", err)
		}
		if len(top) == q.o.NotableN || th == 0 {
			break
		}
	}
	if len(top) == 0 {
		return nil
	}
	ids := clickhouse.GroupSet{Value: make([]any, len(top))}
	for i, id := range top {
		ids.Value[i] = id
	}
	byID := map[string]row{}
	err := q.scan(ctx, `SELECT id, argMax(source, version), argMax(channel, version), argMax(url, version),
		argMax(title, version), argMax(text, version), argMax(views, version), min(published_at)
		FROM posts
		PREWHERE id IN @ids AND `+period+`
		GROUP BY id`,
		func(rs driver.Rows) error {
			var x row
			if err := rs.Scan(&x.id, &x.source, &x.channel, &x.url, &x.title, &x.text, &x.views, &x.published); err != nil {
				return err
			}
			byID[x.id] = x
			return nil
		}, q.args(clickhouse.Named("ids", ids))...)
	if err != nil {
		return fmt.Errorf("texts: %w", err)
	}
	rows := make([]row, 0, len(top))
	for _, id := range top {
		if x, ok := byID[id]; ok {
			rows = append(rows, x)
		}
	}
	// Rank by the newest version's views (the candidates were found on any version's).
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].views != rows[j].views {
			return rows[i].views > rows[j].views
		}
		return rows[i].id < rows[j].id
	})

	type verdict struct {
		frames   []string
		score    float64
		evidence []string
	}
	verdicts := map[string]verdict{}
	err = q.scan(ctx, `SELECT post_id, labels, score, result FROM classifications FINAL
		WHERE classifier = @classifier AND post_id IN @ids`,
		func(rs driver.Rows) error {
			var id, result string
			var v verdict
			var score float32
			if err := rs.Scan(&id, &v.frames, &score, &result); err != nil {
				return err
			}
			v.score = roundTo(float64(score), 3)
			v.evidence = EvidencePhrases(result)
			verdicts[id] = v
			return nil
		}, clickhouse.Named("classifier", narrative.Name), clickhouse.Named("ids", ids))
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	// Where the exposure classifier saw personal data it stored the text with every
	// identifier masked: show that version rather than the raw text.
	redacted := map[string]string{}
	err = q.scan(ctx, `SELECT post_id, redacted_text FROM exposures FINAL WHERE post_id IN @ids`,
		func(rs driver.Rows) error {
			var id, t string
			if err := rs.Scan(&id, &t); err != nil {
				return err
			}
			redacted[id] = t
			return nil
		}, clickhouse.Named("ids", ids))
	if err != nil {
		return fmt.Errorf("redacted texts: %w", err)
	}
	for _, x := range rows {
		text := strings.TrimSpace(x.text)
		if x.title != "" {
			text = strings.TrimSpace(x.title + ". " + text)
		}
		if t, ok := redacted[x.id]; ok && t != "" {
			text = t
		}
		v := verdicts[x.id]
		ev := make([]string, 0, len(v.evidence))
		for _, e := range v.evidence {
			ev = append(ev, truncateRunes(redactText(e), 120))
		}
		r.Notable = append(r.Notable, NotablePost{
			Platform: x.source, Channel: x.channel, URL: redactURL(x.url), PublishedAt: x.published.UTC(),
			Views: x.views, Frames: nonNil(v.frames), Score: v.score,
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
