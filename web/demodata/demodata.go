// Package demodata writes invented posts, narrative classifications, exposures,
// incidents and alert deliveries into ClickHouse, so that the web UI, the Grafana
// dashboards and their tests and benchmarks have realistic data without running the
// collectors or the classifiers. Every person, phone and organisation is fictional.
package demodata

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// DemoClassifierVersion is the narrative classifier version of the demo
// classifications; its model version is DemoModelVersion.
const (
	DemoClassifierVersion = "narrative/demo lexicon/demo model/" + DemoModelVersion
	DemoModelVersion      = "00dem000"
)

// Fixture describes what Seed wrote, for assertions.
type Fixture struct {
	Now time.Time
	// Flagged is a post with narrative evidence; EvidenceText is one highlighted span.
	Flagged      string
	EvidenceText string
	// Unflagged is a classified post the narrative classifier did not flag.
	Unflagged string
	// OrgA and OrgB own one incident each (IncidentA, IncidentB).
	OrgA, OrgB           string
	IncidentA, IncidentB string
	// ExposedPost is incident A's post; RawMarker appears only in its raw text and
	// RedactedMarker only in its redacted text.
	ExposedPost    string
	RawMarker      string
	RedactedMarker string
	Posts          int
	FlaggedPosts   int
	// Cluster is an active coordination cluster of four demo accounts.
	Cluster string
	// GeneralReport is a report file for everyone, OrgBReport one for OrgB only (rows in
	// the reports table; the caller writes the files into the reports directory).
	GeneralReport, OrgBReport string
}

type cue struct {
	frame string
	lang  string
	text  string // a sentence with the cue in [ ]
}

// Invented sentences; the bracketed part is the evidence span.
var cues = []cue{
	{"propaganda_ban", "ru", "Надо срочно [запретить гей-пропаганду] среди молодёжи, пишет канал."},
	{"foreign_agent", "ru", "Эти НКО — [иностранные агенты], живут на западные гранты."},
	{"western_values", "ky", "Бул [батыштын баалуулуктары], биздин салтка жат деп жазышат."},
	{"traditional_family", "ru", "Брак [только между мужчиной и женщиной], остальное угроза семье."},
	{"child_protection", "en", "We must [protect our children from LGBT] influence in schools."},
	{"political_smear", "ru", "Оппозиция на митинге [поддерживает ЛГБТ], говорят провокаторы."},
	{"dehumanization", "en", "They call them [sick and unnatural] in every comment."},
	{"violence_threat", "ru", "В комментариях призывают [найти их и выгнать] из города."},
}

var channels = map[string][]string{
	"telegram": {"demo_kanal_1", "demo_kanal_2", "demo_novosti"},
	"vk":       {"club_demo_1", "club_demo_2"},
	"youtube":  {"UC_demo_channel"},
}

var sources = []string{"telegram", "vk", "youtube"}

// Seed writes a small demo dataset covering the 28 days before now.
func Seed(ctx context.Context, conn driver.Conn, now time.Time) (Fixture, error) {
	now = now.UTC().Truncate(time.Second)
	fx := Fixture{Now: now, OrgA: "org-alpha", OrgB: "org-beta", IncidentA: "inc-alpha-1", IncidentB: "inc-beta-1",
		RawMarker: "+996 000 000 101", RedactedMarker: "[телефон]"}
	var posts []post.Post
	var cls []storage.Classification
	for i := 0; i < 180; i++ {
		src := sources[i%len(sources)]
		chs := channels[src]
		ch := chs[(i/3)%len(chs)]
		// Spread over 28 days, denser in the last week (a campaign).
		at := now.Add(-time.Duration(i) * 223 * time.Minute)
		if i < 60 {
			at = now.Add(-time.Duration(i) * 97 * time.Minute)
		}
		p := post.Post{ID: fmt.Sprintf("%s:%s/%d", src, ch, 1000+i), Source: src, Channel: ch,
			Author: fmt.Sprintf("demo_account_%02d", i%17), URL: fmt.Sprintf("https://demo.invalid/%s/%s/%d", src, ch, 1000+i),
			PublishedAt: at, CollectedAt: at.Add(5 * time.Minute), Views: int64(100 + i*7), Media: []post.Media{}}
		c := storage.Classification{PostID: p.ID, Classifier: narrative.Name, ClassifierVersion: DemoClassifierVersion,
			Source: p.Source, Channel: p.Channel, Author: p.Author, PublishedAt: at, ClassifiedAt: at.Add(6 * time.Minute)}
		if i%3 != 2 { // two posts in three carry a narrative
			k := cues[(i+i/7)%len(cues)]
			text, ev := evidence(k)
			p.Text, p.Lang = fmt.Sprintf("Пост %d. %s", i, text), k.lang
			for j := range ev {
				ev[j].Start += len(fmt.Sprintf("Пост %d. ", i))
				ev[j].End += len(fmt.Sprintf("Пост %d. ", i))
			}
			res, _ := json.Marshal(map[string]any{"homophobic": true, "score": 0.9, "frames": []string{k.frame}, "evidence": ev})
			c.Flagged, c.Score, c.Labels, c.Result, c.Lang = true, 0.9, []string{k.frame}, string(res), k.lang
			fx.FlaggedPosts++
			if fx.Flagged == "" {
				fx.Flagged, fx.EvidenceText = p.ID, ev[0].Text
			}
		} else {
			p.Text, p.Lang = fmt.Sprintf("Обычный пост %d о погоде и ценах на рынке.", i), "ru"
			if fx.Unflagged == "" {
				fx.Unflagged = p.ID
			}
			c.Score, c.Labels, c.Result, c.Lang = 0.05, []string{}, `{"homophobic":false,"score":0.05,"frames":[],"evidence":[]}`, "ru"
		}
		posts = append(posts, p)
		cls = append(cls, c)
	}
	// Two doxxing posts (invented people, numbers in a reserved-looking range).
	dox := []struct{ id, org, member, raw, red string }{
		{"telegram:demo_kanal_2/9001", fx.OrgA, "m-0001",
			"Вот он: Айбек Токтосунов, телефон " + fx.RawMarker + ", работает в демо-НКО. Он гей.",
			"Вот он: [имя], телефон " + fx.RedactedMarker + ", работает в [место работы]. [утверждение о SOGI]."},
		{"vk:club_demo_1/9002", fx.OrgB, "m-0042",
			"Адрес Нургуль Демоевой: ул. Вымышленная 0, кв. 0. Найдите её.",
			"Адрес [имя]: [адрес]. Найдите её."},
	}
	fx.ExposedPost = dox[0].id
	for i, d := range dox {
		src, rest, _ := strings.Cut(d.id, ":")
		ch, _, _ := strings.Cut(rest, "/")
		at := now.Add(-time.Duration(3+i) * time.Hour)
		posts = append(posts, post.Post{ID: d.id, Source: src, Channel: ch, Author: "demo_doxxer", Text: d.raw, Lang: "ru",
			URL: "https://demo.invalid/" + d.id, PublishedAt: at, CollectedAt: at.Add(time.Minute), Views: 2500, Media: []post.Media{}})
	}
	fx.Posts = len(posts)
	// Every post has an exposure verdict, as the classify and store roles write one for
	// each post (clean for all but the doxxing posts); without one the UI would mask the
	// text as not yet checked. The narrative rows above stay first in cls.
	narrative := len(cls)
	for i, p := range posts {
		c := storage.Classification{PostID: p.ID, Classifier: exposure.Name, ClassifierVersion: "demo", Labels: []string{"severity:none"},
			Result: `{"exposed":false,"outing":false,"severity":"none","entities":[],"watchlist":[]}`, Source: p.Source,
			Channel: p.Channel, Author: p.Author, Lang: p.Lang, PublishedAt: p.PublishedAt, ClassifiedAt: p.CollectedAt.Add(time.Minute)}
		if i >= len(posts)-len(dox) {
			c.Flagged, c.Score, c.Labels, c.Result = true, 1, []string{"phone", "severity:critical"}, `{"exposed":true}`
		}
		cls = append(cls, c)
	}
	if err := storage.InsertPosts(ctx, conn, posts); err != nil {
		return fx, fmt.Errorf("demo posts: %w", err)
	}
	if err := storage.InsertClassifications(ctx, conn, cls); err != nil {
		return fx, fmt.Errorf("demo classifications: %w", err)
	}
	// The explorer's narrative_posts rows, as the store role writes them next to
	// classifications (no exposure classification here: the doxxing posts are not
	// narrative posts).
	nps := make([]storage.NarrativePost, narrative)
	for i, c := range cls[:narrative] {
		p := posts[i]
		nps[i] = storage.NarrativePost{PostID: c.PostID, Source: c.Source, Channel: c.Channel, Author: c.Author, Lang: c.Lang,
			URL: p.URL, PublishedAt: c.PublishedAt, Flagged: c.Flagged, Frames: c.Labels, Score: c.Score,
			ClassifiedAt: c.ClassifiedAt, ModelVersion: feedback.ModelVersion(c.ClassifierVersion)}
		if c.Flagged {
			nps[i].Result, nps[i].Text = c.Result, p.Text
		}
	}
	if err := storage.InsertNarrativePosts(ctx, conn, nps); err != nil {
		return fx, fmt.Errorf("demo narrative posts: %w", err)
	}
	b, err := conn.PrepareBatch(ctx, `INSERT INTO exposures (post_id, source, channel, author, url, lang, published_at,
		collected_at, views, exposed, outing, severity, categories, entity_types, entity_starts, entity_ends,
		redacted_text, orgs, members, classifier_version, classified_at, version)`)
	if err != nil {
		return fx, fmt.Errorf("demo exposures: %w", err)
	}
	for i, d := range dox {
		p := posts[len(posts)-2+i]
		sev, cats := "critical", []string{"name", "phone", "workplace", "sogi"}
		if i == 1 {
			sev, cats = "high", []string{"name", "address", "threat"}
		}
		if err := b.Append(p.ID, p.Source, p.Channel, p.Author, p.URL, p.Lang, p.PublishedAt, p.CollectedAt, uint64(p.Views),
			uint8(1), uint8(1-i), sev, cats, cats, []uint32{0}, []uint32{1}, d.red, []string{d.org}, []string{d.member},
			"demo", p.CollectedAt, uint64(1)); err != nil {
			return fx, fmt.Errorf("demo exposures: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fx, fmt.Errorf("demo exposures: %w", err)
	}
	// Incidents and deliveries go through the alert mirror's writers, the tables' one
	// writer, as if the alert role had opened them.
	var incs []alerts.IncidentRow
	for i, d := range dox {
		p := posts[len(posts)-2+i]
		id, sev, cats := fx.IncidentA, alerts.SeverityCritical, []string{"name", "phone", "workplace", "sogi"}
		if i == 1 {
			id, sev, cats = fx.IncidentB, alerts.SeverityHigh, []string{"name", "address", "threat"}
		}
		incs = append(incs, alerts.IncidentRow{Version: 1, Incident: &alerts.Incident{ID: id, Org: d.org, Member: d.member,
			Severity: sev, Categories: cats, Platforms: []string{p.Source}, URLs: []string{p.URL}, PostIDs: []string{p.ID},
			Sightings: []alerts.Sighting{{PostID: p.ID, Platform: p.Source, Channel: p.Channel, URL: p.URL}},
			MaxViews:  int64(p.Views), Status: "open", OpenedAt: p.CollectedAt, UpdatedAt: p.CollectedAt,
			Notifications: []alerts.Notification{{Seq: 2, Kind: alerts.KindNew}}}})
	}
	if err := alerts.InsertIncidents(ctx, conn, incs); err != nil {
		return fx, fmt.Errorf("demo incidents: %w", err)
	}
	var dls []alerts.DeliveryRow
	for i, x := range []struct{ inc, org, ch, state, errText string }{
		{fx.IncidentA, fx.OrgA, "telegram", "sent", ""},
		{fx.IncidentA, fx.OrgA, "email", "sent", ""},
		{fx.IncidentB, fx.OrgB, "webhook", "failed", "POST https://hooks.demo.invalid: 503"},
	} {
		at := now.Add(-time.Duration(2+i) * time.Hour)
		dls = append(dls, alerts.DeliveryRow{Version: 1, State: alerts.DeliveryState{ID: fmt.Sprintf("dlv-%d", i), IncidentID: x.inc,
			Org: x.org, Channel: x.ch, Kind: alerts.KindNew, Severity: alerts.SeverityCritical, State: x.state,
			Attempts: uint32(1 + i), LatencyMS: uint32(4000 + i*1500), LastError: x.errText, CreatedAt: at,
			UpdatedAt: at.Add(time.Duration(i) * time.Second)}})
	}
	if err := alerts.InsertDeliveries(ctx, conn, dls); err != nil {
		return fx, fmt.Errorf("demo deliveries: %w", err)
	}
	fx.GeneralReport, fx.OrgBReport = "trends-2026-10.html", "trends-2026-10-org-beta.html"
	b, err = conn.PrepareBatch(ctx, `INSERT INTO reports (id, schedule, org, lang, period_from, period_to, formats, files, sizes,
		recipients, emailed, status, error, generated_at, duration_ms, version)`)
	if err != nil {
		return fx, fmt.Errorf("demo reports: %w", err)
	}
	pfrom := now.AddDate(0, -1, 0).Truncate(24 * time.Hour)
	for _, r := range []struct{ id, org, file string }{{"rep-1", "", fx.GeneralReport}, {"rep-2", fx.OrgB, fx.OrgBReport}} {
		if err := b.Append(r.id, "monthly", r.org, "en", pfrom, now.Truncate(24*time.Hour), []string{"html"}, []string{r.file},
			[]uint64{20}, uint32(0), uint8(0), "ok", "", now, uint32(900), uint64(1)); err != nil {
			return fx, fmt.Errorf("demo reports: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fx, fmt.Errorf("demo reports: %w", err)
	}
	fx.Cluster = "cl-demo-1"
	if err := seedCluster(ctx, conn, fx.Cluster, posts, now); err != nil {
		return fx, err
	}
	return fx, nil
}

// seedCluster writes one active coordination cluster (with an older version that must
// not show) and its members.
func seedCluster(ctx context.Context, conn driver.Conn, id string, posts []post.Post, now time.Time) error {
	accounts := []string{"demo_account_01", "demo_account_04", "demo_account_07", "demo_account_10"}
	var ids []string
	for _, p := range posts[:12] {
		ids = append(ids, p.ID)
	}
	b, err := conn.PrepareBatch(ctx, `INSERT INTO coordination_clusters (id, status, merged_into, size, score, behaviours,
		accounts, posts, posts_truncated, texts, links, reply_targets, frames, frame_posts, capped_objects, capped_actions,
		first_at, last_at, detected_at, detector, params, version)`)
	if err != nil {
		return fmt.Errorf("demo cluster: %w", err)
	}
	for v, acc := range [][]string{accounts[:2], accounts} {
		if err := b.Append(id, "active", "", uint32(len(acc)), 0.5+0.2*float64(v), []string{"co_text", "co_link"}, acc, ids,
			uint8(0), []string{"Эти НКО — иностранные агенты, живут на западные гранты."}, []string{"https://demo.invalid/article/1"},
			[]string{}, []string{"foreign_agent"}, []uint32{12}, uint32(0), uint32(0), now.Add(-36*time.Hour),
			now.Add(-time.Hour), now.Add(-time.Duration(2-v)*time.Minute), "demo", `{"window":"1h"}`, uint64(1+v)); err != nil {
			return fmt.Errorf("demo cluster: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("demo cluster: %w", err)
	}
	// Its rhythm: three daily bursts (version 2, the one shown).
	b, err = conn.PrepareBatch(ctx, `INSERT INTO coordination_rhythm (cluster_id, rhythm, bursts, median_gap_s, first_burst,
		last_burst, burst_starts, burst_ends, burst_accounts, platforms, hashtags, detected_at, version)`)
	if err != nil {
		return fmt.Errorf("demo cluster rhythm: %w", err)
	}
	day := now.Add(-36 * time.Hour).Truncate(10 * time.Minute)
	starts := []time.Time{day, day.Add(17 * time.Hour), day.Add(35 * time.Hour)}
	ends := []time.Time{starts[0].Add(30 * time.Minute), starts[1].Add(20 * time.Minute), starts[2].Add(40 * time.Minute)}
	if err := b.Append(id, "daily", uint32(3), uint32(17*3600+30*60), starts[0], ends[2], starts, ends, []uint32{4, 3, 4},
		[]string{"vk"}, []string{}, now.Add(-time.Minute), uint64(2)); err != nil {
		return fmt.Errorf("demo cluster rhythm: %w", err)
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("demo cluster rhythm: %w", err)
	}
	b, err = conn.PrepareBatch(ctx, `INSERT INTO coordination_members (cluster_id, account, co_actions, posts, posts_per_day,
		duplicate_share, burstiness, account_age_days, capped_actions, first_seen, last_seen, detected_at, version)`)
	if err != nil {
		return fmt.Errorf("demo cluster members: %w", err)
	}
	for i, a := range accounts {
		age := float64(20 + i)
		if err := b.Append(id, a, uint32(9-i), uint32(14+i), float64(14+i)/1.5, 0.8, 0.4, &age, uint32(0),
			now.Add(-36*time.Hour), now.Add(-time.Hour), now.Add(-time.Minute), uint64(2)); err != nil {
			return fmt.Errorf("demo cluster members: %w", err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("demo cluster members: %w", err)
	}
	return nil
}

type span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	Frame string `json:"frame"`
}

// evidence removes the brackets of a cue sentence and returns the byte span between them.
func evidence(k cue) (string, []span) {
	i := strings.IndexByte(k.text, '[')
	j := strings.IndexByte(k.text, ']')
	text := k.text[:i] + k.text[i+1:j] + k.text[j+1:]
	return text, []span{{Start: i, End: j - 1, Text: k.text[i+1 : j], Frame: k.frame}}
}
