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
)

// The read model of the explorer, overview, post, source and thread pages over the fact
// tables the store role writes (posts, classifications, exposures, narrative_posts,
// narrative_daily).

// Overview computes the landing page for the period [from, to).
func (d *DB) Overview(ctx context.Context, sc Scope, from, to time.Time) (Overview, error) {
	o := Overview{From: from, To: to}
	from, to = from.UTC(), to.UTC()
	// The page's queries are independent: run them concurrently (each writes its own
	// fields of o).
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := d.Conn.QueryRow(ctx, `SELECT count() FROM posts WHERE published_at >= ? AND published_at < ?`,
			from, to).Scan(&o.Posts); err != nil {
			return fmt.Errorf("overview: posts: %w", err)
		}
		return nil
	})
	// Narrative counts come from narrative_daily (migrations 0023-0025): distinct flagged
	// posts per day, frame, source and channel as uniqExact states, so that the overview
	// reads a few thousand small rows instead of a month of classifications (the base
	// table is ordered by post id, and FINAL over it is far too slow on ClickHouse 18.16).
	// Days are whole UTC dates of the period.
	dFrom, dTo := from.Format("2006-01-02"), to.Format("2006-01-02")
	if !to.Equal(to.Truncate(24 * time.Hour)) {
		dTo = to.Add(24 * time.Hour).Format("2006-01-02")
	}
	g.Go(func() error {
		rows, err := d.Conn.Query(ctx, `SELECT day, frame, uniqExactMerge(posts) AS n FROM narrative_daily
			WHERE day >= toDate(?) AND day < toDate(?) AND frame != '' GROUP BY day, frame ORDER BY day, frame`, dFrom, dTo)
		if err != nil {
			return fmt.Errorf("overview: daily: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p DayFrame
			if err := rows.Scan(&p.Day, &p.Frame, &p.Posts); err != nil {
				return fmt.Errorf("overview: daily: %w", err)
			}
			o.Daily = append(o.Daily, p)
		}
		return rows.Err()
	})
	g.Go(func() error {
		if err := d.Conn.QueryRow(ctx, `SELECT uniqExactMerge(posts) FROM narrative_daily
			WHERE day >= toDate(?) AND day < toDate(?)`, dFrom, dTo).Scan(&o.Flagged); err != nil {
			return fmt.Errorf("overview: flagged: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		rows, err := d.Conn.Query(ctx, `SELECT concat(source, ':', channel) AS ch, uniqExactMerge(posts) AS n
			FROM narrative_daily WHERE day >= toDate(?) AND day < toDate(?)
			GROUP BY ch ORDER BY n DESC, ch LIMIT 8`, dFrom, dTo)
		if err != nil {
			return fmt.Errorf("overview: channels: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c Count
			if err := rows.Scan(&c.Label, &c.N); err != nil {
				return fmt.Errorf("overview: channels: %w", err)
			}
			o.TopChannels = append(o.TopChannels, c)
		}
		return rows.Err()
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
	var where []string
	var args []any
	add := func(cond string, v string) {
		if v != "" {
			where = append(where, cond)
			args = append(args, v)
		}
	}
	add(`has(frames, ?)`, f.Frame)
	add(`lang = ?`, f.Lang)
	add(`source = ?`, f.Source)
	add(`channel = ?`, f.Channel)
	add(`positionCaseInsensitiveUTF8(text, ?) > 0`, f.Q)
	add(`model_version = ?`, f.Model)
	// All posts: unflagged rows too (their text is read from posts afterwards; the
	// server refuses a text search there, as narrative_posts holds flagged texts only).
	flagged := `flagged = 1 AND `
	if f.All {
		flagged = ``
	}
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, " AND ")
	}
	// Twice the rows needed leaves room for duplicate versions and stale rows.
	need := 2 * (offset + limit)
	var ids []string
	var lo, hi time.Time
	for span := 24 * time.Hour; ; {
		start := to.Add(-span)
		if !start.After(from) {
			start = from
		}
		q := `SELECT post_id, published_at FROM narrative_posts
			PREWHERE ` + flagged + `published_at >= ? AND published_at < ?` + cond + `
			ORDER BY published_at DESC, post_id LIMIT ?`
		var n int
		var err error
		ids, lo, hi, n, err = d.candidates(ctx, q, append(append([]any{start, to}, args...), need)...)
		if err != nil {
			return nil, err
		}
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
	if len(ids) == 0 {
		return nil, nil
	}
	newest, err := d.newestNarrative(ctx, lo, hi, ids)
	if err != nil {
		return nil, fmt.Errorf("search posts: %w", err)
	}
	var out []PostRow
	skipped := 0
	for _, id := range ids {
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

// candidates runs a candidate query (post_id, published_at rows) and returns the distinct
// ids in order, their publication time range and the number of rows read.
func (d *DB) candidates(ctx context.Context, q string, args ...any) (ids []string, lo, hi time.Time, n int, err error) {
	rows, err := d.Conn.Query(ctx, q, args...)
	if err != nil {
		return nil, lo, hi, 0, fmt.Errorf("search posts: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, lo, hi, 0, fmt.Errorf("search posts: %w", err)
		}
		n++
		if seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
		if lo.IsZero() || at.Before(lo) {
			lo = at
		}
		if at.After(hi) {
			hi = at
		}
	}
	if err := rows.Err(); err != nil {
		return nil, lo, hi, 0, fmt.Errorf("search posts: %w", err)
	}
	return ids, lo, hi, n, nil
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
	rows, err := d.Conn.Query(ctx, `SELECT post_id, max(classified_at) FROM classifications
		WHERE classifier = 'exposure' AND post_id IN ? AND published_at >= ? AND published_at <= ? GROUP BY post_id`,
		storage.InSet(ids), lo.UTC(), hi.UTC())
	if err != nil {
		return fmt.Errorf("exposure verdicts: %w", err)
	}
	verdict := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return fmt.Errorf("exposure verdicts: %w", err)
		}
		verdict[id] = at
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exposure verdicts: %w", err)
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
	rows, err := d.Conn.Query(ctx, `SELECT id, argMax(source, version), argMax(channel, version), argMax(author, version),
		argMax(url, version), argMax(lang, version), argMax(published_at, version)
		FROM posts WHERE source = ? AND id = ? GROUP BY id`, source, id)
	if err != nil {
		return PostRow{}, fmt.Errorf("post %s: %w", id, err)
	}
	var p PostRow
	found := rows.Next()
	if found {
		err = rows.Scan(&p.ID, &p.Source, &p.Channel, &p.Author, &p.URL, &p.Lang, &p.PublishedAt)
	}
	rows.Close()
	if err != nil {
		return PostRow{}, fmt.Errorf("post %s: %w", id, err)
	}
	if !found {
		return PostRow{}, ErrNotFound
	}
	// published_at (copied from the post) prunes the probe to one monthly partition.
	rows, err = d.Conn.Query(ctx, `SELECT labels, score, result, flagged, classifier_version FROM classifications FINAL
		WHERE classifier = 'narrative' AND post_id = ? AND published_at = ?`, id, p.PublishedAt.UTC())
	if err != nil {
		return PostRow{}, fmt.Errorf("post %s: narrative: %w", id, err)
	}
	if rows.Next() {
		var score float32
		var result, version string
		var flagged uint8
		if err := rows.Scan(&p.Frames, &score, &result, &flagged, &version); err != nil {
			rows.Close()
			return PostRow{}, fmt.Errorf("post %s: narrative: %w", id, err)
		}
		p.Score, p.Evidence = float64(score), NarrativeEvidence(result)
		p.Flagged, p.ModelVersion = flagged == 1, feedback.ModelVersion(version)
	}
	rows.Close()
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
	// narrative_posts is ordered by day and flagged, so only the period's flagged rows are read.
	rows, err := d.Conn.Query(ctx, `SELECT groupUniqArray(lang), groupUniqArray(source) FROM narrative_posts
		PREWHERE flagged = 1 AND published_at >= ? AND published_at < ?`, from.UTC(), to.UTC())
	if err != nil {
		return nil, nil, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&langs, &sources); err != nil {
			return nil, nil, fmt.Errorf("facets: %w", err)
		}
	}
	slices.Sort(langs)
	slices.Sort(sources)
	return langs, sources, rows.Err()
}

// Sources reports, per channel, what was collected in the last week up to now.
func (d *DB) Sources(ctx context.Context, now time.Time) ([]SourceHealth, error) {
	rows, err := d.Conn.Query(ctx, `SELECT source, channel, countIf(collected_at >= ?) AS d1, count() AS d7,
		max(collected_at), max(published_at) FROM posts WHERE collected_at >= ?
		GROUP BY source, channel ORDER BY source, channel LIMIT 1000`, now.Add(-24*time.Hour).UTC(), now.Add(-7*24*time.Hour).UTC())
	if err != nil {
		return nil, fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	var out []SourceHealth
	for rows.Next() {
		var s SourceHealth
		if err := rows.Scan(&s.Source, &s.Channel, &s.Posts24h, &s.Posts7d, &s.LastCollected, &s.LastPublished); err != nil {
			return nil, fmt.Errorf("sources: %w", err)
		}
		s.Stale = s.Posts24h == 0
		out = append(out, s)
	}
	return out, rows.Err()
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
	rows, err := d.Conn.Query(ctx, `SELECT id, argMax(kind, version), argMax(parent_id, version), argMax(root_id, version) FROM posts
		WHERE source IN ? AND id IN ? AND published_at >= ? AND published_at <= ? GROUP BY id`,
		storage.InSet(sources), storage.InSet(ids), lo.UTC(), hi.UTC())
	if err != nil {
		return fmt.Errorf("post threads: %w", err)
	}
	type thread struct{ kind, parent, root string }
	threads := map[string]thread{}
	for rows.Next() {
		var id string
		var t thread
		if err := rows.Scan(&id, &t.kind, &t.parent, &t.root); err != nil {
			rows.Close()
			return fmt.Errorf("post threads: %w", err)
		}
		threads[id] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("post threads: %w", err)
	}
	rootIDs := map[string]bool{}
	for i := range rs {
		t := threads[rs[i].ID]
		rs[i].Kind, rs[i].ParentID, rs[i].RootID = t.kind, t.parent, t.root
		if rs[i].IsComment() && t.root != "" {
			rootIDs[t.root] = true
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
	rows, err := d.Conn.Query(ctx, `SELECT id, argMax(source, version), argMax(author, version), argMax(published_at, version),
		argMax(title, version) FROM posts WHERE source IN ? AND id IN ? AND published_at <= ? GROUP BY id`,
		storage.InSet(sources), storage.InSet(idList), before.UTC())
	if err != nil {
		return nil, fmt.Errorf("thread roots: %w", err)
	}
	var rs []PostRow
	titles := map[string]string{}
	for rows.Next() {
		var r PostRow
		var title string
		if err := rows.Scan(&r.ID, &r.Source, &r.Author, &r.PublishedAt, &title); err != nil {
			rows.Close()
			return nil, fmt.Errorf("thread roots: %w", err)
		}
		rs, titles[r.ID] = append(rs, r), title
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("thread roots: %w", err)
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
	rows, err := d.Conn.Query(ctx, `SELECT id, max(published_at) FROM posts
		WHERE source = ? AND published_at >= ? AND root_id = ? GROUP BY id LIMIT 10000`,
		root.Source, root.PublishedAt.UTC(), root.ID)
	if err != nil {
		return nil, fmt.Errorf("thread comments: %w", err)
	}
	var ids []string
	var hi time.Time
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("thread comments: %w", err)
		}
		ids = append(ids, id)
		if at.After(hi) {
			hi = at
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("thread comments: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	newest, err := d.newestNarrative(ctx, root.PublishedAt.UTC(), hi, ids)
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

// narrativeVersion is one classification row of a post in narrative_posts.
type narrativeVersion struct {
	p       PostRow
	result  string
	flagged bool
	v       uint64
}

// newestNarrative reads the narrative_posts rows of ids published within [lo, hi] and
// keeps each post's newest classification (the table is a ReplacingMergeTree read
// without FINAL, so older versions may still be there).
func (d *DB) newestNarrative(ctx context.Context, lo, hi time.Time, ids []string) (map[string]narrativeVersion, error) {
	rows, err := d.Conn.Query(ctx, `SELECT post_id, source, channel, author, lang, url, published_at, frames, score,
		result, text, flagged, version, model_version FROM narrative_posts
		PREWHERE published_at >= ? AND published_at <= ? AND post_id IN ?`, lo, hi, storage.InSet(ids))
	if err != nil {
		return nil, fmt.Errorf("narrative rows: %w", err)
	}
	defer rows.Close()
	newest := map[string]narrativeVersion{}
	for rows.Next() {
		var x narrativeVersion
		var score float32
		var flagged uint8
		if err := rows.Scan(&x.p.ID, &x.p.Source, &x.p.Channel, &x.p.Author, &x.p.Lang, &x.p.URL, &x.p.PublishedAt,
			&x.p.Frames, &score, &x.result, &x.p.Text, &flagged, &x.v, &x.p.ModelVersion); err != nil {
			return nil, fmt.Errorf("narrative rows: %w", err)
		}
		x.p.Score, x.flagged, x.p.Flagged = float64(score), flagged == 1, flagged == 1
		if old, ok := newest[x.p.ID]; !ok || x.v > old.v {
			newest[x.p.ID] = x
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("narrative rows: %w", err)
	}
	return newest, nil
}
