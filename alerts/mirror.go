package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/pipeline"
)

// Durable consumer names of the ClickHouse mirror.
const (
	MirrorIncidentsConsumer  = "alert-mirror-incidents"
	MirrorDeliveriesConsumer = "alert-mirror-deliveries"
)

// IncidentRow is one incidents table row.
type IncidentRow struct {
	Incident *Incident
	Version  uint64
}

// DeliveryRow is one alert_deliveries table row.
type DeliveryRow struct {
	State   DeliveryState
	Version uint64
}

// RunMirror copies every change of incident and delivery state to ClickHouse (tables
// incidents and alert_deliveries) for dashboards and reports. It reads the KV buckets'
// own streams with durable consumers and acks after the insert, so the mirror catches up
// after a ClickHouse outage or a restart and never blocks alert delivery. The KV stream
// server's time of each KV write is the row version (ReplacingMergeTree keeps the newest).
func RunMirror(ctx context.Context, b *pipeline.Bus, conn driver.Conn, m *pipeline.Metrics, log *slog.Logger) error {
	opt := pipeline.StageOptions{Batch: pipeline.BatchOptions{MaxRows: 2000, MaxWait: 500 * time.Millisecond, RetryMax: 30 * time.Second}}
	errs := make(chan error, 2)
	go func() {
		errs <- pipeline.RunStage(ctx, b, pipeline.ConsumerSpec{Stream: "KV_" + IncidentBucket, Durable: MirrorIncidentsConsumer,
			FilterSubject: "$KV." + IncidentBucket + ".m.>"}, m, log, opt, DecodeIncidentRows,
			func(ctx context.Context, rows [][]IncidentRow) error {
				return InsertIncidents(ctx, conn, flatten(rows))
			})
	}()
	go func() {
		errs <- pipeline.RunStage(ctx, b, pipeline.ConsumerSpec{Stream: "KV_" + DeliveryBucket, Durable: MirrorDeliveriesConsumer,
			FilterSubject: "$KV." + DeliveryBucket + ".>"}, m, log, opt, DecodeDeliveryRows,
			func(ctx context.Context, rows [][]DeliveryRow) error {
				return InsertDeliveries(ctx, conn, flatten(rows))
			})
	}()
	var first error
	for range 2 {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func flatten[T any](in [][]T) []T {
	var out []T
	for _, r := range in {
		out = append(out, r...)
	}
	return out
}

func kvVersion(msg jetstream.Msg) (uint64, bool) {
	if op := msg.Headers().Get("KV-Operation"); op == "DEL" || op == "PURGE" {
		return 0, false
	}
	meta, err := msg.Metadata()
	if err != nil {
		return 0, false
	}
	// The server's time of the KV write, in nanoseconds: monotonic per key, and
	// comparable with other writers of these tables that version rows by UnixNano.
	return uint64(meta.Timestamp.UnixNano()), true
}

// DecodeIncidentRows turns one KV revision of a member's state into incident rows.
func DecodeIncidentRows(_ context.Context, msg jetstream.Msg) ([]IncidentRow, error) {
	v, ok := kvVersion(msg)
	if !ok {
		return nil, nil
	}
	var st MemberState
	if err := json.Unmarshal(msg.Data(), &st); err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("incident state: %w", err))
	}
	out := make([]IncidentRow, 0, len(st.Incidents))
	for _, in := range st.Incidents {
		out = append(out, IncidentRow{Incident: in, Version: v})
	}
	return out, nil
}

// DecodeDeliveryRows turns one KV revision of a delivery's state into a row.
func DecodeDeliveryRows(_ context.Context, msg jetstream.Msg) ([]DeliveryRow, error) {
	v, ok := kvVersion(msg)
	if !ok {
		return nil, nil
	}
	var ds DeliveryState
	if err := json.Unmarshal(msg.Data(), &ds); err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("delivery state: %w", err))
	}
	return []DeliveryRow{{State: ds, Version: v}}, nil
}

const insertIncidents = `INSERT INTO incidents (id, org, member, fingerprint, severity, categories, platforms, urls,
	post_ids, max_views, status, update_seq, opened_at, updated_at, acknowledged_at, acknowledged_by, version)`

// InsertIncidents writes incident rows in one batch (a new batch per call, so a failed
// call can be repeated).
func InsertIncidents(ctx context.Context, conn driver.Conn, rows []IncidentRow) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, insertIncidents)
	if err != nil {
		return fmt.Errorf("insert incidents: prepare: %w", err)
	}
	defer b.Close()
	for _, r := range rows {
		in := r.Incident
		var seq uint32
		if n := len(in.Notifications); n > 0 {
			seq = in.Notifications[n-1].Seq - 1
		}
		if err := b.Append(in.ID, in.Org, in.Member, in.Fingerprint(), in.Severity.String(), nonNil(in.Categories),
			nonNil(in.Platforms), nonNil(in.URLs), nonNil(in.PostIDs), uint64(max(in.MaxViews, 0)), in.Status, seq,
			chTime(in.OpenedAt), chTime(in.UpdatedAt), chTime(in.AcknowledgedAt), in.AcknowledgedBy, r.Version); err != nil {
			return fmt.Errorf("insert incidents: row %s: %w", in.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert incidents: send %d rows: %w", len(rows), err)
	}
	return nil
}

const insertDeliveries = `INSERT INTO alert_deliveries (id, incident_id, org, channel, kind, severity, state, attempts,
	latency_ms, last_error, created_at, updated_at, version)`

// InsertDeliveries writes delivery rows in one batch.
func InsertDeliveries(ctx context.Context, conn driver.Conn, rows []DeliveryRow) error {
	if len(rows) == 0 {
		return nil
	}
	b, err := conn.PrepareBatch(ctx, insertDeliveries)
	if err != nil {
		return fmt.Errorf("insert alert deliveries: prepare: %w", err)
	}
	defer b.Close()
	for _, r := range rows {
		d := r.State
		kind := d.Kind
		if kind != KindNew && kind != KindUpdate {
			kind = KindUpdate
		}
		if err := b.Append(d.ID, d.IncidentID, d.Org, d.Channel, kind, d.Severity.String(), d.State, d.Attempts,
			d.LatencyMS, d.LastError, chTime(d.CreatedAt), chTime(d.UpdatedAt), r.Version); err != nil {
			return fmt.Errorf("insert alert deliveries: row %s: %w", d.ID, err)
		}
	}
	if err := b.Send(); err != nil {
		return fmt.Errorf("insert alert deliveries: send %d rows: %w", len(rows), err)
	}
	return nil
}

// chTime maps times outside DateTime's range (zero values) onto its ends.
func chTime(t time.Time) time.Time {
	lo, hi := time.Unix(0, 0).UTC(), time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t.UTC()
}
