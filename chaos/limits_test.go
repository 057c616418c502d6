package chaos

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/loadgen"
	"github.com/kuzot/kuzot/pipeline"
)

// TestChaosOverload publishes faster than the pipeline drains into a posts stream
// limited to 1 MiB (Discard New). The policy under test: the full stream rejects new
// posts and publishers retry them; no old post is dropped to make room; the lag shows on
// /metrics; memory stays bounded; and once the operator raises the limit (a role
// restarted with a larger nats.posts_max_bytes updates the stream) every acknowledged
// post is stored exactly once.
func TestChaosOverload(t *testing.T) {
	skipShort(t)
	c := newCluster(t, testenv.ClickHouseConfig(t))
	c.extra = "  posts_max_bytes: 1048576\n"
	c.startJetStream()
	_, clsAddr := c.startRoles("classify", "classify")
	store, _ := c.startRoles("store", "store")
	c.kill(store) // its consumers exist, but nothing drains to ClickHouse

	posts := min(scale.posts, 4000)
	l := c.startLoad(context.Background(), "over", posts, 0)
	js := c.client()
	testenv.Eventually(t, 60*time.Second, "publishers rejected by the full stream", func() bool {
		return l.ledger.Counts()[loadgen.Indeterminate] > 0 && streamBytes(t, c) > 900<<10 // some posts unanswered while the stream is full
	})
	time.Sleep(2 * time.Second) // let the publisher hit the limit repeatedly
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	s, err := js.Stream(ctx, pipeline.PostsStream)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if info.State.FirstSeq != 1 || info.State.Msgs != info.State.LastSeq {
		t.Fatalf("the full stream dropped old posts: first seq %d, %d messages, last seq %d",
			info.State.FirstSeq, info.State.Msgs, info.State.LastSeq)
	}
	if info.State.Bytes > 1<<20 {
		t.Fatalf("stream holds %d bytes, above its 1 MiB limit", info.State.Bytes)
	}
	testenv.Eventually(t, 15*time.Second, "store-posts lag on /metrics", func() bool {
		v, ok := metric(t, clsAddr, "kuzot_consumer_lag_messages", `consumer="store-posts"`)
		return ok && v > 0
	})
	if rss, ok := metric(t, clsAddr, "process_resident_memory_bytes"); !ok || rss > 512<<20 {
		t.Fatalf("classify resident memory %v (%v) under overload, want < 512 MiB", rss, ok)
	}

	// The operator raises the limit: the store starts with the larger limit and updates
	// the stream; the retrying publishers get through.
	c.extra = "  posts_max_bytes: 268435456\n"
	c.startRoles("store-raised", "store")
	l.wait(t, 3*time.Minute)
	if l.stats.Retries == 0 {
		t.Fatal("the publisher never saw a rejection")
	}
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), 2*storeBatchRows)
}

func streamBytes(t *testing.T, c *cluster) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s, err := c.client().Stream(ctx, pipeline.PostsStream)
	if err != nil {
		return 0
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0
	}
	return info.State.Bytes
}

// TestChaosDiskFull puts the JetStream store on a 256 MiB tmpfs and, under load, fills
// the file system with a ballast file (as runaway logs or another tenant would), leaving
// JetStream's own limits (64 MiB per stream) far from reached. Publishers must see
// rejections, never a false acknowledgement; after the operator frees space and restarts
// the server, every acknowledged post is stored exactly once. It needs root to mount a
// tmpfs and skips otherwise.
//
// (A tmpfs smaller than the streams' limits does not test this: JetStream then refuses to
// create the streams at all, "insufficient storage resources", because it reserves each
// stream's MaxBytes against the free space when the stream is created.)
func TestChaosDiskFull(t *testing.T) {
	skipShort(t)
	c := newCluster(t, testenv.ClickHouseConfig(t))
	c.extra = "  posts_max_bytes: 67108864\n"
	mnt := filepath.Join(c.dir, "jetstream")
	if err := os.MkdirAll(mnt, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", mnt).Run() })
	js := c.startJetStream()
	c.startRoles("store", "store")
	c.startRoles("classify", "classify")

	l := c.startLoad(context.Background(), "disk", scale.posts, scale.rate)
	time.Sleep(loadDuration() / 4)
	ballast := filepath.Join(mnt, "ballast")
	// dd stops with "No space left on device"; that is the point.
	_ = exec.Command("dd", "if=/dev/zero", "of="+ballast, "bs=1M", "count=256").Run()
	t.Logf("disk filled at %s; ledger %v", time.Now().Format("15:04:05.000"), l.ledger.Counts())
	// While the disk is full nothing more may be acknowledged (allow the writes that
	// were in flight when dd filled the disk).
	time.Sleep(time.Second)
	before := l.ledger.Counts()[loadgen.Acked]
	time.Sleep(3 * time.Second)
	after := l.ledger.Counts()[loadgen.Acked]
	t.Logf("acknowledged while the disk was full: %d (before %d)", after-before, before)
	if after-before > 0 {
		t.Errorf("%d posts acknowledged while the disk was full", after-before)
	}
	select {
	case <-l.done:
		t.Fatal("the load finished although the disk was full")
	default:
	}
	t.Logf("JetStream server log while full:\n%s", tail(js.logPath, 8))
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	c.kill(js) // a JetStream server that hit a write error must be restarted
	c.restart(js)
	l.wait(t, 3*time.Minute)
	if l.stats.Retries == 0 {
		t.Fatal("the publisher never saw a rejection")
	}
	c.waitDrained(scale.drainTimeout, storePosts, classify, storeResults)
	c.check(l, classifierNames(), 4*2*storeBatchRows)
}
