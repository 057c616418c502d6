package feedback

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/storage"
)

// Store reads and writes narrative_labels.
type Store struct {
	Conn driver.Conn
}

// maxLabelRows caps the label lists read for one page.
const maxLabelRows = 200

const insertLabel = `INSERT INTO narrative_labels (post_id, source, published_at, org, analyst, role, action,
	model_version, homophobic, labels, frames, kind, note, labelled_at, version)`

const labelCols = `post_id, source, published_at, org, analyst, role, action, model_version, homophobic, labels,
	frames, kind, note, labelled_at`

// Add validates (Normalize) and stores a label. LabelledAt defaults to now.
func (s Store) Add(ctx context.Context, l Label) error {
	if err := l.Normalize(); err != nil {
		return err
	}
	if l.LabelledAt.IsZero() {
		l.LabelledAt = time.Now()
	}
	b, err := s.Conn.PrepareBatch(ctx, insertLabel)
	if err != nil {
		return fmt.Errorf("add narrative label: %w", err)
	}
	defer b.Close()
	var h uint8
	if l.Homophobic {
		h = 1
	}
	if err := b.Append(l.PostID, l.Source, clampTime(l.PublishedAt), l.Org, l.Analyst, l.Role, l.Action, l.ModelVersion,
		h, l.Labels, l.Frames, l.Kind, l.Note, l.LabelledAt.UTC(), uint64(l.LabelledAt.UnixNano())); err != nil {
		return fmt.Errorf("add narrative label: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("add narrative label: %w", err)
	}
	return nil
}

// clampTime keeps a time inside ClickHouse DateTime's range (zero times become 1970).
func clampTime(t time.Time) time.Time {
	if t.Before(time.Unix(0, 0)) {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}

func scanLabel(rows driver.Rows) (Label, error) {
	var l Label
	var h uint8
	err := rows.Scan(&l.PostID, &l.Source, &l.PublishedAt, &l.Org, &l.Analyst, &l.Role, &l.Action, &l.ModelVersion, &h,
		&l.Labels, &l.Frames, &l.Kind, &l.Note, &l.LabelledAt)
	l.Homophobic = h == 1
	return l, err
}

// scopeCond is the organisation condition of sc (an organisation user reads its own
// org's rows only; "" is never an organisation, see web's authentication).
func scopeCond(sc Scope) (string, []any) {
	if sc.All {
		return "", nil
	}
	return ` AND org = ?`, []any{sc.Org}
}

// ForPost lists the labels of one post visible in sc, newest first.
func (s Store) ForPost(ctx context.Context, sc Scope, postID string) ([]Label, error) {
	cond, args := scopeCond(sc)
	return s.list(ctx, `SELECT `+labelCols+` FROM narrative_labels WHERE post_id = ?`+cond+`
		ORDER BY version DESC LIMIT ?`, append(append([]any{postID}, args...), maxLabelRows)...)
}

// Recent lists the newest labels visible in sc (at most limit, capped at 200).
func (s Store) Recent(ctx context.Context, sc Scope, limit int) ([]Label, error) {
	if limit <= 0 || limit > maxLabelRows {
		limit = maxLabelRows
	}
	cond, args := scopeCond(sc)
	return s.list(ctx, `SELECT `+labelCols+` FROM narrative_labels WHERE 1 = 1`+cond+`
		ORDER BY version DESC LIMIT ?`, append(args, limit)...)
}

// LatestFor returns the newest label visible in sc of each of ids (posts without one are
// absent), for marking labelled posts in lists.
func (s Store) LatestFor(ctx context.Context, sc Scope, ids []string) (map[string]Label, error) {
	out := map[string]Label{}
	if len(ids) == 0 {
		return out, nil
	}
	cond, args := scopeCond(sc)
	ls, err := s.list(ctx, `SELECT `+labelCols+` FROM narrative_labels WHERE post_id IN ?`+cond+`
		ORDER BY version DESC LIMIT 1 BY post_id`, append([]any{storage.InSet(ids)}, args...)...)
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		out[l.PostID] = l
	}
	return out, nil
}

func (s Store) list(ctx context.Context, q string, args ...any) ([]Label, error) {
	rows, err := s.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("narrative labels: %w", err)
	}
	defer rows.Close()
	var out []Label
	for rows.Next() {
		l, err := scanLabel(rows)
		if err != nil {
			return nil, fmt.Errorf("narrative labels: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("narrative labels: %w", err)
	}
	return out, nil
}

// Latest returns the latest label of every labelled post, over all organisations (the
// newest label of a post wins, whoever gave it): what training and evaluation use.
// Callers are operators' commands, never a user's request.
func (s Store) Latest(ctx context.Context) ([]Label, error) {
	return s.list(ctx, `SELECT `+labelCols+` FROM narrative_labels ORDER BY post_id, version DESC LIMIT 1 BY post_id`)
}

// textChunk bounds the ids of one posts lookup.
const textChunk = 1000

// LabelledPost is a latest label joined with its post's text.
type LabelledPost struct {
	Label
	Text string
	Lang string
}

// WithTexts joins labels with their posts' texts (the newest version of each post).
// Labels whose post is no longer stored (retention), or whose post exposes someone
// (exposures, exposed = 1: its raw text holds personal data), are dropped and counted.
func (s Store) WithTexts(ctx context.Context, ls []Label) ([]LabelledPost, int, error) {
	type tl struct{ text, lang string }
	texts := map[string]tl{}
	for start := 0; start < len(ls); start += textChunk {
		part := ls[start:min(start+textChunk, len(ls))]
		ids := make([]string, len(part))
		srcs := map[string]bool{}
		var sources []string
		lo, hi := part[0].PublishedAt, part[0].PublishedAt
		for i, l := range part {
			ids[i] = l.PostID
			if !srcs[l.Source] {
				srcs[l.Source] = true
				sources = append(sources, l.Source)
			}
			if l.PublishedAt.Before(lo) {
				lo = l.PublishedAt
			}
			if l.PublishedAt.After(hi) {
				hi = l.PublishedAt
			}
		}
		got, err := storage.PostTexts(ctx, s.Conn, sources, ids, clampTime(lo), clampTime(hi))
		if err != nil {
			return nil, 0, fmt.Errorf("labelled post texts: %w", err)
		}
		for id, t := range got {
			texts[id] = tl{text: t.Text, lang: t.Lang}
		}
		// Posts that expose someone never go into training data: their raw text holds
		// the personal data the exposure classifier found.
		exposing, err := storage.ExposingPosts(ctx, s.Conn, sources, ids, clampTime(lo), clampTime(hi))
		if err != nil {
			return nil, 0, fmt.Errorf("labelled posts: exposures: %w", err)
		}
		for id := range exposing {
			delete(texts, id)
		}
	}
	out := make([]LabelledPost, 0, len(ls))
	missing := 0
	for _, l := range ls {
		t, ok := texts[l.PostID]
		if !ok || t.text == "" {
			missing++
			continue
		}
		out = append(out, LabelledPost{Label: l, Text: t.text, Lang: t.lang})
	}
	return out, missing, nil
}

// DatasetLabels is the data set name of the analysts' labels as examples, beside the
// data sets of narrative.LoadData.
const DatasetLabels = "analysts-labels"

// Example turns a labelled post into a narrative training or evaluation example. Its id
// is LabelID, its data set DatasetLabels and its part PartOf (kuzot-split-v1). It carries
// the analyst's verdict, kind, frames and taxonomy labels (derogation, stereotype, ...,
// slur_insult) for the model's heads:
//   - frames count as known (the form shows the classifier's frames ticked, so a confirm
//     or a correction states them), except for a post marked missed without frames (the
//     explorer's one-click button): the frame heads skip it;
//   - taxonomy labels count as known on a post that is not homophobic (the analyst left
//     slur_insult unticked or ticked it; kind slur_insult implies the label) and on a
//     homophobic post with at least one label ticked; a homophobic post without any
//     label (a confirm in one click) leaves the label heads alone.
func (p LabelledPost) Example() narrative.Example {
	known := !(p.Action == ActionMissed && p.Homophobic && len(p.Frames) == 0)
	e := narrative.Example{ID: LabelID(p.PostID), Lang: p.Lang, Text: p.Text, Homophobic: p.Homophobic,
		Kind: p.Kind, FramesKnown: known, Dataset: DatasetLabels, Part: PartOf(p.PostID)}
	for _, f := range p.Frames {
		e.Frames = append(e.Frames, narrative.Frame(f))
	}
	for _, l := range p.Labels {
		e.Labels = append(e.Labels, narrative.Label(l))
	}
	if !p.Homophobic && p.Kind == "slur_insult" && !slices.Contains(p.Labels, "slur_insult") {
		e.Labels = append(e.Labels, narrative.LabelSlurInsult)
	}
	e.LabelsKnown = !p.Homophobic || len(e.Labels) > 0
	return e
}

// TrainingExamples turns labelled posts into examples for narrative.TrainAndSelect,
// each weighing weight in training (narrative.Example.Weight) and keeping its frozen part.
func TrainingExamples(ps []LabelledPost, weight float64) []narrative.Example {
	out := make([]narrative.Example, 0, len(ps))
	for _, p := range ps {
		e := p.Example()
		e.Weight = weight
		out = append(out, e)
	}
	return out
}

// SplitExamples turns labelled posts into examples and splits them by PartOf into the
// part a candidate may learn from (train and dev) and the frozen test part.
func SplitExamples(ps []LabelledPost) (train, held []narrative.Example) {
	for _, p := range ps {
		if e := p.Example(); e.Part == narrative.PartTest {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	return train, held
}
