package alerts_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/alertstest"
	"github.com/kuzot/kuzot/internal/testenv"
	"github.com/kuzot/kuzot/media/phash"
	"github.com/kuzot/kuzot/pipeline"
	"github.com/kuzot/kuzot/post"
)

// imageResultOf turns a result into the ocr role's result of a post's first picture,
// with the picture's print.
func imageResultOf(c pipeline.Classified, h phash.Hash, words string) pipeline.Classified {
	c.Post.ID += "#img0"
	raw, _ := json.Marshal(map[string]any{"parent_post_id": strings.TrimSuffix(c.Post.ID, "#img0"), "media_index": 0,
		"hash": h, "text_sig": phash.SigOf(words), "exposed": true, "severity": "high"})
	c.Results["image"] = raw
	c.Summaries = append(c.Summaries, pipeline.Summary{Classifier: "image", Version: "image/1", Flagged: true, Labels: []string{}})
	return c
}

func publishImage(t *testing.T, b *pipeline.Bus, c pipeline.Classified) {
	t.Helper()
	data, _ := json.Marshal(c)
	msg := &nats.Msg{Subject: pipeline.ResultsSubject + "." + c.Post.Source, Data: data, Header: nats.Header{}}
	msg.Header.Set(pipeline.HeaderSchema, pipeline.ResultsSchemaVersion)
	msg.Header.Set(pipeline.HeaderFlagged, c.FlaggedHeader())
	msg.Header.Set(pipeline.HeaderImage, strings.TrimSuffix(c.Post.ID, "#img0"))
	if _, err := b.JS.PublishMsg(t.Context(), msg, jetstream.WithMsgID(c.MsgID())); err != nil {
		t.Fatal(err)
	}
}

// TestIntegrationImageReuploadJoinsIncident: an ID-card photo exposes m-001 (a new
// incident); a re-upload of the picture elsewhere, with another caption and text that
// names nobody (the exposure classifier flags nothing), joins the same incident as a new
// place and raises one update; an unrelated picture raises nothing.
func TestIntegrationImageReuploadJoinsIncident(t *testing.T) {
	if testing.Short() {
		t.Skip("integration")
	}
	b := testenv.Bus(t)
	rcv := alertstest.NewWebhookReceiver([]string{hookSecret}, 0)
	defer rcv.Close()
	r := start(t, b, settings(500*time.Millisecond, "hook"), map[string]alerts.Channel{"hook": hook(t, rcv)}, 0)
	words := "КЫРГЫЗ РЕСПУБЛИКАСЫ ИДЕНТИФИКАЦИЯЛЫК КАРТА Фамилиясы Аты Туулган куну Жынысы ПИН Документтин номери TOKTOSUNOV AIBEK"
	h := phash.Hash{P: 0xC3A5_5A3C_0FF0_1234, D: 0x1111_2222_4444_8888}
	publishImage(t, b, imageResultOf(exposing("telegram:a/1", "telegram", "https://t.me/a/1", "", "high"), h, words))
	testenv.Eventually(t, 15*time.Second, "the first alert", func() bool { return len(rcv.Received()) == 1 })

	// The re-upload: a different caption, nothing named in its text, hashes a few bits off.
	now := time.Now().UTC()
	none, _ := json.Marshal(map[string]any{"exposed": false, "severity": "none", "entities": []any{}, "watchlist": []any{}})
	re := pipeline.Classified{
		Post: post.Post{ID: "telegram:other/55", Source: "telegram", Channel: "other", URL: "https://t.me/other/55",
			Text: "[MRZ]", PublishedAt: now, CollectedAt: now, Media: []post.Media{}},
		Results:      map[string]json.RawMessage{"exposure": none},
		Summaries:    []pipeline.Summary{{Classifier: "exposure", Version: "test", Labels: []string{}}},
		ClassifiedAt: now,
	}
	publishImage(t, b, imageResultOf(re, phash.Hash{P: h.P ^ 0b1011_0110, D: h.D ^ 0b11}, words+" IDKGZ"))
	// An unrelated picture: far hashes.
	other := re
	other.Post.ID, other.Post.URL = "telegram:other/56", "https://t.me/other/56"
	publishImage(t, b, imageResultOf(other, phash.Hash{P: ^h.P, D: ^h.D}, "закат над озером Иссык-Куль фото дня"))

	testenv.Eventually(t, 15*time.Second, "the update", func() bool { return len(rcv.Received()) == 2 })
	time.Sleep(2 * time.Second)
	got := rcv.Received()
	if len(got) != 2 {
		t.Fatalf("%d webhooks, want the new incident and one update", len(got))
	}
	up := got[1].Message
	if up.IncidentID != got[0].Message.IncidentID || up.Kind != alerts.KindUpdate || up.Copies != 2 ||
		!strings.Contains(strings.Join(up.Changes, ","), alerts.ChangeNewURL) {
		t.Fatalf("update %+v", up)
	}
	found := false
	for _, w := range up.Where {
		found = found || w.URL == "https://t.me/other/55"
	}
	if !found {
		t.Fatalf("the re-upload's place is not in the update: %+v", up.Where)
	}
	r.stop(t)
}
