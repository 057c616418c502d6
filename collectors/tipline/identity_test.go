package tipline

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/demosite"
)

// TestReporterIdentityAppearsNowhereAllPaths runs one tipline with every way in at once
// — bot webhook, IMAP mailbox and web form — with tips and /forget from each, then
// greps the emitted posts, the logs and the metrics for every reporter identity (Telegram
// ids, e-mail addresses and display names, account names) and for their keyed hashes,
// and the state for the identities (the hashes live only there).
func TestReporterIdentityAppearsNowhereAllPaths(t *testing.T) {
	r, srv := imapRig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	formAddr := ln2.Addr().String()
	ln2.Close()
	r.cfg.Telegram = &BotConfig{BaseURL: r.srv.URL, Token: demosite.DemoBotToken, LongPoll: time.Second,
		Webhook: &WebhookConfig{Listen: addr, URL: "http://" + addr, SecretToken: webhookSecret, AcceptTimeout: 5 * time.Second}}
	r.cfg.Form = &FormConfig{Listen: formAddr, SecretToken: formSecret, AcceptTimeout: 5 * time.Second}
	r.cfg.Defaults()
	if err := r.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c := r.collector()
	r.collect(c) // sets the webhook, starts the intakes, reads the (empty) mailbox

	scenario(r)
	if _, err, _ := r.deliver(c, acceptAll); err != nil {
		t.Fatal(err)
	}
	for _, m := range imapMails {
		srv.deliver(t, m)
	}
	r.now = r.now.Add(time.Minute)
	r.collect(c)
	for _, ft := range []FormTip{
		{Org: "org-a", Submitter: "web:invented-analyst", Text: smsVariants[1], SMSSender: "VOTE-KG"},
		{Org: "org-b", Submitter: "web:invented-orguser", Link: "https://t.me/kg_demo_patriot/240"},
	} {
		if _, err, _ := r.submit(c, ft, acceptAll); err != nil {
			t.Fatal(err)
		}
	}
	// /forget on every path.
	r.bot.Push(msg(memberBakyt, memberBakyt, "ru", r.now, map[string]any{"text": "/forget"}))
	if _, err, _ := r.deliver(c, acceptAll); err != nil {
		t.Fatal(err)
	}
	srv.deliver(t, "From: "+mailMemberTwo+"\nSubject: /forget\n\n/forget\n")
	r.now = r.now.Add(time.Minute)
	r.collect(c)
	if _, err, _ := r.submit(c, FormTip{Org: "org-b", Submitter: "web:invented-orguser", Forget: true}, acceptAll); err != nil {
		t.Fatal(err)
	}

	identities := []string{"5550001201", "5550001202", "5550001203", mailMemberOne, mailMemberTwo, "aidai.member", "bolot.member",
		"Invented Member", "invented-analyst", "invented-orguser"}
	var hashes []string
	for _, id := range []struct{ org, who string }{
		{"org-a", "telegram:5550001201"}, {"org-a", "telegram:5550001202"}, {"org-b", "telegram:5550001203"},
		{"org-a", "email:" + mailMemberOne}, {"org-a", "email:" + mailMemberTwo},
		{"org-a", "web:invented-analyst"}, {"org-b", "web:invented-orguser"},
	} {
		hashes = append(hashes, ReporterHash([]byte(reporterKey), id.org, id.who))
	}
	postsJSON, _ := json.Marshal(r.posts)
	outside := map[string]string{"posts": string(postsJSON), "logs": r.logs.String(), "metrics": gatherText(t, r.reg)}
	for where, text := range outside {
		for _, s := range append(identities, hashes...) {
			if strings.Contains(text, s) {
				t.Errorf("%q found in %s", s, where)
			}
		}
	}
	state := r.state.dump()
	for _, s := range identities {
		if strings.Contains(state, s) {
			t.Errorf("%q found in the state", s)
		}
	}
	if !strings.Contains(state, hashes[0]) {
		t.Error("the scenario did not store the first member's keyed hash: nothing was tested")
	}
	if len(r.posts) < 8 {
		t.Fatalf("only %d posts: the paths did not all run", len(r.posts))
	}
}
