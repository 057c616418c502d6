package pipeline

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the pipeline's Prometheus instruments. They are labelled by stream and
// consumer only: never by post, user or handle.
type Metrics struct {
	Published      *prometheus.CounterVec
	Processed      *prometheus.CounterVec
	DeadLettered   *prometheus.CounterVec
	BatchRows      *prometheus.HistogramVec
	BatchBytes     *prometheus.HistogramVec
	WriteDuration  *prometheus.HistogramVec
	WriteErrors    *prometheus.CounterVec
	Redelivered    *prometheus.CounterVec
	ConsumerLag    *prometheus.GaugeVec
	AckPending     *prometheus.GaugeVec
	StreamMessages *prometheus.GaugeVec
	StreamBytes    *prometheus.GaugeVec
}

// NewMetrics creates and registers the pipeline metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_publish_total",
			Help: "Messages published to JetStream, by stream and result (ok, duplicate, error).",
		}, []string{"stream", "result"}),
		Processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_consumer_messages_total",
			Help: "Messages a consumer finished, by outcome (acked, dead_lettered).",
		}, []string{"consumer", "outcome"}),
		DeadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_dlq_messages_total",
			Help: "Messages moved to the dead-letter stream, by consumer and reason class.",
		}, []string{"consumer", "reason"}),
		BatchRows: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kuzot_consumer_batch_rows",
			Help:    "Rows per batch written by a consumer.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9),
		}, []string{"consumer"}),
		BatchBytes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kuzot_consumer_batch_bytes",
			Help:    "Bytes of message data per batch written by a consumer.",
			Buckets: prometheus.ExponentialBuckets(1024, 4, 9),
		}, []string{"consumer"}),
		WriteDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kuzot_consumer_write_duration_seconds",
			Help:    "Time to write one batch downstream (ClickHouse insert, result publish).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}, []string{"consumer"}),
		WriteErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_consumer_write_errors_total",
			Help: "Failed batch writes (the batch is retried, never acked early).",
		}, []string{"consumer"}),
		Redelivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_consumer_redeliveries_total",
			Help: "Messages received that JetStream had delivered before.",
		}, []string{"consumer"}),
		ConsumerLag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_consumer_lag_messages",
			Help: "Messages in the stream not yet delivered to the consumer.",
		}, []string{"stream", "consumer"}),
		AckPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_consumer_ack_pending_messages",
			Help: "Messages delivered to the consumer and not yet acknowledged.",
		}, []string{"stream", "consumer"}),
		StreamMessages: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_stream_messages",
			Help: "Messages held in a JetStream stream.",
		}, []string{"stream"}),
		StreamBytes: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kuzot_stream_bytes",
			Help: "Bytes held in a JetStream stream.",
		}, []string{"stream"}),
	}
	reg.MustRegister(m.Published, m.Processed, m.DeadLettered, m.BatchRows, m.BatchBytes, m.WriteDuration,
		m.WriteErrors, m.Redelivered, m.ConsumerLag, m.AckPending, m.StreamMessages, m.StreamBytes)
	return m
}
