package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The read side of the incidents and alert_deliveries tables, which the mirror writes
// (InsertIncidents, InsertDeliveries): the web UI's incident pages and the reports'
// incident and alert figures read through these functions, so the tables' SQL stays in
// this package (issue 20).

// StoredIncident is one incidents row as the readers see it.
type StoredIncident struct {
	ID             string
	Org            string
	Member         string
	Severity       string
	Categories     []string
	Platforms      []string
	URLs           []string
	PostIDs        []string
	MaxViews       uint64
	Status         string
	OpenedAt       time.Time
	UpdatedAt      time.Time
	AcknowledgedAt time.Time // zero when never acknowledged
	AcknowledgedBy string
}

// OrgScope limits a read to one organisation's rows; the zero value (All false, Org "")
// reads the rows whose org is "".
type OrgScope struct {
	All bool
	Org string
}

func (sc OrgScope) where(q string, args []any) (string, []any) {
	if sc.All {
		return q, args
	}
	return q + ` AND org = ?`, append(args, sc.Org)
}

const storedIncidentCols = `id, org, member, toString(severity), categories, platforms, urls, post_ids, max_views,
	toString(status), opened_at, updated_at, acknowledged_at, acknowledged_by`

func scanStoredIncident(row interface{ Scan(...any) error }) (StoredIncident, error) {
	var i StoredIncident
	err := row.Scan(&i.ID, &i.Org, &i.Member, &i.Severity, &i.Categories, &i.Platforms, &i.URLs, &i.PostIDs,
		&i.MaxViews, &i.Status, &i.OpenedAt, &i.UpdatedAt, &i.AcknowledgedAt, &i.AcknowledgedBy)
	if i.AcknowledgedAt.Unix() <= 0 {
		i.AcknowledgedAt = time.Time{}
	}
	return i, err
}

// ReadIncidents lists up to limit incidents in scope, most severe and then newest update
// first; status "" means any.
func ReadIncidents(ctx context.Context, conn driver.Conn, sc OrgScope, status string, limit int) ([]StoredIncident, error) {
	q := `SELECT ` + storedIncidentCols + ` FROM incidents FINAL WHERE 1`
	var args []any
	if status != "" {
		q += ` AND status = ?`
		args = append(args, status)
	}
	q, args = sc.where(q, args)
	q += ` ORDER BY severity DESC, updated_at DESC LIMIT ?`
	rows, err := conn.Query(ctx, q, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	var out []StoredIncident
	for rows.Next() {
		i, err := scanStoredIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("incidents: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// ReadIncident reads incident id in scope; found is false when it is absent or out of
// scope.
func ReadIncident(ctx context.Context, conn driver.Conn, sc OrgScope, id string) (i StoredIncident, found bool, err error) {
	q, args := sc.where(`SELECT `+storedIncidentCols+` FROM incidents FINAL WHERE id = ?`, []any{id})
	rows, err := conn.Query(ctx, q, args...)
	if err != nil {
		return i, false, fmt.Errorf("incident %s: %w", id, err)
	}
	defer rows.Close()
	if !rows.Next() {
		return i, false, nil
	}
	if i, err = scanStoredIncident(rows); err != nil {
		return i, false, fmt.Errorf("incident %s: %w", id, err)
	}
	return i, true, nil
}

// StoredDelivery is one alert_deliveries row as the readers see it.
type StoredDelivery struct {
	ID         string
	IncidentID string
	Org        string
	Channel    string
	Kind       string
	Severity   string
	State      string
	Attempts   uint32
	LatencyMS  uint32
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ReadDeliveries lists up to limit alert deliveries in scope, newest update first.
func ReadDeliveries(ctx context.Context, conn driver.Conn, sc OrgScope, limit int) ([]StoredDelivery, error) {
	q, args := sc.where(`SELECT id, incident_id, org, channel, toString(kind), toString(severity), toString(state),
		attempts, latency_ms, last_error, created_at, updated_at FROM alert_deliveries FINAL WHERE 1`, nil)
	rows, err := conn.Query(ctx, q+` ORDER BY updated_at DESC, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("alert deliveries: %w", err)
	}
	defer rows.Close()
	var out []StoredDelivery
	for rows.Next() {
		var x StoredDelivery
		if err := rows.Scan(&x.ID, &x.IncidentID, &x.Org, &x.Channel, &x.Kind, &x.Severity, &x.State, &x.Attempts,
			&x.LatencyMS, &x.LastError, &x.CreatedAt, &x.UpdatedAt); err != nil {
			return nil, fmt.Errorf("alert deliveries: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Period is a report period [From, To) and the start of the one before it, Prev: the
// previous period is [Prev, From). Org "" means every organisation.
type Period struct {
	Prev, From, To time.Time
	Org            string
}

func (p Period) args() []any {
	return []any{clickhouse.Named("prev", p.Prev.Unix()), clickhouse.Named("from", p.From.Unix()),
		clickhouse.Named("to", p.To.Unix()), clickhouse.Named("org", p.Org)}
}

// PeriodIncident is an incident opened in a report's period or the one before: figures
// only, nothing that identifies a person.
type PeriodIncident struct {
	Severity, Status      string
	Platforms, Categories []string
	Opened, Acknowledged  time.Time
	// Current: opened in the period, not the one before.
	Current bool
}

// IncidentsOpened reads the incidents opened in [p.Prev, p.To) of p.Org. Query settings
// travel in ctx.
func IncidentsOpened(ctx context.Context, conn driver.Conn, p Period) ([]PeriodIncident, error) {
	rows, err := conn.Query(ctx, `SELECT toString(severity), toString(status), platforms, categories, opened_at, acknowledged_at,
		opened_at >= toDateTime(@from)
		FROM incidents FINAL WHERE opened_at >= toDateTime(@prev) AND opened_at < toDateTime(@to) AND (@org = '' OR org = @org)`,
		p.args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PeriodIncident
	for rows.Next() {
		var i PeriodIncident
		var c uint8
		if err := rows.Scan(&i.Severity, &i.Status, &i.Platforms, &i.Categories, &i.Opened, &i.Acknowledged, &c); err != nil {
			return nil, err
		}
		i.Current = c == 1
		out = append(out, i)
	}
	return out, rows.Err()
}

// PeriodDelivery is an alert delivery created in a report's period or the one before.
type PeriodDelivery struct {
	Channel, State string
	LatencyMS      uint32
	// Current: created in the period, not the one before.
	Current bool
}

// DeliveriesCreated reads the alert deliveries created in [p.Prev, p.To) of p.Org. Query
// settings travel in ctx.
func DeliveriesCreated(ctx context.Context, conn driver.Conn, p Period) ([]PeriodDelivery, error) {
	rows, err := conn.Query(ctx, `SELECT channel, toString(state), latency_ms, created_at >= toDateTime(@from)
		FROM alert_deliveries FINAL WHERE created_at >= toDateTime(@prev) AND created_at < toDateTime(@to) AND (@org = '' OR org = @org)`,
		p.args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PeriodDelivery
	for rows.Next() {
		var d PeriodDelivery
		var c uint8
		if err := rows.Scan(&d.Channel, &d.State, &d.LatencyMS, &c); err != nil {
			return nil, err
		}
		d.Current = c == 1
		out = append(out, d)
	}
	return out, rows.Err()
}

// CountIncidents counts the incidents in scope with status ("" means any).
func CountIncidents(ctx context.Context, conn driver.Conn, sc OrgScope, status string) (uint64, error) {
	q := `SELECT count() FROM incidents FINAL WHERE 1`
	var args []any
	if status != "" {
		q += ` AND status = ?`
		args = append(args, status)
	}
	q, args = sc.where(q, args)
	var n uint64
	if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count incidents: %w", err)
	}
	return n, nil
}
