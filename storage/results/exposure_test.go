package results

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/classifiers"
	"github.com/kuzot/kuzot/classifiers/exposure"
	"github.com/kuzot/kuzot/post"
)

// TestExposureRows checks what the store role writes to exposures: one row per post the
// exposure classifier flagged, with the verdict, the categories without the severity
// label, entity types and offsets, the watch-list matches, and the text redacted by the
// stored rule, so that no identifier reaches the table. Posts not flagged, without an
// exposure result or with an unreadable one give no row.
func TestExposureRows(t *testing.T) {
	at := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
	// An invented post about an invented person.
	text := "Айбек Токтосунов гей, звоните +996 555 123 456"
	p := post.Post{ID: "telegram:leaks/7", Source: "telegram", Channel: "leaks", Author: "troll", Lang: "ru",
		URL: "https://t.me/leaks/7", Text: text, PublishedAt: at.Add(-time.Hour), CollectedAt: at.Add(-time.Minute), Views: 40}
	name := strings.Index(text, "Айбек")
	phone := strings.Index(text, "+996")
	entities := []exposure.Entity{
		{Type: exposure.TypePerson, Start: name, End: name + len("Айбек Токтосунов")},
		{Type: exposure.TypePhone, Start: phone, End: len(text)},
	}
	res, err := json.Marshal(exposure.Result{Exposed: true, Outing: true, Severity: exposure.SeverityCritical,
		Entities: entities, Exposes: []exposure.EntityType{exposure.TypePhone}})
	if err != nil {
		t.Fatal(err)
	}
	// The watch-list match as the classifier publishes it.
	res = json.RawMessage(strings.Replace(string(res), `"watchlist":null`, `"watchlist":[{"org":"org-a","member":"m-001"}]`, 1))
	sum := func(flagged bool) classifiers.Summary {
		return classifiers.Summary{Classifier: exposure.Name, Version: "v3", Flagged: flagged, Score: 1,
			Labels: []string{"phone", "sogi", "severity:critical"}}
	}
	classified := func(raw json.RawMessage, s ...classifiers.Summary) classifiers.Classified {
		return classifiers.Classified{Post: p, Results: map[string]json.RawMessage{exposure.Name: raw}, Summaries: s, ClassifiedAt: at}
	}

	rows := ExposureRows([]classifiers.Classified{
		classified(res, sum(true)),
		classified(res, sum(false)),                                              // not flagged
		classified(json.RawMessage(`{"severity":"worst"}`), sum(true)),           // unreadable
		{Post: p, Summaries: []classifiers.Summary{sum(true)}, ClassifiedAt: at}, // no result
	})
	if len(rows) != 1 {
		t.Fatalf("rows: %d, want 1: %+v", len(rows), rows)
	}
	r := rows[0]
	wantText, err := exposure.Redact(text, entities, exposure.AudienceStored)
	if err != nil {
		t.Fatal(err)
	}
	if r.RedactedText != wantText || strings.Contains(r.RedactedText, "Токтосунов") || strings.Contains(r.RedactedText, "555 123") {
		t.Errorf("redacted text %q, want %q without identifiers", r.RedactedText, wantText)
	}
	if r.PostID != p.ID || r.Source != p.Source || r.Channel != p.Channel || r.Author != p.Author || r.URL != p.URL ||
		r.Lang != p.Lang || !r.PublishedAt.Equal(p.PublishedAt) || !r.CollectedAt.Equal(p.CollectedAt) || r.Views != p.Views {
		t.Errorf("post fields %+v, post %+v", r, p)
	}
	if !r.Exposed || !r.Outing || r.Severity != "critical" || r.ClassifierVersion != "v3" || !r.ClassifiedAt.Equal(at) {
		t.Errorf("verdict %+v", r)
	}
	if !slices.Equal(r.Categories, []string{"phone", "sogi"}) {
		t.Errorf("categories %v, want the labels without severity", r.Categories)
	}
	if !slices.Equal(r.EntityTypes, []string{"person", "phone"}) ||
		!slices.Equal(r.EntityStarts, []uint32{uint32(name), uint32(phone)}) ||
		!slices.Equal(r.EntityEnds, []uint32{uint32(entities[0].End), uint32(len(text))}) {
		t.Errorf("entities %v %v %v", r.EntityTypes, r.EntityStarts, r.EntityEnds)
	}
	if !slices.Equal(r.Orgs, []string{"org-a"}) || !slices.Equal(r.Members, []string{"m-001"}) {
		t.Errorf("watch-list matches %v %v", r.Orgs, r.Members)
	}
}
