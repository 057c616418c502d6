package coordination_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/coordination"
	"github.com/kuzot/kuzot/coordination/synth"
	"github.com/kuzot/kuzot/internal/testenv"
)

// TestIntegrationStoreClusters writes detected clusters, a merge tombstone and labels to
// a real ClickHouse (KUZOT_TEST_CLICKHOUSE_ADDR) and reads them back.
func TestIntegrationStoreClusters(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	conn, _ := testenv.ClickHouse(t)
	ctx := context.Background()
	cfg := synth.DefaultConfig(30_000)
	cfg.PostsPerDay = 30_000
	clusters, _, _ := runSynth(t, cfg, coordination.DefaultParams())
	if len(clusters) == 0 {
		t.Fatal("no clusters to store")
	}
	st := coordination.NewStore(conn)
	for range 2 { // a redelivered write collapses with the first
		if err := st.WriteClusters(ctx, clusters); err != nil {
			t.Fatal(err)
		}
	}
	tomb := coordination.Cluster{ID: "co_test_old", Status: coordination.StatusMerged, MergedInto: clusters[0].ID,
		Params: coordination.DefaultParams(), DetectedAt: time.Now(), Version: 1}
	if err := st.WriteClusters(ctx, []coordination.Cluster{tomb}); err != nil {
		t.Fatal(err)
	}

	var active, merged uint64
	if err := conn.QueryRow(ctx, "SELECT countIf(status = 'active'), countIf(status = 'merged') FROM coordination_clusters FINAL").
		Scan(&active, &merged); err != nil {
		t.Fatal(err)
	}
	if int(active) != len(clusters) || merged != 1 {
		t.Fatalf("active %d (want %d) merged %d", active, len(clusters), merged)
	}
	c := clusters[0]
	var size uint32
	var accounts []string
	var params string
	var first time.Time
	if err := conn.QueryRow(ctx, "SELECT size, accounts, params, first_at FROM coordination_clusters FINAL WHERE id = ?", c.ID).
		Scan(&size, &accounts, &params, &first); err != nil {
		t.Fatal(err)
	}
	if int(size) != len(c.Accounts) || strings.Join(accounts, ",") != strings.Join(c.Accounts, ",") ||
		!strings.Contains(params, `"min_weight":3`) || !first.Equal(c.First) {
		t.Fatalf("stored cluster differs: size %d params %s first %v", size, params, first)
	}
	var members, edges uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM coordination_members FINAL WHERE cluster_id = ?", c.ID).Scan(&members); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count() FROM coordination_evidence FINAL WHERE cluster_id = ?", c.ID).Scan(&edges); err != nil {
		t.Fatal(err)
	}
	if int(members) != len(c.Members) || int(edges) != len(c.Edges) {
		t.Fatalf("members %d/%d evidence %d/%d", members, len(c.Members), edges, len(c.Edges))
	}

	var rhythm string
	var bursts uint32
	var starts []time.Time
	var platforms []string
	if err := conn.QueryRow(ctx, "SELECT rhythm, bursts, burst_starts, platforms FROM coordination_rhythm FINAL WHERE cluster_id = ?", c.ID).
		Scan(&rhythm, &bursts, &starts, &platforms); err != nil {
		t.Fatal(err)
	}
	if c.Rhythm == nil || rhythm != c.Rhythm.Kind || int(bursts) != c.Rhythm.Bursts || len(starts) != len(c.Rhythm.Timeline) ||
		!starts[0].Equal(c.Rhythm.Timeline[0].Start) || strings.Join(platforms, ",") != strings.Join(c.Platforms, ",") || len(platforms) == 0 {
		t.Fatalf("stored rhythm %q %d %v %v, cluster %+v %v", rhythm, bursts, starts, platforms, c.Rhythm, c.Platforms)
	}

	recent, err := st.RecentClusters(ctx, c.Last.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recent {
		if r.ID == tomb.ID {
			t.Fatal("a merged tombstone was returned for Restore")
		}
		found = found || (r.ID == c.ID && len(r.Accounts) == len(c.Accounts) && r.Last.Equal(c.Last))
	}
	if !found {
		t.Fatalf("RecentClusters lacks %s: %+v", c.ID, recent)
	}

	// Labels: the latest wins; invalid ones never reach the database.
	at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	for i, l := range []string{coordination.LabelConfirmed, coordination.LabelDismissed} {
		if err := st.SetLabel(ctx, coordination.Label{ClusterID: c.ID, Label: l, Analyst: "analyst-1",
			Note: "проверено", At: at.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetLabel(ctx, coordination.Label{ClusterID: c.ID, Label: "troll", Analyst: "a", At: at}); !errors.Is(err, coordination.ErrLabel) {
		t.Fatalf("invalid label: %v", err)
	}
	var label string
	if err := conn.QueryRow(ctx, "SELECT toString(label) FROM coordination_labels FINAL WHERE cluster_id = ?", c.ID).Scan(&label); err != nil {
		t.Fatal(err)
	}
	if label != coordination.LabelDismissed {
		t.Fatalf("label %q", label)
	}
}

type recordingLabeler struct {
	got []coordination.Label
	err error
}

func (r *recordingLabeler) SetLabel(_ context.Context, l coordination.Label) error {
	if err := l.Validate(); err != nil {
		return err
	}
	if r.err != nil {
		return r.err
	}
	r.got = append(r.got, l)
	return nil
}

func TestLabelHandler(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }
	who := func(r *http.Request) (string, error) {
		if u := r.Header.Get("X-Test-User"); u != "" {
			return u, nil
		}
		return "", errors.New("no session")
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		name, method, body, user string
		storeErr                 error
		code                     int
		stored                   bool
	}{
		{"confirm", http.MethodPost, `{"label":"confirmed","note":"same texts"}`, "analyst-1", nil, 200, true},
		{"dismiss without note", http.MethodPost, `{"label":"dismissed"}`, "analyst-1", nil, 200, true},
		{"unknown label", http.MethodPost, `{"label":"troll"}`, "analyst-1", nil, 400, false},
		{"unknown field", http.MethodPost, `{"label":"confirmed","cluster":"x"}`, "analyst-1", nil, 400, false},
		{"malformed json", http.MethodPost, `{"label":`, "analyst-1", nil, 400, false},
		{"not signed in", http.MethodPost, `{"label":"confirmed"}`, "", nil, 401, false},
		{"get", http.MethodGet, ``, "analyst-1", nil, 405, false},
		{"storage down", http.MethodPost, `{"label":"confirmed"}`, "analyst-1", errors.New("connection refused"), 500, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingLabeler{err: tc.storeErr}
			mux := http.NewServeMux()
			mux.Handle("/api/coordination/clusters/{id}/label", coordination.LabelHandler(rec, who, now, log))
			req := httptest.NewRequest(tc.method, "/api/coordination/clusters/co_abc/label", strings.NewReader(tc.body))
			if tc.user != "" {
				req.Header.Set("X-Test-User", tc.user)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.code, w.Body.String())
			}
			if tc.stored != (len(rec.got) == 1) {
				t.Fatalf("stored %v", rec.got)
			}
			if tc.stored && (rec.got[0].ClusterID != "co_abc" || rec.got[0].Analyst != tc.user || !rec.got[0].At.Equal(now())) {
				t.Fatalf("stored %+v", rec.got[0])
			}
			if tc.code == 500 && strings.Contains(w.Body.String(), "refused") {
				t.Fatal("storage error leaked to the client")
			}
		})
	}
}
