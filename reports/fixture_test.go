package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// The fixture is an invented week of monitoring. Every person, phone and number in it is
// fictional. One watch-listed member, "Айбек Токтосунов", is named in flagged posts
// together with an invented phone and personal number: no report format may contain them.
const (
	memberName  = "Айбек Токтосунов"
	memberPhone = "+996 700 000 001"
	memberPIN   = "21234199000012"
)

// leaks are the strings no report may contain: the member's name and its parts, phone
// and personal number in the spellings they are written in, and the member ids.
var leaks = []string{"Токтосунов", "Айбек", "700 000 001", "700000001", memberPIN, "m-001", "m-777"}

var (
	fxFrom = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	fxTo   = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
)

const (
	narrativeVersion = "narrative/1 lexicon/test model/test"
	exposureVersion  = "exposure/1"
)

type fxPost struct {
	id, channel, author, lang, text string
	at                              time.Time
	views                           int64
	frames                          []string // nil: not flagged
	score                           float64
	evidence                        []string
}

func at(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }

var fxPosts = []fxPost{
	// The period (2026-03-02 .. 2026-03-08).
	{"telegram:ch_a/1", "ch_a", "troll_one", "ru", "Запретить пропаганду среди детей! Пропаганда разрушает школу.",
		at(3, 2, 10), 5000, []string{"propaganda_ban", "child_protection"}, 0.91, []string{"Запретить пропаганду"}},
	{"telegram:ch_a/2", "ch_a", "troll_one", "ru", "Пропаганда в школах должна быть запрещена, защитим детей от пропаганды, как учит Токтосунов.",
		at(3, 3, 11), 3000, []string{"propaganda_ban"}, 0.85, []string{"Пропаганда в школах должна быть запрещена"}},
	{"telegram:ch_b/7", "ch_b", "troll_two", "ru", "Грантоеды из НКО снова получают деньги. " + memberName + " из этой организации — иностранный агент, звоните " + memberPHONE() + ", ПИН " + memberPIN + ".",
		at(3, 3, 12), 12000, []string{"foreign_agent"}, 0.80, []string{"Грантоеды из НКО", memberName + " из этой организации — иностранный агент"}},
	{"youtube:vid9", "Kanal Nine", "Kanal Nine", "ky", "Батыш баалуулуктары биздин салтка жат.",
		at(3, 4, 9), 800, []string{"western_values"}, 0.77, nil},
	{"vk:wall-1_5", "club1", "user_x", "ru", "Новости: в парламенте обсуждали бюджет.", at(3, 5, 15), 100, nil, 0.1, nil},
	{"telegram:ch_b/8", "ch_b", "troll_two", "ru", "Пропаганда извращенцев опасна, Токтосунов и ему подобные больны.",
		at(3, 6, 8), 2500, []string{"propaganda_ban", "dehumanization"}, 0.88, []string{"извращенцев"}},
	{"rss:news/10", "news.example.kg", "", "en", "Court hears case on NGO law.", at(3, 7, 9), 0, nil, 0.05, nil},
	{"telegram:ch_c/3", "ch_c", "troll_three", "ru", "Оппозиция за ЛГБТ, " + memberName + " ведёт митинг, его телефон " + memberPhone + ".",
		at(3, 8, 20), 9000, []string{"political_smear"}, 0.83, []string{"Оппозиция за ЛГБТ", memberName + " ведёт митинг"}},
	{"telegram:ch_d/2", "ch_d", "anon_d", "ru", memberName + " — гей, его номер " + memberPhone + ".",
		at(3, 6, 22), 700, nil, 0.3, nil},
	// The previous period (2026-02-23 .. 2026-03-01).
	{"telegram:ch_a/0", "ch_a", "troll_one", "ru", "Надо запретить это в стране.", at(2, 24, 10), 1000, []string{"propaganda_ban"}, 0.9, nil},
	{"telegram:ch_b/5", "ch_b", "troll_two", "ru", "Иностранные агенты снова получают гранты.", at(2, 25, 10), 400, []string{"foreign_agent"}, 0.82, nil},
	{"vk:wall-1_4", "club1", "user_x", "ru", "Погода сегодня хорошая.", at(2, 26, 10), 50, nil, 0.02, nil},
	{"rss:news/9", "news.example.kg", "", "en", "Parliament debates the budget.", at(2, 27, 10), 0, nil, 0.01, nil},
	{"vk:wall-9_1", "club9", "user_y", "ru", "Он гей, все знают.", at(2, 28, 10), 300, nil, 0.2, nil},
	// Outside both periods: never counted.
	{"telegram:ch_a/9", "ch_a", "troll_one", "ru", "Пропаганда пропаганда пропаганда.", at(3, 10, 10), 99999, []string{"propaganda_ban"}, 0.99, nil},
}

// memberPHONE is the phone written without spaces, as a doxxer might.
func memberPHONE() string { return strings.ReplaceAll(memberPhone, " ", "") }

// loadFixture inserts the fixture through the storage writers (posts, classifications)
// and explicit-column batches (exposures, incidents, alert deliveries), including stale
// versions that FINAL must discard.
func loadFixture(t testing.TB, conn driver.Conn) {
	t.Helper()
	ctx := context.Background()
	var posts []post.Post
	var cls []storage.Classification
	src := func(id string) string { return id[:strings.IndexByte(id, ':')] }
	for _, p := range fxPosts {
		pp := post.Post{ID: p.id, Source: src(p.id), Channel: p.channel, Author: p.author, URL: "https://example.org/" + strings.ReplaceAll(p.id, ":", "/"),
			Text: p.text, PublishedAt: p.at, CollectedAt: p.at.Add(time.Hour), Views: p.views, Lang: p.lang, Media: []post.Media{}}
		posts = append(posts, pp)
		ev := make([]map[string]any, 0)
		for _, e := range p.evidence {
			ev = append(ev, map[string]any{"start": 0, "end": len(e), "text": e, "frame": firstOr(p.frames)})
		}
		res, _ := json.Marshal(map[string]any{"homophobic": p.frames != nil, "score": p.score, "frames": nonNil(p.frames), "evidence": ev})
		c := storage.Classification{PostID: p.id, Classifier: "narrative", ClassifierVersion: narrativeVersion, Flagged: p.frames != nil,
			Score: p.score, Labels: p.frames, Result: string(res), Source: pp.Source, Channel: p.channel, Author: p.author, Lang: p.lang,
			PublishedAt: p.at, ClassifiedAt: p.at.Add(2 * time.Hour)}
		cls = append(cls, c)
		exposed := p.id == "telegram:ch_b/7" || p.id == "telegram:ch_d/2" || p.id == "vk:wall-9_1"
		score := 0.1
		if exposed {
			score = map[string]float64{"telegram:ch_b/7": 0.9, "telegram:ch_d/2": 0.95, "vk:wall-9_1": 0.7}[p.id]
		}
		cls = append(cls, storage.Classification{PostID: p.id, Classifier: "exposure", ClassifierVersion: exposureVersion, Flagged: exposed,
			Score: score, Labels: []string{}, Result: `{"exposed":` + fmt.Sprint(exposed) + `}`, Source: pp.Source, Channel: p.channel,
			Author: p.author, Lang: p.lang, PublishedAt: p.at, ClassifiedAt: p.at.Add(2 * time.Hour)})
	}
	// Stale versions: post 1 collected earlier with fewer views; post 2 first classified
	// as not flagged; post 5 first flagged, then cleared.
	stale := posts[0]
	stale.Views, stale.CollectedAt = 4000, stale.CollectedAt.Add(-30*time.Minute)
	posts = append(posts, stale)
	cls = append(cls,
		storage.Classification{PostID: "telegram:ch_a/2", Classifier: "narrative", ClassifierVersion: "narrative/0", Flagged: false,
			Labels: []string{}, Result: "{}", Source: "telegram", Channel: "ch_a", Author: "troll_one", Lang: "ru",
			PublishedAt: at(3, 3, 11), ClassifiedAt: at(3, 3, 12)},
		storage.Classification{PostID: "vk:wall-1_5", Classifier: "narrative", ClassifierVersion: "narrative/0", Flagged: true,
			Labels: []string{"traditional_family"}, Result: "{}", Source: "vk", Channel: "club1", Author: "user_x", Lang: "ru",
			PublishedAt: at(3, 5, 15), ClassifiedAt: at(3, 5, 16)},
	)
	if err := storage.InsertPosts(ctx, conn, posts); err != nil {
		t.Fatal(err)
	}
	if err := storage.InsertClassifications(ctx, conn, cls); err != nil {
		t.Fatal(err)
	}

	insert(t, conn, `INSERT INTO exposures (post_id, source, channel, author, url, lang, published_at, collected_at, views, exposed, outing,
		severity, categories, entity_types, entity_starts, entity_ends, redacted_text, orgs, members, classifier_version, classified_at, version)`,
		[]any{"telegram:ch_b/7", "telegram", "ch_b", "troll_two", "https://example.org/telegram/ch_b/7", "ru", at(3, 3, 12), at(3, 3, 13), uint64(12000),
			uint8(1), uint8(0), "high", []string{"name", "phone", "national_id"}, []string{"person", "phone", "kg_pin"}, []uint32{40, 90, 110}, []uint32{56, 106, 124},
			"Грантоеды из НКО снова получают деньги. [PERSON] из этой организации — иностранный агент, звоните [PHONE], ПИН [KG_PIN].",
			[]string{"org-rainbow"}, []string{"m-001"}, exposureVersion, at(3, 3, 14), uint64(1)},
		[]any{"telegram:ch_d/2", "telegram", "ch_d", "anon_d", "https://example.org/telegram/ch_d/2", "ru", at(3, 6, 22), at(3, 6, 23), uint64(700),
			uint8(1), uint8(1), "critical", []string{"sogi", "phone"}, []string{"person", "phone"}, []uint32{0, 40}, []uint32{30, 56},
			"[PERSON] — гей, его номер [PHONE].", []string{"org-other"}, []string{"m-777"}, exposureVersion, at(3, 6, 23), uint64(1)},
		[]any{"vk:wall-9_1", "vk", "club9", "user_y", "https://example.org/vk/wall-9_1", "ru", at(2, 28, 10), at(2, 28, 11), uint64(300),
			uint8(1), uint8(1), "medium", []string{"sogi"}, []string{}, []uint32{}, []uint32{},
			"Он гей, все знают.", []string{"org-rainbow"}, []string{"m-001"}, exposureVersion, at(2, 28, 12), uint64(1)},
	)
	plus := func(t time.Time, m int) time.Time { return t.Add(time.Duration(m) * time.Minute) }
	zero := time.Unix(0, 0).UTC()
	insert(t, conn, `INSERT INTO incidents (id, org, member, fingerprint, severity, categories, platforms, urls, post_ids, max_views, status,
		update_seq, opened_at, updated_at, acknowledged_at, acknowledged_by, version)`,
		// I1: first open, then acknowledged 10 minutes after opening (the newer version wins).
		[]any{"inc-1", "org-rainbow", "m-001", "fp1", "high", []string{"phone", "national_id"}, []string{"telegram"}, []string{"https://example.org/telegram/ch_b/7"},
			[]string{"telegram:ch_b/7"}, uint64(12000), "open", uint32(1), plus(at(3, 3, 12), 30), plus(at(3, 3, 12), 30), zero, "", uint64(1)},
		[]any{"inc-1", "org-rainbow", "m-001", "fp1", "high", []string{"phone", "national_id"}, []string{"telegram"}, []string{"https://example.org/telegram/ch_b/7"},
			[]string{"telegram:ch_b/7"}, uint64(12000), "acknowledged", uint32(1), plus(at(3, 3, 12), 30), plus(at(3, 3, 12), 40), plus(at(3, 3, 12), 40), "staff-1", uint64(2)},
		[]any{"inc-2", "org-other", "m-777", "fp2", "critical", []string{"sogi", "address"}, []string{"telegram", "vk"}, []string{"https://example.org/telegram/ch_d/2"},
			[]string{"telegram:ch_d/2"}, uint64(700), "open", uint32(2), at(3, 6, 23), at(3, 6, 23), zero, "", uint64(1)},
		[]any{"inc-3", "org-rainbow", "m-001", "fp3", "medium", []string{"sogi"}, []string{"vk"}, []string{"https://example.org/vk/wall-9_1"},
			[]string{"vk:wall-9_1"}, uint64(300), "acknowledged", uint32(1), at(2, 28, 12), at(2, 28, 12), plus(at(2, 28, 12), 20), "staff-1", uint64(1)},
	)
	insert(t, conn, `INSERT INTO alert_deliveries (id, incident_id, org, channel, kind, severity, state, attempts, latency_ms, last_error,
		created_at, updated_at, version)`,
		[]any{"d1", "inc-1", "org-rainbow", "email", "new", "high", "queued", uint32(0), uint32(0), "", plus(at(3, 3, 12), 31), plus(at(3, 3, 12), 31), uint64(1)},
		[]any{"d1", "inc-1", "org-rainbow", "email", "new", "high", "sent", uint32(1), uint32(45000), "", plus(at(3, 3, 12), 31), plus(at(3, 3, 12), 32), uint64(2)},
		[]any{"d2", "inc-1", "org-rainbow", "telegram", "new", "high", "sent", uint32(1), uint32(30000), "", plus(at(3, 3, 12), 31), plus(at(3, 3, 12), 31), uint64(1)},
		[]any{"d3", "inc-2", "org-other", "email", "new", "critical", "sent", uint32(1), uint32(90000), "", at(3, 6, 23), at(3, 6, 23), uint64(1)},
		[]any{"d4", "inc-2", "org-other", "telegram", "new", "critical", "failed", uint32(8), uint32(0), "chat not found", at(3, 6, 23), at(3, 6, 23), uint64(1)},
		[]any{"d5", "inc-2", "org-other", "webhook", "new", "critical", "sent", uint32(1), uint32(12000), "", at(3, 6, 23), at(3, 6, 23), uint64(1)},
		[]any{"d6", "inc-3", "org-rainbow", "email", "new", "medium", "sent", uint32(1), uint32(120000), "", at(2, 28, 12), at(2, 28, 12), uint64(1)},
	)
}

// loadClusters writes coordination clusters when the coordination tables exist: C1 active
// in the period (an older, smaller version must be discarded), C2 active only in the
// previous period, C3 a merged tombstone, C4 active but dismissed by an analyst, C5
// confirmed. Their texts name the watch-listed member: a report must never show them.
func loadClusters(t testing.TB, conn driver.Conn) {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'coordination_clusters'").Scan(&n); err != nil || n == 0 {
		return
	}
	params := `{"detector":"coordination.v1","window":"10m0s","text_window":"1h0m0s","similarity":0.7,"min_weight":3}`
	row := func(id, status string, size uint32, accounts, posts []string, frames []string, first, last time.Time, version uint64) []any {
		return []any{id, status, "", size, 0.8, []string{"co_text", "co_link"}, accounts, posts, uint8(0),
			[]string{memberName + " — иностранный агент, звоните " + memberPhone}, []string{"https://example.org/x"}, []string{},
			frames, make([]uint32, len(frames)), uint32(0), uint32(0), first, last, last, "coordination.v1", params, version}
	}
	acc := []string{"troll_one", "troll_two", "troll_three", "troll_four"}
	insert(t, conn, `INSERT INTO coordination_clusters (id, status, merged_into, size, score, behaviours, accounts, posts, posts_truncated,
		texts, links, reply_targets, frames, frame_posts, capped_objects, capped_actions, first_at, last_at, detected_at, detector, params, version)`,
		row("c1", "active", 3, acc[:3], []string{"telegram:ch_a/1", "telegram:ch_b/7"}, []string{"foreign_agent"}, at(3, 3, 10), at(3, 4, 10), 1),
		row("c1", "active", 4, acc, []string{"telegram:ch_a/1", "telegram:ch_b/7", "telegram:ch_b/8", "vk:wall-1_5"}, []string{"foreign_agent", "propaganda_ban"}, at(3, 3, 10), at(3, 6, 10), 2),
		row("c2", "active", 3, acc[:3], []string{"telegram:ch_a/0"}, []string{"propaganda_ban"}, at(2, 24, 10), at(2, 27, 10), 1),
		row("c3", "merged", 3, acc[:3], []string{"telegram:ch_a/1"}, []string{}, at(3, 3, 10), at(3, 4, 10), 3),
		row("c4", "active", 5, acc, []string{"telegram:ch_c/3"}, []string{}, at(3, 5, 10), at(3, 7, 10), 1),
		row("c5", "active", 3, acc[1:], []string{"youtube:vid9", "youtube:vid10", "youtube:vid11"}, []string{"western_values"}, at(2, 28, 10), at(3, 2, 10), 1),
	)
	insert(t, conn, `INSERT INTO coordination_labels (cluster_id, label, analyst, note, labelled_at, version)`,
		[]any{"c4", "dismissed", "analyst-1", "news syndication", at(3, 8, 10), uint64(1)},
		[]any{"c5", "confirmed", "analyst-1", "", at(3, 8, 10), uint64(1)},
	)
}

func firstOr(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

func insert(t testing.TB, conn driver.Conn, sql string, rows ...[]any) {
	t.Helper()
	b, err := conn.PrepareBatch(context.Background(), sql)
	if err != nil {
		t.Fatalf("prepare %s: %v", sql[:40], err)
	}
	for _, r := range rows {
		if err := b.Append(r...); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// fixtureDB returns a fresh migrated database holding the fixture.
func fixtureDB(t *testing.T) driver.Conn {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	conn, _ := testenv.ClickHouse(t)
	loadFixture(t, conn)
	loadClusters(t, conn)
	return conn
}

func generateFixture(t *testing.T, conn driver.Conn, mod func(*Options)) *Report {
	t.Helper()
	o := Options{From: fxFrom, To: fxTo, Now: time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC), Events: []Event{
		{Date: at(3, 5, 0), Label: "Draft law on \"foreign representatives\": first reading"},
		{Date: at(2, 25, 0), Label: "Outside the period"},
	}}
	if mod != nil {
		mod(&o)
	}
	r, err := Generate(context.Background(), conn, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
