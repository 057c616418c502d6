package watchlist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// All people, numbers and addresses below are invented.

func skel(s string) string { return string(Skeleton(nil, s)) }

func TestSkeletonSameName(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"ICAO vs Cyrillic", "Токтосунов", "Toktosunov"},
		{"й as i and y", "Айбек", "Aybek"},
		{"й ICAO", "Айбек", "Aibek"},
		{"ю ICAO vs BGN vs German", "Кулюмова", "Kulyumova"},
		{"ю German", "Kuliumova", "Kuljumova"},
		{"я ICAO vs BGN", "Мария", "Mariya"},
		{"ия informal", "Мария", "Maria"},
		{"х kh vs h", "Хасанов", "Hasanov"},
		{"ж zh vs j", "Жылдыз", "Jyldyz"},
		{"ж after vowel", "Айжан", "Aijan"},
		{"ң as n", "Миңбаев", "Minbaev"},
		{"ң as ng", "Миңбаев", "Mingbaev"},
		{"ө as o", "Өмүрбек", "Omurbek"},
		{"ө as oe", "Өмүрбек", "Oemuerbek"},
		{"ү diacritic", "Үсөн", "Üsön"},
		{"е after vowel BGN", "Алексеев", "Alekseyev"},
		{"ы as y", "Кыязов", "Kyyazov"},
		{"ц ts", "Цой", "Tsoy"},
		{"щ", "Щукина", "Shchukina"},
		{"double letters", "Жанна", "Zhana"},
		{"homoglyph mix", "Aйбек", "Айбек"},
		{"zero width", "Ай\u200bбек", "Айбек"},
		{"case", "АЙБЕК", "aibek"},
		{"Uzbek apostrophe", "G‘ulomov", "Гуломов"},
		{"ий ending", "Евгений", "Yevgeniy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := skel(tt.a), skel(tt.b); a != b {
				t.Errorf("Skeleton(%q)=%q, Skeleton(%q)=%q; want equal", tt.a, a, tt.b, b)
			}
		})
	}
}

func TestSkeletonDifferentName(t *testing.T) {
	tests := [][2]string{
		{"Касимова", "Касюмова"},
		{"Кулюмова", "Кулимова"},
		{"Кулюмова", "Куликова"},
		{"Жанна", "Анна"},
		{"Асанов", "Усенов"},
		{"Айбек", "Айбар"},
		{"Токтосунов", "Токтосупов"},
		{"Шукуров", "Чукуров"},
	}
	for _, tt := range tests {
		if a, b := skel(tt[0]), skel(tt[1]); a == b {
			t.Errorf("Skeleton(%q) = Skeleton(%q) = %q; want different", tt[0], tt[1], a)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestCyrillicForms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		not  []string
	}{
		{"Токтосунов", []string{"токтосунова", "токтосунову", "токтосуновым", "токтосунове", "токтосуновой", "токтосуновго", "токтосуновдун", "токтосунованын"}, []string{"токтосуновка", "токтосун"}},
		{"Токтосунова", []string{"токтосуновой", "токтосунову", "токтосунов", "токтосуновага"}, nil},
		{"Айбек", []string{"айбека", "айбеку", "айбеком", "айбеке", "айбекке", "айбектин", "айбекти", "айбектен"}, nil},
		{"Гульнара", []string{"гульнары", "гульнаре", "гульнару", "гульнарой", "гульнарага", "гульнаранын"}, nil},
		{"Айгуль", []string{"айгули", "айгулью"}, nil},
		{"Алексей", []string{"алексея", "алексею", "алексеем"}, nil},
		{"Каменский", []string{"каменского", "каменская", "каменской"}, nil},
		{"Ивановна", []string{"ивановны", "ивановной"}, nil},
		{"Петрович", []string{"петровича", "петровичем"}, nil},
	}
	for _, tt := range tests {
		got := CyrillicForms(tt.in)
		for _, w := range tt.want {
			if !contains(got, w) {
				t.Errorf("CyrillicForms(%q) lacks %q", tt.in, w)
			}
		}
		for _, n := range tt.not {
			if contains(got, n) {
				t.Errorf("CyrillicForms(%q) has %q", tt.in, n)
			}
		}
	}
}

func TestTokenKeysCoverSpellings(t *testing.T) {
	tests := []struct {
		registered string
		seen       []string
		unseen     []string
	}{
		{"Токтосунов", []string{"Токтосунова", "Toktosunov", "Токтосуновой", "Токтосуновдун"}, []string{"Токтосупов", "Тоқтосунбеков", "Токтосун"}},
		{"Toktosunov", []string{"Токтосунова", "Токтосуновым", "TOKTOSUNOV"}, nil},
		{"Aibek", []string{"Айбека", "Айбекке", "Aybek"}, []string{"Айбар"}},
		{"Касюмова", []string{"Kasyumova", "Касюмовой"}, []string{"Касимова", "Масумова", "Касимовой"}},
		{"Диёр", []string{"Diyor", "Dier", "Диёра"}, nil},
	}
	for _, tt := range tests {
		keys := TokenKeys(tt.registered)
		for _, s := range tt.seen {
			if !contains(keys, skel(s)) {
				t.Errorf("TokenKeys(%q) does not cover %q (skeleton %q)", tt.registered, s, skel(s))
			}
		}
		for _, s := range tt.unseen {
			if contains(keys, skel(s)) {
				t.Errorf("TokenKeys(%q) wrongly covers %q (skeleton %q)", tt.registered, s, skel(s))
			}
		}
	}
}

func TestNameTokensDropsConnectorsAndInitials(t *testing.T) {
	got := NameTokens("Токтосун уулу Айбек А.")
	if strings.Join(got, ",") != "Токтосун,Айбек" {
		t.Fatalf("NameTokens = %q", got)
	}
}

func TestCanonPhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"+996 555 123 456", "+996555123456", true},
		{"0555 123 456", "+996555123456", true},
		{"(0555) 12-34-56", "+996555123456", true},
		{"00996555123456", "+996555123456", true},
		{"555 123 456", "+996555123456", true},
		{"+7 701 234 5678", "+77012345678", true},
		{"8 701 234 56 78", "+77012345678", true},
		{"+7 912 345 67 89", "+79123456789", true},
		{"12345", "", false},
		{"+996 111 123 456", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := CanonPhone(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CanonPhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCanonIDHandleEmail(t *testing.T) {
	if got := CanonID("АN 123-4567"); got != "AN1234567" { // Cyrillic А
		t.Errorf("CanonID = %q", got)
	}
	for _, in := range []string{"@Aibek_T", "t.me/aibek_t", "https://instagram.com/aibek_t/", "https://vk.com/aibek_t?x=1"} {
		if got := CanonHandle(in); got != "aibek_t" {
			t.Errorf("CanonHandle(%q) = %q", in, got)
		}
	}
	if got := CanonEmail(" Aibek@Example.ORG "); got != "aibek@example.org" {
		t.Errorf("CanonEmail = %q", got)
	}
}

var testKey = []byte("test-key-0123456789abcdef0123456789")

func TestHasherKeyed(t *testing.T) {
	a, err := NewHasher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewHasher(testKey)
	c, _ := NewHasher([]byte("another-key-0123456789abcdef0123456789"))
	if a.SumString(KindName, "aibek") != b.SumString(KindName, "aibek") {
		t.Error("same key, same value: hashes differ")
	}
	if a.SumString(KindName, "aibek") == c.SumString(KindName, "aibek") {
		t.Error("different keys: hashes equal")
	}
	if a.SumString(KindPhone, "123") == a.SumString(KindID, "123") {
		t.Error("different kinds: hashes equal")
	}
	if a.KeyID() == c.KeyID() || a.KeyID() != b.KeyID() {
		t.Error("key ids do not follow the key")
	}
	if _, err := NewHasher([]byte("short")); !errors.Is(err, ErrNoKey) {
		t.Errorf("short key: err = %v, want ErrNoKey", err)
	}
}

func TestKeyFromEnv(t *testing.T) {
	env := map[string]string{"K": "0123456789abcdef0123456789abcdef", "SHORT": "0123456789abcdef0123456789abcde"}
	get := func(k string) string { return env[k] }
	if k, err := KeyFromEnv(get, "K"); err != nil || string(k) != env["K"] {
		t.Errorf("KeyFromEnv(K) = %q, %v", k, err)
	}
	for _, name := range []string{"", "SHORT", "MISSING"} {
		if _, err := KeyFromEnv(get, name); !errors.Is(err, ErrNoKey) {
			t.Errorf("KeyFromEnv(%q): err = %v, want ErrNoKey", name, err)
		}
	}
}

// TestKeyRules is issue 19 item 10: the key make run used to fall back to (printed in the
// repository) is refused outside demo mode, and so are placeholders; keys need 32 bytes.
func TestKeyRules(t *testing.T) {
	const demoKey = "demo-only-watchlist-key-change-me"
	random := strings.Repeat("7f3a", 16) // 64 hex characters: 32 bytes, as make run generates
	for _, tc := range []struct {
		name string
		env  map[string]string
		want error
	}{
		{"demo key refused", map[string]string{DefaultKeyEnv: demoKey}, ErrPublicKey},
		{"demo key refused with KUZOT_DEMO=0", map[string]string{DefaultKeyEnv: demoKey, DemoModeEnv: "0"}, ErrPublicKey},
		{"demo key in demo mode", map[string]string{DefaultKeyEnv: demoKey, DemoModeEnv: "1"}, nil},
		{"placeholder refused", map[string]string{DefaultKeyEnv: "please-CHANGE-ME-0123456789abcdef0123"}, ErrPublicKey},
		{"documentation placeholder refused", map[string]string{DefaultKeyEnv: "..."}, ErrPublicKey},
		{"31 bytes refused", map[string]string{DefaultKeyEnv: random[:31]}, ErrNoKey},
		{"32 bytes accepted", map[string]string{DefaultKeyEnv: random[:32]}, nil},
		{"generated key accepted", map[string]string{DefaultKeyEnv: random}, nil},
		{"short key refused in demo mode too", map[string]string{DefaultKeyEnv: "short-key", DemoModeEnv: "1"}, ErrNoKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := KeyFromEnv(func(k string) string { return tc.env[k] }, "")
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := NewHasher([]byte(random[:31])); !errors.Is(err, ErrNoKey) {
		t.Errorf("NewHasher accepted a 31-byte key: %v", err)
	}
}

const sampleYAML = `orgs:
  - id: org-a
    name: Example Org
    members:
      - id: m-001
        names: ["Айбек Токтосунов", "Aibek Toktosunov"]
        phones: ["+996 555 123 456"]
        ids: ["21203199500123"]
        handles: ["@aibek_t"]
        emails: ["aibek@example.org"]
      - id: m-002
        names: ["Гульнара Касюмова"]
  - id: org-b
    members:
      - id: x-9
        names: ["Токтосун уулу Айбек"]
`

func parseSample(t *testing.T) *File {
	t.Helper()
	f, err := ParseFile(strings.NewReader(sampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func buildIndex(t *testing.T, key []byte, f *File) *Index {
	t.Helper()
	h, err := NewHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	var lists []*HashedList
	for i := range f.Orgs {
		l, err := Build(&f.Orgs[i], h)
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, l)
	}
	ix, err := NewIndex(h, lists)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func words(text string) []NameToken {
	var out []NameToken
	start := -1
	brk := false
	for i, r := range text + " " {
		letter := r != ' ' && r != ',' && r != '.'
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			w := text[start:i]
			out = append(out, NameToken{Skel: Skeleton(nil, w), Start: start, End: i, Connector: IsConnector(strings.ToLower(w)), Break: brk,
				NameLike: strings.ToLower(w) != w})
			start, brk = -1, false
		}
		if r == '.' {
			brk = true
		}
	}
	return out
}

func TestIndexMatchNames(t *testing.T) {
	ix := buildIndex(t, testKey, parseSample(t))
	tests := []struct {
		text string
		want []string
	}{
		{"Айбек Токтосунов", []string{"org-a/m-001", "org-b/x-9"}},
		{"видели Айбека Токтосунова вчера", []string{"org-a/m-001", "org-b/x-9"}},
		{"Toktosunov Aibek", []string{"org-a/m-001", "org-b/x-9"}},
		{"Токтосун уулу Айбек", []string{"org-a/m-001", "org-b/x-9"}},
		{"Гульнары Касюмовой", []string{"org-a/m-002"}},
		{"Гульнара Касимова", nil},
		{"Айбек Асанов", nil},
		{"Айбек. Токтосунов", nil},
		{"Айбек Асанович Токтосунов", []string{"org-a/m-001", "org-b/x-9"}},
		{"Айбек и Токтосунов", nil},
		{"Токтосун Айбек", []string{"org-b/x-9"}}, // x-9 is registered so; m-001 needs "уулу"
		{"Айбек", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range ix.MatchNames(words(tt.text)) {
			got = append(got, m.Org+"/"+m.Member)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("MatchNames(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestIndexMatchIdent(t *testing.T) {
	ix := buildIndex(t, testKey, parseSample(t))
	for _, in := range []string{"+996 555 123 456", "0555-12-34-56", "(0555) 123456"} {
		e164, ok := CanonPhone(in)
		if !ok {
			t.Fatalf("CanonPhone(%q) failed", in)
		}
		if got := ix.MatchIdent(KindPhone, e164); len(got) != 1 || got[0] != (Ref{Org: "org-a", Member: "m-001"}) {
			t.Errorf("phone %q: %v", in, got)
		}
	}
	if got := ix.MatchIdent(KindID, CanonID("2 1203 1995 00123")); len(got) != 1 {
		t.Errorf("id: %v", got)
	}
	if got := ix.MatchIdent(KindHandle, CanonHandle("https://t.me/Aibek_T")); len(got) != 1 {
		t.Errorf("handle: %v", got)
	}
	if got := ix.MatchIdent(KindPhone, "+996555123457"); len(got) != 0 {
		t.Errorf("other phone matched: %v", got)
	}
	if got := ix.MatchIdent(KindID, "+996555123456"); len(got) != 0 {
		t.Errorf("phone digits matched as id: %v", got)
	}
}

func TestOtherKeyDoesNotMatch(t *testing.T) {
	f := parseSample(t)
	h1, _ := NewHasher(testKey)
	l, err := Build(&f.Orgs[0], h1)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := NewHasher([]byte("a-completely-different-key-0123456789"))
	if _, err := NewIndex(h2, []*HashedList{l}); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("NewIndex with another key: err = %v, want ErrKeyMismatch", err)
	}
	// Even when the fingerprint is forged, another key's tokens do not match.
	l.KeyID = h2.KeyID()
	ix, err := NewIndex(h2, []*HashedList{l})
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.MatchNames(words("Айбек Токтосунов")); len(got) != 0 {
		t.Errorf("other key matched names: %v", got)
	}
	if got := ix.MatchIdent(KindPhone, "+996555123456"); len(got) != 0 {
		t.Errorf("other key matched phone: %v", got)
	}
}

func TestParseFileErrorsNeverEchoValues(t *testing.T) {
	bad := `orgs:
  - id: org-a
    members:
      - id: m-1
        names: ["Айбек Токтосунов"]
        phones: ["+996 111 000 999"]
        nickname: "Айбек Токтосунов"
`
	_, err := ParseFile(strings.NewReader(bad))
	if err == nil {
		t.Fatal("want error")
	}
	for _, leak := range []string{"Айбек", "Токтосунов", "111"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error %q echoes a value", err)
		}
	}
	bad2 := strings.Replace(bad, "        nickname: \"Айбек Токтосунов\"\n", "", 1)
	_, err = ParseFile(strings.NewReader(bad2))
	if err == nil || !strings.Contains(err.Error(), "phones[0]") || strings.Contains(err.Error(), "111") {
		t.Errorf("invalid phone: err = %v", err)
	}
	if _, err := ParseFile(bytes.NewReader([]byte{0xff, 0xfe})); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
	if _, err := ParseFile(strings.NewReader("orgs: [")); err == nil {
		t.Error("malformed YAML accepted")
	}
}

func TestFileStoreRoundTripNoPlaintext(t *testing.T) {
	f := parseSample(t)
	h, _ := NewHasher(testKey)
	dir, st, lists := storeAndLoad(t, f, h)
	ctx := context.Background()
	if len(lists) != 2 || lists[0].Org != "org-a" || lists[1].Org != "org-b" {
		t.Fatalf("loaded %d lists", len(lists))
	}
	ix, err := NewIndex(h, lists)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.MatchNames(words("Айбека Токтосунова")); len(got) != 2 {
		t.Errorf("after reload: %v", got)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", e.Name(), info.Mode().Perm())
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, leak := range []string{"Айбек", "Aibek", "Токтосун", "Toktosun", "555", "123 456", "aibek", "21203199500123", "example.org", "Касюмова", "Example Org"} {
			if bytes.Contains(data, []byte(leak)) {
				t.Errorf("%s contains %q", e.Name(), leak)
			}
		}
	}
	if err := st.Delete(ctx, "org-b"); err != nil {
		t.Fatal(err)
	}
	if lists, _ := st.Load(ctx); len(lists) != 1 {
		t.Errorf("after delete: %d lists", len(lists))
	}
}

func TestFileStoreRejectsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "org-x.json"), []byte(`{"version":1,"org":"org-x","members":["a"],"names":[0],"entries":[{"h":"AAAAAAAAAAAAAAAAAAAAAA","k":"n","m":5}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileStore(dir).Load(context.Background()); err == nil {
		t.Error("corrupt list accepted")
	}
}

// TestKGPrefixTablesAgreeWithPhonenumbers checks the Kyrgyz fast path of CanonPhone
// against the phonenumbers library on every prefix with random subscriber numbers.
func TestKGPrefixTablesAgreeWithPhonenumbers(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	for p := 200; p <= 999; p++ {
		for i := 0; i < 8; i++ {
			n := fmt.Sprintf("+996%d%06d", p, rnd.Intn(1000000))
			_, fast := CanonPhone(n)
			num, err := phonenumbers.Parse(n, "ZZ")
			slow := err == nil && phonenumbers.IsValidNumber(num)
			if fast != slow {
				t.Errorf("%s: fast path says %v, phonenumbers %v", n, fast, slow)
			}
		}
	}
}

func FuzzSkeletonAndKeys(f *testing.F) {
	for _, s := range []string{"Токтосунов", "Aibek", "Өмүрбек", "ng", "shchsch", "Ай\u200bбек", "ЁЁЁ", "jjjj", "", "\xff", "ий", "ʻʻ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Skeleton(nil, s)
		for _, c := range k {
			if c < 'a' || c > 'z' {
				t.Fatalf("Skeleton(%q) = %q has a non-letter", s, k)
			}
		}
		if len(s) < 64 {
			for _, key := range TokenKeys(s) {
				if key == "" {
					t.Fatalf("TokenKeys(%q) has an empty key", s)
				}
			}
		}
	})
}

func FuzzParseFile(f *testing.F) {
	f.Add(sampleYAML)
	f.Add("orgs: [")
	f.Add("orgs:\n  - id: a\n    members:\n      - id: b\n        phones: [\"+\"]\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		file, err := ParseFile(strings.NewReader(s))
		if err != nil {
			return
		}
		h, _ := NewHasher(testKey)
		for i := range file.Orgs {
			l, err := Build(&file.Orgs[i], h)
			if err != nil {
				t.Fatalf("valid file failed to build: %v", err)
			}
			if err := l.Validate(); err != nil {
				t.Fatalf("built list invalid: %v", err)
			}
		}
	})
}

func FuzzCanonPhone(f *testing.F) {
	for _, s := range []string{"+996 555 123 456", "0555-12-34-56", "8 701 234 56 78", "+", "00", "+99655512345612345678", "０５５５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e164, ok := CanonPhone(s)
		if ok {
			if !strings.HasPrefix(e164, "+") {
				t.Fatalf("CanonPhone(%q) = %q", s, e164)
			}
			if again, ok2 := CanonPhone(e164); !ok2 || again != e164 {
				t.Fatalf("CanonPhone is not idempotent on %q: %q", e164, again)
			}
		}
	})
}

// TestOrgNamesHashedAndMatched: an organisation's own name (without its parenthesised
// remark) and aliases are stored as keyed tokens only, survive a store round trip, and
// count as named only by one token of a one-word name or two different tokens of a
// longer name next to each other.
func TestOrgNamesHashedAndMatched(t *testing.T) {
	const y = `orgs:
  - id: org-x
    name: Ак Кайың (an invented initiative)
    aliases: ["Ak Kaiyng"]
    members:
      - id: x-1
        names: ["Нурайым Асылбекова"]
  - id: org-y
    name: Sabo
    members:
      - id: y-1
        names: ["Dilfuza Ergashxo'jayeva"]
`
	f, err := ParseFile(strings.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := NewHasher(testKey)
	dir, _, lists := storeAndLoad(t, f, h)
	if got := lists[0].OrgNameTokens; len(got) != 2 || got[0] != 2 || got[1] != 2 {
		t.Fatalf("org-x name token counts %v, want [2 2] (the remark dropped)", got)
	}
	ix, err := NewIndex(h, lists)
	if err != nil {
		t.Fatal(err)
	}
	keys := func(text string) [][][]byte {
		var out [][][]byte
		for _, w := range strings.Fields(text) {
			out = append(out, [][]byte{Skeleton(nil, strings.ToLower(w))})
		}
		return out
	}
	for _, tc := range []struct {
		text    string
		context int // the word in an organisation context, or -1
		want    []string
	}{
		{"она в Ак Кайыңе главная", -1, []string{"org-x"}},
		{"staff of Ak Kaiyng", -1, []string{"org-x"}},
		{"ак боз ат, кайың токой", -1, nil},
		{"Sabo team", 0, []string{"org-y"}},
		{"Sabo is a word too", -1, nil},
		{"nothing here", -1, nil},
	} {
		ctx := func(w int) bool { return w == tc.context }
		got, at := ix.OrgsNamed(keys(tc.text), ctx)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: orgs %v, want %v (at %v)", tc.text, got, tc.want, at)
		}
	}
	for _, e := range mustReadDir(t, dir) {
		data, _ := os.ReadFile(filepath.Join(dir, e))
		for _, leak := range []string{"Кайың", "Kaiyng", "kaiyng", "Sabo", "sabo", "invented"} {
			if bytes.Contains(data, []byte(leak)) {
				t.Errorf("%s contains %q", e, leak)
			}
		}
	}
	// A stored token out of range is refused.
	bad := *lists[0]
	bad.OrgNames = append([]OrgToken(nil), bad.OrgNames...)
	bad.OrgNames[0].Token = 7
	if err := bad.Validate(); err == nil {
		t.Error("an organisation-name token out of range validated")
	}
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// storeAndLoad hashes every org of f into a new file store and loads the lists back.
func storeAndLoad(t *testing.T, f *File, h *Hasher) (string, *FileStore, []*HashedList) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "watchlists")
	st := NewFileStore(dir)
	ctx := context.Background()
	for i := range f.Orgs {
		l, err := Build(&f.Orgs[i], h)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	lists, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return dir, st, lists
}
