package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationThreadColumnsAndRefresh: comments keep their kind, parent and root; a
// refresh with higher counters is the row FINAL returns; an ADD COLUMN migration rerun
// after a crash (columns present, record missing) is accepted.
func TestIntegrationThreadColumnsAndRefresh(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	// Simulate a crash between the ALTER and its record.
	if err := conn.Exec(ctx, "ALTER TABLE schema_migrations DELETE WHERE version = '0070_posts_thread'"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM schema_migrations WHERE version = '0070_posts_thread'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("mutation did not finish")
		}
		time.Sleep(100 * time.Millisecond)
	}
	applied, err := storage.Migrate(ctx, conn)
	if err != nil {
		t.Fatalf("rerun of an applied ADD COLUMN: %v", err)
	}
	if len(applied) != 1 || applied[0] != "0070_posts_thread" {
		t.Fatalf("applied %v", applied)
	}

	t0 := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	root := post.Post{ID: "youtube:AbCdEfGhIjK", Source: "youtube", Kind: post.KindPost, Text: "видео", Views: 10,
		PublishedAt: t0, CollectedAt: t0}
	comment := post.Post{ID: "youtube:c:Ugz1", Source: "youtube", Kind: post.KindComment, ParentID: root.ID,
		RootID: root.ID, Text: "комментарий", PublishedAt: t0.Add(time.Minute), CollectedAt: t0.Add(time.Hour)}
	reply := post.Post{ID: "youtube:c:Ugz1.r1", Source: "youtube", Kind: post.KindReply, ParentID: comment.ID,
		RootID: root.ID, Text: "ответ", PublishedAt: t0.Add(2 * time.Minute), CollectedAt: t0.Add(time.Hour)}
	legacy := post.Post{ID: "rss:legacy", Source: "rss", Text: "без вида", PublishedAt: t0, CollectedAt: t0}
	if err := storage.InsertPosts(ctx, conn, []post.Post{root, comment, reply, legacy}); err != nil {
		t.Fatal(err)
	}
	refresh := root
	refresh.Views, refresh.Forwards, refresh.Comments, refresh.Refresh = 500, 7, 2, true
	refresh.CollectedAt = t0.Add(24 * time.Hour)
	if err := storage.InsertPosts(ctx, conn, []post.Post{refresh}); err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind, parent, root       string
		views, forwards, comment uint64
	}
	want := map[string]row{
		root.ID:    {"post", "", "", 500, 7, 2},
		comment.ID: {"comment", root.ID, root.ID, 0, 0, 0},
		reply.ID:   {"reply", comment.ID, root.ID, 0, 0, 0},
		legacy.ID:  {"post", "", "", 0, 0, 0},
	}
	rows, err := conn.Query(ctx, "SELECT id, kind, parent_id, root_id, views, forwards, comments FROM posts FINAL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]row{}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.kind, &r.parent, &r.root, &r.views, &r.forwards, &r.comment); err != nil {
			t.Fatal(err)
		}
		got[id] = r
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows: %v", len(got), got)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %+v want %+v", id, got[id], w)
		}
	}
}
