// Command reports measures trend-report generation over a large database: it loads N
// posts (10 million by default) with their narrative and exposure classifications, plus
// exposures, incidents and alert deliveries, into ClickHouse with columnar batch inserts,
// then times report generation for a quarter against the previous quarter (every loaded
// post is in one of the two periods), next to a baseline measured in the same run: the
// two scans any such report needs at least (distinct posts per period, and the flagged
// narrative rows after FINAL). It prints Markdown. It is a harness for `make bench`.
//
//	go run ./bench/reports -clickhouse 127.0.0.1:19000 -posts 10000000
//
// With -reuse, a database already holding exactly -posts posts is not reloaded.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/reports"
	"github.com/kuzot/kuzot/storage"
)

func main() {
	chAddr := flag.String("clickhouse", "127.0.0.1:19000", "ClickHouse native address")
	n := flag.Int("posts", 10_000_000, "posts to load")
	db := flag.String("database", "kuzot_bench_reports", "database to (re)create")
	reuse := flag.Bool("reuse", false, "keep an existing database that already holds -posts posts")
	pdf := flag.Bool("pdf", true, "also time PDF printing (needs chromium)")
	flag.Parse()
	if err := run(*chAddr, *db, *n, *reuse, *pdf); err != nil {
		fmt.Fprintln(os.Stderr, "bench reports:", err)
		os.Exit(1)
	}
}

// The loaded data spans two quarters of 13 weeks: the report period and the previous one.
var (
	periodTo   = time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC)
	periodFrom = periodTo.AddDate(0, 0, -91)
	dataFrom   = periodFrom.AddDate(0, 0, -91)
)

func run(addr, db string, n int, reuse, withPDF bool) error {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	stepLog := log
	if os.Getenv("KUZOT_BENCH_VERBOSE") != "" {
		stepLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg := config.Default().CH
	cfg.Password = config.Secret(os.Getenv(config.ClickHousePasswordEnv)) // scripts/bench.sh exports it
	cfg.Addr, cfg.Database = addr, db
	conn, err := storage.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer conn.Close()

	var have uint64
	loaded := false
	if reuse {
		_ = conn.QueryRow(ctx, "SELECT count() FROM posts").Scan(&have)
	}
	var loadTime time.Duration
	if !reuse || have != uint64(n) {
		if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+db); err != nil {
			return err
		}
		if err := conn.Exec(ctx, "CREATE DATABASE "+db); err != nil {
			return err
		}
		if _, err := storage.Migrate(ctx, conn); err != nil {
			return err
		}
		start := time.Now()
		if err := load(ctx, conn, n); err != nil {
			return err
		}
		loadTime = time.Since(start)
		loaded = true
	}
	// A freshly loaded database is still merging parts; production data is mostly
	// merged, so wait for the merges to settle before timing.
	if err := waitMerges(ctx, conn, db, 15*time.Minute); err != nil {
		return err
	}

	// Baseline: the two scans a report over these periods cannot avoid.
	loadBefore := loadAvg()
	start := time.Now()
	var posts, flagged uint64
	period := []any{clickhouse.Named("from", dataFrom.Unix()), clickhouse.Named("to", periodTo.Unix()),
		clickhouse.Named("classifier", narrative.Name)}
	if err := conn.QueryRow(ctx, `SELECT uniqExact(cityHash64(id)) FROM posts
		WHERE published_at >= toDateTime(@from) AND published_at < toDateTime(@to)`, period...).Scan(&posts); err != nil {
		return err
	}
	if err := conn.QueryRow(ctx, `SELECT count() FROM classifications FINAL
		WHERE classifier = @classifier AND published_at >= toDateTime(@from) AND published_at < toDateTime(@to) AND flagged = 1`,
		period...).Scan(&flagged); err != nil {
		return err
	}
	baseline := time.Since(start)

	start = time.Now()
	cpu0 := processCPU()
	// log_queries=1 makes ClickHouse record each report query's CPU time in
	// system.query_log: with other work on the machine, wall time says little, CPU time
	// says what the report costs.
	r, err := reports.Generate(ctx, conn, reports.Options{From: periodFrom, To: periodTo, Logger: stepLog,
		Settings: map[string]any{"log_queries": 1}})
	if err != nil {
		return err
	}
	gen := time.Since(start)
	goCPU := processCPU() - cpu0
	chCPU, chWait, nQueries, err := queryCPU(ctx, conn, start)
	if err != nil {
		return err
	}
	render := map[string]time.Duration{}
	sizes := map[string]int{}
	if _, err := (reports.PDFOptions{}).FindChromium(); withPDF && err != nil {
		fmt.Fprintf(os.Stderr, "bench reports: %v; PDF not timed\n", err)
		withPDF = false
	}
	for _, f := range reports.Formats {
		if f == "pdf" && !withPDF {
			continue
		}
		var b bytes.Buffer
		start = time.Now()
		if err := reports.Write(ctx, &b, r, f, reports.PDFOptions{}); err != nil {
			return fmt.Errorf("render %s: %w", f, err)
		}
		render[f], sizes[f] = time.Since(start), b.Len()
	}

	fmt.Printf("Machine load average before and after: %s / %s (2 cores shared with other work inflate every figure).\n\n", loadBefore, loadAvg())
	fmt.Printf("Data: %d posts over %s .. %s (2 × 13 weeks), %d narrative-flagged (after FINAL), narrative and exposure "+
		"classifications for every post; GOMAXPROCS=%d.\n\n", posts, dataFrom.Format(time.DateOnly),
		periodTo.AddDate(0, 0, -1).Format(time.DateOnly), flagged, runtime.GOMAXPROCS(0))
	if loaded {
		rows := float64(n) * 3
		fmt.Printf("Load (columnar batch inserts of posts + 2 classifications per post): %s, %.0f rows/s\n\n",
			loadTime.Round(time.Millisecond), rows/loadTime.Seconds())
	}
	fmt.Printf("| measurement | seconds |\n|---|---:|\n")
	fmt.Printf("| baseline: distinct posts + flagged narrative rows (FINAL) over both quarters | %.2f |\n", baseline.Seconds())
	fmt.Printf("| report: Generate (every figure of the quarter vs previous quarter) | %.2f |\n", gen.Seconds())
	for _, f := range reports.Formats {
		if d, ok := render[f]; ok {
			fmt.Printf("| render %s (%d bytes) | %.2f |\n", f, sizes[f], d.Seconds())
		}
	}
	total := gen
	for _, d := range render {
		total += d
	}
	fmt.Printf("| total: Generate + every format | %.2f |\n", total.Seconds())
	fmt.Printf("| Generate / baseline | %.1f× |\n", gen.Seconds()/baseline.Seconds())
	fmt.Printf("| Generate CPU: ClickHouse user+system (%d queries, system.query_log) | %.2f |\n", nQueries, chCPU.Seconds())
	fmt.Printf("| Generate: time ClickHouse threads waited for a CPU (OSCPUWaitMicroseconds) | %.2f |\n", chWait.Seconds())
	fmt.Printf("| Generate CPU: this process (client decoding, term counting) | %.2f |\n", goCPU.Seconds())
	fmt.Printf("| Generate on an idle machine, at least (total CPU / %d cores) | %.2f |\n", runtime.NumCPU(),
		(chCPU+goCPU).Seconds()/float64(runtime.NumCPU()))
	fmt.Printf("\nTarget: a report over 10 million posts in under 30 s: %s.\n", verdict(total, n))
	fmt.Printf("Emerging terms sampled: %v (rate %.4f); summary: %s\n", r.Methods.TermsSampled, r.Methods.TermsRate, summaryLine(r))
	return nil
}

func verdict(total time.Duration, n int) string {
	if n < 10_000_000 {
		return fmt.Sprintf("not measured (only %d posts loaded)", n)
	}
	if total < 30*time.Second {
		return fmt.Sprintf("met (%.1f s)", total.Seconds())
	}
	return fmt.Sprintf("NOT met (%.1f s)", total.Seconds())
}

func summaryLine(r *reports.Report) string {
	var parts []string
	for _, f := range r.Summary {
		parts = append(parts, fmt.Sprintf("%s=%g", f.Key, f.Value))
	}
	return strings.Join(parts, " ")
}

// Invented vocabulary for the synthetic texts.
var (
	neutral = []string{"Бүгүн шаарда жаңы мектеп ачылды, ата-энелер ыраазы.", "В Бишкеке прошёл фестиваль уличной еды и музыки.",
		"The city council discussed the new bus routes and the budget.", "Парламент обсудил поправки в налоговый кодекс.",
		"Футбольный клуб выиграл домашний матч со счётом два один.", "Жаан-чачындуу аба ырайы дем алыш күндөрү улана берет."}
	narrativeLines = map[string][]string{
		"propaganda_ban":     {"Запретить пропаганду среди молодёжи немедленно!", "Пропаганда должна быть запрещена законом."},
		"foreign_agent":      {"Грантоеды снова получают деньги из-за рубежа.", "Эти НКО — иностранные агенты и грантоеды."},
		"western_values":     {"Батыштын баалуулуктары биздин салтка жат.", "Западные ценности разрушают наши традиции."},
		"traditional_family": {"Брак только между мужчиной и женщиной, традиционная семья под угрозой.", "Салттуу үй-бүлөнү коргойлу."},
		"child_protection":   {"Защитим детей от вредной информации и развращения.", "Балдарды зыяндуу маалыматтан коргоо керек."},
		"political_smear":    {"Оппозиция финансируется теми, кто продвигает извращения.", "Митинг организовали спонсоры разврата."},
		"dehumanization":     {"Это болезнь и извращение, их надо лечить.", "Больные люди не должны работать с детьми."},
		"violence_threat":    {"Найдём их всех и выгоним из страны.", "Таких надо наказать на улице."},
	}
	emergingLine = "Новая кампания: санкции против грантоедов и цензура блогеров."
	sources      = []string{"telegram", "telegram", "telegram", "telegram", "telegram", "vk", "vk", "youtube", "youtube", "rss"}
	langs        = []string{"ru", "ru", "ru", "ru", "ru", "ru", "ky", "ky", "ky", "en"}
)

// load inserts n posts with their classifications in parallel columnar batches.
func load(ctx context.Context, conn driver.Conn, n int) error {
	const batch = 250_000
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for start := w * batch; start < n; start += workers * batch {
				if err := loadBatch(ctx, conn, start, min(start+batch, n)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return first
	}
	return loadExposures(ctx, conn, n)
}

const span = 182 * 24 * 3600

func loadBatch(ctx context.Context, conn driver.Conn, from, to int) error {
	m := to - from
	rng := rand.New(rand.NewPCG(uint64(from), 7))
	var (
		ids, srcs, chans, authors, urls, titles, texts, fwd, reply, lngs, hashes = mk(m), mk(m), mk(m), mk(m), mk(m), mk(m), mk(m), mk(m), mk(m), mk(m), mk(m)
		pub, coll                                                                = make([]time.Time, m), make([]time.Time, m)
		views, vers                                                              = make([]uint64, m), make([]uint64, m)
		mkinds, murls                                                            = make([][]string, m), make([][]string, m)
		flags                                                                    = make([]uint8, m)
		labels                                                                   = make([][]string, m)
		scores                                                                   = make([]float32, m)
		results                                                                  = mk(m)
	)
	frames := reports.Frames
	for i := range m {
		k := from + i
		src := sources[k%len(sources)]
		ch := rng.IntN(2000)
		secs := int64(rng.IntN(span))
		t := dataFrom.Add(time.Duration(secs) * time.Second)
		cur := !t.Before(periodFrom)
		ids[i] = fmt.Sprintf("%s:c%d/%d", src, ch, k)
		srcs[i], chans[i], authors[i] = src, fmt.Sprintf("channel_%04d", ch), fmt.Sprintf("account_%05d", rng.IntN(50000))
		urls[i] = fmt.Sprintf("https://%s.example/c%d/%d", src, ch, k)
		lngs[i] = langs[rng.IntN(len(langs))]
		pub[i], coll[i] = t, t.Add(time.Hour)
		views[i] = uint64(math.Min(1e7, 10/math.Pow(1-rng.Float64()*0.999, 1.2)))
		vers[i] = uint64(coll[i].UnixNano())
		mkinds[i], murls[i] = []string{}, []string{}
		var text strings.Builder
		text.WriteString(neutral[rng.IntN(len(neutral))])
		// About 8 % flagged; the "foreign_agent" frame and a new phrase grow in the period.
		p := rng.Float64()
		if p < 0.08 || (cur && p < 0.095) {
			f1 := frames[rng.IntN(len(frames))]
			if cur && p >= 0.08 {
				f1 = "foreign_agent"
			}
			ls := []string{f1}
			if rng.IntN(4) == 0 {
				if f2 := frames[rng.IntN(len(frames))]; f2 != f1 {
					ls = append(ls, f2)
				}
			}
			for _, f := range ls {
				text.WriteString(" ")
				text.WriteString(narrativeLines[f][rng.IntN(2)])
			}
			if cur && rng.IntN(3) == 0 {
				text.WriteString(" " + emergingLine)
			}
			flags[i], labels[i], scores[i] = 1, ls, float32(0.6+0.4*rng.Float64())
			results[i] = fmt.Sprintf(`{"homophobic":true,"score":%.3f,"frames":["%s"],"evidence":[{"start":0,"end":10,"text":"%s","frame":"%s"}]}`,
				scores[i], strings.Join(ls, `","`), "пропаганда", ls[0])
		} else {
			labels[i], scores[i] = []string{}, float32(0.3*rng.Float64())
			results[i] = `{"homophobic":false,"score":0.1,"frames":[],"evidence":[]}`
		}
		texts[i] = text.String()
		hashes[i] = fmt.Sprintf("%016x", rng.Uint64())
	}
	if err := columnar(ctx, conn, `INSERT INTO posts (id, source, channel, author, url, title, text, published_at, collected_at,
		views, forwarded_from, reply_to, media_kinds, media_urls, lang, content_hash, version)`,
		ids, srcs, chans, authors, urls, titles, texts, pub, coll, views, fwd, reply, mkinds, murls, lngs, hashes, vers); err != nil {
		return fmt.Errorf("posts: %w", err)
	}
	classified := make([]time.Time, m)
	for i := range classified {
		classified[i] = coll[i].Add(time.Minute)
	}
	narr := repeat(narrative.Name, m)
	nver := repeat("narrative/1 lexicon/bench model/bench", m)
	if err := columnar(ctx, conn, `INSERT INTO classifications (post_id, classifier, classifier_version, flagged, score,
		labels, result, source, channel, author, lang, published_at, classified_at, version)`,
		ids, narr, nver, flags, scores, labels, results, srcs, chans, authors, lngs, pub, classified, vers); err != nil {
		return fmt.Errorf("narrative classifications: %w", err)
	}
	expFlags := make([]uint8, m)
	expScores := make([]float32, m)
	expLabels := make([][]string, m)
	expResults := mk(m)
	for i := range m {
		expLabels[i] = []string{}
		expResults[i] = `{"exposed":false,"outing":false,"severity":"none","entities":[],"watchlist":[]}`
		if (from+i)%200 == 0 {
			expFlags[i], expScores[i], expLabels[i] = 1, 0.9, []string{"phone"}
			expResults[i] = `{"exposed":true,"outing":false,"severity":"high","entities":[{"type":"phone","start":3,"end":19}],"watchlist":[]}`
		}
	}
	if err := columnar(ctx, conn, `INSERT INTO classifications (post_id, classifier, classifier_version, flagged, score,
		labels, result, source, channel, author, lang, published_at, classified_at, version)`,
		ids, repeat(exposure.Name, m), repeat("exposure/1", m), expFlags, expScores, expLabels, expResults, srcs, chans, authors, lngs,
		pub, classified, vers); err != nil {
		return fmt.Errorf("exposure classifications: %w", err)
	}
	return nil
}

// loadExposures writes one exposure per 200 posts, one incident per 10 exposures and
// three alert deliveries per incident, all with invented pseudonymous ids.
func loadExposures(ctx context.Context, conn driver.Conn, n int) error {
	rng := rand.New(rand.NewPCG(99, 1))
	sev := []string{"low", "medium", "medium", "high", "critical"}
	var exp, inc, del [][]any
	for k := 0; k < n; k += 200 {
		src := sources[k%len(sources)]
		t := dataFrom.Add(time.Duration(rng.IntN(span)) * time.Second)
		s := sev[rng.IntN(len(sev))]
		exp = append(exp, []any{fmt.Sprintf("%s:c%d/%d", src, 0, k), src, "channel_0000", "account_00000", "https://x.example/", "ru",
			t, t.Add(time.Hour), uint64(rng.IntN(5000)), uint8(1), uint8(rng.IntN(2)), s, []string{"phone"}, []string{"phone"},
			[]uint32{3}, []uint32{19}, "Звоните [PHONE] сегодня.", []string{fmt.Sprintf("org-%d", k%7)}, []string{fmt.Sprintf("m-%d", k%97)},
			"exposure/1", t.Add(time.Hour), uint64(1)})
		if (k/200)%10 == 0 {
			id := fmt.Sprintf("inc-%d", k)
			st := "open"
			acked := time.Unix(0, 0).UTC()
			if rng.IntN(2) == 0 {
				st, acked = "acknowledged", t.Add(time.Duration(300+rng.IntN(3600))*time.Second)
			}
			inc = append(inc, []any{id, fmt.Sprintf("org-%d", k%7), fmt.Sprintf("m-%d", k%97), "fp", s, []string{"phone"},
				[]string{src}, []string{"https://x.example/"}, []string{"p"}, uint64(100), st, uint32(1), t, t, acked, "", uint64(1)})
			for j, ch := range []string{"email", "telegram", "webhook"} {
				state := "sent"
				if rng.IntN(20) == 0 {
					state = "failed"
				}
				del = append(del, []any{fmt.Sprintf("%s-%d", id, j), id, fmt.Sprintf("org-%d", k%7), ch, "new", s, state, uint32(1),
					uint32(5000 + rng.IntN(120000)), "", t, t, uint64(1)})
			}
		}
	}
	for _, x := range []struct {
		sql  string
		rows [][]any
	}{
		{`INSERT INTO exposures (post_id, source, channel, author, url, lang, published_at, collected_at, views, exposed, outing,
			severity, categories, entity_types, entity_starts, entity_ends, redacted_text, orgs, members, classifier_version, classified_at, version)`, exp},
		{`INSERT INTO incidents (id, org, member, fingerprint, severity, categories, platforms, urls, post_ids, max_views, status,
			update_seq, opened_at, updated_at, acknowledged_at, acknowledged_by, version)`, inc},
		{`INSERT INTO alert_deliveries (id, incident_id, org, channel, kind, severity, state, attempts, latency_ms, last_error,
			created_at, updated_at, version)`, del},
	} {
		b, err := conn.PrepareBatch(ctx, x.sql)
		if err != nil {
			return err
		}
		for _, r := range x.rows {
			if err := b.Append(r...); err != nil {
				return err
			}
		}
		if err := b.Send(); err != nil {
			return err
		}
	}
	return nil
}

// columnar sends one batch column by column (no per-row reflection).
func columnar(ctx context.Context, conn driver.Conn, sql string, cols ...any) error {
	b, err := conn.PrepareBatch(ctx, sql)
	if err != nil {
		return err
	}
	defer b.Close()
	for i, c := range cols {
		if err := b.Column(i).Append(c); err != nil {
			return fmt.Errorf("column %d: %w", i, err)
		}
	}
	return b.Send()
}

func mk(n int) []string { return make([]string, n) }

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// waitMerges polls system.merges until no merge of the database runs.
func waitMerges(ctx context.Context, conn driver.Conn, db string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.merges WHERE database = ?", db).Scan(&n); err != nil {
			return fmt.Errorf("system.merges: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("merges of %s still running after %s", db, limit)
		}
		time.Sleep(2 * time.Second)
	}
}

// loadAvg is the 1-minute load average (Linux), to judge how contended the run was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

// processCPU is the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// queryCPU sums the user and system CPU time ClickHouse logged for the queries run with
// log_queries=1 since start (only the report's queries set it).
func queryCPU(ctx context.Context, conn driver.Conn, since time.Time) (cpu, wait time.Duration, n uint64, err error) {
	if err := conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		return 0, 0, 0, fmt.Errorf("flush logs: %w", err)
	}
	var us, ws uint64
	err = conn.QueryRow(ctx, fmt.Sprintf(`SELECT
		sum(arraySum(arrayMap((name, v) -> if(name IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds'), v, 0), ProfileEvents.Names, ProfileEvents.Values))),
		sum(arraySum(arrayMap((name, v) -> if(name = 'OSCPUWaitMicroseconds', v, 0), ProfileEvents.Names, ProfileEvents.Values))),
		count()
		FROM system.query_log WHERE type = 2 AND event_time >= toDateTime(%d) AND has(Settings.Names, 'log_queries')`,
		since.Unix()-1)).Scan(&us, &ws, &n)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("query_log: %w", err)
	}
	return time.Duration(us) * time.Microsecond, time.Duration(ws) * time.Microsecond, n, nil
}
