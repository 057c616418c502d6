package coordination_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/post"
)

// Example shows how the pipeline drives the detector from a post consumer: Observe
// every post (ack it whatever the error: a rejected post can never be paired), Flush on
// a ticker and write what Flush returns with Store.WriteClusters.
func Example() {
	d, err := coordination.NewDetector(coordination.DefaultParams(),
		coordination.WithClock(func() time.Time { return time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC) }))
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	texts := []string{
		"иностранные агенты снова получили гранты чтобы разрушать наши традиции",
		"требуем запретить пропаганду в школах пока не поздно для детей",
		"эти активисты работают на чужие деньги и позорят нашу страну",
	}
	for c, text := range texts {
		for i, who := range []string{"farm_01", "farm_02", "farm_03"} {
			p := post.Post{ID: fmt.Sprintf("vk:%d%d", c, i), Source: "vk", Author: who, Text: text,
				ReplyTo: fmt.Sprintf("vk:wall-1_%d", c), PublishedAt: start.Add(time.Duration(c)*time.Hour + time.Duration(i)*time.Minute)}
			if err := d.Observe(coordination.Observation{Post: p, Frames: []string{"foreign_agent"}}); err != nil {
				fmt.Println("rejected:", err) // log, count, ack
			}
		}
	}
	for _, c := range d.Flush(start.Add(3 * time.Hour)) { // then store.WriteClusters(ctx, clusters)
		fmt.Println(c.Status, strings.Join(c.Accounts, " "), c.Behaviours, len(c.Posts), c.Frames[0].Frame)
	}
	// Output:
	// active vk:farm_01 vk:farm_02 vk:farm_03 [co_reply co_text] 9 foreign_agent
}

func TestCollectorExportsStats(t *testing.T) {
	d, err := coordination.NewDetector(coordination.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(coordination.NewCollector(d))
	now := time.Now().UTC()
	for i := range 3 {
		_ = d.Observe(coordination.Observation{Post: post.Post{ID: fmt.Sprintf("vk:%d", i), Author: "a",
			ReplyTo: "vk:x", PublishedAt: now}})
	}
	_ = d.Observe(coordination.Observation{Post: post.Post{ID: "vk:bad"}})
	want := `
# HELP kuzot_coordination_posts_total Posts accepted by the coordination detector.
# TYPE kuzot_coordination_posts_total counter
kuzot_coordination_posts_total 3
# HELP kuzot_coordination_rejected_total Posts the coordination detector rejected (invalid, too late, future).
# TYPE kuzot_coordination_rejected_total counter
kuzot_coordination_rejected_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "kuzot_coordination_posts_total", "kuzot_coordination_rejected_total"); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 13 {
		t.Fatalf("%d metrics, %v", n, err)
	}
}
