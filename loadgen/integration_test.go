package loadgen

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestIntegrationPublishStoreCheck runs the real publish -> JetStream -> store stage ->
// ClickHouse path, checks that every acknowledged post is stored exactly once, and then
// proves the checker is not vacuous: a lost post, a re-inserted row and a post nobody
// sent are each reported.
func TestIntegrationPublishStoreCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	bus := testenv.Bus(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := testenv.Logger(t)

	m := pipeline.NewMetrics(prometheus.NewRegistry())
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- pipeline.RunStage(sctx, bus, pipeline.ConsumerSpec{Stream: pipeline.PostsStream, Durable: pipeline.StorePostsConsumer},
			m, log, pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: 500, MaxWait: 100 * time.Millisecond}},
			pipeline.DecodePost, func(ctx context.Context, rows []post.Post) error { return storage.InsertPosts(ctx, conn, rows) })
	}()

	gen := mustGen(t, "it")
	ledger := NewLedger(2000)
	js, err := jetstream.New(bus.NC, jetstream.WithPublishAsyncTimeout(5*time.Second), jetstream.WithPublishAsyncMaxPending(512))
	if err != nil {
		t.Fatal(err)
	}
	tracker := NewFloorTracker(js, pipeline.PostsStream, pipeline.StorePostsConsumer)
	tctx, tstop := context.WithCancel(ctx)
	go tracker.Run(tctx, 20*time.Millisecond)
	st, err := Publish(ctx, js, gen, ledger, Options{Posts: 2000, Window: 256})
	if err != nil {
		t.Fatal(err)
	}
	if st.Acked != 2000 || st.Attempted != 2000 {
		t.Fatalf("stats %+v", st)
	}
	// Publishing the same posts again (a collector re-run) is deduplicated by JetStream.
	again := NewLedger(10)
	if st2, err := Publish(ctx, js, gen, again, Options{Posts: 10}); err != nil || st2.Duplicates != 10 {
		t.Fatalf("republish: %+v %v", st2, err)
	}
	if err := WaitFloor(ctx, tracker, ledger.MaxSeq(), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	tstop()
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ledger.ApplyStored(tracker.Samples())
	lat := StoredLatency(ledger.Snapshot())
	if lat.N != 2000 || lat.P50 <= 0 || lat.P99 < lat.P50 {
		t.Fatalf("stored latency %+v", lat)
	}

	rep, err := Check(ctx, conn, gen, ledger, CheckOptions{MaxRawDuplicates: 0})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() != nil || rep.MustAppear != 2000 || rep.Final != 2000 || rep.Raw != 2000 {
		t.Fatalf("clean run: %s", rep)
	}

	// Break each invariant and expect the checker to say so. Merges are stopped so that
	// ClickHouse cannot collapse the re-inserted row before the check sees it.
	if err := conn.Exec(ctx, "SYSTEM STOP MERGES posts"); err != nil {
		t.Fatal(err)
	}
	never := gen.Post(2001) // stored but never sent
	dup := gen.Post(3)
	dup.CollectedAt = dup.CollectedAt.Add(time.Hour) // a re-insert: FINAL collapses it, the raw count does not
	if err := storage.InsertPosts(ctx, conn, []post.Post{never, dup}); err != nil {
		t.Fatal(err)
	}
	// Post 2000 is acknowledged in the ledger but never reached the stream: lost.
	if err := ledger.begin(2000, gen.KindOf(2000), time.Now()); err != nil {
		t.Fatal(err)
	}
	ledger.settle(2000, 99999, false, time.Now())
	rep, err = Check(ctx, conn, gen, ledger, CheckOptions{MaxRawDuplicates: 0, Classifiers: []string{"exposure"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := rep.Err()
	if msg == nil {
		t.Fatalf("broken data passed the check: %s", rep)
	}
	for _, want := range []string{"lost", gen.ID(2000), "raw rows minus posts after FINAL above the bound of 0: 1",
		"ids present that no post", gen.ID(2001),
		"without their classification"} {
		if !strings.Contains(msg.Error(), want) {
			t.Errorf("report lacks %q:\n%v", want, msg)
		}
	}
}

// TestPublishStopsOnClosedConnection: a connection closed for good (not reconnecting)
// ends the run with an error instead of retrying forever, and nothing is marked acked.
func TestPublishStopsOnClosedConnection(t *testing.T) {
	bus := testenv.Bus(t)
	nc, err := nats.Connect(bus.ClientURL(), bus.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
	ledger := NewLedger(100)
	start := time.Now()
	_, err = Publish(context.Background(), js, mustGen(t, "closed"), ledger, Options{Posts: 100})
	if err == nil || !strings.Contains(err.Error(), "connection closed") {
		t.Fatalf("err = %v, want connection closed", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %s to give up", d)
	}
	if c := ledger.Counts(); c[Acked] != 0 || c[Duplicate] != 0 {
		t.Fatalf("ledger %v claims acknowledgements on a closed connection", c)
	}
}

// TestPublishAtomicBatches: in batch mode every post is acknowledged with the sequence it
// really got, and a batch the server rejects (all duplicates on a rerun) falls back to
// one-by-one publishing, which reports duplicates instead of losing or re-storing posts.
func TestPublishAtomicBatches(t *testing.T) {
	bus := testenv.Bus(t)
	js, err := jetstream.New(bus.NC, jetstream.WithPublishAsyncTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	gen := mustGen(t, "batch")
	ledger := NewLedger(250)
	st, err := Publish(ctx, js, gen, ledger, Options{Posts: 250, Batch: 100})
	if err != nil || st.Acked != 250 || st.Retries != 0 {
		t.Fatalf("stats %+v, err %v", st, err)
	}
	s, err := js.Stream(ctx, "KUZOT_POSTS")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint64{0, 99, 100, 249} {
		r, _ := ledger.Get(n)
		raw, err := s.GetMsg(ctx, r.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw.Data), `"id":"`+gen.ID(n)+`"`) {
			t.Fatalf("post %d acked with seq %d, but that message is %s", n, r.Seq, raw.Data[:60])
		}
	}
	again := NewLedger(250)
	st, err = Publish(ctx, js, gen, again, Options{Posts: 250, Batch: 100})
	if err != nil || st.Duplicates != 250 || st.Acked != 0 {
		t.Fatalf("rerun: stats %+v, err %v", st, err)
	}
	info, err := s.Info(ctx)
	if err != nil || info.State.Msgs != 250 {
		t.Fatalf("stream holds %d messages after a rerun (err %v), want 250", info.State.Msgs, err)
	}
	if _, err := Publish(ctx, js, gen, NewLedger(0), Options{Posts: 1, Batch: 5000}); err == nil {
		t.Fatal("a batch above the server limit was accepted")
	}
}
