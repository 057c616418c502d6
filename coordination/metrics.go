package coordination

import "github.com/prometheus/client_golang/prometheus"

// collector exports a Detector's Stats to Prometheus at scrape time, so the detector's
// hot path does no metric bookkeeping and nothing is registered globally.
type collector struct {
	d     *Detector
	descs map[string]*prometheus.Desc
}

// metricDefs are the exported metrics: name, help and whether it is a counter.
var metricDefs = []struct {
	name, help string
	counter    bool
}{
	{"kuzot_coordination_posts_total", "Posts accepted by the coordination detector.", true},
	{"kuzot_coordination_rejected_total", "Posts the coordination detector rejected (invalid, too late, future).", true},
	{"kuzot_coordination_too_late_total", "Posts rejected because they arrived later than the allowed lateness.", true},
	{"kuzot_coordination_pairs_total", "Distinct (account pair, object) co-actions counted.", true},
	{"kuzot_coordination_capped_actions_total", "Actions on hot objects that produced no pairs.", true},
	{"kuzot_coordination_hot_objects_total", "Objects that exceeded max_object_actors within one window.", true},
	{"kuzot_coordination_pruned_pairs_total", "Weak account pairs pruned to stay within max_pairs.", true},
	{"kuzot_coordination_accounts", "Accounts held in detector state.", false},
	{"kuzot_coordination_buckets", "Objects held in the sliding window.", false},
	{"kuzot_coordination_texts", "Texts held in the near-duplicate index.", false},
	{"kuzot_coordination_edges", "Account pairs with at least one co-action.", false},
	{"kuzot_coordination_strong_edges", "Account pairs passing min_weight and min_affinity.", false},
	{"kuzot_coordination_watermark_seconds", "Event time (newest published_at) of the detector, Unix seconds.", false},
}

// NewCollector returns a Prometheus collector for d's statistics; register it with the
// process's Registerer (reg.MustRegister(coordination.NewCollector(d))).
func NewCollector(d *Detector) prometheus.Collector {
	c := &collector{d: d, descs: map[string]*prometheus.Desc{}}
	for _, m := range metricDefs {
		c.descs[m.name] = prometheus.NewDesc(m.name, m.help, nil, nil)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range metricDefs {
		ch <- c.descs[m.name]
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.d.Stats()
	var wm float64
	if !s.Watermark.IsZero() {
		wm = float64(s.Watermark.Unix())
	}
	values := map[string]float64{
		"kuzot_coordination_posts_total": float64(s.Posts), "kuzot_coordination_rejected_total": float64(s.Rejected),
		"kuzot_coordination_too_late_total": float64(s.TooLate), "kuzot_coordination_pairs_total": float64(s.Pairs),
		"kuzot_coordination_capped_actions_total": float64(s.CappedActions), "kuzot_coordination_hot_objects_total": float64(s.HotObjects),
		"kuzot_coordination_pruned_pairs_total": float64(s.PrunedEdges), "kuzot_coordination_accounts": float64(s.Accounts), "kuzot_coordination_buckets": float64(s.Buckets),
		"kuzot_coordination_texts": float64(s.Texts), "kuzot_coordination_edges": float64(s.Edges),
		"kuzot_coordination_strong_edges": float64(s.StrongEdges), "kuzot_coordination_watermark_seconds": wm,
	}
	for _, m := range metricDefs {
		kind := prometheus.GaugeValue
		if m.counter {
			kind = prometheus.CounterValue
		}
		ch <- prometheus.MustNewConstMetric(c.descs[m.name], kind, values[m.name])
	}
}
