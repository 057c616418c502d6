package tipline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http/httptest"
	"net/smtp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/config"
	"github.com/kuzot/kuzot/demosite"
	"github.com/kuzot/kuzot/post"
)

// Invented reporters: Telegram ids that belong to no one (fictional members).
const (
	memberAigerim = int64(5550001201)
	memberBakyt   = int64(5550001202)
	memberChynara = int64(5550001203)
	groupOrgB     = int64(-1005550009999)
)

const reporterKey = "test-reporter-key-0123456789abcdef"

// mapState is a collectors.State whose whole content tests can read (grep).
type mapState struct {
	mu      sync.Mutex
	m       map[string][]byte
	failPut func(key string) error
}

func newMapState() *mapState { return &mapState{m: map[string][]byte{}} }

func (s *mapState) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, collectors.ErrNoState
	}
	return bytes.Clone(v), nil
}

func (s *mapState) Put(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failPut != nil {
		if err := s.failPut(key); err != nil {
			return err
		}
	}
	s.m[key] = bytes.Clone(value)
	return nil
}

func (s *mapState) dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(s.m)) {
		fmt.Fprintf(&b, "%s=%s\n", k, s.m[k])
	}
	return b.String()
}

type rig struct {
	t     *testing.T
	bot   *demosite.BotAPI
	srv   *httptest.Server
	state *mapState
	logs  *bytes.Buffer
	reg   *prometheus.Registry
	now   time.Time
	slept []time.Duration
	posts []post.Post
	cfg   Config
}

func newRig(t *testing.T) *rig {
	t.Helper()
	bot := demosite.NewBotAPI(demosite.DemoBotToken)
	bot.MaxWait = 100 * time.Millisecond
	srv := httptest.NewServer(bot)
	t.Cleanup(srv.Close)
	r := &rig{t: t, bot: bot, srv: srv, state: newMapState(), logs: &bytes.Buffer{},
		now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	r.cfg = Config{
		ReporterKey: reporterKey, DefaultOrg: "org-a",
		Orgs:     []Org{{ID: "org-a"}, {ID: "org-b", Chats: []int64{groupOrgB}}},
		Telegram: &BotConfig{BaseURL: srv.URL, Token: demosite.DemoBotToken, LongPoll: time.Second},
	}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// collector builds a fresh collector on the rig's state: a restart of the process.
func (r *rig) collector() *Collector {
	r.t.Helper()
	// The polite fetcher (link fetches), paced for a local test site.
	f, err := collectors.NewFetcher(collectors.FetcherOptions{UserAgent: "kuzot-test", HostRules: []collectors.HostRule{{Pattern: "*", Delay: 20 * time.Millisecond}}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.reg = prometheus.NewRegistry()
	c, err := New(r.cfg, collectors.Deps{
		Logger:     slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Registerer: r.reg, State: r.state, HTTP: f.Client(nil).WithEndpoints(r.cfg.Endpoints()...), UserAgent: "kuzot-test",
		Now: func() time.Time { return r.now },
	})
	if err != nil {
		r.t.Fatal(err)
	}
	c.sleep = func(_ context.Context, d time.Duration) error { r.slept = append(r.slept, d); return nil }
	r.t.Cleanup(func() { _ = c.Close() })
	return c
}

func (r *rig) collect(c *Collector) []post.Post {
	r.t.Helper()
	var got []post.Post
	err := c.Collect(context.Background(), func(_ context.Context, p post.Post) error {
		if err := p.Validate(); err != nil {
			r.t.Errorf("invalid post: %v", err)
		}
		got = append(got, p)
		return nil
	})
	if err != nil {
		r.t.Fatalf("collect: %v", err)
	}
	r.posts = append(r.posts, got...)
	return got
}

// msg builds a private-chat (or group) message update from a member.
func msg(from int64, chat int64, lang string, at time.Time, fields map[string]any) map[string]any {
	chatType := "private"
	if chat < 0 {
		chatType = "supergroup"
	}
	m := map[string]any{
		"message_id": at.Unix() % 100000,
		"from":       map[string]any{"id": from, "is_bot": false, "first_name": "Invented", "language_code": lang},
		"chat":       map[string]any{"id": chat, "type": chatType},
		"date":       at.Unix(),
	}
	maps.Copy(m, fields)
	return map[string]any{"message": m}
}

func byKind(ps []post.Post) map[string]post.Post {
	out := map[string]post.Post{}
	for _, p := range ps {
		out[p.Tip.Kind] = p
	}
	return out
}

// TestEveryTipKind: an SMS with its sender ID, a forward from a channel, a screenshot
// (photo), a screenshot sent as a file and a link each become the right post, and every
// sender gets a receipt in their language.
func TestEveryTipKind(t *testing.T) {
	r := newRig(t)
	at := r.now.Add(-time.Hour)
	origin := time.Date(2026, 3, 9, 18, 30, 0, 0, time.UTC)
	r.bot.Push(msg(memberAigerim, memberAigerim, "ru", at, map[string]any{
		"text": "От: VOTE-KG\nПартия «Жаңы Жол» поддерживает ЛГБТ! Не голосуйте за них 10 октября."}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "ky", at.Add(time.Minute), map[string]any{
		"text": "Эти гранто-едовы снова за своё",
		"forward_origin": map[string]any{"type": "channel", "date": origin.Unix(), "message_id": 417,
			"chat": map[string]any{"id": -1001, "type": "channel", "title": "KG Patriot (demo)", "username": "kg_demo_patriot"}}}))
	r.bot.Push(msg(memberChynara, memberChynara, "en", at.Add(2*time.Minute), map[string]any{
		"caption": "screenshot from our neighbourhood chat",
		"photo": []map[string]any{{"file_id": "small-file", "file_unique_id": "u-small", "width": 90, "height": 160},
			{"file_id": "AgACdemoPhotoFileId", "file_unique_id": "AQADdemoUnique", "width": 1080, "height": 1920}}}))
	r.bot.Push(msg(memberAigerim, memberAigerim, "ru", at.Add(3*time.Minute), map[string]any{
		"document": map[string]any{"file_id": "BQACdemoDocFileId", "file_unique_id": "AgADdemoDocUnique", "mime_type": "image/png"}}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", at.Add(4*time.Minute), map[string]any{
		"text":     "look https://t.me/kg_demo_patriot/420",
		"entities": []map[string]any{{"type": "url", "offset": 5, "length": 32}}}))

	got := r.collect(r.collector())
	if len(got) != 5 {
		t.Fatalf("%d posts, want 5: %+v", len(got), got)
	}
	kinds := map[string]int{}
	for _, p := range got {
		kinds[p.Tip.Kind]++
		if p.Source != Kind || !strings.HasPrefix(p.ID, "tipline:") || p.Tip.Submissions != 1 || p.Views != 1 {
			t.Errorf("post %s: source %q submissions %d views %d", p.ID, p.Source, p.Tip.Submissions, p.Views)
		}
		if !slices.Equal(p.Tip.Orgs, []string{"org-a"}) {
			t.Errorf("post %s: orgs %v", p.ID, p.Tip.Orgs)
		}
	}
	if kinds[KindScreenshot] != 2 || kinds[KindSMS] != 1 || kinds[KindForward] != 1 || kinds[KindLink] != 1 {
		t.Fatalf("kinds %v", kinds)
	}
	var sms, fwd, link post.Post
	var shots []post.Post
	for _, p := range got {
		switch p.Tip.Kind {
		case KindSMS:
			sms = p
		case KindForward:
			fwd = p
		case KindLink:
			link = p
		case KindScreenshot:
			shots = append(shots, p)
		}
	}
	if sms.Author != "VOTE-KG" || sms.Tip.SMSSender != "VOTE-KG" || strings.Contains(sms.Text, "От:") ||
		!strings.HasPrefix(sms.Text, "Партия") || sms.Channel != "tip:sms" || sms.Lang == "" {
		t.Errorf("sms post: %+v", sms)
	}
	if fwd.ForwardedFrom != "https://t.me/kg_demo_patriot/417" || fwd.Tip.OriginTitle != "KG Patriot (demo)" ||
		fwd.Tip.OriginChannel != "kg_demo_patriot" || !fwd.PublishedAt.Equal(origin) || !fwd.Tip.OriginDate.Equal(origin) {
		t.Errorf("forward post: %+v %+v", fwd, fwd.Tip)
	}
	for _, s := range shots {
		if len(s.Media) != 1 || s.Media[0].Kind != "photo" || !strings.HasPrefix(s.Media[0].URL, "tg-file:") {
			t.Errorf("screenshot media %+v", s.Media)
		}
	}
	if link.URL != "https://t.me/kg_demo_patriot/420" {
		t.Errorf("link post url %q", link.URL)
	}
	sent := r.bot.Sent()
	if len(sent) != 5 {
		t.Fatalf("%d receipts, want 5", len(sent))
	}
	if !strings.Contains(sent[0].Text, "Спасибо") || !strings.Contains(sent[1].Text, "Рахмат") || !strings.Contains(sent[2].Text, "Thank you") {
		t.Errorf("receipts not in the member's language: %q / %q / %q", sent[0].Text, sent[1].Text, sent[2].Text)
	}
}

// smsVariants are one bulk-SMS campaign as three members received it: the greeting
// name, a number and punctuation differ.
var smsVariants = []string{
	"Уважаемый Азамат! Партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 10 октября за традиционные ценности!",
	"Уважаемая Гульнара, партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 11 октября за традиционные ценности",
	"Уважаемый Нурлан! Партия Жаңы Жол поддерживает права ЛГБТ и пропаганду среди детей!! Голосуйте 10 октября за традиционные ценности!",
}

// TestNearDuplicatesMerged: three variants of one SMS from three members of two
// organisations are one post counting 3 submissions, first/last seen and both
// organisations, and a burst (an sms_campaign); the same member sending it again is not
// counted; an unrelated SMS stays apart.
func TestNearDuplicatesMerged(t *testing.T) {
	r := newRig(t)
	t0 := r.now.Add(-3 * time.Hour)
	r.bot.Push(msg(memberAigerim, memberAigerim, "ru", t0, map[string]any{"text": "От: VOTE-KG\n" + smsVariants[0]}))
	r.bot.Push(msg(memberBakyt, groupOrgB, "ru", t0.Add(40*time.Minute), map[string]any{"text": smsVariants[1]}))
	c := r.collector()
	r.collect(c)
	r.bot.Push(msg(memberChynara, memberChynara, "ru", t0.Add(2*time.Hour), map[string]any{"text": smsVariants[2]}))
	r.bot.Push(msg(memberAigerim, memberAigerim, "ru", t0.Add(2*time.Hour+time.Minute), map[string]any{"text": smsVariants[0]}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "ru", t0.Add(2*time.Hour+2*time.Minute), map[string]any{
		"text": "Скидка 20% на все тарифы до конца месяца, подробности по номеру 0555"}))
	got := r.collect(c)

	ids := map[string]bool{}
	for _, p := range r.posts {
		ids[p.ID] = true
	}
	if len(ids) != 2 {
		t.Fatalf("%d distinct posts, want 2 (the campaign and the unrelated SMS): %v", len(ids), ids)
	}
	var camp post.Post
	for _, p := range got {
		if p.Views > camp.Views {
			camp = p
		}
	}
	tip := camp.Tip
	if tip.Submissions != 3 || camp.Views != 3 || !slices.Equal(tip.Orgs, []string{"org-a", "org-b"}) ||
		!tip.FirstSeen.Equal(t0) || !tip.LastSeen.Equal(t0.Add(2*time.Hour)) || tip.Burst != 3 || !tip.Campaign {
		t.Fatalf("campaign %+v", tip)
	}
	if camp.Text != smsVariants[0] || camp.Author != "VOTE-KG" || !strings.Contains(camp.Title, "reported 3× by 2 organisations") {
		t.Errorf("campaign post text %q author %q title %q", camp.Text, camp.Author, camp.Title)
	}
	if last := r.bot.Sent()[len(r.bot.Sent())-2]; !strings.Contains(last.Text, "уже получено") {
		t.Errorf("a repeat should be answered as already received: %q", last.Text)
	}
}

// TestOffsetsKeptAcrossRestarts: updates are confirmed only after their posts are
// published and the state saved. A failed publish and a crash before the offset is
// saved both replay the updates, and the replay neither loses nor double-counts a tip.
func TestOffsetsKeptAcrossRestarts(t *testing.T) {
	r := newRig(t)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now.Add(-time.Hour), map[string]any{"text": smsVariants[0]}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", r.now.Add(-50*time.Minute), map[string]any{"text": smsVariants[1]}))

	// 1. The pipeline refuses the posts: nothing is saved, nothing confirmed.
	c := r.collector()
	err := c.Collect(context.Background(), func(context.Context, post.Post) error { return errors.New("jetstream down") })
	if err == nil {
		t.Fatal("a failed publish must fail the poll")
	}
	if _, err := r.state.Get(context.Background(), c.key); !errors.Is(err, collectors.ErrNoState) {
		t.Fatalf("offset saved after a failed publish: %v", err)
	}
	// 2. Published, but the process dies before the offset is saved.
	r.state.failPut = func(key string) error {
		if key == c.key {
			return errors.New("killed")
		}
		return nil
	}
	if err := c.Collect(context.Background(), func(context.Context, post.Post) error { return nil }); err == nil {
		t.Fatal("want the offset save failure")
	}
	r.state.failPut = nil
	if len(r.bot.Sent()) != 0 {
		t.Fatal("receipts must wait for the saved offset")
	}
	// 3. Restart: the same updates come again; their post was published and the
	// campaign saved, so nothing is published again and the campaign still counts 2.
	if got := r.collect(r.collector()); len(got) != 0 {
		t.Fatalf("after restart: republished %+v", got)
	}
	var camp Campaign
	if ok, err := collectors.LoadJSON(context.Background(), r.state, campaignPrefix+Fingerprint(Tip{Kind: KindSMS, Text: smsVariants[0]}.ExactKey()), &camp); !ok || err != nil || camp.Submissions != 2 {
		t.Fatalf("campaign after replay: %+v (%v %v)", camp, ok, err)
	}
	// 4. Restart again: the next getUpdates confirms them, nothing is taken twice.
	r.bot.Push(msg(memberChynara, memberChynara, "en", r.now.Add(-10*time.Minute), map[string]any{"text": "https://t.me/kg_demo_patriot/999"}))
	got := r.collect(r.collector())
	if len(got) != 1 || got[0].Tip.Kind != KindLink {
		t.Fatalf("second restart: %+v", got)
	}
	r.collect(r.collector())
	if r.bot.Pending() != 0 {
		t.Fatalf("%d updates still unconfirmed", r.bot.Pending())
	}
	var st botState
	if _, err := collectors.LoadJSON(context.Background(), r.state, c.key, &st); err != nil || st.Offset != 104 {
		t.Fatalf("offset %d (%v), want 104", st.Offset, err)
	}
	if n := len(r.bot.Sent()); n != 3 {
		t.Errorf("%d receipts, want one per tip (3)", n)
	}
}

// TestMalformedUpdateSkipped: updates that are not messages with a chat and a sender
// are counted and logged without their content, the offset moves past them and the
// next tip is taken.
func TestMalformedUpdateSkipped(t *testing.T) {
	r := newRig(t)
	r.bot.PushRaw(201, `{"update_id":201,"message":"Aidana Demo +996 555 123 456"}`)
	r.bot.PushRaw(202, `{"update_id":202,"message":{"message_id":7,"date":1773132000,"text":"secret address Demo street 5"}}`)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now.Add(-time.Minute), map[string]any{"text": smsVariants[2]}))
	c := r.collector()
	got := r.collect(c)
	if len(got) != 1 {
		t.Fatalf("%d posts, want the one valid tip", len(got))
	}
	if v := counterValue(t, r.reg, "kuzot_tipline_updates_total", "malformed"); v != 2 {
		t.Errorf("malformed counter %v, want 2", v)
	}
	logs := r.logs.String()
	for _, s := range []string{"Aidana", "555 123", "secret address", "Demo street"} {
		if strings.Contains(logs, s) {
			t.Errorf("log carries update content %q", s)
		}
	}
	if !strings.Contains(logs, "malformed bot update skipped") || !strings.Contains(logs, `"update_id":202`) {
		t.Errorf("malformed update not reported: %s", logs)
	}
	r.collect(c)
	if r.bot.Pending() != 0 {
		t.Fatal("malformed updates must be confirmed too")
	}
}

// TestFloodControlObeyed: a 429 with retry_after is waited out inside the poll when it
// is short, and a long one stops every call until it has passed.
func TestFloodControlObeyed(t *testing.T) {
	r := newRig(t)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now.Add(-time.Minute), map[string]any{"text": smsVariants[0]}))
	r.bot.Flood(3)
	c := r.collector()
	if got := r.collect(c); len(got) != 1 {
		t.Fatalf("%d posts after a short flood wait", len(got))
	}
	if !slices.Equal(r.slept, []time.Duration{3 * time.Second}) {
		t.Fatalf("slept %v, want [3s]", r.slept)
	}
	if v := counterValue(t, r.reg, "kuzot_tipline_flood_wait_seconds_total", ""); v != 3 {
		t.Errorf("flood wait counter %v", v)
	}
	// A long wait: no call at all until retry_after has passed.
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", r.now, map[string]any{"text": smsVariants[1]}))
	r.bot.Flood(300)
	calls := r.bot.Calls("getUpdates")
	if got := r.collect(c); len(got) != 0 {
		t.Fatal("no tip during flood control")
	}
	r.now = r.now.Add(299 * time.Second)
	r.collect(c)
	if n := r.bot.Calls("getUpdates"); n != calls+1 {
		t.Fatalf("getUpdates called %d times during a 300 s flood wait, want only the refused one", n-calls)
	}
	r.now = r.now.Add(2 * time.Second)
	if got := r.collect(c); len(got) != 1 || got[0].Tip.Submissions != 2 {
		t.Fatalf("after the wait: %+v", got)
	}
}

// TestForget: /forget unlinks a member from every tip, withdraws the tip only they sent
// (its post is republished without content) and keeps the anonymous count of a shared one.
func TestForget(t *testing.T) {
	r := newRig(t)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now.Add(-time.Hour), map[string]any{"text": smsVariants[0]}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", r.now.Add(-time.Hour), map[string]any{"text": smsVariants[1]}))
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now.Add(-time.Hour), map[string]any{
		"caption": "my cousin's class chat", "photo": []map[string]any{{"file_id": "AgACprivate", "file_unique_id": "AQADprivate"}}}))
	c := r.collector()
	r.collect(c)
	hashA := ReporterHash([]byte(reporterKey), "org-a", "telegram:5550001201")
	if !strings.Contains(r.state.dump(), hashA) {
		t.Fatal("the reporter's keyed hash should be in the state before /forget")
	}
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now, map[string]any{"text": "/forget"}))
	got := r.collect(c)
	if len(got) != 1 || !got[0].Tip.Withdrawn || got[0].Text != "" || len(got[0].Media) != 0 {
		t.Fatalf("want the screenshot withdrawn: %+v", got)
	}
	if dump := r.state.dump(); strings.Contains(dump, hashA) || strings.Contains(dump, "my cousin") || strings.Contains(dump, "AgACprivate") {
		t.Fatalf("state still links the member or keeps the withdrawn tip:\n%s", dump)
	}
	sent := r.bot.Sent()
	if last := sent[len(sent)-1].Text; !strings.Contains(last, "2 tip(s) are no longer linked to you and 1 tip(s)") {
		t.Errorf("forget answer %q", last)
	}
	// The shared campaign keeps its count, and a new report by the member counts anew.
	r.bot.Push(msg(memberChynara, memberChynara, "en", r.now, map[string]any{"text": smsVariants[2]}))
	got = r.collect(c)
	if len(got) != 1 || got[0].Tip.Submissions != 3 {
		t.Fatalf("shared campaign after forget: %+v", got)
	}
}

// TestPrivacyNotice: /start answers the notice in English, Russian and Kyrgyz; an
// unmapped group stays silent and stores nothing.
func TestPrivacyNotice(t *testing.T) {
	r := newRig(t)
	for i, lang := range []string{"en", "ru", "ky"} {
		r.bot.Push(msg(memberAigerim+int64(i), memberAigerim+int64(i), lang, r.now, map[string]any{"text": "/start"}))
	}
	r.bot.Push(msg(memberBakyt, -100777, "en", r.now, map[string]any{"text": smsVariants[0]}))
	if got := r.collect(r.collector()); len(got) != 0 {
		t.Fatalf("no tip expected: %+v", got)
	}
	sent := r.bot.Sent()
	if len(sent) != 3 {
		t.Fatalf("%d answers, want 3", len(sent))
	}
	for i, want := range []string{"never store your name", "не храним ваше имя", "атыңызды"} {
		if !strings.Contains(sent[i].Text, want) || !strings.Contains(sent[i].Text, "/forget") {
			t.Errorf("notice %d: %q", i, sent[i].Text)
		}
	}
}

// TestSenderIDAppearsNowhere runs every kind of update, a repeat, a malformed update and
// /forget, then greps the emitted posts, the state, the logs and the metrics for the
// members' Telegram ids.
func TestSenderIDAppearsNowhere(t *testing.T) {
	r := newRig(t)
	scenario(r)
	c := r.collector()
	r.collect(c)
	r.bot.Push(msg(memberBakyt, memberBakyt, "ru", r.now, map[string]any{"text": "/forget"}))
	r.collect(c)
	postsJSON, _ := json.Marshal(r.posts)
	metrics := gatherText(t, r.reg)
	for name, text := range map[string]string{"posts": string(postsJSON), "state": r.state.dump(), "logs": r.logs.String(), "metrics": metrics} {
		AssertNoSender(t, name, text)
	}
	if len(r.posts) < 4 || !strings.Contains(metrics, "kuzot_tipline_updates_total") {
		t.Fatalf("scenario did not run: %d posts", len(r.posts))
	}
}

// scenario queues one of everything from the invented members.
func scenario(r *rig) {
	at := r.now.Add(-2 * time.Hour)
	r.bot.Push(msg(memberAigerim, memberAigerim, "ru", at, map[string]any{"text": "От: VOTE-KG\n" + smsVariants[0]}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "ky", at.Add(time.Minute), map[string]any{"text": smsVariants[1]}))
	r.bot.Push(msg(memberChynara, groupOrgB, "en", at.Add(2*time.Minute), map[string]any{"text": smsVariants[2]}))
	r.bot.Push(msg(memberChynara, groupOrgB, "en", at.Add(3*time.Minute), map[string]any{"text": smsVariants[2]}))
	r.bot.Push(msg(memberBakyt, memberBakyt, "ky", at.Add(4*time.Minute), map[string]any{
		"caption": "скрин", "photo": []map[string]any{{"file_id": "AgACscenario", "file_unique_id": "AQADscenario"}}}))
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", at.Add(5*time.Minute), map[string]any{
		"text": "", "forward_origin": map[string]any{"type": "user", "date": at.Unix(),
			"sender_user": map[string]any{"id": memberChynara, "first_name": "Invented"}}, "caption": "they say our office is next"}))
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", at.Add(6*time.Minute), map[string]any{"text": "https://t.me/kg_demo_patriot/421"}))
	r.bot.PushRaw(900, fmt.Sprintf(`{"update_id":900,"message":{"from":{"id":%d},"text":"no chat"}}`, memberAigerim))
}

// AssertNoSender fails when text contains any invented member's Telegram id.
func AssertNoSender(t *testing.T, where, text string) {
	t.Helper()
	for _, id := range []int64{memberAigerim, memberBakyt, memberChynara} {
		if s := fmt.Sprint(id); strings.Contains(text, s) {
			i := strings.Index(text, s)
			t.Errorf("sender id %s found in %s: …%s…", s, where, text[max(0, i-80):min(len(text), i+40)])
		}
	}
}

func gatherText(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func counterValue(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			ok := outcome == ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					ok = true
				}
			}
			if ok {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestEmailIntake: a forwarded SMS and a screenshot arrive over SMTP at the tipline's
// domain; the SMTP transaction is acknowledged only once the poll published them; the
// SMS merges with the same campaign sent to the bot; a foreign domain is refused.
func TestEmailIntake(t *testing.T) {
	r := newRig(t)
	r.cfg.Email = &EmailConfig{Listen: "127.0.0.1:0", Domain: "tips.demo.invalid", AcceptTimeout: 10 * time.Second}
	r.cfg.Orgs[1].Recipients = []string{"org-b@tips.demo.invalid"}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	r.bot.Push(msg(memberAigerim, memberAigerim, "ru", r.now.Add(-time.Hour), map[string]any{"text": smsVariants[0]}))
	c := r.collector()
	r.collect(c) // starts the SMTP receiver too
	addr := c.SMTPAddr()
	if addr == "" {
		t.Fatal("smtp receiver not listening")
	}
	mails := []string{
		"From: Invented Member <member.one@mail.demo.invalid>\r\nTo: org-b@tips.demo.invalid\r\nSubject: Fwd: SMS\r\n" +
			"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"From: VOTE-KG\r\n" + qp(smsVariants[1]) + "\r\n",
		"From: member.two@mail.demo.invalid\r\nTo: tips@tips.demo.invalid\r\nSubject: screenshot\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nseen in a closed chat\r\n" +
			"--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==\r\n--b1--\r\n",
	}
	froms := []string{"member.one@mail.demo.invalid", "member.two@mail.demo.invalid"}
	tos := []string{"org-b@tips.demo.invalid", "tips@tips.demo.invalid"}
	errs := make(chan error, len(mails))
	for i := range mails {
		go func() { errs <- smtp.SendMail(addr, nil, froms[i], []string{tos[i]}, []byte(mails[i])) }()
	}
	var got []post.Post
	deadline := time.Now().Add(10 * time.Second)
	done := 0
	for done < len(mails) && time.Now().Before(deadline) {
		got = append(got, r.collect(c)...)
		select {
		case err := <-errs:
			if err != nil {
				t.Fatalf("smtp: %v", err)
			}
			done++
		case <-time.After(50 * time.Millisecond):
		}
	}
	if done != len(mails) {
		t.Fatal("smtp transactions not acknowledged")
	}
	kinds := byKind(got)
	sms, shot := kinds[KindSMS], kinds[KindScreenshot]
	if sms.Tip == nil || sms.Tip.Submissions != 2 || !slices.Equal(sms.Tip.Orgs, []string{"org-a", "org-b"}) || sms.Tip.SMSSender != "VOTE-KG" {
		t.Fatalf("e-mailed SMS not merged with the bot's: %+v", sms.Tip)
	}
	if shot.Tip == nil || shot.Text != "seen in a closed chat" || len(shot.Media) != 1 || !strings.HasPrefix(shot.Media[0].URL, "email-sha256:") {
		t.Fatalf("screenshot: %+v", shot)
	}
	all, _ := json.Marshal(got)
	for _, s := range []string{"member.one", "member.two", "Invented Member"} {
		if strings.Contains(string(all)+r.state.dump()+r.logs.String(), s) {
			t.Errorf("e-mail sender %q leaked", s)
		}
	}
	if err := smtp.SendMail(addr, nil, froms[0], []string{"x@elsewhere.invalid"}, []byte(mails[0])); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("foreign recipient: %v", err)
	}
}

func qp(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 128 && c != '=' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

// TestConfigSecrets: the token and key never print, and are required.
func TestConfigSecrets(t *testing.T) {
	c := Config{ReporterKey: config.Secret(reporterKey), Telegram: &BotConfig{Token: "99:s3cret-token"}}
	c.Defaults()
	if s := fmt.Sprintf("%v %+v", c, *c.Telegram); strings.Contains(s, "s3cret") || strings.Contains(s, reporterKey) {
		t.Errorf("secret printed: %s", s)
	}
	bad := Config{Telegram: &BotConfig{}}
	t.Setenv("KUZOT_TIPLINE_BOT_TOKEN", "")
	t.Setenv("KUZOT_TIPLINE_REPORTER_KEY", "")
	bad.Defaults()
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "reporter_key") || !strings.Contains(err.Error(), "telegram.token") {
		t.Errorf("validate: %v", err)
	}
	b := &botClient{token: "99:s3cret-token"}
	if e := b.redact(errors.New(`Post "http://x/bot99:s3cret-token/getUpdates": refused`)); strings.Contains(e.Error(), "s3cret") {
		t.Errorf("token in error: %v", e)
	}
}

// TestDemoSiteTips: the demo site's Bot API plays the demo tips (`make run`): the bulk
// SMS from three members is one sms_campaign, plus a screenshot and a link.
func TestDemoSiteTips(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	site, err := demosite.New(demosite.Options{Epoch: now.Add(-72 * time.Hour), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	site.BotAPI().MaxWait = 50 * time.Millisecond
	srv := httptest.NewServer(site)
	defer srv.Close()
	r := newRig(t)
	r.now = now
	r.cfg.Telegram.BaseURL = srv.URL + "/botapi"
	got := r.collect(r.collector())
	kinds := byKind(got)
	if len(got) != 3 || kinds[KindSMS].Tip == nil || kinds[KindScreenshot].Tip == nil || kinds[KindLink].Tip == nil {
		t.Fatalf("demo tips: %+v", got)
	}
	sms := kinds[KindSMS]
	if sms.Tip.Submissions != 3 || !sms.Tip.Campaign || sms.Author != "IZBIRATEL" {
		t.Errorf("demo campaign: %+v", sms.Tip)
	}
	if kinds[KindLink].URL != "https://t.me/kg_demo_patriot/201" {
		t.Errorf("demo link %q", kinds[KindLink].URL)
	}
	if n := len(site.BotAPI().Sent()); n != 5 {
		t.Errorf("%d receipts", n)
	}
}

// TestCampaignsExpire: a campaign without submissions for keep_for is forgotten (its
// text and reporters leave the state); a reporter's list drops it when next written.
func TestCampaignsExpire(t *testing.T) {
	r := newRig(t)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now.Add(-time.Hour), map[string]any{"text": smsVariants[0]}))
	c := r.collector()
	r.collect(c)
	old := Fingerprint(Tip{Kind: KindSMS, Text: smsVariants[0]}.ExactKey())
	r.now = r.now.Add(366 * 24 * time.Hour)
	r.bot.Push(msg(memberAigerim, memberAigerim, "en", r.now, map[string]any{"text": "https://t.me/kg_demo_patriot/777"}))
	r.collect(c)
	dump := r.state.dump()
	if strings.Contains(dump, "Азамат") || !strings.Contains(dump, "tipline/campaign/"+old+"={}") || strings.Contains(dump, `"`+old+`"`) {
		t.Fatalf("expired campaign still in the state:\n%s", dump)
	}
	// The same text now starts a new campaign.
	r.bot.Push(msg(memberBakyt, memberBakyt, "en", r.now, map[string]any{"text": smsVariants[1]}))
	if got := r.collect(c); len(got) != 1 || got[0].Tip.Submissions != 1 {
		t.Fatalf("after expiry: %+v", got)
	}
}
