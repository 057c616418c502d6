package results

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
	"github.com/kuzot/kuzot/storage"
)

// TestNarrativeRows checks what the store role copies into narrative_posts: text and
// result only for flagged posts, never the raw text of a post the exposure classifier
// flagged, and no row without a narrative result.
func TestNarrativeRows(t *testing.T) {
	at := time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)
	p := post.Post{ID: "telegram:demo_kanal_1/1", Source: "telegram", Channel: "demo_kanal_1", Author: "demo_account_01",
		Lang: "ru", URL: "https://demo.invalid/1", Text: "Эти НКО — иностранные агенты.", PublishedAt: at}
	res := json.RawMessage(`{"homophobic":true,"frames":["foreign_agent"],"evidence":[]}`)
	narr := func(flagged bool) pipeline.Summary {
		s := pipeline.Summary{Classifier: "narrative", Version: "v1", Flagged: flagged, Score: 0.1}
		if flagged {
			s.Score, s.Labels = 0.9, []string{"foreign_agent"}
		}
		return s
	}
	expo := pipeline.Summary{Classifier: "exposure", Version: "v1", Flagged: true}
	for _, tc := range []struct {
		name      string
		in        pipeline.Classified
		rows      int
		text      string
		result    string
		flagged   bool
		wantFrame bool
	}{
		{"flagged", pipeline.Classified{Post: p, Results: map[string]json.RawMessage{"narrative": res},
			Summaries: []pipeline.Summary{narr(true)}, ClassifiedAt: at}, 1, p.Text, string(res), true, true},
		{"flagged and exposing: no raw text", pipeline.Classified{Post: p, Results: map[string]json.RawMessage{"narrative": res},
			Summaries: []pipeline.Summary{expo, narr(true)}, ClassifiedAt: at}, 1, "", string(res), true, true},
		{"not flagged: narrow row only", pipeline.Classified{Post: p, Results: map[string]json.RawMessage{"narrative": res},
			Summaries: []pipeline.Summary{narr(false)}, ClassifiedAt: at}, 1, "", "", false, false},
		{"no narrative result", pipeline.Classified{Post: p, Summaries: []pipeline.Summary{expo}, ClassifiedAt: at},
			0, "", "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NarrativeRows([]pipeline.Classified{tc.in})
			if len(got) != tc.rows {
				t.Fatalf("rows = %d, want %d", len(got), tc.rows)
			}
			if tc.rows == 0 {
				return
			}
			r := got[0]
			if r.Text != tc.text || r.Result != tc.result || r.Flagged != tc.flagged {
				t.Fatalf("text %q result %q flagged %v, want %q %q %v", r.Text, r.Result, r.Flagged, tc.text, tc.result, tc.flagged)
			}
			if slices.Contains(r.Frames, "foreign_agent") != tc.wantFrame {
				t.Fatalf("frames %v", r.Frames)
			}
			if r.PostID != p.ID || r.URL != p.URL || !r.PublishedAt.Equal(at) || r.Channel != p.Channel {
				t.Fatalf("post fields not copied: %+v", r)
			}
		})
	}
}

func TestClampTime(t *testing.T) {
	for _, tc := range []struct{ in, want time.Time }{
		{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0).UTC()},
		{time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2105, 12, 31, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 3, 12, 0, 0, 0, time.FixedZone("KGT", 6*3600)), time.Date(2026, 10, 3, 6, 0, 0, 0, time.UTC)},
	} {
		if got := storage.ClampTime(tc.in); !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("storage.ClampTime(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
