package alerts

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kuzot/kuzot/post"
)

var benchPost = post.Post{ID: "telegram:x/1", Source: "telegram", URL: "https://t.me/x/1",
	Text: strings.Repeat("Обычные новости района и города, встреча жителей. ", 3) + leak}

// BenchmarkFingerprintPost is the per-post cost of content identity (SimHash of word
// bigrams and trigrams, URL and video keys).
func BenchmarkFingerprintPost(b *testing.B) {
	b.SetBytes(int64(len(benchPost.Text)))
	for b.Loop() {
		_ = FingerprintPost(&benchPost)
	}
}

// BenchmarkBaselineExactHash is the cheapest identity: SHA-256 of the normalised text
// (exact copies only).
func BenchmarkBaselineExactHash(b *testing.B) {
	b.SetBytes(int64(len(benchPost.Text)))
	for b.Loop() {
		_ = sha256.Sum256([]byte(strings.Join(NormalizeText(benchPost.Text), " ")))
	}
}

func fullState() *MemberState {
	st := &MemberState{Org: "org-a", Member: "m-001"}
	r := testRule()
	for i := range maxIncidentsPerMember {
		id := fmt.Sprintf("web:%d", i)
		Apply(st, obs(id, "web", "https://e.example/"+id, fmt.Sprintf("текст %d про разное %d и ещё %d слова здесь", i, i*7, i*13),
			SeverityHigh), r, t0.Add(time.Duration(i)*time.Minute))
	}
	return st
}

// BenchmarkApplyFullState folds a new copy into a member's state holding the maximum
// number of incidents (the worst case of the matching loop), including the JSON round
// trip every compare-and-set pays.
func BenchmarkApplyFullState(b *testing.B) {
	data, _ := json.Marshal(fullState())
	o := obs("telegram:new", "telegram", "https://t.me/new/1", leak, SeverityCritical)
	r := testRule()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var st MemberState
		if err := json.Unmarshal(data, &st); err != nil {
			b.Fatal(err)
		}
		Apply(&st, o, r, t0.Add(time.Hour))
		if _, err := json.Marshal(&st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineStateRoundTrip is the JSON decode and encode of the same state alone.
func BenchmarkBaselineStateRoundTrip(b *testing.B) {
	data, _ := json.Marshal(fullState())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var st MemberState
		if err := json.Unmarshal(data, &st); err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(&st); err != nil {
			b.Fatal(err)
		}
	}
}
