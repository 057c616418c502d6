package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/classifiers/exposure/watchlist"
	"github.com/kuzot/kuzot/classifiers/narrative"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/reports"
	"github.com/kuzot/kuzot/storage/results"
	"github.com/kuzot/kuzot/web"
)

// An invented member of an invented organisation.
const resultsWatchlist = `orgs:
  - id: org-a
    name: Example Org
    members:
      - id: m-001
        names: ["Айбек Токтосунов"]
        phones: ["+996 555 123 456"]
`

// TestOneResultFormat classifies an invented post with the real exposure and narrative
// classifiers, sends the result through the results stream's JSON as the classify stage
// does, and decodes it as each consumer does: the store role (exposure rows, narrative
// rows), the alert role, the web UI and the reports. Every consumer reads the one result
// type of each classifier (exposure.DecodeResult, narrative.DecodeResult), so what each
// sees must be exactly what the classifier produced.
func TestOneResultFormat(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	wl := filepath.Join(dir, "members.yaml")
	if err := os.WriteFile(wl, []byte(resultsWatchlist), 0o600); err != nil {
		t.Fatal(err)
	}
	exp, err := exposure.NewWithOptions(ctx, exposure.Options{
		Config: exposure.Config{WatchlistFile: wl, WatchlistDir: filepath.Join(dir, "store")},
		Getenv: func(k string) string {
			if k == watchlist.DefaultKeyEnv {
				return "test-key-0123456789abcdef0123456789"
			}
			return ""
		},
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	narr, err := narrative.New(narrative.Config{Model: "none"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &post.Post{ID: "telegram:leaks:1", Source: "telegram", Channel: "leaks", Author: "troll", Lang: "ru",
		URL: "https://t.me/leaks/1", PublishedAt: now.Add(-time.Hour), CollectedAt: now.Add(-time.Minute),
		Text: "Айбек Токтосунов гей, его номер +996 555 123 456. Гомосексуализм это болезнь, таких надо лечить."}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}

	// What the classifiers produce, as Go values.
	expWant, err := exp.Classify(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	narrWant, err := narr.Classify(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	ew, nw := expWant.(*exposure.Result), narrWant.(*narrative.Result)
	if !ew.Flagged() || len(ew.Members()) != 1 || !nw.Flagged() || len(nw.Evidence) == 0 {
		t.Fatalf("the invented post must be flagged by both: exposure %+v, narrative %+v", ew, nw)
	}

	// The results stream: the classify stage's message, encoded and decoded.
	c, err := pipeline.ClassifyPost(ctx, []classifiers.Classifier{exp, narr}, p, now)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got pipeline.Classified
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}

	// The alert role.
	er, err := exposure.DecodeResult(got.Results[exposure.Name])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(er.Members(), ew.Members()) || er.Severity != ew.Severity {
		t.Errorf("alert role: members %v severity %s, classifier %v %s", er.Members(), er.Severity, ew.Members(), ew.Severity)
	}
	wantCats := []string{"sogi"}
	for _, c := range ew.Exposes {
		wantCats = append(wantCats, string(c))
	}
	slices.Sort(wantCats)
	if cats := alerts.Categories(er); !slices.Equal(cats, slices.Compact(wantCats)) {
		t.Errorf("alert categories %v, want %v", cats, wantCats)
	}
	alertText, err := exposure.Redact(got.Post.Text, er.Entities, exposure.AudienceAlert)
	if err != nil || strings.Contains(alertText, "Токтосунов") || strings.Contains(alertText, "555 123") {
		t.Errorf("alert evidence %q, %v: identifiers left", alertText, err)
	}

	// The store role: the exposures row carries the classifier's verdict and the stored
	// redaction, the same text the classifier's own Redacted gives.
	rows := results.ExposureRows([]pipeline.Classified{got})
	if len(rows) != 1 {
		t.Fatalf("exposure rows: %d, want 1", len(rows))
	}
	if r := rows[0]; r.Severity != string(ew.Severity) || r.RedactedText != ew.Redacted() || !r.Exposed ||
		!slices.Equal(r.Orgs, []string{"org-a"}) || !slices.Equal(r.Members, []string{"m-001"}) || len(r.EntityTypes) != len(ew.Entities) {
		t.Errorf("exposure row %+v\nclassifier redacted %q", r, ew.Redacted())
	}
	nps := results.NarrativeRows([]pipeline.Classified{got})
	if len(nps) != 1 || !nps[0].Flagged || nps[0].Text != "" {
		t.Fatalf("narrative rows %+v: want one flagged row without the text of a post exposing someone", nps)
	}

	// The web UI's highlights and the reports' evidence phrases from the stored result.
	ev := web.NarrativeEvidence(nps[0].Result)
	if len(ev) != len(nw.Evidence) {
		t.Fatalf("web evidence %v, classifier %v", ev, nw.Evidence)
	}
	var phrases []string
	for i, e := range nw.Evidence {
		if ev[i] != (web.Evidence{Start: e.Start, End: e.End, Text: e.Text, Frame: string(e.Frame)}) {
			t.Errorf("web evidence %d: %+v, classifier %+v", i, ev[i], e)
		}
		if got.Post.Text[e.Start:e.End] != e.Text {
			t.Errorf("evidence %d offsets [%d,%d) do not point at %q", i, e.Start, e.End, e.Text)
		}
		if !slices.Contains(phrases, e.Text) && len(phrases) < 5 {
			phrases = append(phrases, e.Text)
		}
	}
	if rp := reports.EvidencePhrases(nps[0].Result); !slices.Equal(rp, phrases) {
		t.Errorf("report evidence %q, want %q", rp, phrases)
	}
}
