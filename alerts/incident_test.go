package alerts

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
)

var t0 = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

func obs(id, platform, url, text string, sev Severity) *Observation {
	p := post.Post{ID: id, Source: platform, URL: url, Text: text}
	return &Observation{Sighting: Sighting{PostID: id, Platform: platform, URL: url, CollectedAt: t0},
		Severity: sev, Categories: []string{"phone"}, Evidence: "[person] [phone]", Fingerprint: FingerprintPost(&p)}
}

func testRule() *Rule {
	return &Rule{Org: "org-a", MinSeverity: SeverityHigh, Channels: []string{"hook", "mail"}, GroupWindow: 30 * time.Second,
		Languages: []string{"en", "ru"}}
}

func TestThreeRepostsGiveOneIncidentAndOneUpdate(t *testing.T) {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	out := Apply(st, obs("telegram:a/1", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0)
	if !out.Created || out.Schedule == nil || out.Schedule.Kind != KindNew || !out.Schedule.NotBefore.Equal(t0) {
		t.Fatalf("first post: %+v", out)
	}
	// Three accounts re-post it within the group window.
	var scheduled []*Notification
	for i, u := range []string{"https://t.me/b/7", "https://t.me/c/3", "https://vk.com/wall-5_1"} {
		p := "vk"
		if i < 2 {
			p = "telegram"
		}
		out := Apply(st, obs("x:"+u, p, u, "Репост: "+leak, SeverityHigh), r, t0.Add(time.Duration(i+1)*2*time.Second))
		if out.Created || out.Incident.ID != st.Incidents[0].ID {
			t.Fatalf("re-post %d opened a new incident", i)
		}
		if out.Schedule != nil {
			scheduled = append(scheduled, out.Schedule)
		}
	}
	if len(st.Incidents) != 1 || len(scheduled) != 1 {
		t.Fatalf("incidents %d, updates scheduled %d; want 1 and 1", len(st.Incidents), len(scheduled))
	}
	in := st.Incidents[0]
	up := in.Notifications[1]
	if up.Kind != KindUpdate || !up.NotBefore.Equal(t0.Add(30*time.Second)) ||
		!slices.Contains(up.Changes, ChangeNewURL) || !slices.Contains(up.Changes, ChangeNewPlatform) {
		t.Fatalf("update %+v", up)
	}
	if in.Copies != 4 || !slices.Equal(in.Platforms, []string{"telegram", "vk"}) || len(in.URLs) != 4 {
		t.Fatalf("incident %+v", in)
	}
	// The same post again (a redelivery) changes nothing and republishes what it triggered.
	again := Apply(st, obs("telegram:a/1", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0.Add(time.Minute))
	if !again.Duplicate || len(again.Republish) != 1 || again.Republish[0].Seq != 1 || in.Copies != 4 {
		t.Fatalf("redelivery: %+v", again)
	}
}

func TestNothingNewSendsNothing(t *testing.T) {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	Apply(st, obs("telegram:a/1", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0)
	// A copy with the same URL as a known one (e.g. re-collected under another id) is not news.
	out := Apply(st, obs("telegram:a/1-edit", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0.Add(time.Hour))
	if out.Schedule != nil || out.Coalesced || out.Created {
		t.Fatalf("no news, but %+v", out)
	}
}

func TestHigherSeverityAfterWindowSendsUpdate(t *testing.T) {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	Apply(st, obs("telegram:a/1", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0)
	out := Apply(st, obs("telegram:a/2", "telegram", "https://t.me/a/1", leak+" Он гей.", SeverityCritical), r, t0.Add(time.Hour))
	if out.Schedule == nil || !slices.Equal(out.Schedule.Changes, []string{ChangeHigherSeverity}) ||
		!out.Schedule.NotBefore.Equal(t0.Add(time.Hour)) || out.Incident.Severity != SeverityCritical {
		t.Fatalf("%+v", out)
	}
}

func TestAcknowledgedIncidentIsSilent(t *testing.T) {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	Apply(st, obs("telegram:a/1", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0)
	if !st.Incidents[0].Acknowledge("user@org-a", t0.Add(time.Minute)) || st.Incidents[0].Acknowledge("again", t0) {
		t.Fatal("acknowledge")
	}
	out := Apply(st, obs("youtube:v", "youtube", "https://youtube.com/watch?v=abcdefgh", leak, SeverityCritical), r, t0.Add(time.Hour))
	if out.Schedule != nil || !out.Suppressed || out.Incident.Copies != 2 {
		t.Fatalf("%+v", out)
	}
}

func TestDifferentContentIsAnotherIncident(t *testing.T) {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	Apply(st, obs("telegram:a/1", "telegram", "https://t.me/a/1", leak, SeverityHigh), r, t0)
	out := Apply(st, obs("vk:w/1", "vk", "https://vk.com/wall-1_1",
		"Совсем другой пост: адрес Айбека — улица Вымышленная 5, кв. 7, приходите вечером и поговорите с ним как следует.", SeverityCritical), r, t0)
	if !out.Created || len(st.Incidents) != 2 || st.Incidents[0].ID == st.Incidents[1].ID {
		t.Fatalf("%+v", out)
	}
}

func TestStateIsBounded(t *testing.T) {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	for i := range maxIncidentsPerMember + 10 {
		id := "x:" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		Apply(st, obs(id, "web", "https://e.example/"+id, "уникальный текст номер "+id+" "+id+" "+id+" слово слово", SeverityHigh), r,
			t0.Add(time.Duration(i)*time.Minute))
	}
	if len(st.Incidents) != maxIncidentsPerMember {
		t.Fatalf("%d incidents kept", len(st.Incidents))
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second}, {30, time.Minute}} {
		if got := Backoff(time.Second, time.Minute, tc.attempt); got != tc.want {
			t.Errorf("Backoff(%d) = %s, want %s", tc.attempt, got, tc.want)
		}
	}
}

func TestRuleJSON(t *testing.T) {
	r := Rule{Org: "org-a", MinSeverity: SeverityCritical, Channels: []string{"hook"}, GroupWindow: 90 * time.Second,
		Languages: []string{"ru"}, Source: "api"}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"org":"org-a","min_severity":"critical","channels":["hook"],"group_window":"1m30s","first_delay":"0s","languages":["ru"],"source":"api"}`; string(b) != want {
		t.Fatalf("JSON %s", b)
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil || back.GroupWindow != r.GroupWindow || back.MinSeverity != r.MinSeverity {
		t.Fatalf("round trip %+v %v", back, err)
	}
	for _, bad := range []string{`{"group_window":"soon"}`, `{"min_severity":"urgent"}`, `{"first_delay":5}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
