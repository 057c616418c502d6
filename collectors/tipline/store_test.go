package tipline

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationStoreCampaignsAndNoSender runs the bot scenario (three members
// reporting one bulk SMS within minutes, a repeat, a screenshot, a forward, a link, a
// malformed update, /forget), stores the posts and the campaigns in a real ClickHouse,
// checks the merged campaign and its sms_campaign cluster, and greps every table of the
// database for the members' Telegram ids and keyed hashes.
func TestIntegrationStoreCampaignsAndNoSender(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	r := newRig(t)
	scenario(r)
	c := r.collector()
	r.collect(c)
	r.bot.Push(msg(memberBakyt, memberBakyt, "ru", r.now, map[string]any{"text": "/forget"}))
	r.now = r.now.Add(time.Minute)
	r.collect(c)

	st := NewStore(conn, func(s string) string { return strings.ReplaceAll(s, "Азамат", "[name]") })
	if err := storage.InsertPosts(ctx, conn, r.posts); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a redelivered batch collapses with the first
		if err := st.Write(ctx, r.posts); err != nil {
			t.Fatal(err)
		}
	}

	var fp, text, sender string
	var subs uint32
	var orgs []string
	var first, last time.Time
	var campaign uint8
	if err := conn.QueryRow(ctx, `SELECT fingerprint, text, sms_sender, submissions, orgs, first_seen, last_seen, campaign
		FROM tip_campaigns FINAL WHERE kind = 'sms' ORDER BY submissions DESC LIMIT 1`).
		Scan(&fp, &text, &sender, &subs, &orgs, &first, &last, &campaign); err != nil {
		t.Fatal(err)
	}
	if subs != 3 || !slices.Equal(orgs, []string{"org-a", "org-b"}) || sender != "VOTE-KG" || campaign != 1 ||
		!strings.Contains(text, "[name]") || last.Sub(first) != 2*time.Minute {
		t.Fatalf("campaign row: subs %d orgs %v sender %q campaign %d first %v last %v text %q", subs, orgs, sender, campaign, first, last, text)
	}
	var rows uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM tip_campaigns FINAL").Scan(&rows); err != nil || rows != 4 {
		t.Fatalf("%d campaign rows (%v), want 4: sms, screenshot, forward, link", rows, err)
	}
	var id string
	var behaviours, accounts, posts []string
	var score float64
	if err := conn.QueryRow(ctx, `SELECT id, behaviours, accounts, posts, score FROM coordination_clusters FINAL
		WHERE status = 'active' AND has(behaviours, 'sms_campaign')`).Scan(&id, &behaviours, &accounts, &posts, &score); err != nil {
		t.Fatal(err)
	}
	if id != "sms_campaign:"+fp || !slices.Equal(accounts, []string{"sms:VOTE-KG"}) || posts[0] != "tipline:"+fp || score != 3 {
		t.Fatalf("cluster %s %v %v %v %v", id, behaviours, accounts, posts, score)
	}

	dump := dumpDatabase(t, ctx, conn)
	if !strings.Contains(dump, "VOTE-KG") {
		t.Fatal("the dump did not read the tables")
	}
	AssertNoSender(t, "clickhouse", dump)
	for _, m := range []int64{memberAigerim, memberBakyt, memberChynara} {
		for _, org := range []string{"org-a", "org-b"} {
			if h := ReporterHash([]byte(reporterKey), org, fmt.Sprint("telegram:", m)); strings.Contains(dump, h) {
				t.Errorf("reporter hash %s stored in clickhouse", h)
			}
		}
	}
}

// dumpDatabase renders every row of every table of the connection's database as text.
func dumpDatabase(t *testing.T, ctx context.Context, conn driver.Conn) string {
	t.Helper()
	tables, err := conn.Query(ctx, "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT LIKE '%View'")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	var b strings.Builder
	for _, n := range names {
		cr, err := conn.Query(ctx, "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ? AND type NOT LIKE 'AggregateFunction%'", n)
		if err != nil {
			t.Fatal(err)
		}
		var cs []string
		for cr.Next() {
			var c string
			if err := cr.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cs = append(cs, "`"+c+"`")
		}
		cr.Close()
		rows, err := conn.Query(ctx, "SELECT "+strings.Join(cs, ", ")+" FROM "+n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		cols := rows.ColumnTypes()
		for rows.Next() {
			vals := make([]any, len(cols))
			for i, ct := range cols {
				vals[i] = reflect.New(ct.ScanType()).Interface()
			}
			if err := rows.Scan(vals...); err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			fmt.Fprintf(&b, "%s:", n)
			for _, v := range vals {
				fmt.Fprintf(&b, " %v", reflect.ValueOf(v).Elem().Interface())
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

// TestIntegrationStoreLinkedPost: a link tip's collected public post is named in
// tip_campaigns.linked_post (migration 0100).
func TestIntegrationStoreLinkedPost(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	camp := &Campaign{Fingerprint: Fingerprint("link:t.me/kg_demo_patriot/201"), Kind: KindLink, Links: []string{"https://t.me/kg_demo_patriot/201"},
		LinkedPost: "telegram:kg_demo_patriot/201"}
	camp.Add(Tip{Kind: KindLink, At: at}, "org-a", "org-a/0123456789abcdef0123456789abcdef")
	p := camp.Post(at, 6*time.Hour, 3, nil)
	if p.Tip.LinkedPost != "telegram:kg_demo_patriot/201" {
		t.Fatalf("post tip %+v", p.Tip)
	}
	if err := NewStore(conn, nil).Write(ctx, []post.Post{p}); err != nil {
		t.Fatal(err)
	}
	var linked string
	if err := conn.QueryRow(ctx, "SELECT linked_post FROM tip_campaigns FINAL WHERE fingerprint = ?", camp.Fingerprint).Scan(&linked); err != nil || linked != "telegram:kg_demo_patriot/201" {
		t.Fatalf("linked_post %q (%v)", linked, err)
	}
}
