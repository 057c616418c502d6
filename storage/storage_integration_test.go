package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

func TestIntegrationMigrateIsIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t) // already migrated once
	applied, err := storage.Migrate(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v", applied)
	}
	ms, _ := storage.Migrations()
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM schema_migrations FINAL").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(ms) {
		t.Fatalf("recorded %d migrations, embedded %d", n, len(ms))
	}
}

func TestIntegrationReinsertCollapsesAndOutOfRangeDatesClamp(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	p := post.Post{ID: "web:http://forum.example/t/1#p1", Source: "web", Text: "жаңы пост", Lang: "ky",
		PublishedAt: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), CollectedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for range 3 { // a redelivered batch is written again
		if err := storage.InsertPosts(ctx, conn, []post.Post{p}); err != nil {
			t.Fatal(err)
		}
	}
	var n uint64
	var published time.Time
	if err := conn.QueryRow(ctx, "SELECT count(), any(published_at) FROM posts FINAL").Scan(&n, &published); err != nil {
		t.Fatal(err)
	}
	if n != 1 || published.Unix() != 0 {
		t.Fatalf("count %d published %v", n, published)
	}
}

func TestIntegrationRetention(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	old := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	recent := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	posts := []post.Post{
		{ID: "rss:old", Source: "rss", Text: "старый пост", PublishedAt: old, CollectedAt: old},
		{ID: "rss:exposing", Source: "rss", Text: "Айбек, тел. +996 555 000 111", PublishedAt: recent, CollectedAt: recent},
		{ID: "rss:fresh", Source: "rss", Text: "свежий пост", PublishedAt: recent.Add(50 * 24 * time.Hour), CollectedAt: recent},
	}
	if err := storage.InsertPosts(ctx, conn, posts); err != nil {
		t.Fatal(err)
	}
	// A text INSERT ... VALUES through Exec hangs against ClickHouse 18.16: always use batches.
	b, err := conn.PrepareBatch(ctx, "INSERT INTO exposures (post_id, source, published_at, exposed, severity, redacted_text, version)")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append("rss:exposing", "rss", recent, uint8(1), "high", "Айбек, тел. [phone]", uint64(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	dropped, err := storage.DropPartitionsBefore(ctx, conn, now.Add(-365*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 1 || dropped[0] != "posts:202402" {
		t.Fatalf("dropped %v, want posts:202402", dropped)
	}
	n, err := storage.RedactExposingPosts(ctx, conn, now.Add(-30*24*time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("redacted %d posts, want 1", n)
	}
	var text string
	if err := conn.QueryRow(ctx, "SELECT text FROM posts FINAL WHERE id = 'rss:exposing'").Scan(&text); err != nil {
		t.Fatal(err)
	}
	if text != "Айбек, тел. [phone]" {
		t.Fatalf("text after retention %q", text)
	}
	var ids []string
	rows, _ := conn.Query(ctx, "SELECT id FROM posts FINAL ORDER BY id")
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 2 || ids[0] != "rss:exposing" || ids[1] != "rss:fresh" {
		t.Fatalf("posts left %v", ids)
	}
	// Running again finds nothing more to do.
	if n, _ := storage.RedactExposingPosts(ctx, conn, now.Add(-30*24*time.Hour), now); n != 0 {
		t.Fatalf("second pass redacted %d", n)
	}
}
