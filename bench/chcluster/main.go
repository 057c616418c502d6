// Command chcluster measures the insert rate of real-length posts into one ClickHouse
// server and into a cluster of shards of replicas (issue 18), with the same rows, batch
// size and writer (storage.InsertPosts), and the compression and disk use of those
// posts. The single server gets the default schema (ReplacingMergeTree), the cluster
// kuzot's cluster schema (ReplicatedReplacingMergeTree local tables behind Distributed
// tables, insert_distributed_sync=1). It prints a Markdown table. A harness, not a test.
//
//	go run ./bench/chcluster -single 127.0.0.1:19000 -single-password "$(cat /tmp/shared-ch/password)" \
//	  -cluster "$(scripts/clickhouse-cluster-local.sh addrs)" -cluster-password "$(scripts/clickhouse-cluster-local.sh password)"
//
// Posts are real texts from the datasets directory (every */all.jsonl), joined in a
// fixed shuffled order until each reaches a length drawn from a log-normal distribution
// with median 300 characters and sigma 1 (capped at 8,000): the length distribution of
// real posts, median ~300 with a long tail to several thousand.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

func main() {
	single := flag.String("single", "127.0.0.1:19000", "native address of the single server")
	singlePW := flag.String("single-password", os.Getenv("KUZOT_CLICKHOUSE_PASSWORD"), "its password")
	cluster := flag.String("cluster", "", "comma-separated native addresses of the cluster's servers")
	clusterPW := flag.String("cluster-password", "", "the cluster's password")
	clusterName := flag.String("cluster-name", "kuzot_cluster", "remote_servers cluster name")
	n := flag.Int("posts", 100000, "posts per measurement")
	batch := flag.Int("batch", 5000, "rows per insert")
	datasets := flag.String("datasets", "/work/shared/datasets", "directory of */all.jsonl real texts")
	flag.Parse()
	if err := run(*single, *singlePW, *cluster, *clusterPW, *clusterName, *n, *batch, *datasets); err != nil {
		fmt.Fprintln(os.Stderr, "bench chcluster:", err)
		os.Exit(1)
	}
}

type result struct {
	name              string
	rate              float64
	textRatio, rowRat float64
	diskPerMillion    float64 // bytes on disk per million posts, every replica counted
}

func run(single, singlePW, cluster, clusterPW, clusterName string, n, batch int, datasets string) error {
	ctx := context.Background()
	ps, lens, err := realLengthPosts(datasets, n)
	if err != nil {
		return err
	}
	var results []result
	cfg := config.Default().CH
	cfg.Addr, cfg.Password = single, config.Secret(singlePW)
	r, err := measure(ctx, cfg, ps, batch, "one server, ReplacingMergeTree", nil)
	if err != nil {
		return fmt.Errorf("single server: %w", err)
	}
	results = append(results, r)
	if cluster != "" {
		cfg.Addr, cfg.Password, cfg.Cluster = cluster, config.Secret(clusterPW), clusterName
		addrs := strings.Split(cluster, ",")
		r, err := measure(ctx, cfg, ps, batch, fmt.Sprintf("%d-server cluster, ReplicatedReplacingMergeTree + Distributed", len(addrs)), addrs)
		if err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
		results = append(results, r)
	}
	fmt.Printf("%d posts, text length median %d, p90 %d, p99 %d, max %d characters; batches of %d rows\n\n",
		len(ps), lens[len(lens)/2], lens[len(lens)*9/10], lens[len(lens)*99/100], lens[len(lens)-1], batch)
	fmt.Println("| target | posts/s | text compression | row compression | disk per million posts (all replicas) |")
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Printf("| %s | %.0f | %.2fx | %.2fx | %.0f MB |\n", r.name, r.rate, r.textRatio, r.rowRat, r.diskPerMillion/1e6)
	}
	if len(results) == 2 {
		fmt.Printf("\ncluster / one server insert rate: %.2f\n", results[1].rate/results[0].rate)
	}
	return nil
}

// measure inserts ps into a fresh database of cfg, merges it, and reads the sizes from
// system.parts and system.columns of every server in servers (or of cfg.Addr alone).
func measure(ctx context.Context, cfg config.ClickHouse, ps []post.Post, batch int, name string, servers []string) (result, error) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	cfg.Database = "kuzot_bench_ch_" + hex.EncodeToString(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	conn, err := storage.Open(ctx, cfg, log)
	if err != nil {
		return result{}, err
	}
	defer conn.Close()
	drop := "DROP DATABASE IF EXISTS " + cfg.Database
	if cfg.Cluster != "" {
		drop += " ON CLUSTER " + cfg.Cluster
	}
	defer func() { _ = conn.Exec(context.Background(), drop) }()
	if _, err := storage.MigrateLayout(ctx, conn, storage.LayoutOf(cfg)); err != nil {
		return result{}, err
	}
	start := time.Now()
	for i := 0; i < len(ps); i += batch {
		if err := storage.InsertPosts(ctx, conn, ps[i:min(i+batch, len(ps))]); err != nil {
			return result{}, err
		}
	}
	rate := float64(len(ps)) / time.Since(start).Seconds()
	if servers == nil {
		servers = []string{cfg.Addr}
	}
	table := "posts"
	if cfg.Cluster != "" {
		table = "posts" + storage.LocalSuffix
	}
	conns := make([]driver.Conn, len(servers))
	for i, s := range servers {
		one := cfg
		one.Addr = s
		c, err := storage.Open(ctx, one, log)
		if err != nil {
			return result{}, err
		}
		defer c.Close()
		conns[i] = c
	}
	// Merge every server's parts (FINAL), then let the other replicas fetch the result.
	// 18.16 forwards OPTIMIZE from a follower replica to the leader without the password,
	// which the leader refuses: merge on the leaders only.
	for i, c := range conns {
		leader := uint8(1)
		if cfg.Cluster != "" {
			if err := c.Exec(ctx, "SYSTEM SYNC REPLICA "+table); err != nil {
				return result{}, fmt.Errorf("sync on %s: %w", servers[i], err)
			}
			if err := c.QueryRow(ctx, "SELECT is_leader FROM system.replicas WHERE database = currentDatabase() AND table = ?", table).Scan(&leader); err != nil {
				return result{}, fmt.Errorf("replica state on %s: %w", servers[i], err)
			}
		}
		if leader == 1 {
			if err := c.Exec(ctx, "OPTIMIZE TABLE "+table+" FINAL"); err != nil {
				return result{}, fmt.Errorf("optimize on %s: %w", servers[i], err)
			}
		}
	}
	var textC, textU, rowC, rowU, disk uint64
	for i, c := range conns {
		if cfg.Cluster != "" {
			if err := c.Exec(ctx, "SYSTEM SYNC REPLICA "+table); err != nil {
				return result{}, fmt.Errorf("sync on %s: %w", servers[i], err)
			}
		}
		var tc, tu, rc, ru, d uint64
		err := c.QueryRow(ctx, `SELECT sumIf(data_compressed_bytes, name = 'text'), sumIf(data_uncompressed_bytes, name = 'text'),
			sum(data_compressed_bytes), sum(data_uncompressed_bytes) FROM system.columns
			WHERE database = currentDatabase() AND table = ?`, table).Scan(&tc, &tu, &rc, &ru)
		if err == nil {
			err = c.QueryRow(ctx, `SELECT sum(bytes_on_disk) FROM system.parts WHERE database = currentDatabase() AND table = ? AND active`, table).Scan(&d)
		}
		if err != nil {
			return result{}, fmt.Errorf("sizes on %s: %w", servers[i], err)
		}
		textC, textU, rowC, rowU, disk = textC+tc, textU+tu, rowC+rc, rowU+ru, disk+d
	}
	return result{name: name, rate: rate, textRatio: float64(textU) / float64(textC), rowRat: float64(rowU) / float64(rowC),
		diskPerMillion: float64(disk) / float64(len(ps)) * 1e6}, nil
}

// realLengthPosts builds n posts of real texts with real post lengths (see the command's
// doc comment) and returns them with their sorted text lengths in characters.
func realLengthPosts(dir string, n int) ([]post.Post, []int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "all.jsonl"))
	if err != nil || len(files) == 0 {
		return nil, nil, fmt.Errorf("no */all.jsonl under %s", dir)
	}
	sort.Strings(files)
	var texts []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, nil, err
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var item struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(sc.Bytes(), &item) == nil && strings.TrimSpace(item.Text) != "" {
				texts = append(texts, strings.TrimSpace(item.Text))
			}
		}
		fh.Close()
	}
	rng := mrand.New(mrand.NewPCG(18, 2026))
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ps := make([]post.Post, n)
	lens := make([]int, n)
	next := 0
	for i := range ps {
		target := int(math.Min(8000, math.Max(20, 300*math.Exp(rng.NormFloat64()))))
		var sb strings.Builder
		for len([]rune(sb.String())) < target {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(texts[next%len(texts)])
			next++
		}
		text := []rune(sb.String())
		if len(text) > target {
			text = text[:target]
		}
		lens[i] = len(text)
		ch := fmt.Sprintf("channel%03d", rng.IntN(500))
		ps[i] = post.Post{ID: fmt.Sprintf("telegram:%s/%d", ch, i), Source: "telegram", Channel: ch,
			Author: fmt.Sprintf("author%04d", rng.IntN(5000)), URL: fmt.Sprintf("https://t.me/%s/%d", ch, i),
			Text: string(text), Lang: "ru", Views: int64(rng.IntN(100000)),
			PublishedAt: at.Add(time.Duration(i) * 30 * time.Second), CollectedAt: at.Add(time.Duration(i)*30*time.Second + time.Minute)}
	}
	sort.Ints(lens)
	return ps, lens, nil
}
