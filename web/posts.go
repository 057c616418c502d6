package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/storage"
	"github.com/kuzot/kuzot/storage/readmodel"
)

// The explorer, overview, post, source and thread pages, composed from the typed reads
// of storage/readmodel over the fact tables the store role writes (posts,
// classifications, exposures, narrative_posts, narrative_daily). The redaction of every
// text they show is decided here.

// Overview computes the landing page for the period [from, to).
func (d *DB) Overview(ctx context.Context, sc Scope, from, to time.Time) (Overview, error) {
	o := Overview{From: from, To: to}
	from, to = from.UTC(), to.UTC()
	// The page's queries are independent: run them concurrently (each writes its own
	// fields of o).
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		if o.Posts, err = readmodel.CountPosts(ctx, d.Conn, from, to); err != nil {
			return fmt.Errorf("overview: %w", err)
		}
		return nil
	})
	// Narrative counts are over whole UTC dates of the period (narrative_daily).
	days := readmodel.DaysOf(from, to)
	g.Go(func() error {
		daily, err := readmodel.DailyFrames(ctx, d.Conn, days)
		if err != nil {
			return fmt.Errorf("overview: %w", err)
		}
		for _, p := range daily {
			o.Daily = append(o.Daily, DayFrame{Day: p.Day, Frame: p.Frame, Posts: p.Posts})
		}
		return nil
	})
	g.Go(func() error {
		var err error
		if o.Flagged, err = readmodel.CountFlagged(ctx, d.Conn, days); err != nil {
			return fmt.Errorf("overview: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		top, err := readmodel.TopChannels(ctx, d.Conn, days, 8)
		if err != nil {
			return fmt.Errorf("overview: %w", err)
		}
		for _, c := range top {
			o.TopChannels = append(o.TopChannels, Count{Label: c.Channel, N: c.Posts})
		}
		return nil
	})
	g.Go(func() error {
		var err error
		if o.Exposures, err = storage.CountExposing(ctx, d.Conn, from, to); err != nil {
			return fmt.Errorf("overview: exposures: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		var err error
		o.Latest, err = d.SearchPosts(ctx, Filter{From: from, To: to, Limit: 8})
		return err
	})
	g.Go(func() error {
		var err error
		o.Incidents, err = d.Incidents(ctx, sc, "open", 8)
		if err != nil {
			return err
		}
		if o.OpenIncidents, err = alerts.CountIncidents(ctx, d.Conn, orgScope(sc), "open"); err != nil {
			return fmt.Errorf("overview: open incidents: %w", err)
		}
		return nil
	})
	return o, g.Wait()
}

// maxOffset bounds explorer paging (candidates are fetched up to offset+limit).
const maxOffset = 5000

// SearchPosts is the narrative explorer: flagged posts matching f, newest first, each with
// its text and evidence (or its redacted text when the post exposes someone).
//
// It reads narrative_posts (migration 0026), ordered by day, flagged and time, and never
// uses FINAL, which merges every granule a query touches on ClickHouse 18.16. Candidates
// are a top-N read of the newest flagged rows with narrow columns, first over the last
// day of the period and then over windows four times wider until enough rows are found
// (rows of a window are all newer than those outside it, so the candidates are exactly
// the period's top N, read from few granules). Then every version of the candidates is
// read from their narrow time range, and a candidate whose newest version no longer
// matches (re-classified) is dropped at once, before merges. Full-text search reads the
// texts of flagged posts only; posts exposing someone have no text there, so a search
// never matches words hidden by redaction.
func (d *DB) SearchPosts(ctx context.Context, f Filter) ([]PostRow, error) {
	limit, offset := clampLimit(f.Limit), min(max(f.Offset, 0), maxOffset)
	from, to := f.From.UTC(), f.To.UTC()
	if !from.Before(to) {
		return nil, nil
	}
	nf := readmodel.NarrativeFilter{Frame: f.Frame, Lang: f.Lang, Source: f.Source, Channel: f.Channel,
		Model: f.Model, Text: f.Q, All: f.All}
	// Twice the rows needed leaves room for duplicate versions and stale rows.
	need := 2 * (offset + limit)
	var c readmodel.Candidates
	for span := 24 * time.Hour; ; {
		start := to.Add(-span)
		if !start.After(from) {
			start = from
		}
		var err error
		if c, err = readmodel.NarrativeCandidates(ctx, d.Conn, nf, start, to, need); err != nil {
			return nil, fmt.Errorf("search posts: %w", err)
		}
		n := c.Rows
		if n >= need || start.Equal(from) {
			break
		}
		// Widen at least fourfold, and at once to where the rows seen so far extrapolate
		// to enough (or to the whole period): a sparse filter scans the period once
		// instead of in several windows.
		grow := time.Duration(4)
		for n*int(grow) < need && grow*span < to.Sub(from) {
			grow *= 4
		}
		span *= grow
	}
	if len(c.IDs) == 0 {
		return nil, nil
	}
	newest, err := d.newestNarrative(ctx, c.Lo, c.Hi, c.IDs)
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	var out []PostRow
	skipped := 0
	for _, id := range c.IDs {
		x, ok := newest[id]
		p := x.p
		if !ok || (!x.flagged && !f.All) || (f.Frame != "" && !slices.Contains(p.Frames, f.Frame)) || (f.Lang != "" && p.Lang != f.Lang) ||
			(f.Source != "" && p.Source != f.Source) || (f.Channel != "" && p.Channel != f.Channel) ||
			(f.Model != "" && p.ModelVersion != f.Model) {
			continue // stale: the newest classification does not match any more
		}
		if skipped < offset {
			skipped++
			continue
		}
		if len(out) == limit {
			break
		}
		p.Evidence = NarrativeEvidence(x.result)
		out = append(out, p)
	}
	if err := d.redactRows(ctx, out); err != nil {
		return nil, err
	}
	return out, d.fillThreads(ctx, out, true)
}

// redactRows replaces the text of rows exposing someone with the redacted text (and
// drops their evidence, whose spans point into the raw text). Rows that narrative_posts
// holds without text or url (exposure-flagged posts, which it stores without text, or
// rows back-filled before their post was stored) get them from posts, as fillTexts does.
func (d *DB) redactRows(ctx context.Context, rs []PostRow) error {
	if len(rs) == 0 {
		return nil
	}
	ids, sources, lo, hi := rowKeys(rs)
	red, err := d.redactedTexts(ctx, sources, ids, lo, hi)
	if err != nil {
		return err
	}
	var missing []PostRow
	var at []int
	for i := range rs {
		if r, ok := red[rs[i].ID]; ok {
			rs[i].Text, rs[i].Redacted, rs[i].Evidence = r, true, nil
			if rs[i].URL != "" {
				continue
			}
		}
		if rs[i].Text == "" || rs[i].URL == "" {
			missing, at = append(missing, rs[i]), append(at, i)
		}
	}
	var collected map[string]time.Time
	if len(missing) > 0 {
		if collected, err = d.fillTexts(ctx, missing); err != nil {
			return err
		}
		for j, i := range at {
			rs[i] = missing[j]
		}
	}
	return d.redactUnverified(ctx, rs, collected)
}

// redactUnverified fails closed: the text of a row that has no current exposure verdict
// (a post not classified yet, one whose classification is in the dead-letter queue, or
// one edited since it was classified) is masked at read time with the exposure
// recognisers, so that a raw phone number or address is never shown just because the
// classifier has not caught up. A verdict is current when the exposure classifier's
// latest result for the post was made at or after the post's latest collection
// (collected, less pipeline.HostClockSkew for clocks of different hosts; rows missing from
// collected need only a verdict). A deployment without the exposure classifier shows
// every text masked.
func (d *DB) redactUnverified(ctx context.Context, rs []PostRow, collected map[string]time.Time) error {
	var open []PostRow
	for _, r := range rs {
		if !r.Redacted && r.Text != "" {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		return nil
	}
	ids, _, lo, hi := rowKeys(open)
	verdict, err := readmodel.ExposureVerdicts(ctx, d.Conn, ids, lo.UTC(), hi.UTC())
	if err != nil {
		return err
	}
	for i := range rs {
		r := &rs[i]
		if r.Redacted || r.Text == "" {
			continue
		}
		at, ok := verdict[r.ID]
		if c, known := collected[r.ID]; ok && (!known || !at.Before(c.Add(-pipeline.HostClockSkew))) {
			continue
		}
		r.Text, r.Redacted, r.Unverified, r.Evidence = d.maskIdentifiers(r.Text, r.Author), true, true, nil
	}
	return nil
}

// maskIdentifiers redacts every identifier and person name the exposure recognisers
// find in text (without watch-lists: masking does not depend on who is matched). A
// text the recognisers refuse (invalid UTF-8, too long) is withheld entirely.
func (d *DB) maskIdentifiers(text, author string) string {
	d.recogOnce.Do(func() { d.recog = exposure.NewAnalyzer(nil) })
	a, err := d.recog.Analyze(text, author, nil)
	if err != nil {
		return "[text withheld: it could not be checked for personal data]"
	}
	return a.Redacted
}

// rowKeys returns what a lookup of rs by primary key needs: their ids, their distinct
// sources, and the range of their publication times (which prunes monthly partitions).
// rs must not be empty.
func rowKeys(rs []PostRow) (ids, sources []string, lo, hi time.Time) {
	ids = make([]string, len(rs))
	srcs := map[string]bool{}
	lo, hi = rs[0].PublishedAt, rs[0].PublishedAt
	for i, r := range rs {
		ids[i] = r.ID
		if !srcs[r.Source] {
			srcs[r.Source] = true
			sources = append(sources, r.Source)
		}
		if r.PublishedAt.Before(lo) {
			lo = r.PublishedAt
		}
		if r.PublishedAt.After(hi) {
			hi = r.PublishedAt
		}
	}
	return ids, sources, lo, hi
}

// fillTexts loads the texts of rows from posts, replacing them with the redacted text
// for posts the exposure classifier flagged.
// It returns when each post was last collected, for redactUnverified.
func (d *DB) fillTexts(ctx context.Context, rs []PostRow) (map[string]time.Time, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	ids, sources, lo, hi := rowKeys(rs)
	texts, err := storage.PostTexts(ctx, d.Conn, sources, ids, lo.UTC(), hi.UTC())
	if err != nil {
		return nil, fmt.Errorf("post texts: %w", err)
	}
	red, err := d.redactedTexts(ctx, sources, ids, lo, hi)
	if err != nil {
		return nil, err
	}
	collected := make(map[string]time.Time, len(texts))
	for id, t := range texts {
		collected[id] = t.CollectedAt
	}
	for i := range rs {
		t := texts[rs[i].ID]
		rs[i].Text, rs[i].URL = t.Text, t.URL
		if r, ok := red[rs[i].ID]; ok {
			rs[i].Text, rs[i].Redacted, rs[i].Evidence = r, true, nil
		}
	}
	return collected, nil
}

// redactedTexts maps post id to redacted text for the posts among ids that expose someone.
func (d *DB) redactedTexts(ctx context.Context, sources, ids []string, lo, hi time.Time) (map[string]string, error) {
	out, err := storage.ExposingPosts(ctx, d.Conn, sources, ids, lo.UTC(), hi.UTC())
	if err != nil {
		return nil, fmt.Errorf("redacted texts: %w", err)
	}
	return out, nil
}

// Post reads one post with its narrative classification (ErrNotFound when absent).
func (d *DB) Post(ctx context.Context, id string) (PostRow, error) {
	source, _, ok := strings.Cut(id, ":")
	if !ok {
		return PostRow{}, ErrNotFound
	}
	m, found, err := readmodel.PostByID(ctx, d.Conn, source, id)
	if err != nil {
		return PostRow{}, err
	}
	if !found {
		return PostRow{}, ErrNotFound
	}
	p := PostRow{ID: m.ID, Source: m.Source, Channel: m.Channel, Author: m.Author, URL: m.URL, Lang: m.Lang,
		PublishedAt: m.PublishedAt}
	n, found, err := readmodel.NarrativeOf(ctx, d.Conn, id, p.PublishedAt.UTC())
	if err != nil {
		return PostRow{}, err
	}
	if found {
		p.Frames, p.Score, p.Evidence = n.Frames, n.Score, NarrativeEvidence(n.Result)
		p.Flagged, p.ModelVersion = n.Flagged, feedback.ModelVersion(n.ClassifierVersion)
	}
	one := []PostRow{p}
	collected, err := d.fillTexts(ctx, one)
	if err != nil {
		return PostRow{}, err
	}
	if err := d.redactUnverified(ctx, one, collected); err != nil {
		return PostRow{}, err
	}
	if err := d.fillThreads(ctx, one, true); err != nil {
		return PostRow{}, err
	}
	return one[0], nil
}

// Facets lists the languages and sources seen in the period, for the explorer's filters.
func (d *DB) Facets(ctx context.Context, from, to time.Time) (langs, sources []string, err error) {
	langs, sources, err = readmodel.Facets(ctx, d.Conn, from.UTC(), to.UTC())
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(langs)
	slices.Sort(sources)
	return langs, sources, nil
}

// Sources reports, per channel, what was collected in the last week up to now.
func (d *DB) Sources(ctx context.Context, now time.Time) ([]SourceHealth, error) {
	act, err := readmodel.SourceActivity(ctx, d.Conn, now)
	if err != nil {
		return nil, err
	}
	var out []SourceHealth
	for _, a := range act {
		out = append(out, SourceHealth{Source: a.Source, Channel: a.Channel, Posts24h: a.Posts24h, Posts7d: a.Posts7d,
			LastCollected: a.LastCollected, LastPublished: a.LastPublished, Stale: a.Posts24h == 0})
	}
	return out, nil
}

// fillThreads sets the kind, parent and root of rows from posts (migration 0070) and, for
// comments and replies, their Root: the root post's title and text, redacted as every
// text the UI shows (exposure verdict or masking), so a comment is read in its thread.
// Without withRoots only the kind, parent and root ids are set.
func (d *DB) fillThreads(ctx context.Context, rs []PostRow, withRoots bool) error {
	if len(rs) == 0 {
		return nil
	}
	ids, sources, lo, hi := rowKeys(rs)
	threads, err := readmodel.Threads(ctx, d.Conn, sources, ids, lo.UTC(), hi.UTC())
	if err != nil {
		return err
	}
	rootIDs := map[string]bool{}
	for i := range rs {
		t := threads[rs[i].ID]
		rs[i].Kind, rs[i].ParentID, rs[i].RootID = t.Kind, t.ParentID, t.RootID
		if rs[i].IsComment() && t.RootID != "" {
			rootIDs[t.RootID] = true
		}
	}
	if len(rootIDs) == 0 || !withRoots {
		return nil
	}
	roots, err := d.threadRoots(ctx, rootIDs, hi)
	if err != nil {
		return err
	}
	for i := range rs {
		if !rs[i].IsComment() || rs[i].RootID == "" {
			continue
		}
		if r, ok := roots[rs[i].RootID]; ok {
			rs[i].Root = &r
		} else {
			rs[i].Root = &ThreadRoot{ID: rs[i].RootID, Missing: true}
		}
	}
	return nil
}

// threadRoots reads the root posts of comments (published no later than before, as a
// root precedes its comments) with their title and redacted text.
func (d *DB) threadRoots(ctx context.Context, ids map[string]bool, before time.Time) (map[string]ThreadRoot, error) {
	var idList, sources []string
	srcs := map[string]bool{}
	for id := range ids {
		idList = append(idList, id)
		if src, _, ok := strings.Cut(id, ":"); ok && !srcs[src] {
			srcs[src] = true
			sources = append(sources, src)
		}
	}
	roots, err := readmodel.RootPosts(ctx, d.Conn, sources, idList, before.UTC())
	if err != nil {
		return nil, err
	}
	var rs []PostRow
	titles := map[string]string{}
	for _, r := range roots {
		rs, titles[r.ID] = append(rs, PostRow{ID: r.ID, Source: r.Source, Author: r.Author, PublishedAt: r.PublishedAt}), r.Title
	}
	if len(rs) == 0 {
		return nil, nil
	}
	collected, err := d.fillTexts(ctx, rs)
	if err != nil {
		return nil, err
	}
	if err := d.redactUnverified(ctx, rs, collected); err != nil {
		return nil, err
	}
	out := make(map[string]ThreadRoot, len(rs))
	for _, r := range rs {
		title := titles[r.ID]
		if r.Redacted && title != "" {
			title = d.maskIdentifiers(title, r.Author) // a title can expose someone too
		}
		out[r.ID] = ThreadRoot{ID: r.ID, Title: title, Text: r.Text, URL: r.URL, Redacted: r.Redacted}
	}
	return out, nil
}

// maxThreadComments bounds the flagged comments a post page lists.
const maxThreadComments = 50

// FlaggedComments lists the comments and replies of a post that the narrative classifier
// flagged, oldest first (at most maxThreadComments), with their texts redacted as in the
// explorer. Comments are published after their root and in its source, which bounds the
// scan of posts (no index on root_id) to the root's source and later partitions.
func (d *DB) FlaggedComments(ctx context.Context, root PostRow) ([]PostRow, error) {
	c, err := readmodel.CommentsOf(ctx, d.Conn, root.Source, root.ID, root.PublishedAt.UTC())
	if err != nil {
		return nil, err
	}
	if len(c.IDs) == 0 {
		return nil, nil
	}
	newest, err := d.newestNarrative(ctx, root.PublishedAt.UTC(), c.Latest, c.IDs)
	if err != nil {
		return nil, fmt.Errorf("thread comments: %w", err)
	}
	var out []PostRow
	for _, x := range newest {
		if x.flagged {
			x.p.Evidence = NarrativeEvidence(x.result)
			out = append(out, x.p)
		}
	}
	slices.SortFunc(out, func(a, b PostRow) int {
		if c := a.PublishedAt.Compare(b.PublishedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > maxThreadComments {
		out = out[:maxThreadComments]
	}
	if err := d.redactRows(ctx, out); err != nil {
		return nil, err
	}
	// Kind and parent; the root is the page's post.
	return out, d.fillThreads(ctx, out, false)
}

// narrativeVersion is a post's newest row in narrative_posts as an explorer row.
type narrativeVersion struct {
	p       PostRow
	result  string
	flagged bool
}

// newestNarrative reads the newest narrative_posts row of each of ids published within
// [lo, hi] (readmodel.NewestNarratives) as explorer rows.
func (d *DB) newestNarrative(ctx context.Context, lo, hi time.Time, ids []string) (map[string]narrativeVersion, error) {
	rows, err := readmodel.NewestNarratives(ctx, d.Conn, lo, hi, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]narrativeVersion, len(rows))
	for id, x := range rows {
		out[id] = narrativeVersion{p: PostRow{ID: x.PostID, Source: x.Source, Channel: x.Channel, Author: x.Author,
			Lang: x.Lang, URL: x.URL, PublishedAt: x.PublishedAt, Frames: x.Frames, Score: x.Score, Text: x.Text,
			Flagged: x.Flagged, ModelVersion: x.ModelVersion}, result: x.Result, flagged: x.Flagged}
	}
	return out, nil
}
