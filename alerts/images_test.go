package alerts

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kuzot/kuzot/media/phash"
	"github.com/kuzot/kuzot/pipeline"
)

func sigOf(text string) phash.TextSig { return phash.SigOf(text) }

const cardWords = "КЫРГЫЗ РЕСПУБЛИКАСЫ ИДЕНТИФИКАЦИЯЛЫК КАРТА Фамилиясы person Аты person Туулган куну date Жынысы ПИН national_id Документтин номери"

// A re-upload of an incident's picture (hashes a few bits apart, same words) with
// another caption and place joins the incident and schedules an update; an unrelated
// picture of the same template (hashes near, other words) and a far picture do not.
func TestImageReuploadJoinsIncident(t *testing.T) {
	r := testRule()
	orig := ImagePrint{Hash: phash.Hash{P: 0xF0F0F0F0F0F0F0F0, D: 0x0F0F0F0F0F0F0F0F}, Sig: sigOf(cardWords + " Токтосунов Айбек")}
	cases := []struct {
		name string
		p    ImagePrint
		join bool
	}{
		{"re-upload: 6+4 bits, same words", ImagePrint{Hash: phash.Hash{P: orig.Hash.P ^ 0x3F, D: orig.Hash.D ^ 0xF00}, Sig: orig.Sig}, true},
		{"another card of the template: same hashes, other words",
			ImagePrint{Hash: orig.Hash, Sig: sigOf("Паспорт Осмонова Бермет Жалал-Абад 1994 выдан органом 2019 подпись владельца")}, false},
		{"far picture, same words", ImagePrint{Hash: phash.Hash{P: ^orig.Hash.P, D: ^orig.Hash.D}, Sig: orig.Sig}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &MemberState{Org: "org-a", Member: "m-001"}
			first := obs("telegram:a/1#img0", "telegram", "https://t.me/a/1", "Смотрите кто это", SeverityHigh)
			first.Fingerprint.Images = []ImagePrint{orig}
			if out := Apply(st, first, r, t0); !out.Created {
				t.Fatalf("first: %+v", out)
			}
			re := obs("telegram:b/9#img0", "telegram", "https://t.me/b/9", "Совсем другая подпись к картинке, без имён", SeverityHigh)
			re.Fingerprint.Images = []ImagePrint{c.p}
			out := Apply(st, re, r, t0.Add(time.Minute))
			if joined := !out.Created; joined != c.join {
				t.Fatalf("joined %v, want %v (%+v)", joined, c.join, out)
			}
			if c.join && (out.Schedule == nil || out.Schedule.Kind != KindUpdate || out.Incident.Copies != 2) {
				t.Fatalf("re-upload did not schedule an update: %+v", out)
			}
		})
	}
}

// The index finds the incidents a picture re-uploads, once per incident.
func TestImageIndexMatch(t *testing.T) {
	x := NewImageIndex(ImageThresholds())
	p := ImagePrint{Hash: phash.Hash{P: 1 << 40, D: 7}, Sig: sigOf(cardWords)}
	x.Add("p.inc_a.1", ImageRecord{Org: "org-a", Member: "m-1", Incident: "inc_a", Severity: SeverityHigh, Print: p})
	x.Add("p.inc_a.2", ImageRecord{Org: "org-a", Member: "m-1", Incident: "inc_a", Severity: SeverityHigh, Print: p})
	x.Add("p.inc_b.1", ImageRecord{Org: "org-b", Member: "m-9", Incident: "inc_b", Print: ImagePrint{Hash: phash.Hash{P: ^uint64(0)}, Sig: p.Sig}})
	got := x.Match(ImagePrint{Hash: phash.Hash{P: 1<<40 | 3, D: 7}, Sig: p.Sig})
	if len(got) != 1 || got[0].Incident != "inc_a" {
		t.Fatalf("match %+v", got)
	}
	x.Remove("p.inc_a.1")
	x.Remove("p.inc_a.2")
	if got := x.Match(p); len(got) != 0 || x.Len() != 1 {
		t.Fatalf("after removal: %+v, %d held", got, x.Len())
	}
}

func TestImagePrintsDecode(t *testing.T) {
	c := &pipeline.Classified{Results: map[string]json.RawMessage{
		ImageName: json.RawMessage(`{"parent_post_id":"telegram:a/1","hash":{"phash":5,"dhash":6},"text_sig":{"min":[1,2],"n":9},"exposed":true}`)}}
	ps := ImagePrints(c)
	if len(ps) != 1 || ps[0].Hash.P != 5 || ps[0].Hash.D != 6 || ps[0].Sig.N != 9 {
		t.Fatalf("prints %+v", ps)
	}
	if ps := ImagePrints(&pipeline.Classified{Results: map[string]json.RawMessage{}}); ps != nil {
		t.Fatalf("a text result has prints %+v", ps)
	}
}
