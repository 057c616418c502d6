package coordination

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCanonicalLink(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"https://www.News.Example.kg/a/1/?utm_source=tg&utm_medium=x#comments", "news.example.kg/a/1", true},
		{"http://m.vk.com/wall-1_2?fbclid=abc", "vk.com/wall-1_2", true},
		{"www.example.org/p?b=2&a=1", "example.org/p?a=1&b=2", true},
		{"t.me/channel/123", "t.me/channel/123", true},
		{"https://telegram.me/channel/123", "t.me/channel/123", true},
		{"https://youtu.be/abc123?si=tracking", "youtube.com/watch?v=abc123", true},
		{"https://news.example.kg/a/1).", "news.example.kg/a/1", true},
		{"https://localhost/x", "", false},
		{"ftp://example.org/file", "", false},
		{"https://", "", false},
		{"", "", false},
		{"https://exa mple.org/%zz", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := CanonicalLink(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Fatalf("CanonicalLink(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		name      string
		a, b      string
		sameExact bool
		n         int
	}{
		{"case, punctuation and spacing", "Запретить  ПРОПАГАНДУ, срочно!", "запретить пропаганду срочно", true, 3},
		{"mentions and links dropped", "@admin_1 запретить https://x.example/a пропаганду", "запретить пропаганду", true, 2},
		{"order matters for exact", "пропаганду запретить", "запретить пропаганду", false, 2},
		{"kyrgyz and latin", "Үй-бүлө баалуулуктары family VALUES", "үй бүлө баалуулуктары family values", true, 5},
		{"invalid utf-8 separates", "плохой\xffтекст", "плохой текст", true, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := tokenize(tc.a, linkSpans(tc.a), nil)
			b := tokenize(tc.b, linkSpans(tc.b), nil)
			if (a.exact == b.exact) != tc.sameExact || a.n != tc.n {
				t.Fatalf("exact equal %v (want %v), tokens %d (want %d)", a.exact == b.exact, tc.sameExact, a.n, tc.n)
			}
		})
	}
	long := strings.Repeat("слово ", 10_000)
	if tk := tokenize(long, nil, nil); tk.n != maxTokens || len(tk.set) != 1 {
		t.Fatalf("long text: %d tokens, set %d", tk.n, len(tk.set))
	}
}

func TestLSHCandidateProbability(t *testing.T) {
	// With 16 bands of 4 rows, a pair of Jaccard 0.8 is a candidate with probability
	// 1-(1-0.8^4)^16 = 0.9997 and a pair of 0.3 with 0.12; verification rejects the rest.
	found08, found03 := 0, 0
	const trials = 200
	for i := range trials {
		base := make([]uint64, 0, 45)
		for j := range 45 {
			base = append(base, mix64(uint64(i*1000+j)))
		}
		// 0.8: share 40 of 45+5
		sim := append(append([]uint64{}, base[:40]...), mix64(uint64(i*1000+500)), mix64(uint64(i*1000+501)),
			mix64(uint64(i*1000+502)), mix64(uint64(i*1000+503)), mix64(uint64(i*1000+504)))
		// 0.3: share 21 of 45+24
		far := append([]uint64{}, base[:21]...)
		for j := range 24 {
			far = append(far, mix64(uint64(i*1000+600+j)))
		}
		for _, s := range [][]uint64{base, sim, far} {
			sortU64(s)
		}
		ix2 := newLSH(16, 4)
		keys := ix2.signature(base, nil)
		ix2.add(1, 0, base, keys)
		if len(ix2.matchAll(sim, ix2.signature(sim, nil), 0, 60, 0.7, nil)) > 0 {
			found08++
		}
		if len(ix2.matchAll(far, ix2.signature(far, nil), 0, 60, 0.7, nil)) > 0 {
			found03++
		}
	}
	if found08 < trials*95/100 {
		t.Errorf("Jaccard 0.8 pairs found %d/%d", found08, trials)
	}
	if found03 != 0 {
		t.Errorf("Jaccard 0.3 pairs verified as duplicates %d/%d", found03, trials)
	}
}

func sortU64(s []uint64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestDecodeObservation(t *testing.T) {
	cases := []struct {
		name, line string
		wantErr    string
	}{
		{"minimal", `{"id":"x:1","author":"a","published_at":"2026-03-02T10:00:00Z","text":"t"}`, ""},
		{"channel only, frames and account age", `{"id":"x:1","channel":"c","published_at":"2026-03-02T10:00:00+06:00","frames":["foreign_agent"],"account_created_at":"2025-01-01T00:00:00Z"}`, ""},
		{"not json", `{"id":`, "unexpected EOF"},
		{"array", `[1,2]`, "cannot unmarshal"},
		{"trailing data", `{"id":"x:1","author":"a","published_at":"2026-03-02T10:00:00Z"} {}`, "trailing data"},
		{"missing id", `{"author":"a","published_at":"2026-03-02T10:00:00Z"}`, "missing id"},
		{"missing author", `{"id":"x:1","published_at":"2026-03-02T10:00:00Z"}`, "missing author and channel"},
		{"missing time", `{"id":"x:1","author":"a"}`, "missing published_at"},
		{"bad time", `{"id":"x:1","author":"a","published_at":"yesterday"}`, "cannot parse"},
		{"empty frame", `{"id":"x:1","author":"a","published_at":"2026-03-02T10:00:00Z","frames":[""]}`, "bad frame"},
		{"empty", `   `, "empty line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := DecodeObservation([]byte(tc.line))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o.Post.PublishedAt.Location().String() != "UTC" {
					t.Fatalf("time not normalised to UTC: %v", o.Post.PublishedAt)
				}
				return
			}
			if !errors.Is(err, ErrBadLine) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want ErrBadLine containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestLineReaderSkipsOverlongLines(t *testing.T) {
	in := "first\n" + strings.Repeat("x", MaxLineBytes+10) + "\nthird\r\nlast"
	lr := newLineReader(strings.NewReader(in))
	type got struct {
		line    string
		n       int
		tooLong bool
	}
	var all []got
	for {
		l, n, tl, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s := string(l)
		if tl {
			s = ""
		}
		all = append(all, got{s, n, tl})
	}
	want := []got{{"first", 1, false}, {"", 2, true}, {"third", 3, false}, {"last", 4, false}}
	if len(all) != len(want) {
		t.Fatalf("got %+v", all)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Fatalf("line %d: %+v, want %+v", i, all[i], want[i])
		}
	}
}

func FuzzDecodeObservation(f *testing.F) {
	for _, s := range []string{
		`{"id":"x:1","author":"a","published_at":"2026-03-02T10:00:00Z","text":"https://t.me/x/1 @a текст"}`,
		`{"id":"x:1","channel":"c","published_at":"2026-03-02T10:00:00Z","frames":["a"],"reply_to":"y"}`,
		`{"id":"","text":"\xff\xfe"}`, `null`, `{}`, `{"id":1}`, "{\"id\":\"x:1\",\"author\":\"\xff\",\"published_at\":\"2026-03-02T10:00:00Z\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		o, err := DecodeObservation(line)
		if err != nil {
			if !errors.Is(err, ErrBadLine) {
				t.Fatalf("error does not wrap ErrBadLine: %v", err)
			}
			return
		}
		if !utf8.ValidString(o.Post.Text) || !utf8.ValidString(o.Post.Author) || o.Post.ID == "" {
			t.Fatalf("decoded observation not normalised: %+v", o.Post)
		}
		// Whatever decodes must be safe to observe.
		d, _ := NewDetector(DefaultParams())
		_ = d.Observe(o)
		_ = d.Flush(o.Post.PublishedAt)
	})
}

func FuzzTokenizeAndLinks(f *testing.F) {
	for _, s := range []string{"Запретить https://www.x.example/a?utm_source=1 @user текст", "t.me/", "www.", "http://[::1", "\xff\xfe@@", "https://a.b/" + strings.Repeat("%", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spans := linkSpans(s)
		for _, sp := range spans {
			if l, ok := CanonicalLink(s[sp[0]:sp[1]]); ok && l == "" {
				t.Fatal("empty canonical link reported ok")
			}
		}
		tk := tokenize(s, spans, nil)
		if tk.n > maxTokens || len(tk.set) > tk.n {
			t.Fatalf("tokens %d set %d", tk.n, len(tk.set))
		}
		if tk.n == 0 && tk.exact != 0 {
			t.Fatal("empty text has an exact hash")
		}
		_ = truncateRunes(s, 5)
		if !utf8.ValidString(truncateBytes(s, 7)) || len(truncateBytes(s, 7)) > 7 {
			t.Fatal("truncateBytes")
		}
	})
}
