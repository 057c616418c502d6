package loadgen

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/internal/testenv"
)

// BenchmarkGeneratePost is the cost of building one synthetic post; its baseline,
// BenchmarkBaselineMarshalPost, is encoding an already built post, which every publisher
// pays anyway: the generator must not be what limits a load test.
func BenchmarkGeneratePost(b *testing.B) {
	g := mustGen(b, "bg")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := g.Post(uint64(i))
		if p.ID == "" {
			b.Fatal("empty post")
		}
	}
}

func BenchmarkBaselineMarshalPost(b *testing.B) {
	p := mustGen(b, "bm").Post(12345)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishOneByOne publishes posts into the embedded JetStream server (fsync on
// every write) one message at a time, asynchronously: the baseline for
// BenchmarkPublishAtomicBatch100, the same posts in atomic batches of 100 (one fsync per
// batch). The ratio is what group commit buys on this disk.
func BenchmarkPublishOneByOne(b *testing.B) { benchPublish(b, 0) }

func BenchmarkPublishAtomicBatch100(b *testing.B) { benchPublish(b, 100) }

func benchPublish(b *testing.B, batch int) {
	bus := testenv.Bus(b)
	js, err := jetstream.New(bus.NC, jetstream.WithPublishAsyncTimeout(10*time.Second), jetstream.WithPublishAsyncMaxPending(2048))
	if err != nil {
		b.Fatal(err)
	}
	g := mustGen(b, "bp")
	ledger := NewLedger(b.N)
	b.ResetTimer()
	st, err := Publish(context.Background(), js, g, ledger, Options{Posts: uint64(b.N), Batch: batch, Window: 2048})
	b.StopTimer()
	if err != nil || st.Acked != uint64(b.N) {
		b.Fatalf("stats %+v, err %v", st, err)
	}
	b.ReportMetric(st.Rate(), "posts/s")
}
