package tipline

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExtractTip: how a message becomes a tip, kind by kind.
func TestExtractTip(t *testing.T) {
	long := "Внимание! Завтра в 18:00 митинг против ЛГБТ-пропаганды у здания парламента, приходите всей семьёй, подробности на сайте https://example.invalid/miting"
	cases := []struct {
		name       string
		m          Message
		ok         bool
		kind       string
		sender     string
		text       string
		originKey  string
		originName string
	}{
		{"sms with short code", Message{Text: "От: 1414\nВаш тариф изменён"}, true, KindSMS, "1414", "Ваш тариф изменён", "", ""},
		{"sms with a personal number masked", Message{Text: "From: +996 555 12 34 56\nThey know where you live"}, true, KindSMS, "+996••••••", "They know where you live", "", ""},
		{"kyrgyz sender line", Message{Text: "Жөнөтүүчү: SAILOO\nШайлоого келиңиз"}, true, KindSMS, "SAILOO", "Шайлоого келиңиз", "", ""},
		{"plain text", Message{Text: "просто текст без отправителя"}, true, KindSMS, "", "просто текст без отправителя", "", ""},
		{"link with a comment", Message{Text: "see this https://t.me/demo_chan/5 please"}, true, KindLink, "", "see this https://t.me/demo_chan/5 please", "", ""},
		{"long text with a link is an sms", Message{Text: long}, true, KindSMS, "", long, "", ""},
		{"forward from a channel", Message{Text: "From: X\nquoted", ForwardOrigin: &MessageOrigin{Type: "channel", Date: 1700000000, MessageID: 9,
			Chat: &Chat{Title: "Demo Channel", Username: "demo_chan"}}}, true, KindForward, "", "From: X\nquoted", "demo_chan/9", "Demo Channel"},
		{"forward from a person keeps no name", Message{Text: "rumour", ForwardOrigin: &MessageOrigin{Type: "hidden_user", Date: 1700000000}},
			true, KindForward, "", "rumour", "", "a private account"},
		{"old-style forward", Message{Text: "x y z", ForwardFromChat: &Chat{Title: "Old", Username: "old_chan"}, ForwardFromMessageID: 3, ForwardDate: 1700000000},
			true, KindForward, "", "x y z", "old_chan/3", "Old"},
		{"photo", Message{Caption: "cap", Photo: []PhotoSize{{FileID: "f1", FileUniqueID: "u1"}}}, true, KindScreenshot, "", "cap", "", ""},
		{"non-image document", Message{Text: "", Caption: "list", Document: &Document{FileID: "d1", FileUniqueID: "du1", MimeType: "application/pdf"}},
			true, KindSMS, "", "list", "", ""},
		{"sticker or empty", Message{}, false, "", "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.m.Date = 1700000100
			tip, ok := ExtractTip(&c.m)
			if ok != c.ok {
				t.Fatalf("ok %v", ok)
			}
			if !ok {
				return
			}
			if tip.Kind != c.kind || tip.SMSSender != c.sender || tip.Text != c.text || tip.OriginKey != c.originKey || tip.OriginTitle != c.originName {
				t.Errorf("got kind %q sender %q text %q origin %q/%q", tip.Kind, tip.SMSSender, tip.Text, tip.OriginKey, tip.OriginTitle)
			}
		})
	}
}

// TestNearDuplicates: campaign variants are within the default threshold, unrelated
// SMS and a reworded message on the same topic are not.
func TestNearDuplicates(t *testing.T) {
	base := Words(smsVariants[0])
	for i, v := range smsVariants[1:] {
		if s := Jaccard(base, Words(v)); s < 0.6 {
			t.Errorf("variant %d similarity %.2f < 0.6", i+1, s)
		}
	}
	for _, other := range []string{
		"Скидка 20% на все тарифы до конца месяца, подробности по номеру 0555",
		"Партия Жаңы Жол провела встречу с избирателями в Оше и обсудила цены на топливо",
	} {
		if s := Jaccard(base, Words(other)); s >= 0.6 {
			t.Errorf("unrelated %q similarity %.2f", other, s)
		}
	}
	if linkKey("https://www.T.me/demo_chan/5/?utm_source=x") != linkKey("t.me/demo_chan/5") {
		t.Error("equivalent links differ")
	}
	if !strings.HasPrefix(Tip{Kind: KindLink, Links: []string{"https://t.me/a/1"}}.ExactKey(), "link:") {
		t.Error("link key")
	}
}

// TestIndexFitsOneKVValue: the index of the most live campaigns, each with a full
// sketch, stays under NATS' default max_payload (1 MiB), and round-trips.
func TestIndexFitsOneKVValue(t *testing.T) {
	x := &nearIndex{}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxCampaigns {
		words := make([]uint32, 200)
		for j := range words {
			words[j] = uint32(i*1000 + j)
		}
		x.touch(Fingerprint(fmt.Sprint(i)), sketch(words), at)
	}
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) >= 1<<20 {
		t.Fatalf("index of %d campaigns is %d bytes", maxCampaigns, len(b))
	}
	var back nearIndex
	if err := json.Unmarshal(b, &back); err != nil || len(back.Entries) != maxCampaigns || !slices.Equal(back.Entries[7].Words, x.Entries[7].Words) {
		t.Fatalf("round trip: %v", err)
	}
	t.Logf("index of %d campaigns: %d bytes", maxCampaigns, len(b))
}
