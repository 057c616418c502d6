package alerts

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the alert role's instruments. Labels are channel names (from the config)
// and outcomes, never organisations' members or posts.
type Metrics struct {
	Deliveries   *prometheus.CounterVec
	Attempts     *prometheus.CounterVec
	Latency      *prometheus.HistogramVec
	Pending      *prometheus.GaugeVec
	Observations *prometheus.CounterVec
	Conflicts    prometheus.Counter
}

// NewMetrics creates and registers the metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_alert_deliveries_total",
			Help: "Alert deliveries by channel and state reached (queued, sent, failed, cancelled).",
		}, []string{"channel", "state"}),
		Attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_alert_delivery_attempts_total",
			Help: "Delivery attempts by channel and result (ok, retry, permanent).",
		}, []string{"channel", "result"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kuzot_alert_delivery_latency_seconds",
			Help:    "Time from the collection of the post that triggered an alert to its confirmed delivery.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600},
		}, []string{"channel"}),
		Pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_alert_queued_messages",
			Help: "Delivery jobs in the outbox not yet delivered (waiting, retrying or in flight), by channel.",
		}, []string{"channel"}),
		Observations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_alert_observations_total",
			Help: "Watch-list matches seen by the alert role, by outcome (new_incident, update, joined, coalesced, suppressed, duplicate, below_threshold, unknown_org, malformed, before_join, reupload: a picture joined to an incident by its print).",
		}, []string{"outcome"}),
		Conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kuzot_alert_state_conflicts_total",
			Help: "Compare-and-set conflicts on incident state (another worker updated it first; retried).",
		}),
	}
	reg.MustRegister(m.Deliveries, m.Attempts, m.Latency, m.Pending, m.Observations, m.Conflicts)
	return m
}
