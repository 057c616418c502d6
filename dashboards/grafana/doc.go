// Package grafana holds kuzot's Grafana provisioning (a ClickHouse and a Prometheus
// datasource, and a file provider) and its dashboards as JSON. The package has no code
// of its own: its tests check the JSON against the structure Grafana requires and run
// every ClickHouse panel query against a real ClickHouse loaded with demo data.
package grafana
