package modeldir_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/classifiers/narrative/feedback"
	"github.com/kuzot/kuzot/classifiers/narrative/modeldir"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// writeTestConfig writes a kuzot.yaml for a data directory and a test database.
func writeTestConfig(t *testing.T, dataDir string, ch config.ClickHouse) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kuzot.yaml")
	// The password stays out of the file, as in a deployment.
	t.Setenv("KUZOT_CLICKHOUSE_PASSWORD", string(ch.Password))
	y := fmt.Sprintf("data_dir: %s\nclickhouse:\n  addr: %s\n  database: %s\nmodels:\n  watch_interval: 1s\n", dataDir, ch.Addr, ch.Database)
	if err := os.WriteFile(path, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// seedLabelledPosts stores n invented posts with analysts' labels: even ones
// homophobic (marked missed, frame foreign_agent), odd ones counter-speech (dismissed).
func seedLabelledPosts(t *testing.T, conn driver.Conn, n int) {
	t.Helper()
	ctx := context.Background()
	pub := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	st := feedback.Store{Conn: conn}
	var posts []post.Post
	for i := range n {
		text := fmt.Sprintf("Эти извращенцы %d — агенты Запада, гнать их из страны", i)
		if i%2 == 1 {
			text = fmt.Sprintf("Травля ЛГБТ-людей %d недопустима, мы против гомофобии", i)
		}
		posts = append(posts, post.Post{ID: fmt.Sprintf("telegram:feedback/%d", i), Source: "telegram", Channel: "feedback",
			Text: text, Lang: "ru", PublishedAt: pub.Add(time.Duration(i) * time.Minute)})
	}
	if err := storage.InsertPosts(ctx, conn, posts); err != nil {
		t.Fatal(err)
	}
	for i, p := range posts {
		l := feedback.Label{PostID: p.ID, Source: p.Source, PublishedAt: p.PublishedAt, Analyst: "analyst", Role: "analyst",
			ModelVersion: "a9effbc9", LabelledAt: pub.Add(48 * time.Hour).Add(time.Duration(i) * time.Second)}
		if i%2 == 0 {
			l.Action, l.Frames, l.Labels = feedback.ActionMissed, []string{"foreign_agent"}, []string{"exclusion"}
		} else {
			l.Action, l.Kind = feedback.ActionDismiss, "counter"
		}
		if err := st.Add(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
}

var trainedVersion = regexp.MustCompile(`trained narrative candidate ([0-9a-f]{8,})`)

type command func(context.Context, []string, io.Writer, io.Writer) error

func run(t *testing.T, f command, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := f(context.Background(), args, &out, &errb)
	t.Logf("%v (err %v):\n%s%s", args, err, out.String(), errb.String())
	return out.String(), err
}

// TestIntegrationTrainComparePromote runs the commands of the feedback loop against a
// real ClickHouse: train a candidate with the analysts' labels, compare it with the
// current model on the frozen evaluation and the held-out labels, refuse to promote a
// worse model unless forced, promote, list.
func TestIntegrationTrainComparePromote(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: needs ClickHouse")
	}
	conn, ch := testenv.ClickHouse(t)
	dataDir := t.TempDir()
	cfg := writeTestConfig(t, dataDir, ch)
	dir := modeldir.Dir{Path: filepath.Join(dataDir, "models")}
	if _, err := run(t, modeldir.TrainCommand, "--labels", "--config", cfg); err == nil || !strings.Contains(err.Error(), "no analysts' labels") {
		t.Fatalf("training without any label: %v", err)
	}
	seedLabelledPosts(t, conn, 40)

	out, err := run(t, modeldir.TrainCommand, "--labels", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := trainedVersion.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no version in %q", out)
	}
	good := m[1]
	var held, dev, trainPos int
	for i := range 40 {
		ex := feedback.LabelledPost{Label: feedback.Label{PostID: fmt.Sprintf("telegram:feedback/%d", i)}}.Example()
		switch {
		case ex.Part == narrative.PartTest:
			held++
		case ex.Part == narrative.PartDev:
			dev++
		case i%2 == 0:
			trainPos++
		}
	}
	if want := fmt.Sprintf("analysts' labels: %d posts (%d homophobic) weight 1, %d in dev, %d held out", 40-held-dev, trainPos, dev, held); !strings.Contains(out, want) {
		t.Fatalf("train output lacks %q", want)
	}
	if !strings.Contains(out, "recipe of current (configured model; none promoted)") {
		t.Fatal("the candidate does not start from the current model's recipe")
	}
	model, err := dir.Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if model.Meta.Examples <= 40 || !strings.Contains(strings.Join(model.Meta.TrainedOn, ";"), "analysts' labels") {
		t.Fatalf("candidate's header: %+v", model.Meta)
	}

	out, err = run(t, modeldir.ModelCommand, "compare", "--config", cfg, good)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"own-corpus dev", "own-corpus test", "own-independent dev", "analysts-labels test (held out)", "analysts-labels dev", "promotion rule:",
		"reference: current (configured model; none promoted)", "verdict:"} {
		if !strings.Contains(out, want) {
			t.Fatalf("compare output lacks %q", want)
		}
	}

	// A model trained on inverted verdicts is worse: refused, unless forced.
	bad := trainInverted(t)
	badVersion, err := dir.Install(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, modeldir.ModelCommand, "promote", "--config", cfg, badVersion); err == nil ||
		!strings.Contains(err.Error(), "refusing to promote") {
		t.Fatalf("promoting a worse model: %v", err)
	}
	if _, err := dir.Current(); err == nil {
		t.Fatal("a refused promotion wrote the pointer")
	}
	if out, err := run(t, modeldir.ModelCommand, "promote", "--config", cfg, "--force", badVersion); err != nil ||
		!strings.Contains(out, "FORCED") {
		t.Fatalf("forced promotion: %v", err)
	}
	if cur, _ := dir.Current(); cur != badVersion {
		t.Fatalf("current %s after forced promotion", cur)
	}
	// The good candidate against the (bad) current one: better, promoted.
	out, err = run(t, modeldir.ModelCommand, "promote", "--config", cfg, good)
	if err != nil || !strings.Contains(out, "promoted "+good+" (previous: "+badVersion+")") {
		t.Fatalf("promote %s: %v", good, err)
	}
	// kuzot eval narrative --model X --against current.
	out, err = run(t, modeldir.CompareCommand, "--config", cfg, "--model", badVersion, "--against", "current")
	if err != nil || !strings.Contains(out, "reference: current ("+good+")") || !strings.Contains(out, "WORSE") {
		t.Fatalf("eval --against: %v", err)
	}
	out, err = run(t, modeldir.ModelCommand, "list", "--config", cfg)
	if err != nil || !regexp.MustCompile(good+`\s+\*`).MatchString(out) || !strings.Contains(out, badVersion) {
		t.Fatalf("list: %v", err)
	}
}

// trainInverted trains a model on the corpus with every verdict inverted.
func trainInverted(t *testing.T) *narrative.Model {
	t.Helper()
	exs, _, err := feedback.BaseTraining()
	if err != nil {
		t.Fatal(err)
	}
	inv := make([]narrative.Example, len(exs))
	for i, e := range exs {
		e.Homophobic, e.Frames = !e.Homophobic, nil
		inv[i] = e
	}
	c, err := narrative.New(narrative.Config{Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Train(context.Background(), inv, narrative.TrainOptions{Bits: 14, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
